#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""mkflows_cli.py OUT - the capture tests/cli_filters.sh filters: seven TCP
flows, each with known state, family, ports, bytes, handshake RTT, first and
last packet, and anomaly, so every filter, sort key and limit has exactly
one right answer. Uses scapy (Debian's python3-scapy); the capture is
committed as tests/cli/flows.pcap, this script says how it was made."""
import sys
from scapy.all import Ether, IP, IPv6, TCP, Raw, wrpcap

T0 = 1_800_000_000.0
pkts = []


def add(t, src, dst, sp, dp, flags, seq, ack=0, data=b''):
    ip = IPv6(src=src, dst=dst) if ':' in src else IP(src=src, dst=dst)
    p = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / ip / \
        TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack, window=65535)
    if data:
        p = p / Raw(data)
    p.time = T0 + t
    pkts.append(p)


def conn(t, c, s, cp, sp, syn_rtt, ack_rtt, up=0, down=0, close=False):
    """a handshake, up bytes from the client, down from the server, maybe FINs"""
    ci, si = 1000, 900000
    add(t, c, s, cp, sp, 'S', ci)
    add(t + syn_rtt, s, c, sp, cp, 'SA', si, ci + 1)
    t += syn_rtt + ack_rtt
    add(t, c, s, cp, sp, 'A', ci + 1, si + 1)
    if up:
        t += 0.001
        add(t, c, s, cp, sp, 'PA', ci + 1, si + 1, b'u' * up)
    if down:
        t += 0.001
        add(t, s, c, sp, cp, 'PA', si + 1, ci + 1 + up, b'd' * down)
    if close:
        add(t + 0.001, c, s, cp, sp, 'FA', ci + 1 + up, si + 1 + down)
        add(t + 0.002, s, c, sp, cp, 'FA', si + 1 + down, ci + 2 + up)
        add(t + 0.003, c, s, cp, sp, 'A', ci + 2 + up, si + 2 + down)
    return ci + 1 + up, si + 1 + down


# 1 ipv4 TIME_WAIT, 1000 up / 5000 down, RTT 10 ms
conn(0.0, '198.18.0.1', '198.19.0.10', 40001, 80, 0.004, 0.006, 1000, 5000, True)
# 2 ipv4 ESTABLISHED, 200 / 100, RTT 50 ms, and the last packet of the capture
cs, ss = conn(1.0, '198.18.0.2', '198.19.0.10', 40002, 443, 0.030, 0.020, 200, 100)
# 3 ipv4 SYN_SENT, unanswered
add(2.0, '198.18.1.5', '198.19.0.20', 40003, 22, 'S', 7000)
# 4 ipv4 CLOSE, refused
add(3.0, '198.18.0.3', '198.19.0.10', 40004, 80, 'S', 8000)
add(3.001, '198.19.0.10', '198.18.0.3', 80, 40004, 'RA', 0, 8001)
# 5 ipv6 ESTABLISHED, 3000 up, RTT 2 ms
conn(4.0, 'fc00::1', 'fc00::2', 40005, 8080, 0.001, 0.001, 3000, 0)
# 6 ipv4 picked up mid-stream (MIDSTREAM), 700 each way
add(5.0, '198.18.0.4', '198.19.0.30', 40006, 80, 'PA', 50000, 60000, b'm' * 700)
add(5.001, '198.19.0.30', '198.18.0.4', 80, 40006, 'PA', 60000, 50700, b'n' * 700)
# 7 ipv6 SYN-ACK with no SYN seen (SYNACK_WITHOUT_SYN)
add(6.0, 'fc00::3', 'fc00::2', 80, 40007, 'SA', 123456, 5001)
# flow 2 again, last: latest last packet, second-oldest first packet
add(7.0, '198.18.0.2', '198.19.0.10', 40002, 443, 'PA', cs, ss, b'x' * 10)

wrpcap(sys.argv[1], pkts)

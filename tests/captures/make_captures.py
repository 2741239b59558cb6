#!/usr/bin/python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""make_captures.py - the crafted captures of tests/captures/ (run.sh).

  /usr/bin/python3 tests/captures/make_captures.py [DIR]

Each scenario is a small conversation built with scapy and written as a
pcap (frames of large segments are stored cut to their headers, with the
original length kept, as a capture with a short snaplen would). What
xdpct must make of each one, and the Linux function that decides it, is
in expected.tsv beside them. The same script gives the same bytes.
"""
import os
import struct
import sys

from scapy.all import Ether, IP, TCP, Raw  # noqa: E402

CLI = 0
SRV = 1
T0 = 1_767_225_600.0  # 2026-01-01
SNAP = 54  # bytes kept of a frame cut short (Ethernet + IPv4 + TCP)


class Conv:
    """One TCP conversation: client 198.18.0.1:sport, server 198.18.0.2:dport."""

    def __init__(self, sport, dport=80, cli="198.18.0.1", srv="198.18.0.2"):
        self.addr = (cli, srv)
        self.port = (sport, dport)

    def frame(self, who, flags, seq, ack, length=0, win=65535, wscale=None):
        src, dst = self.addr[who], self.addr[who ^ 1]
        sport, dport = self.port[who], self.port[who ^ 1]
        opts = [("WScale", wscale)] if wscale is not None else []
        tcp = TCP(sport=sport, dport=dport, flags=flags, seq=seq % 2**32,
                  ack=ack % 2**32, window=win, options=opts)
        pkt = (Ether(src="02:00:00:00:00:%02x" % (who + 1), dst="02:00:00:00:00:%02x" % (2 - who))
               / IP(src=src, dst=dst, id=1, flags="DF") / tcp)
        if length:
            pkt = pkt / Raw(b"x" * length)
        return bytes(pkt)

    def big(self, who, flags, seq, ack, length, win=65535):
        """A segment of length payload bytes, stored cut to its headers."""
        src, dst = self.addr[who], self.addr[who ^ 1]
        tcp = TCP(sport=self.port[who], dport=self.port[who ^ 1], flags=flags,
                  seq=seq % 2**32, ack=ack % 2**32, window=win)
        ip = IP(src=src, dst=dst, id=1, flags="DF", len=40 + length) / tcp
        eth = Ether(src="02:00:00:00:00:%02x" % (who + 1), dst="02:00:00:00:00:%02x" % (2 - who))
        full = bytes(eth / ip)
        return full[:SNAP], 14 + 40 + length


def write_pcap(path, records):
    """records: (time, bytes) or (time, (bytes, orig_len))."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, data in records:
            if isinstance(data, tuple):
                data, orig = data
            else:
                orig = len(data)
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), orig))
            f.write(data)


class Trace:
    def __init__(self):
        self.recs = []
        self.t = T0

    def add(self, data, dt=0.01):
        self.t += dt
        self.recs.append((self.t, data))


def handshake(tr, c, x, y, ws=None, win=65535):
    tr.add(c.frame(CLI, "S", x, 0, win=win, wscale=ws))
    tr.add(c.frame(SRV, "SA", y, x + 1, win=win, wscale=ws))
    tr.add(c.frame(CLI, "A", x + 1, y + 1, win=win))


def close(tr, c, cseq, sseq):
    """client FIN at cseq, server FIN+ACK at sseq, client ACK."""
    tr.add(c.frame(CLI, "FA", cseq, sseq))
    tr.add(c.frame(SRV, "FA", sseq, cseq + 1))
    tr.add(c.frame(CLI, "A", cseq + 1, sseq + 1))


def loss_freeze():
    """A capture that lost more than a window of the client's data and the
    server's acks for it: the server's acks of data never seen, then the
    client going on past them, for six minutes."""
    tr, c = Trace(), Conv(40001)
    x, y = 1000, 5000
    handshake(tr, c, x, y)
    s = x + 1
    tr.add(c.frame(CLI, "PA", s, y + 1, 1000))
    s += 1000
    tr.add(c.frame(SRV, "A", y + 1, s))
    lost = 70000                      # more than the 65535-byte window
    tr.add(c.frame(SRV, "A", y + 1, s + lost - 1000))   # refused: unsent
    tr.add(c.frame(SRV, "A", y + 1, s + lost))          # again: resync
    s += lost
    for _ in range(36):               # 6 minutes, idle timeout is 5
        tr.add(c.frame(CLI, "PA", s, y + 1, 1000), dt=10)
        s += 1000
        tr.add(c.frame(SRV, "A", y + 1, s))
    close(tr, c, s, y + 1)
    return tr


def gap_filled_later():
    """A reordered segment: the hole is filled, so a retransmission, no gap."""
    tr, c = Trace(), Conv(40002)
    x, y = 1000, 5000
    handshake(tr, c, x, y)
    s = x + 1
    tr.add(c.frame(CLI, "PA", s, y + 1, 100))
    tr.add(c.frame(CLI, "PA", s + 200, y + 1, 100))     # hole [s+100, s+200)
    tr.add(c.frame(SRV, "A", y + 1, s + 100))           # dup ack at the hole
    tr.add(c.frame(CLI, "PA", s + 100, y + 1, 100))     # fills it
    tr.add(c.frame(SRV, "A", y + 1, s + 300))
    close(tr, c, s + 300, y + 1)
    return tr


def gap_acked():
    """A segment the capture missed, acked by the server: a gap, once acked."""
    tr, c = Trace(), Conv(40003)
    x, y = 1000, 5000
    handshake(tr, c, x, y)
    s = x + 1
    tr.add(c.frame(CLI, "PA", s, y + 1, 100))
    tr.add(c.frame(CLI, "PA", s + 200, y + 1, 100))     # [s+100, s+200) not captured
    tr.add(c.frame(SRV, "A", y + 1, s + 300))
    close(tr, c, s + 300, y + 1)
    return tr


def ack_one_past():
    """seed-notes §3: 100 bytes from seq 400 are acked as 500; 501 is unsent."""
    tr = Trace()
    for port, ack in ((40004, 500), (40005, 501)):
        c = Conv(port)
        handshake(tr, c, 399, 7000)
        tr.add(c.frame(CLI, "PA", 400, 7001, 100))
        tr.add(c.frame(SRV, "A", 7001, ack))
    return tr


def fin_retransmit():
    """A FIN sent twice from one side, acked: CLOSE_WAIT, not a close. And a
    close whose first FIN was never acked: LAST_ACK, not TIME_WAIT."""
    tr = Trace()
    c = Conv(40006)
    handshake(tr, c, 1000, 5000)
    tr.add(c.frame(CLI, "FA", 1001, 5001))
    tr.add(c.frame(CLI, "FA", 1001, 5001), dt=0.2)      # retransmitted
    tr.add(c.frame(SRV, "A", 5001, 1002))
    c = Conv(40007)
    handshake(tr, c, 1000, 5000)
    tr.add(c.frame(CLI, "FA", 1001, 5001))
    tr.add(c.frame(SRV, "FA", 5001, 1001))              # does not ack the FIN
    tr.add(c.frame(CLI, "A", 1002, 5002))               # acks the server's FIN
    return tr


def ack_before_fin():
    """The server's ACK of the client's FIN captured before that FIN."""
    tr, c = Trace(), Conv(40008)
    handshake(tr, c, 1000, 5000)
    tr.add(c.frame(CLI, "PA", 1001, 5001, 100))
    tr.add(c.frame(SRV, "A", 5001, 1102))               # acks the FIN below
    tr.add(c.frame(CLI, "FA", 1101, 5001), dt=0.0001)
    tr.add(c.frame(SRV, "FA", 5001, 1102))
    tr.add(c.frame(CLI, "A", 1102, 5002))
    return tr


def blind_teardown():
    """An attacker who knows only the 4-tuple: FINs at X and X + 2^31, a
    FIN without ACK at the exact seq, then a SYN with a new ISN; the real
    connection goes on and closes."""
    tr, c = Trace(), Conv(40009)
    x, y = 1000, 5000
    handshake(tr, c, x, y, ws=7)
    tr.add(c.frame(CLI, "PA", x + 1, y + 1, 100, win=502))
    tr.add(c.frame(SRV, "PA", y + 1, x + 101, 200, win=509))
    tr.add(c.frame(CLI, "A", x + 101, y + 201, win=502))
    blind = 0x9E3779B9
    tr.add(c.frame(CLI, "FA", blind, y + 201, win=502))
    tr.add(c.frame(CLI, "FA", blind + 2**31, y + 201, win=502))
    tr.add(c.frame(SRV, "FA", blind, x + 101, win=509))
    tr.add(c.frame(SRV, "FA", blind + 2**31, x + 101, win=509))
    tr.add(c.frame(CLI, "F", x + 101, 0, win=502))      # no ACK bit
    tr.add(c.frame(CLI, "S", 0x12345678, 0, wscale=7))
    tr.add(c.frame(CLI, "PA", x + 101, y + 201, 50, win=502))
    tr.add(c.frame(SRV, "A", y + 201, x + 151, win=509))
    close(tr, c, x + 151, y + 201)
    return tr


def rst_combos():
    """RST|FIN on an established flow at the exact seq, and SYN|RST|ACK
    answering a SYN: resets, as Linux takes them."""
    tr = Trace()
    c = Conv(40010)
    handshake(tr, c, 1000, 5000)
    tr.add(c.frame(CLI, "PA", 1001, 5001, 10))
    tr.add(c.frame(SRV, "RFA", 5001, 1011))
    c = Conv(40011)
    tr.add(c.frame(CLI, "S", 3000, 0))
    tr.add(c.frame(SRV, "SRA", 0, 3001))
    return tr


def data_after_fin():
    """Data beyond the client's FIN (dropped by the receiver), and data on a
    SYN that the SYN-ACK does not ack (no Fast Open: sent again later)."""
    tr = Trace()
    c = Conv(40012)
    handshake(tr, c, 1000, 5000)
    tr.add(c.frame(CLI, "PA", 1001, 5001, 100))
    tr.add(c.frame(CLI, "FA", 1101, 5001))
    tr.add(c.frame(SRV, "A", 5001, 1102))
    tr.add(c.frame(CLI, "PA", 1102, 5001, 300))         # after its own FIN
    c = Conv(40013)
    tr.add(c.frame(CLI, "S", 2000, 0, 50))              # 50 bytes on the SYN
    tr.add(c.frame(SRV, "SA", 9000, 2001))              # acks only the SYN
    tr.add(c.frame(CLI, "PA", 2001, 9001, 50))          # the data again
    tr.add(c.frame(SRV, "A", 9001, 2051))
    return tr


def long_transfer():
    """Beyond four 32-bit wraps with capture holes of about 2^30 bytes, each
    acked by the server twice before the client's data shows again."""
    tr, c = Trace(), Conv(40014)
    x, y = 2**32 - 1000, 5000
    handshake(tr, c, x, y)
    s = x + 1
    hole = 2**30 - 2**15
    for _ in range(18):
        tr.add(c.big(CLI, "PA", s, y + 1, 1000))
        s += 1000
        tr.add(c.frame(SRV, "A", y + 1, s))
        tr.add(c.frame(SRV, "A", y + 1, s + hole - 1000))
        tr.add(c.frame(SRV, "A", y + 1, s + hole))
        s += hole
    tr.add(c.big(CLI, "PA", s, y + 1, 1000))
    s += 1000
    tr.add(c.frame(SRV, "A", y + 1, s))
    close(tr, c, s, y + 1)
    return tr


def synack_first():
    """A stray SYN-ACK from the client's address, then that host's own SYN
    and a real handshake: the SYN's sender is the originator."""
    tr, c = Trace(), Conv(40015)
    tr.add(c.frame(CLI, "SA", 777, 4242))
    tr.add(c.frame(CLI, "S", 1000, 0))
    tr.add(c.frame(SRV, "SA", 5000, 1001))
    tr.add(c.frame(CLI, "A", 1001, 5001))
    tr.add(c.frame(CLI, "PA", 1001, 5001, 10))
    tr.add(c.frame(SRV, "A", 5001, 1011))
    return tr


def fin_ahead():
    """A FIN forged ahead in the server's stream, then the server's real
    data reaching past it, and a real close."""
    tr, c = Trace(), Conv(40016)
    x, y = 1000, 5000
    handshake(tr, c, x, y)
    tr.add(c.frame(SRV, "FA", y + 501, x + 1))          # forged, in window
    tr.add(c.frame(SRV, "PA", y + 1, x + 1, 1000))
    tr.add(c.frame(CLI, "A", x + 1, y + 1001))
    close(tr, c, x + 1, y + 1001)
    return tr


SCENARIOS = {
    "loss-freeze": loss_freeze,
    "gap-filled-later": gap_filled_later,
    "gap-acked": gap_acked,
    "ack-one-past": ack_one_past,
    "fin-retransmit": fin_retransmit,
    "ack-before-fin": ack_before_fin,
    "blind-teardown": blind_teardown,
    "rst-combos": rst_combos,
    "data-after-fin": data_after_fin,
    "long-transfer": long_transfer,
    "synack-first": synack_first,
    "fin-ahead": fin_ahead,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, fn in SCENARIOS.items():
        write_pcap(os.path.join(out, name + ".pcap"), fn().recs)


if __name__ == "__main__":
    main()

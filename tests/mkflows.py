#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""mkflows.py OUT N GAP close|open - a pcap of N IPv4 connections, one every
GAP seconds: handshake, and with "close" a FIN exchange from both sides.
Standard library only; replay tests use it to fill small tables."""
import struct
import sys


def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def pkt(src, dst, sp, dp, seq, ack, flags):
    tcp = struct.pack('!HHIIBBHHH', sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    ph = src + dst + struct.pack('!BBH', 0, 6, 20)
    tcp = tcp[:16] + struct.pack('!H', csum(ph + tcp)) + tcp[18:]
    return b'\x02\0\0\0\0\2\x02\0\0\0\0\1\x08\0' + ip + tcp


def main(out, n, gap, close):
    f = open(out, 'wb')
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    srv = bytes([198, 19, 0, 1])
    t = 1_000_000.0
    for i in range(n):
        cli = bytes([198, 18, (i >> 8) & 0xff, i & 0xff]); sp = 10000 + i % 50000
        c, s = 1000 + i, 5000000 + i
        seqs = [(cli, srv, sp, 80, c, 0, 0x02), (srv, cli, 80, sp, s, c + 1, 0x12),
                (cli, srv, sp, 80, c + 1, s + 1, 0x10)]
        if close:
            seqs += [(cli, srv, sp, 80, c + 1, s + 1, 0x11), (srv, cli, 80, sp, s + 1, c + 2, 0x10),
                     (srv, cli, 80, sp, s + 1, c + 2, 0x11), (cli, srv, sp, 80, c + 2, s + 2, 0x10)]
        for k, p in enumerate(seqs):
            b = pkt(*p); ts = t + k * 0.001
            f.write(struct.pack('<IIII', int(ts), int((ts % 1) * 1e6), len(b), len(b)) + b)
        t += gap


main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == 'close')

#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""make_corpus.py - the hostile capture files `xdpct replay` must survive.

  make_corpus.py DIR [SEED]

Writes into DIR: a valid pcap and pcapng of a small TCP conversation (built
here, byte by byte), then truncations of both at many lengths, copies with
random bytes flipped, header and block fields set to hostile values (bad
magic, huge snaplen/caplen/block lengths, zero lengths, unsupported link
types, timestamps going backwards), pure random files and an empty one.
The same SEED gives the same files. The committed corpus in this directory
was made with the default seed.
"""
import os
import random
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    tot = 20 + len(tcp) + len(payload)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00"
    return eth + ip + tcp + payload


def conversation():
    c, s = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 2])
    x, y = 3626544836, 1739326486
    return [
        frame(c, s, 3337, 7788, x, 0, 0x02),
        frame(s, c, 7788, 3337, y, x + 1, 0x12),
        frame(c, s, 3337, 7788, x + 1, y + 1, 0x10),
        frame(c, s, 3337, 7788, x + 1, y + 1, 0x18, b"GET / HTTP/1.0\r\n\r\n"),
        frame(s, c, 7788, 3337, y + 1, x + 19, 0x18, b"HTTP/1.0 200 OK\r\n\r\nhello"),
        frame(c, s, 3337, 7788, x + 19, y + 25, 0x11),
        frame(s, c, 7788, 3337, y + 25, x + 20, 0x11),
        frame(c, s, 3337, 7788, x + 20, y + 26, 0x10),
    ]


def pcap(frames, linktype=1, snaplen=65535, magic=0xA1B2C3D4, endian="<", ts0=1764115200):
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)
    for i, f in enumerate(frames):
        out += struct.pack(endian + "IIII", ts0 + i, 1000 * i, len(f), len(f)) + f
    return out


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def block(btype, body):
    n = 12 + len(pad4(body))
    return struct.pack("<II", btype, n) + pad4(body) + struct.pack("<I", n)


def pcapng(frames, linktype=1):
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", linktype, 0, 65535))
    out = shb + idb
    for i, f in enumerate(frames):
        ts = (1764115200 + i) * 1000000
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f)
    return out


def main():
    d = sys.argv[1]
    rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 20261126)
    os.makedirs(d, exist_ok=True)
    files = {}
    conv = conversation()
    good = pcap(conv)
    goodng = pcapng(conv)
    files["valid.pcap"] = good
    files["valid.pcapng"] = goodng
    files["valid-bigendian.pcap"] = pcap(conv, endian=">")
    files["valid-nanosecond.pcap"] = pcap(conv, magic=0xA1B23C4D)
    for n in [0, 1, 3, 4, 10, 23, 24, 25, 30, 39, 40, 54, 80, 120, len(good) - 1]:
        files["trunc-%04d.pcap" % n] = good[:n]
    for n in [0, 4, 8, 12, 27, 28, 40, 47, 60, 100, len(goodng) - 1]:
        files["trunc-%04d.pcapng" % n] = goodng[:n]
    for i in range(20):
        for name, base in (("pcap", good), ("pcapng", goodng)):
            b = bytearray(base)
            for _ in range(rnd.choice([1, 2, 5, 20])):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
            files["flip-%02d.%s" % (i, name)] = bytes(b)
    hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    rec = lambda caplen, wire, data: struct.pack("<IIII", 1764115200, 0, caplen, wire) + data
    files["bad-magic.pcap"] = b"\xde\xad\xbe\xef" + good[4:]
    files["snaplen-zero.pcap"] = pcap(conv, snaplen=0)
    files["snaplen-huge.pcap"] = pcap(conv, snaplen=0x7FFFFFFF)
    files["linktype-unsupported.pcap"] = pcap(conv, linktype=147)
    files["linktype-huge.pcap"] = pcap(conv, linktype=0xFFFF)
    files["linktype-sll-mismatch.pcap"] = pcap(conv, linktype=113)
    files["linktype-raw-garbage.pcap"] = pcap(conv, linktype=101)
    files["caplen-huge.pcap"] = hdr + rec(0x7FFFFFF0, 0x7FFFFFF0, conv[0])
    files["caplen-over-snaplen.pcap"] = hdr + rec(70000, 70000, conv[0] * 100)
    files["caplen-zero.pcap"] = hdr + rec(0, 60, b"") + rec(0, 0, b"")
    files["wire-shorter.pcap"] = hdr + rec(len(conv[0]), 10, conv[0])
    files["tiny-frames.pcap"] = hdr + b"".join(rec(n, n, conv[0][:n]) for n in range(0, 60))
    files["time-backwards.pcap"] = hdr + b"".join(
        struct.pack("<IIII", 1764115200 - 100 * i, 0, len(f), len(f)) + f for i, f in enumerate(conv))
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = block(1, struct.pack("<HHI", 1, 0, 65535))
    files["ng-blocklen-huge.pcapng"] = shb + idb + struct.pack("<II", 6, 0x7FFFFFF0) + b"\0" * 64
    files["ng-blocklen-zero.pcapng"] = shb + idb + struct.pack("<II", 6, 0) + b"\0" * 64
    files["ng-blocklen-odd.pcapng"] = shb + idb + struct.pack("<II", 6, 31) + b"\0" * 64
    files["ng-no-idb.pcapng"] = shb + block(6, struct.pack("<IIIII", 0, 0, 0, 60, 60) + conv[0])
    files["ng-bad-ifid.pcapng"] = shb + idb + block(6, struct.pack("<IIIII", 7, 0, 0, 60, 60) + conv[0])
    files["ng-caplen-over.pcapng"] = shb + idb + block(6, struct.pack("<IIIII", 0, 0, 0, 5000, 5000) + conv[0])
    files["ng-unknown-blocks.pcapng"] = shb + idb + block(0x0BAD, b"x" * 40) + goodng[len(shb) + len(idb):]
    files["ng-bad-bom.pcapng"] = block(0x0A0D0D0A, struct.pack("<IHHq", 0x4D3C2B1A, 1, 0, -1)) + idb
    files["ng-linktype-unsupported.pcapng"] = pcapng(conv, linktype=147)
    files["empty.pcap"] = b""
    for i in range(10):
        n = rnd.choice([1, 2, 16, 24, 100, 1000, 4096])
        files["random-%02d.bin" % i] = bytes(rnd.randrange(256) for _ in range(n))
    for name, data in sorted(files.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("%d files in %s" % (len(files), d))


if __name__ == "__main__":
    main()

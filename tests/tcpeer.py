#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""tcpeer - real TCP connections through the kernel's own stack, for tests.

The client opens a connection and sends a 64-byte header naming what both
sides do next; the tests count those 64 bytes in the originator's payload.

  tcpeer.py serve ADDR PORT
  tcpeer.py client ADDR PORT send A B [--close client|server|rst-client|rst-server]
                                        [--hold SEC] [--sport PORT]
      client sends A bytes, server answers B bytes, then one side closes
      (client: FIN first from the client; server: FIN first from the server;
      rst-*: that side aborts with RST). --hold keeps the connection open
      SEC seconds before closing (or until the process is killed).
  tcpeer.py client ADDR PORT bulk N
      both sides send N bytes at the same time; then the client closes.
  tcpeer.py client ADDR PORT halfclose A B [--hold SEC] [--sport PORT]
      client sends A and shuts down its sending side; the server, after
      the client's FIN (and SEC seconds), still sends B bytes, then closes.
  tcpeer.py client ADDR PORT many K A B [--hold SEC] [--sport FIRST]
      K connections at once, each "send A B", closed by the client
      (source ports FIRST, FIRST+1, ... if given).
  tcpeer.py client ADDR PORT crowd K [--rate R] [--sport FIRST]
      K short connections one after the other (R per second, default as
      fast as possible): connect, then close. A flash crowd.
  tcpeer.py client ADDR PORT refused
      connect and expect ECONNREFUSED (exit 0 if refused).
Exit status 0 on success; the client prints "done" (or the error).
"""
import socket
import struct
import sys
import threading
import time

HDR = 64
CHUNK = 1 << 20


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def recv_exact(s, n):
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    got = 0
    while got < n:
        r = s.recv_into(view, min(CHUNK, n - got))
        if r == 0:
            raise EOFError("peer closed after %d of %d bytes" % (got, n))
        got += r
    return got


def send_n(s, n):
    data = b"x" * min(CHUNK, max(n, 1))
    left = n
    while left > 0:
        k = min(left, len(data))
        s.sendall(data[:k])
        left -= k


def recv_eof(s):
    while s.recv(65536):
        pass


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def handle(c):
    try:
        hdr = b""
        while len(hdr) < HDR:
            x = c.recv(HDR - len(hdr))
            if not x:
                return
            hdr += x
        words = hdr.decode().split()
        cmd = words[0]
        if cmd == "send":
            a, b, close = int(words[1]), int(words[2]), words[3]
            recv_exact(c, a)
            send_n(c, b)
            if close == "server":
                c.close()
            elif close == "rst-server":
                abort(c)
            else:
                recv_eof(c)
                c.close()
        elif cmd == "bulk":
            n = int(words[1])
            t = threading.Thread(target=send_n, args=(c, n))
            t.start()
            recv_exact(c, n)
            t.join()
            recv_eof(c)
            c.close()
        elif cmd == "halfclose":
            a, b, hold = int(words[1]), int(words[2]), float(words[3])
            recv_exact(c, a)
            recv_eof(c)
            time.sleep(hold)
            send_n(c, b)
            c.close()
    except (OSError, EOFError):
        try:
            c.close()
        except OSError:
            pass


def serve(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(4096)
    print("listening", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handle, args=(c,), daemon=True).start()


def connect(addr, port, sport=0):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if ":" in addr else "0.0.0.0", sport))
    s.connect((addr, port))
    return s


def header(*words):
    h = " ".join(str(w) for w in words).encode()
    return h + b" " * (HDR - len(h))


def opt(args, name, default):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


def client_send(addr, port, a, b, close, hold, sport=0):
    s = connect(addr, port, sport)
    s.sendall(header("send", a, b, close))
    send_n(s, a)
    recv_exact(s, b)
    if hold:
        time.sleep(hold)
    if close == "client":
        s.shutdown(socket.SHUT_WR)
        recv_eof(s)
        s.close()
    elif close == "rst-client":
        abort(s)
    else:
        recv_eof(s)  # the server closes (FIN or RST)
        time.sleep(0.05)
        s.close()


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    role, addr, port = args[0], args[1], int(args[2])
    if role == "serve":
        serve(addr, port)
        return 0
    cmd, rest = args[3], args[4:]
    try:
        if cmd == "send":
            close = opt(rest, "--close", "client")
            hold = float(opt(rest, "--hold", "0"))
            sport = int(opt(rest, "--sport", "0"))
            client_send(addr, port, int(rest[0]), int(rest[1]), close, hold, sport)
        elif cmd == "bulk":
            n = int(rest[0])
            s = connect(addr, port)
            s.sendall(header("bulk", n))
            t = threading.Thread(target=send_n, args=(s, n))
            t.start()
            recv_exact(s, n)
            t.join()
            s.shutdown(socket.SHUT_WR)
            recv_eof(s)
            s.close()
        elif cmd == "halfclose":
            hold = float(opt(rest, "--hold", "0"))
            sport = int(opt(rest, "--sport", "0"))
            a, b = int(rest[0]), int(rest[1])
            s = connect(addr, port, sport)
            s.sendall(header("halfclose", a, b, hold))
            send_n(s, a)
            s.shutdown(socket.SHUT_WR)
            recv_exact(s, b)
            recv_eof(s)
            s.close()
        elif cmd == "many":
            hold = float(opt(rest, "--hold", "0"))
            sport = int(opt(rest, "--sport", "0"))
            k, a, b = int(rest[0]), int(rest[1]), int(rest[2])
            socks = []
            for i in range(k):
                s = connect(addr, port, sport + i if sport else 0)
                s.sendall(header("send", a, b, "client"))
                send_n(s, a)
                socks.append(s)
            for s in socks:
                recv_exact(s, b)
            if hold:
                time.sleep(hold)
            for s in socks:
                s.shutdown(socket.SHUT_WR)
            for s in socks:
                recv_eof(s)
                s.close()
        elif cmd == "crowd":
            rate = float(opt(rest, "--rate", "0"))
            sport = int(opt(rest, "--sport", "0"))
            k = int(rest[0])
            t0 = time.monotonic()
            for i in range(k):
                s = connect(addr, port, sport + i if sport else 0)
                s.close()
                if rate:
                    delay = t0 + (i + 1) / rate - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
        elif cmd == "refused":
            try:
                connect(addr, port)
            except ConnectionRefusedError:
                print("refused", flush=True)
                return 0
            print("error: connected", flush=True)
            return 1
        else:
            print("unknown command " + cmd, file=sys.stderr)
            return 2
    except (OSError, EOFError) as e:
        print("error: %s" % e, flush=True)
        return 1
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

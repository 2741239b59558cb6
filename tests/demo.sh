#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# demo.sh - `make demo`: xdpct in a self-contained veth lab.
#
# Two network namespaces joined by a veth pair (198.18.0.1 client,
# 198.18.0.2 server, fc00::1/fc00::2), `xdpct run` on the server's side,
# real connections made by the kernel's TCP stack (one closed normally, one
# refused, one left open, one over IPv6), the per-flow table, then a short
# spoofed SYN flood (100,000 SYNs from 198.19.0.0/16) and its alert.
# Everything it creates is removed on exit.
set -u
cd "$(dirname "$0")/.."
LAB_ID=demo
. tests/lib.sh

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "xdpct: make demo needs root (it creates network namespaces and loads BPF programs); run: sudo make demo" >&2
	exit 1
fi
lab_cleanup >/dev/null 2>&1
lab_up || { echo "xdpct: could not create the veth lab" >&2; exit 1; }
RUNLOG=$(mktemp)
trap 'rm -f "$RUNLOG"; lab_cleanup' EXIT

say "lab: client $NS_C ($IP_C, $IP6_C) <-- veth --> server $NS_S ($IP_S, $IP6_S)"
bg_s "$XDPCT" run "$IF_S" --interval 3600 --syn-rate 2000 >"$RUNLOG" 2>&1
RUN_PID=$BG_PID
wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta || { cat "$RUNLOG"; exit 1; }
echo "xdpct run $IF_S (in the server namespace): XDP on ingress, TC on egress"
bg_s $PY tests/tcpeer.py serve $IP_S 8080 >/dev/null
bg_s $PY tests/tcpeer.py serve $IP6_S 8080 >/dev/null
wait_listen 8080

say "connections (the kernel's own TCP stack; 64 bytes of each request are the test header)"
echo "  closed normally:  $IP_C -> $IP_S:8080, 100 bytes up, 300 down, client closes"
in_c $PY tests/tcpeer.py client $IP_S 8080 send 100 300 --sport 50001 >/dev/null
echo "  refused:          $IP_C -> $IP_S:9 (nothing listens: RST)"
in_c $PY tests/tcpeer.py client $IP_S 9 refused >/dev/null
echo "  left open:        $IP_C -> $IP_S:8080, 50 bytes up, 500 down, stays open"
bg_c $PY tests/tcpeer.py client $IP_S 8080 send 50 500 --hold 300 --sport 50002 >/dev/null
echo "  IPv6, closed:     [$IP6_C] -> [$IP6_S]:8080, 10 bytes up, 20 down"
in_c $PY tests/tcpeer.py client $IP6_S 8080 send 10 20 --sport 50003 >/dev/null
sleep 0.5

say "per-flow table"
in_s "$XDPCT" show "$IF_S"
say "the open flow as JSON"
in_s "$XDPCT" show "$IF_S" --json | jq -c 'select(.orig_port == 50002)'

say "a spoofed SYN flood: 100,000 SYNs at 50,000/s to $IP_S:8080"
mac=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
in_c "$(dirname "$XDPCT")/.output/tests/gen" syn "$IF_C" "$mac" $IP_S 8080 100000 50000
sleep 1
in_s "$XDPCT" stats "$IF_S" | sed -n '1,3p;/syn_pkts/p;/handshakes/p;/flows:/,$p'
wait_for 8 grep -q syn_flood_end "$RUNLOG"
say "what xdpct run printed"
grep -E "ALERT|tracking" "$RUNLOG"
say "the established flows came through the flood"
in_s "$XDPCT" show "$IF_S" 2>/dev/null | grep -E "FAMILY|ESTABLISHED"
say "cleaning up"
kill -INT $RUN_PID
wait $RUN_PID
grep detached "$RUNLOG"

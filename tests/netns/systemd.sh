#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# systemd.sh - systemd/xdpct@.service's ExecStart and ExecStop, run as
# systemd would run them (root, the unit's CapabilityBoundingSet, no new
# privileges; setpriv stands in for systemd, which need not be PID 1 here):
# with those capabilities the interface is attached, tracks a real
# connection and is detached; without any one of them attach is refused and
# leaves nothing behind, so the set is what attach needs and no more.
set -u
. "$(dirname "$0")/../lib.sh"
UNIT=$TESTS_DIR/../systemd/xdpct@.service

TESTS="unit_attach unit_tracks unit_detach unit_cap_needed_bpf unit_cap_needed_perfmon
unit_cap_needed_net_admin"
need_root $TESTS || exit 0
command -v setpriv >/dev/null || { for t in $TESTS; do skip "$t" "no setpriv"; done; exit 0; }
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }

# the unit's lines, with %I the lab's interface and its binary the one under test
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
start=$(sed -n 's/^ExecStart=//p' "$UNIT" | sed -e "s|%I|$IF_S|" -e "s|^[^ ]*/xdpct|$XDPCT|")
stop=$(sed -n 's/^ExecStop=//p' "$UNIT" | sed -e "s|%I|$IF_S|" -e "s|^[^ ]*/xdpct|$XDPCT|")
# setpriv's form of a capability list: -all,+bpf,+perfmon,...
bset() { local c out="-all"; for c in $1; do c=${c#CAP_}; out+=",+${c,,}"; done; echo "$out"; }
as_unit() { in_s setpriv --bounding-set="$(bset "$1")" --inh-caps=-all --no-new-privs -- "${@:2}"; }

out=$(as_unit "$caps" $start 2>&1)
if [ $? -eq 0 ] && [ -e /sys/fs/bpf/xdpct/$IF_S/flows ]; then ok unit_attach
else fail unit_attach "'$start' with $caps: $out"; fi

bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S 8080 >/dev/null
wait_listen 8080
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 8080 send 10 20 --sport 42001 >/dev/null
got=$(as_unit "$caps" "$XDPCT" show "$IF_S" --json --sport 42001 2>/dev/null | jq -r '"\(.state) \(.orig_bytes) \(.resp_bytes)"')
expect_eq unit_tracks "TIME_WAIT 74 20" "$got"

# the links by id: ids are machine-wide, so other labs' links do not count
links=$(for l in xdp_link tc_link; do bpftool link show pinned /sys/fs/bpf/xdpct/$IF_S/$l -j 2>/dev/null | jq -r .id; done)
out=$(as_unit "$caps" $stop 2>&1)
rc=$?
live=0
for l in $links; do bpftool link show id "$l" >/dev/null 2>&1 && live=$((live + 1)); done
if [ $rc -eq 0 ] && [ "$(wc -w <<<"$links")" -eq 2 ] && [ $live -eq 0 ] && [ ! -e /sys/fs/bpf/xdpct/$IF_S ] &&
	! ip -n "$NS_S" link show "$IF_S" | grep -q xdp; then
	ok unit_detach
else
	fail unit_detach "'$stop': exit $rc, links '$links', $live still there: $out"
fi

for c in $caps; do
	less=$(tr ' ' '\n' <<<"$caps" | grep -vx "$c" | tr '\n' ' ')
	out=$(as_unit "$less" $start 2>&1)
	rc=$?
	left=$(ls /sys/fs/bpf/xdpct/$IF_S 2>/dev/null | wc -l)
	name=unit_cap_needed_$(tr 'A-Z' 'a-z' <<<"${c#CAP_}")
	if [ $rc -eq 1 ] && [ "$left" -eq 0 ] && [ "$(grep -c '' <<<"$out")" -eq 1 ]; then ok "$name"
	else fail "$name" "attach without $c: exit $rc, $left pins left: $out"; fi
	in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
done
exit 0

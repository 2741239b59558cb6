#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# jumbo.sh - native XDP on a jumbo-frame interface (issue 15): a veth pair
# with MTU 9000, where a program not declared for XDP multi-buffer is
# refused in native mode (ERANGE) and would fall back to generic. xdpct's
# xdp.frags program attaches natively, and real transfers in 9,000-byte
# frames (frames over one page reach XDP as multi-buffer frames) are counted
# to the byte, IPv4 and IPv6, both ways.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="jumbo_attach_native jumbo_no_generic jumbo_v4_bytes jumbo_v4_big_frames
jumbo_v6_bytes jumbo_v6_big_frames jumbo_not_malformed"
need_root $TESTS || exit 0
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }
ip -n "$NS_C" link set "$IF_C" mtu 9000 && ip -n "$NS_S" link set "$IF_S" mtu 9000 ||
	{ for t in $TESTS; do fail "$t" "MTU 9000 refused"; done; exit 0; }

HDR=64		# tcpeer's header, part of the originator's payload
PORT=8080
A=400000	# client to server
B=600000	# server to client
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP6_S $PORT >/dev/null
wait_listen $PORT 2

out=$(in_s "$XDPCT" attach "$IF_S" 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q "XDP native" <<<"$out" &&
	ip -n "$NS_S" -d link show "$IF_S" | grep -q "prog/xdp "; then
	ok jumbo_attach_native
else
	fail jumbo_attach_native "rc=$rc: $out"
fi
if grep -qi generic <<<"$out" || ip -n "$NS_S" link show "$IF_S" | grep -q xdpgeneric; then
	fail jumbo_no_generic "$out"
else
	ok jumbo_no_generic
fi

flow() { show_json | jq -c "select(.orig_port == $1 and .resp_port == $PORT)" | tail -1; }

# transfer FAMILY-ADDR SPORT: A bytes up, B down, closed by the client; then
# the record says exactly that. Fewer than a third of the packets 1,500-byte
# frames would need: most were jumbo frames, seen by XDP natively.
transfer() {
	local addr=$1 sport=$2 name=$3 got pk
	in_c $PY "$TESTS_DIR/tcpeer.py" client "$addr" $PORT send $A $B --sport "$sport" >/dev/null
	wait_eq 5 TIME_WAIT eval 'flow '"$sport"' | jq -r .state'
	got=$(flow "$sport" | jq -r '"\(.state) \(.orig_bytes) \(.resp_bytes)"')
	expect_eq "${name}_bytes" "TIME_WAIT $((HDR + A)) $B" "$got"
	pk=$(flow "$sport" | jq -r '"\(.orig_pkts) \(.resp_pkts)"')
	# 1,500-byte frames would take A/1448 and B/1448 data segments
	if [ -n "$pk" ] && [ "${pk% *}" -lt $((A / 1448 / 3)) ] && [ "${pk#* }" -lt $((B / 1448 / 3)) ]; then
		ok "${name}_big_frames # packets $pk"
	else
		fail "${name}_big_frames" "packets '$pk': not jumbo frames"
	fi
}
transfer $IP_S 41000 jumbo_v4
transfer $IP6_S 41001 jumbo_v6
mal=$(stats_json | jq -r '.xdp.malformed')
expect_eq jumbo_not_malformed 0 "$mal"

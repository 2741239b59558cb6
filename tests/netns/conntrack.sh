#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# conntrack.sh - xdpct against the kernel's own tracker on the same traffic.
# The server namespace has an nftables "ct state" rule, so nf_conntrack
# tracks every connection there; for each scenario the state xdpct shows
# for a flow must equal what `conntrack -L` says for it at that moment.
# One mapping: nf_conntrack deletes a connection refused by RST at once,
# xdpct keeps it in CLOSE (history "Sr", Zeek's REJ).
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="ct_open_v4 ct_open_v6 ct_client_close ct_server_close ct_client_rst ct_server_rst
ct_refused ct_halfclose_close_wait ct_halfclose_data_after ct_halfclose_end
ct_parallel_open ct_parallel_closed ct_every_flow_compared"
need_root $TESTS || exit 0
command -v conntrack >/dev/null && command -v nft >/dev/null || {
	for t in $TESTS; do skip "$t" "conntrack or nft missing"; done
	exit 0
}
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }

PORT=8080
in_s nft -f - <<EOF
table inet xdpct_test {
	chain in { type filter hook input priority 0; policy accept; ct state invalid counter; ct state { new, established, related } counter accept; }
	chain out { type filter hook output priority 0; policy accept; ct state { new, established, related } counter accept; }
}
EOF
in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1 || { for t in $TESTS; do fail "$t" "attach failed"; done; exit 0; }
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP6_S $PORT >/dev/null
wait_listen $PORT 2
compared=0

# ct_state SPORT: nf_conntrack's state of the flow from client port SPORT ("NONE" if none)
ct_state() {
	local s
	s=$(in_s conntrack -L -p tcp --orig-port-src "$1" 2>/dev/null | awk '{print $4}' | head -1)
	echo "${s:-NONE}"
}
ct_state6() {
	local s
	s=$(in_s conntrack -L -f ipv6 -p tcp --orig-port-src "$1" 2>/dev/null | awk '{print $4}' | head -1)
	echo "${s:-NONE}"
}
x_state() {
	local s
	s=$(show_json | jq -r "select(.orig_port == $1 and .resp_port == ${2:-$PORT}) | .state" | tail -1)
	echo "${s:-NONE}"
}

# same NAME SPORT [WANT] [ct_state fn]: both trackers agree (on WANT if given)
same() {
	local name=$1 sport=$2 want=${3:-} ctf=${4:-ct_state} c x i
	for ((i = 0; i < 60; i++)); do
		c=$($ctf "$sport")
		x=$(x_state "$sport")
		if [ "$c" = "$x" ] && { [ -z "$want" ] || [ "$x" = "$want" ]; }; then break; fi
		sleep 0.05
	done
	compared=$((compared + 1))
	if [ "$c" = "$x" ] && { [ -z "$want" ] || [ "$x" = "$want" ]; }; then
		ok "$name"
	else
		fail "$name" "conntrack $c, xdpct $x${want:+ (want $want)}"
	fi
}

# --- left open ------------------------------------------------------------
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 100 200 --hold 3 --sport 41001 >/dev/null
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP6_S $PORT send 100 200 --hold 3 --sport 41002 >/dev/null
sleep 0.5
same ct_open_v4 41001 ESTABLISHED
same ct_open_v6 41002 ESTABLISHED ct_state6

# --- normal close by either side; RST abort by either side -----------------
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --close client --sport 41003 >/dev/null
same ct_client_close 41003 TIME_WAIT
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --close server --sport 41004 >/dev/null
same ct_server_close 41004 TIME_WAIT
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --close rst-client --sport 41005 >/dev/null
same ct_client_rst 41005 CLOSE
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --close rst-server --sport 41006 >/dev/null 2>&1
same ct_server_rst 41006 CLOSE

# --- refused: conntrack forgets it at once, xdpct keeps CLOSE / REJ --------
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 9 refused >/dev/null
sleep 0.3
r_ct=$(in_s conntrack -L -p tcp --dport 9 2>/dev/null | wc -l)
r_x=$(show_json | jq -r 'select(.resp_port == 9) | "\(.state) \(.conn_state)"')
compared=$((compared + 1))
expect_eq ct_refused "0 CLOSE REJ" "$r_ct $r_x"

# --- half-close with data after it -------------------------------------------
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT halfclose 50 5000 --hold 1.5 --sport 41007 >/dev/null
sleep 0.5
same ct_halfclose_close_wait 41007 CLOSE_WAIT
sleep 1.3
same ct_halfclose_data_after 41007
b=$(show_json | jq -r 'select(.orig_port == 41007) | .resp_bytes')
wait_eq 5 TIME_WAIT x_state 41007
same ct_halfclose_end 41007 TIME_WAIT
[ "$(show_json | jq -r 'select(.orig_port == 41007) | .resp_bytes')" = 5000 ] ||
	fail ct_halfclose_end "resp_bytes not 5000 (was $b)"

# --- many parallel connections ------------------------------------------------
# snapshot_diff WANT FIRST N: both trackers' states for client ports FIRST..,
# read at the same moment; prints the ports that differ (or are not WANT)
snapshot_diff() {
	local want=$1 first=$2 n=$3 cts xs
	cts=$(in_s conntrack -L -p tcp 2>/dev/null)
	xs=$(show_json)
	for ((i = 0; i < n; i++)); do
		local p=$((first + i)) c x
		c=$(awk -v p="sport=$p" '{ for (i = 5; i <= NF; i++) if ($i == p) { print $4; exit } }' <<<"$cts")
		x=$(jq -r "select(.orig_port == $p) | .state" <<<"$xs" | tail -1)
		[ "${c:-NONE}" = "${x:-NONE}" ] && [ "${x:-NONE}" = "$want" ] || echo -n " $p:${c:-NONE}/${x:-NONE}"
	done
}
N=50
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT many $N 10 10 --hold 3 --sport 42000 >/dev/null
n_est() { show_json | jq -r 'select(.orig_port >= 42000 and .state == "ESTABLISHED") | .orig_port' | wc -l; }
wait_eq 3 $N n_est
sleep 0.3
bad=$(snapshot_diff ESTABLISHED 42000 $N)
compared=$((compared + N))
if [ -z "$bad" ]; then ok ct_parallel_open; else fail ct_parallel_open "differ:$bad"; fi
sleep 3.5
bad=$(snapshot_diff TIME_WAIT 42000 $N)
compared=$((compared + N))
if [ -z "$bad" ]; then ok ct_parallel_closed; else fail ct_parallel_closed "differ:$bad"; fi

# every flow conntrack knows (server side) has the same state in xdpct;
# --all: a CLOSE record past its 10 s is no longer listed by xdpct the
# moment it expires, while conntrack's lingers until its garbage collector
# runs, so near the end of a slow run the two would differ by timing alone
cts=$(in_s conntrack -L -p tcp 2>/dev/null)
xs=$(in_s "$XDPCT" show "$IF_S" --json --all 2>/dev/null)
mism=""
n=0
while read -r st sport dport; do
	[ -z "$sport" ] && continue
	x=$(jq -r "select(.orig_port == $sport and .resp_port == $dport) | .state" <<<"$xs" | tail -1)
	[ "$st" = "${x:-NONE}" ] || mism="$mism $sport:$st/${x:-NONE}"
	n=$((n + 1))
done < <(awk '{
	st=$4; sp=""; dp="";
	for (i = 5; i <= NF; i++) { if ($i ~ /^sport=/ && sp == "") sp=substr($i,7); if ($i ~ /^dport=/ && dp == "") dp=substr($i,7) }
	print st, sp, dp }' <<<"$cts")
compared=$((compared + n))
if [ -z "$mism" ] && [ $n -gt $N ]; then ok "ct_every_flow_compared # $n flows now, $compared comparisons in all"; else
	fail ct_every_flow_compared "$n flows; differ:$mism"; fi

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# hardening.sh - the hook belongs to the operator, restarts lose nothing, a
# full table degrades as documented, and xdpct keeps no privilege it does not
# need.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="hook_foreign_tc_kept hook_foreign_tc_runs hook_their_clsact_kept hook_attach_twice_changes_nothing
hook_same_ifindex_other_netns_kept restart_sigkill_run_cleanup restart_stale_pins_warned restart_sigkill_detach_cleanup restart_run_pins_replaced_kept restart_persistent_no_process
restart_detach_deleted_iface full_evictions_counted full_newest_listed full_established_only_after_halfopen
full_no_crash priv_pins_0600 priv_nonroot_show priv_nonroot_stats priv_run_drops_caps"
need_root $TESTS || exit 0
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }

PASS_OBJ=$(dirname "$XDPCT")/.output/xdp_pass.bpf.o
PORT=8080
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
wait_listen $PORT
pins() { ls /sys/fs/bpf/xdpct/$IF_S 2>/dev/null | wc -l; }
their_tc() { tc -n "$NS_S" filter show dev "$IF_S" egress | grep -c "tc_other"; }
has_clsact() { tc -n "$NS_S" qdisc show dev "$IF_S" | grep -c clsact; }
xdp_name() { ip -n "$NS_S" link show "$IF_S" | sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p'; }

# --- someone else's TC filter on the same clsact hook ------------------------
tc -n "$NS_S" qdisc add dev "$IF_S" clsact
tc -n "$NS_S" filter add dev "$IF_S" egress prio 100 bpf da obj "$PASS_OBJ" sec tc
in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 10 --sport 45001 >/dev/null
n_egress=$(stats_json | jq .tc.tcp)
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
if [ "$(their_tc)" -eq 1 ] && [ "$(our_tc)" -eq 0 ]; then ok hook_foreign_tc_kept; else
	fail hook_foreign_tc_kept "theirs $(their_tc), ours $(our_tc)"; fi
# ours ran first and let theirs run too (TC_ACT_UNSPEC): egress packets seen
if [ "${n_egress:-0}" -gt 0 ]; then ok "hook_foreign_tc_runs # $n_egress egress segments seen"; else
	fail hook_foreign_tc_runs "no egress segment tracked"; fi
expect_eq hook_their_clsact_kept 1 "$(has_clsact)"
tc -n "$NS_S" qdisc del dev "$IF_S" clsact

# --- an interface of the same index in another namespace is never touched -------
# ifindexes are per namespace, link ids are global: --force and detach must not
# remove an XDP link that sits on another namespace's interface of our index.
NS_X=xct-x-$LAB_ID
IF_X=xcx$LAB_ID
LAB_EXTRA_NS=$NS_X
LAB_EXTRA_PINS=$IF_X
idx=$(ip -n "$NS_S" -j link show "$IF_S" | jq '.[0].ifindex')
ip netns add "$NS_X"
ip -n "$NS_X" link add "$IF_X" index "$idx" type veth peer name "xcy$LAB_ID" index $((idx + 300))
ip -n "$NS_X" link set "$IF_X" up
ip -n "$NS_X" link set "xcy$LAB_ID" up
nsenter --net=/run/netns/$NS_X "$XDPCT" attach "$IF_X" >/dev/null 2>&1
x_name() { ip -n "$NS_X" link show "$IF_X" 2>/dev/null | sed -n 's/.*prog\/xdp id [0-9]* name \([^ ]*\).*/\1/p'; }
x_before=$(x_name)
ip -n "$NS_S" link set dev "$IF_S" xdpgeneric obj "$PASS_OBJ" sec xdp 2>/dev/null
out=$(in_s "$XDPCT" attach "$IF_S" --force 2>&1)
rc=$?
s_forced=$(xdp_name)
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
got="idx=$(ip -n "$NS_X" -j link show "$IF_X" | jq '.[0].ifindex') rc=$rc here=$s_forced,$(xdp_name) there=$x_before,$(x_name)"
expect_eq hook_same_ifindex_other_netns_kept "idx=$idx rc=0 here=xdpct_xdp, there=xdpct_xdp,xdpct_xdp" "$got"
nsenter --net=/run/netns/$NS_X "$XDPCT" detach "$IF_X" >/dev/null 2>&1
ip netns del "$NS_X"

# --- attaching twice says so and changes nothing ------------------------------
in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1
snap() { echo "$(xdp_name) $(ip -n "$NS_S" link show "$IF_S" | grep -o 'prog/xdp id [0-9]*') $(bpftool link show -j | jq -c '[.[] | select(.type == 11) | .id]') $(stat -c %i /sys/fs/bpf/xdpct/$IF_S/flows)"; }
before=$(snap)
out=$(in_s "$XDPCT" attach "$IF_S" 2>&1)
rc=$?
after=$(snap)
if [ $rc -eq 1 ] && [ "$before" = "$after" ] && [ "$(wc -l <<<"$out")" -eq 1 ]; then
	ok hook_attach_twice_changes_nothing; else fail hook_attach_twice_changes_nothing "rc=$rc $out | $before | $after"; fi

# --- persistent mode: tracking goes on with no process; a new process sees it ----
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 100 200 --hold 30 --sport 45002 >/dev/null
sleep 1
pgrep -x xdpct >/dev/null && running=yes || running=no
got=$(show_json | jq -r 'select(.orig_port == 45002) | "\(.state) \(.orig_bytes) \(.resp_bytes)"')
expect_eq restart_persistent_no_process "no|ESTABLISHED 164 200" "$running|$got"
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1

# --- a run killed with SIGKILL: the next run, or detach, cleans up ---------------
bg_s "$XDPCT" run "$IF_S" --interval 3600 >/dev/null 2>&1
wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta
kill -KILL $BG_PID
wait $BG_PID 2>/dev/null
# the links went with the process; the pins stay until someone cleans up
left="$(our_tc) $(pins)"
# and show says it is looking at a dead picture
said=$(in_s "$XDPCT" show "$IF_S" 2>&1 >/dev/null)
if grep -q "not tracking: the xdpct run that attached it (pid $BG_PID) is gone" <<<"$said"; then
	ok restart_stale_pins_warned; else fail restart_stale_pins_warned "said: $said"; fi
out=$(in_s timeout 10 "$XDPCT" run "$IF_S" --interval 3600 2>&1 & sleep 3; pkill -INT -f "xdpct run $IF_S"; wait)
if [ "${left%% *}" -eq 0 ] && [ "${left##* }" -gt 0 ] && grep -q "cleaning up after an earlier run" <<<"$out" &&
	grep -q "tracking" <<<"$out" && [ "$(our_tc)" -eq 0 ] && [ "$(pins)" -eq 0 ]; then
	ok restart_sigkill_run_cleanup
else
	fail restart_sigkill_run_cleanup "left '$left'; said: $(tr '\n' '|' <<<"$out")"
fi
bg_s "$XDPCT" run "$IF_S" --interval 3600 >/dev/null 2>&1
wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta
kill -KILL $BG_PID
wait $BG_PID 2>/dev/null
out=$(in_s "$XDPCT" detach "$IF_S" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(our_tc)" -eq 0 ] && [ "$(pins)" -eq 0 ] && [ -z "$(xdp_name)" ]; then
	ok restart_sigkill_detach_cleanup; else fail restart_sigkill_detach_cleanup "rc=$rc $out"; fi

# --- a run whose pins someone removed and re-made by attach: its exit leaves
# the new attachment alone (its own link is the one attach replaced)
bg_s "$XDPCT" run "$IF_S" --interval 3600 >/dev/null 2>&1
run_pid=$BG_PID
wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta
rm -rf /sys/fs/bpf/xdpct/$IF_S
out=$(in_s "$XDPCT" attach "$IF_S" 2>&1)
rc=$?
new_id=$(ip -n "$NS_S" link show "$IF_S" | grep -o 'prog/xdp id [0-9]*')
kill -INT $run_pid
wait $run_pid 2>/dev/null
got="rc=$rc $(grep -c "removing a stale xdpct XDP program" <<<"$out") $([ -e /sys/fs/bpf/xdpct/$IF_S/meta ] && echo pinned) $(xdp_name) $([ "$new_id" = "$(ip -n "$NS_S" link show "$IF_S" | grep -o 'prog/xdp id [0-9]*')" ] && echo same)"
expect_eq restart_run_pins_replaced_kept "rc=0 1 pinned xdpct_xdp same" "$got"
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1

# --- detach after the interface was deleted ---------------------------------------
ip -n "$NS_S" link add xctdel$LAB_ID type veth peer name xctdep$LAB_ID
ip -n "$NS_S" link set xctdel$LAB_ID up
ip -n "$NS_S" link set xctdep$LAB_ID up
in_s "$XDPCT" attach xctdel$LAB_ID >/dev/null 2>&1
ip -n "$NS_S" link del xctdel$LAB_ID
out=$(in_s "$XDPCT" detach xctdel$LAB_ID 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ ! -e /sys/fs/bpf/xdpct/xctdel$LAB_ID ]; then ok restart_detach_deleted_iface; else
	fail restart_detach_deleted_iface "rc=$rc $out"; rm -rf /sys/fs/bpf/xdpct/xctdel$LAB_ID; fi

# --- a full table: 1000 entries, a half-open flood, then 5000 real connections ---
in_s "$XDPCT" attach "$IF_S" --max-flows 1000 --max-halfopen 1000 >/dev/null 2>&1
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT many 300 1 1 --hold 60 --sport 46000 >/dev/null
keep_pid=$BG_PID
n_kept() { show_json | jq -r 'select(.orig_port >= 46000 and .orig_port < 46300 and .state == "ESTABLISHED") | .orig_port' | wc -l; }
wait_eq 10 300 n_kept
mac=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
in_c "$(dirname "$XDPCT")/.output/tests/gen" syn "$IF_C" "$mac" $IP_S $PORT 5000 20000 >/dev/null
e1=$(stats_json | jq -c '[.flows_evicted_established, .flows_evicted_halfopen]')
kept=$(n_kept)
if [ "$e1" = "[0,$(stats_json | jq .flows_evicted_halfopen)]" ] && [ "$(stats_json | jq .flows_evicted_halfopen)" -gt 3000 ] &&
	[ "$kept" -eq 300 ]; then
	ok "full_established_only_after_halfopen # evictions [established, half-open] = $e1"
else
	fail full_established_only_after_halfopen "evictions $e1, $kept of 300 kept"
fi
# at a rate the server (a Python thread per connection) keeps up with: a server
# thousands of connections behind sends its FINs after the client is done, and
# those late FINs, not the client's last connections, are then the newest activity
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT crowd 5000 --rate 800 --sport 50000 >/dev/null
server_done() { [ "$(in_s ss -Htan state close-wait "sport = :$PORT" | wc -l)" -eq 0 ]; }
wait_for 10 server_done
sleep 0.5
st=$(stats_json)
ev=$(jq .flows_evicted_established <<<"$st")
created=$(jq .flows_created <<<"$st")
if [ "$ev" -ge 4000 ]; then ok "full_evictions_counted # $ev established evicted of $created flows created"; else
	fail full_evictions_counted "established evicted $ev, $(jq -c '{flows_live, half_open, flows_promoted}' <<<"$st")"; fi
# the newest connections are there: the crowd's last 100 (client ports 54900..54999)
# each with its own record from its SYN on: no connection was picked up mid-way
newest=$(show_json | jq -r 'select(.orig_port >= 54900 and .orig_port < 55000 and
	.orig_addr == "'$IP_C'" and (.history | startswith("S"))) | .orig_port' | sort -u | wc -l)
promoted=$(jq .flows_promoted <<<"$st")
if [ "$newest" -eq 100 ] && [ "$promoted" -eq 5300 ]; then
	ok "full_newest_listed # the last 100 of 5000 all listed; 5300 handshakes, 5300 promoted"; else
	fail full_newest_listed "$newest of the last 100 listed, $promoted of 5300 handshakes promoted"; fi
if in_s "$XDPCT" stats "$IF_S" >/dev/null 2>&1 && in_s "$XDPCT" show "$IF_S" >/dev/null 2>&1; then
	ok full_no_crash; else fail full_no_crash "show or stats failed"; fi
kill $keep_pid 2>/dev/null

# --- least privilege ------------------------------------------------------------
modes=$(stat -c %a /sys/fs/bpf/xdpct/$IF_S/* | sort -u | tr '\n' ' ')
expect_eq priv_pins_0600 "600 " "$modes"
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
out=$(nobody "$XDPCT" show "$IF_S" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "needs root" <<<"$out"; then
	ok priv_nonroot_show; else fail priv_nonroot_show "rc=$rc: $out"; fi
out=$(nobody "$XDPCT" stats 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "needs root" <<<"$out"; then
	ok priv_nonroot_stats; else fail priv_nonroot_stats "rc=$rc: $out"; fi
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1

bg_s "$XDPCT" run "$IF_S" --interval 1 >/dev/null 2>&1
wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta
sleep 0.5
capeff=$(awk '/^CapEff/ {print $2}' /proc/$BG_PID/status)
capbnd=$(awk '/^CapBnd/ {print $2}' /proc/$BG_PID/status)
nnp=$(awk '/^NoNewPrivs/ {print $2}' /proc/$BG_PID/status)
kill -INT $BG_PID
wait $BG_PID
rc=$?
# CAP_NET_ADMIN (12) and CAP_BPF (39) only
if [ "$capeff" = 0000008000001000 ] && [ "$capbnd" = 0000008000001000 ] && [ "$nnp" = 1 ] &&
	[ $rc -eq 0 ] && [ "$(pins)" -eq 0 ] && [ "$(our_tc)" -eq 0 ]; then
	ok priv_run_drops_caps
else
	fail priv_run_drops_caps "CapEff $capeff CapBnd $capbnd NoNewPrivs $nnp; exit $rc, pins $(pins), tc $(our_tc)"
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# core.sh - xdpct on a real veth link: connections made by the kernel's own
# stack, IPv4 and IPv6, states during and after, exact byte counts, a bulk
# transfer both ways at once, bpftool, attach/detach and run's clean exit.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="core_attach core_bpftool_names core_v4_established core_v4_originator
core_v4_bytes core_v4_time_wait core_v6_established core_v6_bytes core_v6_time_wait
core_server_close core_time_wait_reuse core_refused_close core_bulk_bytes core_bulk_two_cpus
core_timeout_expires core_attach_twice core_no_such_iface core_foreign_xdp_refused
core_foreign_xdp_force core_detach_clean core_run_sigint_detaches core_run_sigterm_detaches"
need_root $TESTS || exit 0
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }

HDR=64		# tcpeer's header, part of the originator's payload
PORT=8080
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP6_S $PORT >/dev/null
wait_listen $PORT 2

# the one flow whose originator port is $1 (and responder port $2)
flow() { show_json | jq -c "select(.orig_port == $1 and .resp_port == $2)" | tail -1; }
field() { flow "$1" "$2" | jq -r ".$3"; }
flow_sb() { flow "$1" $PORT | jq -r '"\(.state) \(.orig_bytes) \(.resp_bytes)"'; }

out=$(in_s "$XDPCT" attach "$IF_S" --timeout CLOSE=30 2>&1)
check core_attach test -e /sys/fs/bpf/xdpct/$IF_S/flows

# --- IPv4: a connection held open, then closed by the client ---------------
cport=40010
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 1000 3000 --hold 3 --sport $cport >/dev/null
wait_eq 5 3000 field $cport $PORT resp_bytes
expect_eq core_v4_established ESTABLISHED "$(field "$cport" $PORT state)"
expect_eq core_v4_originator "$IP_C $IP_S" "$(flow "$cport" $PORT | jq -r '"\(.orig_addr) \(.resp_addr)"')"
expect_eq core_v4_bytes "$((HDR + 1000)) 3000" "$(flow "$cport" $PORT | jq -r '"\(.orig_bytes) \(.resp_bytes)"')"
out=$(bpftool map dump pinned /sys/fs/bpf/xdpct/$IF_S/flows 2>&1)
if grep -q '"isn"' <<<"$out" && grep -q '"pkts"' <<<"$out" && grep -q '"history"' <<<"$out"; then
	ok core_bpftool_names
else
	fail core_bpftool_names "bpftool map dump shows no field names"
fi
wait_eq 8 TIME_WAIT field $cport $PORT state
expect_eq core_v4_time_wait "TIME_WAIT SF" "$(flow "$cport" $PORT | jq -r '"\(.state) \(.conn_state)"')"

# --- IPv6 -----------------------------------------------------------------
c6=40011
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP6_S $PORT send 777 5555 --hold 2 --sport $c6 >/dev/null
wait_eq 5 5555 field $c6 $PORT resp_bytes
expect_eq core_v6_established "ESTABLISHED $IP6_C $IP6_S" \
	"$(flow "$c6" $PORT | jq -r '"\(.state) \(.orig_addr) \(.resp_addr)"')"
expect_eq core_v6_bytes "$((HDR + 777)) 5555" "$(flow "$c6" $PORT | jq -r '"\(.orig_bytes) \(.resp_bytes)"')"
wait_eq 8 TIME_WAIT field $c6 $PORT state
expect_eq core_v6_time_wait TIME_WAIT "$(field "$c6" $PORT state)"

# --- the server closes first: it ends in TIME_WAIT too ---------------------
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --close server --sport 40001 >/dev/null
wait_eq 5 TIME_WAIT field 40001 $PORT state
expect_eq core_server_close "TIME_WAIT 74 20" \
	"$(flow 40001 $PORT | jq -r '"\(.state) \(.orig_bytes) \(.resp_bytes)"')"

# --- the client reconnects from that port while the server is in TIME_WAIT:
# tcp_timewait_state_process takes its SYN (newer timestamp, seq after the
# old end) as a new connection, and the record restarts in place (fl_reuse):
# one record with the new connection's bytes, a reopen, no SYN-cache record
s0=$(stats_json | jq -c '[.flows_reopened, .flows_created]')
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 30 40 --close server --sport 40001 >/dev/null
wait_eq 5 "TIME_WAIT $((HDR + 30)) 40" flow_sb 40001
s1=$(stats_json | jq -c '[.flows_reopened, .flows_created]')
got="$(show_json | jq -c 'select(.orig_port == 40001)' | wc -l) $(flow_sb 40001) $(field 40001 $PORT history)"
got+=" $(jq -n --argjson a "$s0" --argjson b "$s1" '[$b[0] - $a[0], $b[1] - $a[1]] | join(",")' -r)"
expect_eq core_time_wait_reuse "1 TIME_WAIT $((HDR + 30)) 40 ShADadfF 1,0" "$got"

# --- refused: SYN answered by RST ------------------------------------------
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 9 refused >/dev/null
refused_state() { show_json | jq -r 'select(.resp_port == 9) | .state'; }
wait_eq 3 CLOSE refused_state
expect_eq core_refused_close "CLOSE REJ Sr $IP_C" \
	"$(show_json | jq -r 'select(.resp_port == 9) | "\(.state) \(.conn_state) \(.history) \(.orig_addr)"')"

# --- bulk: 200 MB each way at once, client and server on different CPUs ----
BULK=$((200 * 1000 * 1000))
ncpu=$(nproc)
before=$(stats_json | jq '[.xdp.tcp, .tc.tcp]')
if [ "$ncpu" -ge 2 ]; then
	pin_c="taskset -c 0"
	pin_s="taskset -c 1"
else
	pin_c=""
	pin_s=""
fi
bg_s $pin_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S 8090 >/dev/null
wait_listen 8090
res=$(in_c $pin_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 8090 bulk $BULK)
bulk_state() { show_json | jq -r "select(.resp_port == 8090 and .orig_bytes > 1000) | .state"; }
wait_eq 5 TIME_WAIT bulk_state
got=$(show_json | jq -r "select(.resp_port == 8090 and .orig_bytes > 1000) | \"\(.orig_bytes) \(.resp_bytes) \(.state)\"")
expect_eq core_bulk_bytes "$((HDR + BULK)) $BULK TIME_WAIT" "$got"
# ingress ran in the client CPU's NAPI, egress on the server's CPU
# which CPUs each hook ran on (per-CPU counters, key 0 XDP, key 1 TC)
cpus() { bpftool map dump pinned /sys/fs/bpf/xdpct/$IF_S/stats -j 2>/dev/null |
	jq -r ".[] | select(.formatted.key == $1) | .formatted.values[] | select(.value.tcp > 1000) | .cpu" | tr '\n' ' '; }
xdp_cpus=$(cpus 0)
tc_cpus=$(cpus 1)
apart=no
for a in $xdp_cpus; do for b in $tc_cpus; do [ "$a" != "$b" ] && apart=yes; done; done
if [ "$ncpu" -lt 2 ]; then
	skip core_bulk_two_cpus "one CPU"
elif [ $apart = yes ] && [ "$res" = done ]; then
	ok "core_bulk_two_cpus # XDP on CPU $xdp_cpus, TC on CPU $tc_cpus"
else
	fail core_bulk_two_cpus "XDP on CPU $xdp_cpus, TC on CPU $tc_cpus; client said $res"
fi

# --- expiry: an idle flow past its timeout is gone; its next packet starts anew
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
in_s "$XDPCT" attach "$IF_S" --timeout ESTABLISHED=2 >/dev/null 2>&1
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 1 1 --hold 6 --sport 40002 >/dev/null
wait_eq 3 ESTABLISHED field 40002 $PORT state
sleep 3
listed=$(show_json | jq -r 'select(.orig_port == 40002) | .state')
wait_eq 8 TIME_WAIT field 40002 $PORT state
after=$(flow 40002 $PORT | jq -r '"\(.state) \(.anomalies | index("MIDSTREAM") != null)"')
expect_eq core_timeout_expires "|TIME_WAIT true" "$listed|$after"

# --- errors ---------------------------------------------------------------
out=$(in_s "$XDPCT" attach "$IF_S" 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "already attached" <<<"$out"; then ok core_attach_twice; else
	fail core_attach_twice "rc=$rc: $out"; fi
out=$("$XDPCT" attach nosuch0 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "no such interface" <<<"$out"; then
	ok core_no_such_iface; else fail core_no_such_iface "rc=$rc: $out"; fi

in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
ip -n "$NS_S" link set dev "$IF_S" xdpgeneric obj "$(dirname "$XDPCT")/.output/xdp_pass.bpf.o" sec xdp 2>/dev/null
out=$(in_s "$XDPCT" attach "$IF_S" 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "name 'xdp_pass'" <<<"$out" && grep -q -- "--force" <<<"$out" &&
	ip -n "$NS_S" link show "$IF_S" | grep -q "name xdp_pass"; then
	ok core_foreign_xdp_refused
else
	fail core_foreign_xdp_refused "rc=$rc: $out"
fi
out=$(in_s "$XDPCT" attach "$IF_S" --force 2>&1)
rc=$?
if [ $rc -eq 0 ] && ip -n "$NS_S" link show "$IF_S" | grep -q "name xdpct_xdp"; then
	ok core_foreign_xdp_force; else fail core_foreign_xdp_force "rc=$rc: $out"; fi

in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
xdp=$(ip -n "$NS_S" link show "$IF_S" | grep -c "prog/xdp")
tcf=$(our_tc)
if [ "$xdp" -eq 0 ] && [ "$tcf" -eq 0 ] && [ ! -e /sys/fs/bpf/xdpct/$IF_S ]; then
	ok core_detach_clean; else fail core_detach_clean "xdp=$xdp tc=$tcf pins=$(ls /sys/fs/bpf/xdpct/$IF_S 2>&1 | wc -l)"; fi

# --- run: stops on SIGINT/SIGTERM and removes everything ---------------------
for sig in INT TERM; do
	name=core_run_sig$(tr 'A-Z' 'a-z' <<<"$sig")_detaches
	bg_s "$XDPCT" run "$IF_S" --interval 1 >/dev/null 2>&1
	pid=$BG_PID
	wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta
	kill -$sig $pid
	wait $pid
	rc=$?
	xdp=$(ip -n "$NS_S" link show "$IF_S" | grep -c "prog/xdp")
	tcf=$(our_tc)
	if [ $rc -eq 0 ] && [ "$xdp" -eq 0 ] && [ "$tcf" -eq 0 ] && [ ! -e /sys/fs/bpf/xdpct/$IF_S ]; then
		ok $name; else fail $name "rc=$rc xdp=$xdp tc=$tcf"; fi
done

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# detector.sh - the SYN-flood detector cannot be blinded, and sees a flood
# spread over ports; ISN verdicts take one ISN per 4-tuple. A veth lab,
# every burst bounded by count and time:
#  - a scan of 8000 victims (2000 ports on each of 4 addresses of the lab's
#    /24, 600 SYN/s each: no flood), then 100,000 spoofed SYNs at 50,000/s
#    to one port: syn_flood_start naming it, stats says flood;
#  - 20,000 SYNs from one host to 20,000 ports of the server: one alert,
#    for the host ("ADDR:*"), no per-port alert;
#  - 20 connections from one reused source port: no ISN verdict on either
#    host (RFC 6528: ISNs grow with time within one 4-tuple); then 20 from
#    different ports: 16 tuples in the ring, random;
#  - with no detector running, stats' own sample names the host of a flood
#    over ports.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="scan_raises_no_alert scan_then_flood_alerts scan_then_flood_in_stats flood_over_ports_names_host
flood_over_ports_in_stats flood_over_ports_no_port_alert reused_4tuple_no_isn_verdict
distinct_4tuples_random_isns stats_sample_names_host"
need_root $TESTS || exit 0
if ! command -v hping3 >/dev/null; then
	for t in $TESTS; do skip "$t" "hping3 is not installed (tests/deps.sh)"; done
	exit 0
fi
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }

GEN=$(dirname "$XDPCT")/.output/tests/gen
PORT=8080
OUT=$(mktemp)
trap 'rm -f "$OUT"; lab_cleanup' EXIT

bg_s "$XDPCT" run "$IF_S" --json --interval 3600 >"$OUT" 2>/dev/null
RUN_PID=$BG_PID
wait_for 10 test -e /sys/fs/bpf/xdpct/$IF_S/meta
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
wait_listen $PORT
mac=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
starts() { jq -c 'select(.event == "syn_flood_start")' "$OUT"; }
n_starts() { starts | wc -l; }
flood_victim() { stats_json | jq -r 'select(.flood_state == "flood") | .victim'; }

# --- the scan: 4 addresses of the lab, the server's MAC, nobody answers ------
SCAN_HOSTS="198.18.0.20 198.18.0.21 198.18.0.22 198.18.0.23"
for a in $SCAN_HOSTS; do ip -n "$NS_C" neigh replace $a lladdr "$mac" dev "$IF_C"; done
syn0=$(stats_json | jq .syn_pkts)
t0=$(date +%s.%N)
pids=""
for a in $SCAN_HOSTS; do
	in_c timeout 30 hping3 -q -S -p ++10000 -c 2000 -i u1666 $a >/dev/null 2>&1 &
	pids="$pids $!"
done
wait $pids
t1=$(date +%s.%N)
sleep 0.5
scanned=$(($(stats_json | jq .syn_pkts) - syn0))
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
if [ "$(n_starts)" -eq 0 ] && [ "$scanned" -ge 7500 ]; then
	ok "scan_raises_no_alert # $scanned SYNs to 8000 victims in ${secs}s"
else
	fail scan_raises_no_alert "alerts $(n_starts), SYNs $scanned in ${secs}s"
fi

# --- a real flood after the scan --------------------------------------------
t_start=$(date +%s.%N)
in_c "$GEN" syn "$IF_C" "$mac" $IP_S $PORT 100000 50000 >/dev/null &
gen_pid=$!
has_start() { starts | grep -q .; }
wait_for 3 has_start
mid=$(flood_victim)
wait $gen_pid
start=$(starts | head -1)
if [ "$(jq -r .victim <<<"$start")" = "$IP_S:$PORT" ]; then
	delay=$(jq -r --argjson t0 "$t_start" '.ts - $t0' <<<"$start")
	ok "scan_then_flood_alerts # after ${delay}s: $(jq -c '{victim, syn_rate, completion}' <<<"$start")"
else
	fail scan_then_flood_alerts "want a syn_flood_start for $IP_S:$PORT, got '$start'"
fi
expect_eq scan_then_flood_in_stats "$IP_S:$PORT" "$mid"
ends() { [ "$(jq -c 'select(.event == "syn_flood_end")' "$OUT" | wc -l)" -ge 1 ]; }
wait_for 8 ends

# --- a flood over 20,000 ports of the server, from one host -----------------
a0=$(n_starts)
in_c timeout 30 hping3 -q -S -p ++20000 -c 20000 -i u10 $IP_S >/dev/null 2>&1 &
hp_pid=$!
host_alert() { starts | tail -n +$((a0 + 1)) | grep -q .; }
wait_for 10 host_alert
mid=$(flood_victim)
wait $hp_pid
sleep 0.5
new=$(starts | tail -n +$((a0 + 1)))
first=$(head -1 <<<"$new")
if [ "$(jq -r .victim <<<"$first")" = "$IP_S:*" ]; then
	ok "flood_over_ports_names_host # $(jq -c '{victim, ports, syn_rate, completion}' <<<"$first")"
else
	fail flood_over_ports_names_host "want a syn_flood_start for $IP_S:*, got '$new'"
fi
expect_eq flood_over_ports_in_stats "$IP_S:*" "$mid"
expect_eq flood_over_ports_no_port_alert "$IP_S:*" "$(jq -r .victim <<<"$new" | sort -u | xargs)"

# --- 20 connections from one reused source port -----------------------------
# the server closes first, so its TIME_WAIT takes the next SYN (tcp_timewait_state_process)
for i in $(seq 20); do
	in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 10 --close server --sport 41000 >/dev/null 2>&1
done
sleep 0.3
hosts=$(in_s "$XDPCT" show "$IF_S" --hosts --json 2>/dev/null)
verdicts=$(jq -r --arg c $IP_C --arg s $IP_S 'select(.host == $c or .host == $s) |
	"\(.host)=\(.verdict)"' <<<"$hosts" | sort | xargs)
seen=$(jq -r --arg c $IP_C 'select(.host == $c) | .isns_seen' <<<"$hosts")
if [ "$verdicts" = "$IP_C=unknown $IP_S=unknown" ] && [ "${seen:-0}" -ge 20 ]; then
	ok "reused_4tuple_no_isn_verdict # $seen ISNs from $IP_C, one 4-tuple: $verdicts"
else
	fail reused_4tuple_no_isn_verdict "verdicts '$verdicts', client ISNs ${seen:-0}: $(jq -c --arg c $IP_C 'select(.host == $c)' <<<"$hosts")"
fi

# --- and 20 from different source ports: 16 tuples in the ring, random ------
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT crowd 20 >/dev/null 2>&1
sleep 0.3
got=$(in_s "$XDPCT" show "$IF_S" --hosts --json 2>/dev/null | jq -r --arg c $IP_C --arg s $IP_S \
	'select(.host == $c or .host == $s) | "\(.host)=\(.verdict)/\(.last_isns | length)"' | sort | xargs)
expect_eq distinct_4tuples_random_isns "$IP_C=random/16 $IP_S=random/16" "$got"

# --- no detector: stats samples the counters itself, hosts included ---------
kill $RUN_PID 2>/dev/null; wait $RUN_PID 2>/dev/null
in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1
in_c timeout 30 hping3 -q -S -p ++30000 -c 20000 -i u10 $IP_S >/dev/null 2>&1 &
hp_pid=$!
sampled() { stats_json | jq -r '"\(.flood_state) \(.flood_basis) \(.victim) \(.syn_rate)"'; }
last=""
for i in 1 2 3 4 5 6; do
	last=$(sampled)
	[ "${last% *}" = "flood sample $IP_S:*" ] && break
	sleep 0.5
done
wait $hp_pid
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
if [ "${last% *}" = "flood sample $IP_S:*" ]; then
	ok "stats_sample_names_host # ${last##* } SYN/s"
else
	fail stats_sample_names_host "want 'flood sample $IP_S:*', got '$last'"
fi

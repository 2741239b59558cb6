#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# cli.sh - the operator's command line on a veth lab: the filters, --sort,
# --limit and show --count on real connections (show, events, run), and
# 'xdpct top' driven in tmux (it shows the lab's ESTABLISHED flow, quits on
# 'q' and gives the terminal back as it was) and without a terminal (plain
# pictures, rates of a flow that sends 20 kB/s).
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="cli_lab_flows cli_show_state cli_show_src cli_show_dst6 cli_show_sport cli_show_dport
cli_show_family cli_show_anomaly cli_show_and cli_show_sort_bytes cli_show_sort_age cli_show_limit
cli_show_count cli_show_count_filtered cli_show_count_json cli_events_filtered cli_events_limit
cli_top_tmux_shows cli_top_tmux_header cli_top_tmux_quits cli_top_tmux_restored
cli_top_plain cli_top_plain_rate cli_top_sort_limit cli_top_detached cli_run_filtered"
need_root $TESTS || exit 0
if ! command -v tmux >/dev/null; then
	for t in $TESTS; do skip "$t" "tmux is not installed (tests/deps.sh installs it)"; done
	exit 0
fi
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }
TMP=$(mktemp -d /tmp/xdpct-cli.XXXXXX)
TMUX_SOCK=xdpct-cli-$LAB_ID
cleanup() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	lab_cleanup
	rm -rf "$TMP"
}
trap cleanup EXIT

# A command started with & in a script ignores SIGINT until it installs its
# own handler: wait until a background verb says it runs (its handlers are in
# place by then) before signalling it, and never wait for it unbounded.
# ready FILE PATTERN
ready() { wait_for 30 grep -q -- "$2" "$1"; }
# stop_bg PID NAME: SIGINT; after 10 s, SIGKILL and a failure of NAME
stop_bg() {
	local i
	kill -INT "$1" 2>/dev/null
	for ((i = 0; i < 100; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		fail "$2" "did not stop on SIGINT"
	fi
	wait "$1" 2>/dev/null
}

PORT=8080
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP6_S $PORT >/dev/null
# a sink for the streaming flow
bg_s $PY -c "import socket
l = socket.create_server(('$IP_S', 8081)); c, _ = l.accept()
while c.recv(65536): pass"
wait_listen $PORT 2
wait_listen 8081

in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1
bg_s "$XDPCT" events "$IF_S" --json --state ESTABLISHED --dport $PORT >"$TMP/events" 2>"$TMP/events.err"
EV_PID=$BG_PID
ready "$TMP/events.err" "streaming events" || fail cli_events_filtered "events did not start: $(cat "$TMP/events.err")"

# 41001 held open (ESTABLISHED), 41002 and [v6] 41003 closed (TIME_WAIT),
# one refused (CLOSE, port 9), 41004 sending 1000 bytes every 50 ms to 8081
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 100 200 --hold 60 --sport 41001 >/dev/null
wait_for 5 test "$(show_json | jq -c 'select(.orig_port == 41001 and .state == "ESTABLISHED")')" != ""
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 3000 1000 --sport 41002 >/dev/null
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP6_S $PORT send 500 500 --sport 41003 >/dev/null
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 9 refused >/dev/null
bg_c $PY -c "import socket, time
s = socket.create_connection(('$IP_S', 8081), source_address=('$IP_C', 41004))
for i in range(1200): s.sendall(b'x' * 1000); time.sleep(0.05)"
STREAM_PID=$BG_PID
sleep 1.5

# ports ARGS: originator ports show prints with ARGS, in its order
ports() {
	local out rc
	out=$(in_s "$XDPCT" show "$IF_S" --json "$@" 2>/dev/null)
	rc=$?
	[ $rc -eq 0 ] || { echo "exit $rc"; return; }
	jq -r .orig_port <<<"$out" | tr '\n' ' ' | sed 's/ $//'
}
REFUSED=$(show_json | jq -r 'select(.resp_port == 9) | .orig_port')
expect_eq cli_lab_flows "41001 41002 41003 $REFUSED 41004" "$(ports)"
expect_eq cli_show_state "41001 41004" "$(ports --state ESTABLISHED)"
expect_eq cli_show_src "41001 41002 $REFUSED 41004" "$(ports --src 198.18.0.0/24)"
expect_eq cli_show_dst6 "41003" "$(ports --dst fc00::2)"
expect_eq cli_show_sport "41002" "$(ports --sport 41002)"
expect_eq cli_show_dport "$REFUSED" "$(ports --dport 9)"
expect_eq cli_show_family "41003" "$(ports --family ipv6)"
expect_eq cli_show_anomaly "" "$(ports --anomaly any)"
expect_eq cli_show_and "41002" "$(ports --state TIME_WAIT --family ipv4 --dst $IP_S/32)"
expect_eq cli_show_sort_bytes "41004 41002" "$(ports --sort bytes --limit 2)"
expect_eq cli_show_sort_age "41004 $REFUSED 41003 41002 41001" "$(ports --sort age)"
expect_eq cli_show_limit "41001 41002 41003" "$(ports --limit 3)"
expect_eq cli_show_count 5 "$(in_s "$XDPCT" show "$IF_S" --count 2>&1)"
expect_eq cli_show_count_filtered 2 "$(in_s "$XDPCT" show "$IF_S" --count --state TIME_WAIT 2>&1)"
expect_eq cli_show_count_json '{"count":2}' "$(in_s "$XDPCT" show "$IF_S" --count --json --state ESTABLISHED)"

# events: only ESTABLISHED to port 8080 (the v4 and v6 ones), nothing else
stop_bg $EV_PID cli_events_filtered
got=$(jq -r '"\(.state)/\(.resp_port)/\(.orig_port)"' "$TMP/events" | sort -u | tr '\n' ' ')
expect_eq cli_events_filtered "ESTABLISHED/8080/41001 ESTABLISHED/8080/41002 ESTABLISHED/8080/41003 " "$got"
# --limit 2: two events, then it stops by itself
bg_s timeout 40 "$XDPCT" events "$IF_S" --json --sport 41005 --limit 2 >"$TMP/events2" 2>"$TMP/events2.err"
EV_PID=$BG_PID
ready "$TMP/events2.err" "streaming events"
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 10 --sport 41005 >/dev/null
wait $EV_PID; rc=$?
expect_eq cli_events_limit "0 2 41005" "$rc $(grep -c '' "$TMP/events2") $(jq -r .orig_port "$TMP/events2" | sort -u)"

# --- top in tmux: a terminal of 200x40 running a bare bash ------------------
tm() { tmux -L "$TMUX_SOCK" "$@"; }
screen() { tm capture-pane -p -t top; }
on_screen() { screen | grep -q -- "$1"; }
tm new-session -d -s top -x 200 -y 40 "env -i PATH=$PATH TERM=screen bash --norc --noprofile"
tm send-keys -t top "stty -g >$TMP/stty.before; nsenter --net=/run/netns/$NS_S $XDPCT top $IF_S --state ESTABLISHED; echo TOP_EXIT=\$?; stty -g >$TMP/stty.after" Enter
if wait_for 8 on_screen "$IP_C:41001 "; then
	row=$(screen | grep -- "$IP_C:41001 ")
	if grep -q "$IP_S:$PORT  *ESTABLISHED" <<<"$row"; then ok cli_top_tmux_shows
	else fail cli_top_tmux_shows "row: $row"; fi
else
	fail cli_top_tmux_shows "no row for $IP_C:41001: $(screen | head -8)"
fi
head=$(screen | grep 'packets/s')
if grep -Eq 'packets/s [0-9]+  SYN/s [0-9]+  half-open 0  established 2  flood: normal' <<<"$head" &&
	screen | grep -q 'filters: --state ESTABLISHED' && [ "$(tm display -p -t top '#{alternate_on}')" = 1 ]; then
	ok cli_top_tmux_header
else
	fail cli_top_tmux_header "header: $head; alternate screen $(tm display -p -t top '#{alternate_on}')"
fi
tm send-keys -t top q
if wait_for 5 on_screen "TOP_EXIT=0"; then ok cli_top_tmux_quits
else fail cli_top_tmux_quits "after q: $(screen | tail -3)"; fi
wait_for 2 test -s "$TMP/stty.after"
if [ "$(tm display -p -t top '#{alternate_on}')" = 0 ] && cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
	ok cli_top_tmux_restored
else
	fail cli_top_tmux_restored "alternate screen $(tm display -p -t top '#{alternate_on}'), stty $(cat "$TMP/stty.before") -> $(cat "$TMP/stty.after" 2>/dev/null)"
fi

# --- top without a terminal: a picture a second; 41004 sends 20 kB/s -----
in_s timeout 4 "$XDPCT" top "$IF_S" --dport 8081 </dev/null >"$TMP/top.out" 2>&1
pics=$(grep -c '^xdpct top ' "$TMP/top.out")
if [ "$pics" -ge 3 ] && [ "$(grep -c "^ipv4 .*:41004 " "$TMP/top.out")" -eq "$pics" ] &&
	! grep -q ':41001 ' "$TMP/top.out" && ! grep -q $'\e' "$TMP/top.out"; then
	ok cli_top_plain
else
	fail cli_top_plain "$pics pictures: $(head -6 "$TMP/top.out")"
fi
# the last picture's rate: 1000 bytes per 50 ms is 20 kB/s (sleep jitter: 14-21k)
rate=$(grep "^ipv4 .*:41004 " "$TMP/top.out" | tail -1 | awk '{print $5}')
case "$rate" in
1[4-9].*k | 2[01].*k) ok cli_top_plain_rate ;;
*) fail cli_top_plain_rate "ORIG_B/s '$rate', want about 20.0k: $(cat "$TMP/top.out")" ;;
esac
# --sort replaces the order by rate, --limit caps the rows: the newest flow
# (41005 of the events test, idle; by rate it would be 41004), one row a picture
in_s timeout 2 "$XDPCT" top "$IF_S" --sort age --limit 1 </dev/null >"$TMP/top2.out" 2>&1
pics=$(grep -c '^xdpct top ' "$TMP/top2.out")
expect_eq cli_top_sort_limit "$pics $pics" "$(grep -c '^ipv' "$TMP/top2.out") $(grep -c "^ipv4 .*:41005 " "$TMP/top2.out")"
[ "$pics" -gt 0 ] || fail cli_top_sort_pictures "no picture in 2 s"
kill $STREAM_PID 2>/dev/null

# --- run with a filter: each snapshot lists only ESTABLISHED flows ---------
# top stops (exit 0, one line) when xdpct is detached under it
bg_s timeout 40 "$XDPCT" top "$IF_S" </dev/null >"$TMP/top3.out" 2>"$TMP/top3.err"
TOP_PID=$BG_PID
ready "$TMP/top3.out" "^xdpct top "
in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1
wait $TOP_PID; rc=$?
if [ $rc -eq 0 ] && grep -q 'detached' "$TMP/top3.err"; then ok cli_top_detached
else fail cli_top_detached "exit $rc: $(cat "$TMP/top3.err")"; fi
bg_s "$XDPCT" run "$IF_S" --interval 1 --json --state ESTABLISHED >"$TMP/run" 2>"$TMP/run.err"
RUN_PID=$BG_PID
ready "$TMP/run.err" "tracking" || fail cli_run_filtered "run did not start: $(cat "$TMP/run.err")"
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 10 --hold 30 --sport 41011 >/dev/null
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 10 --sport 41012 >/dev/null
sleep 2.5
stop_bg $RUN_PID cli_run_filtered
got=$(jq -r 'select(.event == null) | "\(.state)/\(.orig_port)"' "$TMP/run" | sort -u | tr '\n' ' ')
expect_eq cli_run_filtered "ESTABLISHED/41011 " "$got"

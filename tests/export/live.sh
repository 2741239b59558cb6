#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# live.sh - export of live connections in the veth lab: 'run --ipfix
# --metrics' into nfcapd (127.0.0.1 in the server namespace) and 'export
# --conn-log' beside it, reopened on SIGHUP as logrotate needs. Closed
# connections must reach the collector while run runs, with the packets
# each way that show --json reports and flowEndReason 3 (end of flow);
# run's own /metrics must count the handshakes stats --json counts.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="live_run_metrics live_show_zeek live_ipfix_while_running live_ipfix_packets live_end_reason
live_connlog_lines live_connlog_sighup live_export_needs_sink"
lab_with_tools nfcapd nfdump curl tcpdump tshark

PORT=8080
P1=$((20000 + LAB_ID % 20000))
MPORT=$((P1 + 1))
mkdir -p "$TMP/nf"
bg_s nfcapd -b 127.0.0.1 -p $P1 -w "$TMP/nf" -t 3600
nfpid=$BG_PID
bg_s tcpdump -i lo -U -w "$TMP/ipfix.pcap" udp port $P1
dumppid=$BG_PID
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
wait_listen $PORT
bg_s "$XDPCT" run "$IF_S" --interval 3600 --ipfix 127.0.0.1:$P1 --metrics 127.0.0.1:$MPORT \
	>/dev/null 2>"$TMP/run.err"
runpid=$BG_PID
wait_for 5 test -e /sys/fs/bpf/xdpct/$IF_S/meta
bg_s "$XDPCT" export "$IF_S" --conn-log "$TMP/conn.log" 2>"$TMP/export.err"
exppid=$BG_PID
wait_for 5 test -s "$TMP/conn.log"

in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT many 3 100 200 --sport 42000 >/dev/null
tw() { show_json | jq -s '[.[] | select(.state == "TIME_WAIT")] | length'; }
wait_eq 5 3 tw
want_hs=$(stats_json | jq -r .handshakes_completed)
got_hs=$(in_s curl -s http://127.0.0.1:$MPORT/metrics | awk '/^xdpct_handshakes_completed_total/ { n += $2 } END { print n }')
expect_eq live_run_metrics "3 3" "$want_hs $got_hs"

# closed flows go out within a second or two, while run still runs
sleep 2.5
conn_lines() { grep -vc '^#' "$TMP/conn.log"; }
wait_eq 5 3 conn_lines
expect_eq live_connlog_lines 3 "$(conn_lines)"

# logrotate: move the file, SIGHUP, the next flows go to a new one
mv "$TMP/conn.log" "$TMP/conn.log.1"
kill -HUP $exppid
wait_for 5 test -s "$TMP/conn.log"
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --sport 42010 >/dev/null
wait_eq 8 1 conn_lines
old=$(grep -vc '^#' "$TMP/conn.log.1")
closed=$(grep -c '^#close' "$TMP/conn.log.1")
hdr=$(grep -c '^#fields' "$TMP/conn.log")
expect_eq live_connlog_sighup "3 1 1 1 42010" "$old $closed $hdr $(conn_lines) $(grep -v '^#' "$TMP/conn.log" | cut -f4)"

want=$(show_json | jq -r '"\(.orig_port) \(.orig_pkts) \(.resp_pkts)"' | sort)
zeek=$(in_s "$XDPCT" show "$IF_S" --format zeek 2>/dev/null)
expect_eq live_show_zeek "$(echo $(show_json | jq -r .orig_port | sort)) 1 1" \
	"$(echo $(grep -v '^#' <<<"$zeek" | cut -f4 | sort)) $(grep -c '^#fields' <<<"$zeek") $(grep -c '^#close' <<<"$zeek")"
# the filters apply to the conn.log rows too (show_flows: one path for all formats)
zeek=$(in_s "$XDPCT" show "$IF_S" --format zeek --sport 42010 2>/dev/null)
expect_eq live_show_zeek_filtered "42010 1" \
	"$(echo $(grep -v '^#' <<<"$zeek" | cut -f4)) $(grep -c '^#fields' <<<"$zeek")"
# records on the wire before run stops (flushed at its exit they would be
# reason 4, forced end)
records() {
	tshark -r "$TMP/ipfix.pcap" -d udp.port==$P1,cflow -T fields -e cflow.flow_end_reason 2>/dev/null |
		tr ',' '\n' | grep -c '[0-9]'
}
wait_eq 5 4 records
expect_eq live_ipfix_while_running 4 "$(records)"
kill -INT $runpid
wait $runpid 2>/dev/null
kill -TERM $nfpid
wait $nfpid 2>/dev/null
kill -TERM $dumppid
wait $dumppid 2>/dev/null
got=$(nfdump -R "$TMP/nf" -o json 2>/dev/null | jq -r '.[] | select(.proto == 6) | "\(.src_port) \(.in_packets // 0) \(.out_packets // 0)"' | sort)
n=$(grep -c '' <<<"$want")
if [ "$want" = "$got" ] && [ "$n" = 4 ]; then ok live_ipfix_packets
else fail live_ipfix_packets "show: $(echo $want) nfdump: $(echo $got)"; fi
# all four ended by their FIN handshakes: flowEndReason 3
reasons=$(tshark -r "$TMP/ipfix.pcap" -d udp.port==$P1,cflow -T fields -e cflow.flow_end_reason 2>/dev/null |
	tr ',' '\n' | grep -v '^$' | sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
expect_eq live_end_reason "3x4 " "$reasons"

in_s "$XDPCT" export "$IF_S" >/dev/null 2>&1
expect_eq live_export_needs_sink 2 $?

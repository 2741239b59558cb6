#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# timeouts.sh - when 'xdpct export' reports a flow, read off the wire with
# tshark's IPFIX dissector: a long-lived connection every --active-timeout
# (reason 2) and at its close (3), the records adding up to its packets;
# flows pushed out of a full table (LRU) as lack of resources (5), as many
# as stats counts; and templates sent again by message count in a long
# export (UDP: a collector that restarted learns them again).
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="timeout_active_records timeout_active_sum timeout_idle_records timeout_evicted
timeout_templates_resent timeout_burst_delivered"
lab_with_tools tcpdump tshark

PORT=8080
P1=$((20000 + LAB_ID % 20000))
P2=$((P1 + 1))
bg_s tcpdump -i lo -U -B 32768 -w "$TMP/ipfix.pcap" udp port $P1 or udp port $P2
dumppid=$BG_PID
# nfcapd is the sink (a closed port would refuse every other datagram);
# the records are read off the loopback wire
mkdir -p "$TMP/nf"
mkdir -p "$TMP/nf2"
bg_s nfcapd -b 127.0.0.1 -p $P1 -w "$TMP/nf" -t 3600 >/dev/null 2>&1
nfpid=$BG_PID
bg_s nfcapd -b 127.0.0.1 -p $P2 -w "$TMP/nf2" -t 3600 >/dev/null 2>&1
wait_for 5 in_s ss -Hlun "sport = :$P1"
wait_for 5 in_s ss -Hlun "sport = :$P2"
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
wait_listen $PORT
in_s "$XDPCT" attach "$IF_S" --max-flows 16 --max-halfopen 16 >/dev/null 2>&1
bg_s "$XDPCT" export "$IF_S" --ipfix 127.0.0.1:$P1 --active-timeout 2 2>"$TMP/export.err"
exppid=$BG_PID
# and one that reports a flow idle for 2 s (reason 1) before it ends
bg_s "$XDPCT" export "$IF_S" --ipfix 127.0.0.1:$P2 --idle-timeout 2 2>>"$TMP/export.err"
exp2=$BG_PID
sleep 1

# records: "sport reason packets reverse-packets", one per data record
# (tshark lists a message's records field by field, comma-separated)
records() {
	tshark -r "$TMP/ipfix.pcap" -d udp.port==${1:-$P1},cflow -Y "udp.dstport == ${1:-$P1}" -T fields -E separator='|' -E aggregator=, \
		-e cflow.srcport -e cflow.flow_end_reason -e cflow.initiator_packets \
		-e cflow.responder_packets 2>/dev/null | awk -F'|' '$1 != "" {
		n = split($1, p, ","); split($2, r, ","); split($3, o, ","); split($4, q, ",")
		for (i = 1; i <= n; i++) print p[i], r[i], o[i], q[i] }'
}

# a connection open 5 s: one interim record after 2 s, then its close
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 100 200 --hold 5 --sport 43000 >/dev/null
sleep 2
got=$(records | awk '$1 == 43000 { print $2 }' | tr '\n' ' ')
want_pk=$(show_json | jq -r 'select(.orig_port == 43000) | "\(.orig_pkts) \(.resp_pkts)"')
expect_eq timeout_active_records "2 3 " "$got"
expect_eq timeout_active_sum "$want_pk" \
	"$(records | awk '$1 == 43000 { o += $3; r += $4 } END { print o, r }')"
expect_eq timeout_idle_records "1 3 $want_pk" \
	"$(records $P2 | awk '$1 == 43000 { printf "%s ", $2; o += $3; r += $4 } END { print o, r }')"
kill $exp2

# 16 held connections, seen by export; 16 more push them out of the
# 16-entry tables: gone without ending
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT many 16 10 10 --hold 6 --sport 43100 >/dev/null &
c1=$!
sleep 2.5
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT many 16 10 10 --hold 1 --sport 43200 >/dev/null
sleep 3
ev=$(stats_json | jq -r '.flows_evicted_established + .flows_evicted_halfopen')
# (a held connection's later segments make new, mid-stream flows, which
# may be pushed out in turn: all reason-5 records are evictions stats counts)
first=$(records | awk '$2 == 5 && $1 >= 43100 && $1 < 43116' | wc -l)
n5=$(records | awk '$2 == 5' | wc -l)
if [ "$first" -gt 0 ] && [ "$n5" -le "$ev" ]; then
	ok "timeout_evicted # $first of the first 16 and $n5 in all as reason 5, $ev evictions counted"
else
	fail timeout_evicted "$first reason-5 records of the first 16 ($n5 in all), $ev evictions"
fi
wait $c1 2>/dev/null
kill $exppid
wait $exppid 2>/dev/null

# a long export: the templates again every 32 messages
$PY "$TESTS_DIR/mkflows.py" "$TMP/many.pcap" 2000 0.001 close
in_s "$XDPCT" replay "$TMP/many.pcap" --ipfix 127.0.0.1:$P1 >/dev/null 2>&1
# until tcpdump has written the 2000 records' 154 messages (13 a message)
replay_msgs() {
	tshark -r "$TMP/ipfix.pcap" -d udp.port==$P1,cflow -Y 'cflow.od_id == 0' 2>/dev/null | wc -l
}
for i in $(seq 30); do
	[ "$(replay_msgs)" -ge 154 ] && break
	sleep 0.3
done
kill $dumppid
wait $dumppid 2>/dev/null
msgs=$(tshark -r "$TMP/ipfix.pcap" -d udp.port==$P1,cflow -Y 'cflow.od_id == 0' 2>/dev/null | wc -l)
tmpl=$(tshark -r "$TMP/ipfix.pcap" -d udp.port==$P1,cflow -Y 'cflow.od_id == 0 && cflow.template_id' 2>/dev/null | wc -l)
want=$(( (msgs - 1) / 33 + 1 ))
if [ "$msgs" -gt 100 ] && [ "$tmpl" -ge "$want" ] && [ "$tmpl" -ge 3 ]; then
	ok "timeout_templates_resent # $tmpl template messages in $msgs"
else
	fail timeout_templates_resent "$tmpl template messages in $msgs (want >= $want)"
fi
# and paced so that the collector took all of them (UDP has no flow control)
kill -TERM $nfpid
wait $nfpid 2>/dev/null
n=$(nfdump -R "$TMP/nf" -o json 2>/dev/null | jq '[.[] | select(.src_port >= 10000 and .src_port < 12000)] | length')
expect_eq timeout_burst_delivered 2000 "$n"

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# prometheus.sh - the metrics against the real thing: Debian's Prometheus
# server scrapes 'xdpct metrics --listen' inside the lab's server namespace
# and its query API must return the handshakes 'stats --json' counts;
# promtool checks every exposition (HTTP, textfile, stats --prometheus).
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="prom_promtool_http prom_404_other_path prom_404_post prom_request_bounded prom_server_scrapes
prom_server_handshakes prom_rtt_histogram prom_flows_gauge prom_textfile_promtool
prom_textfile_atomic prom_stats_promtool prom_stats_handshakes prom_anomaly_counted
prom_not_attached"
lab_with_tools prometheus promtool curl

PORT=8080
MPORT=$((20000 + LAB_ID % 20000))
PPORT=$((MPORT + 1))
N=5
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
wait_listen $PORT
in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT many $N 100 200 --sport 41000 >/dev/null
hs() { stats_json | jq -r .handshakes_completed; }
wait_eq 5 $N hs
want=$(hs)

bg_s "$XDPCT" metrics "$IF_S" --listen 127.0.0.1:$MPORT 2>"${METRICS_ERR:-$TMP/metrics.err}"
wait_for 5 in_s curl -sf http://127.0.0.1:$MPORT/metrics
in_s curl -s http://127.0.0.1:$MPORT/metrics >"$TMP/http.prom"
out=$(promtool check metrics <"$TMP/http.prom" 2>&1)
if [ $? -eq 0 ] && [ -z "$out" ] && [ -s "$TMP/http.prom" ]; then ok prom_promtool_http
else fail prom_promtool_http "promtool: ${out:-empty exposition} ($(cat "$TMP/metrics.err"))"; fi
expect_eq prom_404_other_path 404 "$(in_s curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$MPORT/)"
expect_eq prom_404_post 404 \
	"$(in_s curl -s -o /dev/null -w '%{http_code}' -d x=1 http://127.0.0.1:$MPORT/metrics)"

# headers beyond the 16 KiB a request may take are refused, and it serves on
big=$(head -c 40000 /dev/zero | tr '\0' a)
code=$(in_s curl -s -o /dev/null -m 5 -w '%{http_code}' -H "X-Big: $big" http://127.0.0.1:$MPORT/metrics)
after=$(in_s curl -s -o /dev/null -m 5 -w '%{http_code}' http://127.0.0.1:$MPORT/metrics)
if [ "$code" != 200 ] && [ "$after" = 200 ]; then ok "prom_request_bounded # $code"
else fail prom_request_bounded "a 40 kB header got $code, then $after"; fi

# a real Prometheus server, its data in the temp dir, scraping every second
cat >"$TMP/prometheus.yml" <<CFG
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: xdpct
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
CFG
bg_s prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address=127.0.0.1:$PPORT --log.level=error
query() {
	in_s curl -sf "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty'
}
if wait_eq 30 1 query 'up{job="xdpct"}'; then ok prom_server_scrapes
else fail prom_server_scrapes "Prometheus never scraped 127.0.0.1:$MPORT (up = '$(query up)')"; fi
wait_eq 10 "$want" query 'sum(xdpct_handshakes_completed_total)'
expect_eq prom_server_handshakes "$want" "$(query 'sum(xdpct_handshakes_completed_total)')"
# one handshake RTT per flow: every one of the N completed connections
expect_eq prom_rtt_histogram "$N $N" \
	"$(query "xdpct_handshake_rtt_seconds_count{iface=\"$IF_S\"}") $(query "xdpct_handshake_rtt_seconds_bucket{iface=\"$IF_S\",le=\"+Inf\"}")"
tw=$(show_json | jq -s '[.[] | select(.state == "TIME_WAIT")] | length')
expect_eq prom_flows_gauge "$tw" \
	"$(query "xdpct_flows{iface=\"$IF_S\",map=\"flows\",state=\"TIME_WAIT\"}")"

# a segment out of nowhere (no handshake): one MIDSTREAM flow
in_c $PY -c "from scapy.all import IP, TCP, send
send(IP(src='$IP_C', dst='$IP_S') / TCP(sport=45000, dport=$PORT, flags='PA', seq=1000, ack=1) / (b'x' * 10), verbose=0)"
mid() { query "xdpct_anomalies_total{iface=\"$IF_S\",anomaly=\"MIDSTREAM\"}"; }
wait_eq 10 1 mid

# textfile: rewritten whole, never a half-written PATH for the collector
bg_s "$XDPCT" metrics "$IF_S" --textfile "$TMP/xdpct.prom" --interval 1
tpid=$BG_PID
wait_for 5 test -s "$TMP/xdpct.prom"
out=$(promtool check metrics <"$TMP/xdpct.prom" 2>&1)
if [ $? -eq 0 ] && [ -z "$out" ] && grep -q "^xdpct_handshakes_completed_total{iface=\"$IF_S\"" "$TMP/xdpct.prom"
then ok prom_textfile_promtool; else fail prom_textfile_promtool "promtool: $out"; fi
ino1=$(stat -c %i "$TMP/xdpct.prom")
sleep 2.2
ino2=$(stat -c %i "$TMP/xdpct.prom")
kill $tpid; wait $tpid 2>/dev/null
left=$(ls "$TMP" | grep -c '^xdpct.prom.')
if [ "$ino1" != "$ino2" ] && [ "$left" = 0 ]; then ok prom_textfile_atomic
else fail prom_textfile_atomic "inode $ino1 -> $ino2 (a rename makes a new one), $left temp files left"; fi

in_s "$XDPCT" stats "$IF_S" --prometheus >"$TMP/stats.prom" 2>"$TMP/stats.err"
out=$(promtool check metrics <"$TMP/stats.prom" 2>&1)
if [ $? -eq 0 ] && [ -z "$out" ] && [ -s "$TMP/stats.prom" ]; then ok prom_stats_promtool
else fail prom_stats_promtool "promtool: ${out:-empty} $(cat "$TMP/stats.err")"; fi
got=$(awk '/^xdpct_handshakes_completed_total/ { n += $2 } END { print n }' "$TMP/stats.prom")
expect_eq prom_stats_handshakes "$want" "$got"
expect_eq prom_anomaly_counted "1 1" "$(mid) $(grep -c "^xdpct_anomalies_total{iface=\"$IF_S\",anomaly=\"MIDSTREAM\"} 1$" "$TMP/stats.prom")"
in_s "$XDPCT" stats nosuch0 --prometheus >/dev/null 2>&1
expect_eq prom_not_attached 1 $?

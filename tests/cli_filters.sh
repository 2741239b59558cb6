#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# cli_filters.sh - every filter, sort key and --limit on real flows: the
# seven flows of tests/cli/flows.pcap (made by tests/cli/mkflows_cli.py,
# whose comments give each flow's facts) through 'xdpct replay'. A flow is
# named by its originator port (40001..40007); each case lists the flows it
# must print, in order. Then the filters on Zeek's real traces against jq,
# and replay's progress line: on a terminal only.
set -u
. "$(dirname "$0")/lib.sh"
CAP=$TESTS_DIR/cli/flows.pcap

need_root cli_filters || exit 0

# ports ARGS...: the originator ports replay prints with ARGS, in order.
ports() {
	local out rc
	out=$("$XDPCT" replay "$CAP" --json "$@" 2>/dev/null)
	rc=$?
	[ $rc -eq 0 ] || { echo "exit $rc"; return; }
	jq -r .orig_port <<<"$out" | tr '\n' ' ' | sed 's/ $//'
}
case_() { local name=$1 want=$2; shift 2; expect_eq "filter_$name" "$want" "$(ports "$@")"; }

case_ none "40001 40002 40003 40004 40005 40006 40007"
case_ state_one "40002 40005 40006" --state ESTABLISHED
case_ state_list "40003 40004" --state SYN_SENT,CLOSE
case_ state_time_wait "40001" --state TIME_WAIT
case_ state_syn_recv "40007" --state SYN_RECV
case_ src_cidr "40001 40002 40004 40006" --src 198.18.0.0/24
case_ src_bare "40003" --src 198.18.1.5
case_ src_v6 "40007" --src fc00::2
case_ dst_bare "40001 40002 40004" --dst 198.19.0.10
case_ dst_cidr6 "40005 40007" --dst fc00::/64
case_ dst_bare6 "40005" --dst fc00::2
case_ dst_cidr_15 "40001 40002 40003 40004 40006" --dst 198.18.0.0/15
case_ sport "40003" --sport 40003
case_ dport "40001 40004 40006 40007" --dport 80
case_ anomaly_name "40006" --anomaly MIDSTREAM
case_ anomaly_other "40007" --anomaly SYNACK_WITHOUT_SYN
case_ anomaly_any "40006 40007" --anomaly any
case_ family4 "40001 40002 40003 40004 40006" --family ipv4
case_ family6 "40005 40007" --family ipv6
case_ and "40004" --family ipv4 --dport 80 --state CLOSE
case_ and_empty "" --family ipv6 --state TIME_WAIT
# bytes: 6000, 310, 0, 0, 3000, 1400, 0; ties keep first-packet order
case_ sort_bytes "40001 40005 40006 40002 40003 40004 40007" --sort bytes
# packets: 8, 6, 1, 2, 4, 2, 1
case_ sort_pkts "40001 40002 40005 40004 40006 40003 40007" --sort pkts
case_ sort_age "40007 40006 40005 40004 40003 40002 40001" --sort age
# 40002 sent the capture's last packet
case_ sort_last "40002 40007 40006 40005 40004 40003 40001" --sort last
# handshakes 50 ms, 10 ms, 2 ms; unknown RTTs last
case_ sort_rtt "40002 40001 40005 40003 40004 40006 40007" --sort rtt
case_ limit "40001 40002" --limit 2
case_ sort_limit "40001 40005 40006" --sort bytes --limit 3
case_ filter_sort_limit "40005" --family ipv6 --sort bytes --limit 1

# --- the same on real captures (Zeek's test traces, tests/zeek/oracle/): each
# filter's output is what jq selects from the unfiltered output, in order
ORACLE=$TESTS_DIR/zeek/oracle
key='"\(.orig_addr):\(.orig_port)>\(.resp_addr):\(.resp_port)/\(.state)/\(.orig_pkts)/\(.resp_pkts)"'
# real_ NAME TRACE JQ-PROGRAM XDPCT-ARGS...: xdpct's filter against jq's
real_() {
	local name=$1 trace=$ORACLE/$2 prog=$3 want got
	shift 3
	[ -e "$trace" ] || { fail "real_$name" "no $trace"; return; }
	[ -n "${ALL[$2]:-}" ] || ALL[$2]=$("$XDPCT" replay "$trace" --json 2>/dev/null)
	want=$(jq -sr "$prog | .[] | $key" <<<"${ALL[$2]}")
	got=$("$XDPCT" replay "$trace" --json "$@" 2>/dev/null | jq -r "$key")
	if [ -z "$want" ]; then fail "real_$name" "jq selects nothing: not a test"
	elif [ "$want" = "$got" ]; then ok "real_$name"
	else fail "real_$name" "want $(tr '\n' ' ' <<<"$want"), got $(tr '\n' ' ' <<<"$got")"; fi
}
declare -A ALL
SSH=ssh_ssh.client-side-half-duplex.pcap
real_ state $SSH 'map(select(.state == "SYN_SENT"))' --state SYN_SENT
real_ src $SSH 'map(select(.orig_addr | startswith("192.168.2.")))' --src 192.168.2.0/24
real_ dst $SSH 'map(select(.resp_addr == "131.159.21.1"))' --dst 131.159.21.1
real_ anomaly $SSH 'map(select(.anomalies | index("MIDSTREAM")))' --anomaly MIDSTREAM
real_ anomaly_and_state $SSH 'map(select((.anomalies | index("ONE_SIDED")) and .state == "CLOSE_WAIT"))' \
	--anomaly ONE_SIDED --state CLOSE_WAIT
real_ sort_bytes $SSH 'sort_by(-(.orig_bytes + .resp_bytes)) | .[:3]' --sort bytes --limit 3
real_ sort_pkts $SSH 'sort_by(-(.orig_pkts + .resp_pkts)) | .[:5]' --sort pkts --limit 5
real_ states pop3_pop3.pcap 'map(select(.state == "CLOSE" or .state == "TIME_WAIT"))' --state CLOSE,TIME_WAIT
real_ sport pop3_pop3.pcap 'map(select(.orig_port == 26245))' --sport 26245
real_ sort_rtt pop3_pop3.pcap 'sort_by(if .syn_rtt_us == null or .ack_rtt_us == null then -1
	else -(.syn_rtt_us + .ack_rtt_us) - 2 end)' --sort rtt
real_ dport_family ftp_ipv4.pcap 'map(select(.resp_port == 21 and .family == "ipv4"))' --dport 21 --family ipv4

# the table is filtered too: header + the rows
rows=$("$XDPCT" replay "$CAP" --state ESTABLISHED 2>/dev/null | wc -l)
expect_eq filter_table_rows 4 "$rows"

# progress: a capture of 630,000 packets (about a second), stderr a terminal
# (script gives the command a pty) shows packets, rate and ETA; redirected, nothing
BIG=$(mktemp /tmp/xdpct-big.XXXXXX.pcap)
trap 'rm -f "$BIG" "$BIG.err"' EXIT
$PY "$TESTS_DIR/mkflows.py" "$BIG" 90000 0.001 close
tty_err=$(script -qec "$XDPCT replay $BIG >/dev/null" /dev/null | tr '\r' '\n')
if grep -Eq 'replay: [0-9]+ packets .*[0-9]+ pkt/s.*ETA' <<<"$tty_err"; then ok replay_progress_tty
else fail replay_progress_tty "no progress line on a terminal: $(tail -c 300 <<<"$tty_err")"; fi
"$XDPCT" replay "$BIG" >/dev/null 2>"$BIG.err"
if grep -q $'ETA\|\r' "$BIG.err"; then fail replay_progress_file "progress on a redirected stderr"
elif grep -q '^xdpct: replayed 630000 packets' "$BIG.err"; then ok replay_progress_file
else fail replay_progress_file "no summary line: $(cat "$BIG.err")"; fi

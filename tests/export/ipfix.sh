#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# ipfix.sh - IPFIX export against real collectors: 'xdpct replay --ipfix'
# of the Zeek oracle traces (tests/zeek/oracle) into nfdump's nfcapd, and
# softflowd (a reference exporter) of the same traces into a second one.
# nfdump must show every TCP connection with the packets each way that
# 'replay --json' reports, and per connection (5-tuple, both directions)
# the packet totals softflowd reports. Collectors listen on 127.0.0.1 in
# a namespace of this test.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="ipfix_every_connection ipfix_matches_softflowd ipfix_octets_l3 ipfix_bad_target"
need_root $TESTS || exit 0
for t in nfcapd nfdump softflowd; do
	if ! command -v $t >/dev/null; then
		for n in $TESTS; do skip "$n" "$t is not installed (tests/deps.sh)"; done
		exit 0
	fi
done
NS=xct-x-$LAB_ID
TMP=$(mktemp -d)
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS" && ip -n "$NS" link set lo up || { for t in $TESTS; do fail "$t" "netns"; done; exit 0; }
inx() { nsenter --net=/run/netns/$NS "$@"; }

P1=$((20000 + LAB_ID % 20000))
P2=$((P1 + 1))
mkdir -p "$TMP/xdpct" "$TMP/softflowd"
nsenter --net=/run/netns/$NS nfcapd -b 127.0.0.1 -p $P1 -w "$TMP/xdpct" -t 3600 >"$TMP/nfcapd1.log" 2>&1 &
n1=$!
nsenter --net=/run/netns/$NS nfcapd -b 127.0.0.1 -p $P2 -w "$TMP/softflowd" -t 3600 >"$TMP/nfcapd2.log" 2>&1 &
n2=$!
PIDS="$n1 $n2"
wait_for 5 grep -q "Startup" "$TMP/nfcapd1.log"
wait_for 5 grep -q "Startup" "$TMP/nfcapd2.log"

TRACES=$(ls "$TESTS_DIR"/zeek/oracle/*.pcap)
: >"$TMP/replay.json"
for f in $TRACES; do
	inx "$XDPCT" replay "$f" --json --ipfix 127.0.0.1:$P1 >>"$TMP/replay.json" 2>>"$TMP/replay.err"
	inx softflowd -r "$f" -n 127.0.0.1:$P2 -v 10 -d >/dev/null 2>&1
done
# nfcapd writes its file when it stops: stop both after the last record
sleep 0.5
kill -TERM $n1 $n2
wait $n1 $n2 2>/dev/null
PIDS=""

nf() {
	nfdump -R "$1" -o json 2>/dev/null | jq -c '.[] | select(.proto == 6)'
}
nf "$TMP/xdpct" >"$TMP/xdpct.json"
nf "$TMP/softflowd" >"$TMP/softflowd.json"

# every connection, one record each, packets each way as replay --json says
want=$(jq -r '"\(.orig_addr) \(.orig_port) \(.resp_addr) \(.resp_port) \(.orig_pkts) \(.resp_pkts)"' \
	"$TMP/replay.json" | sort)
got=$(jq -r '"\(.src4_addr // .src6_addr) \(.src_port) \(.dst4_addr // .dst6_addr) \(.dst_port) \(.in_packets // 0) \(.out_packets // 0)"' \
	"$TMP/xdpct.json" | sort)
n=$(grep -c '' <<<"$want")
if [ "$want" = "$got" ] && [ "$n" -ge 50 ]; then ok "ipfix_every_connection # $n connections"
else fail ipfix_every_connection "$n from replay, diff: $(diff <(echo "$want") <(echo "$got") | head -6 | tr '\n' ' ')"; fi

# softflowd's records are one per direction: add up per 5-tuple, unordered
totals() {
	jq -r '[(.src4_addr // .src6_addr) + " " + (.src_port|tostring), (.dst4_addr // .dst6_addr) + " " + (.dst_port|tostring)] as $e
		| (($e | sort | join(" ")) + " " + (((.in_packets // 0) + (.out_packets // 0)) | tostring))' "$1" |
		awk '{ k = $1 " " $2 " " $3 " " $4; t[k] += $5 } END { for (k in t) print k, t[k] }' | sort
}
want=$(totals "$TMP/softflowd.json")
got=$(totals "$TMP/xdpct.json")
n=$(grep -c '' <<<"$want")
if [ "$want" = "$got" ] && [ "$n" -ge 40 ]; then ok "ipfix_matches_softflowd # $n 5-tuples"
else fail ipfix_matches_softflowd "$n tuples, diff: $(diff <(echo "$want") <(echo "$got") | head -6 | tr '\n' ' ')"; fi

# octetDeltaCount is layer-3 octets: replay's orig/resp_ip_bytes
want=$(jq -r '"\(.orig_port) \(.orig_ip_bytes) \(.resp_ip_bytes)"' "$TMP/replay.json" | sort)
got=$(jq -r '"\(.src_port) \(.in_bytes // 0) \(.out_bytes // 0)"' "$TMP/xdpct.json" | sort)
expect_eq ipfix_octets_l3 "$want" "$got"

inx "$XDPCT" replay "$TESTS_DIR/zeek/oracle/http_get.pcap" --ipfix 127.0.0.1 >/dev/null 2>&1
expect_eq ipfix_bad_target 2 $?

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# connlog.sh - 'replay --format zeek' on the Zeek oracle traces: Zeek's
# conn.log header lines and fields, one line per flow with the figures
# 'replay --json' has, a unique uid per flow, and community_id computed
# here independently (Python's hashlib) from the Community ID v1 spec;
# '--format json' is --json.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="connlog_header connlog_fields_per_line connlog_same_flows connlog_uid_unique
connlog_community_id connlog_format_json connlog_bad_format"
need_root $TESTS || exit 0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# three traces, 41 connections (each replay loads the BPF program afresh)
for t in ftp_ipv4 pop3_pop3 ssh_ssh.client-side-half-duplex; do
	"$XDPCT" replay "$TESTS_DIR/zeek/oracle/$t.pcap" --format zeek 2>/dev/null >"$TMP/$t.log"
	"$XDPCT" replay "$TESTS_DIR/zeek/oracle/$t.pcap" --json 2>/dev/null >>"$TMP/replay.json"
	cat "$TMP/$t.log" >>"$TMP/conn.log"
done
F=$TESTS_DIR/zeek/oracle/ftp_ipv4.pcap
cp "$TMP/ftp_ipv4.log" "$TMP/one.log"

want='#separator \x09
#set_separator	,
#empty_field	(empty)
#unset_field	-
#path	conn
#open
#fields	ts	uid	id.orig_h	id.orig_p	id.resp_h	id.resp_p	proto	service	duration	orig_bytes	resp_bytes	conn_state	local_orig	local_resp	missed_bytes	history	orig_pkts	orig_ip_bytes	resp_pkts	resp_ip_bytes	tunnel_parents	community_id
#types	time	string	addr	port	addr	port	enum	string	interval	count	count	string	bool	bool	count	string	count	count	count	count	set[string]	string'
got=$(grep '^#' "$TMP/one.log" | head -8 | sed 's/^#open\t.*/#open/')
expect_eq connlog_header "$want" "$got"
if grep -q '^#close	[0-9-]*$' "$TMP/one.log" && grep -q '^#open	[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]-[0-9][0-9]$' "$TMP/one.log"
then :; else fail connlog_header "#open/#close not Zeek's %Y-%m-%d-%H-%M-%S"; fi

bad=$(grep -v '^#' "$TMP/conn.log" | awk -F'\t' 'NF != 22' | wc -l)
n=$(grep -vc '^#' "$TMP/conn.log")
if [ "$bad" = 0 ] && [ "$n" -ge 40 ]; then ok "connlog_fields_per_line # $n lines"
else fail connlog_fields_per_line "$bad of $n lines without 22 fields"; fi

want=$(jq -r '[.orig_addr, .orig_port, .resp_addr, .resp_port, .orig_bytes, .resp_bytes, .conn_state, (if .history == "" then "-" else .history end), .orig_pkts, .orig_ip_bytes, .resp_pkts, .resp_ip_bytes] | map(tostring) | join(" ")' "$TMP/replay.json" | sort)
got=$(grep -v '^#' "$TMP/conn.log" | awk -F'\t' '{ print $3, $4, $5, $6, $10, $11, $12, $16, $17, $18, $19, $20 }' | sort)
expect_eq connlog_same_flows "$want" "$got"

dups=$(grep -v '^#' "$TMP/conn.log" | cut -f2 | sort | uniq -d | wc -l)
expect_eq connlog_uid_unique 0 "$dups"

# Community ID v1: SHA-1 over seed, the lower endpoint's address first,
# protocol, a zero byte, the ports; base64; "1:" in front
bad=$(grep -v '^#' "$TMP/conn.log" | cut -f3-6,22 | $PY -c '
import base64, hashlib, ipaddress, sys
bad = 0
for line in sys.stdin:
    sa, sp, da, dp, cid = line.split()
    s, d = ipaddress.ip_address(sa), ipaddress.ip_address(da)
    a, b = (s.packed, int(sp)), (d.packed, int(dp))
    if a > b:
        a, b = b, a
    h = hashlib.sha1((0).to_bytes(2, "big") + a[0] + b[0] + bytes([6, 0]) +
                     a[1].to_bytes(2, "big") + b[1].to_bytes(2, "big")).digest()
    if "1:" + base64.b64encode(h).decode() != cid:
        bad += 1
print(bad)')
expect_eq connlog_community_id 0 "$bad"

expect_eq connlog_format_json "$("$XDPCT" replay "$F" --json 2>/dev/null)" \
	"$("$XDPCT" replay "$F" --format json 2>/dev/null)"
"$XDPCT" replay "$F" --format csv >/dev/null 2>&1
expect_eq connlog_bad_format 2 $?

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# replay_files.sh - `xdpct replay` on the hostile capture corpus (tests/corpus):
# truncated, corrupted and random pcap/pcapng files. Each run must end within
# 10 s with exit 0, or exit 1 and exactly one line on stderr; never a crash.
# XDPCT may name the sanitizer build (tests/sanitize.sh does).
set -u
. "$(dirname "$0")/lib.sh"

CORPUS=$TESTS_DIR/corpus
need_root replay_corpus replay_valid_files replay_missing_file replay_directory \
	replay_sweeps_ended_flows replay_counts_evicted_flows || exit 0

files=$(ls "$CORPUS"/*.pcap "$CORPUS"/*.pcapng "$CORPUS"/*.bin 2>/dev/null)
n=0
bad=""
for f in $files; do
	err=$(timeout 10 "$XDPCT" replay "$f" --json 2>&1 >/dev/null)
	rc=$?
	n=$((n + 1))
	lines=$(printf '%s' "$err" | grep -c '')
	case $rc in
	0) ;;
	1) [ "$lines" -eq 1 ] && grep -q '^xdpct: ' <<<"$err" || bad="$bad $(basename "$f"):$lines-lines" ;;
	*) bad="$bad $(basename "$f"):rc=$rc" ;;
	esac
	grep -q -E 'Sanitizer|runtime error' <<<"$err" && bad="$bad $(basename "$f"):sanitizer"
done
if [ -z "$bad" ] && [ $n -gt 50 ]; then ok "replay_corpus # $n files"; else fail replay_corpus "$n files;$bad"; fi

# the valid ones parse to the one conversation they hold
got=$(for f in valid.pcap valid.pcapng valid-bigendian.pcap valid-nanosecond.pcap; do
	"$XDPCT" replay "$CORPUS/$f" --json 2>/dev/null | jq -r '"\(.orig_port) \(.state) \(.history) \(.orig_bytes) \(.resp_bytes)"'
done | sort -u)
expect_eq replay_valid_files "3337 TIME_WAIT ShADdFf 18 24" "$got"

out=$("$XDPCT" replay /nonexistent.pcap 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ]; then ok replay_missing_file; else
	fail replay_missing_file "rc=$rc: $out"; fi
out=$("$XDPCT" replay "$CORPUS" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ]; then ok replay_directory; else
	fail replay_directory "rc=$rc: $out"; fi

# a long capture never fills the tables with flows that are over: 3000
# connections that close, one every 0.1 s, through a table of 256, all listed
cap=$(mktemp -d)
trap 'rm -rf "$cap"' EXIT
python3 "$TESTS_DIR/mkflows.py" "$cap/closed.pcap" 3000 0.1 close
got=$("$XDPCT" replay "$cap/closed.pcap" --max-flows 256 --json 2>"$cap/err" | jq -r .state | sort | uniq -c | xargs)
expect_eq replay_sweeps_ended_flows "3000 TIME_WAIT|0" "$got|$(grep -c warning "$cap/err")"
# ... but 600 open at once do not fit: the ones pushed out are counted
python3 "$TESTS_DIR/mkflows.py" "$cap/open.pcap" 600 0.001 open
rows=$("$XDPCT" replay "$cap/open.pcap" --max-flows 256 --json 2>"$cap/err" | grep -c ESTABLISHED)
lost=$(sed -n 's/.*warning: \([0-9]*\) flows were pushed out.*/\1/p' "$cap/err")
expect_eq replay_counts_evicted_flows "600|short" "$((rows + ${lost:-0}))|$([ "$rows" -lt 600 ] && echo short)"

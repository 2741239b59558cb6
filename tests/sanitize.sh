#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# sanitize.sh - the CLI and the unit tests built with AddressSanitizer and
# UndefinedBehaviorSanitizer (make sanitize builds them into .output-san and
# ./xdpct-san): unit tests, replay of the Zeek traces and the hostile corpus,
# and a live attach/show/stats/events/detach in a veth lab. Any sanitizer
# report fails.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SAN=$ROOT/xdpct-san
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
. tests/lib.sh

if [ ! -x "$SAN" ]; then
	fail sanitize_build "no $SAN (make sanitize builds it)"
	exit 0
fi

# unit tests under the sanitizers
for t in .output-san/tests/test_*; do
	[ -x "$t" ] || continue
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	name=san_unit_$(basename "$t")
	if [ $rc -eq 0 ] && ! grep -q -E 'Sanitizer|runtime error' <<<"$out"; then ok "$name"; else
		fail "$name" "rc=$rc $(grep -m1 -E 'ERROR|runtime error|not ok' <<<"$out")"; fi
done

need_root san_replay_zeek san_replay_corpus san_live || exit 0

# replay the Zeek traces: the repository's own copy of the oracle
oracle=$ROOT/tests/zeek/oracle
bad="" n=0
for f in "$oracle"/*.pcap; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	out=$("$SAN" replay "$f" --json 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 0 ] && ! grep -q -E 'Sanitizer|runtime error' <<<"$out" || bad="$bad $(basename "$f"):$rc"
done
if [ "$n" -eq 0 ]; then fail san_replay_zeek "no traces in $oracle"
elif [ -z "$bad" ]; then ok "san_replay_zeek # $n traces"; else fail san_replay_zeek "$bad"; fi

# the hostile corpus
out=$(XDPCT=$SAN tests/replay_files.sh 2>&1)
if grep -q "^ok - replay_corpus" <<<"$out"; then ok san_replay_corpus; else
	fail san_replay_corpus "$(grep -m1 '^not ok' <<<"$out")"; fi

# live: attach, traffic, show, stats, events, detach
lab_up || { fail san_live "lab setup failed"; exit 0; }
log=$(mktemp)
{
	in_s "$SAN" attach "$IF_S" &&
	bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S 8080 >/dev/null &&
	wait_listen 8080 &&
	in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 8080 send 100 200 >/dev/null &&
	in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S 9 refused >/dev/null &&
	in_s "$SAN" show "$IF_S" && in_s "$SAN" show "$IF_S" --json && in_s "$SAN" show --hosts &&
	in_s "$SAN" stats "$IF_S" && in_s "$SAN" stats --json &&
	{ in_s timeout -s INT 2 "$SAN" events "$IF_S" --json; true; } &&
	in_s "$SAN" detach "$IF_S"
} >"$log" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q -E 'Sanitizer|runtime error' "$log"; then ok san_live; else
	fail san_live "rc=$rc $(grep -m1 -E 'ERROR|runtime error' "$log")"; fi
rm -f "$log"

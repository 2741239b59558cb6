#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# cli_docs.sh - what ships beside the binary: the man page (mandoc lint
# clean, and every verb and option 'xdpct COMMAND --help' lists is in it, so
# a new option without its documentation fails here), the systemd unit
# (systemd-analyze verify), the bash completion (driven through COMP_WORDS)
# and 'make install' (DESTDIR and PREFIX). Needs no root.
set -u
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS_DIR/.." && pwd)
MAN=$ROOT/man/xdpct.8
TMP=$(mktemp -d /tmp/xdpct-docs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

verbs() { "$XDPCT" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'; }
verb_opts() { "$XDPCT" "$1" --help | grep -E '^ +(-[a-zA-Z?], )?--' | grep -o -- '--[a-z][a-z0-9-]*' | sort -u; }

# --- man page --------------------------------------------------------------
if command -v mandoc >/dev/null; then
	lint=$(mandoc -Tlint -W warning "$MAN" 2>&1); rc=$?
	if [ $rc -eq 0 ] && [ -z "$lint" ]; then ok man_lint; else fail man_lint "rc $rc: $lint"; fi

	# man_missing PAGE: "VERB" or "VERB --OPTION" for each one PAGE lacks
	man_missing() {
		local text v o
		text=$(mandoc -Tascii "$1" | col -b)
		for v in $(verbs); do
			grep -q "^\.SS \"xdpct $v\"" "$1" || echo "$v"
			for o in $(verb_opts "$v"); do
				grep -q -e "$o\b" <<<"$text" || echo "$v $o"
			done
		done
	}
	missing=$(man_missing "$MAN" | tr '\n' ';')
	if [ -n "$(verbs)" ] && [ -z "$missing" ]; then ok man_covers_help
	else fail man_covers_help "in --help, not in man/xdpct.8: $missing"; fi
	# the check can fail: a page without --sport and without top's section
	sed -e 's/\\-\\-sport/\\-\\-XXport/g' -e '/^\.SS "xdpct top"/d' "$MAN" >"$TMP/cut.8"
	missing=$(man_missing "$TMP/cut.8" | tr '\n' ';')
	if grep -q 'show --sport' <<<"$missing" && grep -q '^top;\|;top;' <<<"$missing"; then ok man_check_can_fail
	else fail man_check_can_fail "a page without --sport passed: '$missing'"; fi
	# the pins the FILES section names are pins.c's table
	code=$(sed -n '/^const struct pin_desc pin_table/,/^};/p' "$ROOT/user/pins.c" |
		grep -o '= { "[a-z0-9_]*"' | grep -o '"[a-z0-9_]*"' | tr -d '"' | sort | tr '\n' ' ')
	doc=$(sed -n '/^Pins of one interface:/,/\.$/p' "$MAN" | grep -o '\\fB[a-z0-9_]*\\fR' |
		sed 's/\\f[BR]//g' | sort | tr '\n' ' ')
	if [ -n "$code" ]; then expect_eq man_pins "$code" "$doc"; else fail man_pins "no pin_table in user/pins.c"; fi
else
	skip man_lint "mandoc is not installed (tests/deps.sh installs it)"
fi

# --- make install: DESTDIR and PREFIX ---------------------------------------
make -s --no-print-directory -C "$ROOT" install DESTDIR="$TMP/dest" PREFIX=/usr >"$TMP/install.log" 2>&1
want="$TMP/dest/usr/sbin/xdpct $TMP/dest/usr/share/man/man8/xdpct.8
$TMP/dest/usr/lib/systemd/system/xdpct@.service $TMP/dest/usr/share/bash-completion/completions/xdpct"
miss=""
for f in $want; do [ -f "$f" ] || miss+=" $f"; done
if [ -z "$miss" ] && [ -x "$TMP/dest/usr/sbin/xdpct" ] &&
	grep -qx 'ExecStart=/usr/sbin/xdpct attach %I' "$TMP/dest/usr/lib/systemd/system/xdpct@.service" &&
	grep -qx 'ExecStop=/usr/sbin/xdpct detach %I' "$TMP/dest/usr/lib/systemd/system/xdpct@.service"; then
	ok install_layout
else
	fail install_layout "missing:$miss; $(cat "$TMP/install.log"; grep Exec "$TMP/dest/usr/lib/systemd/system/xdpct@.service" 2>/dev/null)"
fi

# --- systemd unit -----------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	# installed under a prefix that exists here, so the binary and man page it names resolve
	make -s --no-print-directory -C "$ROOT" install PREFIX="$TMP/pfx" >/dev/null 2>&1
	for inst in lo 'eth\x2d1'; do
		out=$(MANPATH=$TMP/pfx/share/man systemd-analyze verify "$TMP/pfx/lib/systemd/system/xdpct@$inst.service" 2>&1)
		rc=$?
		if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "unit_verify_$inst"; else fail "unit_verify_$inst" "rc $rc: $out"; fi
	done
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$ROOT/systemd/xdpct@.service")
	expect_eq unit_caps "CAP_BPF CAP_PERFMON CAP_NET_ADMIN" "$caps"
else
	skip unit_verify "systemd-analyze is not installed (tests/deps.sh installs systemd)"
fi

# --- bash completion ----------------------------------------------------------
# comp WORDS...: what completing the last word offers, the xdpct under test as argv[0]
comp() {
	bash --norc -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_xdpct; echo "${COMPREPLY[*]}"' _ "$ROOT/completion/xdpct.bash" "$XDPCT" "$@"
}
expect_eq complete_verbs "$(verbs | tr '\n' ' ')--help --version" "$(comp "")"
expect_eq complete_verb_prefix "show stats" "$(comp s)"
expect_eq complete_options "--sort --sport --src --state --syn-rate" "$(comp run --s)"
expect_eq complete_show_count "--count" "$(comp show --cou)"
expect_eq complete_state "ESTABLISHED" "$(comp show --state ES)"
expect_eq complete_state_list "TIME_WAIT,SYN_SENT TIME_WAIT,SYN_RECV TIME_WAIT,SYN_SENT2" "$(comp show --state TIME_WAIT,SYN_)"
expect_eq complete_state_equals "CLOSE_WAIT CLOSE" "$(comp events --state = CLOSE)"
expect_eq complete_family "ipv4 ipv6" "$(comp top lo --family "")"
expect_eq complete_sort "bytes" "$(comp replay x.pcap --sort b)"
expect_eq complete_anomaly "any" "$(comp show --anomaly an)"
expect_eq complete_iface "lo" "$(comp attach l)"
touch "$TMP/a-capture.pcap"
expect_eq complete_replay_file "$TMP/a-capture.pcap" "$(comp replay "$TMP/a-cap")"
# every anomaly xdpct knows (user/flowview.c) completes after --anomaly
known=$(sed -n 's/.*{ CT_ANOM_[A-Z_]*, "\([A-Z_]*\)" }.*/\1/p' "$ROOT/user/flowview.c" | sort | tr '\n' ' ')
offered=$(comp show --anomaly "" | tr ' ' '\n' | grep -v '^any$' | sort | tr '\n' ' ')
expect_eq complete_anomaly_all "$known" "$offered"

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# cli.sh - the command line's contract with scripts: a usage error exits 2,
# a runtime error exits 1 with exactly one line on stderr, and --help and
# --version exit 0. Needs no BPF; the unprivileged cases run as nobody.
set -u
. "$(dirname "$0")/lib.sh"

# expect_exit NAME CODE CMD...: exit status CODE; for 1, one "xdpct: " line.
expect_exit() {
	local name=$1 want=$2 err rc lines
	shift 2
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s' "$err" | grep -c '')
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, want $want: $(head -1 <<<"$err")"
	elif [ "$want" -eq 1 ] && { [ "$lines" -ne 1 ] || ! grep -q '^xdpct: ' <<<"$err"; }; then
		fail "$name" "want one 'xdpct: ' line on stderr, got $lines: $err"
	else
		ok "$name"
	fi
}

expect_exit cli_help 0 "$XDPCT" --help
expect_exit cli_version 0 "$XDPCT" --version
expect_exit cli_verb_help 0 "$XDPCT" run --help
expect_exit cli_no_command 2 "$XDPCT"
expect_exit cli_unknown_command 2 "$XDPCT" frobnicate
expect_exit cli_run_no_iface 2 "$XDPCT" run
expect_exit cli_two_ifaces 2 "$XDPCT" show lo eth0
expect_exit cli_bad_iface_name 2 "$XDPCT" attach 'a/b'
expect_exit cli_long_iface_name 2 "$XDPCT" stats abcdefghijklmnopqrstu
expect_exit cli_unknown_option 2 "$XDPCT" show --frobnicate
expect_exit cli_interval_zero 2 "$XDPCT" run lo --interval 0
expect_exit cli_interval_junk 2 "$XDPCT" run lo --interval 5x
expect_exit cli_syn_rate_nan 2 "$XDPCT" run lo --syn-rate nan
expect_exit cli_completion_range 2 "$XDPCT" run lo --completion 1.5
expect_exit cli_max_flows_range 2 "$XDPCT" attach lo --max-flows 1
expect_exit cli_timeout_state 2 "$XDPCT" attach lo --timeout BOGUS=5
expect_exit cli_mode 2 "$XDPCT" attach lo --mode turbo
expect_exit cli_replay_two_files 2 "$XDPCT" replay a.pcap b.pcap
expect_exit cli_replay_missing 1 "$XDPCT" replay /nonexistent/x.pcap
# filters, order and limit (filter.c): exit 2, the option and what it takes named
expect_filter() {
	local name=$1 opt=$2 msg rc
	shift 2
	msg=$("$@" 2>&1 >/dev/null | head -1)
	"$@" >/dev/null 2>&1
	rc=$?
	if [ $rc -ne 2 ]; then fail "$name" "exit $rc, want 2: $msg"
	elif ! grep -q -- "$opt takes" <<<"$msg"; then fail "$name" "does not name $opt and what it takes: $msg"
	else ok "$name"; fi
}
for verb in show "replay x.pcap" "run lo" events "top lo"; do
	v=${verb%% *}
	expect_filter cli_${v}_state_unknown --state "$XDPCT" $verb --state ESTABLISHED,BOGUS
	expect_filter cli_${v}_src_bad --src "$XDPCT" $verb --src 198.18.0.0/33
	expect_filter cli_${v}_dst_bad --dst "$XDPCT" $verb --dst fc00::zz
	expect_filter cli_${v}_sport_range --sport "$XDPCT" $verb --sport 65536
	expect_filter cli_${v}_dport_junk --dport "$XDPCT" $verb --dport 80x
	expect_filter cli_${v}_anomaly_unknown --anomaly "$XDPCT" $verb --anomaly NOT_AN_ANOMALY
	expect_filter cli_${v}_family_bad --family "$XDPCT" $verb --family ipx
	expect_filter cli_${v}_limit_zero --limit "$XDPCT" $verb --limit 0
done
for verb in show "replay x.pcap" "run lo" "top lo"; do
	expect_filter cli_${verb%% *}_sort_unknown --sort "$XDPCT" $verb --sort size
done
expect_exit cli_events_sort 2 "$XDPCT" events lo --sort bytes
expect_exit cli_top_no_iface 2 "$XDPCT" top
expect_exit cli_top_interval 2 "$XDPCT" top lo --interval 0
expect_exit cli_stats_no_filters 2 "$XDPCT" stats --state ESTABLISHED

# messages name the option and the value that was wrong
msg=$("$XDPCT" run lo --completion 1.5 2>&1 | head -1)
if grep -q -- "--completion" <<<"$msg" && grep -q "1.5" <<<"$msg"; then ok cli_error_names_option
else fail cli_error_names_option "$msg"; fi

# interval takes durations
if "$XDPCT" run --help | grep -q -- "--interval"; then
	out=$("$XDPCT" run lo --interval 1m --syn-rate nope 2>&1 | head -1)
	if grep -q -- "--syn-rate" <<<"$out"; then ok cli_interval_duration
	else fail cli_interval_duration "--interval 1m refused: $out"; fi
fi

if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all -- "$@"; }
	expect_exit cli_nonroot_run 1 as_nobody "$XDPCT" run lo
	expect_exit cli_nonroot_attach 1 as_nobody "$XDPCT" attach lo
	expect_exit cli_nonroot_show 1 as_nobody "$XDPCT" show
	expect_exit cli_nonroot_stats 1 as_nobody "$XDPCT" stats lo
	expect_exit cli_nonroot_replay 1 as_nobody "$XDPCT" replay "$TESTS_DIR/corpus/valid.pcap"
	# root, but no such interface: said before any BPF is loaded
	expect_exit cli_missing_iface 1 "$XDPCT" run xdpct-none0
	expect_exit cli_show_not_attached 1 "$XDPCT" show xdpct-none0
	expect_exit cli_top_not_attached 1 "$XDPCT" top xdpct-none0
	expect_exit cli_nonroot_top 1 as_nobody "$XDPCT" top lo
	expect_exit cli_detach_not_attached 1 "$XDPCT" detach xdpct-none0
	# on a machine where bpffs is not mounted yet: a verb that only reads or
	# removes pins does not mount it (nothing can be attached without it)
	no_bpffs() {
		unshare -m --propagation private sh -c 'mount -t tmpfs none /sys/fs/bpf || exit 4
			"$@"; rc=$?
			[ "$(stat -f -c %T /sys/fs/bpf)" = tmpfs ] || { echo "bpffs was mounted" >&2; exit 3; }
			exit $rc' sh "$@"
	}
	expect_exit cli_detach_no_bpffs 1 no_bpffs "$XDPCT" detach xdpct-none0
	expect_exit cli_show_no_bpffs 1 no_bpffs "$XDPCT" show xdpct-none0
	# pins another xdpct version made (its flow record has another size) are
	# refused with one line, never read with this build's sizes
	old_pins() {
		local d=/sys/fs/bpf/xdpct/xctold$$ m rc err
		mkdir -p "$d" || return 4
		bpftool map create "$d/flows" type hash key 12 value 100 entries 16 name flows &&
		for m in flows6 halfopen halfopen6; do
			bpftool map create "$d/$m" type hash key 36 value 100 entries 16 name "$m" || return 4
		done &&
		bpftool map create "$d/stats" type percpu_array key 4 value 8 entries 2 name stats &&
		bpftool map create "$d/meta" type array key 4 value 8 entries 1 name meta || return 4
		err=$("$XDPCT" "$@" "xctold$$" 2>&1 >/dev/null)
		rc=$?
		rm -rf "$d"
		printf '%s\n' "$err" >&2
		grep -q "pinned map 'flows'" <<<"$err" || return 5
		return $rc
	}
	if command -v bpftool >/dev/null && mount | grep -q ' /sys/fs/bpf type bpf'; then
		expect_exit cli_show_old_pins_refused 1 old_pins show
		expect_exit cli_stats_old_pins_refused 1 old_pins stats
	else
		skip cli_show_old_pins_refused "no bpftool or bpffs"
	fi
elif [ "${CI:-}" = true ]; then
	fail cli_nonroot "not root or no setpriv: the unprivileged cases did not run"
else
	skip cli_nonroot "not root: the unprivileged cases need setpriv from root"
fi

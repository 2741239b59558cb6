#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh - every test of xdpct, in layers: unit (no root), BPF_PROG_TEST_RUN,
# replay conformance, export (Prometheus, IPFIX, conn.log), fuzzing,
# sanitizers, veth labs. Each test prints
# TAP-like lines ("ok - NAME", "not ok - NAME # WHY"); this script counts
# them and ends with "N passed, N failed". Under CI=true a skipped test
# counts as failed. V=1 shows every line; otherwise only failures and skips.
#
#   tests/run.sh            all layers
#   tests/run.sh unit prog  only these layers
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=${OUTPUT:-.output}
LOGDIR=$OUT/test-logs
mkdir -p "$LOGDIR"

passed=0
failed=0
skipped=0
failures=()

# run_tap NAME CMD...: run a test program, count its result lines.
run_tap() {
	local name=$1 log=$LOGDIR/$1.log line start rc
	shift
	start=$(date +%s)
	printf '%-22s ' "$name"
	"$@" >"$log" 2>&1
	rc=$?
	local p=0 f=0 s=0
	while IFS= read -r line; do
		case "$line" in
		"ok "*"# SKIP"*)
			s=$((s + 1))
			[ "${V:-}" = 1 ] || echo "    $line"
			;;
		"ok "*) p=$((p + 1)) ;;
		"not ok "*)
			f=$((f + 1))
			failures+=("$name: ${line#not ok }")
			;;
		esac
		[ "${V:-}" = 1 ] && echo "    $line"
	done < <(grep -E '^(not )?ok ' "$log")
	# a program that dies without reporting is a failure too
	if [ $rc -ne 0 ] && [ $f -eq 0 ]; then
		f=1
		failures+=("$name: exited with status $rc (log: $log)")
	fi
	if [ $p -eq 0 ] && [ $f -eq 0 ] && [ $s -eq 0 ]; then
		f=1
		failures+=("$name: reported no results (log: $log)")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	printf '%4d passed %3d failed %3d skipped  (%ds)\n' $p $f $s $(($(date +%s) - start))
}

layer_unit() {
	local t
	for t in "$OUT"/tests/test_*; do
		[ -x "$t" ] || continue
		CMOCKA_MESSAGE_OUTPUT=TAP run_tap "unit:$(basename "$t")" "$t"
	done
	run_tap cli tests/cli.sh
	run_tap docs tests/docs.sh
	run_tap cli_docs tests/cli_docs.sh
}

layer_prog() {
	run_tap prog_test_run "$OUT/tests/prog_test"
}

layer_replay() {
	run_tap zeek_conformance tests/zeek/conformance.sh
	run_tap captures tests/captures/run.sh
	run_tap replay_files tests/replay_files.sh
	run_tap cli_filters tests/cli_filters.sh
}

# flow export and metrics against the real components (tests/export/)
layer_export() {
	local t
	# (tests/export/test_*.c build into $OUT/tests/: the unit layer runs them)
	for t in tests/export/*.sh; do
		run_tap "export:$(basename "$t" .sh)" "$t"
	done
}

layer_fuzz() {
	run_tap fuzz_100k "$OUT/tests/fuzz" --frames 100000 --seed "${FUZZ_SEED:-20261126}"
}

layer_sanitize() {
	run_tap sanitize make --no-print-directory sanitize
}

layer_netns() {
	local t
	for t in tests/netns/*.sh; do
		run_tap "netns:$(basename "$t" .sh)" "$t"
	done
}

layers=("$@")
[ ${#layers[@]} -eq 0 ] && layers=(unit prog replay export fuzz sanitize netns)
start=$(date +%s)
for l in "${layers[@]}"; do
	"layer_$l"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "Failures:"
	for f in "${failures[@]}"; do echo "  $f"; done
fi
[ "${CI:-}" = "true" ] && [ $skipped -gt 0 ] && echo "($skipped skipped tests count as failed under CI)"
echo
echo "tests took $(($(date +%s) - start))s"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

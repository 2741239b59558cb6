# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# lib.sh - helpers for xdpct's shell tests: TAP-style results, a veth lab in
# namespaces the test owns (removed on any exit), and waiting helpers.
#
# Results are lines "ok - NAME", "not ok - NAME # WHY", "ok - NAME # SKIP WHY";
# tests/run.sh counts them. Under CI=true a skip is a failure.

XDPCT=${XDPCT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/xdpct}
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PY=/usr/bin/python3	# Debian's, with scapy

# Unique per run, so parallel or leftover labs never collide.
LAB_ID=${LAB_ID:-$$}
NS_C=xct-c-$LAB_ID
NS_S=xct-s-$LAB_ID
IF_C=xcc$LAB_ID
IF_S=xcs$LAB_ID
IP_C=198.18.0.1
IP_S=198.18.0.2
IP6_C=fc00::1
IP6_S=fc00::2

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1 # ${2:-}"; }
skip() {
	if [ "${CI:-}" = "true" ]; then
		echo "not ok - $1 # cannot run here: $2 (CI must run it)"
	else
		echo "ok - $1 # SKIP $2"
	fi
}

# check NAME CMD... : ok if CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name" "failed: $*"; fi
}

# expect_eq NAME WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want '$2', got '$3'"; fi
}

# need_root NAMES... : skip the named tests and return 1 without root/BPF.
need_root() {
	local why=""
	if [ "$(id -u)" -ne 0 ]; then
		why="not root"
	elif [ ! -r /sys/kernel/btf/vmlinux ]; then
		why="kernel has no BTF"
	elif ! ip netns list >/dev/null 2>&1; then
		why="no network namespaces"
	fi
	if [ -n "$why" ]; then
		local n
		for n in "$@"; do skip "$n" "$why"; done
		return 1
	fi
	return 0
}

# in_c/in_s CMD...: run in the client/server namespace (host /sys, so the
# server side sees /sys/fs/bpf: ip netns exec would remount /sys).
in_c() { nsenter --net=/run/netns/$NS_C "$@"; }
in_s() { nsenter --net=/run/netns/$NS_S "$@"; }

lab_cleanup() {
	local p
	for p in ${LAB_PIDS:-}; do kill "$p" 2>/dev/null; done
	for p in ${LAB_PIDS:-}; do wait "$p" 2>/dev/null; done
	if [ -e /sys/fs/bpf/xdpct/$IF_S ]; then
		in_s "$XDPCT" detach "$IF_S" >/dev/null 2>&1 || "$XDPCT" detach "$IF_S" >/dev/null 2>&1
	fi
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	rm -rf /sys/fs/bpf/xdpct/$IF_S 2>/dev/null
	# a test's extra namespaces and pin directories (their hooks go with them)
	for p in ${LAB_EXTRA_NS:-}; do ip netns del "$p" 2>/dev/null; done
	for p in ${LAB_EXTRA_PINS:-}; do rm -rf "/sys/fs/bpf/xdpct/$p" 2>/dev/null; done
	true
}

# lab_up: two namespaces joined by a veth pair; both ends in our namespaces.
lab_up() {
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
	TC_BASELINE=$(xdpct_tc_links)
	ip netns add "$NS_C" && ip netns add "$NS_S" || return 1
	ip link add "$IF_C" netns "$NS_C" type veth peer name "$IF_S" netns "$NS_S" || return 1
	ip -n "$NS_C" addr add $IP_C/24 dev "$IF_C"
	ip -n "$NS_S" addr add $IP_S/24 dev "$IF_S"
	ip -n "$NS_C" addr add $IP6_C/64 dev "$IF_C" nodad
	ip -n "$NS_S" addr add $IP6_S/64 dev "$IF_S" nodad
	ip -n "$NS_C" link set lo up
	ip -n "$NS_S" link set lo up
	ip -n "$NS_C" link set "$IF_C" up
	ip -n "$NS_S" link set "$IF_S" up
	# no TCP timestamps surprises: keep the stacks' defaults, but never
	# let a test's SYNs wait for IPv6 neighbour discovery
	ip -n "$NS_C" -6 neigh replace $IP6_S lladdr "$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')" dev "$IF_C" 2>/dev/null
	ip -n "$NS_S" -6 neigh replace $IP6_C lladdr "$(ip -n "$NS_C" -br link show "$IF_C" | awk '{print $3}')" dev "$IF_S" 2>/dev/null
	return 0
}

# bg_c/bg_s CMD...: start CMD in the client/server namespace in the
# background (no subshell, so $! is CMD itself); lab_cleanup stops it.
# BG_PID is its pid.
bg_c() {
	nsenter --net=/run/netns/$NS_C "$@" &
	BG_PID=$!
	LAB_PIDS="${LAB_PIDS:-} $BG_PID"
}
bg_s() {
	nsenter --net=/run/netns/$NS_S "$@" &
	BG_PID=$!
	LAB_PIDS="${LAB_PIDS:-} $BG_PID"
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# wait_eq SECONDS WANT CMD...: poll until CMD prints WANT.
wait_eq() {
	local t=$1 want=$2 i
	shift 2
	for ((i = 0; i < t * 20; i++)); do
		[ "$("$@" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

# The server namespace listens on TCP PORT: checked without connecting, so
# no probe connection shows up in the flow table.
# wait_listen PORT [N]: until N (default 1) sockets listen on it.
listening() { [ "$(in_s ss -Hltn "sport = :$1" 2>/dev/null | wc -l)" -ge "${2:-1}" ]; }
wait_listen() { wait_for 5 listening "$1" "${2:-1}"; }

# xdpct_tc_links: tcx links (type 11) running a program named xdpct_tc,
# machine-wide (bpftool 7.1 does not show a tcx link's interface).
xdpct_tc_links() {
	local n=0 id
	for id in $(bpftool link show -j 2>/dev/null | jq -r '.[] | select(.type == 11 or .type == "tcx") | .prog_id'); do
		[ "$(bpftool prog show id "$id" -j 2>/dev/null | jq -r .name)" = xdpct_tc ] && n=$((n + 1))
	done
	echo $n
}
# our_tc: xdpct's TC egress attachments on the server interface: tcx links
# beyond those that existed when the lab came up, plus clsact filters.
our_tc() {
	echo $(($(xdpct_tc_links) - ${TC_BASELINE:-0} +
		$(tc -n "$NS_S" filter show dev "$IF_S" egress 2>/dev/null | grep -c xdpct_tc)))
}

# flow_json PROTO-FILTER: the show --json lines matching a jq filter.
show_json() { in_s "$XDPCT" show "$IF_S" --json 2>/dev/null; }
stats_json() { in_s "$XDPCT" stats "$IF_S" --json 2>/dev/null; }

# lab_with_tools TOOL...: the tests in $TESTS need root, these commands and
# a lab whose server namespace has loopback up (collectors listen there);
# skips or fails them all and exits otherwise. Sets TMP, removed on exit.
lab_with_tools() {
	local t n
	need_root $TESTS || exit 0
	for t in "$@"; do
		if ! command -v "$t" >/dev/null; then
			for n in $TESTS; do skip "$n" "$t is not installed (tests/deps.sh)"; done
			exit 0
		fi
	done
	lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }
	TMP=$(mktemp -d)
	trap 'lab_cleanup; rm -rf "$TMP"' EXIT
	ip -n "$NS_S" link set lo up
}

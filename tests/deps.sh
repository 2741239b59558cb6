#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# deps.sh [bench] - install the Debian 12 packages xdpct needs, only those missing.
# Used by make test/demo/bench and .ci/run; a no-op when all are there.
set -euo pipefail

pkgs=(
	clang llvm gcc make pkg-config
	libbpf-dev bpftool libelf-dev zlib1g-dev libpcap-dev libcmocka-dev
	iproute2 iputils-ping procps psmisc kmod
	python3 python3-scapy
	conntrack nftables hping3 jq socat tcpdump
	libfixbuf-dev libmicrohttpd-dev nettle-dev prometheus nfdump softflowd curl tshark
	libncurses-dev tmux mandoc systemd	# top; its tmux test; man page lint; unit verify
)

# make bench draws its chart with gnuplot
# and profiles the floods with perf
[ "${1:-}" = bench ] && pkgs+=(gnuplot-nox nginx-light wrk linux-perf)

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "xdpct: missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "xdpct: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# run.sh - make bench: xdpct's cost per packet and at scale, as ratios
# measured in this one run (absolute times on shared VMs are noisy).
#
#   1. BPF_PROG_TEST_RUN: xdpct against an empty XDP program (the floor) and
#      a reference (parse + one 5-tuple lookup), established IPv4/IPv6/VLAN
#      flows, tables of 1K/64K/1M flows, SYN inserts and a SYN flood.
#   2. On the wire: a veth pair, gen sending one flow's ACKs (bounded), busy
#      CPU per packet with (a) nothing, (a') an empty XDP program, (b) xdpct,
#      (c) nf_conntrack with an nftables ct rule; xdpct's own cost b - a'
#      against nf_conntrack's c - a.
#   3. Userspace: reading 100K/1M flows, show --json, replay of a 1M-packet
#      capture, bytes per flow.
# Results: bench-out/summary.txt, bench-out/results.json, bench-out/bench.png.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT=$ROOT/bench-out
B=$ROOT/bench/.output/bench
GEN=$ROOT/.output/tests/gen
LAB_ID=bench
. tests/lib.sh

if [ "$(id -u)" -ne 0 ]; then
	echo "xdpct: make bench needs root (BPF programs, network namespaces); run: sudo make bench" >&2
	exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.pcap
start=$(date +%s)
exec > >(tee "$OUT/summary.txt") 2>&1

echo "xdpct benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(uname -r), $(nproc) CPUs"
echo
"$B" prog "$OUT/prog.json" || exit 1

# --- 2. on the wire ------------------------------------------------------------
WIRE_N=${WIRE_N:-3000000}
ROUNDS=${ROUNDS:-5}
lab_cleanup >/dev/null 2>&1
lab_up || { echo "xdpct: could not create the veth lab" >&2; exit 1; }
mac=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
# frames to 198.18.0.3: routed, not local, dropped (no forwarding) after
# nf_conntrack's PREROUTING hook, so no reply traffic muddles the figures
DST=198.18.0.3
# the sender is pinned to one CPU, where veth also runs the receive side
# (softirq): that CPU's busy time is the cost, the others' noise stays out
CPU=$(($(nproc) - 1))
busy_jiffies() { awk -v c="cpu$CPU" '$1 == c { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
rx_packets() { ip -n "$NS_S" -s -j link show "$IF_S" | jq '.[0].stats64.rx.packets'; }
hz=$(getconf CLK_TCK)

config_on() {
	case $1 in
	a) ;;
	a1) ip -n "$NS_S" link set dev "$IF_S" xdpdrv obj "$ROOT/.output/xdp_pass.bpf.o" sec xdp ;;
	b) in_s "$XDPCT" attach "$IF_S" --mode native >/dev/null &&
	   "$B" flow /sys/fs/bpf/xdpct/$IF_S $IP_C $DST 40000 80 1001 5001 ;;
	c) in_s nft -f - <<-EOF
		table inet xdpct_bench {
			chain pre { type filter hook prerouting priority 0; policy accept; ct state { new, established } counter accept; }
		}
		EOF
	   ;;
	esac
}
config_off() {
	case $1 in
	a1) ip -n "$NS_S" link set dev "$IF_S" xdpdrv off ;;
	b) in_s "$XDPCT" detach "$IF_S" >/dev/null ;;
	c) in_s nft delete table inet xdpct_bench; in_s conntrack -F >/dev/null 2>&1 ;;
	esac
}
# measure CONFIG: busy CPU ns per packet over WIRE_N frames
measure() {
	local b0 b1 r0 r1
	config_on "$1" || return 1
	in_c taskset -c $CPU "$GEN" ack "$IF_C" "$mac" $IP_C $DST 40000 80 20000 >/dev/null	# warm up
	r0=$(rx_packets)
	b0=$(busy_jiffies)
	in_c taskset -c $CPU "$GEN" ack "$IF_C" "$mac" $IP_C $DST 40000 80 "$WIRE_N" >/dev/null
	b1=$(busy_jiffies)
	r1=$(rx_packets)
	config_off "$1"
	awk -v b=$((b1 - b0)) -v hz="$hz" -v n="$WIRE_N" -v r=$((r1 - r0)) \
		'BEGIN { printf "%.1f %d\n", b * 1e9 / hz / n, r }'
}
declare -A res
for ((r = 1; r <= ROUNDS; r++)); do
	for c in a a1 b c; do
		m=$(measure $c)
		res[$c]="${res[$c]:-} ${m%% *}"
		[ "${m##* }" -ge "$WIRE_N" ] || echo "note: config $c round $r: only ${m##* } of $WIRE_N frames arrived"
	done
done
# the least of the rounds: noise only ever adds CPU time
least() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | head -1; }
# the programs' own run time (kernel.bpf_stats_enabled), in separate runs
prog_ns() {	# CONFIG: ns per run of the interface's XDP program on the wire
	local id t0 c0 t1 c1
	config_on "$1" || return 1
	sysctl -qw kernel.bpf_stats_enabled=1
	id=$(ip -n "$NS_S" link show "$IF_S" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	t0=$(bpftool prog show id "$id" -j | jq ".run_time_ns // 0"); c0=$(bpftool prog show id "$id" -j | jq ".run_cnt // 0")
	in_c taskset -c $CPU "$GEN" ack "$IF_C" "$mac" $IP_C $DST 40000 80 1000000 >/dev/null
	t1=$(bpftool prog show id "$id" -j | jq ".run_time_ns // 0"); c1=$(bpftool prog show id "$id" -j | jq ".run_cnt // 0")
	sysctl -qw kernel.bpf_stats_enabled=0
	config_off "$1"
	awk -v t=$((t1 - t0)) -v c=$((c1 - c0)) 'BEGIN { printf "%.1f", c ? t / c : 0 }'
}
pa1=$(prog_ns a1)
pb=$(prog_ns b)
pown=$(awk -v b="$pb" -v a="$pa1" 'BEGIN { printf "%.1f", b - a }')
. "$ROOT/bench/floods.sh"

wa=$(least "${res[a]}")
wa1=$(least "${res[a1]}")
wb=$(least "${res[b]}")
wc=$(least "${res[c]}")
own=$(awk -v b="$wb" -v a="$wa1" 'BEGIN { printf "%.1f", b - a }')
ct=$(awk -v c="$wc" -v a="$wa" 'BEGIN { printf "%.1f", c - a }')
ratio=$(awk -v o="$own" -v c="$ct" 'BEGIN { printf "%.3f", (c > 0 ? o / c : 0) }')
echo
echo "ON THE WIRE (veth, $WIRE_N frames of one flow per run, least of $ROUNDS, busy ns/frame on CPU $CPU)"
printf '  %-46s %8s\n' "(a)  nothing attached" "$wa"
printf '  %-46s %8s\n' "(a') empty XDP program (native, on veth)" "$wa1"
printf '  %-46s %8s\n' "(b)  xdpct (XDP native + TC egress)" "$wb"
printf '  %-46s %8s\n' "(c)  nf_conntrack, nftables ct state rule" "$wc"
printf '  %-46s %8s\n' "xdpct's own cost (b - a')" "$own"
printf '  %-46s %8s\n' "nf_conntrack's cost (c - a)" "$ct"
printf '  %-46s %8s   (target <= 0.15)\n' "ratio (b - a') / (c - a)" "$ratio"
echo "  in-program run time on the wire (kernel.bpf_stats_enabled, separate runs):"
printf '  %-46s %8s\n' "    empty XDP program (stats overhead included)" "$pa1"
printf '  %-46s %8s\n' "    xdpct_xdp" "$pb"
printf '  %-46s %8s   (%s of nf_conntrack'"'"'s)\n' "    xdpct's program beyond the empty one" "$pown" \
	"$(awk -v o="$pown" -v c="$ct" 'BEGIN { printf "%.3f", (c > 0 ? o / c : 0) }')"

echo
echo "FLOODS AND SHORT CONNECTIONS ON THE WIRE (least of $FLOOD_ROUNDS runs of $FLOOD_N frames, load average $(cut -d' ' -f1 /proc/loadavg))"
echo "  XDP run time per frame (kernel.bpf_stats_enabled), xdpct beside its reference:"
printf '  %-46s %8s %8s %7s\n' "" xdpct ref ratio
printf '  %-46s %8s %8s %6sx   (target <= 2)\n' "spoofed SYN flood vs one array slot" "$FL_SYN_X" "$FL_SYN_SLOT" "$(fl_ratio "$FL_SYN_X" "$FL_SYN_SLOT")"
printf '  %-46s %8s %8s %6sx   (target <= 2)\n' "random-source ACK flood vs one array slot" "$FL_ACK_X" "$FL_ACK_SLOT" "$(fl_ratio "$FL_ACK_X" "$FL_ACK_SLOT")"
printf '  %-46s %8s %8s %6sx   (target <= 1.3)\n' "64 one-sided ACK streams vs parse + lookup" "$FL_STR_X" "$FL_STR_REF" "$(fl_ratio "$FL_STR_X" "$FL_STR_REF")"
echo "  whole-path busy CPU ns per frame: nothing, xdpct, nf_conntrack; xdpct's and nf_conntrack's cost, ratio:"
printf '  %-46s %s\n' "spoofed SYN flood" "$FL_SYN_BUSY" "random-source ACK flood" "$FL_ACK_BUSY"
if [ -n "$FL_NGINX" ]; then
	echo "  nginx 2 KB files, wrk -c8 Connection: close, most of $FLOOD_ROUNDS rounds of ${NGINX_SECS}s (requests/s):"
	printf '  %-46s %8s\n' "nothing attached" "$FL_NG_A" "xdpct" "$FL_NG_X" "nf_conntrack (ct state rule)" "$FL_NG_C"
	printf '  %-46s %8s   (target <= half of nf_conntrack'"'"'s)\n' "loss with xdpct" \
		"$(awk -v a="$FL_NG_A" -v x="$FL_NG_X" 'BEGIN { printf "%.1f%%", (a - x) * 100 / a }')"
	printf '  %-46s %8s\n' "loss with nf_conntrack" \
		"$(awk -v a="$FL_NG_A" -v c="$FL_NG_C" 'BEGIN { printf "%.1f%%", (a - c) * 100 / a }')"
	printf '  %-46s %8s   (target <= 1500)\n' "xdpct BPF ns per connection (least)" "$FL_NG_NS"
	echo "  per bpf_stats round: ns/connection, handshakes counted, requests nginx logged (wrk keeps 8 open), anomalies:"
	tr '|' '\n' <<<"$FL_NG_XD" | sed 's/^/    /'
else
	echo "  nginx or wrk missing (make bench installs nginx-light and wrk): no short-connection row"
fi
if [ -n "$FL_PROF" ]; then
	echo "  where xdpct's BPF time goes (perf -g, share of the samples in xdpct's programs, by function):"
	printf '%s' "$FL_PROF" | sed 's/^/  /'
fi

# --- 3. userspace: show --json and replay at scale ---------------------------
in_s "$XDPCT" attach "$IF_S" --max-flows 1200000 >/dev/null
"$B" populate /sys/fs/bpf/xdpct/$IF_S 1000000
t0=$(date +%s.%N)
n=$(in_s "$XDPCT" show "$IF_S" --json | wc -l)
t1=$(date +%s.%N)
in_s "$XDPCT" detach "$IF_S" >/dev/null
show_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
show_rate=$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.0f", n / (b - a) }')
"$B" pcap "$OUT/replay.pcap" 100000 >/dev/null
rep=$("$XDPCT" replay "$OUT/replay.pcap" --json 2>&1 >/dev/null | grep replayed)
rep_pps=$(sed -n 's/.*(\([0-9]*\) pkt\/s).*/\1/p' <<<"$rep")
rep_pkts=$(sed -n 's/.*replayed \([0-9]*\) packets.*/\1/p' <<<"$rep")
rm -f "$OUT/replay.pcap"
echo
printf '  %-46s %10s flows in %s s (%s flows/s)\n' "show --json, 1M flows" "$n" "$show_s" "$show_rate"
printf '  %-46s %10s packets at %s pkt/s (target >= 500000)\n' "replay of a generated capture" "$rep_pkts" "$rep_pps"

# --- results.json and the chart ------------------------------------------------
jq --argjson wa "$wa" --argjson wa1 "$wa1" --argjson wb "$wb" --argjson wc "$wc" \
	--argjson own "$own" --argjson ct "$ct" --argjson ratio "$ratio" \
	--argjson pa1 "$pa1" --argjson pb "$pb" --argjson pown "$pown" \
	--argjson show_s "$show_s" --argjson show_rate "$show_rate" --argjson n "$n" \
	--argjson rep_pps "${rep_pps:-0}" --argjson rep_pkts "${rep_pkts:-0}" --argjson wire_n "$WIRE_N" \
	--argjson syn_x "${FL_SYN_X:-0}" --argjson syn_slot "${FL_SYN_SLOT:-0}" \
	--argjson ack_x "${FL_ACK_X:-0}" --argjson ack_slot "${FL_ACK_SLOT:-0}" \
	--argjson str_x "${FL_STR_X:-0}" --argjson str_ref "${FL_STR_REF:-0}" \
	--arg syn_busy "${FL_SYN_BUSY:-}" --arg ack_busy "${FL_ACK_BUSY:-}" \
	--argjson ng_a "${FL_NG_A:-0}" --argjson ng_x "${FL_NG_X:-0}" --argjson ng_c "${FL_NG_C:-0}" \
	--argjson ng_ns "${FL_NG_NS:-0}" --arg ng_xd "${FL_NG_XD:-}" --arg profile "${FL_PROF:-}" \
	'. + {wire: {frames: $wire_n, nothing_ns: $wa, empty_xdp_ns: $wa1, xdpct_ns: $wb,
		conntrack_ns: $wc, xdpct_own_ns: $own, conntrack_own_ns: $ct, own_ratio: $ratio,
		prog_empty_ns: $pa1, prog_xdpct_ns: $pb, prog_xdpct_own_ns: $pown},
	     floods: {syn_xdpct_ns: $syn_x, syn_slot_ns: $syn_slot, ack_xdpct_ns: $ack_x,
		ack_slot_ns: $ack_slot, streams_xdpct_ns: $str_x, streams_ref_ns: $str_ref,
		syn_busy: $syn_busy, ack_busy: $ack_busy, profile: $profile},
	     nginx: {nothing_rps: $ng_a, xdpct_rps: $ng_x, conntrack_rps: $ng_c,
		xdpct_ns_per_conn: $ng_ns, rounds: $ng_xd},
	     show_json: {flows: $n, seconds: $show_s, flows_per_s: $show_rate},
	     replay: {packets: $rep_pkts, pkts_per_s: $rep_pps}}' "$OUT/prog.json" >"$OUT/results.json"
rm -f "$OUT/prog.json"
if command -v gnuplot >/dev/null; then
	jq -r '.prog[] | select(.name | test("\\[1\\]") | not) | "\"\(.name | sub("xdpct: "; ""))\" \(.ns)"' \
		"$OUT/results.json" >"$OUT/prog.dat"
	printf '"xdpct (b - a'"'"')" %s\n"nf_conntrack (c - a)" %s\n' "$own" "$ct" >"$OUT/wire.dat"
	printf '"SYN flood: xdpct" %s\n"SYN flood: one slot" %s\n"ACK flood: xdpct" %s\n"ACK flood: one slot" %s\n"64 one-sided streams: xdpct" %s\n"64 streams: parse+lookup" %s\n' \
		"${FL_SYN_X:-0}" "${FL_SYN_SLOT:-0}" "${FL_ACK_X:-0}" "${FL_ACK_SLOT:-0}" "${FL_STR_X:-0}" "${FL_STR_REF:-0}" >"$OUT/flood.dat"
	gnuplot <<-EOF
		set terminal png size 1500,700 font ",10"
		set termoption noenhanced
		set output "$OUT/bench.png"
		set multiplot layout 1,3 title "xdpct benchmark ($(date -u +%Y-%m-%d), $(uname -r))"
		set style fill solid 0.6
		set boxwidth 0.7
		set xtics rotate by -40 left
		set ylabel "ns per packet (BPF_PROG_TEST_RUN)"
		set yrange [0:*]
		plot "$OUT/prog.dat" using 0:2:xtic(1) with boxes notitle, '' using 0:2:2 with labels offset 0,0.7 notitle
		set ylabel "busy CPU ns per frame on the wire"
		plot "$OUT/wire.dat" using 0:2:xtic(1) with boxes notitle, '' using 0:2:2 with labels offset 0,0.7 notitle
		set ylabel "XDP run time ns per frame on the wire (bpf_stats)"
		plot "$OUT/flood.dat" using 0:2:xtic(1) with boxes notitle, '' using 0:2:2 with labels offset 0,0.7 notitle
		unset multiplot
	EOF
	rm -f "$OUT/prog.dat" "$OUT/wire.dat" "$OUT/flood.dat"
fi
echo
echo "results: $OUT/summary.txt, $OUT/results.json${OUT:+, $OUT/bench.png} ($(($(date +%s) - start)) s)"

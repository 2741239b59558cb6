# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# floods.sh - sourced by run.sh inside its veth lab: the data path under
# floods and connection churn, each figure beside its anchor from this run.
#   1. XDP run time per frame (kernel.bpf_stats_enabled) for a spoofed SYN
#      flood and a random-source ACK flood (gen: a fresh source and port per
#      frame, sendmmsg) against xdp_slot (parse, hash, write one array slot),
#      and for 64 one-sided ACK streams against xdp_ref (parse + lookup).
#   2. The floods' whole-path busy CPU per frame: xdpct vs nf_conntrack.
#   3. nginx (nginx-light) serving 2 KB files to wrk -H "Connection: close":
#      rounds of nothing / xdpct / nf_conntrack, requests/s each, and xdpct's
#      BPF ns per connection (both programs' run time / handshakes_completed).
#   4. Where the time goes: perf -g during a SYN flood, an ACK flood and a
#      wrk round, shares by function (bench/perfsplit.py), after the timed
#      rounds so the sampling costs none of them.
# Sets FL_* variables that run.sh prints and writes to results.json.

FLOOD_N=${FLOOD_N:-500000}
FLOOD_ROUNDS=${FLOOD_ROUNDS:-3}
NGINX_SECS=${NGINX_SECS:-4}
BENCH=$ROOT/bench/.output/bench

fl_on() {
	case $1 in
	a) ;;
	x | xs) in_s "$XDPCT" attach "$IF_S" --mode native ${XOPTS:-} >/dev/null ;;
	slot | ref) in_s "$BENCH" xdp-attach "$IF_S" "xdp_$1" ;;
	c) config_on c ;;
	esac
}
fl_off() {
	case $1 in
	x | xs) in_s "$XDPCT" detach "$IF_S" >/dev/null ;;
	slot | ref) ip -n "$NS_S" link set dev "$IF_S" xdpdrv off ;;
	c) config_off c ;;
	esac
}
# fl_send KIND N: N frames of the load, sent from CPU $CPU
fl_send() {
	case $1 in
	syn) in_c taskset -c $CPU "$GEN" syn "$IF_C" "$mac" $DST 80 "$2" >/dev/null ;;
	ack) in_c taskset -c $CPU "$GEN" ackflood "$IF_C" "$mac" $DST 80 "$2" >/dev/null ;;
	streams) in_c taskset -c $CPU "$GEN" ack "$IF_C" "$mac" $IP_C $DST 41000 80 "$2" 0 64 >/dev/null ;;
	esac
}
xdp_id() { ip -n "$NS_S" link show "$IF_S" | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p'; }
prog_stat() { bpftool prog show id "$1" -j | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"'; }
# fl_prog_on KIND: ns per run of the interface's XDP program under KIND
fl_prog_on() {
	local id a b
	fl_send "$1" 20000	# warm up: tables and caches as under a long flood
	sysctl -qw kernel.bpf_stats_enabled=1
	id=$(xdp_id)
	a=$(prog_stat "$id")
	fl_send "$1" "$FLOOD_N"
	b=$(prog_stat "$id")
	sysctl -qw kernel.bpf_stats_enabled=0
	awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
		printf "%.1f", (y[2] > x[2] ? (y[1] - x[1]) / (y[2] - x[2]) : 0) }'
}
# fl_busy_on KIND: busy CPU ns per frame on CPU $CPU
fl_busy_on() {
	local b0 b1
	fl_send "$1" 20000
	b0=$(busy_jiffies)
	fl_send "$1" "$FLOOD_N"
	b1=$(busy_jiffies)
	awk -v b=$((b1 - b0)) -v hz="$hz" -v n="$FLOOD_N" 'BEGIN { printf "%.1f", b * 1e9 / hz / n }'
}
fl_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# fl_profile KIND: where xdpct's time goes under KIND (perf, function level,
# bench/perfsplit.py); KIND nginx profiles a wrk round on every CPU
FL_PROF=""
fl_profile() {
	local data=$OUT/perf-$1.data pid
	command -v perf >/dev/null || return 0
	sysctl -qw net.core.bpf_jit_kallsyms=1
	if [ "$1" = nginx ]; then
		in_c wrk -t1 -c8 -d3s -H "Connection: close" "http://$IP_S:8081/f2k" >/dev/null 2>&1 &
		pid=$!
		sleep 0.5
		perf record -q -a -g -o "$data" -- sleep 2 >/dev/null 2>&1
	else
		fl_send "$1" $((FLOOD_N * 4)) &
		pid=$!
		sleep 0.3
		perf record -q -C "$CPU" -g -o "$data" -- sleep 2 >/dev/null 2>&1
	fi
	wait "$pid"
	FL_PROF+="  $1:"$'\n'"$(perf script -i "$data" 2>/dev/null | /usr/bin/python3 "$ROOT/bench/perfsplit.py")"$'\n'
	rm -f "$data"
}

# --- 3. nginx + wrk, Connection: close -----------------------------------------------
NG=$(mktemp -d)
mkdir -p "$NG/www" "$NG/tmp"
head -c 2048 /dev/urandom >"$NG/www/f2k"
cat >"$NG/nginx.conf" <<-EOF
	user root;
	worker_processes 1;
	daemon off;
	pid $NG/nginx.pid;
	error_log $NG/error.log;
	events { worker_connections 4096; }
	http {
		access_log $NG/access.log;
		client_body_temp_path $NG/tmp; proxy_temp_path $NG/tmp; fastcgi_temp_path $NG/tmp;
		uwsgi_temp_path $NG/tmp; scgi_temp_path $NG/tmp;
		server { listen $IP_S:8081 reuseport; root $NG/www; }
	}
EOF
FL_NGINX=""
if command -v nginx >/dev/null && command -v wrk >/dev/null; then
	FL_NGINX=yes
	bg_s nginx -c "$NG/nginx.conf" -p "$NG"
	NGINX_PID=$BG_PID
	wait_for 5 in_s ss -Htln "sport = :8081"
	# wrk_on CONFIG (attached): requests/s; xs (xdpct with bpf_stats on, its own round
	# so the stats' overhead stays out of x's requests/s) adds "ns/conn
	# handshakes logged anomalies"
	wrk_on() {
		local out rps logged0 logged1 hs0 hs1 t0 t1 xi ti an ns
		if [ "$1" = xs ]; then
			sysctl -qw kernel.bpf_stats_enabled=1
			xi=$(in_s bpftool map dump pinned /sys/fs/bpf/xdpct/$IF_S/meta -j | jq '.[0].formatted.value.xdp_prog_id')
			ti=$(in_s bpftool map dump pinned /sys/fs/bpf/xdpct/$IF_S/meta -j | jq '.[0].formatted.value.tc_prog_id')
			t0="$(prog_stat "$xi") $(prog_stat "$ti")"
			hs0=$(in_s "$XDPCT" stats "$IF_S" --json | jq .handshakes_completed)
		fi
		logged0=$(wc -l <"$NG/access.log" 2>/dev/null || echo 0)
		out=$(in_c wrk -t1 -c8 -d"${NGINX_SECS}s" -H "Connection: close" "http://$IP_S:8081/f2k" 2>&1)
		rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
		sleep 0.3	# the last FINs
		logged1=$(wc -l <"$NG/access.log")
		if [ "$1" = xs ]; then
			t1="$(prog_stat "$xi") $(prog_stat "$ti")"
			hs1=$(in_s "$XDPCT" stats "$IF_S" --json | jq .handshakes_completed)
			sysctl -qw kernel.bpf_stats_enabled=0
			an=$(in_s "$XDPCT" show "$IF_S" --json | jq -r 'select(.resp_port == 8081 and
				(.anomalies | length) > 0) | .anomalies[]' | sort | uniq -c | xargs)
			ns=$(awk -v a="$t0" -v b="$t1" -v h=$((hs1 - hs0)) 'BEGIN { split(a, x, " ");
				split(b, y, " "); printf "%.0f", (h ? (y[1] - x[1] + y[3] - x[3]) / h : 0) }')
			echo "$rps $ns $((hs1 - hs0)) $((logged1 - logged0)) ${an:-none}"
		else
			echo "$rps"
		fi
	}
fi
# Grouped by configuration within each round, so xdpct is loaded (and
# verified, ~20 s on a loaded VM) once a round: its flood rows, its busy CPU
# rows and its nginx rounds share one attachment.
# --- 1. the programs' own time per frame, 2. whole-path busy CPU ---------------
declare -A fp fb ng
round_x() {	# every xdpct figure of one round, one attachment
	local k id a b m
	fl_on x || return 1
	for k in syn ack streams; do
		fp[$k:x]="${fp[$k:x]:-} $(fl_prog_on "$k")"
	done
	for k in syn ack; do
		fb[$k:x]="${fb[$k:x]:-} $(fl_busy_on "$k")"
	done
	if [ -n "$FL_NGINX" ]; then
		m=$(wrk_on x)
		ng[x]="${ng[x]:-} $m"
		m=$(wrk_on xs)
		ng[xd]="${ng[xd]:-}|${m#* }"
	fi
	if [ "$r" = "$FLOOD_ROUNDS" ]; then	# after the timed rounds
		fl_profile syn
		fl_profile ack
		[ -n "$FL_NGINX" ] && fl_profile nginx
	fi
	fl_off x
}
round_other() {
	local c=$1 k
	fl_on "$c" || return 1
	case $c in
	slot) for k in syn ack; do fp[$k:slot]="${fp[$k:slot]:-} $(fl_prog_on "$k")"; done ;;
	ref) fp[streams:ref]="${fp[streams:ref]:-} $(fl_prog_on streams)" ;;
	a | c)
		for k in syn ack; do fb[$k:$c]="${fb[$k:$c]:-} $(fl_busy_on "$k")"; done
		[ -n "$FL_NGINX" ] && ng[$c]="${ng[$c]:-} $(wrk_on "$c")"
		;;
	esac
	fl_off "$c"
}
for ((r = 1; r <= FLOOD_ROUNDS; r++)); do
	round_other a
	round_x
	round_other c
	round_other slot
	round_other ref
done
[ -n "$FL_NGINX" ] && { kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null; }
FL_SYN_X=$(least "${fp[syn:x]}"); FL_SYN_SLOT=$(least "${fp[syn:slot]}")
FL_ACK_X=$(least "${fp[ack:x]}"); FL_ACK_SLOT=$(least "${fp[ack:slot]}")
FL_STR_X=$(least "${fp[streams:x]}"); FL_STR_REF=$(least "${fp[streams:ref]}")
for k in syn ack; do
	a=$(least "${fb[$k:a]}"); x=$(least "${fb[$k:x]}"); c=$(least "${fb[$k:c]}")
	declare "FL_${k^^}_BUSY=$a $x $c $(awk -v a="$a" -v x="$x" -v c="$c" \
		'BEGIN { printf "%.1f %.1f %.2f", x - a, c - a, (c - a > 0 ? (x - a) / (c - a) : 0) }')"
done
if [ -n "$FL_NGINX" ]; then
	# the most of the rounds: noise only ever takes requests away
	most() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | tail -1; }
	FL_NG_A=$(most "${ng[a]}"); FL_NG_X=$(most "${ng[x]}"); FL_NG_C=$(most "${ng[c]}")
	FL_NG_XD=${ng[xd]#|}
	FL_NG_NS=$(tr '|' '\n' <<<"$FL_NG_XD" | awk '{ print $1 }' | sort -n | head -1)
fi
rm -rf "$NG"

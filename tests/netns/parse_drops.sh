#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# parse_drops.sh - frames the receiving host drops change nothing in xdpct
# (issue 10), live on a veth lab, each decided as Linux decides it:
#  - real connections over veth carry CHECKSUM_PARTIAL segments (the TCP
#    checksum field holds the pseudo-header sum) and the host takes them:
#    no 'c', no tcp_bad_csum;
#  - a forged RST with a wrong TCP checksum (tcp_v4_rcv:
#    tcp_checksum_complete drops it) leaves the flow ESTABLISHED, counted in
#    tcp_bad_csum, while the same RST with the right checksum closes it;
#  - SYNs the host drops before TCP create no flow and are counted by
#    reason: a bad IPv4 header checksum (ip_rcv_core), a loose source route
#    (ip_rcv_options), a broadcast MAC (tcp_v4_rcv's pkt_type check), an
#    IPv6 RH0 with segments left and an SRH (ipv6_rthdr_rcv);
#  - IPv6 options (ip6_parse_tlv): a SYN with an unknown hop-by-hop option
#    of type 01 is discarded (ip6_tlvopt_unknown; no SYN-ACK, no flow,
#    ipv6_bad_option), one of type 00 is skipped (the host answers: "Sh"),
#    and so is a chain of 7 extension headers (ipv6_rcv walks any number);
#    the same frames through `xdpct replay` decide alike.
set -u
. "$(dirname "$0")/../lib.sh"

TESTS="drops_real_no_c drops_real_no_bad_csum drops_bad_csum_rst_ignored drops_bad_csum_counted
drops_good_rst_closes drops_ipv4_bad_csum drops_ipv4_source_route drops_l2_broadcast
drops_ipv6_rh0 drops_ipv6_srh drops_ipv6_bad_option drops_ipv6_skip_option
drops_ipv6_chain7 drops_replay_ipv6_options"
need_root $TESTS || exit 0
lab_up || { for t in $TESTS; do fail "$t" "lab setup failed"; done; exit 0; }

PORT=8080
PORT6=8081
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP_S $PORT >/dev/null
bg_s $PY "$TESTS_DIR/tcpeer.py" serve $IP6_S $PORT6 >/dev/null
wait_listen $PORT
wait_listen $PORT6
in_s "$XDPCT" attach "$IF_S" >/dev/null 2>&1
MAC_S=$(ip -n "$NS_S" -br link show "$IF_S" | awk '{print $3}')
MAC_C=$(ip -n "$NS_C" -br link show "$IF_C" | awk '{print $3}')

flow() { show_json | jq -c "select(.orig_port == $1)" | tail -1; }
mal() { stats_json | jq -r ".xdp.malformed_by_reason.$1"; }

# --- a real connection: its SYN and FIN carry partial sums, and count ----
in_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 100 200 --sport 42000 >/dev/null
wait_eq 5 TIME_WAIT eval 'flow 42000 | jq -r .state'
h=$(flow 42000 | jq -r .history)
if [ -n "$h" ] && ! grep -qi c <<<"$h"; then ok "drops_real_no_c # $h"; else
	fail drops_real_no_c "history '$h'"; fi
expect_eq drops_real_no_bad_csum 0 "$(stats_json | jq -r .xdp.tcp_bad_csum)"

# --- a forged RST in a live connection: wrong checksum, then right -------
bg_c $PY "$TESTS_DIR/tcpeer.py" client $IP_S $PORT send 10 20 --hold 8 --sport 42001 >/dev/null
wait_eq 5 20 eval 'flow 42001 | jq -r .resp_bytes'
# the client's next sequence number, from the record (dir[0]: originator)
seq=$(bpftool map dump pinned /sys/fs/bpf/xdpct/$IF_S/flows -j 2>/dev/null |
	jq -r '.[] | select(.formatted.value.dir[0].bytes == 74) | .formatted.value.dir[0].end' | head -1)
rst() {	# rst CHECKSUM-OR-EMPTY
	in_c $PY - "$seq" "$1" <<PYEOF
import sys
from scapy.all import Ether, IP, TCP, sendp
seq = int(sys.argv[1])
t = TCP(sport=42001, dport=$PORT, flags="R", seq=seq)
if sys.argv[2]:
    t.chksum = int(sys.argv[2], 0)
sendp(Ether(src="$MAC_C", dst="$MAC_S") / IP(src="$IP_C", dst="$IP_S") / t, iface="$IF_C", verbose=0)
PYEOF
}
if [ -z "$seq" ]; then
	for t in drops_bad_csum_rst_ignored drops_bad_csum_counted drops_good_rst_closes; do
		fail $t "no record of the held connection"; done
else
	rst 0x1234
	sleep 0.5
	expect_eq drops_bad_csum_rst_ignored ESTABLISHED "$(flow 42001 | jq -r .state)"
	expect_eq drops_bad_csum_counted 1 "$(stats_json | jq -r .xdp.tcp_bad_csum)"
	rst ""
	wait_eq 3 CLOSE eval 'flow 42001 | jq -r .state'
	expect_eq drops_good_rst_closes CLOSE "$(flow 42001 | jq -r .state)"
fi

# --- SYNs the host drops before TCP: no flow, counted by reason ----------
syn() {	# syn SPORT SCAPY-LAYERS
	in_c $PY - <<PYEOF
from scapy.all import *
p = $2 / TCP(sport=$1, dport=$PORT, flags="S", seq=1000)
sendp(p, iface="$IF_C", verbose=0)
PYEOF
	sleep 0.3
}
E="Ether(src='$MAC_C', dst='$MAC_S')"
syn 42010 "$E / IP(src='$IP_C', dst='$IP_S', chksum=0x1234)"
expect_eq drops_ipv4_bad_csum "1 " "$(mal ipv4_bad_csum) $(flow 42010 | jq -r .state)"
syn 42011 "$E / IP(src='$IP_C', dst='$IP_S', options=[IPOption_LSRR(routers=['$IP_S'])])"
expect_eq drops_ipv4_source_route "1 " "$(mal ipv4_source_route) $(flow 42011 | jq -r .state)"
syn 42012 "Ether(src='$MAC_C', dst='ff:ff:ff:ff:ff:ff') / IP(src='$IP_C', dst='$IP_S')"
expect_eq drops_l2_broadcast "1 " "$(mal l2_not_host) $(flow 42012 | jq -r .state)"
syn 42013 "$E / IPv6(src='$IP6_C', dst='$IP6_S') / IPv6ExtHdrRouting(type=0, segleft=1, addresses=['$IP6_S'])"
expect_eq drops_ipv6_rh0 "1 " "$(mal ipv6_routing_header) $(flow 42013 | jq -r .state)"
syn 42014 "$E / IPv6(src='$IP6_C', dst='$IP6_S') / IPv6ExtHdrSegmentRouting(addresses=['$IP6_S'], segleft=0)"
expect_eq drops_ipv6_srh "2 " "$(mal ipv6_routing_header) $(flow 42014 | jq -r .state)"

# --- IPv6 options and long chains, decided as ip6_parse_tlv / ipv6_rcv ----
syn6() {	# syn6 SPORT SCAPY-EXTENSION-HEADERS: a SYN to the IPv6 listener
	in_c $PY - <<PYEOF
from scapy.all import *
p = $E / IPv6(src='$IP6_C', dst='$IP6_S') / $2 / TCP(sport=$1, dport=$PORT6, flags="S", seq=1000)
sendp(p, iface="$IF_C", verbose=0)
PYEOF
	sleep 0.5
}
HBH=IPv6ExtHdrHopByHop
syn6 42015 "$HBH(options=[HBHOptUnknown(otype=0x51, optdata=b'ab')])"
expect_eq drops_ipv6_bad_option "1 " "$(mal ipv6_bad_option) $(flow 42015 | jq -r .state)"
syn6 42016 "$HBH(options=[HBHOptUnknown(otype=0x11, optdata=b'ab')])"
h=$(flow 42016 | jq -r .history)
if [[ "$h" == Sh* ]]; then ok "drops_ipv6_skip_option # $h"; else
	fail drops_ipv6_skip_option "history '$h', want the SYN and the host's SYN-ACK (Sh...)"; fi
syn6 42017 "$HBH() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting() / IPv6ExtHdrDestOpt() / \
IPv6ExtHdrRouting() / IPv6ExtHdrFragment(id=7) / IPv6ExtHdrDestOpt()"
h=$(flow 42017 | jq -r .history)
if [[ "$h" == Sh* ]]; then ok "drops_ipv6_chain7 # $h"; else
	fail drops_ipv6_chain7 "history '$h', want the SYN and the host's SYN-ACK (Sh...)"; fi

# replay: a handshake behind a skippable option, a SYN behind a discarding one
pcap=$(mktemp /tmp/xdpct-opts6.XXXXXX.pcap)
$PY - "$pcap" <<PYEOF
import sys
from scapy.all import *
def pk(s, d, sp, dp, fl, seq, ack, opt):
    return Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / IPv6(src=s, dst=d) / IPv6ExtHdrHopByHop(options=[HBHOptUnknown(otype=opt, optdata=b'ab')]) / TCP(sport=sp, dport=dp, flags=fl, seq=seq, ack=ack)
c, s = '$IP6_C', '$IP6_S'
p = [pk(c, s, 43000, 80, "S", 100, 0, 0x11), pk(s, c, 80, 43000, "SA", 500, 101, 0x11),
     pk(c, s, 43000, 80, "A", 101, 501, 0x11), pk(c, s, 43001, 80, "S", 100, 0, 0x91)]
for i, x in enumerate(p):
    x.time = 1767225600 + i * 0.001
wrpcap(sys.argv[1], p)
PYEOF
out=$("$XDPCT" replay --json "$pcap" 2>"$pcap.err" | jq -r '"\(.orig_port) \(.state)"' | tr '\n' ' ')
sum=$(grep -o '[0-9]* malformed' "$pcap.err")
expect_eq drops_replay_ipv6_options "43000 ESTABLISHED  1 malformed" "$out $sum"
rm -f "$pcap" "$pcap.err"

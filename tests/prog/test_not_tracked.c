// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_not_tracked.c - frames that create no flow: non-TCP, fragments, truncated and malformed
 * frames, each counted under its reason.
 */
#include "harness.h"

static int t_non_tcp(struct tctx *t)
{
	__u8 buf[FRAME_MAX], spa[4], tpa[4];
	struct xdpct_stats st = {};
	struct pkt_spec s;
	struct conv cv4, cv6;

	conv_v4(&cv4);
	conv_v6(&cv6);
	STEP("UDP over IPv4");
	conv_spec(&cv4, CLI, 0, 0, 0, 40, &s);
	s.l4 = PKT_L4_UDP;
	TRY(spec_send(t, T0, &s));
	STEP("UDP over IPv6");
	conv_spec(&cv6, CLI, 0, 0, 0, 40, &s);
	s.l4 = PKT_L4_UDP;
	TRY(spec_send(t, T0 + 1, &s));
	STEP("ICMP echo");
	conv_spec(&cv4, CLI, 0, 0, 0, 56, &s);
	s.l4 = PKT_L4_ICMP;
	TRY(spec_send(t, T0 + 2, &s));
	STEP("ICMPv6 echo");
	conv_spec(&cv6, CLI, 0, 0, 0, 56, &s);
	s.l4 = PKT_L4_ICMP;
	TRY(spec_send(t, T0 + 3, &s));
	STEP("ARP request");
	memcpy(spa, cv4.caddr, 4);
	memcpy(tpa, cv4.saddr, 4);
	TRY(xdp_send(t, T0 + 4, buf, pkt_build_arp(&s, spa, tpa, buf, sizeof(buf))));
	STEP("UDP over 802.1Q");
	conv_spec(&cv4, CLI, 0, 0, 0, 40, &s);
	s.l4 = PKT_L4_UDP;
	s.vlans = 1;
	TRY(spec_send(t, T0 + 5, &s));
	t->step = NULL;
	st.packets = 6;
	st.non_tcp = 6;
	TRY(want_stats(t, &st, NULL));
	return want_no_flows(t);
}

static int t_frag_v4(struct tctx *t)
{
	struct xdpct_stats st = {};
	struct pkt_spec s;
	struct conv cv;

	conv_v4(&cv);
	STEP("IPv4 fragment at offset 1480, more to come");
	conv_spec(&cv, CLI, 0, 0, 0, 200, &s);
	s.l4 = PKT_L4_RAW;
	s.l4_proto = PKT_IPPROTO_TCP;
	s.frag_off = PKT_IP_MF | 185;
	TRY(spec_send(t, T0, &s));
	STEP("IPv4 last fragment at offset 8");
	s.frag_off = 1;
	TRY(spec_send(t, T0 + 1, &s));
	t->step = NULL;
	st.packets = 2;
	st.non_tcp = 2;
	st.fragments = 2;
	TRY(want_stats(t, &st, NULL));
	return want_no_flows(t);
}

static int t_frag_v6(struct tctx *t)
{
	struct xdpct_stats st = {};
	struct pkt_spec s;
	struct conv cv;
	int e;

	conv_v6(&cv);
	STEP("IPv6 fragment at offset 1448, more to come");
	conv_spec(&cv, CLI, 0, 0, 0, 200, &s);
	s.l4 = PKT_L4_RAW;
	s.l4_proto = PKT_IPPROTO_TCP;
	e = pkt_ext6_add(&s, PKT_IPPROTO_FRAGMENT, 8);
	s.ext[e].frag_offset = 181;
	s.ext[e].frag_more = true;
	s.ext[e].frag_id = 7;
	TRY(spec_send(t, T0, &s));
	STEP("IPv6 last fragment behind a hop-by-hop header");
	pkt_spec_init(&s);
	conv_spec(&cv, CLI, 0, 0, 0, 200, &s);
	s.l4 = PKT_L4_RAW;
	s.l4_proto = PKT_IPPROTO_TCP;
	pkt_ext6_add(&s, PKT_IPPROTO_HOPOPTS, 8);
	e = pkt_ext6_add(&s, PKT_IPPROTO_FRAGMENT, 8);
	s.ext[e].frag_offset = 1;
	s.ext[e].frag_id = 8;
	TRY(spec_send(t, T0 + 1, &s));
	t->step = NULL;
	st.packets = 2;
	st.non_tcp = 2;
	st.fragments = 2;
	TRY(want_stats(t, &st, NULL));
	return want_no_flows(t);
}

/*
 * truncate - every cut of a valid frame: passed unchanged, counted under
 * the reason reason(len) (or non_tcp), no flow. The whole frame at last
 * must be tracked, or the test would prove nothing.
 */
static int truncate_all(struct tctx *t, const struct pkt_spec *s, int (*reason)(int len))
{
	__u8 buf[FRAME_MAX];
	struct xdpct_stats want = {}, got[HOOK_MAX];
	char what[96];
	int len, l, r, err;

	len = pkt_build(s, buf, sizeof(buf));
	if (len < 60)
		FAIL("the builder failed");
	for (l = 0; l < len; l++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_size_in = (__u32)l,
			    .repeat = 1);

		if (l < 14) {
			/* the kernel refuses runs shorter than an Ethernet header;
			 * if it does run one, it must be eth_truncated */
			t->ld.skel->bss->replay_now_ns = T0 + l;
			t->ld.skel->bss->replay_wire_len = 0;
			err = bpf_prog_test_run_opts(t->xdp_fd, &o);
			if (err == -EINVAL)
				continue;	/* refused, nothing counted (checked next) */
			if (err)
				FAIL("BPF_PROG_TEST_RUN (xdp, %d bytes): %s", l, strerror(-err));
			EQ("retval of a short frame", o.retval, XDP_PASS);
			r = MAL_ETH_TRUNCATED;
		} else {
			TRY(xdp_run(t, T0 + l, buf, (__u32)l, 0));
			r = reason(l);
		}
		want.packets++;
		if (r < 0)
			want.non_tcp++;
		else
			want.malformed[r]++;
		TRY(read_stats(t, got));
		snprintf(what, sizeof(what), "a %d-byte cut counted as %s", l,
			 r < 0 ? "non_tcp" : mal_name(r));
		EQ(what, r < 0 ? got[HOOK_XDP].non_tcp : got[HOOK_XDP].malformed[r],
		   r < 0 ? want.non_tcp : want.malformed[r]);
		snprintf(what, sizeof(what), "packets after a %d-byte cut", l);
		EQ(what, got[HOOK_XDP].packets, want.packets);
		snprintf(what, sizeof(what), "flows after a %d-byte cut",
			 l);
		EQ(what, map_count(t->ld.fds.flows, sizeof(struct flow_key4)) +
			 map_count(t->ld.fds.halfopen, sizeof(struct flow_key4)) +
			 map_count(t->ld.fds.flows6, sizeof(struct flow_key6)) +
			 map_count(t->ld.fds.halfopen6, sizeof(struct flow_key6)), 0);
	}
	TRY(want_stats(t, &want, NULL));
	TRY(want_no_flows(t));
	STEP("the whole frame");
	TRY(xdp_run(t, T0 + SEC, buf, (__u32)len, 0));
	want.packets++;
	want.tcp++;
	want.flows_created++;
	TRY(want_stats(t, &want, NULL));
	if (s->family == 4)
		return want_maps(t, 0, 0, 1, 0);
	return want_maps(t, 0, 0, 0, 1);
}

static int reason_v4(int l)
{
	return l < 14 + 20 ? MAL_IPV4_TRUNCATED : MAL_IPV4_BAD_LENGTH;
}

static int reason_v6(int l)
{
	return l < 14 + 40 ? MAL_IPV6_TRUNCATED : MAL_IPV6_BAD_LENGTH;
}

static int reason_qinq(int l)
{
	return l < 14 + 8 ? MAL_VLAN_TRUNCATED :
	       l < 14 + 8 + 20 ? MAL_IPV4_TRUNCATED : MAL_IPV4_BAD_LENGTH;
}

static int t_trunc_v4(struct tctx *t)
{
	struct pkt_spec s;
	struct conv cv;

	conv_v4(&cv);
	conv_spec(&cv, CLI, PSH | ACK, V_X + 1, V_Y + 1, 20, &s);
	return truncate_all(t, &s, reason_v4);
}

static int t_trunc_v6(struct tctx *t)
{
	struct pkt_spec s;
	struct conv cv;

	conv_v6(&cv);
	conv_spec(&cv, CLI, PSH | ACK, V_X + 1, V_Y + 1, 20, &s);
	return truncate_all(t, &s, reason_v6);
}

static int t_trunc_qinq(struct tctx *t)
{
	struct pkt_spec s;
	struct conv cv;

	conv_v4(&cv);
	cv.tmpl.vlans = 2;
	conv_spec(&cv, CLI, PSH | ACK, V_X + 1, V_Y + 1, 20, &s);
	return truncate_all(t, &s, reason_qinq);
}

/* malformed - frames that must all count under one reason, no flow. */
static int malformed(struct tctx *t, struct pkt_spec *s, int n, int reason)
{
	struct xdpct_stats st = {};
	int i;

	for (i = 0; i < n; i++)
		TRY(spec_send(t, T0 + i, &s[i]));
	st.packets = n;
	st.malformed[reason] = n;
	TRY(want_stats(t, &st, NULL));
	return want_no_flows(t);
}

static int t_bad_ihl(struct tctx *t)
{
	static const int ihl[] = { 0, 1, 4 };
	struct pkt_spec s[3];
	struct conv cv;
	int i;

	conv_v4(&cv);
	for (i = 0; i < 3; i++) {
		conv_spec(&cv, CLI, SYN, V_X, 0, 0, &s[i]);
		s[i].ihl_raw = ihl[i];
	}
	return malformed(t, s, 3, MAL_IPV4_BAD_IHL);
}

static int t_bad_doff(struct tctx *t)
{
	struct pkt_spec s[4];
	struct conv cv4, cv6;

	conv_v4(&cv4);
	conv_v6(&cv6);
	conv_spec(&cv4, CLI, SYN, V_X, 0, 0, &s[0]);
	s[0].doff_raw = 4;			/* below the fixed header */
	conv_spec(&cv4, CLI, SYN, V_X, 0, 0, &s[1]);
	s[1].doff_raw = 0;
	conv_spec(&cv4, CLI, ACK, V_X + 1, V_Y + 1, 0, &s[2]);
	s[2].doff_raw = 15;			/* 60 bytes in a 32-byte segment */
	conv_spec(&cv6, CLI, ACK, V_X + 1, V_Y + 1, 20, &s[3]);
	s[3].doff_raw = 15;			/* 60 bytes in a 52-byte segment */
	return malformed(t, s, 4, MAL_TCP_BAD_DOFF);
}

/*
 * SYN+FIN without RST is dropped by Linux (tcp_rcv_state_process). SYN|RST
 * and RST|FIN are not here: tcp_validate_incoming checks RST first, so the
 * host takes them as resets (tcp_fsm.h ct_flags_valid).
 */
static int t_bad_flags(struct tctx *t)
{
	static const __u8 fl[] = {
		SYN | FIN,
		SYN | FIN | PSH | PKT_TCP_URG,	/* Xmas */
		SYN | FIN | ACK,
		0,				/* null scan */
	};
	struct pkt_spec s[4];
	struct conv cv;
	int i;

	conv_v4(&cv);
	for (i = 0; i < 4; i++)
		conv_spec(&cv, CLI, fl[i], V_X, 0, 0, &s[i]);
	return malformed(t, s, 4, MAL_TCP_BAD_FLAGS);
}

#define JUMBO_PAYLOAD	8948	/* a 9,000-byte IPv4 packet (MTU 9000) */

/*
 * t_multibuf - issue 15: a 9,014-byte frame through BPF_PROG_TEST_RUN is a
 * multi-buffer xdp_buff for an xdp.frags program (the first buffer about
 * 3.5 KB, the rest in fragments): its headers are read from the first, its
 * length from bpf_xdp_get_buff_len, and the record counts every byte.
 */
static int t_multibuf(struct tctx *t)
{
	static __u8 buf[JUMBO_PAYLOAD + 200], out[JUMBO_PAYLOAD + 200];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = buf, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	const __u32 x = V_X, y = V_Y;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	int len, where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, T0, T0 + 2 * MSEC, T0 + 3 * MSEC));
	STEP("8,948 bytes in one 9,014-byte frame");
	conv_spec(&cv, CLI, PSH | ACK, x + 1, y + 1, JUMBO_PAYLOAD, &s);
	len = pkt_build(&s, buf, sizeof(buf));
	EQ("frame length", len, 14 + 20 + 32 + JUMBO_PAYLOAD);	/* TCP timestamps */
	o.data_size_in = (__u32)len;
	t->ld.skel->bss->replay_now_ns = T0 + 10 * MSEC;
	t->ld.skel->bss->replay_wire_len = 0;
	if (bpf_prog_test_run_opts(t->xdp_fd, &o))
		FAIL("BPF_PROG_TEST_RUN of a %d-byte frame: %s", len, strerror(errno));
	EQ("verdict", o.retval, XDP_PASS);
	EQ("frame out", o.data_size_out, (__u32)len);
	if (memcmp(out, buf, (size_t)len))
		FAIL("the frame came back changed");
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	EQ("orig bytes", f.dir[0].bytes, JUMBO_PAYLOAD);
	EQ("orig pkts", f.dir[0].pkts, 3);
	EQ("orig end", f.dir[0].end, x + 1 + JUMBO_PAYLOAD);
	return 0;
}

/*
 * t_tso_totlen0 - issue 11: a capture taken on a TSO sender holds a 3,000
 * byte super-packet with IPv4 total length 0; replay takes its length from
 * the frame as iph_totlen() takes a GSO skb's (ip_rcv_core would drop a
 * frame that is not GSO: 0 is below the header; test_parse checks that).
 */
static int t_tso_totlen0(struct tctx *t)
{
	const __u32 x = V_X, y = V_Y;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, T0, T0 + 2 * MSEC, T0 + 3 * MSEC));
	STEP("3,000 bytes, IPv4 total length 0");
	conv_spec(&cv, CLI, PSH | ACK, x + 1, y + 1, 3000, &s);
	s.tot_len_raw = 0;
	TRY(spec_send(t, T0 + 10 * MSEC, &s));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	EQ("orig bytes", f.dir[0].bytes, 3000);
	EQ("orig end", f.dir[0].end, x + 1 + 3000);
	return 0;
}

static const struct prog_test tests[] = {
	{ "UDP, ICMP, ICMPv6 and ARP are non_tcp and create no flow", t_non_tcp },
	{ "IPv4 non-first fragments are fragments and non_tcp, no flow", t_frag_v4 },
	{ "IPv6 non-first fragments are fragments and non_tcp, no flow", t_frag_v6 },
	{ "IPv4 TCP frame cut at every length: passed, malformed by reason, no flow",
	  t_trunc_v4 },
	{ "IPv6 TCP frame cut at every length: passed, malformed by reason, no flow",
	  t_trunc_v6 },
	{ "QinQ IPv4 TCP frame cut at every length: passed, malformed by reason, no flow",
	  t_trunc_qinq },
	{ "IPv4 IHL below 5 is ipv4_bad_ihl, no flow", t_bad_ihl },
	{ "TCP data offset below 5 or past the segment is tcp_bad_doff, no flow", t_bad_doff },
	{ "SYN+FIN and other impossible flags are tcp_bad_flags, no flow", t_bad_flags },
	{ "a 9,014-byte multi-buffer frame (xdp.frags) is counted to the byte", t_multibuf },
	{ "IPv4 total length 0 in a TSO capture: the length from the frame (iph_totlen)",
	  t_tso_totlen0 },
};
PROG_AREA(not_tracked, tests);

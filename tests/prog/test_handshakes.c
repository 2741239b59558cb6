// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_handshakes.c - the handshake of seed-notes §1 over IPv4, IPv6, tags, IPv4 options and IPv6
 * extension headers: states, ISNs, history, counters, syn_dst and host_isn.
 */
#include "harness.h"

/*
 * hs_side_maps - syn_dst and host_isn after one handshake (seed-notes §5,
 * §7): both ISNs are taken when the handshake completes.
 */
static int hs_side_maps(struct tctx *t, const struct conv *cv, __u32 x, __u32 y, __u64 t1,
			__u64 t2, __u64 t3)
{
	(void)t1;
	(void)t2;
	STEP("syn_dst and host_isn");
	TRY(want_syn_dst(t, cv->family, cv->saddr, cv->sport, 1, 1, 1, t3));
	TRY(want_host_isn(t, cv->family, cv->caddr, 1, &x, &t3));
	TRY(want_host_isn(t, cv->family, cv->saddr, 1, &y, &t3));
	t->step = NULL;
	return 0;
}


static int t_handshake_v4(struct tctx *t)
{
	struct xdpct_stats st;
	struct conv cv;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, V_X, V_Y, T0, T0 + 1 * MSEC, T0 + 2 * MSEC));
	stats_handshake(&st);
	TRY(want_stats(t, &st, NULL));
	TRY(want_maps(t, 1, 0, 0, 0));
	return hs_side_maps(t, &cv, V_X, V_Y, T0, T0 + 1 * MSEC, T0 + 2 * MSEC);
}

static int t_handshake_v6(struct tctx *t)
{
	struct xdpct_stats st;
	struct conv cv;

	conv_v6(&cv);
	TRY(hs_run(t, &cv, V_X, V_Y, T0, T0 + 1 * MSEC, T0 + 2 * MSEC));
	stats_handshake(&st);
	TRY(want_stats(t, &st, NULL));
	TRY(want_maps(t, 0, 1, 0, 0));
	return hs_side_maps(t, &cv, V_X, V_Y, T0, T0 + 1 * MSEC, T0 + 2 * MSEC);
}

static int t_vlan(struct tctx *t)
{
	struct conv cv;

	conv_v4(&cv);
	cv.tmpl.vlans = 1;
	cv.tmpl.vlan_tci[0] = 100;
	return hs_data(t, &cv);
}

static int t_qinq(struct tctx *t)
{
	struct conv cv;

	conv_v4(&cv);
	cv.tmpl.vlans = 2;
	cv.tmpl.vlan_tpid[0] = PKT_ETH_P_8021AD;
	cv.tmpl.vlan_tci[0] = 10;
	cv.tmpl.vlan_tpid[1] = PKT_ETH_P_8021Q;
	cv.tmpl.vlan_tci[1] = 20;
	return hs_data(t, &cv);
}

static int t_vlan_v6(struct tctx *t)
{
	struct conv cv;

	conv_v6(&cv);
	cv.tmpl.vlans = 2;
	cv.tmpl.vlan_tci[0] = 10;
	cv.tmpl.vlan_tci[1] = 20;
	return hs_data(t, &cv);
}

/* ip_opts - a handshake and data with IPv4 options making the IHL ihl. */
static int ip_opts(struct tctx *t, int ihl)
{
	static const __u8 router_alert[4] = { 148, 4, 0, 0 };
	__u8 buf[FRAME_MAX];
	struct pkt_spec s;
	struct conv cv;

	conv_v4(&cv);
	cv.tmpl.ip4_opt_len = (__u8)((ihl - 5) * 4);
	if (ihl == 6)
		cv.tmpl.ip4_opts = router_alert;
	conv_spec(&cv, CLI, SYN, V_X, 0, 0, &s);
	if (pkt_build(&s, buf, sizeof(buf)) < 0 || (buf[14] & 0xf) != ihl)
		FAIL("the builder did not make IHL %d", ihl);
	return hs_data(t, &cv);
}

static int t_ip_opts_6(struct tctx *t)
{
	return ip_opts(t, 6);
}

static int t_ip_opts_15(struct tctx *t)
{
	return ip_opts(t, 15);
}

/* ext6 - a handshake and data behind IPv6 extension headers. */
static int ext6(struct tctx *t, const __u8 *types, const __u16 *lens, int n)
{
	struct conv cv;
	int i;

	conv_v6(&cv);
	for (i = 0; i < n; i++) {
		int e = pkt_ext6_add(&cv.tmpl, types[i], lens[i]);

		if (e < 0)
			FAIL("too many extension headers");
		if (types[i] == PKT_IPPROTO_FRAGMENT)
			cv.tmpl.ext[e].frag_id = 0x12345678;	/* atomic: offset 0, M 0 */
		/* type 0, segments left 0: ipv6_rthdr_rcv accepts it (an SRH,
		 * type 4, is dropped while seg6_enabled is 0, the default) */
		if (types[i] == PKT_IPPROTO_ROUTING)
			cv.tmpl.ext[e].rt_type = 0;
	}
	return hs_data(t, &cv);
}

static int t_ext_hbh(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_HOPOPTS };
	static const __u16 len[] = { 8 };

	return ext6(t, ty, len, 1);
}

static int t_ext_routing(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_ROUTING };
	static const __u16 len[] = { 24 };

	return ext6(t, ty, len, 1);
}

static int t_ext_dstopts(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_DSTOPTS };
	static const __u16 len[] = { 16 };

	return ext6(t, ty, len, 1);
}

static int t_ext_frag(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_FRAGMENT };
	static const __u16 len[] = { 8 };

	return ext6(t, ty, len, 1);
}

static int t_ext_chain(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_HOPOPTS, PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_ROUTING,
				   PKT_IPPROTO_FRAGMENT };
	static const __u16 len[] = { 8, 16, 24, 8 };

	return ext6(t, ty, len, 4);
}

static const struct prog_test tests[] = {
	{ "IPv4 handshake of seed-notes 1: SYN_SENT, SYN_RECV, ESTABLISHED, halfopen to flows",
	  t_handshake_v4 },
	{ "IPv6 handshake: same states, ISNs, history and counters", t_handshake_v6 },
	{ "handshake and data over one 802.1Q tag", t_vlan },
	{ "handshake and data over QinQ (802.1ad + 802.1Q)", t_qinq },
	{ "IPv6 handshake and data over two tags", t_vlan_v6 },
	{ "IPv4 options with IHL 6: handshake and payload bytes", t_ip_opts_6 },
	{ "IPv4 options with IHL 15: handshake and payload bytes", t_ip_opts_15 },
	{ "IPv6 hop-by-hop header: handshake and payload bytes", t_ext_hbh },
	{ "IPv6 routing header: handshake and payload bytes", t_ext_routing },
	{ "IPv6 destination-options header: handshake and payload bytes", t_ext_dstopts },
	{ "IPv6 fragment header at offset 0: handshake and payload bytes", t_ext_frag },
	{ "IPv6 chain of four extension headers: handshake and payload bytes", t_ext_chain },
};
PROG_AREA(handshakes, tests);

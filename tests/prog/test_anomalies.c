// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_anomalies.c - blind RSTs and stale SYN-ACKs: flagged, and the flow left as it was.
 */
#include "harness.h"

static int t_blind_rst(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 t4 = T0 + 5 * MSEC, t5 = T0 + 8 * MSEC, t6 = T0 + 9 * MSEC;
	const __u32 x = V_X, y = V_Y;
	struct xdpct_stats st;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	TRY(seg(t, &cv, t4, CLI, PSH | ACK, x + 1, y + 1, 100));
	STEP("RST from the server's address, seq 2^30 past the window");
	TRY(seg(t, &cv, t5, SRV, RST, y + 1 + 0x40000000u, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShADr", CT_ANOM_RST_OUT_OF_WINDOW,
		      SYN | ACK | PSH, SYN | ACK | RST));
	TRY(want_dir(t, &f, 0, x, x + 101, y + 1, 3, 100, t1, t4));
	TRY(want_dir(t, &f, 1, y, y + 1, x + 1, 2, 0, t2, t5));
	EQ("expires_ns (not refreshed by the RST)", f.expires_ns,
	   t4 + TIMEOUT(CT_STATE_ESTABLISHED));
	STEP("the connection goes on");
	TRY(seg(t, &cv, t6, CLI, PSH | ACK, x + 101, y + 1, 10));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	TRY(want_dir(t, &f, 0, x, x + 111, y + 1, 4, 110, t1, t6));
	stats_handshake(&st);
	st.packets = st.tcp = 6;
	st.rst_pkts = 1;
	st.invalid_pkts = 1;
	return want_stats(t, &st, NULL);
}

/* seed-notes §4 while the live attempt is still half open. */
static int t_stale_synack(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * SEC, t3 = T0 + 1 * SEC + 1 * MSEC;
	const __u64 t4 = T0 + 1 * SEC + 2 * MSEC, t5 = T0 + 1 * SEC + 3 * MSEC;
	struct xdpct_stats st;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	STEP("first SYN, seq 1000");
	TRY(seg(t, &cv, t1, CLI, SYN, 1000, 0, 0));
	STEP("new attempt, seq 2000");
	TRY(seg(t, &cv, t2, CLI, SYN, 2000, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, 2000, 2001, 0, 2, 0, t1, t2));
	STEP("SYN-ACK to the stale SYN: seq 4000, ack 1001");
	TRY(seg(t, &cv, t3, SRV, SYN | ACK, 4000, 1001, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "Sh", CT_ANOM_BAD_SYNACK_ACK, SYN, SYN | ACK));
	TRY(want_dir(t, &f, 0, 2000, 2001, 0, 2, 0, t1, t2));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 1, 0, t3, t3));
	if (f.ctl & CT_CTL_ISN_RESP)
		FAIL("the stale SYN-ACK's seq was taken as the server's ISN");
	STEP("SYN-ACK to the live SYN, and the ACK");
	TRY(seg(t, &cv, t4, SRV, SYN | ACK, 5000, 2001, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_SYN_RECV);
	TRY(seg(t, &cv, t5, CLI, ACK, 2001, 5001, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShA", CT_ANOM_BAD_SYNACK_ACK, SYN | ACK,
		      SYN | ACK));
	TRY(want_dir(t, &f, 0, 2000, 2001, 5001, 3, 0, t1, t5));
	TRY(want_dir(t, &f, 1, 5000, 5001, 2001, 2, 0, t3, t4));
	/* flow.h: SYN-ACK -> handshake ACK; the stale one was no answer */
	EQ("ack_rtt_us", f.ack_rtt_us, (t5 - t4) / 1000);
	stats_handshake(&st);
	st.packets = st.tcp = 5;
	st.syn_pkts = 2;
	st.synack_pkts = 2;
	st.invalid_pkts = 1;
	TRY(want_stats(t, &st, NULL));
	STEP("syn_dst and host_isn: the stale SYN-ACK is no SYN-ACK");
	TRY(want_syn_dst(t, 4, cv.saddr, cv.sport, 2, 1, 1, t5));
	{
		/* only the attempt that completed speaks for the hosts' ISNs */
		const __u32 cisn[1] = { 2000 }, sisn[1] = { 5000 };
		const __u64 ts[1] = { t5 };

		TRY(want_host_isn(t, 4, cv.caddr, 1, cisn, ts));
		TRY(want_host_isn(t, 4, cv.saddr, 1, sisn, ts));
	}
	return 0;
}

/* seed-notes §4 after the live attempt completed. */
static int t_stale_on_established(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 t4 = T0 + 3 * SEC, t5 = T0 + 3 * SEC + 1 * MSEC;
	struct xdpct_stats st;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, 2000, 5000, t1, t2, t3));
	STEP("the stale SYN, seq 1000");
	TRY(seg(t, &cv, t4, CLI, SYN, 1000, 0, 0));
	STEP("its SYN-ACK, seq 4000 ack 1001");
	TRY(seg(t, &cv, t5, SRV, SYN | ACK, 4000, 1001, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShA",
		      CT_ANOM_SYN_ON_ESTABLISHED | CT_ANOM_BAD_SYNACK_ACK, SYN | ACK, SYN | ACK));
	TRY(want_dir(t, &f, 0, 2000, 2001, 5001, 3, 0, t1, t4));
	TRY(want_dir(t, &f, 1, 5000, 5001, 2001, 2, 0, t2, t5));
	EQ("expires_ns (not refreshed by ignored segments)", f.expires_ns,
	   t3 + TIMEOUT(CT_STATE_ESTABLISHED));
	stats_handshake(&st);
	st.packets = st.tcp = 5;
	st.syn_pkts = 2;
	st.synack_pkts = 2;
	return want_stats(t, &st, NULL);
}

static const struct prog_test tests[] = {
	{ "blind RST: RST_OUT_OF_WINDOW, flow stays ESTABLISHED", t_blind_rst },
	{ "stale SYN-ACK of seed-notes 4: BAD_SYNACK_ACK, no SYN_RECV", t_stale_synack },
	{ "stale SYN and SYN-ACK on an established tuple are flagged and ignored",
	  t_stale_on_established },
};
PROG_AREA(anomalies, tests);

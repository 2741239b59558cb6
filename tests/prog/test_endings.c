// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_endings.c - refused connects, reopened tuples and expiry: how flows end and new ones start.
 */
#include "harness.h"

/* refused - SYN x at t1, RST+ACK (seq 0, ack x + 1) at t2; checked. */
static int refused(struct tctx *t, const struct conv *cv, __u64 t1, __u64 t2)
{
	const __u32 x = V_X;
	struct xdpct_stats st = {};
	struct flow f;
	int where;

	TRY(seg(t, cv, t1, CLI, SYN, x, 0, 0));
	STEP("RST+ACK seq 0, ack x + 1");
	TRY(seg(t, cv, t2, SRV, RST | ACK, 0, x + 1, 0));
	TRY(conv_flow(t, cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_conv_maps(t, cv, 0, 1));
	TRY(want_flow(t, &f, CT_STATE_CLOSE, "Sr", 0, SYN, RST | ACK));
	TRY(want_dir(t, &f, 0, x, x + 1, 0, 1, 0, t1, t1));
	TRY(want_dir(t, &f, 1, 0xffffffffu, 0, 0, 1, 0, t2, t2));
	EQ("expires_ns", f.expires_ns, t2 + TIMEOUT(CT_STATE_CLOSE));
	st.packets = st.tcp = 2;
	st.syn_pkts = 1;
	st.rst_pkts = 1;
	st.flows_created = 1;
	t->step = NULL;
	return want_stats(t, &st, NULL);
}

static int t_refused(struct tctx *t)
{
	struct conv cv;

	conv_v4(&cv);
	return refused(t, &cv, T0, T0 + 1 * MSEC);
}

static int t_reopen_close(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 1 * SEC;
	const __u32 x2 = 12345678;
	struct xdpct_stats st = {};
	struct flow f, old;
	struct conv cv;
	int where;

	conv_v4(&cv);
	TRY(refused(t, &cv, t1, t2));
	TRY(conv_flow(t, &cv, &old, &where, NULL));
	STEP("a new SYN, another ISN, 1 s later");
	TRY(seg(t, &cv, t3, CLI, SYN, x2, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, x2, x2 + 1, 0, 1, 0, t3, t3));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 0, 0, 0, 0));
	TRY(want_end_event(t, &old));
	st.packets = st.tcp = 3;
	st.syn_pkts = 2;
	st.rst_pkts = 1;
	st.flows_created = 2;
	st.flows_reopened = 1;
	st.halfopen_deleted = 1;
	st.events_sent = 1;
	return want_stats(t, &st, NULL);
}

static int t_reopen_time_wait(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 t4 = T0 + 1 * SEC, t5 = t4 + 1 * MSEC, t6 = t4 + 2 * MSEC;
	const __u64 t7 = t4 + 3 * MSEC, t8 = t4 + 5 * SEC;
	const __u32 x = V_X, y = V_Y, x2 = V_X + 0x10000000u;
	static const struct {
		const char *step;
		int from;
		__u8 flags;
		int dseq, dack;	/* from the ISN + 1 of sender and receiver */
		__u8 state;
		int timeout_state;
	} close[] = {
		{ "client FIN", CLI, FIN | ACK, 0, 0, CT_STATE_FIN_WAIT, CT_STATE_FIN_WAIT },
		{ "server ACK of it", SRV, ACK, 0, 1, CT_STATE_CLOSE_WAIT, CT_STATE_CLOSE_WAIT },
		{ "server FIN", SRV, FIN | ACK, 0, 1, CT_STATE_LAST_ACK, CT_STATE_LAST_ACK },
		{ "client ACK of it", CLI, ACK, 1, 1, CT_STATE_TIME_WAIT, CT_STATE_TIME_WAIT },
	};
	const __u64 tc[4] = { t4, t5, t6, t7 };
	struct xdpct_stats st;
	struct flow f, old;
	struct pkt_spec s;
	struct ev_list l;
	struct conv cv;
	int where, i;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	for (i = 0; i < 4; i++) {
		__u32 sisn = close[i].from == CLI ? x : y, risn = close[i].from == CLI ? y : x;

		STEP(close[i].step);
		TRY(seg(t, &cv, tc[i], close[i].from, close[i].flags,
			sisn + 1 + close[i].dseq, risn + 1 + close[i].dack, 0));
		TRY(conv_flow(t, &cv, &f, &where, NULL));
		TRY(want_where(t, where, IN_FLOWS));
		EQ("state", f.ctl & CT_CTL_STATE_MASK, close[i].state);
		EQ("expires_ns", f.expires_ns, tc[i] + TIMEOUT(close[i].timeout_state));
	}
	STEP("after the close");
	TRY(want_flow(t, &f, CT_STATE_TIME_WAIT, "ShAFaf", 0, SYN | ACK | FIN, SYN | ACK | FIN));
	TRY(want_dir(t, &f, 0, x, x + 2, y + 2, 4, 0, t1, t7));
	TRY(want_dir(t, &f, 1, y, y + 2, x + 2, 3, 0, t2, t6));
	old = f;
	STEP("a SYN before the old end, no timestamp: refused");
	/* tcp_timewait_state_process: seq not after rcv_nxt and no timestamp
	 * to compare: the host answers with an ACK, TIME_WAIT stays */
	conv_spec(&cv, CLI, SYN, x - 1000, 0, 0, &s);
	s.ts = false;
	TRY(spec_send(t, t8 - 1 * SEC, &s));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_TIME_WAIT);
	EQ("expires_ns (the TIME_WAIT timer is not restarted)", f.expires_ns, old.expires_ns);
	EQ("client ISN", f.dir[0].isn, x);
	EQ("anomalies", f.anomalies, 0);
	TRY(read_events(t, &l));
	EQ("events", l.n, 0);
	old = f;
	STEP("a new SYN in TIME_WAIT: restarted in place");
	TRY(seg(t, &cv, t8, CLI, SYN, x2, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	/* fl_reuse: the record's established slot is the new flow's: no
	 * delete, no SYN-cache slot, no insert */
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_maps(t, 1, 0, 0, 0));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, x2, x2 + 1, 0, 1, 0, t8, t8));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 0, 0, 0, 0));
	TRY(want_end_event(t, &old));
	stats_handshake(&st);
	st.packets = st.tcp = 9;
	st.syn_pkts = 3;
	st.fin_pkts = 2;
	st.flows_created = 1;
	st.flows_reopened = 1;
	st.events_sent = 1;
	return want_stats(t, &st, NULL);
}

static int t_expire_established(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 ta = t3 + TIMEOUT(CT_STATE_ESTABLISHED) - 1;
	const __u64 tb = ta + TIMEOUT(CT_STATE_ESTABLISHED);
	const __u32 x = V_X, y = V_Y;
	struct xdpct_stats st;
	struct flow f, old;
	struct conv cv;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	STEP("an ACK 1 ns before the timeout");
	TRY(seg(t, &cv, ta, CLI, ACK, x + 1, y + 1, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShA", 0, SYN | ACK, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 1, y + 1, 3, 0, t1, ta));
	EQ("expires_ns", f.expires_ns, tb);
	old = f;
	STEP("10 bytes at the timeout");
	TRY(seg(t, &cv, tb, CLI, PSH | ACK, x + 1, y + 1, 10));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "D", CT_ANOM_MIDSTREAM, PSH | ACK, 0));
	TRY(want_dir(t, &f, 0, x, x + 11, y + 1, 1, 10, tb, tb));
	TRY(want_dir(t, &f, 1, y, y + 1, 0, 0, 0, 0, 0));
	/* unanswered so far: nf_conntrack's 300 s, not five days */
	EQ("expires_ns", f.expires_ns,
	   tb + (TIMEOUT(CT_STATE_ESTABLISHED) < CT_UNCONFIRMED_TIMEOUT_NS ?
		 TIMEOUT(CT_STATE_ESTABLISHED) : CT_UNCONFIRMED_TIMEOUT_NS));
	TRY(want_end_event(t, &old));
	stats_handshake(&st);
	st.packets = st.tcp = 5;
	st.flows_created = 2;
	st.flows_reopened = 1;
	st.flows_deleted = 1;
	st.events_sent = 1;
	return want_stats(t, &st, NULL);
}

static int t_expire_syn_sent(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 3 * SEC, t3 = T0 + TIMEOUT(CT_STATE_SYN_SENT);
	const __u32 x = V_X;
	struct xdpct_stats st = {};
	struct flow f, old;
	struct conv cv;
	int where;

	conv_v4(&cv);
	TRY(seg(t, &cv, t1, CLI, SYN, x, 0, 0));
	STEP("the SYN again 3 s later");
	TRY(seg(t, &cv, t2, CLI, SYN, x, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, x, x + 1, 0, 2, 0, t1, t2));
	EQ("expires_ns (a retransmitted SYN does not extend it)", f.expires_ns, t3);
	old = f;
	STEP("the SYN again at the timeout");
	TRY(seg(t, &cv, t3, CLI, SYN, x, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, x, x + 1, 0, 1, 0, t3, t3));
	EQ("expires_ns", f.expires_ns, t3 + TIMEOUT(CT_STATE_SYN_SENT));
	TRY(want_end_event(t, &old));
	st.packets = st.tcp = 3;
	st.syn_pkts = 3;
	st.syn_retransmits = 1;
	st.flows_created = 2;
	st.flows_reopened = 1;
	st.halfopen_deleted = 1;
	st.events_sent = 1;
	return want_stats(t, &st, NULL);
}

/*
 * Blind teardown (issue 10.1) through the loaded program: FINs at X and
 * X + 2^31 fail one of tcp_in_window's sequence bounds, a FIN without ACK
 * is discarded by tcp_rcv_state_process, a SYN with a new ISN on a live
 * flow is ignored (tcp_validate_incoming answers it with a challenge ACK).
 * The flow stays ESTABLISHED in the flows map with its sequence space.
 */
static int t_blind_teardown(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC, t4 = T0 + 1 * SEC;
	const __u32 x = V_X, y = V_Y, blind = 0x9e3779b9u;
	struct flow f;
	struct conv cv;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	STEP("FINs at X and X + 2^31, both ways");
	TRY(seg(t, &cv, t4, CLI, FIN | ACK, blind, y + 1, 0));
	TRY(seg(t, &cv, t4, CLI, FIN | ACK, blind + 0x80000000u, y + 1, 0));
	TRY(seg(t, &cv, t4, SRV, FIN | ACK, blind, x + 1, 0));
	TRY(seg(t, &cv, t4, SRV, FIN | ACK, blind + 0x80000000u, x + 1, 0));
	STEP("a FIN without ACK at the exact seq, a SYN with a new ISN");
	TRY(seg(t, &cv, t4, CLI, FIN, x + 1, 0, 0));
	TRY(seg(t, &cv, t4, CLI, SYN, x + 0x10000000u, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	EQ("anomalies", f.anomalies, CT_ANOM_SEQ_OUT_OF_WINDOW | CT_ANOM_SYN_ON_ESTABLISHED);
	EQ("dir[0].end", f.dir[0].end, x + 1);
	EQ("dir[1].end", f.dir[1].end, y + 1);
	EQ("dir[0].bytes", f.dir[0].bytes, 0);
	return 0;
}

static const struct prog_test tests[] = {
	{ "refused connect: CLOSE in halfopen, history Sr", t_refused },
	{ "a new SYN on a CLOSE tuple starts a new flow", t_reopen_close },
	{ "the four-packet close to TIME_WAIT; a SYN before the old end without timestamp changes nothing, a new one restarts the record in place",
	  t_reopen_time_wait },
	{ "an ESTABLISHED flow past its timeout is replaced by the next packet",
	  t_expire_established },
	{ "a resent SYN does not extend SYN_SENT; the flow is replaced at its timeout",
	  t_expire_syn_sent },
	{ "blind FINs, a FIN without ACK and a new SYN leave an established flow as it was",
	  t_blind_teardown },
};
PROG_AREA(endings, tests);

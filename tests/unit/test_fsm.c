// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_fsm.c - the TCP state machine (tcp_fsm.h) and the per-segment
 * tracker (ct_track.h) on a struct flow in plain memory.
 *
 * Each test is a packet trace: seg() applies one segment the way
 * bpf/xdpct.bpf.c does (a new record through ct_flow_init, the direction
 * from ct_flow_dir, the fast path for a record in the flows map, then
 * ct_track), so the handshake, close, anomaly, sequence-space and byte
 * facts of seed-notes.md are checked without root or a kernel.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "ct_track.h"
#include "flow_life.h"

#define SEC		1000000000ull
#define STEP_NS		1000000ull	/* time between two segments of a trace */

#define SYN	TCP_FL_SYN
#define ACK	TCP_FL_ACK
#define FIN	TCP_FL_FIN
#define RST	TCP_FL_RST
#define PSH	TCP_FL_PSH

#define WIN	65535
#define NOWS	CT_WSCALE_NONE

/* nf_conntrack's default timeouts; NONE takes the SYN_SENT value */
static const volatile __u64 timeouts[CT_STATE_COUNT] = CT_TIMEOUTS_DEFAULT;

/* The two hosts of a trace; the client is canonical side 0 unless swapped. */
enum host { CLI = 0, SRV = 1 };

struct trace {
	struct flow f;
	bool live;		/* a record exists */
	bool in_flows;		/* it would be in the flows map (fast path) */
	int swap;		/* the client is canonical side 1 */
	__u64 now;
	bool fast;		/* the last segment went through ct_track_fast */
	__u8 dir;		/* direction of the last segment */
	__u8 hook[2];		/* CT_HOOK_* of each host's segments, 0: not known */
	bool csum_bad;		/* the next segment has a bad checksum */
	bool ts;		/* the next segment carries the timestamp option */
	bool reused;		/* fl_reuse: the new flow took the old record's place */
	struct ct_result res;
};

static void trace_init(struct trace *t)
{
	memset(t, 0, sizeof(*t));
	t->now = 1000 * SEC;
}

/* seg - host sends one segment; what track() and track_slow() do with it. */
static const struct ct_result *seg(struct trace *t, enum host host, __u8 flags, __u32 seq,
				   __u32 ack, __u32 len, __u16 win, __u8 wscale)
{
	struct ct_pkt p = {
		.seq = seq, .ack = ack, .len = len, .segs = 1,
		.win = win, .flags = flags, .wscale = wscale,
		.csum_bad = t->csum_bad, .hook = t->hook[host], .ts = t->ts,
	};
	__u8 side = (host ^ t->swap) & 1;
	__u8 cls = ct_classify(flags);

	t->now += STEP_NS;
	t->fast = false;
	t->csum_bad = false;
	t->ts = false;
	if (t->live && t->in_flows) {
		t->dir = ct_flow_dir(t->f.ctl, side);
		if (ct_track_fast(&t->f, &p, t->dir, t->now, timeouts[CT_STATE_ESTABLISHED])) {
			memset(&t->res, 0, sizeof(t->res));
			t->res.old_state = CT_STATE_ESTABLISHED;
			t->res.new_state = CT_STATE_ESTABLISHED;
			t->res.ctl = t->f.ctl;
			t->fast = true;
			return &t->res;
		}
	}
	/* the lifecycle decisions of track_slow (flow_life.h) */
	if (t->live && fl_over(&t->f, &p, side, cls, t->now)) {
		t->live = false;
		/* fl_reuse: restarted in place, it stays in the established map */
		t->reused = t->in_flows && fl_reuse(cls);
	}
	if (!t->live) {
		fl_start(&t->f, side, cls);
		t->live = true;
		t->in_flows = t->reused;
		t->reused = false;
	}
	t->dir = ct_flow_dir(t->f.ctl, side);
	ct_track(&t->f, &p, t->dir, t->hook[host], t->now, timeouts, &t->res);
	if (!t->in_flows && fl_promote(&t->f, t->res.ctl))
		t->in_flows = true;
	return &t->res;
}

static __u8 state(const struct trace *t)
{
	return t->f.ctl & CT_CTL_STATE_MASK;
}

/* hist - the history letters, e.g. "ShA". */
static const char *hist(const struct trace *t)
{
	static char buf[CT_HIST_SLOTS + 1];
	unsigned int i;

	for (i = 0; i < CT_HIST_SLOTS && ct_hist_letter(t->f.history, i); i++)
		buf[i] = ct_hist_letter(t->f.history, i);
	buf[i] = 0;
	return buf;
}

/* handshake - client ISN x, server ISN y, window scale ws on both SYNs. */
static void handshake(struct trace *t, __u32 x, __u32 y, __u8 ws)
{
	seg(t, CLI, SYN, x, 0, 0, WIN, ws);
	seg(t, SRV, SYN | ACK, y, x + 1, 0, WIN, ws);
	seg(t, CLI, ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(state(t), CT_STATE_ESTABLISHED);
	assert_true(t->res.completed);
}

/* ---- the handshake (seed-notes §1, §4) and who the originator is ---- */

/* seed-notes §1: 192.168.1.116:3337 -> 192.168.1.123:7788 */
static void test_worked_example_syn_synack_ack_reaches_established(void **s)
{
	const struct ct_result *r;
	struct trace t;

	(void)s;
	trace_init(&t);

	r = seg(&t, CLI, SYN, 3626544836u, 0, 0, 64240, 7);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_int_equal(r->old_state, CT_STATE_NONE);
	assert_int_equal(r->new_state, CT_STATE_SYN_SENT);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_int_equal(r->verdict, CT_VERDICT_ACCEPT);
	assert_false(r->completed);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 3626544836u);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, 3626544837u);
	assert_true(t.f.ctl & CT_CTL_ISN_ORIG);
	assert_false(t.f.ctl & CT_CTL_ISN_RESP);
	assert_string_equal(hist(&t), "S");

	r = seg(&t, SRV, SYN | ACK, 1739326486u, 3626544837u, 0, 65160, 7);
	assert_int_equal(t.dir, CT_DIR_RESP);
	assert_int_equal(r->old_state, CT_STATE_SYN_SENT);
	assert_int_equal(r->new_state, CT_STATE_SYN_RECV);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);
	assert_int_equal(r->verdict, CT_VERDICT_ACCEPT);
	assert_false(r->completed);
	assert_false(r->synack_bad);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, 1739326486u);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack, 3626544837u);
	assert_true(t.f.ctl & CT_CTL_ISN_RESP);
	assert_string_equal(hist(&t), "Sh");

	r = seg(&t, CLI, ACK, 3626544837u, 1739326487u, 0, 502, NOWS);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_int_equal(r->old_state, CT_STATE_SYN_RECV);
	assert_int_equal(r->new_state, CT_STATE_ESTABLISHED);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(r->verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(r->completed, 1);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].ack, 1739326487u);
	assert_true(t.f.ctl & CT_CTL_ESTABLISHED_ONCE);
	assert_true(t.f.ctl & CT_CTL_WINDOW_KNOWN);
	assert_true(t.f.ctl & CT_CTL_WSCALE_OK);
	assert_false(t.f.ctl & (CT_CTL_FIRST_RESP | CT_CTL_SIMOPEN | CT_CTL_ORIG_SIDE));

	assert_string_equal(hist(&t), "ShA");
	assert_int_equal(ct_hist_count(t.f.history), 3);
	assert_int_equal(t.f.anomalies, 0);
	assert_int_equal(r->new_anomalies, 0);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].pkts, 2);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 1);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 0);
	assert_int_equal(t.f.wscale[CT_DIR_ORIG], 7);
	assert_int_equal(t.f.wscale[CT_DIR_RESP], 7);
	/* SYN-ACK -> ACK took one step of the trace clock */
	assert_int_equal(t.f.ack_rtt_us, STEP_NS / 1000);
}

/* both sides send a SYN: SYN_SENT, SYN_SENT2, SYN_RECV, then ESTABLISHED */
static void test_simultaneous_open_reaches_established_via_syn_sent2(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, x, 0, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);

	seg(&t, SRV, SYN, y, 0, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	assert_int_equal(t.res.new_state, CT_STATE_SYN_SENT2);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_true(t.f.ctl & CT_CTL_SIMOPEN);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, y);

	seg(&t, CLI, SYN | ACK, x, y + 1, 0, WIN, NOWS);
	assert_int_equal(t.res.new_state, CT_STATE_SYN_RECV);
	assert_false(t.res.synack_bad);

	/* the other SYN-ACK: nf_conntrack ignores it in SYN_RECV */
	seg(&t, SRV, SYN | ACK, y, x + 1, 0, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_IGNORE);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);

	/* the responder's ACK completes it (nf_conntrack's SIMULTANEOUS_OPEN) */
	seg(&t, SRV, ACK, y + 1, x + 1, 0, WIN, NOWS);
	assert_int_equal(t.res.old_state, CT_STATE_SYN_RECV);
	assert_int_equal(t.res.new_state, CT_STATE_ESTABLISHED);
	assert_int_equal(t.res.completed, 1);
	assert_true(t.f.ctl & CT_CTL_ESTABLISHED_ONCE);
	assert_int_equal(t.f.anomalies, 0);
	assert_string_equal(hist(&t), "Ssa");
}

static void test_retransmitted_syn_same_isn_is_retx_not_anomaly(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 424242, 0, 0, WIN, NOWS);
	assert_false(t.res.syn_retx);
	seg(&t, CLI, SYN, 424242, 0, 0, WIN, NOWS);
	assert_int_equal(t.res.syn_retx, 1);
	assert_int_equal(t.res.synack_retx, 0);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(t.res.new_anomalies, 0);
	assert_int_equal(t.f.anomalies, 0);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 424242);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].pkts, 2);
	assert_string_equal(hist(&t), "S");

	/* and the handshake still completes on that ISN */
	seg(&t, SRV, SYN | ACK, 9000, 424243, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 424243, 9001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.anomalies, 0);
}

static void test_retransmitted_synack_same_isn_is_retx_not_anomaly(void **s)
{
	struct trace t;
	__u64 expires;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_false(t.res.synack_retx);
	expires = t.f.expires_ns;
	t.now += SEC;
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.res.synack_retx, 1);
	assert_int_equal(t.res.verdict, CT_VERDICT_IGNORE);	/* nf_conntrack: sIG */
	assert_int_equal(t.f.expires_ns, expires);
	assert_int_equal(t.res.syn_retx, 0);
	assert_false(t.res.synack_bad);
	assert_int_equal(t.res.new_anomalies, 0);
	assert_int_equal(t.f.anomalies, 0);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, 5000);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 2);
	assert_string_equal(hist(&t), "Sh");

	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.anomalies, 0);
}

/* Karn: a SYN sent twice is marked, so its RTT is not taken */
static void test_syn_sent_twice_is_marked(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].syn_again, 0);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].syn_again, 1);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].syn_again, 0);
}

/* seed-notes §4: the SYN-ACK answers the stale SYN (seq 1000), not the live one */
static void test_stale_syn_synack_acking_old_isn_is_bad_synack_ack(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, CLI, SYN, 2000, 0, 0, WIN, NOWS);	/* the retry, a new ISN */
	assert_int_equal(t.res.syn_retx, 0);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 2000);
	assert_int_equal(t.f.anomalies, 0);

	seg(&t, SRV, SYN | ACK, 4000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_BAD_SYNACK_ACK);
	assert_int_equal(t.f.anomalies, CT_ANOM_BAD_SYNACK_ACK);
	assert_int_equal(t.res.synack_bad, 1);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.res.new_state, CT_STATE_SYN_SENT);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_false(t.f.ctl & CT_CTL_ISN_RESP);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 2000);

	/* the answer to the live SYN is still taken */
	seg(&t, SRV, SYN | ACK, 7000, 2001, 0, WIN, NOWS);
	assert_int_equal(t.res.new_state, CT_STATE_SYN_RECV);
	assert_int_equal(t.res.synack_bad, 0);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, 7000);
	seg(&t, CLI, ACK, 2001, 7001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.anomalies, CT_ANOM_BAD_SYNACK_ACK);
}

static void test_wrong_third_ack_stays_syn_recv(void **s)
{
	struct trace t;

	(void)s;
	/* ack = y instead of y + 1 */
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 1001, 5000, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_BAD_HANDSHAKE_ACK);
	assert_int_equal(t.f.anomalies, CT_ANOM_BAD_HANDSHAKE_ACK);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.res.completed, 0);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);
	assert_false(t.f.ctl & CT_CTL_ESTABLISHED_ONCE);

	/* the right one then completes it */
	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.res.completed, 1);

	/* seq = x + 1000 instead of x + 1 */
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 2000, 5001, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_BAD_HANDSHAKE_ACK);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);
}

/* ct_account: no sequence or ack progress from a segment that failed a check */
static void test_failed_handshake_ack_moves_no_sequence(void **s)
{
	struct trace t;

	(void)s;
	/* wrong seq, no payload: no bytes, the stream end stays after the SYN */
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 2000, 5001, 0, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, 1001);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);

	/* wrong ack: the client's highest ack stays unset */
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 1001, 5000, 0, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].ack, 0);
}

static void test_ack_before_synack_is_anomaly(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_ACK_BEFORE_SYNACK);
	assert_int_equal(t.f.anomalies, CT_ANOM_ACK_BEFORE_SYNACK);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
}

static void test_data_before_established_is_anomaly(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	/* the server talks before the handshake's third segment */
	seg(&t, SRV, ACK | PSH, 5001, 1001, 100, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_DATA_BEFORE_ESTABLISHED);
	assert_int_equal(t.f.anomalies, CT_ANOM_DATA_BEFORE_ESTABLISHED);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 100);
}

/* TCP Fast Open: data on the SYN, acked by the SYN-ACK */
static void test_fast_open_handshake_completes(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, x, 0, 100, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, y, x + 101, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_SYN_RECV);
	assert_int_equal(t.f.anomalies, 0);
	/* the server answers early, before the third ACK is seen */
	seg(&t, SRV, ACK | PSH, y + 1, x + 101, 50, WIN, NOWS);
	seg(&t, CLI, ACK, x + 101, y + 51, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_true(t.res.completed);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 100);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 50);
}

/* Data on a SYN counts only if the SYN-ACK acks it (Fast Open); Linux's
 * tcp_conn_request drops it without a cookie and the client sends it
 * again, counted once. */
static void test_syn_data_counts_only_when_acked(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, x, 0, 50, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);
	seg(&t, SRV, SYN | ACK, y, x + 1, 0, WIN, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 50, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 50);
	assert_string_equal(hist(&t), "ShD");
}

/* the SYN was not seen: its sender is the originator all the same */
static void test_synack_first_makes_receiver_originator(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	assert_int_equal(t.res.new_state, CT_STATE_SYN_RECV);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_SYNACK_WITHOUT_SYN);
	assert_true(t.f.ctl & CT_CTL_FIRST_RESP);
	assert_false(t.f.ctl & CT_CTL_ORIG_SIDE);	/* the client, side 0 */
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, 5000);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 1000);	/* the unseen SYN */
	assert_int_equal(t.f.dir[CT_DIR_ORIG].pkts, 0);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 1);
	assert_string_equal(hist(&t), "h");

	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.res.completed, 1);
	assert_int_equal(t.f.anomalies, CT_ANOM_SYNACK_WITHOUT_SYN);
	assert_string_equal(hist(&t), "hA");

	/* the same with the server on canonical side 0 */
	trace_init(&t);
	t.swap = 1;
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	assert_true(t.f.ctl & CT_CTL_FIRST_RESP);
	assert_true(t.f.ctl & CT_CTL_ORIG_SIDE);	/* the client, side 1 */
	assert_int_equal(t.f.anomalies, CT_ANOM_SYNACK_WITHOUT_SYN);
	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
}

/* A lone SYN-ACK taken as an answer, then a SYN from its own sender: the
 * SYN-ACK answered nothing (Linux's sender would have had to send a SYN
 * first, tcp_rcv_synsent_state_process), so the SYN's sender is the
 * originator and the record turns round. */
static void test_synack_sender_sending_syn_becomes_originator(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN | ACK, 777, 4242, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	seg(&t, CLI, SYN, x, 0, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_false(t.f.ctl & (CT_CTL_ORIG_SIDE | CT_CTL_FIRST_RESP));
	seg(&t, SRV, SYN | ACK, y, x + 1, 0, WIN, NOWS);
	seg(&t, CLI, ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_true(t.res.completed);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, x);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, y);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].pkts, 3);
	assert_string_equal(hist(&t), "HShA");
}

/* the client on canonical side 1 (the higher address) is still the originator */
static void test_originator_on_canonical_side1_keeps_directions(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	t.swap = 1;
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_true(t.f.ctl & CT_CTL_ORIG_SIDE);
	assert_false(t.f.ctl & CT_CTL_FIRST_RESP);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 1000);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, 5000);
	assert_string_equal(hist(&t), "ShA");
	assert_int_equal(t.f.anomalies, 0);
}

/* ---- closes and resets (seed-notes §6, RFC 5961) ---- */

/* seed-notes §6, the client closes first */
static void test_client_close_fin_ack_fin_ack_reaches_time_wait(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);

	seg(&t, CLI, FIN | ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_FIN_WAIT);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, x + 2);
	assert_int_equal(t.f.expires_ns, t.now + 120 * SEC);

	seg(&t, SRV, ACK, y + 1, x + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE_WAIT);
	assert_int_equal(t.f.expires_ns, t.now + 60 * SEC);

	seg(&t, SRV, FIN | ACK, y + 1, x + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_LAST_ACK);
	assert_int_equal(t.f.expires_ns, t.now + 30 * SEC);

	seg(&t, CLI, ACK, x + 2, y + 2, 0, WIN, NOWS);
	assert_false(t.fast);
	assert_int_equal(state(&t), CT_STATE_TIME_WAIT);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(t.f.expires_ns, t.now + 120 * SEC);

	assert_string_equal(hist(&t), "ShAFaf");
	assert_int_equal(t.f.anomalies, 0);
	assert_int_equal(ct_acked_bytes(t.f.dir[CT_DIR_ORIG].isn, t.f.dir[CT_DIR_RESP].ack,
					t.f.dir[CT_DIR_RESP].ack_wraps, 1), 0);
}

/* seed-notes §6, the server closes first */
static void test_server_close_fin_ack_fin_ack_reaches_time_wait(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);

	seg(&t, SRV, FIN | ACK, y + 1, x + 1, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	assert_int_equal(state(&t), CT_STATE_FIN_WAIT);
	seg(&t, CLI, ACK, x + 1, y + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE_WAIT);
	seg(&t, CLI, FIN | ACK, x + 1, y + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_LAST_ACK);
	seg(&t, SRV, ACK, y + 2, x + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_TIME_WAIT);
	assert_int_equal(t.f.expires_ns, t.now + 120 * SEC);

	assert_string_equal(hist(&t), "ShAfFa");
	assert_int_equal(t.f.anomalies, 0);
	assert_true(ct_is_closed(state(&t)));
}

/* the server's FIN rides on the ACK of the client's FIN: CLOSE_WAIT is skipped */
static void test_fin_ack_combined_goes_fin_wait_to_last_ack(void **s)
{
	const __u32 x = 70000, y = 90000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);

	seg(&t, CLI, FIN | ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_FIN_WAIT);
	seg(&t, SRV, FIN | ACK, y + 1, x + 2, 0, WIN, NOWS);
	assert_int_equal(t.res.old_state, CT_STATE_FIN_WAIT);
	assert_int_equal(t.res.new_state, CT_STATE_LAST_ACK);
	seg(&t, CLI, ACK, x + 2, y + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_TIME_WAIT);
	assert_string_equal(hist(&t), "ShAFf");
	assert_int_equal(t.f.anomalies, 0);
}

/* seed-notes §6: the same FIN again is a retransmission; CLOSE_WAIT needs
 * the FIN acked, TIME_WAIT both (tcp_rcv_state_process). */
static void test_fin_retransmission_and_close_need_the_fins_acked(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, FIN | ACK, x + 1, y + 1, 0, WIN, NOWS);
	seg(&t, CLI, FIN | ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_FIN_WAIT);
	seg(&t, SRV, ACK, y + 1, x + 1, 0, WIN, NOWS);	/* not the FIN */
	assert_int_equal(state(&t), CT_STATE_FIN_WAIT);
	seg(&t, SRV, FIN | ACK, y + 1, x + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_LAST_ACK);
	seg(&t, CLI, ACK, x + 2, y + 2, 0, WIN, NOWS);	/* its own FIN unacked */
	assert_int_equal(state(&t), CT_STATE_LAST_ACK);
	seg(&t, SRV, ACK, y + 2, x + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_TIME_WAIT);
}

/* Data beyond a side's FIN: the receiver drops it (tcp_rcv_state_process
 * in CLOSE_WAIT), so it counts nothing. */
static void test_data_after_own_fin_is_refused(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, FIN | ACK, x + 1, y + 1, 0, WIN, NOWS);
	seg(&t, SRV, ACK, y + 1, x + 2, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE_WAIT);
	seg(&t, CLI, ACK | PSH, x + 2, y + 1, 300, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);
}

/* A FIN after a hole is queued by Linux (tcp_data_queue -> ofo) and acts
 * when the receiver acks past it; a forged one ahead in the window is
 * dropped once real data reaches past it (tcp_ofo_queue). */
static void test_fin_after_hole_waits_for_the_hole(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, SRV, FIN | ACK, y + 2903, x + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	seg(&t, CLI, ACK, x + 1, y + 2904, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE_WAIT);
	assert_string_equal(hist(&t), "ShAfg");
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 2902);

	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, SRV, FIN | ACK, y + 501, x + 1, 0, WIN, NOWS);	/* forged */
	seg(&t, SRV, ACK | PSH, y + 1, x + 1, 1000, WIN, NOWS);	/* the real data */
	seg(&t, CLI, ACK, x + 1, y + 1001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 1000);
	/* the real FIN, in order, acts; the forged one never did */
	seg(&t, SRV, FIN | ACK, y + 1001, x + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_FIN_WAIT);
	seg(&t, CLI, ACK, x + 1, y + 1002, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE_WAIT);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 1000);
	assert_string_equal(hist(&t), "ShAfd");

	/* never acked, never filled: the FIN never acts and its hole is no
	 * byte (tcp_data_queue keeps it out of order) */
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, SRV, FIN | ACK, y + 501, x + 1, 0, WIN, NOWS);
	seg(&t, CLI, ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 0);
}

static void test_rst_after_established_closes(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 10, WIN, NOWS);

	seg(&t, CLI, RST | ACK, x + 11, y + 1, 0, 0, NOWS);
	assert_int_equal(t.res.old_state, CT_STATE_ESTABLISHED);
	assert_int_equal(t.res.new_state, CT_STATE_CLOSE);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_int_equal(t.f.expires_ns, t.now + 10 * SEC);
	assert_int_equal(t.f.anomalies, 0);
	assert_string_equal(hist(&t), "ShADR");
	/* a RST carries no payload position: the byte count stays */
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 10);
}

/* connect to a closed port: SYN, then RST|ACK seq 0 ack ISN + 1 */
static void test_refused_connect_closes_with_history_Sr(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 3000000000u, 0, 0, WIN, 7);
	seg(&t, SRV, RST | ACK, 0, 3000000001u, 0, 0, NOWS);
	assert_int_equal(t.dir, CT_DIR_RESP);
	assert_int_equal(t.res.old_state, CT_STATE_SYN_SENT);
	assert_int_equal(t.res.new_state, CT_STATE_CLOSE);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_string_equal(hist(&t), "Sr");
	assert_int_equal(t.f.anomalies, 0);
	assert_false(t.f.ctl & CT_CTL_ESTABLISHED_ONCE);
	assert_int_equal(t.f.expires_ns, t.now + 10 * SEC);

	/* a RST|ACK that does not ack the SYN exactly is no refusal (RFC 793) */
	trace_init(&t);
	seg(&t, CLI, SYN, 3000000000u, 0, 0, WIN, 7);
	seg(&t, SRV, RST | ACK, 0, 3000000002u, 0, 0, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_RST_OUT_OF_WINDOW);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
}

/* ... while a reset at the seq the peer acked, or right after the sender's
 * own last segment, closes at once */
static void test_exact_rst_closes(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 100, WIN, NOWS);
	seg(&t, SRV, ACK, y + 1, x + 101, 0, WIN, NOWS);
	seg(&t, CLI, RST, x + 101, 0, 0, 0, NOWS);	/* = the server's ack */
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_int_equal(t.f.anomalies, 0);

	/* data in flight, not yet acked: the RST follows the sender's end */
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 100, WIN, NOWS);
	seg(&t, CLI, RST | ACK, x + 101, y + 1, 0, 0, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_int_equal(t.f.anomalies, 0);
}

/* RFC 5961: an in-window reset not at the exact seq may be blind. It
 * keeps the state, but shortens the timeout to CLOSE's. */
static void test_inexact_rst_keeps_established_with_close_timeout(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, 7);
	seg(&t, SRV, ACK, y + 1, x + 1, 0, WIN, NOWS);
	seg(&t, CLI, RST, x + 1 + 500000, 0, 0, 0, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_RST_SEQ_INEXACT);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(t.f.expires_ns, t.now + timeouts[CT_STATE_CLOSE]);
	assert_string_equal(hist(&t), "ShAaR");
	/* traffic goes on: the flow lives on with its own timeout */
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 10, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.expires_ns, t.now + timeouts[CT_STATE_ESTABLISHED]);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 10);
}

/* seed-notes §4: the client's RST for the stale SYN-ACK (seq = old ISN + 1)
 * does not end its live attempt */
static void test_rst_of_stale_attempt_keeps_live_handshake(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, CLI, SYN, 2000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 4000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_BAD_SYNACK_ACK);
	seg(&t, CLI, RST, 1001, 0, 0, 0, NOWS);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_RST_SEQ_INEXACT);
	seg(&t, SRV, SYN | ACK, 7000, 2001, 0, WIN, NOWS);
	seg(&t, CLI, ACK, 2001, 7001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_true(t.res.completed);
	/* and the stale SYN-ACK left no sequence behind: a pure ACK of the
	 * server counts no bytes */
	seg(&t, SRV, ACK, 7001, 2001, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 0);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);
}

/* tcp_validate_incoming checks RST first: RST|FIN at rcv_nxt resets. */
static void test_rst_fin_is_a_reset(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, SRV, RST | FIN | ACK, y + 1, x + 1, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_string_equal(hist(&t), "ShAr");
}

/* A lone reset's payload (a diagnostic text) is not stream data */
static void test_rst_payload_is_not_counted(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, SRV, RST | ACK, 5001, 1001, 40, 0, NOWS);
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_int_equal(t.f.dir[0].bytes + t.f.dir[1].bytes, 0);
}

/* tcp_timewait_state_process: a SYN reuses a TIME_WAIT tuple only with a
 * seq after the old rcv_nxt; after a reset the tuple is free. */
static void test_time_wait_reuse_needs_seq_after_old_end(void **s)
{
	(void)s;
	assert_true(ct_reopen_allowed(CT_STATE_TIME_WAIT, 2000, 1500, 0));
	assert_false(ct_reopen_allowed(CT_STATE_TIME_WAIT, 1400, 1500, 0));
	assert_false(ct_reopen_allowed(CT_STATE_TIME_WAIT, 1500, 1500, 0));
	/* with a timestamp the host compares it to the last one it saw: a
	 * Linux peer's reconnect passes, and the record keeps none to compare */
	assert_true(ct_reopen_allowed(CT_STATE_TIME_WAIT, 1400, 1500, 1));
	assert_true(ct_reopen_allowed(CT_STATE_CLOSE, 1, 1500, 0));
	assert_false(ct_reopen_allowed(CT_STATE_ESTABLISHED, 2000, 1500, 1));
}

/* close - the client closes first: FIN, ACK, FIN, ACK (ends in TIME_WAIT) */
static void close_client_first(struct trace *t, __u32 x, __u32 y)
{
	seg(t, CLI, FIN | ACK, x + 1, y + 1, 0, WIN, NOWS);
	seg(t, SRV, ACK, y + 1, x + 2, 0, WIN, NOWS);
	seg(t, SRV, FIN | ACK, y + 1, x + 2, 0, WIN, NOWS);
	seg(t, CLI, ACK, x + 2, y + 2, 0, WIN, NOWS);
	assert_int_equal(state(t), CT_STATE_TIME_WAIT);
}

/* tcp_timewait_state_process: a SYN at or before the old rcv_nxt, without
 * a timestamp, is answered with an ACK: the TIME_WAIT record stays as it
 * was, nothing new starts, no anomaly. */
static void test_time_wait_refused_syn_changes_nothing(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;
	struct flow before;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, 7);
	close_client_first(&t, x, y);
	before = t.f;
	seg(&t, CLI, SYN, x + 1, 0, 0, WIN, 7);	/* seq x + 1 < rcv_nxt x + 2 */
	assert_int_equal(state(&t), CT_STATE_TIME_WAIT);
	assert_true(t.in_flows);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, x);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, x + 2);
	assert_int_equal(t.f.anomalies, 0);
	assert_int_equal(t.f.expires_ns, before.expires_ns);
	assert_int_equal(t.res.old_state, t.res.new_state);
}

/* ... and a SYN after rcv_nxt (or with a timestamp) is a new connection,
 * started in the old record's place (fl_reuse): still in the established
 * map, a fresh SYN_SENT record. */
static void test_time_wait_reuse_restarts_in_place(void **s)
{
	const __u32 x = 1000, y = 5000, x2 = 900;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, 7);
	close_client_first(&t, x, y);
	seg(&t, CLI, SYN, x + 100000, 0, 0, WIN, 7);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_true(t.in_flows);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, x + 100000);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].pkts, 1);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 0);
	assert_string_equal(hist(&t), "S");
	/* a lower ISN with the timestamp option: Linux compares timestamps */
	trace_init(&t);
	handshake(&t, x, y, 7);
	close_client_first(&t, x, y);
	t.ts = true;
	seg(&t, CLI, SYN, x2, 0, 0, WIN, 7);
	assert_int_equal(state(&t), CT_STATE_SYN_SENT);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, x2);
}

/* ---- sequence space, acks and bytes (seed-notes §2, §3) ---- */

static void test_seq_compare_is_modulo_2_32(void **s)
{
	(void)s;
	assert_true(seq_before(0xfffffff6u, 0x5au));
	assert_true(seq_after(0x5au, 0xfffffff6u));
	assert_false(seq_before(0x5au, 0xfffffff6u));
	assert_false(seq_after(0xfffffff6u, 0x5au));
	assert_true(seq_before(0xffffffffu, 0));
	assert_true(seq_after(0, 0xffffffffu));
	assert_false(seq_before(1234, 1234));
	assert_false(seq_after(1234, 1234));
	assert_true(seq_before(100, 200));
	assert_true(seq_after(200, 100));
	/* half the space ahead is "after", the rest "before" */
	assert_true(seq_after(0x7fffffffu, 0));
	assert_true(seq_before(0x80000001u, 0));
}

/* seed-notes §2: ISN 2^32 - 10, 100 bytes of data run through 0 */
static void test_seq_wrap_counts_bytes_and_flags_wrapped(void **s)
{
	const __u32 x = 0xfffffff6u, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 4294967286u);

	seg(&t, CLI, ACK, x + 1, y + 1, 100, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 100);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, 91);	/* 2^32 - 9 + 100 - 2^32 */
	assert_true(t.res.new_anomalies & CT_ANOM_SEQ_WRAPPED);
	assert_int_equal(t.f.anomalies, CT_ANOM_SEQ_WRAPPED);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);

	seg(&t, SRV, ACK, y + 1, 91, 0, WIN, NOWS);
	assert_int_equal(t.f.anomalies, CT_ANOM_SEQ_WRAPPED);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack, 91);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack_wraps, 0);
	assert_int_equal(ct_acked_bytes(t.f.dir[CT_DIR_ORIG].isn, t.f.dir[CT_DIR_RESP].ack,
					t.f.dir[CT_DIR_RESP].ack_wraps, 0), 100);

	/* the next 50 bytes, after the wrap, are in order (fast path) */
	seg(&t, CLI, ACK, 91, y + 1, 50, WIN, NOWS);
	assert_true(t.fast);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 150);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, 141);
	assert_int_equal(t.f.anomalies, CT_ANOM_SEQ_WRAPPED);
}

/* seed-notes §3: seq 400 with 100 bytes is acked by 500, so 100 bytes, not 101 */
static void test_acked_bytes_ack_is_next_expected_byte(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, 399, 7000, NOWS);
	seg(&t, CLI, ACK | PSH, 400, 7001, 100, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, 500);
	seg(&t, SRV, ACK, 7001, 500, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack, 500);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 100);
	assert_int_equal(ct_acked_bytes(t.f.dir[CT_DIR_ORIG].isn, t.f.dir[CT_DIR_RESP].ack,
					t.f.dir[CT_DIR_RESP].ack_wraps, 0), 100);

	/* the FIN takes one sequence number, not a byte */
	seg(&t, CLI, FIN | ACK, 500, 7001, 0, WIN, NOWS);
	seg(&t, SRV, ACK, 7001, 501, 0, WIN, NOWS);
	assert_int_equal(ct_acked_bytes(t.f.dir[CT_DIR_ORIG].isn, t.f.dir[CT_DIR_RESP].ack,
					t.f.dir[CT_DIR_RESP].ack_wraps, 1), 100);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 100);

	assert_int_equal(ct_acked_bytes(399, 500, 0, 0), 100);
	assert_int_equal(ct_acked_bytes(399, 400, 0, 0), 0);
	assert_int_equal(ct_acked_bytes(399, 400, 0, 1), 0);
	assert_int_equal(ct_acked_bytes(1000, 1101, 1, 0), (1ull << 32) + 100);
	assert_int_equal(ct_acked_bytes(0xfffffff6u, 91, 0, 0), 100);
}

/* 5 GiB in 1 GiB segments: the ack passes the ISN once, wraps = 1 */
static void test_acked_bytes_over_4gib_counts_ack_wraps(void **s)
{
	const __u32 x = 1000, y = 2000, gib = 1u << 30;
	struct trace t;
	__u32 i;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, 14);
	for (i = 0; i < 5; i++) {
		seg(&t, CLI, ACK, x + 1 + i * gib, y + 1, gib, WIN, NOWS);
		assert_int_equal(t.res.new_anomalies & ~CT_ANOM_SEQ_WRAPPED, 0);
		seg(&t, SRV, ACK, y + 1, x + 1 + (i + 1) * gib, 0, WIN, NOWS);
		assert_int_equal(t.res.new_anomalies, 0);
	}
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 5ull << 30);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack, x + 1 + gib);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack_wraps, 1);
	assert_int_equal(t.f.anomalies, CT_ANOM_SEQ_WRAPPED);
	assert_int_equal(ct_acked_bytes(t.f.dir[CT_DIR_ORIG].isn, t.f.dir[CT_DIR_RESP].ack,
					t.f.dir[CT_DIR_RESP].ack_wraps, 0), 5ull << 30);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
}

/* bytes by sequence number: a retransmission adds a packet, no bytes */
static void test_retransmitted_data_counts_bytes_once(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);

	seg(&t, SRV, ACK, y + 1, x + 1, 100, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 100);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 2);

	seg(&t, SRV, ACK, y + 1, x + 1, 100, WIN, NOWS);	/* slow path: new letter */
	assert_false(t.fast);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 100);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 3);
	assert_string_equal(hist(&t), "ShAdt");
	assert_int_equal(t.f.anomalies, 0);

	seg(&t, SRV, ACK, y + 1, x + 1, 100, WIN, NOWS);	/* fast path */
	assert_true(t.fast);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 100);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 4);

	/* a retransmission with 100 new bytes on its tail adds those only */
	seg(&t, SRV, ACK, y + 1, x + 1, 200, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 200);
	assert_int_equal(t.f.dir[CT_DIR_RESP].pkts, 5);
	assert_int_equal(t.f.dir[CT_DIR_RESP].end, y + 201);
	assert_string_equal(hist(&t), "ShAdt");
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);
}

static void test_ack_of_unsent_data_is_anomaly(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK, x + 1, y + 1 + 5000, 0, WIN, NOWS);
	assert_false(t.fast);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_ACK_UNSENT_DATA);
	assert_int_equal(t.f.anomalies, CT_ANOM_ACK_UNSENT_DATA);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].ack, y + 1);	/* not taken */
	/* one such ack is no gap yet (Linux's tcp_ack drops it): the gap is
	 * recorded when a second ack or the peer's own data confirms it */
	assert_string_equal(hist(&t), "ShA");
}

/* seed-notes §3: 100 bytes from seq 400 are acked as 500; 501 acks unsent
 * data (tcp_ack: after snd_nxt), refused. */
static void test_ack_one_past_the_peer_data_is_unsent(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, 399, 7000, NOWS);
	seg(&t, CLI, ACK | PSH, 400, 7001, 100, WIN, NOWS);
	seg(&t, SRV, ACK, 7001, 500, 0, WIN, NOWS);
	assert_int_equal(t.f.anomalies, 0);
	seg(&t, SRV, ACK, 7001, 501, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_ACK_UNSENT_DATA);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack, 500);
}

/* ---- capture loss: gaps and resynchronisation ---- */

/* A hole is a gap (Zeek's 'g') only once the peer acks past it; a hole
 * filled later is a retransmission, as Zeek's reassembler says. */
static void test_gap_only_when_acked_past_not_when_filled(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 100, WIN, NOWS);
	seg(&t, CLI, ACK | PSH, x + 201, y + 1, 100, WIN, NOWS);
	assert_string_equal(hist(&t), "ShAD");
	seg(&t, CLI, ACK | PSH, x + 101, y + 1, 100, WIN, NOWS);
	seg(&t, SRV, ACK, y + 1, x + 301, 0, WIN, NOWS);
	assert_string_equal(hist(&t), "ShADTa");

	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 100, WIN, NOWS);
	seg(&t, CLI, ACK | PSH, x + 201, y + 1, 100, WIN, NOWS);
	seg(&t, SRV, ACK, y + 1, x + 301, 0, WIN, NOWS);
	assert_string_equal(hist(&t), "ShADaG");
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 300);	/* by seq, as Zeek */
}

/* Capture loss: the peer acks data never seen. The first ack is refused;
 * a second one is the peer's view, taken with its bytes and a gap, and
 * the flow goes on (never frozen). */
static void test_second_ack_of_unseen_data_resynchronises(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;
	__u64 exp;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 1000, WIN, NOWS);
	seg(&t, SRV, ACK, y + 1, x + 70001, 0, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	exp = t.f.expires_ns;
	seg(&t, SRV, ACK, y + 1, x + 80001, 0, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_true(t.f.expires_ns > exp);
	assert_string_equal(hist(&t), "ShADaG");
	seg(&t, CLI, ACK | PSH, x + 80001, y + 1, 1000, WIN, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 81000);
}

/* ---- forged and blind segments: what the host would not act on ---- */

/* established - the seed-notes §1 handshake (x, y, window scale 7) and
 * 100 bytes each way, acked; hooks as given. */
static void established(struct trace *t, __u32 x, __u32 y)
{
	handshake(t, x, y, 7);
	seg(t, CLI, ACK | PSH, x + 1, y + 1, 100, 502, NOWS);
	seg(t, SRV, ACK | PSH, y + 1, x + 101, 100, 509, NOWS);
	seg(t, CLI, ACK, x + 101, y + 101, 0, 502, NOWS);
	assert_int_equal(state(t), CT_STATE_ESTABLISHED);
}

static void test_data_beyond_scaled_window_is_out_of_window(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	/* RFC 7323 §2.2: the SYN-ACK's 65535 is not scaled, so right after
	 * the handshake 1 MB ahead is outside the server's window */
	trace_init(&t);
	handshake(&t, x, y, 7);
	seg(&t, CLI, ACK, x + 1 + 1000000, y + 1, 100, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_SEQ_OUT_OF_WINDOW);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);

	/* once the server advertises 65535 << 7 = 8388480, it is inside */
	trace_init(&t);
	handshake(&t, x, y, 7);
	seg(&t, SRV, ACK, y + 1, x + 1, 0, WIN, NOWS);
	seg(&t, CLI, ACK, x + 1 + 1000000, y + 1, 100, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, 0);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);

	/* 100 MB ahead is not */
	trace_init(&t);
	handshake(&t, x, y, 7);
	seg(&t, SRV, ACK, y + 1, x + 1, 0, WIN, NOWS);
	seg(&t, CLI, ACK, x + 1 + 100000000, y + 1, 100, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_SEQ_OUT_OF_WINDOW);
	assert_int_equal(t.f.anomalies, CT_ANOM_SEQ_OUT_OF_WINDOW);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 0);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, x + 1);
}

static void test_blind_rst_outside_window_keeps_established(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;
	__u64 expires;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, 7);

	expires = t.f.expires_ns;
	seg(&t, SRV, RST, y + 1 + 100000000, 0, 0, 0, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_RST_OUT_OF_WINDOW);
	assert_int_equal(t.f.expires_ns, expires);	/* invalid: no refresh */
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.res.new_state, CT_STATE_ESTABLISHED);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);

	/* below what the client already acked */
	seg(&t, SRV, RST | ACK, y + 1 - 1000, x + 1, 0, 0, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.anomalies, CT_ANOM_RST_OUT_OF_WINDOW);

	/* exactly where the client expects data: the connection ends */
	seg(&t, SRV, RST | ACK, y + 1, x + 1, 0, 0, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(t.res.new_anomalies, 0);
	assert_int_equal(state(&t), CT_STATE_CLOSE);
	assert_int_equal(t.f.expires_ns, t.now + 10 * SEC);
}

/* Blind teardown (issue 10.1): FINs at X and X + 2^31 fail one of
 * tcp_in_window's bounds (I or II); a FIN without ACK is discarded by
 * tcp_rcv_state_process; a new ISN's SYN on a live flow is ignored. */
static void test_blind_fins_and_fin_without_ack_keep_established(void **s)
{
	const __u32 x = 1000, y = 5000, blind = 0x9e3779b9u;
	struct trace t;

	(void)s;
	trace_init(&t);
	established(&t, x, y);
	seg(&t, CLI, FIN | ACK, blind, y + 101, 0, 502, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	seg(&t, CLI, FIN | ACK, blind + 0x80000000u, y + 101, 0, 502, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	seg(&t, SRV, FIN | ACK, blind, x + 101, 0, 509, NOWS);
	seg(&t, SRV, FIN | ACK, blind + 0x80000000u, x + 101, 0, 509, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	seg(&t, CLI, FIN, x + 101, 0, 0, 502, NOWS);	/* exact seq, no ACK */
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.anomalies, CT_ANOM_SEQ_OUT_OF_WINDOW);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, x + 101);
	assert_int_equal(t.f.dir[CT_DIR_RESP].end, y + 101);
}

static void test_syn_with_new_isn_on_established_is_anomaly(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);
	seg(&t, CLI, SYN, 123456789, 0, 0, WIN, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_SYN_ON_ESTABLISHED);
	assert_int_equal(t.f.anomalies, CT_ANOM_SYN_ON_ESTABLISHED);
	assert_int_equal(t.res.verdict, CT_VERDICT_IGNORE);
	assert_int_equal(t.res.syn_retx, 0);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, x);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, x + 1);
}

/* A SYN with a new ISN once the SYN is answered: ignored (nf_conntrack),
 * the live handshake completes */
static void test_blind_syn_in_syn_recv_is_ignored(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	seg(&t, CLI, SYN, 777777, 0, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 1000);
	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_true(t.res.completed);
}

/* A blind segment acking "unseen" data cannot prepare a resync: only one
 * inside the window is remembered (ct_check_ack), so blind FINs after it
 * still fail tcp_in_window's bounds. */
static void test_blind_unsent_ack_prepares_no_resync(void **s)
{
	const __u32 x = 1000, y = 5000, blind = 0x9e3779b9u;
	struct trace t;

	(void)s;
	trace_init(&t);
	established(&t, x, y);
	seg(&t, SRV, ACK, blind, x + 100000, 0, 509, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_false(t.f.ctl & CT_CTL_UNSEEN(CT_DIR_ORIG));
	seg(&t, CLI, FIN | ACK, blind, y + 101, 0, 502, NOWS);
	seg(&t, CLI, FIN | ACK, blind + 0x80000000u, y + 101, 0, 502, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	/* the same ack inside the window is remembered, and a second one
	 * resynchronises */
	seg(&t, SRV, ACK, y + 101, x + 30000, 0, 509, NOWS);
	assert_true(t.f.ctl & CT_CTL_UNSEEN(CT_DIR_ORIG));
	seg(&t, SRV, ACK, y + 101, x + 30001, 0, 509, NOWS);
	assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].end, x + 30001);
}

/* A verified bad checksum (tcp_v4_rcv drops it in tcp_checksum_complete):
 * nothing changes but Zeek's 'c'/'C'. */
static void test_bad_checksum_changes_nothing_but_letter_c(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct flow before;
	struct trace t;

	(void)s;
	trace_init(&t);
	established(&t, x, y);
	memcpy(&before, &t.f, sizeof(before));
	t.csum_bad = true;
	seg(&t, SRV, RST, y + 101, 0, 0, 0, NOWS);
	assert_true(t.res.csum_bad);
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_string_equal(hist(&t), "ShADdc");
	before.history = t.f.history;
	assert_memory_equal(&before, &t.f, sizeof(before));
}

/* One host sending both sides through ingress: the handshake is tracked
 * but neither counted as two-way nor given an established-map slot. */
static void test_forged_handshake_through_one_hook_stays_halfopen(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	t.hook[CLI] = t.hook[SRV] = CT_HOOK_INGRESS;
	handshake(&t, x, y, NOWS);
	assert_false(t.in_flows);
	assert_false(ct_two_way(&t.f, t.f.ctl));
	assert_int_equal(t.f.anomalies, CT_ANOM_ONE_HOOK_BOTH_WAYS);
	/* and it is not kept for five days */
	seg(&t, CLI, ACK, x + 1, y + 1, 10, WIN, NOWS);
	assert_true(t.f.expires_ns - t.now <= CT_UNCONFIRMED_TIMEOUT_NS ||
		    t.f.expires_ns - t.now == timeouts[CT_STATE_ESTABLISHED]);

	/* the same handshake with the reply leaving through egress */
	trace_init(&t);
	t.hook[CLI] = CT_HOOK_INGRESS;
	t.hook[SRV] = CT_HOOK_EGRESS;
	handshake(&t, x, y, NOWS);
	assert_true(t.in_flows);
	assert_true(ct_two_way(&t.f, t.f.ctl));
	assert_int_equal(t.f.anomalies, 0);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].hooks, CT_HOOK_INGRESS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].hooks, CT_HOOK_EGRESS);
}

/* Forged "local" data arriving on ingress: Linux's ip_route_input drops a
 * packet whose source is a local address (martian source). The fast path
 * checks the hook, so the slow path flags it and counts no byte. */
static void test_fast_path_sends_peer_hook_segment_to_slow_path(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	t.hook[CLI] = CT_HOOK_INGRESS;
	t.hook[SRV] = CT_HOOK_EGRESS;
	established(&t, x, y);
	assert_true(t.in_flows);
	seg(&t, SRV, ACK | PSH, y + 101, x + 101, 100, 509, NOWS);
	assert_true(t.fast);
	t.hook[SRV] = CT_HOOK_INGRESS;	/* the forged one */
	seg(&t, SRV, ACK | PSH, y + 201, x + 101, 1000, 509, NOWS);
	assert_false(t.fast);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_ONE_HOOK_BOTH_WAYS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 200);
}

/* A segment the state machine refuses records no hook, so one junk frame
 * through the wrong hook cannot keep a real flow half-open. */
static void test_refused_segment_records_no_hook(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	t.hook[CLI] = CT_HOOK_INGRESS;
	t.hook[SRV] = CT_HOOK_EGRESS;
	seg(&t, CLI, SYN, x, 0, 0, WIN, 7);
	t.hook[SRV] = CT_HOOK_INGRESS;
	seg(&t, SRV, SYN | ACK, y, x + 77, 0, WIN, 7);	/* acks nothing live */
	assert_int_equal(t.res.verdict, CT_VERDICT_INVALID);
	assert_int_equal(t.f.dir[CT_DIR_RESP].hooks, 0);
	t.hook[SRV] = CT_HOOK_EGRESS;
	seg(&t, SRV, SYN | ACK, y, x + 1, 0, WIN, 7);
	seg(&t, CLI, ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_true(t.in_flows);
	assert_int_equal(t.f.anomalies & CT_ANOM_ONE_HOOK_BOTH_WAYS, 0);
}

/* tcp_validate_incoming checks RST before SYN and ignores FIN on a reset:
 * RST|FIN and SYN|RST are resets (an earlier version called them invalid,
 * as nf_conntrack's tcp_valid_flags does; the host acts on them). */
static void test_flags_valid_rejects_impossible_combinations(void **s)
{
	(void)s;
	assert_int_equal(ct_flags_valid(SYN | FIN), 0);
	assert_int_equal(ct_flags_valid(SYN | FIN | PSH | TCP_FL_URG), 0); /* Xmas, no RST */
	assert_int_equal(ct_flags_valid(SYN | RST), 1);
	assert_int_equal(ct_flags_valid(FIN | RST), 1);
	assert_int_equal(ct_flags_valid(FIN | RST | ACK), 1);
	assert_int_equal(ct_flags_valid(SYN | FIN | RST | ACK | PSH | TCP_FL_URG), 1);
	assert_int_equal(ct_classify(FIN | RST | ACK), CT_CLASS_RST);
	assert_int_equal(ct_classify(SYN | RST), CT_CLASS_RST);
	assert_int_equal(ct_flags_valid(0), 0);
	assert_int_equal(ct_flags_valid(PSH), 0);
	assert_int_equal(ct_flags_valid(PSH | TCP_FL_URG | TCP_FL_ECE | TCP_FL_CWR), 0);

	assert_int_equal(ct_flags_valid(FIN), 1);
	assert_int_equal(ct_flags_valid(SYN), 1);
	assert_int_equal(ct_flags_valid(SYN | ACK), 1);
	assert_int_equal(ct_flags_valid(SYN | TCP_FL_ECE | TCP_FL_CWR), 1);
	assert_int_equal(ct_flags_valid(ACK), 1);
	assert_int_equal(ct_flags_valid(ACK | PSH), 1);
	assert_int_equal(ct_flags_valid(FIN | ACK), 1);
	assert_int_equal(ct_flags_valid(RST), 1);
	assert_int_equal(ct_flags_valid(RST | ACK), 1);
}

static void test_classify_order_rst_syn_fin_ack(void **s)
{
	(void)s;
	assert_int_equal(ct_classify(RST | SYN | FIN | ACK), CT_CLASS_RST);
	assert_int_equal(ct_classify(RST | ACK), CT_CLASS_RST);
	assert_int_equal(ct_classify(RST), CT_CLASS_RST);
	assert_int_equal(ct_classify(SYN | FIN | ACK), CT_CLASS_SYNACK);
	assert_int_equal(ct_classify(SYN | FIN), CT_CLASS_SYN);
	assert_int_equal(ct_classify(SYN | ACK), CT_CLASS_SYNACK);
	assert_int_equal(ct_classify(SYN), CT_CLASS_SYN);
	assert_int_equal(ct_classify(FIN | ACK | PSH), CT_CLASS_FIN);
	assert_int_equal(ct_classify(FIN), CT_CLASS_FIN);
	assert_int_equal(ct_classify(ACK | PSH), CT_CLASS_ACK);
	assert_int_equal(ct_classify(ACK), CT_CLASS_ACK);
	assert_int_equal(ct_classify(PSH), CT_CLASS_NONE);
	assert_int_equal(ct_classify(0), CT_CLASS_NONE);
}

/* ---- flows picked up mid-stream ---- */

static void test_midstream_ack_is_established_midstream(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, ACK, 50000, 90000, 0, WIN, NOWS);
	assert_int_equal(t.dir, CT_DIR_ORIG);
	assert_int_equal(t.res.old_state, CT_STATE_NONE);
	assert_int_equal(t.res.new_state, CT_STATE_ESTABLISHED);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_MIDSTREAM);
	assert_int_equal(t.f.anomalies, CT_ANOM_MIDSTREAM);
	assert_int_equal(t.res.completed, 0);
	assert_false(t.f.ctl & (CT_CTL_ISN_ORIG | CT_CTL_ISN_RESP | CT_CTL_ESTABLISHED_ONCE));
	/* Zeek's start = seq - 1; the silent peer's data starts at the ack */
	assert_int_equal(t.f.dir[CT_DIR_ORIG].isn, 49999);
	assert_int_equal(t.f.dir[CT_DIR_RESP].isn, 89999);
	assert_int_equal(t.f.dir[CT_DIR_RESP].end, 90000);
	assert_string_equal(hist(&t), "A");
}

/* Picked up mid-stream with the receiver's acks lagging behind the
 * sender's first segment seen: no false 4 GiB ack wrap */
static void test_pickup_with_lagging_acks_counts_no_wrap(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, ACK | PSH, 101448, 9000, 1448, 502, NOWS);
	seg(&t, SRV, ACK, 9000, 100000, 0, 509, NOWS);
	seg(&t, SRV, ACK, 9000, 102896, 0, 509, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].ack_wraps, 0);
	assert_true(ct_acked_bytes(t.f.dir[CT_DIR_ORIG].isn, t.f.dir[CT_DIR_RESP].ack,
				   t.f.dir[CT_DIR_RESP].ack_wraps, 0) < 1ull << 20);

	/* the other order: an ack first (its sender is the originator now),
	 * then the segment it lags */
	trace_init(&t);
	seg(&t, SRV, ACK, 9000, 100000, 0, 509, NOWS);
	seg(&t, CLI, ACK | PSH, 101448, 9000, 1448, 502, NOWS);
	seg(&t, SRV, ACK, 9000, 102896, 0, 509, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].ack_wraps, 0);
	assert_int_equal(ct_acked_bytes(t.f.dir[CT_DIR_RESP].isn, t.f.dir[CT_DIR_ORIG].ack,
					t.f.dir[CT_DIR_ORIG].ack_wraps, 0), 2896);
}

/* An idle connection picked up through a keepalive (seq = snd_nxt - 1):
 * its answer acks snd_nxt, which is valid, now and at the next probe */
static void test_keepalive_pickup_is_valid(void **s)
{
	struct trace t;
	int i;

	(void)s;
	trace_init(&t);
	for (i = 0; i < 2; i++) {
		seg(&t, CLI, ACK, 100000 - 1, 9000, 0, 502, NOWS);
		assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
		seg(&t, SRV, ACK, 9000, 100000, 0, 509, NOWS);
		assert_int_equal(t.res.verdict, CT_VERDICT_ACCEPT);
		t.now += 75 * SEC;
	}
	assert_int_equal(t.f.anomalies & ~CT_ANOM_MIDSTREAM, 0);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
}

/* A SYN-ACK that arrives after the flow was picked up from later data does
 * not rewind the responder's sequence, so no byte counts twice */
static void test_late_synack_after_pickup_counts_no_byte_twice(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, ACK, 1001, 5001, 0, WIN, NOWS);
	seg(&t, SRV, ACK | PSH, 5001, 1001, 1000, WIN, NOWS);
	seg(&t, SRV, ACK | PSH, 6001, 1001, 1000, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	seg(&t, SRV, ACK | PSH, 7001, 1001, 1000, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 3000);
}

/* A flow picked up mid-stream has no window scale: a jump is bounded by
 * the liberal window (at most 2^30), so no packet adds 2^31 bytes. */
static void test_pickup_cannot_be_inflated_by_2_31(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, ACK | PSH, 100000, 9000, 100, 502, NOWS);
	seg(&t, SRV, ACK, 9000, 100100, 0, 509, NOWS);
	seg(&t, CLI, ACK | PSH, 100100 + 0x7ffff000u, 9000, 100, 502, NOWS);
	assert_int_equal(t.res.new_anomalies, CT_ANOM_SEQ_OUT_OF_WINDOW);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].bytes, 100);
}

/* A stale SYN-ACK as the server's first packet, then its pure ACK: that
 * side's sequence starts at the ACK, not at 0 */
static void test_rejected_first_packet_leaves_no_byte_garbage(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	seg(&t, SRV, SYN | ACK, 4000, 999, 0, WIN, NOWS);	/* acks nothing live */
	assert_int_equal(t.res.new_anomalies, CT_ANOM_BAD_SYNACK_ACK);
	seg(&t, SRV, ACK | PSH, 5501, 1001, 0, WIN, NOWS);
	assert_int_equal(t.f.dir[CT_DIR_RESP].bytes, 0);
}

/* A lone ACK nobody answered is established, but not for five days */
static void test_unanswered_pickup_gets_short_timeout(void **s)
{
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, ACK, 1000, 5000, 0, WIN, NOWS);
	assert_int_equal(state(&t), CT_STATE_ESTABLISHED);
	assert_int_equal(t.f.expires_ns, t.now + CT_UNCONFIRMED_TIMEOUT_NS);
	seg(&t, SRV, ACK, 5000, 1000, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + timeouts[CT_STATE_ESTABLISHED]);
}

/* ---- timeouts and the history word ---- */

static void test_expiry_follows_timeout_of_new_state(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, x, 0, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 120 * SEC);
	t.now += 2 * SEC;
	seg(&t, SRV, SYN | ACK, y, x + 1, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 60 * SEC);
	seg(&t, CLI, ACK, x + 1, y + 1, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 432000 * SEC);
	t.now += 30 * SEC;
	seg(&t, SRV, ACK, y + 1, x + 1, 10, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 432000 * SEC);
	t.now += 30 * SEC;
	seg(&t, SRV, ACK, y + 11, x + 1, 10, WIN, NOWS);	/* fast path refreshes too */
	assert_true(t.fast);
	assert_int_equal(t.f.expires_ns, t.now + 432000 * SEC);
	seg(&t, CLI, FIN | ACK, x + 1, y + 21, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 120 * SEC);
	seg(&t, SRV, ACK, y + 21, x + 2, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 60 * SEC);
	seg(&t, SRV, FIN | ACK, y + 21, x + 2, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 30 * SEC);
	seg(&t, CLI, ACK, x + 2, y + 22, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 120 * SEC);
}

/* nf_conntrack: an unanswered SYN sent again does not extend SYN_SENT */
static void test_retransmitted_syn_without_reply_does_not_refresh_expiry(void **s)
{
	struct trace t;
	__u64 first;

	(void)s;
	trace_init(&t);
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	first = t.f.expires_ns;
	assert_int_equal(first, t.now + 120 * SEC);
	t.now += 3 * SEC;
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	assert_int_equal(t.res.syn_retx, 1);
	assert_int_equal(t.f.expires_ns, first);
	t.now += 6 * SEC;
	seg(&t, CLI, SYN, 1000, 0, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, first);
	assert_int_equal(t.f.dir[CT_DIR_ORIG].pkts, 3);
	/* the answer does refresh it */
	seg(&t, SRV, SYN | ACK, 5000, 1001, 0, WIN, NOWS);
	assert_int_equal(t.f.expires_ns, t.now + 60 * SEC);
}

/* The last slots of the history are kept for F, f, R, r */
static void test_busy_history_keeps_close_letters(void **s)
{
	const __u32 x = 1000, y = 5000;
	struct trace t;

	(void)s;
	trace_init(&t);
	handshake(&t, x, y, NOWS);					/* ShA */
	seg(&t, CLI, ACK | PSH, x + 1, y + 1, 100, WIN, NOWS);		/* D */
	seg(&t, SRV, ACK | PSH, y + 1, x + 101, 100, WIN, NOWS);	/* d */
	seg(&t, CLI, ACK | PSH, x + 1, y + 101, 100, WIN, NOWS);	/* T */
	seg(&t, SRV, ACK | PSH, y + 1, x + 101, 100, WIN, NOWS);	/* t */
	seg(&t, CLI, ACK, x + 101, y + 101, 0, 0, NOWS);		/* W */
	seg(&t, SRV, ACK, y + 101, x + 101, 0, WIN, NOWS);		/* a: the 9th */
	assert_string_equal(hist(&t), "ShADdTtW");
	seg(&t, SRV, ACK, y + 101, x + 101, 0, 0, NOWS);		/* w: dropped */
	assert_true(t.f.ctl & CT_CTL_HIST_FULL);
	seg(&t, CLI, FIN | ACK, x + 101, y + 101, 0, WIN, NOWS);
	seg(&t, SRV, FIN | ACK, y + 101, x + 102, 0, WIN, NOWS);
	seg(&t, CLI, ACK, x + 102, y + 102, 0, WIN, NOWS);
	assert_string_equal(hist(&t), "ShADdTtWFf");
	assert_int_equal(state(&t), CT_STATE_TIME_WAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* the handshake */
		cmocka_unit_test(test_worked_example_syn_synack_ack_reaches_established),
		cmocka_unit_test(test_simultaneous_open_reaches_established_via_syn_sent2),
		cmocka_unit_test(test_retransmitted_syn_same_isn_is_retx_not_anomaly),
		cmocka_unit_test(test_retransmitted_synack_same_isn_is_retx_not_anomaly),
		cmocka_unit_test(test_syn_sent_twice_is_marked),
		cmocka_unit_test(test_stale_syn_synack_acking_old_isn_is_bad_synack_ack),
		cmocka_unit_test(test_wrong_third_ack_stays_syn_recv),
		cmocka_unit_test(test_failed_handshake_ack_moves_no_sequence),
		cmocka_unit_test(test_ack_before_synack_is_anomaly),
		cmocka_unit_test(test_data_before_established_is_anomaly),
		cmocka_unit_test(test_fast_open_handshake_completes),
		cmocka_unit_test(test_syn_data_counts_only_when_acked),
		cmocka_unit_test(test_synack_first_makes_receiver_originator),
		cmocka_unit_test(test_synack_sender_sending_syn_becomes_originator),
		cmocka_unit_test(test_originator_on_canonical_side1_keeps_directions),
		/* closes and resets */
		cmocka_unit_test(test_client_close_fin_ack_fin_ack_reaches_time_wait),
		cmocka_unit_test(test_server_close_fin_ack_fin_ack_reaches_time_wait),
		cmocka_unit_test(test_fin_ack_combined_goes_fin_wait_to_last_ack),
		cmocka_unit_test(test_fin_retransmission_and_close_need_the_fins_acked),
		cmocka_unit_test(test_data_after_own_fin_is_refused),
		cmocka_unit_test(test_fin_after_hole_waits_for_the_hole),
		cmocka_unit_test(test_rst_after_established_closes),
		cmocka_unit_test(test_refused_connect_closes_with_history_Sr),
		cmocka_unit_test(test_exact_rst_closes),
		cmocka_unit_test(test_inexact_rst_keeps_established_with_close_timeout),
		cmocka_unit_test(test_rst_of_stale_attempt_keeps_live_handshake),
		cmocka_unit_test(test_rst_fin_is_a_reset),
		cmocka_unit_test(test_rst_payload_is_not_counted),
		cmocka_unit_test(test_time_wait_reuse_needs_seq_after_old_end),
		cmocka_unit_test(test_time_wait_refused_syn_changes_nothing),
		cmocka_unit_test(test_time_wait_reuse_restarts_in_place),
		/* sequence space, acks and bytes */
		cmocka_unit_test(test_seq_compare_is_modulo_2_32),
		cmocka_unit_test(test_seq_wrap_counts_bytes_and_flags_wrapped),
		cmocka_unit_test(test_acked_bytes_ack_is_next_expected_byte),
		cmocka_unit_test(test_acked_bytes_over_4gib_counts_ack_wraps),
		cmocka_unit_test(test_retransmitted_data_counts_bytes_once),
		cmocka_unit_test(test_ack_of_unsent_data_is_anomaly),
		cmocka_unit_test(test_ack_one_past_the_peer_data_is_unsent),
		/* capture loss */
		cmocka_unit_test(test_gap_only_when_acked_past_not_when_filled),
		cmocka_unit_test(test_second_ack_of_unseen_data_resynchronises),
		/* forged and blind segments */
		cmocka_unit_test(test_data_beyond_scaled_window_is_out_of_window),
		cmocka_unit_test(test_blind_rst_outside_window_keeps_established),
		cmocka_unit_test(test_blind_fins_and_fin_without_ack_keep_established),
		cmocka_unit_test(test_blind_unsent_ack_prepares_no_resync),
		cmocka_unit_test(test_syn_with_new_isn_on_established_is_anomaly),
		cmocka_unit_test(test_blind_syn_in_syn_recv_is_ignored),
		cmocka_unit_test(test_bad_checksum_changes_nothing_but_letter_c),
		cmocka_unit_test(test_forged_handshake_through_one_hook_stays_halfopen),
		cmocka_unit_test(test_fast_path_sends_peer_hook_segment_to_slow_path),
		cmocka_unit_test(test_refused_segment_records_no_hook),
		cmocka_unit_test(test_flags_valid_rejects_impossible_combinations),
		cmocka_unit_test(test_classify_order_rst_syn_fin_ack),
		/* flows picked up mid-stream */
		cmocka_unit_test(test_midstream_ack_is_established_midstream),
		cmocka_unit_test(test_pickup_with_lagging_acks_counts_no_wrap),
		cmocka_unit_test(test_keepalive_pickup_is_valid),
		cmocka_unit_test(test_late_synack_after_pickup_counts_no_byte_twice),
		cmocka_unit_test(test_pickup_cannot_be_inflated_by_2_31),
		cmocka_unit_test(test_rejected_first_packet_leaves_no_byte_garbage),
		cmocka_unit_test(test_unanswered_pickup_gets_short_timeout),
		/* timeouts and the history word */
		cmocka_unit_test(test_expiry_follows_timeout_of_new_state),
		cmocka_unit_test(test_retransmitted_syn_without_reply_does_not_refresh_expiry),
		cmocka_unit_test(test_busy_history_keeps_close_letters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

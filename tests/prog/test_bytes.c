// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_bytes.c - payload bytes: Ethernet padding, retransmissions, sequence wrap, snaplen.
 */
#include "harness.h"

/* padding - every frame padded to pad_to bytes; 1 and 2 payload bytes. */
static int padding(struct tctx *t, struct conv *cv, __u32 pad_to)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 t4 = T0 + 5 * MSEC, t5 = T0 + 6 * MSEC, t6 = T0 + 7 * MSEC;
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct xdpct_stats st;
	struct pkt_spec s;
	struct flow f;
	int where, len;

	cv->tmpl.pad_to = pad_to;
	cv->tmpl.pad_byte = 0xee;
	conv_spec(cv, CLI, PSH | ACK, x + 1, y + 1, 1, &s);
	len = pkt_build(&s, buf, sizeof(buf));
	if (len != (int)pad_to || pkt_len(&s) != pad_to)
		FAIL("the builder did not pad to %u bytes (%d)", pad_to, len);
	TRY(hs_run(t, cv, x, y, t1, t2, t3));
	STEP("1 byte, 2 bytes, ACK, all padded");
	TRY(seg(t, cv, t4, CLI, PSH | ACK, x + 1, y + 1, 1));
	TRY(seg(t, cv, t5, SRV, PSH | ACK, y + 1, x + 2, 2));
	TRY(seg(t, cv, t6, CLI, ACK, x + 2, y + 3, 0));
	TRY(conv_flow(t, cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShADd", 0, SYN | ACK | PSH,
		      SYN | ACK | PSH));
	TRY(want_dir(t, &f, 0, x, x + 2, y + 3, 4, 1, t1, t6));
	TRY(want_dir(t, &f, 1, y, y + 3, x + 2, 2, 2, t2, t5));
	stats_handshake(&st);
	st.packets = st.tcp = 6;
	return want_stats(t, &st, NULL);
}

static int t_padding_v4(struct tctx *t)
{
	struct conv cv;

	conv_v4(&cv);
	return padding(t, &cv, 80);
}

static int t_padding_v6(struct tctx *t)
{
	struct conv cv;

	conv_v6(&cv);
	return padding(t, &cv, 100);
}

static int t_retransmit(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 t4 = T0 + 5 * MSEC, t5 = T0 + 205 * MSEC, t6 = T0 + 405 * MSEC;
	const __u32 x = V_X, y = V_Y;
	struct xdpct_stats st;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	STEP("100 bytes");
	TRY(seg(t, &cv, t4, CLI, PSH | ACK, x + 1, y + 1, 100));
	STEP("the same 100 bytes again");
	TRY(seg(t, &cv, t5, CLI, PSH | ACK, x + 1, y + 1, 100));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShADT", 0, SYN | ACK | PSH, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 101, y + 1, 4, 100, t1, t5));
	TRY(want_dir(t, &f, 1, y, y + 1, x + 1, 1, 0, t2, t2));
	STEP("100 bytes overlapping the last 50");
	TRY(seg(t, &cv, t6, CLI, PSH | ACK, x + 51, y + 1, 100));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShADT", 0, SYN | ACK | PSH, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 151, y + 1, 5, 150, t1, t6));
	stats_handshake(&st);
	st.packets = st.tcp = 6;
	return want_stats(t, &st, NULL);
}

static int t_seq_wrap(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC;
	const __u64 t4 = T0 + 5 * MSEC, t5 = T0 + 6 * MSEC;
	const __u32 x = 0xfffffff6u, y = V_Y;	/* 2^32 - 10 */
	struct xdpct_stats st;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	STEP("100 bytes through 2^32, and their ACK");
	TRY(seg(t, &cv, t4, CLI, PSH | ACK, x + 1, y + 1, 100));
	TRY(seg(t, &cv, t5, SRV, ACK, y + 1, x + 101, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShADa", CT_ANOM_SEQ_WRAPPED,
		      SYN | ACK | PSH, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, 91, y + 1, 3, 100, t1, t4));
	TRY(want_dir(t, &f, 1, y, y + 1, 91, 2, 0, t2, t5));
	EQ("dir[1].ack_wraps", f.dir[1].ack_wraps, 0);
	/* seed-notes §3: delivered = highest peer ack - (ISN + 1), mod 2^32 */
	EQ("acked bytes", ct_acked_bytes(f.dir[0].isn, f.dir[1].ack, f.dir[1].ack_wraps, 0), 100);
	stats_handshake(&st);
	st.packets = st.tcp = 5;
	return want_stats(t, &st, NULL);
}

/* A capture cut at the TCP header: lengths from the headers (replay_wire_len). */
static int t_snaplen(struct tctx *t)
{
	const __u64 t1 = T0, t2 = T0 + 1 * MSEC, t3 = T0 + 2 * MSEC, t4 = T0 + 5 * MSEC;
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct xdpct_stats st;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	int where, len;

	conv_v4(&cv);
	TRY(hs_run(t, &cv, x, y, t1, t2, t3));
	STEP("1000-byte segment captured with a 66-byte snaplen");
	conv_spec(&cv, CLI, PSH | ACK, x + 1, y + 1, 1000, &s);
	len = pkt_build(&s, buf, sizeof(buf));
	EQ("frame length", len, 14 + 20 + 32 + 1000);
	TRY(xdp_run(t, t4, buf, 14 + 20 + 32, (__u32)len));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShAD", 0, SYN | ACK | PSH, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 1001, y + 1, 3, 1000, t1, t4));
	stats_handshake(&st);
	st.packets = st.tcp = 4;
	return want_stats(t, &st, NULL);
}

static const struct prog_test tests[] = {
	{ "IPv4 Ethernet padding is not counted as payload", t_padding_v4 },
	{ "IPv6 Ethernet padding is not counted as payload", t_padding_v6 },
	{ "retransmitted data adds a packet and no bytes, overlap counts once", t_retransmit },
	{ "ISN 2^32-10 sending 100 bytes: bytes 100, SEQ_WRAPPED", t_seq_wrap },
	{ "replay: a snaplen-cut frame counts the bytes of its IP length", t_snaplen },
};
PROG_AREA(bytes, tests);

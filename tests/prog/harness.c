// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * harness.c - the helpers of xdpct's BPF_PROG_TEST_RUN tests (harness.h):
 * loading, running frames, building the segments of a connection, the
 * handshake every area starts from. The map checks are in checks.c.
 *
 * Every frame must come back XDP_PASS (TC_ACT_UNSPEC) and unchanged.
 */
#include <stdarg.h>

#include "harness.h"

/* ---- failing -------------------------------------------------------- */

int failf(struct tctx *t, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->why[0])
		return -1;
	n = snprintf(t->why, sizeof(t->why), "line %d%s%s%s: ", line, t->step ? " (" : "",
		     t->step ? t->step : "", t->step ? ")" : "");
	if (n < 0 || (size_t)n >= sizeof(t->why))
		return -1;
	va_start(ap, fmt);
	vsnprintf(t->why + n, sizeof(t->why) - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- loading -------------------------------------------------------- */

int prog_load(struct tctx *t, bool replay)
{
	struct ld_opts o;
	int err;

	ld_opts_init(&o);
	o.replay = replay;
	err = ld_load(&t->ld, &o);
	if (err)
		return err;
	t->replay = replay;
	t->ld.skel->bss->ev_reader = 1;	/* events are checked: a reader is there */
	t->xdp_fd = bpf_program__fd(t->ld.skel->progs.xdpct_xdp);
	t->tc_fd = replay ? -1 : bpf_program__fd(t->ld.skel->progs.xdpct_tc);
	return 0;
}

/* prog_load_halfopen - reload t in replay mode with a SYN cache of slots
 * (tests that fill, collide and evict want a few buckets only). */
int prog_load_halfopen(struct tctx *t, __u32 slots)
{
	struct ld_opts o;

	ld_destroy(&t->ld);
	ld_opts_init(&o);
	o.replay = true;
	o.max_halfopen = slots;
	if (ld_load(&t->ld, &o))
		FAIL("loading with --max-halfopen %u failed", slots);
	t->ld.skel->bss->ev_reader = 1;
	t->xdp_fd = bpf_program__fd(t->ld.skel->progs.xdpct_xdp);
	return 0;
}

/* ---- running frames ------------------------------------------------- */

/*
 * prog_ci - under CI=true a test that cannot run fails instead of being
 * skipped.
 */
bool prog_ci(void)
{
	const char *ci = getenv("CI");

	return ci && !strcmp(ci, "true");
}

int frame_run(int prog_fd, const void *frame, __u32 len, struct frame_result *r)
{
	static __u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	memset(out, 0x5a, sizeof(out));
	err = bpf_prog_test_run_opts(prog_fd, &o);
	if (err)
		return err;
	r->retval = o.retval;
	r->len_out = o.data_size_out;
	r->changed = o.data_size_out != len || memcmp(out, frame, len);
	return 0;
}

/*
 * xdp_run - one frame through xdpct_xdp at replay time now (wire_len: the
 * frame's length on the wire, 0 for the frame's own). Fails unless the
 * program returned XDP_PASS and left the frame as it was.
 */
int xdp_run(struct tctx *t, __u64 now, const void *frame, __u32 len, __u32 wire_len)
{
	struct frame_result r;
	int err;

	if (t->replay) {
		t->ld.skel->bss->replay_now_ns = now;
		t->ld.skel->bss->replay_wire_len = wire_len;
	}
	err = frame_run(t->xdp_fd, frame, len, &r);
	if (err)
		FAIL("BPF_PROG_TEST_RUN (xdp, %u bytes): %s", len, strerror(-err));
	if (r.retval != XDP_PASS)
		FAIL("xdp returned %u for a %u-byte frame, want XDP_PASS", r.retval, len);
	if (r.changed)
		FAIL("xdp changed the %u-byte frame (%u bytes out)", len, r.len_out);
	return 0;
}

int xdp_send(struct tctx *t, __u64 now, const void *frame, int len)
{
	if (len < 0)
		FAIL("packet builder failed");
	return xdp_run(t, now, frame, (__u32)len, 0);
}

/* tc_send - one frame through xdpct_tc: TC_ACT_UNSPEC and unchanged. */
int tc_send(struct tctx *t, const void *frame, int len)
{
	struct frame_result r;
	int err;

	if (len < 14)
		FAIL("packet builder failed");
	err = frame_run(t->tc_fd, frame, (__u32)len, &r);
	if (err)
		FAIL("BPF_PROG_TEST_RUN (tc, %d bytes): %s", len, strerror(-err));
	if ((int)r.retval != TC_ACT_UNSPEC_)
		FAIL("tc returned %d, want TC_ACT_UNSPEC (-1)", (int)r.retval);
	if (r.changed)
		FAIL("tc changed the %d-byte frame (%u bytes out)", len, r.len_out);
	return 0;
}

int spec_send(struct tctx *t, __u64 now, const struct pkt_spec *s)
{
	static __u8 buf[FRAME_MAX];

	return xdp_send(t, now, buf, pkt_build(s, buf, sizeof(buf)));
}

/* ---- connections ---------------------------------------------------- */

void conv_init(struct conv *cv, int family, const char *c, __u16 cport, const char *s,
	       __u16 sport)
{
	memset(cv, 0, sizeof(*cv));
	pkt_spec_init(&cv->tmpl);
	cv->family = family;
	if (family == 4) {
		pkt_ip4(cv->caddr, c);
		pkt_ip4(cv->saddr, s);
	} else {
		pkt_ip6(cv->caddr, c);
		pkt_ip6(cv->saddr, s);
	}
	cv->cport = cport;
	cv->sport = sport;
}

void conv_v4(struct conv *cv)
{
	conv_init(cv, 4, V_CLI, V_CPORT, V_SRV, V_SPORT);
}

void conv_v6(struct conv *cv)
{
	conv_init(cv, 6, V6_CLI, V_CPORT, V6_SRV, V_SPORT);
}

/*
 * conv_spec - a segment of cv as Linux would send it: SYNs with MSS,
 * SACK-permitted, timestamps and window scale 7; other segments with
 * timestamps; RSTs bare with a zero window.
 */
void conv_spec(const struct conv *cv, int from, __u8 flags, __u32 seq, __u32 ack,
	       __u32 len, struct pkt_spec *s)
{
	*s = cv->tmpl;
	s->family = cv->family;
	memcpy(s->saddr, from == CLI ? cv->caddr : cv->saddr, 16);
	memcpy(s->daddr, from == CLI ? cv->saddr : cv->caddr, 16);
	s->sport = from == CLI ? cv->cport : cv->sport;
	s->dport = from == CLI ? cv->sport : cv->cport;
	s->l4 = PKT_L4_TCP;
	s->flags = flags;
	s->seq = seq;
	s->ack = ack;
	s->payload_len = len;
	s->payload_byte = 'x';
	s->tsval = 1000 + seq % 1000;
	s->tsecr = (flags & ACK) ? 2000 : 0;
	if (flags & RST) {
		s->win = 0;
	} else if (flags & SYN) {
		s->mss = 1460;
		s->sack_perm = true;
		s->ts = true;
		s->wscale = 7;
		s->win = from == CLI ? 64240 : 65160;
	} else {
		s->ts = true;
		s->win = from == CLI ? 502 : 509;
	}
}

int seg(struct tctx *t, const struct conv *cv, __u64 now, int from, __u8 flags,
	__u32 seq, __u32 ack, __u32 len)
{
	struct pkt_spec s;

	conv_spec(cv, from, flags, seq, ack, len, &s);
	return spec_send(t, now, &s);
}

/* ---- the handshake --------------------------------------------------- */

/* hs_ctl - ctl after the §1 handshake with window scale on both SYNs. */
static __u32 hs_ctl(int cside)
{
	return CT_STATE_ESTABLISHED | (cside ? CT_CTL_ORIG_SIDE : 0) | CT_CTL_ISN_ORIG |
	       CT_CTL_ISN_RESP | CT_CTL_WSCALE_OK | ct_hist_bit(CT_HIST_SYN, CT_DIR_ORIG) |
	       ct_hist_bit(CT_HIST_SYN, CT_DIR_RESP) | ct_hist_bit(CT_HIST_ACK, CT_DIR_ORIG) |
	       CT_CTL_ESTABLISHED_ONCE | CT_CTL_REPLIED | CT_CTL_WINDOW_KNOWN;
}

/*
 * hs_run - the seed-notes §1 handshake on cv (client ISN x, server ISN y,
 * at t1, t2, t3), with the record checked after every frame.
 */
int hs_run(struct tctx *t, const struct conv *cv, __u32 x, __u32 y, __u64 t1, __u64 t2,
	   __u64 t3)
{
	struct flow f;
	int where, cside;

	STEP("SYN");
	TRY(seg(t, cv, t1, CLI, SYN, x, 0, 0));
	TRY(conv_flow(t, cv, &f, &where, &cside));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_conv_maps(t, cv, 0, 1));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, x, x + 1, 0, 1, 0, t1, t1));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 0, 0, 0, 0));
	EQ("dir[0].max_win", f.dir[0].max_win, 64240);
	EQ("wscale[0]", f.wscale[0], 7);
	EQ("wscale[1]", f.wscale[1], CT_WSCALE_NONE);
	EQ("expires_ns", f.expires_ns, t1 + TIMEOUT(CT_STATE_SYN_SENT));

	STEP("SYN-ACK");
	TRY(seg(t, cv, t2, SRV, SYN | ACK, y, x + 1, 0));
	TRY(conv_flow(t, cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_conv_maps(t, cv, 0, 1));
	TRY(want_flow(t, &f, CT_STATE_SYN_RECV, "Sh", 0, SYN, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 1, 0, 1, 0, t1, t1));
	TRY(want_dir(t, &f, 1, y, y + 1, x + 1, 1, 0, t2, t2));
	/* RFC 7323: SYN windows are not scaled; with both scales known they
	 * are kept in scaled units, rounded up (65160 / 128, 64240 / 128) */
	EQ("dir[1].max_win", f.dir[1].max_win, 510);
	EQ("dir[0].max_win", f.dir[0].max_win, 502);
	EQ("wscale[1]", f.wscale[1], 7);
	EQ("expires_ns", f.expires_ns, t2 + TIMEOUT(CT_STATE_SYN_RECV));

	STEP("handshake ACK");
	TRY(seg(t, cv, t3, CLI, ACK, x + 1, y + 1, 0));
	TRY(conv_flow(t, cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_conv_maps(t, cv, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShA", 0, SYN | ACK, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 1, y + 1, 2, 0, t1, t3));
	TRY(want_dir(t, &f, 1, y, y + 1, x + 1, 1, 0, t2, t2));
	EQ("ctl", f.ctl, hs_ctl(cside));
	EQ("expires_ns", f.expires_ns, t3 + TIMEOUT(CT_STATE_ESTABLISHED));
	EQ("ack_rtt_us", f.ack_rtt_us, (t3 - t2) / 1000);
	EQ("dir[0].max_win", f.dir[0].max_win, 502);
	EQ("dir[1].max_win", f.dir[1].max_win, 510);
	EQ("dir[0].ack_wraps", f.dir[0].ack_wraps, 0);
	EQ("dir[1].ack_wraps", f.dir[1].ack_wraps, 0);
	t->step = NULL;
	return 0;
}

/*
 * hs_data - the handshake, then 100 bytes from the client and the
 * server's ACK of them; checks the record and counters.
 */
int hs_data(struct tctx *t, const struct conv *cv)
{
	const __u64 t1 = T0, t2 = T0 + 2 * MSEC, t3 = T0 + 3 * MSEC;
	const __u64 t4 = T0 + 10 * MSEC, t5 = T0 + 12 * MSEC;
	const __u32 x = V_X, y = V_Y;
	struct xdpct_stats st;
	struct flow f;
	int where;

	TRY(hs_run(t, cv, x, y, t1, t2, t3));
	STEP("100 bytes and their ACK");
	TRY(seg(t, cv, t4, CLI, PSH | ACK, x + 1, y + 1, 100));
	TRY(seg(t, cv, t5, SRV, ACK, y + 1, x + 101, 0));
	TRY(conv_flow(t, cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_conv_maps(t, cv, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShADa", 0, SYN | ACK | PSH, SYN | ACK));
	TRY(want_dir(t, &f, 0, x, x + 101, y + 1, 3, 100, t1, t4));
	TRY(want_dir(t, &f, 1, y, y + 1, x + 101, 2, 0, t2, t5));
	stats_handshake(&st);
	st.packets = st.tcp = 5;
	return want_stats(t, &st, NULL);
}

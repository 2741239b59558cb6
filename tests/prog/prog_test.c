// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * prog_test.c - xdpct's BPF programs run on crafted frames with
 * BPF_PROG_TEST_RUN, and the maps checked field by field afterwards.
 *
 * Each test loads a fresh object (ld_load): in replay mode for xdpct_xdp,
 * so each frame's time is the replay_now_ns the test sets and every
 * first_ns/last_ns/expires_ns is exact; without replay for xdpct_tc, whose
 * times then come from the kernel's clock and are checked against bounds.
 * Every frame must come back XDP_PASS (TC_ACT_UNSPEC) and unchanged.
 *
 * Records are read with the canonical key built as the programs build it
 * and compared field by field; counters are compared for every field of
 * both hooks.
 *
 * Output is TAP-like, one line per test: "ok - NAME" or "not ok - NAME #
 * WHY". Without root, or when the object does not load, every test is
 * skipped ("ok - NAME # SKIP ..."), or failed when CI=true. Exit status 0
 * if everything passed, 1 otherwise. An argument runs only the tests whose
 * name contains it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "loader.h"
#include "maps.h"
#include "flow.h"
#include "tcp_fsm.h"
#include "pkt.h"

#define SEC		1000000000ull
#define MSEC		1000000ull
/* replay clock origin: 2026-01-01 00:00:00 UTC */
#define T0		(1767225600ull * SEC)
#define TIMEOUT(st)	(default_timeout_ns[st])
#define FRAME_MAX	4096
#define TC_ACT_UNSPEC_	(-1)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Default state timeouts (flow.h), as the BPF programs are loaded with. */
static const __u64 default_timeout_ns[CT_STATE_COUNT] = CT_TIMEOUTS_DEFAULT;

/* The seed-notes §1 vector. */
#define V_CLI		"192.168.1.116"
#define V_SRV		"192.168.1.123"
#define V_CPORT		3337
#define V_SPORT		7788
#define V_X		3626544836u
#define V_Y		1739326486u
#define V6_CLI		"2001:db8:1::116"
#define V6_SRV		"2001:db8:1::123"

#define SYN		PKT_TCP_SYN
#define ACK		PKT_TCP_ACK
#define FIN		PKT_TCP_FIN
#define RST		PKT_TCP_RST
#define PSH		PKT_TCP_PSH

enum { CLI = 1, SRV = 0 };	/* who sends a segment */
enum { IN_NONE = 0, IN_FLOWS = 1, IN_HALFOPEN = 2 };

struct tctx {
	struct ld ld;
	bool replay;
	int xdp_fd, tc_fd;
	const char *step;
	char why[1024];
};

/* A connection under test: client and server, and the frame template. */
struct conv {
	int family;
	__u8 caddr[16], saddr[16];
	__u16 cport, sport;
	struct pkt_spec tmpl;	/* tags, IP options, extension headers, padding */
};

/* ---- failing -------------------------------------------------------- */

static int failf(struct tctx *t, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int failf(struct tctx *t, int line, const char *fmt, ...)
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

#define FAIL(...)	return failf(t, __LINE__, __VA_ARGS__)
#define TRY(x)		do { if (x) return -1; } while (0)
#define STEP(s)		(t->step = (s))
#define EQ(what, got, want)							\
	do {									\
		unsigned long long g_ = (unsigned long long)(got);		\
		unsigned long long w_ = (unsigned long long)(want);		\
		if (g_ != w_)							\
			FAIL("%s: want %llu (0x%llx), got %llu (0x%llx)", what,	\
			     w_, w_, g_, g_);					\
	} while (0)

/* ---- loading -------------------------------------------------------- */

static int load(struct tctx *t, bool replay)
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

/* ---- running frames ------------------------------------------------- */

/*
 * xdp_run - one frame through xdpct_xdp at replay time now (wire_len: the
 * frame's length on the wire, 0 for the frame's own). Fails unless the
 * program returned XDP_PASS and left the frame as it was.
 */
static int xdp_run(struct tctx *t, __u64 now, const void *frame, __u32 len, __u32 wire_len)
{
	static __u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	if (t->replay) {
		t->ld.skel->bss->replay_now_ns = now;
		t->ld.skel->bss->replay_wire_len = wire_len;
	}
	memset(out, 0x5a, sizeof(out));
	err = bpf_prog_test_run_opts(t->xdp_fd, &o);
	if (err)
		FAIL("BPF_PROG_TEST_RUN (xdp, %u bytes): %s", len, strerror(-err));
	if (o.retval != XDP_PASS)
		FAIL("xdp returned %u for a %u-byte frame, want XDP_PASS", o.retval, len);
	if (o.data_size_out != len || memcmp(out, frame, len))
		FAIL("xdp changed the %u-byte frame (%u bytes out)", len, o.data_size_out);
	return 0;
}

static int xdp_send(struct tctx *t, __u64 now, const void *frame, int len)
{
	if (len < 0)
		FAIL("packet builder failed");
	return xdp_run(t, now, frame, (__u32)len, 0);
}

/* tc_send - one frame through xdpct_tc: TC_ACT_UNSPEC and unchanged. */
static int tc_send(struct tctx *t, const void *frame, int len)
{
	static __u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int err;

	if (len < 14)
		FAIL("packet builder failed");
	err = bpf_prog_test_run_opts(t->tc_fd, &o);
	if (err)
		FAIL("BPF_PROG_TEST_RUN (tc, %d bytes): %s", len, strerror(-err));
	if ((int)o.retval != TC_ACT_UNSPEC_)
		FAIL("tc returned %d, want TC_ACT_UNSPEC (-1)", (int)o.retval);
	if (o.data_size_out != (__u32)len || memcmp(out, frame, len))
		FAIL("tc changed the %d-byte frame (%u bytes out)", len, o.data_size_out);
	return 0;
}

static int spec_send(struct tctx *t, __u64 now, const struct pkt_spec *s)
{
	static __u8 buf[FRAME_MAX];

	return xdp_send(t, now, buf, pkt_build(s, buf, sizeof(buf)));
}

/* ---- connections ---------------------------------------------------- */

static void conv_init(struct conv *cv, int family, const char *c, __u16 cport, const char *s,
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

static void conv_v4(struct conv *cv)
{
	conv_init(cv, 4, V_CLI, V_CPORT, V_SRV, V_SPORT);
}

static void conv_v6(struct conv *cv)
{
	conv_init(cv, 6, V6_CLI, V_CPORT, V6_SRV, V_SPORT);
}

/*
 * conv_spec - a segment of cv as Linux would send it: SYNs with MSS,
 * SACK-permitted, timestamps and window scale 7; other segments with
 * timestamps; RSTs bare with a zero window.
 */
static void conv_spec(const struct conv *cv, int from, __u8 flags, __u32 seq, __u32 ack,
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

static int seg(struct tctx *t, const struct conv *cv, __u64 now, int from, __u8 flags,
	       __u32 seq, __u32 ack, __u32 len)
{
	struct pkt_spec s;

	conv_spec(cv, from, flags, seq, ack, len, &s);
	return spec_send(t, now, &s);
}

/* ---- keys and lookups ----------------------------------------------- */

/*
 * key_make - the canonical key of a tuple as flow.h defines it: side 0 is
 * the numerically lower (address, port). Returns the side of (a, ap).
 */
static int key_make(int family, const __u8 *a, __u16 ap, const __u8 *b, __u16 bp, void *key)
{
	__be16 pa = htons(ap), pb = htons(bp);
	__u32 wa[4], wb[4];
	int side = 0, i, n = family == 4 ? 1 : 4;

	memcpy(wa, a, 16);
	memcpy(wb, b, 16);
	for (i = 0; i < n; i++) {
		if (wa[i] != wb[i]) {
			side = ntohl(wa[i]) > ntohl(wb[i]);
			goto decided;
		}
	}
	side = ap > bp;
decided:
	if (family == 4) {
		struct flow_key4 *k = key;

		memset(k, 0, sizeof(*k));
		memcpy(&k->addr[0], side ? b : a, 4);
		memcpy(&k->addr[1], side ? a : b, 4);
		k->port[0] = side ? pb : pa;
		k->port[1] = side ? pa : pb;
	} else {
		struct flow_key6 *k = key;

		memset(k, 0, sizeof(*k));
		memcpy(k->addr[0], side ? b : a, 16);
		memcpy(k->addr[1], side ? a : b, 16);
		k->port[0] = side ? pb : pa;
		k->port[1] = side ? pa : pb;
	}
	return side;
}

/* key_lookup - the flow at key: IN_FLOWS | IN_HALFOPEN bits in *where. */
static int key_lookup(struct tctx *t, int family, const void *key, struct flow *f, int *where)
{
	int fl = family == 4 ? t->ld.fds.flows : t->ld.fds.flows6;
	struct flow tmp;
	int err;

	*where = IN_NONE;
	memset(f, 0, sizeof(*f));
	if (!bpf_map_lookup_elem(fl, key, f))
		*where |= IN_FLOWS;
	else if (errno != ENOENT)
		FAIL("lookup in flows: %s", strerror(errno));
	err = halfopen_lookup(&t->ld.fds, family, key, &tmp);
	if (!err) {
		if (!*where)
			*f = tmp;
		*where |= IN_HALFOPEN;
	} else if (err != -ENOENT) {
		FAIL("lookup in halfopen: %s", strerror(-err));
	}
	return 0;
}

/* conv_flow - cv's record; *cside is the client's canonical side. */
static int conv_flow(struct tctx *t, const struct conv *cv, struct flow *f, int *where,
		     int *cside)
{
	union flow_key k;
	int side;

	side = key_make(cv->family, cv->caddr, cv->cport, cv->saddr, cv->sport, &k);
	if (cside)
		*cside = side;
	return key_lookup(t, cv->family, &k, f, where);
}

static const char *where_name(int w)
{
	static const char *const n[] = { "no map", "flows", "halfopen", "flows and halfopen" };

	return n[w & 3];
}

static int want_where(struct tctx *t, int got, int want)
{
	if (got != want)
		FAIL("flow is in %s, want %s", where_name(got), where_name(want));
	return 0;
}

static int map_count(int fd, size_t key_size)
{
	__u8 key[64], next[64];
	void *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* want_maps - the number of entries in flows, flows6, halfopen, halfopen6. */
static int want_maps(struct tctx *t, int fl4, int fl6, int ho4, int ho6)
{
	EQ("entries in flows", map_count(t->ld.fds.flows, sizeof(struct flow_key4)), fl4);
	EQ("entries in flows6", map_count(t->ld.fds.flows6, sizeof(struct flow_key6)), fl6);
	EQ("entries in halfopen", halfopen_count(t->ld.fds.halfopen, 4), ho4);
	EQ("entries in halfopen6", halfopen_count(t->ld.fds.halfopen6, 6), ho6);
	return 0;
}

/* want_conv_maps - only cv's map (nf entries in flows, nh in halfopen). */
static int want_conv_maps(struct tctx *t, const struct conv *cv, int nf, int nh)
{
	if (cv->family == 4)
		return want_maps(t, nf, 0, nh, 0);
	return want_maps(t, 0, nf, 0, nh);
}

static int count_flows_cb(int family, const void *key, const struct flow *f, bool halfopen,
			  void *ctx)
{
	(void)family;
	(void)key;
	(void)f;
	(void)halfopen;
	(*(int *)ctx)++;
	return 0;
}

/* want_no_flows - no record anywhere (also read through flows_walk). */
static int want_no_flows(struct tctx *t)
{
	int n = 0, err;

	TRY(want_maps(t, 0, 0, 0, 0));
	err = flows_walk(&t->ld.fds, count_flows_cb, &n);
	if (err)
		FAIL("flows_walk: %s", strerror(-err));
	EQ("flows seen by flows_walk", n, 0);
	return 0;
}

/* ---- flow checks ---------------------------------------------------- */

static void hist_str(__u64 h, char *buf)
{
	unsigned int i;

	for (i = 0; i < CT_HIST_SLOTS && ct_hist_letter(h, i); i++)
		buf[i] = ct_hist_letter(h, i);
	buf[i] = 0;
}

static int want_dir(struct tctx *t, const struct flow *f, int d, __u32 isn, __u32 end,
		    __u32 ack, __u64 pkts, __u64 bytes, __u64 first, __u64 last)
{
	const struct flow_dir *fd = &f->dir[d];
	char what[32];

#define DEQ(field, want)							\
	do {									\
		snprintf(what, sizeof(what), "dir[%d].%s", d, #field);		\
		EQ(what, fd->field, want);					\
	} while (0)
	DEQ(isn, isn);
	DEQ(end, end);
	DEQ(ack, ack);
	DEQ(pkts, pkts);
	DEQ(bytes, bytes);
	DEQ(first_ns, first);
	DEQ(last_ns, last);
#undef DEQ
	return 0;
}

static int want_flow(struct tctx *t, const struct flow *f, __u8 state, const char *hist,
		     __u32 anom, __u8 flags0, __u8 flags1)
{
	char h[CT_HIST_SLOTS + 1];

	hist_str(f->history, h);
	if ((f->ctl & CT_CTL_STATE_MASK) != state)
		FAIL("state: want %u, got %u", state, f->ctl & CT_CTL_STATE_MASK);
	if (strcmp(h, hist))
		FAIL("history: want \"%s\", got \"%s\"", hist, h);
	EQ("anomalies", f->anomalies, anom);
	EQ("flags[0]", f->flags[0], flags0);
	EQ("flags[1]", f->flags[1], flags1);
	return 0;
}

/* want_syn_dst - the SYN accounting of victim addr:port. */
static int want_syn_dst(struct tctx *t, int family, const __u8 *addr, __u16 port, __u64 syns,
			__u64 synacks, __u64 completed, __u64 last_ns)
{
	struct syn_dst_key k;
	struct syn_dst_val v;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	k.port = port;
	k.family = (__u8)family;
	if (bpf_map_lookup_elem(t->ld.fds.syn_dst, &k, &v))
		FAIL("no syn_dst entry for the server: %s", strerror(errno));
	EQ("syn_dst.syns", v.syns, syns);
	EQ("syn_dst.synacks", v.synacks, synacks);
	EQ("syn_dst.completed", v.completed, completed);
	EQ("syn_dst.last_ns", v.last_ns, last_ns);
	return 0;
}

/* want_host_isn - the ISNs host addr chose, oldest first, and when. */
static int want_host_isn(struct tctx *t, int family, const __u8 *addr, int n, const __u32 *isn,
			 const __u64 *ts)
{
	struct syn_src_key k;
	struct host_isn h;
	char what[48];
	int i;

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, addr, family == 4 ? 4 : 16);
	k.family = (__u8)family;
	if (bpf_map_lookup_elem(t->ld.fds.host_isn, &k, &h))
		FAIL("no host_isn entry: %s", strerror(errno));
	EQ("host_isn.count", h.count, n);
	for (i = 0; i < n && i < XDPCT_HOST_ISN_SLOTS; i++) {
		snprintf(what, sizeof(what), "host_isn.isn[%d]", i);
		EQ(what, h.isn[i], isn[i]);
		snprintf(what, sizeof(what), "host_isn.ts_ns[%d]", i);
		EQ(what, h.ts_ns[i], ts[i]);
	}
	return 0;
}

/* ---- counters ------------------------------------------------------- */

#define SF(x) { #x, offsetof(struct xdpct_stats, x) }
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	SF(packets), SF(tcp), SF(non_tcp), SF(fragments), SF(flows_created),
	SF(flows_promoted), SF(flows_reopened), SF(halfopen_deleted), SF(flows_deleted),
	SF(syn_pkts), SF(synack_pkts), SF(syn_retransmits), SF(synack_retransmits),
	SF(handshakes_completed), SF(rst_pkts), SF(fin_pkts), SF(invalid_pkts),
	SF(events_sent), SF(events_dropped), SF(insert_failed), SF(halfopen_evicted),
	SF(halfopen_races),
};
#undef SF
_Static_assert(sizeof(struct xdpct_stats) ==
	       (sizeof(stat_fields) / sizeof(stat_fields[0]) + MAL_MAX) * sizeof(__u64),
	       "a counter of struct xdpct_stats is not checked");

static const char *const mal_names[MAL_MAX] = XDPCT_MALFORMED_NAMES;

static const char *mal_name(int i)
{
	return i >= 0 && i < MAL_MAX && mal_names[i] ? mal_names[i] : "?";
}

static __u64 mal_sum(const struct xdpct_stats *s)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < MAL_MAX; i++)
		n += s->malformed[i];
	return n;
}

static int read_stats(struct tctx *t, struct xdpct_stats st[HOOK_MAX])
{
	int err = stats_read(t->ld.fds.stats, st);

	if (err)
		FAIL("stats_read: %s", strerror(-err));
	return 0;
}

/* want_stats - every counter of both hooks exactly, and the packet sum. */
static int want_stats(struct tctx *t, const struct xdpct_stats *xdp, const struct xdpct_stats *tc)
{
	static const char *const hook[HOOK_MAX] = { "xdp", "tc" };
	const struct xdpct_stats zero = {};
	struct xdpct_stats got[HOOK_MAX];
	const struct xdpct_stats *want[HOOK_MAX] = { xdp ? xdp : &zero, tc ? tc : &zero };
	char what[64];
	size_t i;
	int h;

	TRY(read_stats(t, got));
	for (h = 0; h < HOOK_MAX; h++) {
		for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
			__u64 g = *(const __u64 *)((const char *)&got[h] + stat_fields[i].off);
			__u64 w = *(const __u64 *)((const char *)want[h] + stat_fields[i].off);

			snprintf(what, sizeof(what), "stats[%s].%s", hook[h], stat_fields[i].name);
			EQ(what, g, w);
		}
		for (i = 0; i < MAL_MAX; i++) {
			snprintf(what, sizeof(what), "stats[%s].malformed[%s]", hook[h],
				 mal_name((int)i));
			EQ(what, got[h].malformed[i], want[h]->malformed[i]);
		}
		snprintf(what, sizeof(what), "stats[%s] packets - tcp - non_tcp - malformed",
			 hook[h]);
		EQ(what, got[h].packets - got[h].tcp - got[h].non_tcp - mal_sum(&got[h]), 0);
	}
	return 0;
}

/* The counters of one completed handshake, as every handshake test sees them. */
static void stats_handshake(struct xdpct_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->packets = 3;
	s->tcp = 3;
	s->syn_pkts = 1;
	s->synack_pkts = 1;
	s->handshakes_completed = 1;
	s->flows_created = 1;
	s->flows_promoted = 1;
	s->halfopen_deleted = 1;
}

/* ---- events ---------------------------------------------------------- */

struct ev_list {
	int n;
	struct ct_event e[8];
};

static int ev_cb(void *ctx, void *data, size_t len)
{
	struct ev_list *l = ctx;

	if (l->n < (int)ARRAY_SIZE(l->e) && len >= sizeof(struct ct_event))
		memcpy(&l->e[l->n], data, sizeof(struct ct_event));
	l->n++;
	return 0;
}

static int read_events(struct tctx *t, struct ev_list *l)
{
	struct ring_buffer *rb;
	int err;

	memset(l, 0, sizeof(*l));
	rb = ring_buffer__new(t->ld.fds.events, ev_cb, l, NULL);
	if (!rb)
		FAIL("ring_buffer__new: %s", strerror(errno));
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (err < 0)
		FAIL("ring_buffer__consume: %s", strerror(-err));
	return 0;
}

/* want_end_event - exactly one CT_EV_END: the replaced record, as it was. */
static int want_end_event(struct tctx *t, const struct flow *old)
{
	struct ev_list l;

	TRY(read_events(t, &l));
	EQ("events in the ring buffer", l.n, 1);
	EQ("event type", l.e[0].type, CT_EV_END);
	if (memcmp(&l.e[0].flow, old, sizeof(*old)))
		FAIL("the CT_EV_END event does not carry the replaced record");
	return 0;
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
static int hs_run(struct tctx *t, const struct conv *cv, __u32 x, __u32 y, __u64 t1, __u64 t2,
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
static int hs_data(struct tctx *t, const struct conv *cv)
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

/* ---- tests: handshakes ------------------------------------------------ */

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
		if (types[i] == PKT_IPPROTO_ROUTING)
			cv.tmpl.ext[e].rt_type = 4;
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

/* ---- tests: bytes ------------------------------------------------------ */

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

/* ---- tests: not tracked -------------------------------------------------- */

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
			 halfopen_count(t->ld.fds.halfopen, 4) +
			 map_count(t->ld.fds.flows6, sizeof(struct flow_key6)) +
			 halfopen_count(t->ld.fds.halfopen6, 6), 0);
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

static int t_bad_flags(struct tctx *t)
{
	static const __u8 fl[] = {
		SYN | FIN,
		SYN | FIN | PSH | PKT_TCP_URG,	/* Xmas */
		SYN | RST,
		FIN | RST | ACK,
		0,				/* null scan */
	};
	struct pkt_spec s[5];
	struct conv cv;
	int i;

	conv_v4(&cv);
	for (i = 0; i < 5; i++)
		conv_spec(&cv, CLI, fl[i], V_X, 0, 0, &s[i]);
	return malformed(t, s, 5, MAL_TCP_BAD_FLAGS);
}

/* ---- tests: anomalies ----------------------------------------------------- */

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

/* ---- tests: endings and new flows ----------------------------------------- */

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
	STEP("a new SYN in TIME_WAIT");
	TRY(seg(t, &cv, t8, CLI, SYN, x2, 0, 0));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	TRY(want_dir(t, &f, 0, x2, x2 + 1, 0, 1, 0, t8, t8));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 0, 0, 0, 0));
	TRY(want_end_event(t, &old));
	stats_handshake(&st);
	st.packets = st.tcp = 8;
	st.syn_pkts = 2;
	st.fin_pkts = 2;
	st.flows_created = 2;
	st.flows_reopened = 1;
	st.flows_deleted = 1;
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

/* ---- tests: the return value, TC, keys ----------------------------------- */

static int t_pass_unchanged(struct tctx *t)
{
	__u8 buf[FRAME_MAX], spa[4] = { 10, 0, 0, 1 }, tpa[4] = { 10, 0, 0, 2 };
	struct xdpct_stats got[HOOK_MAX];
	struct pkt_spec s;
	struct conv cv4, cv6;
	int n = 0, i, e;

	conv_v4(&cv4);
	conv_v6(&cv6);
	for (i = 0; i < 24; i++) {
		const struct conv *cv = (i & 1) ? &cv6 : &cv4;

		conv_spec(cv, i & 2 ? SRV : CLI, i % 3 ? ACK | PSH : SYN, V_X + i, V_Y, i * 61,
			  &s);
		s.payload_byte = (__u8)i;
		s.vlans = i % 4 == 3 ? 3 : i % 3;	/* 3: vlan_too_deep */
		switch (i % 6) {
		case 1:
			pkt_ext6_add(&s, PKT_IPPROTO_HOPOPTS, 16);
			pkt_ext6_add(&s, PKT_IPPROTO_AH, 16);
			break;
		case 2:
			s.ip4_opt_len = 8;
			break;
		case 3:
			s.flags |= FIN | SYN;	/* tcp_bad_flags */
			break;
		case 4:
			s.mpls = 2;
			s.mpls_label[0] = 100;
			s.mpls_label[1] = 200;
			break;
		case 5:
			e = pkt_ext6_add(&s, PKT_IPPROTO_FRAGMENT, 8);
			s.ext[e].frag_offset = 3;
			break;
		}
		s.pad_to = 60;
		s.pad_byte = 0xa5;
		TRY(xdp_send(t, T0 + i, buf, pkt_build(&s, buf, sizeof(buf))));
		/* and cut short */
		TRY(xdp_run(t, T0 + i, buf, 14 + (__u32)i * 3, 0));
		n += 2;
	}
	pkt_spec_init(&s);
	TRY(xdp_send(t, T0 + 100, buf, pkt_build_arp(&s, spa, tpa, buf, sizeof(buf))));
	conv_spec(&cv4, CLI, ACK, 1, 1, 1400, &s);
	TRY(spec_send(t, T0 + 101, &s));
	n += 2;
	TRY(read_stats(t, got));
	EQ("stats[xdp].packets", got[HOOK_XDP].packets, n);
	EQ("stats[xdp] packets - tcp - non_tcp - malformed",
	   got[HOOK_XDP].packets - got[HOOK_XDP].tcp - got[HOOK_XDP].non_tcp -
	   mal_sum(&got[HOOK_XDP]), 0);
	return 0;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * SEC + (__u64)ts.tv_nsec;
}

static int t_tc_syn(struct tctx *t)
{
	__u8 buf[FRAME_MAX];
	struct xdpct_stats st = {};
	struct ev_list l;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	__u64 before, after;
	int where;

	conv_v4(&cv);
	conv_spec(&cv, CLI, SYN, V_X, 0, 0, &s);
	before = mono_now();
	TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
	after = mono_now();
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	if (f.dir[0].first_ns < before || f.dir[0].first_ns > after)
		FAIL("dir[0].first_ns %llu outside the run [%llu, %llu] (CLOCK_MONOTONIC)",
		     (unsigned long long)f.dir[0].first_ns, (unsigned long long)before,
		     (unsigned long long)after);
	TRY(want_dir(t, &f, 0, V_X, V_X + 1, 0, 1, 0, f.dir[0].first_ns, f.dir[0].first_ns));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 0, 0, 0, 0));
	EQ("wscale[0]", f.wscale[0], 7);
	/* live: every event type is on, so the new record is reported */
	TRY(read_events(t, &l));
	EQ("events in the ring buffer", l.n, 1);
	EQ("event type", l.e[0].type, CT_EV_NEW);
	EQ("event new_state", l.e[0].new_state, CT_STATE_SYN_SENT);
	if (memcmp(&l.e[0].flow, &f, sizeof(f)))
		FAIL("the CT_EV_NEW event does not carry the record");
	st.packets = st.tcp = 1;
	st.syn_pkts = 1;
	st.flows_created = 1;
	st.events_sent = 1;
	return want_stats(t, NULL, &st);
}

/*
 * One host forging both sides: SYN, SYN-ACK "from" the local server and the
 * ACK all arrive at XDP. The flow is tracked, but it gets no slot in the
 * established map, counts no handshake and feeds no ISN verdict.
 */
static int t_forged_one_hook(struct tctx *t)
{
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct syn_src_key k = {};
	struct host_isn h;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	conv_spec(&cv, CLI, SYN, x, 0, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	conv_spec(&cv, SRV, SYN | ACK, y, x + 1, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	conv_spec(&cv, CLI, ACK, x + 1, y + 1, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	EQ("anomalies", f.anomalies, CT_ANOM_ONE_HOOK_BOTH_WAYS);
	EQ("dir[0].hooks", f.dir[0].hooks, CT_HOOK_INGRESS);
	EQ("dir[1].hooks", f.dir[1].hooks, CT_HOOK_INGRESS);
	memcpy(k.addr, cv.caddr, 4);
	k.family = 4;
	if (!bpf_map_lookup_elem(t->ld.fds.host_isn, &k, &h))
		FAIL("the forged handshake fed the ISN table");
	{
		struct xdpct_stats st[HOOK_MAX];

		if (stats_read(t->ld.fds.stats, st))
			FAIL("reading stats");
		EQ("handshakes_completed", st[HOOK_XDP].handshakes_completed, 0);
		EQ("flows_promoted", st[HOOK_XDP].flows_promoted, 0);
	}
	return 0;
}

/* A server's handshake: SYN and ACK in at XDP, SYN-ACK out at TC. */
static int t_tc_xdp_one_flow(struct tctx *t)
{
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct xdpct_stats sx = {}, stc = {};
	struct ev_list l;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	__u64 b[3], a[3];
	int where, i;

	conv_v4(&cv);
	for (i = 0; i < 3; i++) {
		b[i] = mono_now();
		if (i == 0) {
			conv_spec(&cv, CLI, SYN, x, 0, 0, &s);
			TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
		} else if (i == 1) {
			conv_spec(&cv, SRV, SYN | ACK, y, x + 1, 0, &s);
			TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
		} else {
			conv_spec(&cv, CLI, ACK, x + 1, y + 1, 0, &s);
			TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
		}
		a[i] = mono_now();
	}
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_maps(t, 1, 0, 0, 0));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShA", 0, SYN | ACK, SYN | ACK));
	EQ("dir[0].isn", f.dir[0].isn, x);
	EQ("dir[1].isn", f.dir[1].isn, y);
	EQ("dir[0].pkts", f.dir[0].pkts, 2);
	EQ("dir[1].pkts", f.dir[1].pkts, 1);
	if (f.dir[0].first_ns < b[0] || f.dir[0].first_ns > a[0] || f.dir[1].first_ns < b[1] ||
	    f.dir[1].first_ns > a[1] || f.dir[0].last_ns < b[2] || f.dir[0].last_ns > a[2])
		FAIL("times outside their runs (CLOCK_MONOTONIC)");
	/* NEW (SYN, XDP), STATE to SYN_RECV (TC), STATE to ESTABLISHED (XDP) */
	TRY(read_events(t, &l));
	EQ("events in the ring buffer", l.n, 3);
	for (i = 0; i < 3; i++) {
		static const __u8 type[3] = { CT_EV_NEW, CT_EV_STATE, CT_EV_STATE };
		static const __u8 from[3] = { CT_STATE_NONE, CT_STATE_SYN_SENT, CT_STATE_SYN_RECV };
		static const __u8 to[3] = { CT_STATE_SYN_SENT, CT_STATE_SYN_RECV,
					    CT_STATE_ESTABLISHED };

		EQ("event type", l.e[i].type, type[i]);
		EQ("event old_state", l.e[i].old_state, from[i]);
		EQ("event new_state", l.e[i].new_state, to[i]);
	}
	sx.packets = sx.tcp = 2;
	sx.syn_pkts = 1;
	sx.handshakes_completed = 1;
	sx.flows_created = 1;
	sx.flows_promoted = 1;
	sx.halfopen_deleted = 1;
	sx.events_sent = 2;
	stc.packets = stc.tcp = 1;
	stc.synack_pkts = 1;
	stc.events_sent = 1;
	return want_stats(t, &sx, &stc);
}

/*
 * flow.h: "side 0 is the numerically lower (addr, port) pair". Numeric
 * order of an address is its network-order value as a number.
 */
static int t_canonical_numeric(struct tctx *t)
{
	static const struct {
		int family;
		const char *hi, *lo;
		__u16 hport, lport;
	} c[] = {
		{ 4, "10.0.0.1", "9.0.0.2", 1000, 2000 },	/* addresses decide */
		{ 4, "10.0.0.1", "10.0.0.1", 256, 1 },		/* ports decide */
		{ 6, "2001:db8::1:0", "2001:db8::ff", 1000, 2000 },
	};
	char bad[512] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct flow_key6 k6 = {};
		struct flow_key4 k4 = {};
		struct conv cv;
		struct flow f;
		int where;

		STEP(c[i].family == 4 ? (i ? "IPv4, equal addresses" : "IPv4") : "IPv6");
		conv_init(&cv, c[i].family, c[i].hi, c[i].hport, c[i].lo, c[i].lport);
		TRY(seg(t, &cv, T0 + i, CLI, SYN, V_X, 0, 0));
		if (c[i].family == 4) {
			memcpy(&k4.addr[0], cv.saddr, 4);
			memcpy(&k4.addr[1], cv.caddr, 4);
			k4.port[0] = htons(c[i].lport);
			k4.port[1] = htons(c[i].hport);
			TRY(key_lookup(t, 4, &k4, &f, &where));
		} else {
			memcpy(k6.addr[0], cv.saddr, 16);
			memcpy(k6.addr[1], cv.caddr, 16);
			k6.port[0] = htons(c[i].lport);
			k6.port[1] = htons(c[i].hport);
			TRY(key_lookup(t, 6, &k6, &f, &where));
		}
		if (where != IN_HALFOPEN) {
			size_t n = strlen(bad);

			snprintf(bad + n, sizeof(bad) - n,
				 c[i].family == 4 ? "%s%s:%u -> %s:%u" : "%s[%s]:%u -> [%s]:%u",
				 n ? "; " : "", c[i].hi, c[i].hport, c[i].lo, c[i].lport);
			continue;
		}
		if (!(f.ctl & CT_CTL_ORIG_SIDE))
			FAIL("ORIG_SIDE clear: the originator is canonical side 1");
	}
	t->step = NULL;
	if (bad[0])
		FAIL("not keyed with the numerically lower endpoint as side 0: %s", bad);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

struct test {
	const char *name;
	int (*fn)(struct tctx *t);
	bool live;	/* load without replay (TC, kernel clock) */
};

static const struct test tests[] = {
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
	{ "IPv4 Ethernet padding is not counted as payload", t_padding_v4 },
	{ "IPv6 Ethernet padding is not counted as payload", t_padding_v6 },
	{ "retransmitted data adds a packet and no bytes, overlap counts once", t_retransmit },
	{ "ISN 2^32-10 sending 100 bytes: bytes 100, SEQ_WRAPPED", t_seq_wrap },
	{ "replay: a snaplen-cut frame counts the bytes of its IP length", t_snaplen },
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
	{ "blind RST: RST_OUT_OF_WINDOW, flow stays ESTABLISHED", t_blind_rst },
	{ "stale SYN-ACK of seed-notes 4: BAD_SYNACK_ACK, no SYN_RECV", t_stale_synack },
	{ "stale SYN and SYN-ACK on an established tuple are flagged and ignored",
	  t_stale_on_established },
	{ "refused connect: CLOSE in halfopen, history Sr", t_refused },
	{ "a new SYN on a CLOSE tuple starts a new flow", t_reopen_close },
	{ "the four-packet close to TIME_WAIT, then a new SYN starts a new flow",
	  t_reopen_time_wait },
	{ "an ESTABLISHED flow past its timeout is replaced by the next packet",
	  t_expire_established },
	{ "a resent SYN does not extend SYN_SENT; the flow is replaced at its timeout",
	  t_expire_syn_sent },
	{ "every frame returns XDP_PASS and leaves the frame unchanged", t_pass_unchanged },
	{ "TC: a SYN counts in stats[HOOK_TC], returns TC_ACT_UNSPEC", t_tc_syn, true },
	{ "TC and XDP halves of one handshake share one flow record", t_tc_xdp_one_flow, true },
	{ "one host forging both sides through XDP: tracked, but no established slot, "
	  "no handshake counted, no ISN taken", t_forged_one_hook, true },
	{ "canonical key: side 0 is the numerically lower endpoint (flow.h)",
	  t_canonical_numeric },
};

static void skip_all(const char *why, bool ci)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (ci)
			printf("not ok - %s # cannot run here: %s (CI must run it)\n",
			       tests[i].name, why);
		else
			printf("ok - %s # SKIP %s\n", tests[i].name, why);
	}
}

int main(int argc, char **argv)
{
	const char *ci_env = getenv("CI");
	bool ci = ci_env && !strcmp(ci_env, "true");
	const char *only = argc > 1 ? argv[1] : NULL;
	struct tctx t;
	int failed = 0, err;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		skip_all("not root", ci);
		return ci ? 1 : 0;
	}
	memset(&t, 0, sizeof(t));
	err = load(&t, true);
	if (err) {
		char why[128];

		snprintf(why, sizeof(why), "cannot load the BPF object (%s)", strerror(-err));
		skip_all(why, ci);
		return ci ? 1 : 0;
	}
	ld_destroy(&t.ld);

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (only && !strstr(tests[i].name, only))
			continue;
		memset(&t, 0, sizeof(t));
		err = load(&t, !tests[i].live);
		if (err) {
			printf("not ok - %s # loading the object failed: %s\n", tests[i].name,
			       strerror(-err));
			failed++;
			continue;
		}
		if (tests[i].fn(&t) || t.why[0]) {
			printf("not ok - %s # %s\n", tests[i].name,
			       t.why[0] ? t.why : "failed");
			failed++;
		} else {
			printf("ok - %s\n", tests[i].name);
		}
		ld_destroy(&t.ld);
	}
	return failed ? 1 : 0;
}

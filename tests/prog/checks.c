// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * checks.c - reading xdpct's maps in the BPF_PROG_TEST_RUN tests
 * (harness.h) and comparing them with what a test wants.
 *
 * Records are read with the canonical key built as the programs build it
 * and compared field by field; counters are compared for every field of
 * both hooks.
 */
#include "harness.h"

/* ---- keys and lookups ----------------------------------------------- */

/*
 * key_make - the canonical key of a tuple as flow.h defines it: side 0 is
 * the numerically lower (address, port). Returns the side of (a, ap).
 */
int key_make(int family, const __u8 *a, __u16 ap, const __u8 *b, __u16 bp, void *key)
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

/*
 * flow_find - the flow at key in fds' maps: IN_FLOWS | IN_HALFOPEN bits in
 * *where, *f from flows when it is in both. 0 or -errno.
 */
int flow_find(const struct xdpct_fds *fds, int family, const void *key, struct flow *f,
	      int *where)
{
	int fl = family == 4 ? fds->flows : fds->flows6;
	struct flow tmp;
	int err;

	*where = IN_NONE;
	memset(f, 0, sizeof(*f));
	if (!bpf_map_lookup_elem(fl, key, f))
		*where |= IN_FLOWS;
	else if (errno != ENOENT)
		return -errno;
	err = halfopen_lookup(fds, family, key, &tmp);
	if (!err) {
		if (!*where)
			*f = tmp;
		*where |= IN_HALFOPEN;
	} else if (err != -ENOENT) {
		return err;
	}
	return 0;
}

/* key_lookup - the flow at key: IN_FLOWS | IN_HALFOPEN bits in *where. */
int key_lookup(struct tctx *t, int family, const void *key, struct flow *f, int *where)
{
	int err = flow_find(&t->ld.fds, family, key, f, where);

	if (err)
		FAIL("lookup in the flow maps: %s", strerror(-err));
	return 0;
}

/* conv_flow - cv's record; *cside is the client's canonical side. */
int conv_flow(struct tctx *t, const struct conv *cv, struct flow *f, int *where,
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

int want_where(struct tctx *t, int got, int want)
{
	if (got != want)
		FAIL("flow is in %s, want %s", where_name(got), where_name(want));
	return 0;
}

int map_count(int fd, size_t key_size)
{
	__u8 key[64], next[64];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *prev = NULL;
	int n = 0;

	/* the half-open store is a SYN cache in an array: its live slots */
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_ARRAY)
		return (int)halfopen_count(fd, info.value_size == sizeof(struct hc_bucket4) ? 4 : 6);

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/* want_maps - the number of entries in flows, flows6, halfopen, halfopen6. */
int want_maps(struct tctx *t, int fl4, int fl6, int ho4, int ho6)
{
	EQ("entries in flows", map_count(t->ld.fds.flows, sizeof(struct flow_key4)), fl4);
	EQ("entries in flows6", map_count(t->ld.fds.flows6, sizeof(struct flow_key6)), fl6);
	EQ("entries in halfopen", map_count(t->ld.fds.halfopen, sizeof(struct flow_key4)), ho4);
	EQ("entries in halfopen6", map_count(t->ld.fds.halfopen6, sizeof(struct flow_key6)), ho6);
	return 0;
}

/* want_conv_maps - only cv's map (nf entries in flows, nh in halfopen). */
int want_conv_maps(struct tctx *t, const struct conv *cv, int nf, int nh)
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
int want_no_flows(struct tctx *t)
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

int want_dir(struct tctx *t, const struct flow *f, int d, __u32 isn, __u32 end,
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

int want_flow(struct tctx *t, const struct flow *f, __u8 state, const char *hist,
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
int want_syn_dst(struct tctx *t, int family, const __u8 *addr, __u16 port, __u64 syns,
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
int want_host_isn(struct tctx *t, int family, const __u8 *addr, int n, const __u32 *isn,
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
	SF(events_sent), SF(events_dropped), SF(insert_failed), SF(tcp_bad_csum),
	SF(halfopen_evicted), SF(halfopen_races),
};
#undef SF
_Static_assert(sizeof(struct xdpct_stats) ==
	       (sizeof(stat_fields) / sizeof(stat_fields[0]) + MAL_MAX) * sizeof(__u64),
	       "a counter of struct xdpct_stats is not checked");

static const char *const mal_names[MAL_MAX] = XDPCT_MALFORMED_NAMES;

const char *mal_name(int i)
{
	return i >= 0 && i < MAL_MAX && mal_names[i] ? mal_names[i] : "?";
}

__u64 mal_sum(const struct xdpct_stats *s)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < MAL_MAX; i++)
		n += s->malformed[i];
	return n;
}

int read_stats(struct tctx *t, struct xdpct_stats st[HOOK_MAX])
{
	int err = stats_read(t->ld.fds.stats, st);

	if (err)
		FAIL("stats_read: %s", strerror(-err));
	return 0;
}

/* want_stats - every counter of both hooks exactly, and the packet sum. */
int want_stats(struct tctx *t, const struct xdpct_stats *xdp, const struct xdpct_stats *tc)
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
void stats_handshake(struct xdpct_stats *s)
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

static int ev_cb(void *ctx, void *data, size_t len)
{
	struct ev_list *l = ctx;

	if (l->n < (int)ARRAY_SIZE(l->e) && len >= sizeof(struct ct_event))
		memcpy(&l->e[l->n], data, sizeof(struct ct_event));
	l->n++;
	return 0;
}

int read_events(struct tctx *t, struct ev_list *l)
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
int want_end_event(struct tctx *t, const struct flow *old)
{
	struct ev_list l;

	TRY(read_events(t, &l));
	EQ("events in the ring buffer", l.n, 1);
	EQ("event type", l.e[0].type, CT_EV_END);
	if (memcmp(&l.e[0].flow, old, sizeof(*old)))
		FAIL("the CT_EV_END event does not carry the replaced record");
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * flowtrack.c - the ended-flow tracker of run, export and metrics.
 *
 * The kernel keeps no history: a flow that ended is replaced or deleted.
 * So a process that exports looks at the maps every second and compares
 * with what it saw last time: a flow in TIME_WAIT or CLOSE, or past its
 * timeout, ended then and there; one that is gone without having been
 * seen ending was pushed out of a full map. The same look feeds the
 * anomaly counters and RTT histogram of the Prometheus metrics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowtrack.h"
#include "util.h"

struct ft_entry {
	__u8 used, family, done, rtt_counted;
	__u8 missed;		/* polls it was not found in */
	__u8 pad[3];
	__u32 gen;
	__u32 anom_counted;	/* anomalies already in the tally */
	__u8 key[sizeof(struct flow_key6)];
	__u64 start;		/* first packet of the flow (record clock) */
	__u64 rep_ns;		/* record clock of the last report, 0: none */
	__u64 rep_pkts[2], rep_bytes[2], rep_ip[2];	/* counted in reports so far */
	struct flow last;	/* as last seen */
};

void ft_init(struct flow_tracker *t, ft_emit_fn emit, void *ctx, __u64 active_ns,
	     __u64 idle_ns)
{
	memset(t, 0, sizeof(*t));
	t->emit = emit;
	t->ctx = ctx;
	t->active_ns = active_ns;
	t->idle_ns = idle_ns;
}

void ft_free(struct flow_tracker *t)
{
	free(t->tab);
	t->tab = NULL;
	t->cap = t->n = 0;
}

static __u64 ft_hash(int family, const __u8 *key)
{
	__u64 h = 0xcbf29ce484222325ull ^ (__u64)family;
	size_t i;

	for (i = 0; i < sizeof(struct flow_key6); i++)
		h = (h ^ key[i]) * 0x100000001b3ull;
	return h;
}

/* ft_slot - the entry of (family, key), or the empty slot where it goes. */
static struct ft_entry *ft_slot(struct ft_entry *tab, size_t cap, int family, const __u8 *key)
{
	size_t i = ft_hash(family, key) & (cap - 1);

	while (tab[i].used && (tab[i].family != family || memcmp(tab[i].key, key, sizeof(tab[i].key))))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* ft_resize - a table for want entries, the used ones moved in (also to
 * close the holes that deleted entries leave in probe chains). */
static int ft_resize(struct flow_tracker *t, size_t want, bool force)
{
	size_t cap = 1024, i;
	struct ft_entry *nt;

	while (cap < want * 2)
		cap *= 2;
	if (cap == t->cap && !force)
		return 0;
	nt = calloc(cap, sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++)
		if (t->tab[i].used)
			*ft_slot(nt, cap, t->tab[i].family, t->tab[i].key) = t->tab[i];
	free(t->tab);
	t->tab = nt;
	t->cap = cap;
	return 0;
}

static __u64 ft_start(const struct flow *f)
{
	__u64 a = f->dir[0].pkts ? f->dir[0].first_ns : 0, b = f->dir[1].pkts ? f->dir[1].first_ns : 0;

	return !a ? b : !b ? a : a < b ? a : b;
}

static bool ft_closed(const struct flow *f)
{
	unsigned int s = f->ctl & CT_CTL_STATE_MASK;

	return s == CT_STATE_TIME_WAIT || s == CT_STATE_CLOSE;
}

/* ft_report - what the flow did since its last report, to the sink. */
static void ft_report(struct flow_tracker *t, struct ft_entry *e, __u64 now, int reason,
		      bool final)
{
	const struct flow *f = &e->last;
	struct flow_view v;
	struct ft_report r = { .v = &v, .reason = reason, .final = final };
	int d, err;

	if (e->done)
		return;
	flow_view_fill(&v, e->family, e->key, f, t->time_off, now);
	for (d = 0; d < 2; d++) {
		r.pkts[d] = f->dir[d].pkts - e->rep_pkts[d];
		r.bytes[d] = f->dir[d].bytes - e->rep_bytes[d];
		r.ip_bytes[d] = f->dir[d].ip_bytes - e->rep_ip[d];
		e->rep_pkts[d] = f->dir[d].pkts;
		e->rep_bytes[d] = f->dir[d].bytes;
		e->rep_ip[d] = f->dir[d].ip_bytes;
	}
	e->rep_ns = now;
	e->done = final;
	if (t->emit) {
		err = t->emit(t->ctx, &r);
		if (err && !t->err)
			t->err = err;
	}
}

static bool ft_moved(const struct ft_entry *e)
{
	return e->last.dir[0].pkts != e->rep_pkts[0] || e->last.dir[1].pkts != e->rep_pkts[1];
}

/* ft_decide - report the flow if it ended, went idle or is due (active). */
static void ft_decide(struct flow_tracker *t, struct ft_entry *e, __u64 now)
{
	const struct flow *f = &e->last;
	__u64 last = f->dir[0].last_ns > f->dir[1].last_ns ? f->dir[0].last_ns : f->dir[1].last_ns;
	__u64 since = e->rep_ns ? e->rep_ns : e->start;

	if (e->done || !t->emit)
		return;
	if (ft_closed(f))
		ft_report(t, e, now, FT_END, true);
	else if (f->expires_ns && now >= f->expires_ns)
		ft_report(t, e, now, FT_IDLE, true);
	else if (t->idle_ns && now - last >= t->idle_ns && ft_moved(e))
		ft_report(t, e, now, FT_IDLE, false);
	else if (t->active_ns && now - since >= t->active_ns && ft_moved(e))
		ft_report(t, e, now, FT_ACTIVE, false);
}

/* ft_tally - anomalies new on the flow, and its RTT once. */
static void ft_tally(struct flow_tracker *t, struct ft_entry *e, int family, const void *key)
{
	struct flow_view v;
	__u32 bits;
	int b;

	flow_view_fill(&v, family, key, &e->last, 0, 0);
	bits = v.anomalies & ~e->anom_counted;
	for (b = 0; bits && b < 32; b++)
		if (bits & (1u << b))
			t->tally.anomalies[b]++;
	e->anom_counted |= v.anomalies;
	if (!e->rtt_counted && v.syn_rtt_us >= 0 && v.ack_rtt_us >= 0) {
		flow_tally_rtt(&t->tally, (__u64)(v.syn_rtt_us + v.ack_rtt_us));
		e->rtt_counted = 1;
	}
}

struct ft_walk {
	struct flow_tracker *t;
	__u64 now;
};

static int ft_walk_cb(int family, const void *key, const struct flow *f, bool halfopen,
		      void *ctx)
{
	struct ft_walk *w = ctx;
	struct flow_tracker *t = w->t;
	__u8 k[sizeof(struct flow_key6)] = {};
	struct ft_entry *e;
	__u64 start = ft_start(f);

	(void)halfopen;
	if (!start)
		return 0;
	memcpy(k, key, family == 6 ? sizeof(struct flow_key6) : sizeof(struct flow_key4));
	if (t->n + 1 > t->cap / 2 && ft_resize(t, t->n + 1, false))
		return -ENOMEM;
	e = ft_slot(t->tab, t->cap, family, k);
	if (e->used && e->start != start) {
		/* the tuple carries a new connection: the old one ended */
		ft_report(t, e, w->now, ft_closed(&e->last) ? FT_END : FT_IDLE, true);
		e->used = 0;
		t->n--;
	}
	if (!e->used) {
		memset(e, 0, sizeof(*e));
		e->used = 1;
		e->family = (__u8)family;
		memcpy(e->key, k, sizeof(k));
		e->start = start;
		t->n++;
	}
	e->last = *f;
	e->gen = t->gen;
	e->missed = 0;
	ft_tally(t, e, family, k);
	ft_decide(t, e, w->now);
	return 0;
}

int ft_poll(struct flow_tracker *t, const struct xdpct_fds *fds, __u64 now)
{
	struct ft_walk w = { t, now };
	size_t i, live = 0, gone = 0;
	int err;

	t->gen++;
	if (!t->tab && ft_resize(t, 512, false))
		return -ENOMEM;
	err = flows_walk(fds, ft_walk_cb, &w);
	if (err)
		return err;
	for (i = 0; i < t->cap; i++) {
		struct ft_entry *e = &t->tab[i];
		bool over;

		if (!e->used || e->gen == t->gen) {
			live += e->used;
			continue;
		}
		/* gone: deleted after its close or timeout, else pushed out. A
		 * flow promoted to the established map between the walks of the
		 * two maps is missed once: an eviction takes two looks. */
		over = ft_closed(&e->last) || (e->last.expires_ns && now >= e->last.expires_ns);
		if (!over && !e->done && ++e->missed < 2) {
			live++;
			continue;
		}
		ft_report(t, e, now, ft_closed(&e->last) ? FT_END : over ? FT_IDLE : FT_EVICTED,
			  true);
		e->used = 0;
		gone++;
	}
	/* rebuild so the probe chains have no holes where the gone were */
	if (gone)
		err = ft_resize(t, live, true);
	t->n = live;
	return err ? err : t->err;
}

int ft_flush(struct flow_tracker *t, int reason)
{
	size_t i;

	for (i = 0; i < t->cap; i++)
		if (t->tab[i].used && !t->tab[i].done)
			ft_report(t, &t->tab[i], t->tab[i].rep_ns ? t->tab[i].rep_ns : t->tab[i].start,
				  reason, true);
	return t->err;
}

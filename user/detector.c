// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* detector.c - SYN-flood detection per victim: a CUSUM (see detector.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detector.h"

/* used slots looked at, from a rotating hand, to find one to reuse */
#define DET_REUSE_SCAN 256

void det_params_default(struct det_params *p)
{
	p->min_rate = DET_DEFAULT_SYN_RATE;
	p->completion = DET_DEFAULT_COMPLETION;
	p->threshold = DET_DEFAULT_THRESHOLD;
	p->drift = DET_DEFAULT_DRIFT;
	p->end_after_s = DET_DEFAULT_FLOOD_END_S;
	p->baseline_alpha = 0.05;
}

int det_init(struct detector *d, const struct det_params *p)
{
	memset(d, 0, sizeof(*d));
	d->p = *p;
	d->v = calloc(DET_MAX_VICTIMS, sizeof(*d->v));
	d->doomed = calloc(DET_MAX_VICTIMS, sizeof(*d->doomed));
	if (!d->v || !d->doomed) {
		det_free(d);
		return -ENOMEM;
	}
	return 0;
}

void det_free(struct detector *d)
{
	free(d->v);
	free(d->doomed);
	d->v = NULL;
	d->doomed = NULL;
}

static size_t key_home(const struct syn_dst_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	size_t i, h = 1469598103934665603ull;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (h ^ (h >> 29)) % DET_MAX_VICTIMS;
}

/* find - the slot index of k, or -1. */
static long find(const struct detector *d, const struct syn_dst_key *k)
{
	size_t i, at = key_home(k);

	for (i = 0; i < DET_MAX_VICTIMS; i++, at = (at + 1) % DET_MAX_VICTIMS) {
		if (!d->v[at].used)
			return -1;
		if (!memcmp(&d->v[at].key, k, sizeof(*k)))
			return (long)at;
	}
	return -1;
}

/*
 * release - free slot i; linear probing's backward shift moves later slots
 * of the same run into the hole, so no tombstones pile up.
 */
static void release(struct detector *d, size_t i)
{
	size_t j = i, home;

	d->v[i].used = false;
	d->n_used--;
	for (;;) {
		j = (j + 1) % DET_MAX_VICTIMS;
		if (!d->v[j].used)
			return;
		home = key_home(&d->v[j].key);
		/* j stays if its home is cyclically in (i, j] */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		d->v[i] = d->v[j];
		d->v[j].used = false;
		i = j;
	}
}

/*
 * quietest - a slot to reuse: of the next DET_REUSE_SCAN used slots after the
 * hand, the one with the lowest SYN rate (then CUSUM) that is not flooding;
 * further on if all of those flood. -1 if every slot floods.
 */
static long quietest(struct detector *d)
{
	size_t k, seen = 0;
	long best = -1;

	for (k = 0; k < DET_MAX_VICTIMS; k++) {
		size_t i = (d->hand + k) % DET_MAX_VICTIMS;
		const struct det_victim *v = &d->v[i], *b = best >= 0 ? &d->v[best] : NULL;

		if (!v->used || v->flooding)
			continue;
		if (!b || v->last_rate < b->last_rate ||
		    (v->last_rate == b->last_rate && v->cusum < b->cusum))
			best = (long)i;
		if (++seen >= DET_REUSE_SCAN)
			break;
	}
	d->hand = (d->hand + k + 1) % DET_MAX_VICTIMS;
	return best;
}

/*
 * slot - the victim's slot, claimed if new (*fresh), reusing the quietest
 * one when the table is full; NULL only when every slot floods.
 */
static struct det_victim *slot(struct detector *d, const struct syn_dst_key *k, bool *fresh)
{
	struct det_victim *v;
	long at = find(d, k);
	size_t i;

	*fresh = false;
	if (at >= 0)
		return &d->v[at];
	if (d->n_used >= DET_MAX_LOAD) {
		at = quietest(d);
		if (at < 0)
			return NULL;
		release(d, (size_t)at);
		d->evicted++;
	}
	for (i = key_home(k); d->v[i].used; i = (i + 1) % DET_MAX_VICTIMS)
		;
	v = &d->v[i];
	memset(v, 0, sizeof(*v));
	v->used = true;
	v->key = *k;
	d->n_used++;
	*fresh = true;
	return v;
}

__u64 det_half_open(const struct det_victim *v)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < DET_WINDOW; i++)
		n += v->win_excess[i];
	return n;
}

static void fill_event(struct det_event *e, enum det_event_type t, const struct det_victim *v,
		       __u64 now)
{
	memset(e, 0, sizeof(*e));
	e->type = t;
	e->victim = v->key;
	e->ts_ns = now;
	e->syn_rate = v->last_rate;
	e->cusum = v->cusum;
	e->half_open = det_half_open(v);
	e->flood_syns = v->syns - v->start_syns;
	e->flood_completed = v->completed - v->start_completed;
	e->duration_ns = now - v->since_ns;
	e->ports = det_key_is_host(&v->key) ? v->ports : 0;
	if (t == DET_FLOOD_START)
		e->completion = v->last_completion;
	else
		e->completion = e->flood_syns ? (double)e->flood_completed / e->flood_syns : 1.0;
}

/*
 * tick - one victim's step with this tick's SYNs and completions. ev NULL:
 * no room for an alert, so the flood state changes a tick later instead.
 */
static int tick(struct detector *d, struct det_victim *v, __u64 now, double dt, __u64 dsyn,
		__u64 dcomp, struct det_event *ev)
{
	const struct det_params *p = &d->p;
	double norm, x;

	v->syns += dsyn;
	v->completed += dcomp;
	v->idle_ticks = dsyn ? 0 : v->idle_ticks + 1;
	v->last_rate = dsyn / dt;
	v->last_completion = dsyn ? (dcomp > dsyn ? 1.0 : (double)dcomp / dsyn) : 1.0;
	norm = p->min_rate * dt;
	if (v->baseline > norm)
		norm = v->baseline;
	x = ((double)dsyn - (double)dcomp) / norm;
	v->cusum += x - p->drift;
	if (v->cusum < 0)
		v->cusum = 0;
	v->win_excess[v->win_pos++ % DET_WINDOW] =
		dsyn <= dcomp ? 0 : dsyn - dcomp > 0xffffffffu ? 0xffffffffu : (__u32)(dsyn - dcomp);

	if (!v->flooding) {
		v->baseline += p->baseline_alpha * ((double)dcomp - v->baseline);
		if (ev && v->cusum > p->threshold && v->last_rate >= p->min_rate &&
		    v->last_completion < p->completion) {
			v->flooding = true;
			v->since_ns = now;
			/* the change point: the last tick the CUSUM was at rest */
			v->start_syns = v->rest_syns;
			v->start_completed = v->rest_completed;
			v->quiet_ns = 0;
			fill_event(ev, DET_FLOOD_START, v, now);
			return 1;
		}
		if (v->cusum == 0) {
			v->rest_syns = v->syns;
			v->rest_completed = v->completed;
		}
		return 0;
	}
	if (v->last_rate < p->min_rate / 2 || v->last_completion >= p->completion) {
		if (!v->quiet_ns)
			v->quiet_ns = now;
		if (ev && (double)(now - v->quiet_ns) >= p->end_after_s * 1e9) {
			fill_event(ev, DET_FLOOD_END, v, now);
			v->flooding = false;
			v->cusum = 0;
			v->quiet_ns = 0;
			return 1;
		}
	} else {
		v->quiet_ns = 0;
	}
	return 0;
}

/*
 * port_step - one map entry: its deltas since the last tick into its slot's
 * CUSUM, and, unless the port floods on its own, into its host's sums.
 */
static size_t port_step(struct detector *d, __u64 now, double dt, const struct det_sample *s,
			struct det_event *ev)
{
	struct syn_dst_key hk;
	struct det_victim *v, *h;
	__u64 dsyn, dcomp;
	size_t nev;
	bool fresh;

	v = slot(d, &s->victim, &fresh);
	if (!v)
		return 0;
	v->last_seen_ns = now;
	/* history, not this tick's: the first look, or an entry that has not
	 * changed since the last tick and lost its slot under pressure */
	if (dt <= 0 || (fresh && s->last_ns && d->last_ns && s->last_ns <= d->last_ns)) {
		v->prev_syns = s->syns;
		v->prev_completed = s->completed;
		return 0;
	}
	/* a fresh slot has prev 0: all the SYNs of a new entry are this tick's;
	 * counters restart when the map entry was evicted and made again */
	dsyn = s->syns >= v->prev_syns ? s->syns - v->prev_syns : s->syns;
	dcomp = s->completed >= v->prev_completed ? s->completed - v->prev_completed :
						   s->completed;
	v->prev_syns = s->syns;
	v->prev_completed = s->completed;
	nev = tick(d, v, now, dt, dsyn, dcomp, ev);
	if (v->flooding || (!dsyn && !dcomp))
		return nev;
	hk = s->victim;
	hk.port = 0;
	hk.pad = DET_KEY_HOST;
	h = slot(d, &hk, &fresh);	/* may reuse v's slot: v is done */
	if (h) {
		h->acc_syns += dsyn;
		h->acc_completed += dcomp;
		h->acc_ports += dsyn > 0;
	}
	return nev;
}

size_t det_update(struct detector *d, __u64 now_ns, const struct det_sample *s, size_t n,
		  struct det_event *ev, size_t max_ev)
{
	double dt = d->last_ns && now_ns > d->last_ns ? (now_ns - d->last_ns) / 1e9 : 0;
	size_t i, nev = 0, ndoomed = 0;

	for (i = 0; i < n; i++)
		if (!det_key_is_host(&s[i].victim))
			nev += port_step(d, now_ns, dt, &s[i], nev < max_ev ? &ev[nev] : NULL);
	for (i = 0; dt > 0 && i < DET_MAX_VICTIMS; i++) {
		struct det_victim *v = &d->v[i];
		struct det_event *e = nev < max_ev ? &ev[nev] : NULL;

		if (!v->used)
			continue;
		if (det_key_is_host(&v->key)) {
			v->ports = v->acc_ports;
			nev += tick(d, v, now_ns, dt, v->acc_syns, v->acc_completed, e);
			v->acc_syns = v->acc_completed = 0;
			v->acc_ports = 0;
			if (!v->flooding && !v->cusum && v->idle_ticks >= DET_IDLE_TICKS)
				d->doomed[ndoomed++] = v->key;
		} else if (v->last_seen_ns != now_ns) {
			/* gone from the map: no new SYNs for it, and once it
			 * floods no more, no slot */
			if (v->flooding)
				nev += tick(d, v, now_ns, dt, 0, 0, e);
			if (!v->flooding)
				d->doomed[ndoomed++] = v->key;
		}
	}
	/* freed after the walk: release() moves slots */
	for (i = 0; i < ndoomed; i++) {
		long at = find(d, &d->doomed[i]);

		if (at >= 0)
			release(d, (size_t)at);
	}
	d->last_ns = now_ns;
	return nev;
}

const struct det_victim *det_top(const struct detector *d)
{
	const struct det_victim *best = NULL;
	size_t i;

	for (i = 0; i < DET_MAX_VICTIMS; i++) {
		const struct det_victim *v = &d->v[i];

		if (v->used && v->flooding && (!best || v->last_rate > best->last_rate))
			best = v;
	}
	return best;
}

const struct det_victim *det_busiest(const struct detector *d)
{
	const struct det_victim *best = NULL;
	size_t i;

	for (i = 0; i < DET_MAX_VICTIMS; i++) {
		const struct det_victim *v = &d->v[i];

		/* ports only: a host's rate is its ports' summed */
		if (v->used && !det_key_is_host(&v->key) && v->last_rate > 0 &&
		    (!best || v->last_rate > best->last_rate))
			best = v;
	}
	return best;
}

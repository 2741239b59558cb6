// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* detector.c - SYN-flood detection per victim: a CUSUM (see detector.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "detector.h"

void det_params_default(struct det_params *p)
{
	p->min_rate = 1000;
	p->completion = 0.5;
	p->threshold = 5;
	p->drift = 0.5;
	p->end_after_s = 2;
	p->baseline_alpha = 0.05;
}

int det_init(struct detector *d, const struct det_params *p)
{
	memset(d, 0, sizeof(*d));
	d->p = *p;
	d->v = calloc(DET_MAX_VICTIMS, sizeof(*d->v));
	return d->v ? 0 : -ENOMEM;
}

void det_free(struct detector *d)
{
	free(d->v);
	d->v = NULL;
}

static size_t key_hash(const struct syn_dst_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	size_t i, h = 1469598103934665603ull;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

/* slot - the victim's slot, claimed if new; NULL when the table is full. */
static struct det_victim *slot(struct detector *d, const struct syn_dst_key *k)
{
	size_t i, h = key_hash(k);

	for (i = 0; i < DET_MAX_VICTIMS; i++) {
		struct det_victim *v = &d->v[(h + i) % DET_MAX_VICTIMS];

		if (!v->used) {
			if (d->n_used >= DET_MAX_VICTIMS * 3 / 4)
				return NULL;
			memset(v, 0, sizeof(*v));
			v->used = true;
			v->key = *k;
			d->n_used++;
			return v;
		}
		if (!memcmp(&v->key, k, sizeof(*k)))
			return v;
	}
	return NULL;
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
		       __u64 now, __u64 syns_now, __u64 completed_now)
{
	memset(e, 0, sizeof(*e));
	e->type = t;
	e->victim = v->key;
	e->ts_ns = now;
	e->syn_rate = v->last_rate;
	e->cusum = v->cusum;
	e->half_open = det_half_open(v);
	e->flood_syns = syns_now - v->start_syns;
	e->flood_completed = completed_now - v->start_completed;
	e->duration_ns = now - v->since_ns;
	if (t == DET_FLOOD_START)
		e->completion = v->last_completion;
	else
		e->completion = e->flood_syns ? (double)e->flood_completed / e->flood_syns : 1.0;
}

/* tick - one victim's step with the deltas of this tick. */
static int tick(struct detector *d, struct det_victim *v, __u64 now, double dt, __u64 syns,
		__u64 completed, struct det_event *ev)
{
	const struct det_params *p = &d->p;
	double dsyn, dcomp, norm, x;

	/* counters restart when the victim's map entry was evicted */
	dsyn = syns >= v->prev_syns ? (double)(syns - v->prev_syns) : (double)syns;
	dcomp = completed >= v->prev_completed ? (double)(completed - v->prev_completed) :
						 (double)completed;
	if (syns < v->prev_syns || completed < v->prev_completed) {
		v->start_syns = v->rest_syns = 0;
		v->start_completed = v->rest_completed = 0;
	}
	v->prev_syns = syns;
	v->prev_completed = completed;

	v->last_rate = dsyn / dt;
	v->last_completion = dsyn > 0 ? (dcomp > dsyn ? 1.0 : dcomp / dsyn) : 1.0;
	norm = p->min_rate * dt;
	if (v->baseline > norm)
		norm = v->baseline;
	x = (dsyn - dcomp) / norm;
	v->cusum += x - p->drift;
	if (v->cusum < 0)
		v->cusum = 0;
	v->win_excess[v->win_pos++ % DET_WINDOW] = dsyn > dcomp ? (__u64)(dsyn - dcomp) : 0;

	if (!v->flooding) {
		v->baseline += p->baseline_alpha * (dcomp - v->baseline);
		if (v->cusum > p->threshold && v->last_rate >= p->min_rate &&
		    v->last_completion < p->completion) {
			v->flooding = true;
			v->since_ns = now;
			/* the change point: the last tick the CUSUM was at rest */
			v->start_syns = v->rest_syns;
			v->start_completed = v->rest_completed;
			v->quiet_ns = 0;
			fill_event(ev, DET_FLOOD_START, v, now, syns, completed);
			return 1;
		}
		if (v->cusum == 0) {
			v->rest_syns = syns;
			v->rest_completed = completed;
		}
		return 0;
	}
	if (v->last_rate < p->min_rate / 2 || v->last_completion >= p->completion) {
		if (!v->quiet_ns)
			v->quiet_ns = now;
		if ((double)(now - v->quiet_ns) >= p->end_after_s * 1e9) {
			fill_event(ev, DET_FLOOD_END, v, now, syns, completed);
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

size_t det_update(struct detector *d, __u64 now_ns, const struct det_sample *s, size_t n,
		  struct det_event *ev, size_t max_ev)
{
	double dt = d->last_ns && now_ns > d->last_ns ? (now_ns - d->last_ns) / 1e9 : 0;
	size_t i, nev = 0;

	for (i = 0; i < n; i++) {
		struct det_victim *v = slot(d, &s[i].victim);

		if (!v)
			continue;
		v->last_seen_ns = now_ns;
		if (dt <= 0) {
			/* the first look: counters up to now are history */
			v->primed = true;
			v->prev_syns = v->rest_syns = s[i].syns;
			v->prev_completed = v->rest_completed = s[i].completed;
			continue;
		}
		/* a victim new since the last tick: all its SYNs are this tick's
		 * (prev and rest are 0 in a fresh slot) */
		v->primed = true;
		if (nev < max_ev)
			nev += tick(d, v, now_ns, dt, s[i].syns, s[i].completed, &ev[nev]);
	}
	/* victims that vanished from the map: no new SYNs for them */
	for (i = 0; dt > 0 && i < DET_MAX_VICTIMS; i++) {
		struct det_victim *v = &d->v[i];

		if (!v->used || v->last_seen_ns == now_ns)
			continue;
		if (v->flooding && nev < max_ev)
			nev += tick(d, v, now_ns, dt, v->prev_syns, v->prev_completed, &ev[nev]);
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

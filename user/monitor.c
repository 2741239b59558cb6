// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* monitor.c - the detector fed from the maps, and its alerts. */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "flowview.h"
#include "jsonl.h"
#include "monitor.h"
#include "util.h"

#define TOP_SOURCES 5

/* a default as the help text writes it: detector.h's value, spelled once */
#define DEF_(x) "(default " #x ")"
#define DEF(x) DEF_(x)

const struct argp_option detector_options[] = {
	{ NULL, 0, NULL, 0, "SYN-flood detector:", 50 },
	{ "syn-rate", OPT_SYN_RATE, "N", 0,
	  "SYN/s a victim must receive to be called flooded " DEF(DET_DEFAULT_SYN_RATE), 50 },
	{ "completion", OPT_COMPLETION, "RATIO", 0,
	  "flood only while completed/SYN is below RATIO " DEF(DET_DEFAULT_COMPLETION), 50 },
	{ "cusum-threshold", OPT_CUSUM_THRESHOLD, "H", 0,
	  "CUSUM alarm level " DEF(DET_DEFAULT_THRESHOLD), 50 },
	{ "cusum-drift", OPT_CUSUM_DRIFT, "A", 0,
	  "normal SYN excess per tick tolerated, in units of normal load "
	  DEF(DET_DEFAULT_DRIFT), 50 },
	{ "flood-end", OPT_FLOOD_END, "SEC", 0,
	  "quiet seconds before syn_flood_end " DEF(DET_DEFAULT_FLOOD_END_S), 50 },
	{ 0 },
};

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* isfinite: strtod takes "nan", and nan compares false to any bound */
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

const char *detector_opt_error(int key)
{
	switch (key) {
	case OPT_SYN_RATE:
		return "--syn-rate must be a number of SYN/s from 1 to 1e9";
	case OPT_COMPLETION:
		return "--completion must be a ratio from 0 to 1";
	case OPT_CUSUM_THRESHOLD:
		return "--cusum-threshold must be a number from 0 to 1e9";
	case OPT_CUSUM_DRIFT:
		return "--cusum-drift must be a number from 0 to 1e9";
	case OPT_FLOOD_END:
		return "--flood-end must be seconds from 0 to 3600";
	default:
		return "bad detector option";
	}
}

int detector_parse_opt(int key, const char *arg, struct det_params *p)
{
	switch (key) {
	case OPT_SYN_RATE:
		return parse_double(arg, 1, 1e9, &p->min_rate);
	case OPT_COMPLETION:
		return parse_double(arg, 0, 1, &p->completion);
	case OPT_CUSUM_THRESHOLD:
		return parse_double(arg, 0, 1e9, &p->threshold);
	case OPT_CUSUM_DRIFT:
		return parse_double(arg, 0, 1e9, &p->drift);
	case OPT_FLOOD_END:
		return parse_double(arg, 0, 3600, &p->end_after_s);
	default:
		return 1;
	}
}

int monitor_init(struct monitor *m, const struct xdpct_fds *fds, const char *iface, bool json,
		 const struct det_params *p, FILE *out)
{
	struct xdpct_stats st[HOOK_MAX];

	memset(m, 0, sizeof(*m));
	m->fds = fds;
	m->iface = iface;
	m->json = json;
	m->out = out;
	/* report drops from now on, not the ones before we started */
	if (fds->stats >= 0 && !stats_read(fds->stats, st))
		m->last_dropped = st[HOOK_XDP].events_dropped + st[HOOK_TC].events_dropped;
	return det_init(&m->det, p);
}

void monitor_free(struct monitor *m)
{
	det_free(&m->det);
}

struct sample_vec {
	struct det_sample *s;
	size_t n, cap;
};

static int collect_cb(const void *key, const void *val, void *ctx)
{
	struct sample_vec *sv = ctx;
	const struct syn_dst_val *v = val;

	if (array_grow((void **)&sv->s, &sv->cap, sv->n, sizeof(*sv->s), 64))
		return -ENOMEM;	/* an error, not fewer victims */
	memcpy(&sv->s[sv->n].victim, key, sizeof(struct syn_dst_key));
	sv->s[sv->n].syns = v->syns;
	sv->s[sv->n].synacks = v->synacks;
	sv->s[sv->n].completed = v->completed;
	sv->s[sv->n].last_ns = v->last_ns;
	sv->n++;
	return 0;
}

struct src_top {
	struct syn_src_key key[TOP_SOURCES];
	__u64 syns[TOP_SOURCES];
	int n;
	__u64 since;		/* monotonic ns: only sources active since */
};

void monitor_victim_str(const struct syn_dst_key *k, char *buf, size_t len)
{
	char a[64];

	if (!det_key_is_host(k)) {
		endpoint_str(k->family, (const __u8 *)k->addr, k->port, buf, len);
		return;
	}
	addr_str(k->family, (const __u8 *)k->addr, a, sizeof(a));
	snprintf(buf, len, k->family == 6 ? "[%s]:*" : "%s:*", a);
}

static void print_alert(struct monitor *m, const struct det_event *e)
{
	char victim[64], a[64];
	struct src_top top = { .since = mono_ns() - 5 * NSEC_PER_SEC };
	int i;

	monitor_victim_str(&e->victim, victim, sizeof(victim));
	if (e->type == DET_FLOOD_START) {
		struct syn_src_count sc[TOP_SOURCES];
		int n = syn_src_top(m->fds, top.since, sc, TOP_SOURCES);

		for (i = 0; i < n; i++) {
			top.key[i] = sc[i].key;
			top.syns[i] = sc[i].syns;
		}
		top.n = n > 0 ? n : 0;
	}
	if (m->json) {
		jsonl_alert(m->out, e, m->iface, top.key, top.syns, top.n);
		return;
	}
	if (e->type == DET_FLOOD_START) {
		if (det_key_is_host(&e->victim))
			snprintf(victim + strlen(victim), sizeof(victim) - strlen(victim),
				 " (%u ports)", e->ports);
		fprintf(m->out, "ALERT syn_flood_start%s%s victim %s: %.0f SYN/s, %.1f%% completed, "
			"CUSUM %.1f; top sources:", m->iface ? " on " : "", m->iface ? m->iface : "",
			victim, e->syn_rate, e->completion * 100, e->cusum);
		for (i = 0; i < top.n; i++) {
			addr_str(top.key[i].family, (const __u8 *)top.key[i].addr, a, sizeof(a));
			fprintf(m->out, " %s(%llu)", a, (unsigned long long)top.syns[i]);
		}
		fprintf(m->out, "%s\n", top.n ? "" : " -");
	} else {
		fprintf(m->out, "ALERT syn_flood_end%s%s victim %s: lasted %.1fs, %llu SYNs, "
			"%llu completed (%.1f%%)\n", m->iface ? " on " : "", m->iface ? m->iface : "",
			victim, e->duration_ns / 1e9, (unsigned long long)e->flood_syns,
			(unsigned long long)e->flood_completed, e->completion * 100);
	}
	fflush(m->out);
}

bool detector_live(const struct xdpct_detector *d)
{
	if (!d->pid || !d->updated_ns || real_ns() - d->updated_ns > DETECTOR_STALE_NS)
		return false;
	/* EPERM: alive, owned by another user */
	return !kill((pid_t)d->pid, 0) || errno == EPERM;
}

/*
 * publish - the verdict in the pinned detector map, for "xdpct stats". One
 * detector owns the map at a time (run, or the first events reader); the
 * others keep their alerts to themselves and take over if it goes away.
 */
static void publish(struct monitor *m)
{
	const struct det_victim *top = det_top(&m->det);
	struct xdpct_detector d = {}, old = {};
	__u32 zero = 0;

	if (m->fds->detector < 0)
		return;
	bpf_map_lookup_elem(m->fds->detector, &zero, &old);
	if (old.pid != (__u32)getpid() && detector_live(&old))
		return;
	d.updated_ns = real_ns();
	d.pid = getpid();
	d.flooding = top != NULL;
	d.since_ns = old.flooding == d.flooding && old.since_ns ? old.since_ns : d.updated_ns;
	if (top) {
		__u64 syns = top->syns - top->start_syns;
		__u64 done = top->completed - top->start_completed;

		d.syn_rate = (__u64)top->last_rate;
		/* completion over the whole flood, not just the last tick */
		d.completion_ppm = syns ? (__u64)((double)(done > syns ? syns : done) / syns * 1e6) :
					  1000000;
		d.half_open = det_half_open(top);
		d.flood_syns = syns;
		d.cusum_milli = (__u64)(top->cusum * 1000);
		d.victim = top->key;
	} else {
		/* the busiest victim's figures, for a quick look */
		const struct det_victim *b = det_busiest(&m->det);

		d.syn_rate = b ? (__u64)b->last_rate : 0;
		d.completion_ppm = (__u64)((b ? b->last_completion : 1) * 1e6);
	}
	bpf_map_update_elem(m->fds->detector, &zero, &d, BPF_ANY);
}

int monitor_tick(struct monitor *m)
{
	struct sample_vec sv = {};
	struct det_event ev[16];
	__u64 now = mono_ns();	/* before the walk: entries changed after it are news next tick */
	size_t i, n;
	int err;

	if (m->fds->syn_dst < 0)
		return 0;
	err = map_walk(m->fds->syn_dst, sizeof(struct syn_dst_key), sizeof(struct syn_dst_val),
		       collect_cb, &sv);
	if (err) {
		/* a shorter list would look like victims that went quiet */
		free(sv.s);
		return err;
	}
	n = det_update(&m->det, now, sv.s, sv.n, ev, ARRAY_SIZE(ev));
	free(sv.s);
	for (i = 0; i < n; i++)
		print_alert(m, &ev[i]);
	m->alerts += n;
	publish(m);
	return (int)n;
}

void monitor_report_drops(struct monitor *m)
{
	struct xdpct_stats st[HOOK_MAX];
	__u64 dropped;

	if (stats_read(m->fds->stats, st))
		return;
	dropped = st[HOOK_XDP].events_dropped + st[HOOK_TC].events_dropped;
	if (dropped <= m->last_dropped)
		return;
	if (m->json) {
		jsonl_drops(m->out, m->iface, dropped - m->last_dropped, dropped);
	} else {
		fprintf(m->out, "NOTE %llu per-flow events dropped (rate limit or full ring), "
			"%llu in all\n", (unsigned long long)(dropped - m->last_dropped),
			(unsigned long long)dropped);
		fflush(m->out);
	}
	m->last_dropped = dropped;
}

static int sample_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct det_sample *)a)->victim,
		      &((const struct det_sample *)b)->victim, sizeof(struct syn_dst_key));
}

/* host_cmp - by host: family, then address (a syn_dst_key's first bytes) */
static int host_cmp(const void *a, const void *b)
{
	const struct syn_dst_key *x = &((const struct det_sample *)a)->victim;
	const struct syn_dst_key *y = &((const struct det_sample *)b)->victim;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, sizeof(x->addr));
}

struct sample_verdict {
	const struct det_params *p;
	double dt, best_rate;
	struct xdpct_detector *out;
};

/* judge - one victim's SYNs and completions in the window; true if flooded. */
static bool judge(struct sample_verdict *sv, const struct syn_dst_key *k, __u64 syns, __u64 done)
{
	struct xdpct_detector *out = sv->out;
	double rate = syns / sv->dt, comp;
	bool flood;

	comp = syns ? (double)(done < syns ? done : syns) / syns : 1;
	flood = rate >= sv->p->min_rate && comp < sv->p->completion;
	/* a flooded victim outranks any busier one that is not */
	if ((flood && !out->flooding) || (flood == (bool)out->flooding && rate > sv->best_rate)) {
		sv->best_rate = rate;
		out->flooding = flood;
		out->syn_rate = (__u64)rate;
		out->completion_ppm = (__u64)(comp * 1e6);
		out->half_open = syns - (done < syns ? done : syns);
		out->flood_syns = flood ? syns : 0;
		out->victim = *k;
	}
	return flood;
}

/*
 * judge_all - each port, then each host over its ports that are not flooded
 * themselves (as the detector sums them). d holds the window's deltas.
 */
static void judge_all(struct sample_verdict *sv, struct det_sample *d, size_t n)
{
	size_t i, j;

	if (n)
		qsort(d, n, sizeof(*d), host_cmp);
	for (i = 0; i < n; i = j) {
		struct syn_dst_key hk = d[i].victim;
		__u64 syns = 0, done = 0;

		for (j = i; j < n && !host_cmp(&d[i], &d[j]); j++) {
			if (judge(sv, &d[j].victim, d[j].syns, d[j].completed))
				continue;	/* flooded on its own */
			syns += d[j].syns;
			done += d[j].completed;
		}
		hk.port = 0;
		hk.pad = DET_KEY_HOST;
		if (syns)
			judge(sv, &hk, syns, done);
	}
}

int flood_sample(const struct xdpct_fds *fds, const struct det_params *p, __u64 window_ms,
		 struct xdpct_detector *out)
{
	struct sample_vec before = {}, after = {};
	struct sample_verdict sv = { p, 0, -1, out };
	__u64 t0, t1;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	out->completion_ppm = 1000000;
	if (fds->syn_dst < 0)
		return -ENOENT;
	t0 = mono_ns();
	err = map_walk(fds->syn_dst, sizeof(struct syn_dst_key), sizeof(struct syn_dst_val),
		       collect_cb, &before);
	if (!err) {
		struct timespec ts = { 0, (long)(window_ms * 1000000) };

		nanosleep(&ts, NULL);
		t1 = mono_ns();
		err = map_walk(fds->syn_dst, sizeof(struct syn_dst_key),
			       sizeof(struct syn_dst_val), collect_cb, &after);
	}
	if (err) {
		free(before.s);
		free(after.s);
		return err < 0 ? err : -ENOMEM;
	}
	sv.dt = (t1 - t0) / 1e9;
	if (before.n)
		qsort(before.s, before.n, sizeof(*before.s), sample_cmp);
	/* after's counters become the window's deltas */
	for (i = 0; i < after.n; i++) {
		struct det_sample *a = &after.s[i];
		const struct det_sample *b = NULL;

		if (before.n)
			b = bsearch(a, before.s, before.n, sizeof(*before.s), sample_cmp);
		/* a victim first seen in the window: all its SYNs are new */
		a->syns -= b && b->syns <= a->syns ? b->syns : 0;
		a->completed -= b && b->completed <= a->completed ? b->completed : 0;
	}
	judge_all(&sv, after.s, after.n);
	out->updated_ns = real_ns();
	free(before.s);
	free(after.s);
	return 0;
}

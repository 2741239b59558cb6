// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* isn.c - ISN quality per host (see isn.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flowview.h"
#include "isn.h"
#include "jsonl.h"
#include "maps.h"
#include "print.h"
#include "util.h"

const char *isn_pattern_name(enum isn_pattern p)
{
	switch (p) {
	case ISN_RANDOM: return "random";
	case ISN_CONSTANT: return "constant";
	case ISN_FIXED_STEP: return "fixed_step";
	case ISN_SMALL_STEPS: return "small_steps";
	case ISN_TIME_LINEAR: return "time_linear";
	default: return "unknown";
	}
}

/* mod_diff - the shorter way around the 2^32 circle between a and b (nmap). */
static __u32 mod_diff(__u32 a, __u32 b)
{
	__u32 x = a - b, y = b - a;

	return x < y ? x : y;
}

static __u64 gcd64(__u64 a, __u64 b)
{
	while (b) {
		__u64 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/*
 * one_per_tuple - the ring's ISNs, oldest first, keeping only the newest of
 * each 4-tuple: RFC 6528's ISN = M + F(4-tuple, secret) grows with the clock
 * M within one tuple, so reconnects on one tuple would look time-linear on a
 * healthy host. Returns how many.
 */
static unsigned int one_per_tuple(const struct host_isn *h, __u32 *isn, __u64 *ts)
{
	unsigned int n = h->count < XDPCT_HOST_ISN_SLOTS ? (unsigned int)h->count :
							   XDPCT_HOST_ISN_SLOTS;
	unsigned int i, j, m = 0;

	for (i = 0; i < n; i++) {
		unsigned int k = (unsigned int)((h->count - n + i) % XDPCT_HOST_ISN_SLOTS);

		/* a later ISN of the same tuple replaces this one */
		for (j = i + 1; j < n; j++)
			if (h->tuple[(h->count - n + j) % XDPCT_HOST_ISN_SLOTS] == h->tuple[k])
				break;
		if (j < n)
			continue;
		isn[m] = h->isn[k];
		ts[m++] = h->ts_ns[k];
	}
	return m;
}

void isn_analyze(const struct host_isn *h, struct isn_verdict *v)
{
	double rates[XDPCT_HOST_ISN_SLOTS], mean = 0, var = 0, sd;
	__u64 ts[XDPCT_HOST_ISN_SLOTS], gcd = 0;
	__u32 d[XDPCT_HOST_ISN_SLOTS], maxd = 0;
	bool same_step = true, all_zero = true;
	unsigned int i, n, nr = 0;

	memset(v, 0, sizeof(*v));
	n = one_per_tuple(h, v->last, ts);
	v->samples = n;
	if (n < ISN_MIN_SAMPLES) {
		v->pattern = ISN_UNKNOWN;
		return;
	}
	for (i = 1; i < n; i++) {
		d[i] = mod_diff(v->last[i], v->last[i - 1]);
		gcd = gcd64(gcd, d[i]);
		if (d[i] > maxd)
			maxd = d[i];
		if (d[i])
			all_zero = false;
		if (v->last[i] - v->last[i - 1] != v->last[1] - v->last[0])
			same_step = false;
		if (ts[i] > ts[i - 1]) {
			rates[nr] = d[i] / ((ts[i] - ts[i - 1]) / 1e9);
			mean += rates[nr++];
		}
	}
	v->gcd = gcd;
	if (nr) {
		mean /= nr;
		for (i = 0; i < nr; i++)
			var += (rates[i] - mean) * (rates[i] - mean);
		sd = sqrt(var / nr);
		v->isr = mean > 1 ? 8 * log2(mean) : 0;
		if (gcd > 9)
			sd /= (double)gcd;
		v->sp = sd > 1 ? 8 * log2(sd) : 0;
	}
	if (all_zero) {
		v->pattern = ISN_CONSTANT;
	} else if (same_step) {
		v->pattern = ISN_FIXED_STEP;
		v->step = v->last[1] - v->last[0];
	} else if (maxd < 65536) {
		v->pattern = ISN_SMALL_STEPS;
	} else if (nr >= ISN_MIN_SAMPLES && mean > 0 && sqrt(var / nr) / mean < 0.02) {
		/* increments proportional to elapsed time: a clock-driven counter */
		v->pattern = ISN_TIME_LINEAR;
	} else {
		v->pattern = ISN_RANDOM;
	}
	v->predictable = v->pattern != ISN_RANDOM && v->pattern != ISN_UNKNOWN;
}

struct host_list {
	struct syn_src_key *k;
	size_t n, cap;
};

static int predictable_cb(const void *key, const void *val, void *ctx)
{
	struct host_list *hl = ctx;
	struct isn_verdict v;

	isn_analyze(val, &v);
	if (!v.predictable)
		return 0;
	if (array_grow((void **)&hl->k, &hl->cap, hl->n, sizeof(*hl->k), 16))
		return -ENOMEM;	/* an error, not a shorter list */
	memcpy(&hl->k[hl->n++], key, sizeof(struct syn_src_key));
	return 0;
}

static bool listed(const struct host_list *hl, int family, const __u8 *addr)
{
	size_t i;

	for (i = 0; i < hl->n; i++)
		if (hl->k[i].family == family &&
		    !memcmp(hl->k[i].addr, addr, family == 4 ? 4 : 16))
			return true;
	return false;
}

int isn_mark_flows(int host_isn_fd, struct flow_vec *fv)
{
	struct host_list hl = {};
	size_t i;
	int err;

	if (host_isn_fd < 0)
		return 0;
	err = map_walk(host_isn_fd, sizeof(struct syn_src_key), sizeof(struct host_isn),
		       predictable_cb, &hl);
	for (i = 0; !err && hl.n && i < fv->n; i++) {
		struct flow_view *v = &fv->v[i];

		if (((v->f.ctl & CT_CTL_ISN_ORIG) && listed(&hl, v->family, v->orig_addr)) ||
		    ((v->f.ctl & CT_CTL_ISN_RESP) && listed(&hl, v->family, v->resp_addr)))
			v->anomalies |= CT_ANOM_PREDICTABLE_ISN;
	}
	free(hl.k);
	return err;
}

struct host_print {
	FILE *f;
	bool json;
	const char *iface;
	__s64 time_off;
	int n;
};

static int host_print_cb(const void *key, const void *val, void *ctx)
{
	const struct syn_src_key *k = key;
	const struct host_isn *h = val;
	struct host_print *p = ctx;
	struct isn_verdict v;
	char a[64];
	unsigned int i;

	isn_analyze(h, &v);
	addr_str(k->family, (const __u8 *)k->addr, a, sizeof(a));
	if (p->json) {
		jsonl_host(p->f, p->iface, k, h, &v);
	} else {
		p->n++;
		if (p->iface)
			fprintf(p->f, "%-10s ", p->iface);
		fprintf(p->f, "%-40s %6llu %-12s %-12s %10llu %6.1f %6.1f ", a,
			(unsigned long long)h->count,
			v.pattern == ISN_UNKNOWN ? "unknown" : v.predictable ? "PREDICTABLE" : "random",
			isn_pattern_name(v.pattern), (unsigned long long)v.gcd, v.isr, v.sp);
		for (i = v.samples > 4 ? v.samples - 4 : 0; i < v.samples; i++)
			fprintf(p->f, " %u", v.last[i]);
		fputc('\n', p->f);
	}
	return 0;
}

int print_hosts(FILE *f, int host_isn_fd, bool json, const char *iface, __s64 time_off)
{
	struct host_print p = { f, json, iface, time_off, 0 };
	int err;

	if (host_isn_fd < 0)
		return -ENOENT;
	/* the header even with no rows, as for flows: a table is recognisable */
	if (!json)
		fprintf(f, "%s%-40s %6s %-12s %-12s %10s %6s %6s  %s\n", iface ? "IFACE      " : "",
			"HOST", "ISNS", "VERDICT", "PATTERN", "GCD", "ISR", "SP", "LAST ISNS");
	err = map_walk(host_isn_fd, sizeof(struct syn_src_key), sizeof(struct host_isn),
		       host_print_cb, &p);
	if (!json && !err)
		fprintf(stderr, "xdpct: %d host%s shown.\n", p.n, p.n == 1 ? "" : "s");
	return err;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* maps.c - reading xdpct's maps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "maps.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's own "not supported" */
#endif

void fds_init(struct xdpct_fds *fds)
{
	int *p = (int *)fds;
	size_t i;

	for (i = 0; i < sizeof(*fds) / sizeof(int); i++)
		p[i] = -1;
}

void fds_close(struct xdpct_fds *fds)
{
	int *p = (int *)fds;
	size_t i;

	for (i = 0; i < sizeof(*fds) / sizeof(int); i++) {
		if (p[i] >= 0)
			close(p[i]);
		p[i] = -1;
	}
}

#define BATCH_START 4096

/* walk_keys - the slow way, one syscall per key, for kernels without batch ops. */
static int walk_keys(int fd, size_t key_size, size_t val_size, map_cb cb, void *ctx)
{
	unsigned char key[64], next[64];
	void *prev = NULL, *val;
	int err, r;

	val = malloc(val_size);
	if (!val)
		return -ENOMEM;
	while (!(err = bpf_map_get_next_key(fd, prev, next))) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;	/* deleted meanwhile */
		r = cb(key, val, ctx);
		if (r) {
			err = r < 0 ? r : 0;
			break;
		}
	}
	free(val);
	return err == -ENOENT || !err ? 0 : err;
}

int map_walk(int fd, size_t key_size, size_t val_size, map_cb cb, void *ctx)
{
	__u32 batch = BATCH_START, count, i;
	unsigned char in[64], out[64];
	void *keys = NULL, *vals = NULL;
	bool first = true, done = false;
	int err = 0, r;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (fd < 0)
		return 0;
	if (key_size > sizeof(in))
		return -EINVAL;
	while (!done) {
		if (!keys) {
			keys = calloc(batch, key_size);
			vals = calloc(batch, val_size);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		count = batch;
		err = bpf_map_lookup_batch(fd, first ? NULL : in, out, keys, vals, &count, &opts);
		if (err == -ENOSPC && count == 0) {
			/* one bucket holds more than a batch: grow and retry */
			batch *= 4;
			free(keys);
			free(vals);
			keys = vals = NULL;
			continue;
		}
		if (first && (err == -EINVAL || err == -ENOTSUPP || err == -EOPNOTSUPP)) {
			err = walk_keys(fd, key_size, val_size, cb, ctx);
			break;
		}
		if (err && err != -ENOENT)
			break;
		done = err == -ENOENT;
		err = 0;
		for (i = 0; i < count; i++) {
			r = cb((char *)keys + (size_t)i * key_size, (char *)vals + (size_t)i * val_size,
			       ctx);
			if (r) {
				err = r < 0 ? r : 0;
				done = true;
				break;
			}
		}
		memcpy(in, out, sizeof(in));
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

struct flow_walk {
	flow_cb cb;
	void *ctx;
	int family;
	bool halfopen;
};

static int flow_walk_cb(const void *key, const void *val, void *ctx)
{
	struct flow_walk *w = ctx;

	return w->cb(w->family, key, val, w->halfopen, w->ctx);
}

int flows_walk(const struct xdpct_fds *fds, flow_cb cb, void *ctx)
{
	struct flow_walk w = { cb, ctx, 4, false };
	int err;

	err = map_walk(fds->flows, sizeof(struct flow_key4), sizeof(struct flow), flow_walk_cb, &w);
	w.family = 6;
	if (!err)
		err = map_walk(fds->flows6, sizeof(struct flow_key6), sizeof(struct flow),
			       flow_walk_cb, &w);
	if (!err)
		err = halfopen_walk(fds->halfopen, 4, cb, ctx);
	if (!err)
		err = halfopen_walk(fds->halfopen6, 6, cb, ctx);
	return err;
}

int flows_map_fd(const struct xdpct_fds *fds, int family, bool halfopen)
{
	if (halfopen)
		return family == 4 ? fds->halfopen : fds->halfopen6;
	return family == 4 ? fds->flows : fds->flows6;
}

int stats_read(int stats_fd, struct xdpct_stats out[HOOK_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	struct xdpct_stats *vals;
	__u32 hook;
	int c, err = 0;
	size_t k;

	memset(out, 0, sizeof(struct xdpct_stats) * HOOK_MAX);
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (hook = 0; hook < HOOK_MAX && !err; hook++) {
		err = bpf_map_lookup_elem(stats_fd, &hook, vals);
		if (err)
			break;
		for (c = 0; c < ncpu; c++) {
			__u64 *dst = (__u64 *)&out[hook], *src = (__u64 *)&vals[c];

			for (k = 0; k < sizeof(struct xdpct_stats) / sizeof(__u64); k++)
				dst[k] += src[k];
		}
	}
	free(vals);
	return err;
}

static long long count_map(int fd, size_t key_size)
{
	unsigned char key[64], next[64];
	void *prev = NULL;
	long long n = 0;

	if (fd < 0)
		return 0;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int live_counts_read(const struct xdpct_fds *fds, struct live_counts *lc)
{
	struct xdpct_bpf__bss v;
	__u32 zero = 0;
	LIBBPF_OPTS(bpf_test_run_opts, opts);

	memset(lc, 0, sizeof(*lc));
	if (fds->count_prog >= 0 && fds->bss >= 0 &&
	    !bpf_prog_test_run_opts(fds->count_prog, &opts) &&
	    !bpf_map_lookup_elem(fds->bss, &zero, &v)) {
		lc->flows = v.live_counts.flows;
		lc->flows6 = v.live_counts.flows6;
		lc->halfopen = v.live_counts.halfopen;
		lc->halfopen6 = v.live_counts.halfopen6;
		lc->exact = true;
		return 0;
	}
	/* no kernel count: iterate keys (a race with inserts is possible) */
	lc->flows = count_map(fds->flows, sizeof(struct flow_key4));
	lc->flows6 = count_map(fds->flows6, sizeof(struct flow_key6));
	lc->halfopen = halfopen_count(fds->halfopen, 4);
	lc->halfopen6 = halfopen_count(fds->halfopen6, 6);
	return 0;
}

int gc_read(int gc_fd, struct user_deletes *ud)
{
	__u32 zero = 0;

	memset(ud, 0, sizeof(*ud));
	if (gc_fd < 0)
		return 0;
	return bpf_map_lookup_elem(gc_fd, &zero, ud);
}

int gc_add(int gc_fd, __u64 flows, __u64 halfopen)
{
	struct user_deletes ud;
	__u32 zero = 0;
	int err;

	if (gc_fd < 0 || (!flows && !halfopen))
		return 0;
	err = gc_read(gc_fd, &ud);
	if (err)
		return err;
	ud.flows += flows;
	ud.halfopen += halfopen;
	return bpf_map_update_elem(gc_fd, &zero, &ud, BPF_ANY);
}

/* ---- per-source SYN sketch (bpf/synsketch.h) ---------------------------- */

/* sk_cols - the source's counter in each row (the programs' hashing). */
static void sk_cols(const struct syn_src_key *k, __u32 seed, __u32 idx[SK_ROWS])
{
	__u32 h, h2;
	int i;

	h = hc_hash(k->addr, k->family == 4 ? 1 : 4, seed ^ 0x5bd1e995u);
	h2 = hc_fin(h ^ 0x27d4eb2fu) | 1;
	for (i = 0; i < SK_ROWS; i++)
		idx[i] = (h + i * h2) & (SK_COLS - 1);
}

/* sk_read - the sketch of every CPU, and the seed; *ncpu gets their number. */
static struct syn_sketch *sk_read(int fd, int *ncpu)
{
	struct syn_sketch *v;
	__u32 zero = 0;

	*ncpu = libbpf_num_possible_cpus();
	if (*ncpu <= 0 || fd < 0) {
		errno = EINVAL;
		return NULL;
	}
	v = calloc(*ncpu, sizeof(*v));
	if (!v)
		return NULL;
	if (bpf_map_lookup_elem(fd, &zero, v)) {
		free(v);
		return NULL;
	}
	return v;
}

static __u64 sk_estimate(const struct syn_sketch *v, int ncpu, const __u32 idx[SK_ROWS])
{
	__u64 est = ~0ull;
	int i, c;

	for (i = 0; i < SK_ROWS; i++) {
		__u64 sum = 0;

		for (c = 0; c < ncpu; c++)
			sum += v[c].cm[i][idx[i]];
		if (sum < est)
			est = sum;
	}
	return est;
}

static __u32 sk_seed(const struct xdpct_fds *fds)
{
	struct xdpct_bpf__bss bss;
	__u32 zero = 0;

	if (fds->bss < 0 || bpf_map_lookup_elem(fds->bss, &zero, &bss))
		return 0;
	return bss.hc_seed;
}

static int sk_top(const struct syn_sketch *v, int ncpu, __u32 seed, __u64 since_ns,
		  struct syn_src_count *top, int max)
{
	int n = 0, c, j, i, k;

	for (c = 0; c < ncpu; c++) {
		for (j = 0; j < SK_CANDS; j++) {
			const struct syn_cand *cd = &v[c].cand[j];
			struct syn_src_count e = {};
			__u32 idx[SK_ROWS];

			if (!cd->family || cd->last_ns < since_ns)
				continue;
			memcpy(e.key.addr, cd->addr, sizeof(e.key.addr));
			e.key.family = cd->family;
			for (i = 0; i < n && memcmp(&top[i].key, &e.key, sizeof(e.key)); i++)
				;
			if (i < n)
				continue;	/* a candidate on two CPUs */
			sk_cols(&e.key, seed, idx);
			e.syns = sk_estimate(v, ncpu, idx);
			for (i = 0; i < n && top[i].syns >= e.syns; i++)
				;
			if (i >= max)
				continue;
			for (k = n < max ? n : max - 1; k > i; k--)
				top[k] = top[k - 1];
			top[i] = e;
			if (n < max)
				n++;
		}
	}
	return n;
}

int syn_src_top(const struct xdpct_fds *fds, __u64 since_ns, struct syn_src_count *top,
		    int max)
{
	struct syn_sketch *v;
	int ncpu, n;

	v = sk_read(fds->syn_src, &ncpu);
	if (!v)
		return -errno;
	n = sk_top(v, ncpu, sk_seed(fds), since_ns, top, max);
	free(v);
	return n;
}

int syn_src_estimate(const struct xdpct_fds *fds, const struct syn_src_key *key, __u64 *syns)
{
	struct syn_sketch *v;
	__u32 idx[SK_ROWS];
	int ncpu;

	v = sk_read(fds->syn_src, &ncpu);
	if (!v)
		return -errno;
	sk_cols(key, sk_seed(fds), idx);
	*syns = sk_estimate(v, ncpu, idx);
	free(v);
	return 0;
}

int events_reader_set(int bss_fd, bool on)
{
	struct xdpct_bpf__bss bss;
	__u32 zero = 0;

	/* read-modify-write of the whole .bss: its other words are set once
	 * (the seed, the clock offset) or by xdpct_count, none by this race */
	if (bss_fd < 0)
		return -EBADF;
	if (bpf_map_lookup_elem(bss_fd, &zero, &bss))
		return -errno;
	bss.ev_reader = on;
	return bpf_map_update_elem(bss_fd, &zero, &bss, BPF_ANY) ? -errno : 0;
}
__u64 stats_malformed(const struct xdpct_stats *s)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < MAL_MAX; i++)
		n += s->malformed[i];
	return n;
}

static __u64 sat_sub(__u64 a, __u64 b)
{
	return a > b ? a - b : 0;
}

int stats_view_read(const struct xdpct_fds *fds, struct stats_view *sv)
{
	__u32 zero = 0;
	size_t k;
	int h, err;

	memset(sv, 0, sizeof(*sv));
	err = stats_read(fds->stats, sv->hook);
	if (err)
		return err;
	for (h = 0; h < HOOK_MAX; h++) {
		__u64 *dst = (__u64 *)&sv->total, *src = (__u64 *)&sv->hook[h];

		for (k = 0; k < sizeof(sv->total) / sizeof(__u64); k++)
			dst[k] += src[k];
	}
	live_counts_read(fds, &sv->live);
	gc_read(fds->gc, &sv->gc);
	/* LRU evictions are silent; they are what is neither live nor removed */
	sv->evicted_halfopen = sat_sub(sv->total.flows_created,
				       sv->total.halfopen_deleted + sv->gc.halfopen +
					       (__u64)(sv->live.halfopen + sv->live.halfopen6));
	sv->evicted_flows = sat_sub(sv->total.flows_promoted,
				    sv->total.flows_deleted + sv->gc.flows +
					    (__u64)(sv->live.flows + sv->live.flows6));
	if (fds->meta >= 0)
		bpf_map_lookup_elem(fds->meta, &zero, &sv->meta);
	if (fds->detector >= 0)
		bpf_map_lookup_elem(fds->detector, &zero, &sv->det);
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * syncache.c - the userspace side of the half-open store (bpf/syncache.h):
 * sizing and seeding it before load, walking, finding, counting and expiring
 * its buckets. A way is live when its gen has HC_LIVE and not HC_BUSY.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "maps.h"

static size_t bucket_size(int family)
{
	return family == 4 ? sizeof(struct hc_bucket4) : sizeof(struct hc_bucket6);
}

/* way w's record in a bucket of either family (the flow and the key's
 * start sit at one offset in both) */
static const struct hc_slot4 *bucket_slot(const void *b, int family, int w)
{
	return family == 4 ? &((const struct hc_bucket4 *)b)->slot[w] :
			     (const struct hc_slot4 *)&((const struct hc_bucket6 *)b)->slot[w];
}

static bool way_live(const void *b, int w)
{
	return (((const struct hc_tag *)b)[w].gen & (HC_LIVE | HC_BUSY)) == HC_LIVE;
}

void hc_setup(struct xdpct_bpf *s, __u64 max_halfopen)
{
	__u32 buckets = (__u32)((max_halfopen + HC_WAYS - 1) / HC_WAYS), seed = 0;

	bpf_map__set_max_entries(s->maps.halfopen, buckets);
	bpf_map__set_max_entries(s->maps.halfopen6, buckets);
	s->rodata->hc_buckets4 = buckets;
	s->rodata->hc_buckets6 = buckets;
	/* a seed no sender can guess spreads any flood over all buckets */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (__u32)(uintptr_t)&seed ^ (__u32)getpid();
	s->bss->hc_seed = seed;
}

struct bucket_walk {
	flow_cb cb;
	void *ctx;
	int family;
};

static int bucket_walk_cb(const void *key, const void *val, void *ctx)
{
	struct bucket_walk *w = ctx;
	int i, r;

	(void)key;
	for (i = 0; i < HC_WAYS; i++) {
		const struct hc_slot4 *s = bucket_slot(val, w->family, i);

		if (!way_live(val, i))
			continue;
		r = w->cb(w->family, &s->key, &s->flow, true, w->ctx);
		if (r)
			return r;
	}
	return 0;
}

int halfopen_walk(int fd, int family, flow_cb cb, void *ctx)
{
	struct bucket_walk w = { cb, ctx, family };

	return map_walk(fd, sizeof(__u32), bucket_size(family), bucket_walk_cb, &w);
}

static int count_cb(int family, const void *key, const struct flow *f, bool halfopen, void *ctx)
{
	(void)family, (void)key, (void)f, (void)halfopen;
	++*(long long *)ctx;
	return 0;
}

long long halfopen_count(int fd, int family)
{
	long long n = 0;

	if (fd < 0 || halfopen_walk(fd, family, count_cb, &n))
		return 0;
	return n;
}

/*
 * way_find - the bucket index, a copy of the bucket and the way of key's
 * live record: 0, -ENOENT, or -errno. The bucket comes from the seed in
 * .bss and the map's size.
 */
static int way_find(const struct xdpct_fds *fds, int family, const void *key, __u32 *idx,
		    struct hc_bucket6 *b, int *way)
{
	int fd = family == 4 ? fds->halfopen : fds->halfopen6;
	size_t ksz = family == 4 ? sizeof(struct flow_key4) : sizeof(struct flow_key6);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, w[9] = {}, hash;
	struct xdpct_bpf__bss bss;
	int i;

	if (fd < 0 || fds->bss < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || bpf_map_lookup_elem(fds->bss, &zero, &bss))
		return -errno;
	memcpy(w, key, ksz);
	hash = hc_hash(w, family == 4 ? 3 : 9, bss.hc_seed);
	*idx = hc_bucket(hash, info.max_entries);
	if (bpf_map_lookup_elem(fd, idx, b))
		return -errno;
	for (i = 0; i < HC_WAYS; i++) {
		if (way_live(b, i) && b->tag[i].hash == hash &&
		    !memcmp(&bucket_slot(b, family, i)->key, key, ksz)) {
			*way = i;
			return 0;
		}
	}
	return -ENOENT;
}

int halfopen_lookup(const struct xdpct_fds *fds, int family, const void *key, struct flow *out)
{
	struct hc_bucket6 b;	/* the larger of the two */
	__u32 idx;
	int way, err = way_find(fds, family, key, &idx, &b, &way);

	if (!err)
		memcpy(out, &bucket_slot(&b, family, way)->flow, sizeof(*out));
	return err;
}

/*
 * halfopen_delete - free key's way (expiry) with the programs' own swap of
 * its gen, on the map's pages mapped here: a way that changed owner since
 * the read stays (-EAGAIN), the bucket's other ways are not written. A
 * segment that refreshed the flow since the read does not save it: at most
 * that one half-open flow is lost, a window any userspace expiry has.
 */
int halfopen_delete(const struct xdpct_fds *fds, int family, const void *key)
{
	int fd = family == 4 ? fds->halfopen : fds->halfopen6;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), off, start, len;
	struct hc_bucket6 b;
	struct hc_tag *t;
	__u32 idx, g;
	void *m;
	int way, err = way_find(fds, family, key, &idx, &b, &way);

	if (err)
		return err;
	off = (size_t)idx * bucket_size(family);
	start = off & ~(pg - 1);
	len = off + bucket_size(family) - start;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)start);
	if (m == MAP_FAILED)
		return -errno;
	t = (struct hc_tag *)((char *)m + (off - start)) + way;
	g = b.tag[way].gen;
	err = __sync_bool_compare_and_swap(&t->gen, g, (g + HC_GEN_STEP) & ~(HC_LIVE | HC_BUSY)) ?
		      0 : -EAGAIN;
	munmap(m, len);
	return err;
}

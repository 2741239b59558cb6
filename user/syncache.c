// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * syncache.c - the userspace side of the half-open store (bpf/syncache.h):
 * sizing and seeding it before load, walking, finding, counting and expiring
 * its slots. A slot is live when its gen has HC_LIVE and not HC_BUSY.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "maps.h"

static size_t slot_size(int family)
{
	return family == 4 ? sizeof(struct hc_slot4) : sizeof(struct hc_slot6);
}

/* The key inside a slot of either family (the flow sits at one offset). */
static const void *slot_key(const void *slot, int family)
{
	return family == 4 ? (const void *)&((const struct hc_slot4 *)slot)->key :
			     (const void *)&((const struct hc_slot6 *)slot)->key;
}

static bool slot_live(const void *slot)
{
	return (((const struct hc_slot4 *)slot)->gen & (HC_LIVE | HC_BUSY)) == HC_LIVE;
}

void hc_setup(struct xdpct_bpf *s, __u64 max_halfopen)
{
	__u32 buckets = (__u32)((max_halfopen + HC_WAYS - 1) / HC_WAYS), seed = 0;

	bpf_map__set_max_entries(s->maps.halfopen, buckets * HC_WAYS);
	bpf_map__set_max_entries(s->maps.halfopen6, buckets * HC_WAYS);
	s->rodata->hc_buckets4 = buckets;
	s->rodata->hc_buckets6 = buckets;
	/* a seed no sender can guess spreads any flood over all buckets */
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (__u32)(uintptr_t)&seed ^ (__u32)getpid();
	s->bss->hc_seed = seed;
}

struct slot_walk {
	flow_cb cb;
	void *ctx;
	int family;
};

static int slot_walk_cb(const void *key, const void *val, void *ctx)
{
	struct slot_walk *w = ctx;

	(void)key;
	if (!slot_live(val))
		return 0;
	return w->cb(w->family, slot_key(val, w->family), &((const struct hc_slot4 *)val)->flow,
		     true, w->ctx);
}

int halfopen_walk(int fd, int family, flow_cb cb, void *ctx)
{
	struct slot_walk w = { cb, ctx, family };

	return map_walk(fd, sizeof(__u32), slot_size(family), slot_walk_cb, &w);
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

int halfopen_lookup(const struct xdpct_fds *fds, int family, const void *key, struct flow *out)
{
	int fd = family == 4 ? fds->halfopen : fds->halfopen6;
	size_t ksz = family == 4 ? sizeof(struct flow_key4) : sizeof(struct flow_key6);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, w[9] = {}, hash, base, i;
	struct hc_slot6 slot;	/* the larger of the two */
	struct xdpct_bpf__bss bss;

	if (fd < 0 || fds->bss < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || bpf_map_lookup_elem(fds->bss, &zero, &bss))
		return -errno;
	memcpy(w, key, ksz);
	hash = hc_hash(w, family == 4 ? 3 : 9, bss.hc_seed);
	base = hc_bucket(hash, info.max_entries / HC_WAYS);
	for (i = 0; i < HC_WAYS; i++) {
		__u32 idx = base + i;

		if (bpf_map_lookup_elem(fd, &idx, &slot))
			return -errno;
		if (slot_live(&slot) && slot.hash == hash && !memcmp(slot_key(&slot, family), key, ksz)) {
			memcpy(out, &slot.flow, sizeof(*out));
			return 0;
		}
	}
	return -ENOENT;
}

struct expire_walk {
	int fd, family;
	__u64 now;
	flow_cb cb;
	void *ctx;
	long n;
	int err;
};

static int expire_cb(const void *key, const void *val, void *ctx)
{
	struct expire_walk *e = ctx;
	const struct hc_slot4 *s = val;
	unsigned char cur[sizeof(struct hc_slot6)];
	struct hc_slot4 *c = (struct hc_slot4 *)cur;

	if (!slot_live(val) || !s->flow.expires_ns || e->now < s->flow.expires_ns)
		return 0;
	/* free it only if it is still that flow: the programs may have
	 * reused the slot since the batch was read (a window remains
	 * between this read and the write, as with any userspace expiry) */
	if (bpf_map_lookup_elem(e->fd, key, cur) || c->gen != s->gen)
		return 0;
	if (e->cb) {
		e->err = e->cb(e->family, slot_key(val, e->family), &s->flow, true, e->ctx);
		if (e->err)
			return e->err;
	}
	c->gen = (c->gen + HC_GEN_STEP) & ~(HC_LIVE | HC_BUSY);
	if (!bpf_map_update_elem(e->fd, key, cur, BPF_EXIST))
		e->n++;
	return 0;
}

long halfopen_expire(int fd, int family, __u64 now, flow_cb cb, void *ctx, int *err)
{
	struct expire_walk e = { fd, family, now, cb, ctx, 0, 0 };
	int rc = 0;

	if (fd >= 0)
		rc = map_walk(fd, sizeof(__u32), slot_size(family), expire_cb, &e);
	if (err)
		*err = rc ? rc : e.err;
	return e.n;
}

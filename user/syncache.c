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

/*
 * slot_find - the slot index and copy of key's live slot: 0, -ENOENT, or
 * -errno. The bucket comes from the seed in .bss and the map's size.
 */
static int slot_find(const struct xdpct_fds *fds, int family, const void *key, __u32 *idx,
		     struct hc_slot6 *slot)
{
	int fd = family == 4 ? fds->halfopen : fds->halfopen6;
	size_t ksz = family == 4 ? sizeof(struct flow_key4) : sizeof(struct flow_key6);
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, w[9] = {}, hash, base, i;
	struct xdpct_bpf__bss bss;

	if (fd < 0 || fds->bss < 0)
		return -ENOENT;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || bpf_map_lookup_elem(fds->bss, &zero, &bss))
		return -errno;
	memcpy(w, key, ksz);
	hash = hc_hash(w, family == 4 ? 3 : 9, bss.hc_seed);
	base = hc_bucket(hash, info.max_entries / HC_WAYS);
	for (i = 0; i < HC_WAYS; i++) {
		*idx = base + i;
		if (bpf_map_lookup_elem(fd, idx, slot))
			return -errno;
		if (slot_live(slot) && slot->hash == hash && !memcmp(slot_key(slot, family), key, ksz))
			return 0;
	}
	return -ENOENT;
}

int halfopen_lookup(const struct xdpct_fds *fds, int family, const void *key, struct flow *out)
{
	struct hc_slot6 slot;	/* the larger of the two */
	__u32 idx;
	int err = slot_find(fds, family, key, &idx, &slot);

	if (!err)
		memcpy(out, &slot.flow, sizeof(*out));
	return err;
}

/*
 * halfopen_delete - free key's slot (expiry). Between the read and this
 * write the programs may reuse the slot: a window any userspace expiry has,
 * here at most one new half-open flow lost.
 */
int halfopen_delete(const struct xdpct_fds *fds, int family, const void *key)
{
	int fd = family == 4 ? fds->halfopen : fds->halfopen6;
	struct hc_slot6 slot;
	__u32 idx;
	int err = slot_find(fds, family, key, &idx, &slot);

	if (err)
		return err;
	slot.gen = (slot.gen + HC_GEN_STEP) & ~(HC_LIVE | HC_BUSY);
	return bpf_map_update_elem(fd, &idx, &slot, BPF_EXIST) ? -errno : 0;
}

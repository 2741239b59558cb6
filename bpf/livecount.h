/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * livecount.h - xdpct_count, the syscall program userspace runs to count the
 * live entries of each flow store, for exact eviction accounting.
 */
#ifndef XDPCT_LIVECOUNT_H
#define XDPCT_LIVECOUNT_H

/* Live SYN-cache ways, HC_COUNT_STEP buckets a callback (bpf_loop runs at
 * most 2^23): each bucket's index alone says which of its ways are live. */
#define HC_COUNT_STEP 16

static __always_inline __s64 hc_live_ways(const struct hc_tag *t)
{
	return (t[0].gen & HC_LIVE) + (t[1].gen & HC_LIVE) + (t[2].gen & HC_LIVE) +
	       (t[3].gen & HC_LIVE);
}

static long hc_count4(__u32 i, void *ctx)
{
	__s64 *n = ctx;
	int j;

	for (j = 0; j < HC_COUNT_STEP; j++) {
		__u32 idx = i * HC_COUNT_STEP + j;
		struct hc_bucket4 *b = bpf_map_lookup_elem(&halfopen, &idx);

		if (!b)
			return 1;
		*n += hc_live_ways(b->tag);
	}
	return 0;
}

static long hc_count6(__u32 i, void *ctx)
{
	__s64 *n = ctx;
	int j;

	for (j = 0; j < HC_COUNT_STEP; j++) {
		__u32 idx = i * HC_COUNT_STEP + j;
		struct hc_bucket6 *b = bpf_map_lookup_elem(&halfopen6, &idx);

		if (!b)
			return 1;
		*n += hc_live_ways(b->tag);
	}
	return 0;
}

/* xdpct_count - live entries per map, for exact eviction accounting. */
SEC("syscall")
int xdpct_count(void *ctx)
{
	__s64 n4 = 0, n6 = 0;

	live_counts.flows = bpf_map_sum_elem_count((const struct bpf_map *)&flows);
	live_counts.flows6 = bpf_map_sum_elem_count((const struct bpf_map *)&flows6);
	bpf_loop(hc_buckets4 / HC_COUNT_STEP + 1, hc_count4, &n4, 0);
	bpf_loop(hc_buckets6 / HC_COUNT_STEP + 1, hc_count6, &n6, 0);
	live_counts.halfopen = n4;
	live_counts.halfopen6 = n6;
	return 0;
}

#endif /* XDPCT_LIVECOUNT_H */

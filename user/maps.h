/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* maps.h - reading xdpct's maps: flows in batches, counters summed over CPUs. */
#ifndef XDPCT_MAPS_H
#define XDPCT_MAPS_H

#include <stdbool.h>
#include <linux/types.h>

#include "flow.h"

/* File descriptors of one instance's maps (pinned or from a skeleton). */
struct xdpct_fds {
	int flows, flows6, halfopen, halfopen6;
	int stats, syn_dst, syn_src, events, meta, detector, gc, host_isn;
	int count_prog;		/* xdpct_count, or -1 */
	int bss;		/* the .bss map (live_counts), or -1 */
	int config;		/* the .rodata map: the knobs loaded with (pinned only) */
};

void fds_init(struct xdpct_fds *fds);
void fds_close(struct xdpct_fds *fds);

/* Called for each entry; return 1 to stop, -errno to stop with that error. */
typedef int (*map_cb)(const void *key, const void *val, void *ctx);

/*
 * map_walk - every entry of a hash map, read with batch lookups (falling
 * back to key iteration). Returns 0 or -errno (also a callback's: running
 * out of memory half-way is an error, never a shorter result).
 */
int map_walk(int fd, size_t key_size, size_t val_size, map_cb cb, void *ctx);

/* Called for each flow; return 1 to stop, -errno to stop with that error. */
typedef int (*flow_cb)(int family, const void *key, const struct flow *f, bool halfopen,
		       void *ctx);

/* flows_walk - every flow in the four flow stores. Returns 0 or -errno. */
int flows_walk(const struct xdpct_fds *fds, flow_cb cb, void *ctx);

/*
 * The half-open store, a SYN cache in an array (user/syncache.c):
 * hc_setup sizes and seeds it before load; halfopen_walk gives its live
 * flows (halfopen = true), halfopen_lookup the one of a canonical key
 * (0 or -ENOENT), halfopen_count how many are live, halfopen_delete frees
 * the slot of a key (0 or -errno).
 */
struct xdpct_bpf;
void hc_setup(struct xdpct_bpf *s, __u64 max_halfopen);
int halfopen_walk(int fd, int family, flow_cb cb, void *ctx);
int halfopen_lookup(const struct xdpct_fds *fds, int family, const void *key, struct flow *out);
long long halfopen_count(int fd, int family);
int halfopen_delete(const struct xdpct_fds *fds, int family, const void *key);

/*
 * syn_src_top - the sources that sent the most SYNs (the sketch's
 * candidates active since since_ns, monotonic), their counts estimated from
 * the sketch summed over CPUs (never below the truth), largest first, up to
 * max. Returns how many, or -errno. syn_src_estimate: one source's estimate.
 */
struct syn_src_count {
	struct syn_src_key key;
	__u64 syns;
};
int syn_src_top(const struct xdpct_fds *fds, __u64 since_ns, struct syn_src_count *top, int max);
int syn_src_estimate(const struct xdpct_fds *fds, const struct syn_src_key *key, __u64 *syns);

/* events_reader_set - tell the programs an 'events' reader is (not) there. */
int events_reader_set(int bss_fd, bool on);
/* flows_map_fd - the map a flow of family (4, 6) lives in, half-open or not. */
int flows_map_fd(const struct xdpct_fds *fds, int family, bool halfopen);

/*
 * flows_expire - delete every flow past its timeout at now (the records'
 * clock), as run does every second and replay as the capture goes on, and
 * count them in the gc map; on_expired (or NULL) sees each record deleted.
 * Returns the number deleted, or -errno (expire.c).
 */
long flows_expire(const struct xdpct_fds *fds, __u64 now, flow_cb on_expired, void *ctx);

/* stats_read - per-hook counters summed over CPUs. Returns 0 or -errno. */
int stats_read(int stats_fd, struct xdpct_stats out[HOOK_MAX]);

/* Live entries per flow map, exact when the kernel can count them. */
struct live_counts {
	long long flows, flows6, halfopen, halfopen6;
	bool exact;
};
int live_counts_read(const struct xdpct_fds *fds, struct live_counts *lc);

/* Counters, derived totals and evictions of one instance. */
struct stats_view {
	struct xdpct_stats hook[HOOK_MAX];
	struct xdpct_stats total;
	struct live_counts live;
	struct user_deletes gc;
	__u64 evicted_flows;	/* LRU evictions from the established maps */
	__u64 evicted_halfopen;	/* LRU evictions from the half-open maps */
	struct xdpct_meta meta;
	struct xdpct_detector det;	/* as last published (see detector_live) */
	bool det_fresh;		/* a detector process updated it recently */
	bool det_sampled;	/* no detector: det is flood_sample's verdict */
	__u8 pad[6];
};

/* stats_view_read - counters, live counts, evictions, meta, detector. 0 or -errno. */
int stats_view_read(const struct xdpct_fds *fds, struct stats_view *sv);
/* stats_malformed - the malformed frames of every reason. */
__u64 stats_malformed(const struct xdpct_stats *s);

/* Flows deleted by userspace (expiry), for eviction accounting. */
int gc_read(int gc_fd, struct user_deletes *ud);
int gc_add(int gc_fd, __u64 flows, __u64 halfopen);

#endif /* XDPCT_MAPS_H */

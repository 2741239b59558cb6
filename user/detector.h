/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * detector.h - SYN-flood detection per victim (destination addr:port).
 *
 * A non-parametric CUSUM on the normalised difference between SYNs and
 * completed handshakes, after Wang, Zhang and Shin, "Detecting SYN flooding
 * attacks" (INFOCOM 2002). Each tick, for each victim:
 *
 *   X_n = (SYN_n - COMPLETED_n) / max(B_n, min_rate * tick)
 *   y_n = max(0, y_{n-1} + X_n - drift)
 *
 * B_n is a slow moving average of completed handshakes per tick (the
 * victim's normal load), so X_n does not depend on traffic volume: a flash
 * crowd's SYNs complete and keep X_n near 0. A flood starts when
 * y_n > threshold while the victim gets at least min_rate SYN/s and fewer
 * than `completion` of them complete; it ends when y_n has drained back to 0
 * or the SYN rate stays below min_rate / 2 for end_after seconds.
 *
 * Pure: counters in, events out; no maps, no clock.
 */
#ifndef XDPCT_DETECTOR_H
#define XDPCT_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flow.h"

struct det_params {
	double min_rate;	/* SYN/s below which a victim is never flooded */
	double completion;	/* flood: completed / SYN below this */
	double threshold;	/* CUSUM alarm level h */
	double drift;		/* CUSUM drift a: normal excess tolerated */
	double end_after_s;	/* quiet time before syn_flood_end */
	double baseline_alpha;	/* EWMA weight of the normal-load average */
};

void det_params_default(struct det_params *p);

/* Cumulative counters of one victim, as read from the syn_dst map. */
struct det_sample {
	struct syn_dst_key victim;
	__u64 syns;		/* SYNs (not retransmitted) */
	__u64 synacks;
	__u64 completed;	/* handshakes completed */
};

enum det_event_type {
	DET_FLOOD_START = 1,
	DET_FLOOD_END,
};

struct det_event {
	enum det_event_type type;
	struct syn_dst_key victim;
	__u64 ts_ns;
	double syn_rate;	/* SYN/s over the last tick */
	double completion;	/* completed / SYN: last tick (start), whole flood (end) */
	double cusum;
	__u64 half_open;	/* SYNs not completed over the recent window */
	__u64 flood_syns;	/* end: SYNs during the flood */
	__u64 flood_completed;
	__u64 duration_ns;	/* end: how long it lasted */
};

#define DET_WINDOW 64		/* ticks of history for half_open */

struct det_victim {
	struct syn_dst_key key;
	bool used;
	bool primed;		/* has a previous sample */
	bool flooding;
	__u64 prev_syns, prev_completed;
	__u64 last_seen_ns;
	double baseline;	/* completed per tick, moving average */
	double cusum;
	double last_rate, last_completion;
	__u64 since_ns;		/* flood start */
	__u64 start_syns, start_completed;	/* counters at the change point */
	__u64 rest_syns, rest_completed;	/* counters when the CUSUM was last 0 */
	__u64 quiet_ns;		/* below min_rate/2 since */
	__u64 win_excess[DET_WINDOW];
	unsigned int win_pos;
};

#define DET_MAX_VICTIMS 8192

struct detector {
	struct det_params p;
	__u64 last_ns;
	struct det_victim *v;	/* DET_MAX_VICTIMS slots, open addressing */
	size_t n_used;
};

int det_init(struct detector *d, const struct det_params *p);
void det_free(struct detector *d);

/*
 * det_update - one tick: samples of every victim at time now_ns. Writes up
 * to max_ev events; returns how many.
 */
size_t det_update(struct detector *d, __u64 now_ns, const struct det_sample *s, size_t n,
		  struct det_event *ev, size_t max_ev);

/* det_top - the flooding victim with the highest SYN rate, or NULL. */
const struct det_victim *det_top(const struct detector *d);

/* det_half_open - a victim's SYNs not completed over the recent window. */
__u64 det_half_open(const struct det_victim *v);

#endif /* XDPCT_DETECTOR_H */

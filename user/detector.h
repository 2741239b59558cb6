/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * detector.h - SYN-flood detection per victim: a destination addr:port, and
 * a whole host (its ports summed, so a flood spread over many ports is seen).
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
 * A host-wide victim (key.pad & DET_KEY_HOST, port 0) sums the deltas of its
 * ports that are not flooding themselves, so a single-port flood raises one
 * alert, for the port, and a flood over many ports one, for the host.
 *
 * Slots are bounded and never exhausted: a port's slot is freed when its
 * syn_dst entry is gone from the map, a host's after DET_IDLE_TICKS ticks
 * without a SYN; when the table is full anyway, the quietest slot that is not
 * flooding is reused. A flooding victim is never evicted.
 *
 * Pure: counters in, events out; no maps, no clock.
 */
#ifndef XDPCT_DETECTOR_H
#define XDPCT_DETECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flow.h"

/* Defaults, written once: the help texts print these. */
#define DET_DEFAULT_SYN_RATE	1000
#define DET_DEFAULT_COMPLETION	0.5
#define DET_DEFAULT_THRESHOLD	5
#define DET_DEFAULT_DRIFT	0.5
#define DET_DEFAULT_FLOOD_END_S	2

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
	__u64 last_ns;		/* monotonic time the entry last changed; 0 unknown */
};

/* In a victim key's pad: the whole host (port 0), its ports summed. */
#define DET_KEY_HOST	0x1

static inline bool det_key_is_host(const struct syn_dst_key *k)
{
	return k->pad & DET_KEY_HOST;
}

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
	__u32 ports;		/* host-wide: ports that got SYNs in the last tick */
};

#define DET_WINDOW 64		/* ticks of history for half_open */

struct det_victim {
	struct syn_dst_key key;
	bool used;
	bool flooding;
	__u64 prev_syns, prev_completed;	/* port: the map's counters last tick */
	__u64 syns, completed;		/* the slot's own running totals */
	__u64 acc_syns, acc_completed;	/* host: its ports' deltas this tick */
	__u32 acc_ports, ports;		/* host: ports with SYNs this tick, last tick */
	__u64 last_seen_ns;	/* port: in the last walk at this time */
	__u32 idle_ticks;	/* ticks without a SYN */
	double baseline;	/* completed per tick, moving average */
	double cusum;
	double last_rate, last_completion;
	__u64 since_ns;		/* flood start */
	__u64 start_syns, start_completed;	/* totals at the change point */
	__u64 rest_syns, rest_completed;	/* totals when the CUSUM was last 0 */
	__u64 quiet_ns;		/* below min_rate/2 since */
	__u32 win_excess[DET_WINDOW];
	unsigned int win_pos;
};

/*
 * Slots for ports and hosts together: four times the syn_dst map's 4096
 * entries, so every entry's port and host fit with room for open addressing;
 * a bigger map leans on reuse, never on refusing a victim.
 */
#define DET_MAX_VICTIMS	16384
#define DET_MAX_LOAD	(DET_MAX_VICTIMS * 3 / 4)
#define DET_IDLE_TICKS	DET_WINDOW	/* a host slot this long without a SYN is freed */

struct detector {
	struct det_params p;
	__u64 last_ns;
	struct det_victim *v;	/* DET_MAX_VICTIMS slots, linear probing */
	size_t n_used;
	size_t hand;		/* where the search for a slot to reuse goes on */
	struct syn_dst_key *doomed;	/* slots to free after a tick */
	__u64 evicted;		/* slots reused under pressure */
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

/* det_busiest - the slot of highest SYN rate, flooding or not, or NULL. */
const struct det_victim *det_busiest(const struct detector *d);

/* det_half_open - a victim's SYNs not completed over the recent window. */
__u64 det_half_open(const struct det_victim *v);

#endif /* XDPCT_DETECTOR_H */

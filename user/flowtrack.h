/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * flowtrack.h - which flows ended since the last look at the maps, and why:
 * the tracker behind run/export's flow export and the metrics' tallies.
 */
#ifndef XDPCT_FLOWTRACK_H
#define XDPCT_FLOWTRACK_H

#include <stdbool.h>
#include <linux/types.h>

#include "flowview.h"
#include "maps.h"
#include "prom.h"

/* IPFIX flowEndReason (RFC 7011 / IANA), also the tracker's report reasons. */
enum ft_reason {
	FT_IDLE = 1,		/* idle timeout */
	FT_ACTIVE = 2,		/* active timeout: a long-lived flow's interim record */
	FT_END = 3,		/* end of flow: FIN handshake or RST seen */
	FT_FORCED = 4,		/* the exporter stopped, or the capture ended */
	FT_EVICTED = 5,		/* lack of resources: pushed out of a full map */
};

/* One record to export: a flow and what it did since its last report. */
struct ft_report {
	const struct flow_view *v;	/* times in wall-clock ns */
	int reason;			/* enum ft_reason */
	bool final;			/* the flow is over (not FT_ACTIVE / idle-reported) */
	__u64 pkts[2], bytes[2], ip_bytes[2];	/* since the last report: orig, resp */
};

typedef int (*ft_emit_fn)(void *ctx, const struct ft_report *r);

struct ft_entry;

/*
 * flow_tracker - what a process has seen of one interface's flows. Each
 * ft_poll walks the maps; a flow is one (key, first packet time), so a
 * tuple reused by a new connection is a new flow. A flow ends when it
 * reaches TIME_WAIT or CLOSE, when its timeout passes, or when it is gone
 * from the maps without having been seen ending (an LRU eviction).
 */
struct flow_tracker {
	struct ft_entry *tab;
	size_t cap, n;
	__u32 gen;
	struct flow_tally tally;
	ft_emit_fn emit;	/* NULL: only the tally */
	void *ctx;
	__u64 active_ns;	/* interim record every active_ns (0: none) */
	__u64 idle_ns;		/* report a flow idle this long (0: at its timeout) */
	__s64 time_off;		/* record clock -> wall clock */
	int err;		/* first emit error */
};

void ft_init(struct flow_tracker *t, ft_emit_fn emit, void *ctx, __u64 active_ns,
	     __u64 idle_ns);
/* ft_poll - one look at the maps; now is the record clock (CLOCK_MONOTONIC). */
int ft_poll(struct flow_tracker *t, const struct xdpct_fds *fds, __u64 now);
/* ft_flush - report every flow not yet over with reason (FT_FORCED). */
int ft_flush(struct flow_tracker *t, int reason);
void ft_free(struct flow_tracker *t);

#endif /* XDPCT_FLOWTRACK_H */

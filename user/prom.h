/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * prom.h - the counters and gauges in Prometheus' text exposition format
 * (0.0.4), for stats --prometheus, the metrics verb and run --metrics.
 */
#ifndef XDPCT_PROM_H
#define XDPCT_PROM_H

#include <stdbool.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>

#include "flowview.h"
#include "maps.h"
#include "print.h"

/* Handshake RTT histogram upper bounds, in µs (+Inf follows). */
#define PROM_RTT_BOUNDS { 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, \
			  100000, 250000, 500000, 1000000, 2500000, 5000000 }
#define PROM_RTT_BUCKETS 15

/*
 * What flows contribute beyond the kernel's counters: anomalies (one count
 * per flow and anomaly, when first seen on it) and handshake RTTs (one
 * observation per flow). Accumulated by a flow_tracker (export.h).
 */
struct flow_tally {
	__u64 anomalies[32];			/* by bit of enum ct_anomaly */
	__u64 rtt_le[PROM_RTT_BUCKETS];		/* not cumulative */
	__u64 rtt_count;
	__u64 rtt_sum_us;
};

/* flow_tally_rtt - one handshake RTT (µs) into the histogram. */
void flow_tally_rtt(struct flow_tally *t, __u64 us);

/* One interface's figures for one exposition. */
struct prom_iface {
	char name[IF_NAMESIZE];
	bool ok;			/* read; else left out */
	struct flow_tally tally;
	__u64 flows[2][CT_STATE_COUNT];	/* [0] established maps, [1] half-open maps */
	struct stats_view sv;
};

/*
 * prom_read - read one interface's counters (kernel, detector or a 250 ms
 * SYN sample) and count its flows by map and state. tally is copied from
 * the caller's tracker. Returns 0 or -errno (printed).
 */
int prom_read(struct prom_iface *pi, const char *name, const struct xdpct_fds *fds,
	      const struct flow_tally *tally);

/* prom_write - every metric family, HELP and TYPE once, a sample per interface. */
void prom_write(FILE *f, const struct prom_iface *ifs, int n);

#endif /* XDPCT_PROM_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * monitor.h - the live side of run and events: every tick, read the SYN
 * counters per victim, feed the detector, print alerts (flushed line by
 * line) and publish the verdict in the pinned "detector" map for stats.
 */
#ifndef XDPCT_MONITOR_H
#define XDPCT_MONITOR_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "detector.h"
#include "maps.h"

#define MONITOR_TICK_MS 250

struct monitor {
	const struct xdpct_fds *fds;
	const char *iface;
	bool json;
	FILE *out;
	struct detector det;
	__u64 alerts;
	__u64 last_dropped;	/* events_dropped already reported */
};

int monitor_init(struct monitor *m, const struct xdpct_fds *fds, const char *iface, bool json,
		 const struct det_params *p, FILE *out);
void monitor_free(struct monitor *m);
/* monitor_tick - one detector step; the number of alerts printed, or -errno. */
int monitor_tick(struct monitor *m);
/* monitor_report_drops - print per-flow events lost since the last call. */
void monitor_report_drops(struct monitor *m);

/* A detector that has not published for this long is gone. */
#define DETECTOR_STALE_NS (5 * NSEC_PER_SEC)

/* detector_live - d was published recently by a process that still runs. */
bool detector_live(const struct xdpct_detector *d);

/*
 * flood_sample - with no detector running: read the SYN counters twice,
 * window_ms apart, and judge each victim by the detector's rate and
 * completion thresholds (no CUSUM history, no since), each port and each
 * host over its ports not flooded on their own. Fills out with the flooded
 * victim of highest SYN rate, else the busiest. 0 or -errno.
 */
int flood_sample(const struct xdpct_fds *fds, const struct det_params *p, __u64 window_ms,
		 struct xdpct_detector *out);

/*
 * monitor_victim_str - a victim as alerts and stats write it: "ADDR:PORT",
 * "[ADDR6]:PORT", or "ADDR:*" / "[ADDR6]:*" for a host-wide one.
 */
void monitor_victim_str(const struct syn_dst_key *k, char *buf, size_t len);

/* Detector thresholds as command-line options (shared by run and events). */
extern const struct argp_option detector_options[];
/* detector_parse_opt - handle one detector option; 0, -EINVAL, or 1 if not ours. */
int detector_parse_opt(int key, const char *arg, struct det_params *p);
/* detector_opt_error - what a bad value for option key should have been. */
const char *detector_opt_error(int key);

#endif /* XDPCT_MONITOR_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * isn.h - ISN quality per host (seed-notes §5): are the last ISNs a host
 * chose random, or do they follow a simple pattern an attacker could use to
 * forge segments in its connections? The tests follow nmap's TCP sequence
 * analysis: the GCD of the differences, the increase rate (ISR) and the
 * variability of the increments (SP), over one ISN per 4-tuple (RFC 6528
 * ISNs are monotonic in time within one 4-tuple, random across tuples).
 */
#ifndef XDPCT_ISN_H
#define XDPCT_ISN_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "flow.h"

#define ISN_MIN_SAMPLES 4

enum isn_pattern {
	ISN_UNKNOWN = 0,	/* too few ISNs */
	ISN_RANDOM,
	ISN_CONSTANT,		/* the same ISN every time */
	ISN_FIXED_STEP,		/* always the same increment */
	ISN_SMALL_STEPS,	/* increments below 2^16 */
	ISN_TIME_LINEAR,	/* a counter driven by a clock */
};

struct isn_verdict {
	enum isn_pattern pattern;
	bool predictable;
	unsigned int samples;	/* ISNs analysed, one per 4-tuple (in time order) */
	__u64 gcd;		/* of the increments */
	double isr;		/* nmap's ISR: 8 * log2(mean increments per second) */
	double sp;		/* nmap's SP: 8 * log2(stddev of rate / gcd) */
	__u32 step;		/* the fixed step, when there is one */
	__u32 last[XDPCT_HOST_ISN_SLOTS];	/* oldest first */
};

/* isn_analyze - the verdict on one host's recorded ISNs, the newest per 4-tuple. */
void isn_analyze(const struct host_isn *h, struct isn_verdict *v);
const char *isn_pattern_name(enum isn_pattern p);

struct flow_vec;
/* isn_mark_flows - add PREDICTABLE_ISN to flows whose ISN came from such a host. */
int isn_mark_flows(int host_isn_fd, struct flow_vec *fv);
/* print_hosts - every host with recorded ISNs and its verdict. 0 or -errno. */
int print_hosts(FILE *f, int host_isn_fd, bool json, const char *iface, __s64 time_off);

#endif /* XDPCT_ISN_H */

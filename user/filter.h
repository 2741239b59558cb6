/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * filter.h - which flows a verb shows and in what order: the options
 * --state, --src, --dst, --sport, --dport, --anomaly, --family (combined
 * with AND), --sort and --limit, as one argp child that show, replay, run,
 * events and top share.
 */
#ifndef XDPCT_FILTER_H
#define XDPCT_FILTER_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "flowview.h"
#include "print.h"

enum flow_sort {
	FLOW_SORT_NONE = 0,	/* the verb's own order (first packet) */
	FLOW_SORT_BYTES,	/* both directions together, largest first */
	FLOW_SORT_PKTS,
	FLOW_SORT_AGE,		/* most recent first packet first */
	FLOW_SORT_LAST,		/* most recent last packet first */
	FLOW_SORT_RTT,		/* slowest handshake first, unknown last */
};

/* An address prefix; family 0 when not given. */
struct flow_cidr {
	__u8 family;		/* 4 or 6 */
	__u8 len;		/* prefix length in bits */
	__u8 addr[16];		/* network order, IPv4 in the first 4 bytes */
};

struct flow_filter {
	__u64 limit;		/* 0: no limit */
	__u32 states;		/* bit per CT_STATE_*; 0: any */
	__u32 anomaly;		/* bits, one of which must be set; 0: any flow */
	int sport, dport;	/* -1: any */
	enum flow_sort sort;
	struct flow_cidr src, dst;
	__u8 family;		/* 4, 6, 0: any */
	bool set;		/* some filter was given */
	bool count;		/* show --count: only the number of flows */
	__u8 pad[5];
};

/* filter_init - no filter, no order, no limit. */
void filter_init(struct flow_filter *f);

/* The argp child: its input is a struct flow_filter (filter_init'ed). */
extern const struct argp filter_argp;

/* filter_match - does v pass every filter given? */
bool filter_match(const struct flow_filter *f, const struct flow_view *v);

/*
 * filter_apply - drop the flows that do not match, order them by f->sort
 * (ties in first-packet order, as flow_vec_sort) and keep the first
 * f->limit. In place; never fails.
 */
void filter_apply(const struct flow_filter *f, struct flow_vec *fv);

/* filter_cmp - <0 when x comes first in order s (ties: first packet, originator). */
int filter_cmp(enum flow_sort s, const struct flow_view *x, const struct flow_view *y);

/* filter_print_count - show --count's answer: "N", "IFACE N" or {"iface":..,"count":N}. */
void filter_print_count(FILE *f, size_t n, bool json, const char *tag);

/* filter_parse_cidr - "198.18.0.0/15", "fc00::1" (a bare address: /32, /128). 0 or -EINVAL. */
int filter_parse_cidr(const char *s, struct flow_cidr *c);

#endif /* XDPCT_FILTER_H */

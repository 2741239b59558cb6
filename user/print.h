/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* print.h - flows and counters as tables (for people) and JSON (for scripts). */
#ifndef XDPCT_PRINT_H
#define XDPCT_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "flowview.h"
#include "json.h"
#include "maps.h"

struct flow_vec {
	struct flow_view *v;
	size_t n, cap;
	__u64 now_ns;		/* wall clock (or capture end) for ages; 0: now */
};

int flow_vec_push(struct flow_vec *fv, const struct flow_view *v);
void flow_vec_free(struct flow_vec *fv);
/* Oldest first, then by originator. */
void flow_vec_sort(struct flow_vec *fv);

/* print_flows_table - a conntrack -L style table; with summary, a count on stderr. */
void print_flows_table(FILE *f, const struct flow_vec *fv, const char *iface_col, bool summary);

/* print_flow_json - one flow as one JSON object on one line. */
void print_flow_json(FILE *f, const struct flow_view *v, const char *iface);

/* Counters, derived totals and evictions of one instance. */
struct stats_view {
	struct xdpct_stats hook[HOOK_MAX];
	struct xdpct_stats total;
	struct live_counts live;
	struct user_deletes gc;
	__u64 evicted_flows;	/* LRU evictions from the established maps */
	__u64 evicted_halfopen;	/* LRU evictions from the half-open maps */
	struct xdpct_meta meta;
	struct xdpct_detector det;
	bool det_fresh;		/* a detector process updated it recently */
	bool det_sampled;	/* no detector: det is flood_sample's verdict */
};

/* How long stats samples the SYN counters when no detector runs. */
#define STATS_SAMPLE_MS 250

int stats_view_read(const struct xdpct_fds *fds, struct stats_view *sv);
void print_stats_table(FILE *f, const struct stats_view *sv, const char *iface);
void print_stats_json(FILE *f, const struct stats_view *sv, const char *iface);

#endif /* XDPCT_PRINT_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* print.h - flows and counters as tables, for people (JSON lines: jsonl.h). */
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

/* print_event_line - one per-flow event as a line of text (v: its record). */
void print_event_line(FILE *f, const struct ct_event *e, const struct flow_view *v);

/* How long stats samples the SYN counters when no detector runs. */
#define STATS_SAMPLE_MS 250

void print_stats_table(FILE *f, const struct stats_view *sv, const char *iface);

#endif /* XDPCT_PRINT_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * jsonl.h - the JSON lines of --json, one function per kind of line, each
 * one object on one line, flushed (jsonl.c). A new output format belongs
 * beside this (its own module fed the same views), not inside the verbs.
 */
#ifndef XDPCT_JSONL_H
#define XDPCT_JSONL_H

#include <stdio.h>
#include <linux/types.h>

#include "detector.h"
#include "flowview.h"
#include "isn.h"
#include "json.h"
#include "print.h"

/* A flow: show, replay and run's snapshots. */
void jsonl_flow(FILE *f, const struct flow_view *v, const char *iface);
void jsonl_flows(FILE *f, const struct flow_vec *fv, const char *iface);

/* A per-flow event (v: its record as a view); time_off: monotonic to wall clock. */
void jsonl_event(FILE *f, const struct ct_event *e, const struct flow_view *v, const char *iface,
		 __s64 time_off);
/* jsonl_event_name - "flow_new", "flow_state", ... as "event" says. */
const char *jsonl_event_name(int type);
/* show --count: {"iface":...,"count":N}. */
void jsonl_count(FILE *f, const char *iface, size_t n);
/* {"event":"snapshot"}: the flow lines after it, up to the next, are one table. */
void jsonl_snapshot(FILE *f, const char *iface);

/* The detector's alert, with the top SYN sources (start only), and lost events. */
void jsonl_alert(FILE *f, const struct det_event *e, const char *iface,
		 const struct syn_src_key *top, const __u64 *top_syns, int ntop);
void jsonl_drops(FILE *f, const char *iface, __u64 count, __u64 total);

/* A host's recorded ISNs and their verdict. */
void jsonl_host(FILE *f, const char *iface, const struct syn_src_key *k, const struct host_isn *h,
		const struct isn_verdict *v);

/* The counters of one instance (stats). */
void jsonl_stats(FILE *f, const struct stats_view *sv, const char *iface);

#endif /* XDPCT_JSONL_H */

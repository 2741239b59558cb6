// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * jsonl.c - every line xdpct writes with --json, one function per kind of
 * line (jsonl.h): a flow (show, replay, run's snapshots), a flow event and
 * the snapshot marker (events, run), the counters (stats), an alert and
 * the events_dropped note (the detector), a host's ISN verdict (--hosts).
 * The keys are the CLI's contract; keys several lines share are written by
 * one helper each, so they cannot drift apart.
 */
#include <errno.h>
#include <string.h>
#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "isn.h"
#include "jsonl.h"
#include "monitor.h"
#include "util.h"

/* json_endpoints - family, orig_addr, orig_port, resp_addr, resp_port. */
static void json_endpoints(struct jw *w, const struct flow_view *v)
{
	char a[64];

	jw_str(w, "family", v->family == 6 ? "ipv6" : "ipv4");
	addr_str(v->family, v->orig_addr, a, sizeof(a));
	jw_str(w, "orig_addr", a);
	jw_u64(w, "orig_port", v->orig_port);
	addr_str(v->family, v->resp_addr, a, sizeof(a));
	jw_str(w, "resp_addr", a);
	jw_u64(w, "resp_port", v->resp_port);
}

/* json_anomalies - key: the names of the anomaly bits, in bit order. */
static void json_anomalies(struct jw *w, const char *key, __u32 bits)
{
	const char *names[32];
	int i, n = anomaly_names(bits, names, 32);

	jw_arr_open(w, key);
	for (i = 0; i < n; i++)
		jw_str(w, NULL, names[i]);
	jw_arr_close(w);
}

/* json_volume - orig_pkts, orig_bytes, resp_pkts, resp_bytes. */
static void json_volume(struct jw *w, const struct flow_view *v)
{
	jw_u64(w, "orig_pkts", v->f.dir[0].pkts);
	jw_u64(w, "orig_bytes", v->f.dir[0].bytes);
	jw_u64(w, "resp_pkts", v->f.dir[1].pkts);
	jw_u64(w, "resp_bytes", v->f.dir[1].bytes);
}

/* json_line_open - a top-level object: "event" (or NULL), then "iface" (or NULL). */
static void json_line_open(struct jw *w, FILE *f, const char *event, const char *iface)
{
	jw_init(w, f);
	jw_obj_open(w, NULL);
	if (event)
		jw_str(w, "event", event);
	if (iface)
		jw_str(w, "iface", iface);
}

static void json_line_close(struct jw *w)
{
	jw_obj_close(w);
	jw_end_line(w);
}

/* ---- flows ------------------------------------------------------------ */

/* isn_known - was this side's ISN seen (or implied by the SYN-ACK's ack)? */
static bool isn_known(const struct flow *f, int s)
{
	if (f->ctl & (s ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG))
		return true;
	/* a SYN-ACK's ack is the (unseen) SYN's seq + 1 */
	return s == CT_DIR_ORIG && (f->ctl & CT_CTL_FIRST_RESP) && (f->ctl & CT_CTL_ISN_RESP);
}

void jsonl_flow(FILE *f, const struct flow_view *v, const char *iface)
{
	char fl[16];
	struct jw w;
	int i;

	json_line_open(&w, f, NULL, iface);
	json_endpoints(&w, v);
	jw_str(&w, "state", ct_state_name(v->state));
	jw_str(&w, "conn_state", v->conn_state);
	jw_str(&w, "history", v->history);
	/* letters past the record's 12 slots were dropped (F, f, R, r never) */
	jw_bool(&w, "history_truncated", (v->f.ctl & CT_CTL_HIST_FULL) != 0);
	json_anomalies(&w, "anomalies", v->anomalies);
	json_volume(&w, v);
	jw_u64(&w, "orig_ip_bytes", v->f.dir[0].ip_bytes);
	jw_u64(&w, "resp_ip_bytes", v->f.dir[1].ip_bytes);
	jw_u64(&w, "orig_acked", v->orig_acked);
	jw_u64(&w, "resp_acked", v->resp_acked);
	for (i = 0; i < 2; i++) {
		const char *k = i ? "resp_isn" : "orig_isn";

		if (isn_known(&v->f, i))
			jw_u64(&w, k, v->f.dir[i].isn);
		else
			jw_null(&w, k);
	}
	if (v->syn_rtt_us >= 0)
		jw_i64(&w, "syn_rtt_us", v->syn_rtt_us);
	else
		jw_null(&w, "syn_rtt_us");
	if (v->ack_rtt_us >= 0)
		jw_i64(&w, "ack_rtt_us", v->ack_rtt_us);
	else
		jw_null(&w, "ack_rtt_us");
	jw_u64(&w, "first_seen_ns", v->first_ns);
	jw_u64(&w, "last_seen_ns", v->last_ns);
	tcp_flags_str(v->f.flags[0], fl, sizeof(fl));
	jw_str(&w, "orig_flags", fl);
	tcp_flags_str(v->f.flags[1], fl, sizeof(fl));
	jw_str(&w, "resp_flags", fl);
	jw_i64(&w, "timeout_s", v->expires_in_s);
	jw_str(&w, "map", v->ended ? "ended" : v->in_halfopen ? "halfopen" : "flows");
	json_line_close(&w);
}

void jsonl_flows(FILE *f, const struct flow_vec *fv, const char *iface)
{
	size_t i;

	for (i = 0; i < fv->n; i++)
		jsonl_flow(f, &fv->v[i], iface);
}

/* ---- events (events, run) --------------------------------------------- */

const char *jsonl_event_name(int type)
{
	switch (type) {
	case CT_EV_NEW: return "flow_new";
	case CT_EV_STATE: return "flow_state";
	case CT_EV_ANOMALY: return "flow_anomaly";
	case CT_EV_END: return "flow_end";
	default: return "flow_unknown";
	}
}

void jsonl_event(FILE *f, const struct ct_event *e, const struct flow_view *v, const char *iface,
		 __s64 time_off)
{
	struct jw w;

	json_line_open(&w, f, jsonl_event_name(e->type), iface);
	json_endpoints(&w, v);
	if (e->type != CT_EV_NEW)
		jw_str(&w, "old_state", ct_state_name(e->old_state));
	jw_str(&w, "state", ct_state_name(e->new_state));
	jw_str(&w, "history", v->history);
	json_anomalies(&w, "new_anomalies", e->new_anomalies);
	json_anomalies(&w, "anomalies", v->anomalies);
	json_volume(&w, v);
	jw_double(&w, "ts", (e->ts_ns + time_off) / 1e9, 6);
	json_line_close(&w);
}

void jsonl_snapshot(FILE *f, const char *iface)
{
	struct jw w;

	json_line_open(&w, f, "snapshot", iface);
	jw_double(&w, "ts", real_ns() / 1e9, 6);
	json_line_close(&w);
}

/* show --count: the number of flows that matched (filter.c) */
void jsonl_count(FILE *f, const char *iface, size_t n)
{
	struct jw w;

	json_line_open(&w, f, NULL, iface);
	jw_u64(&w, "count", n);
	json_line_close(&w);
}

/* ---- the detector ------------------------------------------------------ */

void jsonl_alert(FILE *f, const struct det_event *e, const char *iface,
		 const struct syn_src_key *top, const __u64 *top_syns, int ntop)
{
	char victim[64], a[64];
	struct jw w;
	int i;

	monitor_victim_str(&e->victim, victim, sizeof(victim));
	json_line_open(&w, f, e->type == DET_FLOOD_START ? "syn_flood_start" : "syn_flood_end",
		       iface);
	jw_str(&w, "victim", victim);
	if (det_key_is_host(&e->victim) && e->type == DET_FLOOD_START)
		jw_u64(&w, "ports", e->ports);
	jw_double(&w, "syn_rate", e->syn_rate, 0);
	jw_double(&w, "completion", e->completion, 4);
	jw_u64(&w, "half_open", e->half_open);
	if (e->type == DET_FLOOD_START) {
		jw_double(&w, "cusum", e->cusum, 1);
		jw_arr_open(&w, "top_sources");
		for (i = 0; i < ntop; i++) {
			addr_str(top[i].family, (const __u8 *)top[i].addr, a, sizeof(a));
			jw_obj_open(&w, NULL);
			jw_str(&w, "addr", a);
			jw_u64(&w, "syns", top_syns[i]);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
	} else {
		jw_double(&w, "duration_s", e->duration_ns / 1e9, 3);
		jw_u64(&w, "syns", e->flood_syns);
		jw_u64(&w, "completed", e->flood_completed);
	}
	jw_double(&w, "ts", real_ns() / 1e9, 6);
	json_line_close(&w);
}

void jsonl_drops(FILE *f, const char *iface, __u64 count, __u64 total)
{
	struct jw w;

	json_line_open(&w, f, "events_dropped", iface);
	jw_u64(&w, "count", count);
	jw_u64(&w, "total", total);
	jw_double(&w, "ts", real_ns() / 1e9, 6);
	json_line_close(&w);
}

/* ---- hosts (--hosts) --------------------------------------------------- */

void jsonl_host(FILE *f, const char *iface, const struct syn_src_key *k, const struct host_isn *h,
		const struct isn_verdict *v)
{
	char a[64];
	unsigned int i;
	struct jw w;

	addr_str(k->family, (const __u8 *)k->addr, a, sizeof(a));
	json_line_open(&w, f, NULL, iface);
	jw_str(&w, "host", a);
	jw_str(&w, "family", k->family == 6 ? "ipv6" : "ipv4");
	jw_u64(&w, "isns_seen", h->count);
	jw_str(&w, "verdict", v->pattern == ISN_UNKNOWN ? "unknown" :
			      v->predictable ? "predictable" : "random");
	jw_str(&w, "pattern", isn_pattern_name(v->pattern));
	jw_u64(&w, "gcd", v->gcd);
	jw_double(&w, "isr", v->isr, 1);
	jw_double(&w, "sp", v->sp, 1);
	if (v->pattern == ISN_FIXED_STEP)
		jw_u64(&w, "step", v->step);
	jw_arr_open(&w, "last_isns");
	for (i = 0; i < v->samples; i++)
		jw_u64(&w, NULL, v->last[i]);
	jw_arr_close(&w);
	json_line_close(&w);
}

/* ---- counters --------------------------------------------------------- */

static const char *const mal_names[MAL_MAX] = XDPCT_MALFORMED_NAMES;

static void json_counters(struct jw *w, const struct xdpct_stats *s)
{
	int i;

	jw_u64(w, "packets", s->packets);
	jw_u64(w, "tcp", s->tcp);
	jw_u64(w, "non_tcp", s->non_tcp);
	jw_u64(w, "fragments", s->fragments);
	jw_u64(w, "malformed", stats_malformed(s));
	jw_obj_open(w, "malformed_by_reason");
	for (i = 0; i < MAL_MAX; i++)
		jw_u64(w, mal_names[i], s->malformed[i]);
	jw_obj_close(w);
	jw_u64(w, "flows_created", s->flows_created);
	jw_u64(w, "flows_promoted", s->flows_promoted);
	jw_u64(w, "flows_reopened", s->flows_reopened);
	jw_u64(w, "syn_pkts", s->syn_pkts);
	jw_u64(w, "synack_pkts", s->synack_pkts);
	jw_u64(w, "syn_retransmits", s->syn_retransmits);
	jw_u64(w, "synack_retransmits", s->synack_retransmits);
	jw_u64(w, "handshakes_completed", s->handshakes_completed);
	jw_u64(w, "rst_pkts", s->rst_pkts);
	jw_u64(w, "fin_pkts", s->fin_pkts);
	jw_u64(w, "invalid_pkts", s->invalid_pkts);
	jw_u64(w, "events_sent", s->events_sent);
	jw_u64(w, "events_dropped", s->events_dropped);
	jw_u64(w, "insert_failed", s->insert_failed);
	jw_u64(w, "tcp_bad_csum", s->tcp_bad_csum);
}


void jsonl_stats(FILE *f, const struct stats_view *sv, const char *iface)
{
	char victim[64];
	struct jw w;

	json_line_open(&w, f, NULL, iface);
	json_counters(&w, &sv->total);
	jw_u64(&w, "flows_evicted", sv->evicted_flows + sv->evicted_halfopen);
	jw_u64(&w, "flows_evicted_established", sv->evicted_flows);
	jw_u64(&w, "flows_evicted_halfopen", sv->evicted_halfopen);
	jw_u64(&w, "flows_expired", sv->gc.flows + sv->gc.halfopen);
	jw_u64(&w, "flows_live", (__u64)(sv->live.flows + sv->live.flows6));
	jw_u64(&w, "half_open", (__u64)(sv->live.halfopen + sv->live.halfopen6));
	jw_bool(&w, "counts_exact", sv->live.exact);
	jw_u64(&w, "max_flows", sv->meta.max_flows);
	jw_u64(&w, "max_halfopen", sv->meta.max_halfopen);
	if (sv->det_fresh || sv->det_sampled) {
		jw_str(&w, "flood_state", sv->det.flooding ? "flood" : "normal");
		jw_str(&w, "flood_basis", sv->det_fresh ? "detector" : "sample");
		if (sv->det_fresh)
			jw_u64(&w, "flood_since_ns", sv->det.since_ns);
		jw_u64(&w, "syn_rate", sv->det.syn_rate);
		jw_double(&w, "completion", sv->det.completion_ppm / 1e6, 3);
		if (sv->det.flooding) {
			monitor_victim_str(&sv->det.victim, victim, sizeof(victim));
			jw_str(&w, "victim", victim);
			jw_u64(&w, "flood_syns", sv->det.flood_syns);
		}
	}
	jw_obj_open(&w, "xdp");
	json_counters(&w, &sv->hook[HOOK_XDP]);
	jw_obj_close(&w);
	jw_obj_open(&w, "tc");
	json_counters(&w, &sv->hook[HOOK_TC]);
	jw_obj_close(&w);
	json_line_close(&w);
}

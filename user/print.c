// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* print.c - flows and counters as tables and JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "monitor.h"
#include "print.h"
#include "util.h"

int flow_vec_push(struct flow_vec *fv, const struct flow_view *v)
{
	if (fv->n == fv->cap) {
		size_t cap = fv->cap ? fv->cap * 2 : 256;
		struct flow_view *nv = realloc(fv->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		fv->v = nv;
		fv->cap = cap;
	}
	fv->v[fv->n++] = *v;
	return 0;
}

void flow_vec_free(struct flow_vec *fv)
{
	free(fv->v);
	memset(fv, 0, sizeof(*fv));
}

static int cmp_view(const void *a, const void *b)
{
	const struct flow_view *x = a, *y = b;
	int c;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	c = memcmp(x->orig_addr, y->orig_addr, 16);
	if (c)
		return c;
	return (int)x->orig_port - (int)y->orig_port;
}

void flow_vec_sort(struct flow_vec *fv)
{
	if (fv->n > 1)
		qsort(fv->v, fv->n, sizeof(fv->v[0]), cmp_view);
}

static void anomalies_str(__u32 bits, char *buf, size_t len)
{
	const char *names[32];
	int i, n = anomaly_names(bits, names, 32);
	size_t off = 0;

	buf[0] = 0;
	if (!n) {
		snprintf(buf, len, "-");
		return;
	}
	for (i = 0; i < n && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? "," : "", names[i]);
}

/*
 * rtt_str - the handshake's round trip, SYN to its ACK: the sum of the two
 * halves is the end-to-end RTT wherever on the path xdpct watches (on a
 * server, the SYN-ACK half is its own delay; on a client, the ACK half is).
 */
static void rtt_str(const struct flow_view *v, char *buf, size_t len)
{
	long long us = v->syn_rtt_us + v->ack_rtt_us;

	if (v->syn_rtt_us < 0 || v->ack_rtt_us < 0)
		snprintf(buf, len, "-");
	else if (us < 10000)
		snprintf(buf, len, "%.2fms", us / 1e3);
	else if (us < 1000000)
		snprintf(buf, len, "%.0fms", us / 1e3);
	else
		snprintf(buf, len, "%.1fs", us / 1e6);
}

void print_flows_table(FILE *f, const struct flow_vec *fv, const char *iface_col, bool summary)
{
	char o[64], r[64], age[32], rtt[32], an[512];
	int wo = (int)strlen("ORIGINATOR"), wr = (int)strlen("RESPONDER");
	__u64 now = fv->now_ns ? fv->now_ns : real_ns();
	size_t i;

	for (i = 0; i < fv->n; i++) {
		const struct flow_view *v = &fv->v[i];
		int lo, lr;

		endpoint_str(v->family, v->orig_addr, v->orig_port, o, sizeof(o));
		endpoint_str(v->family, v->resp_addr, v->resp_port, r, sizeof(r));
		lo = (int)strlen(o);
		lr = (int)strlen(r);
		if (lo > wo)
			wo = lo;
		if (lr > wr)
			wr = lr;
	}
	if (iface_col)
		fprintf(f, "%-10s ", "IFACE");
	fprintf(f, "%-6s %-*s %-*s %-11s %-6s %-13s %9s %11s %9s %11s %7s %7s %s\n", "FAMILY",
		wo, "ORIGINATOR", wr, "RESPONDER", "STATE", "ZEEK", "HISTORY", "ORIG_PKTS",
		"ORIG_BYTES", "RESP_PKTS", "RESP_BYTES", "AGE", "RTT", "ANOMALIES");
	for (i = 0; i < fv->n; i++) {
		const struct flow_view *v = &fv->v[i];

		endpoint_str(v->family, v->orig_addr, v->orig_port, o, sizeof(o));
		endpoint_str(v->family, v->resp_addr, v->resp_port, r, sizeof(r));
		fmt_age(age, sizeof(age), v->first_ns && now > v->first_ns ? now - v->first_ns : 0);
		rtt_str(v, rtt, sizeof(rtt));
		anomalies_str(v->anomalies & ~CT_ANOM_INFO_MASK, an, sizeof(an));
		if (v->anomalies & CT_ANOM_INFO_MASK) {
			size_t l = strlen(an);

			if (!strcmp(an, "-"))
				l = 0;
			snprintf(an + l, sizeof(an) - l, "%s(SEQ_WRAPPED)", l ? "," : "");
		}
		if (iface_col)
			fprintf(f, "%-10s ", iface_col);
		fprintf(f, "%-6s %-*s %-*s %-11s %-6s %-13s %9llu %11llu %9llu %11llu %7s %7s %s\n",
			v->family == 6 ? "ipv6" : "ipv4", wo, o, wr, r, ct_state_name(v->state),
			v->conn_state, v->history[0] ? v->history : "-",
			(unsigned long long)v->f.dir[0].pkts, (unsigned long long)v->f.dir[0].bytes,
			(unsigned long long)v->f.dir[1].pkts, (unsigned long long)v->f.dir[1].bytes,
			age, rtt, an);
	}
	fflush(f);
	if (summary)
		fprintf(stderr, "xdpct: %zu flow%s shown.\n", fv->n, fv->n == 1 ? "" : "s");
}

/* isn_known - was this side's ISN seen (or implied by the SYN-ACK's ack)? */
static bool isn_known(const struct flow *f, int s)
{
	if (f->ctl & (s ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG))
		return true;
	/* a SYN-ACK's ack is the (unseen) SYN's seq + 1 */
	return s == CT_DIR_ORIG && (f->ctl & CT_CTL_FIRST_RESP) && (f->ctl & CT_CTL_ISN_RESP);
}

void print_flow_json(FILE *f, const struct flow_view *v, const char *iface)
{
	char a[INET6_ADDRSTRLEN], fl[16];
	const char *names[32];
	struct jw w;
	int i, n;

	jw_init(&w, f);
	jw_obj_open(&w, NULL);
	if (iface)
		jw_str(&w, "iface", iface);
	jw_str(&w, "family", v->family == 6 ? "ipv6" : "ipv4");
	addr_str(v->family, v->orig_addr, a, sizeof(a));
	jw_str(&w, "orig_addr", a);
	jw_u64(&w, "orig_port", v->orig_port);
	addr_str(v->family, v->resp_addr, a, sizeof(a));
	jw_str(&w, "resp_addr", a);
	jw_u64(&w, "resp_port", v->resp_port);
	jw_str(&w, "state", ct_state_name(v->state));
	jw_str(&w, "conn_state", v->conn_state);
	jw_str(&w, "history", v->history);
	/* letters past the record's 12 slots were dropped (F, f, R, r never) */
	jw_bool(&w, "history_truncated", (v->f.ctl & CT_CTL_HIST_FULL) != 0);
	jw_arr_open(&w, "anomalies");
	n = anomaly_names(v->anomalies, names, 32);
	for (i = 0; i < n; i++)
		jw_str(&w, NULL, names[i]);
	jw_arr_close(&w);
	jw_u64(&w, "orig_pkts", v->f.dir[0].pkts);
	jw_u64(&w, "orig_bytes", v->f.dir[0].bytes);
	jw_u64(&w, "resp_pkts", v->f.dir[1].pkts);
	jw_u64(&w, "resp_bytes", v->f.dir[1].bytes);
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
	jw_obj_close(&w);
	jw_end_line(&w);
}

static __u64 sat_sub(__u64 a, __u64 b)
{
	return a > b ? a - b : 0;
}

int stats_view_read(const struct xdpct_fds *fds, struct stats_view *sv)
{
	__u32 zero = 0;
	size_t k;
	int h, err;

	memset(sv, 0, sizeof(*sv));
	err = stats_read(fds->stats, sv->hook);
	if (err)
		return err;
	for (h = 0; h < HOOK_MAX; h++) {
		__u64 *dst = (__u64 *)&sv->total, *src = (__u64 *)&sv->hook[h];

		for (k = 0; k < sizeof(sv->total) / sizeof(__u64); k++)
			dst[k] += src[k];
	}
	live_counts_read(fds, &sv->live);
	gc_read(fds->gc, &sv->gc);
	/* LRU evictions are silent; they are what is neither live nor removed */
	sv->evicted_halfopen = sat_sub(sv->total.flows_created,
				       sv->total.halfopen_deleted + sv->gc.halfopen +
					       (__u64)(sv->live.halfopen + sv->live.halfopen6));
	sv->evicted_flows = sat_sub(sv->total.flows_promoted,
				    sv->total.flows_deleted + sv->gc.flows +
					    (__u64)(sv->live.flows + sv->live.flows6));
	if (fds->meta >= 0)
		bpf_map_lookup_elem(fds->meta, &zero, &sv->meta);
	if (fds->detector >= 0 && !bpf_map_lookup_elem(fds->detector, &zero, &sv->det))
		sv->det_fresh = detector_live(&sv->det);
	return 0;
}

static const char *const malformed_names[MAL_MAX] = XDPCT_MALFORMED_NAMES;

static __u64 malformed_total(const struct xdpct_stats *s)
{
	__u64 n = 0;
	int i;

	for (i = 0; i < MAL_MAX; i++)
		n += s->malformed[i];
	return n;
}

static void json_counters(struct jw *w, const struct xdpct_stats *s)
{
	int i;

	jw_u64(w, "packets", s->packets);
	jw_u64(w, "tcp", s->tcp);
	jw_u64(w, "non_tcp", s->non_tcp);
	jw_u64(w, "fragments", s->fragments);
	jw_u64(w, "malformed", malformed_total(s));
	jw_obj_open(w, "malformed_by_reason");
	for (i = 0; i < MAL_MAX; i++)
		jw_u64(w, malformed_names[i], s->malformed[i]);
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


void print_stats_json(FILE *f, const struct stats_view *sv, const char *iface)
{
	char victim[64];
	struct jw w;

	jw_init(&w, f);
	jw_obj_open(&w, NULL);
	if (iface)
		jw_str(&w, "iface", iface);
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
			endpoint_str(sv->det.victim.family, (const __u8 *)sv->det.victim.addr,
				     sv->det.victim.port, victim, sizeof(victim));
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
	jw_obj_close(&w);
	jw_end_line(&w);
}

static void row(FILE *f, const char *name, __u64 total, __u64 x, __u64 t)
{
	fprintf(f, "  %-22s %14llu %14llu %14llu\n", name, (unsigned long long)total,
		(unsigned long long)x, (unsigned long long)t);
}

void print_stats_table(FILE *f, const struct stats_view *sv, const char *iface)
{
	const struct xdpct_stats *s = &sv->total, *x = &sv->hook[HOOK_XDP], *t = &sv->hook[HOOK_TC];
	char victim[64], since[32];
	int i;

	fprintf(f, "%s:\n", iface ? iface : "xdpct");
	fprintf(f, "  %-22s %14s %14s %14s\n", "COUNTER", "TOTAL", "XDP(ingress)", "TC(egress)");
	row(f, "packets", s->packets, x->packets, t->packets);
	row(f, "tcp", s->tcp, x->tcp, t->tcp);
	row(f, "non_tcp", s->non_tcp, x->non_tcp, t->non_tcp);
	row(f, "fragments", s->fragments, x->fragments, t->fragments);
	row(f, "malformed", malformed_total(s), malformed_total(x), malformed_total(t));
	for (i = 0; i < MAL_MAX; i++)
		if (s->malformed[i])
			row(f, malformed_names[i], s->malformed[i], x->malformed[i], t->malformed[i]);
	row(f, "syn_pkts", s->syn_pkts, x->syn_pkts, t->syn_pkts);
	row(f, "synack_pkts", s->synack_pkts, x->synack_pkts, t->synack_pkts);
	row(f, "handshakes_completed", s->handshakes_completed, x->handshakes_completed,
	    t->handshakes_completed);
	row(f, "rst_pkts", s->rst_pkts, x->rst_pkts, t->rst_pkts);
	row(f, "fin_pkts", s->fin_pkts, x->fin_pkts, t->fin_pkts);
	row(f, "invalid_pkts", s->invalid_pkts, x->invalid_pkts, t->invalid_pkts);
	row(f, "tcp_bad_csum", s->tcp_bad_csum, x->tcp_bad_csum, t->tcp_bad_csum);
	row(f, "flows_created", s->flows_created, x->flows_created, t->flows_created);
	row(f, "events_dropped", s->events_dropped, x->events_dropped, t->events_dropped);
	fprintf(f, "  flows: %lld established map (max %llu), %lld half-open map (max %llu)%s\n",
		sv->live.flows + sv->live.flows6, (unsigned long long)sv->meta.max_flows,
		sv->live.halfopen + sv->live.halfopen6, (unsigned long long)sv->meta.max_halfopen,
		sv->live.exact ? "" : " (approximate)");
	fprintf(f, "  evicted: %llu established, %llu half-open; expired: %llu\n",
		(unsigned long long)sv->evicted_flows, (unsigned long long)sv->evicted_halfopen,
		(unsigned long long)(sv->gc.flows + sv->gc.halfopen));
	if (sv->det_sampled) {
		endpoint_str(sv->det.victim.family, (const __u8 *)sv->det.victim.addr,
			     sv->det.victim.port, victim, sizeof(victim));
		fprintf(f, "  syn flood: %s%s (sampled over %.2f s, no detector running: %llu "
			"SYN/s, completion %.1f%%)\n", sv->det.flooding ? "FLOOD on " : "normal",
			sv->det.flooding ? victim : "", STATS_SAMPLE_MS / 1e3,
			(unsigned long long)sv->det.syn_rate, sv->det.completion_ppm / 1e4);
	} else if (!sv->det_fresh) {
		fprintf(f, "  syn flood: not judged (no detector running: 'xdpct run' or "
			"'xdpct events')\n");
	} else if (sv->det.flooding) {
		endpoint_str(sv->det.victim.family, (const __u8 *)sv->det.victim.addr,
			     sv->det.victim.port, victim, sizeof(victim));
		fmt_age(since, sizeof(since), real_ns() - sv->det.since_ns);
		fprintf(f, "  syn flood: FLOOD on %s for %s: %llu SYN/s, completion %.1f%%, "
			"%llu SYNs so far\n", victim, since, (unsigned long long)sv->det.syn_rate,
			sv->det.completion_ppm / 1e4, (unsigned long long)sv->det.flood_syns);
	} else {
		fmt_age(since, sizeof(since), real_ns() - sv->det.since_ns);
		fprintf(f, "  syn flood: normal for %s (%llu SYN/s, completion %.1f%%)\n", since,
			(unsigned long long)sv->det.syn_rate, sv->det.completion_ppm / 1e4);
	}
}

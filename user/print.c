// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* print.c - flows and counters as tables (JSON lines are jsonl.c's). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "jsonl.h"
#include "monitor.h"
#include "print.h"
#include "util.h"

int flow_vec_push(struct flow_vec *fv, const struct flow_view *v)
{
	if (array_grow((void **)&fv->v, &fv->cap, fv->n, sizeof(*fv->v), 256))
		return -ENOMEM;
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

static const char *const malformed_names[MAL_MAX] = XDPCT_MALFORMED_NAMES;

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
	row(f, "malformed", stats_malformed(s), stats_malformed(x), stats_malformed(t));
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
		monitor_victim_str(&sv->det.victim, victim, sizeof(victim));
		fprintf(f, "  syn flood: %s%s (sampled over %.2f s, no detector running: %llu "
			"SYN/s, completion %.1f%%)\n", sv->det.flooding ? "FLOOD on " : "normal",
			sv->det.flooding ? victim : "", STATS_SAMPLE_MS / 1e3,
			(unsigned long long)sv->det.syn_rate, sv->det.completion_ppm / 1e4);
	} else if (!sv->det_fresh) {
		fprintf(f, "  syn flood: not judged (no detector running: 'xdpct run' or "
			"'xdpct events')\n");
	} else if (sv->det.flooding) {
		monitor_victim_str(&sv->det.victim, victim, sizeof(victim));
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

void print_event_line(FILE *f, const struct ct_event *e, const struct flow_view *v)
{
	const char *names[32];
	char o[64], r[64];
	int i, n;

	endpoint_str(v->family, v->orig_addr, v->orig_port, o, sizeof(o));
	endpoint_str(v->family, v->resp_addr, v->resp_port, r, sizeof(r));
	fprintf(f, "%-12s %s -> %s %s", jsonl_event_name(e->type), o, r, ct_state_name(e->new_state));
	if (e->type == CT_EV_STATE)
		fprintf(f, " (was %s)", ct_state_name(e->old_state));
	fprintf(f, " history %s", v->history[0] ? v->history : "-");
	n = anomaly_names(e->new_anomalies, names, 32);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "," : " anomaly ", names[i]);
	fputc('\n', f);
	fflush(f);
}

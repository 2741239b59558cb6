// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * prom.c - Prometheus text exposition format 0.0.4: "# HELP", "# TYPE",
 * then the samples of that family, families never interleaved. Labels are
 * bounded sets only (iface, hook, map, state, reason, anomaly): per-flow
 * and per-address figures belong to flow export (ipfix.c, connlog.c).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "detector.h"
#include "monitor.h"
#include "prom.h"
#include "util.h"

static const __u64 prom_rtt_bounds[PROM_RTT_BUCKETS] = PROM_RTT_BOUNDS;
static const char *const prom_malformed[MAL_MAX] = XDPCT_MALFORMED_NAMES;
static const char *const prom_hooks[HOOK_MAX] = { "xdp", "tc" };
static const char *const prom_maps[2] = { "flows", "halfopen" };

void flow_tally_rtt(struct flow_tally *t, __u64 us)
{
	int i;

	for (i = 0; i < PROM_RTT_BUCKETS && us > prom_rtt_bounds[i]; i++)
		;
	if (i < PROM_RTT_BUCKETS)
		t->rtt_le[i]++;
	t->rtt_count++;
	t->rtt_sum_us += us;
}

static int prom_count_cb(int family, const void *key, const struct flow *f, bool halfopen,
			 void *ctx)
{
	struct prom_iface *pi = ctx;
	unsigned int s = f->ctl & CT_CTL_STATE_MASK;

	(void)family;
	(void)key;
	if (s < CT_STATE_COUNT)
		pi->flows[halfopen ? 1 : 0][s]++;
	return 0;
}

int prom_read(struct prom_iface *pi, const char *name, const struct xdpct_fds *fds,
	      const struct flow_tally *tally)
{
	int err;

	memset(pi, 0, sizeof(*pi));
	snprintf(pi->name, sizeof(pi->name), "%s", name);
	err = stats_view_read(fds, &pi->sv);
	if (!err)
		err = flows_walk(fds, prom_count_cb, pi);
	if (err) {
		pr_warn("%s: reading the maps failed: %s; left out", name, strerror(-err));
		return err;
	}
	pi->sv.det_fresh = detector_live(&pi->sv.det);
	if (!pi->sv.det_fresh) {
		struct det_params p;

		det_params_default(&p);
		pi->sv.det_sampled = !flood_sample(fds, &p, STATS_SAMPLE_MS, &pi->sv.det);
	}
	if (tally)
		pi->tally = *tally;
	pi->ok = true;
	return 0;
}

static void prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A per-hook counter family: offset of the field in struct xdpct_stats. */
static void prom_hook_counter(FILE *f, const struct prom_iface *ifs, int n, const char *name,
			      size_t off, const char *help)
{
	int i, h;

	prom_family(f, name, "counter", help);
	for (i = 0; i < n; i++) {
		if (!ifs[i].ok)
			continue;
		for (h = 0; h < HOOK_MAX; h++)
			fprintf(f, "%s{iface=\"%s\",hook=\"%s\"} %llu\n", name, ifs[i].name,
				prom_hooks[h],
				*(const unsigned long long *)((const char *)&ifs[i].sv.hook[h] + off));
	}
}

#define HOOK_COUNTER(f, ifs, n, name, field, help) \
	prom_hook_counter(f, ifs, n, name, offsetof(struct xdpct_stats, field), help)

static void prom_write_packets(FILE *f, const struct prom_iface *ifs, int n)
{
	int i, h, r;

	HOOK_COUNTER(f, ifs, n, "xdpct_packets_total", packets,
		     "Frames seen by each hook (tcp + non-TCP + malformed).");
	HOOK_COUNTER(f, ifs, n, "xdpct_tcp_packets_total", tcp, "TCP segments tracked.");
	HOOK_COUNTER(f, ifs, n, "xdpct_non_tcp_packets_total", non_tcp,
		     "Frames that are not TCP over IP, or non-first fragments (passed, not tracked).");
	HOOK_COUNTER(f, ifs, n, "xdpct_fragments_total", fragments,
		     "IP fragments (passed, not tracked).");
	prom_family(f, "xdpct_malformed_packets_total", "counter",
		    "Malformed frames by reason (passed, never tracked).");
	for (i = 0; i < n; i++)
		for (h = 0; ifs[i].ok && h < HOOK_MAX; h++)
			for (r = 0; r < MAL_MAX; r++)
				fprintf(f, "xdpct_malformed_packets_total{iface=\"%s\",hook=\"%s\","
					"reason=\"%s\"} %llu\n", ifs[i].name, prom_hooks[h],
					prom_malformed[r],
					(unsigned long long)ifs[i].sv.hook[h].malformed[r]);
	HOOK_COUNTER(f, ifs, n, "xdpct_syn_packets_total", syn_pkts, "SYNs without ACK.");
	HOOK_COUNTER(f, ifs, n, "xdpct_synack_packets_total", synack_pkts, "SYN-ACKs.");
	HOOK_COUNTER(f, ifs, n, "xdpct_syn_retransmits_total", syn_retransmits,
		     "SYNs sent again with the same ISN.");
	HOOK_COUNTER(f, ifs, n, "xdpct_synack_retransmits_total", synack_retransmits,
		     "SYN-ACKs sent again with the same ISN.");
	HOOK_COUNTER(f, ifs, n, "xdpct_handshakes_completed_total", handshakes_completed,
		     "Three-way handshakes completed, counted at the hook of the completing ACK.");
	HOOK_COUNTER(f, ifs, n, "xdpct_rst_packets_total", rst_pkts, "Resets.");
	HOOK_COUNTER(f, ifs, n, "xdpct_fin_packets_total", fin_pkts, "FINs.");
	HOOK_COUNTER(f, ifs, n, "xdpct_invalid_packets_total", invalid_pkts,
		     "Segments the state machine judged invalid (they never move a flow).");
	HOOK_COUNTER(f, ifs, n, "xdpct_events_dropped_total", events_dropped,
		     "Per-flow events dropped by the rate limit or a full ring buffer.");
	HOOK_COUNTER(f, ifs, n, "xdpct_flows_created_total", flows_created,
		     "Flow records created, by the hook of the packet that created them.");
	HOOK_COUNTER(f, ifs, n, "xdpct_insert_failed_total", insert_failed,
		     "Flow map updates that failed.");
}

static void prom_write_flows(FILE *f, const struct prom_iface *ifs, int n)
{
	int i, m, s;

	prom_family(f, "xdpct_flows", "gauge", "Flow records in the maps now, by map and state.");
	for (i = 0; i < n; i++)
		for (m = 0; ifs[i].ok && m < 2; m++)
			for (s = 1; s < CT_STATE_COUNT; s++)
				fprintf(f, "xdpct_flows{iface=\"%s\",map=\"%s\",state=\"%s\"} %llu\n",
					ifs[i].name, prom_maps[m], ct_state_name(s),
					(unsigned long long)ifs[i].flows[m][s]);
	prom_family(f, "xdpct_flows_limit", "gauge",
		    "Entries each map of a kind holds (one map per address family).");
	for (i = 0; i < n; i++) {
		if (!ifs[i].ok)
			continue;
		fprintf(f, "xdpct_flows_limit{iface=\"%s\",map=\"flows\"} %llu\n", ifs[i].name,
			(unsigned long long)ifs[i].sv.meta.max_flows);
		fprintf(f, "xdpct_flows_limit{iface=\"%s\",map=\"halfopen\"} %llu\n", ifs[i].name,
			(unsigned long long)ifs[i].sv.meta.max_halfopen);
	}
	prom_family(f, "xdpct_flows_evicted_total", "counter",
		    "Flows pushed out of a full map (LRU) before they ended.");
	for (i = 0; i < n; i++) {
		if (!ifs[i].ok)
			continue;
		fprintf(f, "xdpct_flows_evicted_total{iface=\"%s\",map=\"flows\"} %llu\n",
			ifs[i].name, (unsigned long long)ifs[i].sv.evicted_flows);
		fprintf(f, "xdpct_flows_evicted_total{iface=\"%s\",map=\"halfopen\"} %llu\n",
			ifs[i].name, (unsigned long long)ifs[i].sv.evicted_halfopen);
	}
	prom_family(f, "xdpct_flows_expired_total", "counter",
		    "Flows deleted after their state's timeout.");
	for (i = 0; i < n; i++) {
		if (!ifs[i].ok)
			continue;
		fprintf(f, "xdpct_flows_expired_total{iface=\"%s\",map=\"flows\"} %llu\n",
			ifs[i].name, (unsigned long long)ifs[i].sv.gc.flows);
		fprintf(f, "xdpct_flows_expired_total{iface=\"%s\",map=\"halfopen\"} %llu\n",
			ifs[i].name, (unsigned long long)ifs[i].sv.gc.halfopen);
	}
}

static void prom_write_tally(FILE *f, const struct prom_iface *ifs, int n)
{
	int i, b;

	prom_family(f, "xdpct_anomalies_total", "counter",
		    "Flows on which an anomaly was found, by anomaly (counted when first seen on "
		    "the flow by this process).");
	for (i = 0; i < n; i++)
		for (b = 0; ifs[i].ok && b < 32; b++) {
			const char *name = anomaly_name(1u << b);

			/* PREDICTABLE_ISN is a host's verdict, not a flow's finding */
			if (name[0] != '?' && !((1u << b) & (CT_ANOM_INFO_MASK | CT_ANOM_PREDICTABLE_ISN)))
				fprintf(f, "xdpct_anomalies_total{iface=\"%s\",anomaly=\"%s\"} %llu\n",
					ifs[i].name, name,
					(unsigned long long)ifs[i].tally.anomalies[b]);
		}
	prom_family(f, "xdpct_handshake_rtt_seconds", "histogram",
		    "Handshake round trip, SYN to the ACK that completed it, one observation per "
		    "flow (flows seen by this process).");
	for (i = 0; i < n; i++) {
		const struct flow_tally *t = &ifs[i].tally;
		__u64 cum = 0;

		if (!ifs[i].ok)
			continue;
		for (b = 0; b < PROM_RTT_BUCKETS; b++) {
			cum += t->rtt_le[b];
			fprintf(f, "xdpct_handshake_rtt_seconds_bucket{iface=\"%s\",le=\"%g\"} %llu\n",
				ifs[i].name, prom_rtt_bounds[b] / 1e6, (unsigned long long)cum);
		}
		fprintf(f, "xdpct_handshake_rtt_seconds_bucket{iface=\"%s\",le=\"+Inf\"} %llu\n",
			ifs[i].name, (unsigned long long)t->rtt_count);
		fprintf(f, "xdpct_handshake_rtt_seconds_sum{iface=\"%s\"} %.6f\n", ifs[i].name,
			t->rtt_sum_us / 1e6);
		fprintf(f, "xdpct_handshake_rtt_seconds_count{iface=\"%s\"} %llu\n", ifs[i].name,
			(unsigned long long)t->rtt_count);
	}
}

void prom_write(FILE *f, const struct prom_iface *ifs, int n)
{
	int i;

	prom_family(f, "xdpct_build_info", "gauge", "Always 1; the version in a label.");
	fprintf(f, "xdpct_build_info{version=\"%s\"} 1\n", XDPCT_VERSION);
	prom_write_packets(f, ifs, n);
	prom_write_flows(f, ifs, n);
	prom_write_tally(f, ifs, n);
	prom_family(f, "xdpct_syn_flood", "gauge",
		    "1 while a SYN flood is detected on the interface, else 0.");
	for (i = 0; i < n; i++)
		if (ifs[i].ok)
			fprintf(f, "xdpct_syn_flood{iface=\"%s\"} %u\n", ifs[i].name,
				(ifs[i].sv.det_fresh || ifs[i].sv.det_sampled) && ifs[i].sv.det.flooding
					? 1u : 0u);
}

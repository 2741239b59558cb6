// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_datapath.c - the stores under pressure: the SYN cache full and
 * colliding (every overwrite counted, the newest flows kept, established
 * flows untouched), one-sided pickups kept out of the established map, and
 * the per-source SYN sketch naming the heavy sources of a flood of random
 * ones while the per-victim counts stay exact.
 */
#include <arpa/inet.h>

#include "harness.h"

#define SMALL_CACHE	16	/* 4 buckets of HC_WAYS */

/* load_small - a replay-mode object whose SYN cache has SMALL_CACHE slots. */
static int load_small(struct tctx *t)
{
	return prog_load_halfopen(t, SMALL_CACHE);
}

/* flood_conv - the i-th spoofed client: 198.19.(i / 250).(i % 250 + 1):(1024 + i). */
static void flood_conv(struct conv *cv, int i, __u16 dport)
{
	char a[32];

	snprintf(a, sizeof(a), "198.19.%d.%d", (i / 250) & 255, i % 250 + 1);
	conv_init(cv, 4, a, (__u16)(1024 + i), "198.18.0.2", dport);
}

/* bucket_of - the first slot of cv's bucket, as bpf/syncache.h finds it. */
static __u32 bucket_of(struct tctx *t, const struct conv *cv)
{
	struct flow_key4 k;
	__u32 w[3];

	key_make(4, cv->caddr, cv->cport, cv->saddr, cv->sport, &k);
	memcpy(w, &k, sizeof(w));
	return hc_bucket(hc_hash(w, 3, t->ld.skel->bss->hc_seed), SMALL_CACHE / HC_WAYS);
}

/*
 * A full, colliding cache: 200 SYNs into 16 slots. Each bucket keeps the
 * last HC_WAYS SYNs that hashed to it (the oldest is the one closest to
 * expiry); every other SYN overwrote a live slot and was counted; the one
 * established flow is untouched and still takes the fast path.
 */
static int t_cache_full(struct tctx *t)
{
	enum { N = 200 };
	__u32 bucket[N], seen[SMALL_CACHE / HC_WAYS * HC_WAYS] = {};
	struct xdpct_stats st[HOOK_MAX];
	struct conv est, cv;
	struct flow f;
	int i, where, kept = 0;

	TRY(load_small(t));
	conv_v4(&est);
	STEP("an established flow first");
	TRY(hs_run(t, &est, V_X, V_Y, T0, T0 + MSEC, T0 + 2 * MSEC));
	STEP("200 SYNs from 200 sources");
	for (i = 0; i < N; i++) {
		flood_conv(&cv, i, 80);
		bucket[i] = bucket_of(t, &cv);
		TRY(seg(t, &cv, T0 + SEC + i * MSEC, CLI, SYN, 1000 + i, 0, 0));
	}
	EQ("live slots", map_count(t->ld.fds.halfopen, 4), SMALL_CACHE);
	/* newest first: a bucket's last HC_WAYS SYNs are in it, no older one */
	for (i = N - 1; i >= 0; i--) {
		char what[64];
		int want;

		flood_conv(&cv, i, 80);
		want = seen[bucket[i]]++ < HC_WAYS;
		TRY(conv_flow(t, &cv, &f, &where, NULL));
		snprintf(what, sizeof(what), "SYN %d (bucket %u) in the cache", i, bucket[i]);
		EQ(what, where == IN_HALFOPEN, want);
		if (want) {
			EQ("its state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_SYN_SENT);
			EQ("its first_ns", f.dir[0].first_ns, T0 + SEC + i * MSEC);
			kept++;
		}
	}
	EQ("flows kept", kept, SMALL_CACHE);
	TRY(read_stats(t, st));
	EQ("syn_pkts", st[HOOK_XDP].syn_pkts, N + 1);
	EQ("flows_created", st[HOOK_XDP].flows_created, N + 1);
	EQ("halfopen_evicted", st[HOOK_XDP].halfopen_evicted, N - SMALL_CACHE);
	/* the handshake's slot was freed by its promotion, nothing else */
	EQ("halfopen_deleted", st[HOOK_XDP].halfopen_deleted, 1);
	EQ("flows_promoted", st[HOOK_XDP].flows_promoted, 1);
	EQ("halfopen_races", st[HOOK_XDP].halfopen_races, 0);
	STEP("the established flow came through");
	TRY(conv_flow(t, &est, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	EQ("established state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	TRY(seg(t, &est, T0 + 2 * SEC, CLI, ACK, V_X + 1, V_Y + 1, 10));
	TRY(conv_flow(t, &est, &f, &where, NULL));
	EQ("its bytes after the flood", f.dir[0].bytes, 10);
	return 0;
}

/*
 * An ACK flood from random sources and a one-sided stream: each is a
 * pickup in the SYN cache, never an established-map entry, and the
 * stream's in-order segments are all counted there.
 */
static int t_pickups_stay_out(struct tctx *t)
{
	struct xdpct_stats st[HOOK_MAX];
	struct conv cv, one;
	struct flow f;
	int i, where;

	TRY(load_small(t));
	STEP("500 ACKs from 500 sources");
	for (i = 0; i < 500; i++) {
		flood_conv(&cv, i, 443);
		TRY(seg(t, &cv, T0 + i * MSEC, CLI, ACK, 5000 + i, 7000 + i, 0));
	}
	TRY(want_maps(t, 0, 0, SMALL_CACHE, 0));
	STEP("a one-sided stream of 20 data segments");
	conv_init(&one, 4, "198.18.0.1", 40000, "198.18.0.2", 443);
	for (i = 0; i < 20; i++)
		TRY(seg(t, &one, T0 + SEC + i * MSEC, CLI, ACK, 1 + 100 * i, 9, 100));
	TRY(conv_flow(t, &one, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	EQ("pkts", f.dir[0].pkts, 20);
	EQ("bytes", f.dir[0].bytes, 2000);
	EQ("anomalies", f.anomalies, CT_ANOM_MIDSTREAM);
	/* never answered: nf_conntrack's 300 s on the fast path too, not the
	 * established timeout of five days */
	EQ("expires_ns", f.expires_ns,
	   T0 + SEC + 19 * MSEC +
		   (TIMEOUT(CT_STATE_ESTABLISHED) < CT_UNCONFIRMED_TIMEOUT_NS ?
			    TIMEOUT(CT_STATE_ESTABLISHED) : CT_UNCONFIRMED_TIMEOUT_NS));
	TRY(read_stats(t, st));
	EQ("flows_promoted", st[HOOK_XDP].flows_promoted, 0);
	EQ("flows_created", st[HOOK_XDP].flows_created, 501);
	EQ("halfopen_evicted", st[HOOK_XDP].halfopen_evicted, 501 - SMALL_CACHE);
	return 0;
}

/*
 * Three heavy sources (300, 200, 100 SYNs) hidden in 6000 SYNs from 6000
 * other sources: the sketch's top three are they, in order, each estimate
 * at least the truth and at most 5 % above it; the victim's count is exact.
 */
static int t_sketch_top_sources(struct tctx *t)
{
	static const char *const heavy[] = { "198.19.200.1", "198.19.200.2", "198.19.200.3" };
	static const int count[] = { 300, 200, 100 };
	struct syn_src_count top[5];
	int i, n, sent[3] = {}, r = 0, total = 0;
	__u8 victim[16];
	struct conv cv;

	TRY(prog_load(t, true));
	for (i = 0; i < 6600; i++) {
		int h = i % 11;	/* 3 of every 11 from a heavy source, while it has any left */

		if (h < 3 && sent[h] < count[h]) {
			conv_init(&cv, 4, heavy[h], (__u16)(2000 + sent[h]), "198.18.0.2", 80);
			sent[h]++;
		} else {
			char a[32];

			snprintf(a, sizeof(a), "198.19.%d.%d", r / 250, r % 250 + 1);
			conv_init(&cv, 4, a, (__u16)(3000 + r % 60000), "198.18.0.2", 80);
			r++;
		}
		TRY(seg(t, &cv, T0 + i * 10000ull, CLI, SYN, 77 + i, 0, 0));
		total++;
	}
	EQ("heavy SYNs sent", sent[0] + sent[1] + sent[2], 600);
	n = syn_src_top(&t->ld.fds, 0, top, 5);
	if (n < 3)
		FAIL("syn_src_top gave %d sources", n);
	for (i = 0; i < 3; i++) {
		__u8 a[16] = {};

		pkt_ip4(a, heavy[i]);
		if (memcmp(top[i].key.addr, a, 4) || top[i].key.family != 4)
			FAIL("top source %d is %s (%llu SYNs), not %s; %d listed", i,
			     inet_ntoa(*(struct in_addr *)top[i].key.addr),
			     (unsigned long long)top[i].syns, heavy[i], n);
		if (top[i].syns < (__u64)count[i] || top[i].syns > (__u64)count[i] * 105 / 100)
			FAIL("%s: estimate %llu for %d SYNs", heavy[i],
			     (unsigned long long)top[i].syns, count[i]);
	}
	pkt_ip4(victim, "198.18.0.2");
	TRY(want_syn_dst(t, 4, victim, 80, total, 0, 0, T0 + (total - 1) * 10000ull));
	return 0;
}

static const struct prog_test tests[] = {
	{ "SYN cache full and colliding: 184 overwrites counted, each bucket keeps its newest, "
	  "the established flow untouched", t_cache_full },
	{ "ACK flood and one-sided stream: pickups in the SYN cache, none promoted, "
	  "the stream counted, unanswered: 300 s, not the established timeout", t_pickups_stay_out },
	{ "SYN sketch: 3 heavy sources among 6000 random ones are the top 3, estimates "
	  "within 5 %, victim count exact", t_sketch_top_sources },
};
PROG_AREA(datapath, tests);

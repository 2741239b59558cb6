// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_syncache.c - the SYN cache's buckets (bpf/syncache.h, flow.h): the
 * one-line index of each bucket names its ways (gen, hash, expiry) and the
 * records follow it; a lookup finds a key in any way, the victim is the way
 * least recently active, and userspace expiry frees a way with the programs'
 * own swap of its gen.
 */
#include <arpa/inet.h>

#include "harness.h"

#define CACHE	16	/* 4 buckets of HC_WAYS */

static int load_cache(struct tctx *t)
{
	return prog_load_halfopen(t, CACHE);
}

/* the i-th client, 198.19.0.(i + 1):(2000 + i), to 198.18.0.2:80 */
static void client(struct conv *cv, int i)
{
	char a[32];

	snprintf(a, sizeof(a), "198.19.%d.%d", i / 250, i % 250 + 1);
	conv_init(cv, 4, a, (__u16)(2000 + i), "198.18.0.2", 80);
}

static __u32 hash_of(struct tctx *t, const struct conv *cv, struct flow_key4 *k)
{
	__u32 w[3];

	key_make(4, cv->caddr, cv->cport, cv->saddr, cv->sport, k);
	memcpy(w, k, sizeof(w));
	return hc_hash(w, 3, t->ld.skel->bss->hc_seed);
}

/* colliding - n clients whose keys share one bucket; its number in *bucket. */
static int colliding(struct tctx *t, struct conv *cv, int n, __u32 *bucket)
{
	struct flow_key4 k;
	int i, got = 0;

	for (i = 0; i < 1000 && got < n; i++) {
		__u32 b;

		client(&cv[got], i);
		b = hc_bucket(hash_of(t, &cv[got], &k), CACHE / HC_WAYS);
		if (!got)
			*bucket = b;
		if (b == *bucket)
			got++;
	}
	if (got < n)
		FAIL("only %d of 1000 clients share a bucket", got);
	return 0;
}

static int read_bucket(struct tctx *t, __u32 bucket, struct hc_bucket4 *b)
{
	if (bpf_map_lookup_elem(t->ld.fds.halfopen, &bucket, b))
		FAIL("reading bucket %u: %s", bucket, strerror(errno));
	return 0;
}

/* want_way - way w of b holds cv's flow, live, its index entry in step with it. */
static int want_way(struct tctx *t, const struct hc_bucket4 *b, int w, const struct conv *cv)
{
	struct flow_key4 k;
	__u32 h = hash_of(t, cv, &k);
	char what[64];

	snprintf(what, sizeof(what), "way %d: live, not busy", w);
	EQ(what, b->tag[w].gen & (HC_LIVE | HC_BUSY), HC_LIVE);
	snprintf(what, sizeof(what), "way %d: the index's hash", w);
	EQ(what, b->tag[w].hash, h);
	snprintf(what, sizeof(what), "way %d: the record's key", w);
	EQ(what, memcmp(&b->slot[w].key, &k, sizeof(k)), 0);
	snprintf(what, sizeof(what), "way %d: the index's last activity is the record's", w);
	EQ(what, b->tag[w].last,
	   b->slot[w].flow.dir[0].last_ns > b->slot[w].flow.dir[1].last_ns ?
		   b->slot[w].flow.dir[0].last_ns : b->slot[w].flow.dir[1].last_ns);
	return 0;
}

/*
 * Four colliding SYNs take ways 0, 1, 2, 3 of their bucket in order (the
 * first free way), each way's index entry in step with its record; a
 * SYN-ACK for the fourth finds it in way 3 (no new flow, nothing evicted).
 */
static int t_way3_found(struct tctx *t)
{
	struct xdpct_stats st[HOOK_MAX];
	struct hc_bucket4 b;
	struct conv cv[HC_WAYS];
	__u32 bucket;
	struct flow f;
	int i, where;

	TRY(load_cache(t));
	TRY(colliding(t, cv, HC_WAYS, &bucket));
	for (i = 0; i < HC_WAYS; i++)
		TRY(seg(t, &cv[i], T0 + (__u64)(i + 1) * SEC, CLI, SYN, 100 + i, 0, 0));
	TRY(read_bucket(t, bucket, &b));
	for (i = 0; i < HC_WAYS; i++)
		TRY(want_way(t, &b, i, &cv[i]));
	EQ("way 3's last activity", b.tag[3].last, T0 + 4 * SEC);
	STEP("the SYN-ACK of the fourth");
	TRY(seg(t, &cv[3], T0 + 5 * SEC, SRV, SYN | ACK, 900, 104, 0));
	TRY(conv_flow(t, &cv[3], &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	EQ("its state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_SYN_RECV);
	TRY(read_bucket(t, bucket, &b));
	TRY(want_way(t, &b, 3, &cv[3]));
	EQ("way 3's last activity after the SYN-ACK", b.tag[3].last, T0 + 5 * SEC);
	EQ("way 3's generation: claimed once", b.tag[3].gen, HC_GEN_STEP | HC_LIVE);
	TRY(read_stats(t, st));
	EQ("flows_created", st[HOOK_XDP].flows_created, HC_WAYS);
	EQ("halfopen_evicted", st[HOOK_XDP].halfopen_evicted, 0);
	EQ("halfopen_races", st[HOOK_XDP].halfopen_races, 0);
	EQ("live ways", map_count(t->ld.fds.halfopen, 4), HC_WAYS);
	return 0;
}

/*
 * A full bucket: the victim is the least recently active way, whatever its
 * state's timeout. The SYN-ACK moves the third client to SYN_RECV (60 s,
 * so it would expire before the first, SYN_SENT for 120 s): a handshake the
 * host just answered stays, and a fifth SYN takes way 0, the oldest, and
 * counts an eviction (an expiry-first choice took way 2 and lost that
 * handshake to a stale SYN, as under a flood). Much later every way has
 * expired: a sixth SYN takes the now oldest (way 1) and counts a deletion.
 */
static int t_victim_least_recent(struct tctx *t)
{
	struct xdpct_stats st[HOOK_MAX];
	struct conv cv[HC_WAYS + 2];
	struct hc_bucket4 b;
	__u32 bucket;
	struct flow f;
	int i, where;

	TRY(load_cache(t));
	TRY(colliding(t, cv, HC_WAYS + 2, &bucket));
	for (i = 0; i < HC_WAYS; i++)
		TRY(seg(t, &cv[i], T0 + (__u64)(i + 1) * SEC, CLI, SYN, 100 + i, 0, 0));
	TRY(seg(t, &cv[2], T0 + 5 * SEC, SRV, SYN | ACK, 900, 103, 0));
	STEP("a fifth SYN in the full bucket");
	TRY(seg(t, &cv[4], T0 + 6 * SEC, CLI, SYN, 104, 0, 0));
	TRY(read_bucket(t, bucket, &b));
	TRY(want_way(t, &b, 0, &cv[4]));
	TRY(want_way(t, &b, 1, &cv[1]));
	TRY(want_way(t, &b, 2, &cv[2]));
	TRY(want_way(t, &b, 3, &cv[3]));
	EQ("way 0's generation: claimed twice", b.tag[0].gen, 2 * HC_GEN_STEP | HC_LIVE);
	TRY(conv_flow(t, &cv[0], &f, &where, NULL));
	TRY(want_where(t, where, IN_NONE));
	TRY(conv_flow(t, &cv[2], &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	EQ("the answered handshake's state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_SYN_RECV);
	TRY(read_stats(t, st));
	EQ("halfopen_evicted", st[HOOK_XDP].halfopen_evicted, 1);
	EQ("halfopen_deleted", st[HOOK_XDP].halfopen_deleted, 0);
	STEP("a sixth SYN when all four have expired");
	TRY(seg(t, &cv[5], T0 + 1000 * SEC, CLI, SYN, 105, 0, 0));
	TRY(read_bucket(t, bucket, &b));
	TRY(want_way(t, &b, 1, &cv[5]));
	TRY(read_stats(t, st));
	EQ("halfopen_evicted", st[HOOK_XDP].halfopen_evicted, 1);
	EQ("halfopen_deleted", st[HOOK_XDP].halfopen_deleted, 1);
	EQ("flows_created", st[HOOK_XDP].flows_created, HC_WAYS + 2);
	return 0;
}

/*
 * Userspace expiry: flows_expire frees the expired way by the programs'
 * swap of its gen (not live, one generation on) and leaves the bucket's
 * other ways as they were; the next SYN takes the freed way, no eviction.
 */
static int t_expire_frees_way(struct tctx *t)
{
	struct xdpct_stats st[HOOK_MAX];
	struct hc_bucket4 b0, b;
	struct conv cv[3];
	__u32 bucket;
	struct flow f;
	int where;
	long n;

	TRY(load_cache(t));
	TRY(colliding(t, cv, 3, &bucket));
	TRY(seg(t, &cv[0], T0 + SEC, CLI, SYN, 100, 0, 0));
	TRY(seg(t, &cv[1], T0 + 100 * SEC, CLI, SYN, 101, 0, 0));
	TRY(read_bucket(t, bucket, &b0));
	STEP("expiry at T0 + 150 s: the first SYN's flow is over");
	n = flows_expire(&t->ld.fds, T0 + 150 * SEC, NULL, NULL);
	EQ("flows expired", n, 1);
	TRY(conv_flow(t, &cv[0], &f, &where, NULL));
	TRY(want_where(t, where, IN_NONE));
	TRY(read_bucket(t, bucket, &b));
	EQ("way 0's gen: freed, one generation on", b.tag[0].gen,
	   (b0.tag[0].gen + HC_GEN_STEP) & ~(HC_LIVE | HC_BUSY));
	EQ("way 1 untouched", memcmp(&b.tag[1], &b0.tag[1], sizeof(b.tag[1])) ||
				      memcmp(&b.slot[1], &b0.slot[1], sizeof(b.slot[1])), 0);
	EQ("live ways", map_count(t->ld.fds.halfopen, 4), 1);
	STEP("a new SYN takes the freed way");
	TRY(seg(t, &cv[2], T0 + 151 * SEC, CLI, SYN, 102, 0, 0));
	TRY(read_bucket(t, bucket, &b));
	TRY(want_way(t, &b, 0, &cv[2]));
	TRY(want_way(t, &b, 1, &cv[1]));
	TRY(read_stats(t, st));
	EQ("halfopen_evicted", st[HOOK_XDP].halfopen_evicted, 0);
	EQ("halfopen_deleted", st[HOOK_XDP].halfopen_deleted, 0);
	return 0;
}

static const struct prog_test tests[] = {
	{ "SYN cache bucket: four colliding SYNs in ways 0-3, the index in step with the "
	  "records, a SYN-ACK finds way 3", t_way3_found },
	{ "SYN cache victim: the least recently active way is overwritten (eviction), not a "
	  "handshake just answered; an expired one counts as a deletion", t_victim_least_recent },
	{ "SYN cache expiry: userspace frees the way by its gen, the bucket's other ways "
	  "untouched, the next SYN takes it", t_expire_frees_way },
};
PROG_AREA(syncache, tests);

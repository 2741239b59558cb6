/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * syncache.h - the half-open store: a set-associative SYN cache in the
 * ARRAY maps halfopen/halfopen6 (layout and hash in flow.h). A new flow
 * costs a hash, at most HC_WAYS slot reads and one slot write; no map
 * insert, no lock, nothing that a flood could grow. BSD's syncache is the
 * model: buckets of a few slots, the oldest overwritten under pressure,
 * every overwrite counted. The bucket hash is seeded at load, so a spoofer
 * cannot aim its SYNs at one bucket.
 *
 * Races (XDP and TC on two CPUs, one slot). The slot's gen word decides who
 * owns it, and it only changes by compare-and-swap:
 *   - claim: gen g (not BUSY) -> g | BUSY; write hash, key and a fresh
 *     record; publish g + STEP with LIVE. A CPU that loses the swap leaves
 *     the slot alone and does not track that segment (halfopen_races).
 *   - free (promotion): g -> (g + STEP) without LIVE.
 *   - lookup only matches LIVE, not BUSY slots of the same hash and key.
 *   - a CPU that applied a segment to a slot it found re-reads gen; if the
 *     slot changed owner meanwhile (another CPU overwrote it for a new
 *     tuple), that segment may have landed in the new record: it is
 *     counted (halfopen_races) and the record is not promoted from it.
 *   - two CPUs creating the same tuple at once take two ways of a bucket;
 *     lookups take the first, the other gets no traffic and is the first
 *     overwritten (it expires first).
 * Include flow.h, tcp_fsm.h, ct_track.h and flow_life.h first.
 */
#ifndef XDPCT_SYNCACHE_H
#define XDPCT_SYNCACHE_H

#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
#endif

/* Set by the loader before load (see hc_setup in user/maps.c). */
const volatile __u32 hc_buckets4 = XDPCT_MAX_HALFOPEN_DEFAULT / HC_WAYS;
const volatile __u32 hc_buckets6 = XDPCT_MAX_HALFOPEN_DEFAULT / HC_WAYS;
__u32 hc_seed;		/* .bss: readable by userspace to find a key's bucket */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPCT_MAX_HALFOPEN_DEFAULT);
	__type(key, __u32);
	__type(value, struct hc_slot4);
} halfopen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPCT_MAX_HALFOPEN_DEFAULT);
	__type(key, __u32);
	__type(value, struct hc_slot6);
} halfopen6 SEC(".maps");

/* Where a key lives in the store; filled by hc_locate, the victim by hc_find. */
struct hc_ref {
	__u32 base;	/* first slot of the bucket */
	__u32 hash;
	__u8 v6;
	__u8 victim;	/* way a new flow would take, HC_WAYS: none free */
};

static __always_inline void hc_locate(struct hc_ref *r, const union flow_key *key, __u8 v6)
{
	__u32 seed = hc_seed;

	r->v6 = v6;
	if (v6) {
		r->hash = hc_hash((const __u32 *)&key->v6, 9, seed);
		r->base = hc_bucket(r->hash, hc_buckets6);
	} else {
		r->hash = hc_hash((const __u32 *)&key->v4, 3, seed);
		r->base = hc_bucket(r->hash, hc_buckets4);
	}
}

/* hc_key_eq - the slot's key is key (IPv4: 3 words, IPv6: 9). */
static __always_inline int hc_key_eq(const struct hc_slot4 *s, const union flow_key *key, __u8 v6)
{
	const __u32 *a = (const __u32 *)&s->key, *b = (const __u32 *)key;
	__u32 diff;
	int i;

	diff = (a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]);
	if (!v6 || diff)
		return !diff;
	/* the IPv6 slot is the larger: its key's 9 words are inside it */
#pragma unroll
	for (i = 3; i < 9; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

static __always_inline struct hc_slot4 *hc_slot(const struct hc_ref *r, __u32 way)
{
	__u32 idx = r->base + way;

	if (r->v6)
		return bpf_map_lookup_elem(&halfopen6, &idx);
	return bpf_map_lookup_elem(&halfopen, &idx);
}

/*
 * hc_find - the slot holding key, or NULL; *gen gets the generation seen.
 * The same pass picks the way a new flow would take (r->victim): a free
 * one, else the one closest to expiry. (IPv6 slots are read through the
 * IPv4 type: gen, hash, exp and flow sit at the same offsets, and the key
 * compare stays inside the IPv6 value.)
 */
static __always_inline struct hc_slot4 *hc_find(struct hc_ref *r, const union flow_key *key,
						__u32 *gen)
{
	__u64 best = ~0ull;
	int i;

	r->victim = HC_WAYS;
#pragma unroll
	for (i = 0; i < HC_WAYS; i++) {
		struct hc_slot4 *s = hc_slot(r, i);
		__u32 g;

		if (!s)
			return NULL;
		g = READ_ONCE(s->gen);
		if (g & HC_BUSY)
			continue;
		if (!(g & HC_LIVE)) {
			if (best) {
				best = 0;
				r->victim = i;
			}
			continue;
		}
		if (s->hash == r->hash && hc_key_eq(s, key, r->v6)) {
			*gen = g;
			return s;
		}
		if (s->exp < best) {
			best = s->exp;
			r->victim = i;
		}
	}
	return NULL;
}

/*
 * hc_claim - the way hc_find picked for a new flow (an expired flow there
 * is a deletion, a live one an eviction). Returns the slot, published with
 * a fresh record, or NULL if another CPU claimed it first.
 */
static __always_inline struct hc_slot4 *hc_claim(const struct hc_ref *r, const union flow_key *key,
						 struct xdpct_stats *st, __u8 side, __u8 cls,
						 __u64 now, __u32 *gen)
{
	struct hc_slot4 *victim;
	__u32 vg;

	if (r->victim >= HC_WAYS)
		goto lost;
	victim = hc_slot(r, r->victim);
	if (!victim)
		goto lost;
	/* as hc_find saw it, or changed since: the swap decides either way */
	vg = READ_ONCE(victim->gen);
	if (vg & HC_BUSY)
		goto lost;
	if (__sync_val_compare_and_swap(&victim->gen, vg, vg | HC_BUSY) != vg)
		goto lost;
	if (vg & HC_LIVE) {
		if (fl_expired(&victim->flow, now))
			st->halfopen_deleted++;
		else
			st->halfopen_evicted++;
	}
	victim->hash = r->hash;
	if (r->v6)
		__builtin_memcpy(&((struct hc_slot6 *)victim)->key, &key->v6, sizeof(key->v6));
	else
		__builtin_memcpy(&victim->key, &key->v4, sizeof(key->v4));
	fl_start(&victim->flow, side, cls);
	victim->exp = 0;
	*gen = ((vg + HC_GEN_STEP) & ~HC_BUSY) | HC_LIVE;
	WRITE_ONCE(victim->gen, *gen);
	st->flows_created++;
	return victim;
lost:
	st->halfopen_races++;
	return NULL;
}

/* hc_restart - a new flow on the tuple of slot s (its old one is over). */
static __always_inline int hc_restart(struct hc_slot4 *s, __u32 *gen, __u8 side, __u8 cls)
{
	__u32 g = *gen;

	if (__sync_val_compare_and_swap(&s->gen, g, g | HC_BUSY) != g)
		return -1;
	fl_start(&s->flow, side, cls);
	*gen = (g + HC_GEN_STEP) & ~HC_BUSY;
	WRITE_ONCE(s->gen, *gen);
	return 0;
}

/* hc_free - the slot's flow moved to the established map. */
static __always_inline int hc_free(struct hc_slot4 *s, __u32 gen)
{
	return __sync_val_compare_and_swap(&s->gen, gen, (gen + HC_GEN_STEP) & ~HC_LIVE) == gen;
}

#endif /* XDPCT_SYNCACHE_H */

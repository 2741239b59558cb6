/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * syncache.h - the half-open store: a set-associative SYN cache in the
 * ARRAY maps halfopen/halfopen6 (layout and hash in flow.h). A new flow
 * costs a hash, one read of its bucket's 64-byte index (the HC_WAYS ways'
 * gen, hash and last activity) and one record write; no map insert, no lock,
 * nothing that a flood could grow. BSD's syncache is the model: buckets of
 * a few ways, the least recently active overwritten under pressure, every
 * overwrite counted. The bucket hash is seeded at load, so a spoofer
 * cannot aim its SYNs at one bucket.
 *
 * Races (XDP and TC on two CPUs, one way). The way's gen word (in the
 * index) decides who owns the way, and it only changes by compare-and-swap:
 *   - claim: gen g (not BUSY) -> g | BUSY; write hash, key and a fresh
 *     record; publish g + STEP with LIVE. A CPU that loses the swap leaves
 *     the way alone and does not track that segment (halfopen_races).
 *   - free (promotion, userspace expiry): g -> (g + STEP) without LIVE.
 *   - lookup only matches LIVE, not BUSY ways of the same hash and key.
 *   - a CPU that applied a segment to a way it found re-reads gen (hc_gen);
 *     if the way changed owner meanwhile (another CPU overwrote it for a
 *     new tuple), that segment may have landed in the new record: it is
 *     counted (halfopen_races) and the record is not promoted from it, nor
 *     its activity written to the index.
 *   - two CPUs creating the same tuple at once take two ways of a bucket;
 *     lookups take the first, the other gets no traffic and is the first
 *     overwritten (it is the least recently active).
 * The index's last is when the way's flow last took a segment (hc_touch):
 * the victim is the least recently active way, as in BSD's syncache (the
 * oldest goes), whatever its state's timeout, so a stale flood entry goes
 * before a handshake the host answered a moment ago. The claim reads the
 * victim record's expiry (deleted or evicted) in the line it then writes.
 * Include flow.h, tcp_fsm.h, ct_track.h and flow_life.h first.
 */
#ifndef XDPCT_SYNCACHE_H
#define XDPCT_SYNCACHE_H

#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
#endif

_Static_assert(sizeof(struct hc_tag) * HC_WAYS == 64, "a bucket's index is one cache line");
_Static_assert(sizeof(struct hc_bucket4) % 64 == 0 && sizeof(struct hc_bucket6) % 64 == 0,
	       "every bucket's index starts a cache line");

/* Set by the loader before load (see hc_setup in user/syncache.c). */
const volatile __u32 hc_buckets4 = XDPCT_MAX_HALFOPEN_DEFAULT / HC_WAYS;
const volatile __u32 hc_buckets6 = XDPCT_MAX_HALFOPEN_DEFAULT / HC_WAYS;
__u32 hc_seed;		/* .bss: readable by userspace to find a key's bucket */

/* MMAPABLE: values start on a page (bucket indexes on a line), and
 * userspace frees a way with the same compare-and-swap as the programs */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPCT_MAX_HALFOPEN_DEFAULT / HC_WAYS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct hc_bucket4);
} halfopen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPCT_MAX_HALFOPEN_DEFAULT / HC_WAYS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct hc_bucket6);
} halfopen6 SEC(".maps");

/*
 * Where a key lives in the store: hc_locate fills its hash, hc_find
 * the victim and the index entry of the way it found, hc_claim that of the
 * way it took. hc_gen, hc_touch, hc_restart and hc_free act on that entry.
 * (A pointer, not a lookup per call: a lookup's key and result take
 * stack, and the three frames of xdpct_xdp have none to spare.)
 */
struct hc_ref {
	struct hc_tag *t;	/* the way's entry in its bucket's index, or NULL */
	__u32 hash;
	__u8 v6;
	__u8 victim;	/* way a new flow would take, HC_WAYS: none */
};

/* hc_index - r's bucket (its index of HC_WAYS tags first), NULL: none.
 * The bucket is computed again, not kept: one value fewer to keep across
 * calls; and the key is a copy, so r's address never escapes: the compiler
 * keeps r in registers and v6 a constant in each family's code. */
static __always_inline struct hc_tag *hc_index(const struct hc_ref *r)
{
	__u32 idx;

	if (r->v6) {
		idx = hc_bucket(r->hash, hc_buckets6);
		return bpf_map_lookup_elem(&halfopen6, &idx);
	}
	idx = hc_bucket(r->hash, hc_buckets4);
	return bpf_map_lookup_elem(&halfopen, &idx);
}

static __always_inline __u32 hc_key_hash(const union flow_key *key, __u8 v6)
{
	if (v6)
		return hc_hash((const __u32 *)&key->v6, 9, hc_seed);
	return hc_hash((const __u32 *)&key->v4, 3, hc_seed);
}

static __always_inline void hc_locate(struct hc_ref *r, const union flow_key *key, __u8 v6)
{
	r->v6 = v6;
	r->t = NULL;
	r->victim = HC_WAYS;
	r->hash = hc_key_hash(key, v6);
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
	/* the key sits at one offset in both records, the IPv6 one the larger:
	 * its 9 words are inside it */
#pragma unroll
	for (i = 3; i < 9; i++)
		diff |= a[i] ^ b[i];
	return !diff;
}

/* hc_key_copy - key into slot s, a word at a time: the volatile accesses
 * keep each load next to its store (a memcpy loads all nine words first,
 * and the registers it spills are stack the programs do not have). */
static __always_inline void hc_key_copy(struct hc_slot4 *s, const union flow_key *key, __u8 v6)
{
	__u32 *d = (__u32 *)&s->key;
	const __u32 *k = (const __u32 *)key;
	int i;

#pragma unroll
	for (i = 0; i < 9; i++) {
		if (i == 3 && !v6)
			break;
		WRITE_ONCE(d[i], READ_ONCE(k[i]));
	}
}

/* hc_slot - way w's record in bucket b (IPv6 records are read through the
 * IPv4 type: the flow and the key's start sit at the same offsets). */
static __always_inline struct hc_slot4 *hc_slot(const struct hc_ref *r, struct hc_tag *b, __u32 w)
{
	if (r->v6)
		return (struct hc_slot4 *)&((struct hc_bucket6 *)b)->slot[w & (HC_WAYS - 1)];
	return &((struct hc_bucket4 *)b)->slot[w & (HC_WAYS - 1)];
}

/*
 * hc_find - the record holding key, or NULL; *gen gets the generation seen.
 * The same pass over the bucket's index picks the way a new flow would
 * take (r->victim): a free one, else the least recently active. Records
 * are read only where the index's hash matches.
 */
static __always_inline struct hc_slot4 *hc_find(struct hc_ref *r, const union flow_key *key,
						__u32 *gen)
{
	struct hc_tag *b = hc_index(r);
	__u64 best = ~0ull;
	int i;

	r->victim = HC_WAYS;
	if (!b)
		return NULL;
#pragma unroll
	for (i = 0; i < HC_WAYS; i++) {
		__u32 g = READ_ONCE(b[i].gen);

		if (g & HC_BUSY)
			continue;
		if (!(g & HC_LIVE)) {
			if (best) {
				best = 0;
				r->victim = i;
			}
			continue;
		}
		if (b[i].hash == r->hash) {
			struct hc_slot4 *s = hc_slot(r, b, i);

			if (hc_key_eq(s, key, r->v6)) {
				r->t = &b[i];
				*gen = g;
				return s;
			}
		}
		if (b[i].last < best) {
			best = b[i].last;
			r->victim = i;
		}
	}
	if (r->victim < HC_WAYS)
		r->t = &b[r->victim];
	return NULL;
}

/*
 * hc_claim - the way hc_find picked for a new flow (an expired flow there
 * is a deletion, a live one an eviction). Returns the record, published
 * fresh, or NULL if another CPU claimed the way first.
 */
static __always_inline struct hc_slot4 *hc_claim(struct hc_ref *r, const union flow_key *key,
						 struct xdpct_stats *st, __u8 side, __u8 cls,
						 __u64 now, __u32 *gen)
{
	struct hc_tag *t = r->t;	/* hc_find: the victim's entry */
	struct hc_slot4 *s;
	__u32 vg, w = r->victim;

	if (w >= HC_WAYS || !t)
		goto lost;
	/* as hc_find saw it, or changed since: the swap decides either way */
	vg = READ_ONCE(t->gen);
	if (vg & HC_BUSY)
		goto lost;
	if (__sync_val_compare_and_swap(&t->gen, vg, vg | HC_BUSY) != vg)
		goto lost;
	/* the hash again, not kept from hc_find: one value fewer on the stack */
	t->hash = hc_key_hash(key, r->v6);
	t->last = now;
	s = hc_slot(r, t - w, w);
	if (vg & HC_LIVE) {
		if (fl_expired(&s->flow, now))
			st->halfopen_deleted++;
		else
			st->halfopen_evicted++;
	}
	hc_key_copy(s, key, r->v6);
	fl_start(&s->flow, side, cls);
	*gen = ((vg + HC_GEN_STEP) & ~HC_BUSY) | HC_LIVE;
	WRITE_ONCE(t->gen, *gen);
	r->t = t;
	st->flows_created++;
	return s;
lost:
	st->halfopen_races++;
	return NULL;
}

/* hc_gen - the generation of r's way now (a change: it has a new owner). */
static __always_inline __u32 hc_gen(const struct hc_ref *r)
{
	struct hc_tag *t = r->t;

	return t ? READ_ONCE(t->gen) : HC_BUSY;
}

/* hc_touch - the way's flow took a segment at now: for the next victim choice. */
static __always_inline void hc_touch(const struct hc_ref *r, __u64 now)
{
	struct hc_tag *t = r->t;

	if (t)
		t->last = now;
}

/* hc_restart - a new flow in record s on its tuple (its old one is over). */
static __always_inline int hc_restart(const struct hc_ref *r, struct hc_slot4 *s, __u32 *gen,
				      __u8 side, __u8 cls)
{
	struct hc_tag *t = r->t;
	__u32 g = *gen;

	if (!t || __sync_val_compare_and_swap(&t->gen, g, g | HC_BUSY) != g)
		return -1;
	fl_start(&s->flow, side, cls);
	*gen = (g + HC_GEN_STEP) & ~HC_BUSY;
	WRITE_ONCE(t->gen, *gen);
	return 0;
}

/* hc_free - the way's flow moved to the established map. */
static __always_inline int hc_free(const struct hc_ref *r, __u32 gen)
{
	struct hc_tag *t = r->t;

	return t && __sync_val_compare_and_swap(&t->gen, gen, (gen + HC_GEN_STEP) & ~HC_LIVE) == gen;
}

#endif /* XDPCT_SYNCACHE_H */

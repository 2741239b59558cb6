/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * synsketch.h - SYN accounting. Per victim (syn_dst, exact: the victims are
 * the few local services). Per source without a map insert per new source: a
 * count-min sketch per CPU (conservative update: only the counters at the
 * minimum grow, which keeps the overestimate small) and a small set of
 * heavy-hitter candidates per CPU, two slots a source may take, the one with
 * the smaller estimate given up to a larger one. A flood of random sources
 * adds one to SK_ROWS counters per SYN and leaves real heavy hitters in
 * place. Per-CPU, so no atomics and no races; userspace sums the CPUs
 * (syn_src_top in user/maps.c). Include flow.h and syncache.h first.
 */
#ifndef XDPCT_SYNSKETCH_H
#define XDPCT_SYNSKETCH_H

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_SYN_DST_ENTRIES);
	__type(key, struct syn_dst_key);
	__type(value, struct syn_dst_val);
} syn_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syn_sketch);
} syn_src SEC(".maps");

/* sk_same - the candidate is this source. */
static __always_inline int sk_same(const struct syn_cand *c, const __be32 *addr, __u8 family)
{
	return c->family == family && c->addr[0] == addr[0] &&
	       (family == 4 || (c->addr[1] == addr[1] && c->addr[2] == addr[2] &&
				c->addr[3] == addr[3]));
}

/* sk_count - count a SYN from addr; now stamps its candidate. */
static __always_inline void sk_count(const __be32 *addr, __u8 family, __u64 now)
{
	struct syn_sketch *sk;
	struct syn_cand *a, *b, *c;
	__u32 zero = 0, h, h2, idx[SK_ROWS], est = ~0u;
	int i;

	sk = bpf_map_lookup_elem(&syn_src, &zero);
	if (!sk)
		return;
	h = hc_hash((const __u32 *)addr, family == 4 ? 1 : 4, hc_seed ^ 0x5bd1e995u);
	h2 = hc_fin(h ^ 0x27d4eb2fu) | 1;	/* double hashing: row i at h + i * h2 */
#pragma unroll
	for (i = 0; i < SK_ROWS; i++) {
		__u32 v;

		idx[i] = (h + i * h2) & (SK_COLS - 1);
		v = sk->cm[i][idx[i]];
		if (v < est)
			est = v;
	}
	est++;
#pragma unroll
	for (i = 0; i < SK_ROWS; i++)
		if (sk->cm[i][idx[i]] < est)
			sk->cm[i][idx[i]] = est;

	a = &sk->cand[h & (SK_CANDS - 1)];
	b = &sk->cand[(h >> 16) & (SK_CANDS - 1)];
	if (sk_same(a, addr, family))
		c = a;
	else if (sk_same(b, addr, family))
		c = b;
	else {
		/* an idle candidate (5 s) counts as none */
		__u32 ea = now - a->last_ns > 5 * FL_NSEC_PER_SEC ? 0 : a->est;
		__u32 eb = now - b->last_ns > 5 * FL_NSEC_PER_SEC ? 0 : b->est;

		c = ea <= eb ? a : b;
		if ((ea <= eb ? ea : eb) >= est)
			return;
		if (family == 4) {
			c->addr[0] = addr[0];
			c->addr[1] = c->addr[2] = c->addr[3] = 0;
		} else {
			__builtin_memcpy(c->addr, addr, 16);
		}
		c->family = family;
	}
	c->est = est;
	c->last_ns = now;
}

/* syn_dst_bump - count a SYN, SYN-ACK or completion for victim addr:port. */
static __always_inline void syn_dst_bump(const __be32 *addr, __be16 port, __u8 family, int what,
					 __u64 now)
{
	struct syn_dst_key k = {};
	struct syn_dst_val *v;

	__builtin_memcpy(k.addr, addr, 16);
	k.port = bpf_ntohs(port);
	k.family = family;
	v = bpf_map_lookup_elem(&syn_dst, &k);
	if (!v) {
		struct syn_dst_val z = {};

		bpf_map_update_elem(&syn_dst, &k, &z, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&syn_dst, &k);
		if (!v)
			return;
	}
	if (what == CT_CLASS_SYN)
		__sync_fetch_and_add(&v->syns, 1);
	else if (what == CT_CLASS_SYNACK)
		__sync_fetch_and_add(&v->synacks, 1);
	else
		__sync_fetch_and_add(&v->completed, 1);
	v->last_ns = now;
}

#endif /* XDPCT_SYNSKETCH_H */

// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Copyright (c) 2026 The xdpct authors */
/*
 * xdpct.bpf.c - per-flow TCP facts at line rate.
 *
 * xdpct_xdp sees ingress, xdpct_tc egress (XDP sees ingress only), so both
 * halves of a server's handshakes reach one flow record. Each frame is
 * parsed (parse.h), keyed canonically (either direction finds the entry in
 * one lookup) and applied to its record (ct_track.h). Nothing is ever
 * dropped or changed: every path returns XDP_PASS / TC_ACT_UNSPEC.
 *
 * Maps: established flows in flows/flows6; flows whose two-way handshake is
 * not confirmed in halfopen/halfopen6, so a spoofed flood can only evict its
 * own kind; per-CPU counters in stats; SYN accounting in syn_dst/syn_src;
 * per-flow events in the events ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flow.h"
#include "tcp_fsm.h"

/* ct_track's phases as global functions, each verified once on its own. */
struct flow;
struct ct_pkt;
struct ct_work;
struct ct_result;
int ct_inspect_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w);
int ct_commit_g(struct flow *f, struct ct_work *w, struct ct_result *res);
int ct_account_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w,
		 struct ct_result *res, __u64 now);
#define CT_PHASE(name) name##_g

#include "ct_track.h"
#include "parse.h"
#include "flow_life.h"
#include "syncache.h"
#include "synsketch.h"
#include "hook_parse.h"

#define NSEC_PER_SEC	FL_NSEC_PER_SEC
#define TC_ACT_UNSPEC_	(-1)
#define EEXIST_		17

/* Knobs: set by the loader before load, frozen afterwards. */
const volatile __u64 timeout_ns[CT_STATE_COUNT] = CT_TIMEOUTS_DEFAULT;
const volatile __u64 jiffy_ns = 0;	/* kernel tick length; 0: coarse clock */
const volatile __u8 replay_mode = 0;	/* time comes from replay_now_ns */
/* both directions arrive through XDP (a mirror port, or replay): no hook check */
const volatile __u8 mirror_mode = 0;
const volatile __u32 event_mask = 0xffffffff;	/* 1 << enum ct_event_type */
const volatile __u32 event_rate = 20000;	/* per CPU per second; 0: no limit */

/* Writable globals (.bss). */
__u64 clock_offset_ns;	/* ktime - jiffies * jiffy_ns, set once */
__u64 replay_now_ns;	/* replay: capture time of the current packet */
__u32 replay_wire_len;	/* replay: the packet's length on the wire (snaplen may cut it) */
__u32 ev_reader;		/* an 'events' reader is there: set and cleared by it */
struct {
	__s64 flows, flows6, halfopen, halfopen6;
} live_counts;		/* filled by xdpct_count */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_MAX_FLOWS_DEFAULT);
	__type(key, struct flow_key4);
	__type(value, struct flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_MAX_FLOWS_DEFAULT);
	__type(key, struct flow_key6);
	__type(value, struct flow);
} flows6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOOK_MAX);
	__type(key, __u32);
	__type(value, struct xdpct_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_SYN_DST_ENTRIES);
	__type(key, struct syn_dst_key);
	__type(value, struct syn_dst_val);
} syn_dst SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_HOST_ENTRIES);
	__type(key, struct syn_src_key);
	__type(value, struct host_isn);
} host_isn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPCT_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct host_isn);
} scratch_host SEC(".maps");

struct ev_bucket {
	__u64 tokens;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ev_bucket);
} ev_limit SEC(".maps");

/* Written by userspace only: see flow.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_meta);
} meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_detector);
} detector SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct user_deletes);
} gc SEC(".maps");

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

__noinline int ct_inspect_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w)
{
	if (f && p && w)
		ct_inspect(f, p, w);
	return 0;
}

__noinline int ct_commit_g(struct flow *f, struct ct_work *w, struct ct_result *res)
{
	if (f && w && res)
		ct_commit(f, w, res);
	return 0;
}

__noinline int ct_account_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w,
			     struct ct_result *res, __u64 now)
{
	if (f && p && w && res)
		ct_account(f, p, w, res, now);
	return 0;
}

/* now_coarse - tick-resolution time for the fast path: jiffies are an
 * inlined load, where the coarse clock is a helper call. */
static __always_inline __u64 now_coarse(void)
{
	if (replay_mode)
		return replay_now_ns;
	if (jiffy_ns && clock_offset_ns)
		return bpf_jiffies64() * jiffy_ns + clock_offset_ns;
	return bpf_ktime_get_coarse_ns();
}

/* now_precise - CLOCK_MONOTONIC ns, for first packets and RTTs. */
static __always_inline __u64 now_precise(void)
{
	__u64 t;

	if (replay_mode)
		return replay_now_ns;
	t = bpf_ktime_get_ns();
	if (jiffy_ns && !clock_offset_ns)
		clock_offset_ns = t - bpf_jiffies64() * jiffy_ns;
	return t;
}

/* ev_allowed - per-CPU token bucket for per-flow events (burst: 1 s). */
static __always_inline int ev_allowed(__u64 now)
{
	struct ev_bucket *b;
	__u32 zero = 0;
	__u64 refill;

	if (!event_rate || replay_mode)
		return 1;
	b = bpf_map_lookup_elem(&ev_limit, &zero);
	if (!b)
		return 0;
	refill = (now - b->last_ns) * event_rate / NSEC_PER_SEC;
	if (refill) {
		b->tokens += refill;
		if (b->tokens > event_rate)
			b->tokens = event_rate;
		b->last_ns = now;
	}
	if (!b->tokens)
		return 0;
	b->tokens--;
	return 1;
}

/* emit_event - one per-flow event with a snapshot of the record. */
static __always_inline void emit_event(struct xdpct_stats *st, __u8 type, const struct flow *f,
				       const struct pkt_info *pi, __u8 side,
				       const struct ct_result *res, __u64 now)
{
	struct ct_event *e;

	if (!(event_mask & (1u << type)))
		return;
	/* nobody reads the ring: no work, nothing counted as dropped */
	if (!ev_reader && !replay_mode)
		return;
	if (!ev_allowed(now)) {
		st->events_dropped++;
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st->events_dropped++;
		return;
	}
	e->type = type;
	e->family = pi->family;
	e->old_state = res ? res->old_state : (f->ctl & CT_CTL_STATE_MASK);
	e->new_state = res ? res->new_state : (f->ctl & CT_CTL_STATE_MASK);
	e->new_anomalies = res ? res->new_anomalies : 0;
	e->ts_ns = now;
	if (side) {
		__builtin_memcpy(e->addr[1], pi->saddr, 16);
		__builtin_memcpy(e->addr[0], pi->daddr, 16);
		e->port[1] = pi->sport;
		e->port[0] = pi->dport;
	} else {
		__builtin_memcpy(e->addr[0], pi->saddr, 16);
		__builtin_memcpy(e->addr[1], pi->daddr, 16);
		e->port[0] = pi->sport;
		e->port[1] = pi->dport;
	}
	e->pad = 0;
	__builtin_memcpy(&e->flow, f, sizeof(*f));
	bpf_ringbuf_submit(e, replay_mode ? BPF_RB_NO_WAKEUP : 0);
	st->events_sent++;
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

/*
 * host_isn_record - remember an ISN the sending host chose, with a hash of
 * the connection's 4-tuple (the same either way round; a rare collision only
 * drops a sample): the verdict takes one ISN per 4-tuple.
 */
static __always_inline void host_isn_record(const __be32 *addr, const struct pkt_info *pi,
					    __u32 isn, __u64 now)
{
	struct syn_src_key k = {};
	struct host_isn *h;
	__u32 zero = 0;
	__u64 slot;

	__builtin_memcpy(k.addr, addr, 16);
	k.family = pi->family;
	h = bpf_map_lookup_elem(&host_isn, &k);
	if (!h) {
		struct host_isn *z = bpf_map_lookup_elem(&scratch_host, &zero);

		if (!z)
			return;
		__builtin_memset(z, 0, sizeof(*z));
		bpf_map_update_elem(&host_isn, &k, z, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&host_isn, &k);
		if (!h)
			return;
	}
	slot = __sync_fetch_and_add(&h->count, 1) & (XDPCT_HOST_ISN_SLOTS - 1);
	h->isn[slot] = isn;
	h->ts_ns[slot] = now;
	h->tuple[slot] = (pi->saddr[0] ^ pi->saddr[1] ^ pi->saddr[2] ^ pi->saddr[3] ^
			  pi->daddr[0] ^ pi->daddr[1] ^ pi->daddr[2] ^ pi->daddr[3] ^
			  (pi->sport ^ pi->dport) ^ ((__u32)(__u16)(pi->sport + pi->dport) << 16)) *
			 0x9e3779b1u;
}

/* slow_count - the SYN, SYN-ACK, RST and FIN counters and the SYN accounting. */
static __always_inline void slow_count(struct pkt_info *pi, struct xdpct_stats *st,
				       const struct ct_result *res, __u8 cls, __u64 now)
{
	if (cls == CT_CLASS_SYN) {
		st->syn_pkts++;
		if (res->syn_retx)
			st->syn_retransmits++;
		else
			syn_dst_bump(pi->daddr, pi->dport, pi->family, CT_CLASS_SYN, now);
		sk_count(pi->saddr, pi->family, now);
	} else if (cls == CT_CLASS_SYNACK) {
		st->synack_pkts++;
		if (res->synack_retx)
			st->synack_retransmits++;
		else if (!res->synack_bad)
			syn_dst_bump(pi->saddr, pi->sport, pi->family, CT_CLASS_SYNACK, now);
	} else if (cls == CT_CLASS_RST) {
		st->rst_pkts++;
	} else if (cls == CT_CLASS_FIN) {
		st->fin_pkts++;
	}
	if (res->verdict == CT_VERDICT_INVALID)
		st->invalid_pkts++;
}

/*
 * slow_handshake - a handshake counts, and its ISNs are believed, only if
 * its two directions came through two hooks: one host forging both sides
 * can neither feed the ISN verdicts nor look like a flash crowd.
 */
static __always_inline void slow_handshake(struct pkt_info *pi, struct xdpct_stats *st,
					   const struct flow *f, __u8 dir, __u64 now)
{
	const __be32 *orig = dir == CT_DIR_ORIG ? pi->saddr : pi->daddr;
	const __be32 *resp = dir == CT_DIR_ORIG ? pi->daddr : pi->saddr;

	st->handshakes_completed++;
	syn_dst_bump(resp, dir == CT_DIR_ORIG ? pi->dport : pi->sport, pi->family, 3, now);
	host_isn_record(orig, pi, f->dir[CT_DIR_ORIG].isn, now);
	host_isn_record(resp, pi, f->dir[CT_DIR_RESP].isn, now);
}

/*
 * track_slow - everything but the fast path: expiry and reopen, creation in
 * the SYN cache, the full state machine, counters, events, and the one move
 * to the established map. f is the established entry found, or NULL.
 */
#define SLOW_SIDE1	2
#define SLOW_EGRESS	4	/* from the TC program */

static __always_inline int slow_body(struct pkt_info *pi, struct xdpct_stats *st,
				     union flow_key *key, struct flow *f, __u32 where, __u8 v6)
{
	void *flows_map = v6 ? (void *)&flows6 : (void *)&flows;
	__u8 side = (where & SLOW_SIDE1) ? 1 : 0;
	__u8 cls = ct_classify(pi->seg.flags);
	struct hc_slot4 *s = NULL;
	struct ct_result res;
	struct hc_ref ref;
	int created = 0;
	__u32 gen = 0;
	__u64 now;
	__u8 dir;

	if (!f) {
		hc_locate(&ref, key, v6);
		s = hc_find(&ref, key, &gen);
		if (s)
			f = &s->flow;
	}
	now = fl_precise(f, cls, f ? ct_flow_dir(f->ctl, side) : 0) ? now_precise() : now_coarse();
	if (f && fl_over(f, cls, now)) {
		/* this tuple's flow is over: report it, start anew */
		emit_event(st, CT_EV_END, f, pi, side, NULL, now);
		st->flows_reopened++;
		if (s) {
			if (hc_restart(s, &gen, side, cls)) {
				st->halfopen_races++;
				return 0;
			}
			st->halfopen_deleted++;
			st->flows_created++;
			created = 1;
		} else {
			if (!bpf_map_delete_elem(flows_map, key))
				st->flows_deleted++;
			f = NULL;
			/* the new flow starts in the SYN cache: find its way */
			hc_locate(&ref, key, v6);
			if (hc_find(&ref, key, &gen))
				ref.victim = HC_WAYS;	/* a copy is there already: a race */
		}
	}
	if (!f) {
		s = hc_claim(&ref, key, st, side, cls, now, &gen);
		if (!s)
			return 0;
		f = &s->flow;
		created = 1;
	}

	dir = ct_flow_dir(f->ctl, side);
	ct_track(f, &pi->seg, dir, fl_hook(replay_mode || mirror_mode, where & SLOW_EGRESS),
		 now, timeout_ns, &res);
	slow_count(pi, st, &res, cls, now);
	if (res.completed && ct_two_way(f, res.ctl))
		slow_handshake(pi, st, f, dir, now);

	if (created)
		emit_event(st, CT_EV_NEW, f, pi, side, &res, now);
	else if (res.new_state != res.old_state)
		emit_event(st, CT_EV_STATE, f, pi, side, &res, now);
	else if (res.new_anomalies)
		emit_event(st, CT_EV_ANOMALY, f, pi, side, &res, now);

	if (!s)
		return 0;
	if (READ_ONCE(s->gen) != gen) {
		/* another CPU took the slot while this segment was applied */
		st->halfopen_races++;
		return 0;
	}
	s->exp = f->expires_ns;
	if (fl_promote(f, res.ctl)) {
		/* NOEXIST: if the other hook promoted it a moment ago, its
		 * copy stands and this one is not counted twice */
		int err = bpf_map_update_elem(flows_map, key, f, BPF_NOEXIST);

		if (!err || err == -EEXIST_) {
			if (hc_free(s, gen))
				st->halfopen_deleted++;
			if (!err)
				st->flows_promoted++;
		} else {
			st->insert_failed++;
		}
	}
	return 0;
}

/*
 * Global functions: the verifier checks each once on its own, instead of
 * once per path through the parsers, which keeps the program well inside
 * the verifier's complexity limit. One per family, so each sees its own
 * maps as constants (and has its own stack frame).
 */
__noinline int track_slow4(struct pkt_info *pi, struct xdpct_stats *st, union flow_key *key,
			   struct flow *f, __u32 where)
{
	if (!pi || !st || !key)
		return 0;
	return slow_body(pi, st, key, f, where, 0);
}

__noinline int track_slow6(struct pkt_info *pi, struct xdpct_stats *st, union flow_key *key,
			   struct flow *f, __u32 where)
{
	if (!pi || !st || !key)
		return 0;
	return slow_body(pi, st, key, f, where, 1);
}

#define track_slow(pi, st, key, f, where)					\
	(v6 ? track_slow6(pi, st, key, f, where) : track_slow4(pi, st, key, f, where))

/*
 * flow_key4_make - canonical IPv4 key; returns the sender's side (0/1).
 * Explicit branches, not k->addr[side]: clang turns an indexed store into a
 * bitwise OR on the stack pointer, which the verifier rejects.
 */
static __always_inline __u8 flow_key4_make(struct flow_key4 *k, const struct pkt_info *pi)
{
	__u32 s = bpf_ntohl(pi->saddr[0]), d = bpf_ntohl(pi->daddr[0]);

	/* side 0: the numerically lower (address, port); stored as on the wire */
	if (s > d || (s == d && bpf_ntohs(pi->sport) > bpf_ntohs(pi->dport))) {
		k->addr[0] = pi->daddr[0];
		k->addr[1] = pi->saddr[0];
		k->port[0] = pi->dport;
		k->port[1] = pi->sport;
		return 1;
	}
	k->addr[0] = pi->saddr[0];
	k->addr[1] = pi->daddr[0];
	k->port[0] = pi->sport;
	k->port[1] = pi->dport;
	return 0;
}

/* flow_key6_make - canonical IPv6 key; returns the sender's side (0/1). */
static __always_inline __u8 flow_key6_make(struct flow_key6 *k, const struct pkt_info *pi)
{
	__u8 side = 0;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (pi->saddr[i] != pi->daddr[i]) {
			side = bpf_ntohl(pi->saddr[i]) > bpf_ntohl(pi->daddr[i]);
			goto decided;
		}
	}
	side = bpf_ntohs(pi->sport) > bpf_ntohs(pi->dport);
decided:
	if (side) {
		__builtin_memcpy(k->addr[0], pi->daddr, 16);
		__builtin_memcpy(k->addr[1], pi->saddr, 16);
		k->port[0] = pi->dport;
		k->port[1] = pi->sport;
	} else {
		__builtin_memcpy(k->addr[0], pi->saddr, 16);
		__builtin_memcpy(k->addr[1], pi->daddr, 16);
		k->port[0] = pi->sport;
		k->port[1] = pi->dport;
	}
	return side;
}

/*
 * track - look the flow up (established map first) and apply the segment.
 * A flow picked up one-sided lives in the SYN cache until it is two-way;
 * its in-order segments take the same fast path there.
 */
static __always_inline void track(struct pkt_info *pi, struct xdpct_stats *st, void *flows_map,
				  union flow_key *key, __u8 side, __u32 egress, __u8 v6)
{
	struct flow *f = bpf_map_lookup_elem(flows_map, key);
	__u32 where = (side ? SLOW_SIDE1 : 0) | (egress ? SLOW_EGRESS : 0);
	struct hc_slot4 *s;
	struct hc_ref ref;
	__u32 gen;

	if (likely(f)) {
		/* the fast path: one lookup, no helper call */
		if (likely(ct_track_fast(f, &pi->seg, ct_flow_dir(f->ctl, side), now_coarse(),
					 timeout_ns[CT_STATE_ESTABLISHED])))
			return;
		track_slow(pi, st, key, f, where);
		return;
	}
	if (pi->seg.flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST))
		goto slow;
	hc_locate(&ref, key, v6);
	s = hc_find(&ref, key, &gen);
	/* the hook is checked: a one-sided pickup stays one-sided only if its
	 * segments keep arriving through the hook they came through */
	if (s && (s->flow.dir[ct_flow_dir(s->flow.ctl, side)].hooks ==
		  fl_hook(replay_mode || mirror_mode, egress)) &&
	    ct_track_fast(&s->flow, &pi->seg, ct_flow_dir(s->flow.ctl, side), now_coarse(),
			  timeout_ns[CT_STATE_ESTABLISHED])) {
		if (unlikely(READ_ONCE(s->gen) != gen))
			st->halfopen_races++;
		else
			s->exp = s->flow.expires_ns;
		return;
	}
slow:
	track_slow(pi, st, key, NULL, where);
}

/* xdpct_account - count a parsed frame and track it if it is TCP. */
static __always_inline void xdpct_account(struct xdpct_stats *st, int ret, struct pkt_info *pi,
					  __u32 segs, __u32 egress)
{
	union flow_key k;	/* every byte the key uses is written */

	st->packets++;
	if (unlikely(ret < 0)) {
		__u32 why = -ret - 1;

		if (why < MAL_MAX)
			st->malformed[why]++;
		return;
	}
	if (unlikely(ret != PARSE_TCP)) {
		st->non_tcp++;
		if (ret == PARSE_FRAGMENT)
			st->fragments++;
		return;
	}
	st->tcp++;
	pi->seg.segs = segs ? segs : 1;
	if (pi->family == 4)
		track(pi, st, &flows, &k, flow_key4_make(&k.v4, pi), egress, 0);
	else
		track(pi, st, &flows6, &k, flow_key6_make(&k.v6, pi), egress, 1);
}

static __always_inline struct xdpct_stats *hook_stats(__u32 hook)
{
	return bpf_map_lookup_elem(&stats, &hook);
}

/*
 * The XDP parser is inlined (a call costs ~8 ns a packet); the TC one is a
 * global function, verified once, so the many header layouts it accepts do
 * not multiply the paths the verifier walks.
 */
/* xdp_parse_flags - constants once the knobs are frozen. A capture taken on
 * a TSO sender holds its super-packets (iph_totlen: as a GSO skb). */
static __always_inline __u32 xdp_parse_flags(void)
{
	return (replay_mode ? PARSE_F_GSO : 0) | (verify_csum ? PARSE_F_CSUM : 0);
}

/*
 * parse_xdp_frags - a multi-buffer frame (xdp.frags): the headers are in the
 * first buffer, the IP length counts the fragments too. Called only when the
 * first buffer is shorter than the IP header says, so the fast path never
 * pays for bpf_xdp_get_buff_len. ret is the first parse's result.
 */
__noinline int parse_xdp_frags(struct xdp_md *ctx, struct pkt_info *pi, int ret)
{
	void *data, *data_end;
	__u32 full;

	if (!ctx || !pi || !xdp_frags)
		return ret;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	full = bpf_xdp_get_buff_len(ctx);
	if (full <= (__u32)(data_end - data))
		return ret;
	return parse_frame(data, data_end, full, pi, xdp_parse_flags());
}

static __always_inline int parse_xdp(struct xdp_md *ctx, struct pkt_info *pi)
{
	void *data, *data_end;
	__u32 len;
	int ret;

	if (!ctx || !pi)
		return MALFORMED(MAL_ETH_TRUNCATED);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	len = data_end - data;
	/* a capture's snaplen may cut a frame: lengths come from its headers */
	if (replay_mode && replay_wire_len > len)
		len = replay_wire_len;
	ret = parse_frame(data, data_end, len, pi, xdp_parse_flags());
	if (unlikely(ret == MALFORMED(MAL_IPV4_BAD_LENGTH) ||
		     ret == MALFORMED(MAL_IPV6_BAD_LENGTH)))
		ret = parse_xdp_frags(ctx, pi, ret);
	return ret;
}

/* SYN options: copy with the helper, walk the copy (global: own stack). */
__noinline int syn_wscale_xdp(struct xdp_md *ctx, struct pkt_info *pi)
{
	struct tcp_opts o = {};
	__u32 len;

	if (!ctx || !pi || !pi->opt_len)
		return 0;
	len = pi->opt_len;
	if (len > TCP_OPT_MAX_LEN)
		len = TCP_OPT_MAX_LEN;
	if (bpf_xdp_load_bytes(ctx, pi->opt_off, o.b, len))
		return 0;
	o.len = len;
	pi->seg.wscale = tcp_opts_wscale_walk(&o);
	return 0;
}

__noinline int parse_skb(struct __sk_buff *skb, struct pkt_info *pi)
{
	void *data, *data_end;

	if (!skb || !pi)
		return MALFORMED(MAL_ETH_TRUNCATED);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	/* iph_totlen(): tot_len 0 is the skb's length only for a GSO packet */
	return parse_frame(data, data_end, skb->len, pi, skb->gso_size ? PARSE_F_GSO : 0);
}

__noinline int syn_wscale_skb(struct __sk_buff *skb, struct pkt_info *pi)
{
	struct tcp_opts o = {};
	__u32 len;

	if (!skb || !pi || !pi->opt_len)
		return 0;
	len = pi->opt_len;
	if (len > TCP_OPT_MAX_LEN)
		len = TCP_OPT_MAX_LEN;
	if (bpf_skb_load_bytes(skb, pi->opt_off, o.b, len))
		return 0;
	o.len = len;
	pi->seg.wscale = tcp_opts_wscale_walk(&o);
	return 0;
}

/* xdp.frags: native XDP on jumbo-frame (multi-buffer) interfaces; the
 * loader drops the flag on kernels without it (hook_parse.h) */
SEC("xdp.frags")
int xdpct_xdp(struct xdp_md *ctx)
{
	struct xdpct_stats *st = hook_stats(HOOK_XDP);
	struct pkt_info pi;	/* parse_frame writes every field it reports */
	int ret;

	if (!st)
		return XDP_PASS;
	ret = parse_xdp(ctx, &pi);
	if (ret == PARSE_TCP) {
		/* what the host drops on ingress (ip_rcv_options, tcp_v4_rcv's
		 * pkt_type check) is not tracked; with --mirror
		 * every frame is someone else's */
		if (unlikely(pi.ip_opt_len))
			ret = mal_of3(ipv4_opts_xdp(ctx, &pi), MAL_IPV4_BAD_CSUM,
				      MAL_IPV4_BAD_OPTIONS, MAL_IPV4_SOURCE_ROUTE);
		if (unlikely(!mirror_mode && !replay_mode && ret == PARSE_TCP &&
			     l2_not_host((void *)(long)ctx->data, (void *)(long)ctx->data_end)))
			ret = MALFORMED(MAL_L2_NOT_HOST);
	}
	if (ret == PARSE_TCP && pi.opt_len)	/* a SYN with options */
		syn_wscale_xdp(ctx, &pi);
	/* only segments that can change state pay for their checksum */
	if (verify_csum && ret == PARSE_TCP &&
	    (pi.seg.flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST))) {
		tcp_csum_xdp(ctx, &pi);
		if (pi.seg.csum_bad)
			st->tcp_bad_csum++;
	}
	xdpct_account(st, ret, &pi, 1, 0);
	return XDP_PASS;
}

/* parse_truncated - a parse error that more linear data could cure. */
static __always_inline int parse_truncated(int ret)
{
	return ret == MALFORMED(MAL_ETH_TRUNCATED) || ret == MALFORMED(MAL_VLAN_TRUNCATED) ||
	       ret == MALFORMED(MAL_IPV4_TRUNCATED) || ret == MALFORMED(MAL_IPV6_TRUNCATED) ||
	       ret == MALFORMED(MAL_IPV6_EXT_TRUNCATED) || ret == MALFORMED(MAL_TCP_TRUNCATED);
}

#define TC_PULL_BYTES 256

/*
 * On egress the headers of a locally built skb are in its linear part; if
 * they are not, pull them (bytes unchanged) and parse again.
 * TC_ACT_UNSPEC: continue with the next filter, as if we were not there.
 */
SEC("tc")
int xdpct_tc(struct __sk_buff *skb)
{
	struct xdpct_stats *st = hook_stats(HOOK_TC);
	struct pkt_info pi;	/* parse_frame writes every field it reports */
	int ret;

	if (!st)
		return TC_ACT_UNSPEC_;
	ret = parse_skb(skb, &pi);
	if (ret < 0 && parse_truncated(ret) &&
	    skb->len > (__u32)(skb->data_end - skb->data)) {
		bpf_skb_pull_data(skb, skb->len < TC_PULL_BYTES ? skb->len : TC_PULL_BYTES);
		ret = parse_skb(skb, &pi);
	}
	if (ret == PARSE_TCP && pi.opt_len)
		syn_wscale_skb(skb, &pi);
	xdpct_account(st, ret, &pi, skb->gso_segs, 1);
	return TC_ACT_UNSPEC_;
}

/* Live SYN-cache slots, HC_COUNT_STEP a callback (bpf_loop runs at most 2^23). */
#define HC_COUNT_STEP 16

static long hc_count4(__u32 i, void *ctx)
{
	__s64 *n = ctx;
	int j;

	for (j = 0; j < HC_COUNT_STEP; j++) {
		__u32 idx = i * HC_COUNT_STEP + j;
		struct hc_slot4 *s = bpf_map_lookup_elem(&halfopen, &idx);

		if (!s)
			return 1;
		*n += s->gen & HC_LIVE;
	}
	return 0;
}

static long hc_count6(__u32 i, void *ctx)
{
	__s64 *n = ctx;
	int j;

	for (j = 0; j < HC_COUNT_STEP; j++) {
		__u32 idx = i * HC_COUNT_STEP + j;
		struct hc_slot6 *s = bpf_map_lookup_elem(&halfopen6, &idx);

		if (!s)
			return 1;
		*n += s->gen & HC_LIVE;
	}
	return 0;
}

/* xdpct_count - live entries per map, for exact eviction accounting. */
SEC("syscall")
int xdpct_count(void *ctx)
{
	__s64 n4 = 0, n6 = 0;

	live_counts.flows = bpf_map_sum_elem_count((const struct bpf_map *)&flows);
	live_counts.flows6 = bpf_map_sum_elem_count((const struct bpf_map *)&flows6);
	bpf_loop(hc_buckets4 * HC_WAYS / HC_COUNT_STEP + 1, hc_count4, &n4, 0);
	bpf_loop(hc_buckets6 * HC_WAYS / HC_COUNT_STEP + 1, hc_count6, &n6, 0);
	live_counts.halfopen = n4;
	live_counts.halfopen6 = n6;
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

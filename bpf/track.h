/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * track.h - a parsed TCP segment applied to its flow: the fast path in the
 * established map (or in the SYN cache for a one-sided pickup), and
 * track_slow for everything else (expiry and reopen, creation in the SYN
 * cache, the state machine, counters, events, the one promotion). Included
 * by xdpct.bpf.c after its maps, clocks, events and host_isn_record.
 */
#ifndef XDPCT_TRACK_H
#define XDPCT_TRACK_H

/*
 * One-sided pickups on the fast path in the SYN cache: an in-order segment
 * of a flow picked up mid-stream (never two-way, so never promoted) is
 * counted with the second inlined copy of ct_track_fast, not track_slow.
 * It costs ~2,700 verified instructions per program; 0 turns it off.
 */
#define HC_FAST_PICKUPS 1

/*
 * slow_count - the SYN, SYN-ACK, RST and FIN counters and the SYN
 * accounting. A global function: verified once, not once per path of
 * track_slow's two bodies (the program stays under the verifier's limit).
 */
__noinline int slow_count(struct pkt_info *pi, struct xdpct_stats *st,
			  const struct ct_result *res, __u32 cls, __u64 now)
{
	if (!pi || !st || !res)
		return 0;
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
	return 0;
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
	struct ct_result res = {};	/* zero for a flow_end event */
	__u32 how = (side ? EV_SIDE1 : 0) | ((where & SLOW_EGRESS) ? EV_EGRESS : 0);
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
	if (f && fl_over(f, &pi->seg, side, cls, now)) {
		/* this tuple's flow is over: report it, start anew */
		emit_event_g(f, pi, &res, CT_EV_END | how, now);
		st->flows_reopened++;
		if (s) {
			if (hc_restart(&ref, s, &gen, side, cls)) {
				st->halfopen_races++;
				return 0;
			}
			st->halfopen_deleted++;
			st->flows_created++;
			created = 1;
		} else if (fl_reuse(cls)) {
			/* in place in the established map: its slot was this
			 * tuple's already (not counted in flows_created, which
			 * counts half-open records, so evictions add up) */
			fl_start(f, side, cls);
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
		/* a segment the host drops (tcp_v4_rcv: bad checksum) starts nothing */
		if (pi->seg.csum_bad)
			return 0;
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
		emit_event_g(f, pi, &res, CT_EV_NEW | how, now);
	else if (res.new_state != res.old_state)
		emit_event_g(f, pi, &res, CT_EV_STATE | how, now);
	else if (res.new_anomalies)
		emit_event_g(f, pi, &res, CT_EV_ANOMALY | how, now);

	if (!s)
		return 0;
	if (hc_gen(&ref) != gen) {
		/* another CPU took the slot while this segment was applied */
		st->halfopen_races++;
		return 0;
	}
	hc_touch(&ref, now);
	if (fl_promote(f, res.ctl)) {
		/* NOEXIST: if the other hook promoted it a moment ago, its
		 * copy stands and this one is not counted twice */
		int err = bpf_map_update_elem(flows_map, key, f, BPF_NOEXIST);

		if (!err || err == -EEXIST_) {
			if (hc_free(&ref, gen))
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

#include "flowkey.h"

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
	if (!HC_FAST_PICKUPS || (pi->seg.flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST)))
		goto slow;
	hc_locate(&ref, key, v6);
	s = hc_find(&ref, key, &gen);
	/* the hook is checked: a one-sided pickup stays one-sided only if its
	 * segments keep arriving through the hook they came through */
	if (s && (s->flow.dir[ct_flow_dir(s->flow.ctl, side)].hooks ==
		  fl_hook(replay_mode || mirror_mode, egress)) &&
	    ct_track_fast(&s->flow, &pi->seg, ct_flow_dir(s->flow.ctl, side), now_coarse(),
			  fl_fast_timeout(s->flow.ctl, timeout_ns[CT_STATE_ESTABLISHED]))) {
		if (unlikely(hc_gen(&ref) != gen))
			st->halfopen_races++;
		else
			/* ct_track_fast set expires_ns to now + that timeout:
			 * its now, without one more value on the stack */
			hc_touch(&ref, s->flow.expires_ns -
					       fl_fast_timeout(s->flow.ctl,
							       timeout_ns[CT_STATE_ESTABLISHED]));
		return;
	}
slow:
	track_slow(pi, st, key, NULL, where);
}

#endif /* XDPCT_TRACK_H */

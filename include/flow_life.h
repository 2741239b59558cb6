/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * flow_life.h - a flow record's life around ct_track: when a tuple's flow is
 * over, how a new one starts, when it earns a slot in the established map,
 * which clock a segment needs. Pure functions on a struct flow: the BPF
 * programs (track_slow) and the unit tests (test_fsm.c's seg()) make the
 * same decisions from this one text. Include flow.h, tcp_fsm.h and
 * ct_track.h first.
 */
#ifndef XDPCT_FLOW_LIFE_H
#define XDPCT_FLOW_LIFE_H

#define FL_NSEC_PER_SEC 1000000000ull

/* The default timeouts: CT_TIMEOUTS_DEFAULT in flow.h. */

/* fl_expired - the record's timeout passed (0: never accepted a segment). */
static __always_inline int fl_expired(const struct flow *f, __u64 now)
{
	return f->expires_ns && now >= f->expires_ns;
}

/*
 * fl_over - does segment p (class cls, sent by canonical side) at time now
 * find this tuple's flow over? Expired, or a SYN on a closed connection
 * (ct_is_reopen) that the host takes as a new one (ct_reopen_allowed): the
 * old record is reported (flow_end) and a new one starts on the tuple.
 */
static __always_inline int fl_over(const struct flow *f, const struct ct_pkt *p, __u8 side,
				   __u8 cls, __u64 now)
{
	__u8 st = f->ctl & CT_CTL_STATE_MASK;

	if (fl_expired(f, now))
		return 1;
	return ct_is_reopen(st, cls) &&
	       ct_reopen_allowed(st, p->seq, f->dir[ct_flow_dir(f->ctl, side)].end, p->ts);
}

/*
 * fl_reuse - does the new flow that fl_over started take the old record's
 * place? A SYN on a tuple of the established map (a client reusing its port,
 * a connection after TIME_WAIT) restarts the record where it is: no delete,
 * no insert, no SYN-cache slot. Any other segment on an expired record is a
 * pickup and starts in the half-open store like every other new flow.
 */
static __always_inline int fl_reuse(__u8 cls)
{
	return cls == CT_CLASS_SYN;
}

/*
 * fl_start - the record of a new flow, its first segment (class cls) sent by
 * canonical side sender_side. New flows start in the half-open store
 * (except where fl_reuse restarts a record in place): one insertion into
 * the established map per connection, made by fl_promote's yes.
 */
static __always_inline void fl_start(struct flow *f, __u8 sender_side, __u8 cls)
{
	ct_flow_init(f, sender_side, cls);
}

/*
 * fl_promote - after a segment (res_ctl = the ctl it left), does a flow held
 * in the half-open store move to the established map now? Only once its
 * two-way exchange is confirmed through two hooks (ct_wants_flows): a
 * spoofed SYN, ACK or forged-handshake flood never gets there. A flow
 * picked up without its handshake moves only while ESTABLISHED: one picked
 * up closing (a late FIN of a connection whose record was evicted) lives
 * out its last seconds in the half-open store instead of taking an
 * established slot, so it neither pushes a live flow out nor counts as a
 * promotion of a connection that was promoted before.
 */
static __always_inline int fl_promote(const struct flow *f, __u32 res_ctl)
{
	if (!(res_ctl & CT_CTL_ESTABLISHED_ONCE) &&
	    (res_ctl & CT_CTL_STATE_MASK) != CT_STATE_ESTABLISHED)
		return 0;
	return ct_wants_flows(f, res_ctl);
}

/*
 * fl_precise - does a segment of class cls on f (NULL: it creates the flow)
 * need the precise clock? Only for a first-seen stamp (a new flow, a side's
 * first segment) or a handshake RTT (SYN-ACK, the ACK completing it);
 * everything else takes the tick clock, an inlined load.
 */
static __always_inline int fl_precise(const struct flow *f, __u8 cls, __u8 dir)
{
	__u8 st;

	if (!f || !f->dir[dir & 1].pkts)
		return 1;
	st = f->ctl & CT_CTL_STATE_MASK;
	return cls == CT_CLASS_SYNACK || st == CT_STATE_SYN_RECV || st == CT_STATE_SYN_SENT ||
	       st == CT_STATE_SYN_SENT2 || st == CT_STATE_NONE;
}

/*
 * fl_fast_timeout - the timeout ct_track_fast gives a flow of the SYN cache
 * it counts: as ct_track would, nf_conntrack's unconfirmed one while nobody
 * has answered (a one-sided pickup), not the established one of days. (A
 * flow in the established map was answered: est.)
 */
static __always_inline __u64 fl_fast_timeout(__u32 ctl, __u64 est)
{
	if (!(ctl & CT_CTL_REPLIED) && est > CT_UNCONFIRMED_TIMEOUT_NS)
		return CT_UNCONFIRMED_TIMEOUT_NS;
	return est;
}

/* fl_hook - the hook a segment came through, 0 when the check is off. */
static __always_inline __u8 fl_hook(int no_hook_check, int egress)
{
	if (no_hook_check)
		return 0;
	return egress ? CT_HOOK_EGRESS : CT_HOOK_INGRESS;
}

#endif /* XDPCT_FLOW_LIFE_H */

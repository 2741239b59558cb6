/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ct_track.h - apply one TCP segment to a flow record.
 *
 * Works on a struct flow in any memory: a map value in BPF, a plain struct in
 * the unit tests. No maps, helpers or packet pointers; time is passed in.
 * Fields that both hooks (XDP ingress, TC egress) may touch at once on two
 * CPUs are changed atomically: counters with fetch-and-add, the ctl word
 * (state, letters claimed, loss facts) and the history with
 * compare-and-swap. The monotonic seq/ack maxima are plain stores: a lost
 * race is repaired by the next segment of the same direction. Include
 * flow.h and tcp_fsm.h (which brings ct_history.h, the letters) first;
 * this file brings ct_window.h (what the receiving host would act on),
 * ct_inspect.h and ct_account.h (the phases).
 *
 * A segment changes the record only if the receiving Linux host would act
 * on it: its checksum is right, it has ACK once the flow is synchronized,
 * its seq and ack are inside nf_conntrack's tcp_in_window bounds, a FIN is
 * in order. Letters are recorded for every segment seen, as Zeek does.
 */
#ifndef XDPCT_CT_TRACK_H
#define XDPCT_CT_TRACK_H

/* The facts of one TCP segment, parsed; sequence numbers host order. */
struct ct_pkt {
	__u32 seq;
	__u32 ack;
	__u32 len;	/* TCP payload bytes */
	__u32 segs;	/* wire segments it stands for (GSO), >= 1 */
	__u32 ip_len;	/* IP total length (header + payload) of the frame */
	__u16 win;	/* raw window field */
	__u8 flags;
	__u8 wscale;	/* window scale option, CT_WSCALE_NONE if absent */
	__u8 csum_bad;	/* TCP checksum verified and wrong: the host drops it */
	__u8 hook;	/* CT_HOOK_* it came through, 0 if not known (replay, --mirror) */
	__u8 ts;	/* a SYN carried the timestamp option */
	__u8 pad;
};

enum ct_verdict {
	CT_VERDICT_ACCEPT = 0,	/* state machine took it */
	CT_VERDICT_IGNORE,	/* passed, state untouched (nf_conntrack sIG) */
	CT_VERDICT_INVALID,	/* not valid for this flow (sIV, window, checksum) */
};

struct ct_result {
	__u8 old_state;
	__u8 new_state;
	__u8 verdict;		/* enum ct_verdict */
	__u8 completed;		/* this segment completed the handshake */
	__u8 syn_retx;		/* a SYN again with the same ISN */
	__u8 synack_retx;	/* a SYN-ACK again with the same ISN */
	__u8 synack_bad;	/* a SYN-ACK that does not ack the live ISN */
	__u8 csum_bad;		/* a bad checksum: the segment changed nothing */
	__u32 new_anomalies;	/* bits this segment added */
	__u32 ctl;		/* ctl after the segment */
};

/* What ct_inspect learned about a segment, for the later phases. */
struct ct_work {
	__u32 anom;		/* anomaly bits found */
	__u32 facts;		/* CT_PF_* for ct_transition */
	__u32 set;		/* ctl bits to set (ISN known, loss facts) */
	__u32 clear;		/* ctl bits to clear (loss facts resolved) */
	__u32 letters;		/* history letter codes in order, 5 bits each */
	__u32 want;		/* ctl bits of those letters */
	__u32 claimed;		/* letters this segment recorded first */
	__u32 pad0;
	__u64 timeout_ns;	/* timeout of the state after the segment */
	__u64 new_bytes;	/* payload beyond what this side had sent */
	__u8 dir;
	__u8 cls;		/* class for the transition (a deferred FIN: ACK) */
	__u8 upd_seq;		/* take seq/ack/window from this segment */
	__u8 retx;		/* SYN or SYN-ACK again with the same ISN */
	__u8 sd_seen;		/* sender had sent before */
	__u8 rd_seen;		/* peer had sent before */
	__u8 sd_known;		/* sender's sequence space is known from its own segments */
	__u8 wscale_new;	/* this segment made both window scales known */
	__u8 hook;		/* CT_HOOK_* it came through, 0 if not known */
	__u8 syn, fin, rst, ack; /* flags as acted on: a reset is only a reset */
	__u8 jump;		/* seq beyond the sender's end: a hole before it */
	__u8 fin_defer;		/* a FIN after a hole: pending, not acted on */
	__u8 fin_retx;		/* the sender's FIN again */
	__u8 resync;		/* a second ack of peer data never seen: take it */
	__u8 past_hole;		/* acks past the peer's hole */
	__u8 peer_fin;		/* the peer's pending FIN acts first */
	__u8 one_hook;		/* came through the hook of the other direction */
	__u8 csum_bad;		/* a bad checksum: nothing but its letter */
	__u8 fin_now;		/* a FIN in order while one was pending: it acts */
	__u8 fin_acked;		/* acks the peer's pending FIN: it acts, its hole counts */
	__u8 gap_self;		/* this side's open hole is a gap (its FIN came) */
	__u8 pad1[3];
};

#include "ct_window.h"

/*
 * ct_two_way - both directions were seen, each through its own hook (or the
 * hooks are not known). Only then is a handshake counted, an ISN believed
 * or the flow given a slot in the established map.
 */
static __always_inline int ct_two_way(const struct flow *f, __u32 ctl)
{
	return (ctl & CT_CTL_REPLIED) && !(f->dir[0].hooks & f->dir[1].hooks);
}

/*
 * ct_wants_flows - belongs in the established map: its handshake completed,
 * or it was picked up mid-stream and both directions have been seen, each
 * through its own hook. Anything else stays in the half-open map, so
 * spoofed SYN, ACK or forged-handshake floods cannot push real connections
 * out.
 */
static __always_inline int ct_wants_flows(const struct flow *f, __u32 ctl)
{
	__u8 st = ctl & CT_CTL_STATE_MASK;

	if (!ct_two_way(f, ctl))
		return 0;
	if (ctl & CT_CTL_ESTABLISHED_ONCE)
		return 1;
	return st >= CT_STATE_ESTABLISHED && st <= CT_STATE_LAST_ACK;
}

/*
 * ct_flow_init - an empty record for a flow whose first segment (class cls)
 * was sent by canonical side sender_side. The originator is the sender,
 * except for a SYN-ACK: its receiver sent the SYN we did not see.
 */
static __always_inline void ct_flow_init(struct flow *f, __u8 sender_side, __u8 cls)
{
	__u32 ctl = 0;

	__builtin_memset(f, 0, sizeof(*f));
	if (cls == CT_CLASS_SYNACK)
		ctl |= ((sender_side ^ 1) ? CT_CTL_ORIG_SIDE : 0) | CT_CTL_FIRST_RESP;
	else if (sender_side)
		ctl |= CT_CTL_ORIG_SIDE;
	f->ctl = ctl;
	f->wscale[0] = CT_WSCALE_NONE;
	f->wscale[1] = CT_WSCALE_NONE;
}

/*
 * ct_ip_bytes - IP-layer bytes a segment stands for on the wire: a GSO
 * super-packet of segs segments carries its headers once, the wire segs
 * times (Zeek's orig_ip_bytes, IPFIX octetDeltaCount).
 */
static __always_inline __u64 ct_ip_bytes(const struct ct_pkt *p)
{
	__u32 hdr = p->ip_len > p->len ? p->ip_len - p->len : 0;

	return (__u64)p->ip_len + (__u64)(p->segs > 1 ? p->segs - 1 : 0) * hdr;
}

/* ct_flow_dir - direction (enum ct_dir) of a segment sent by canonical side. */
static __always_inline __u8 ct_flow_dir(__u32 ctl, __u8 sender_side)
{
	return (sender_side ^ ((ctl & CT_CTL_ORIG_SIDE) ? 1 : 0)) & 1;
}

/* Loss and close facts that the fast path leaves to the slow one. */
#define CT_CTL_LOSS_MASK							\
	(CT_CTL_FIN_SEEN(0) | CT_CTL_FIN_SEEN(1) | CT_CTL_UNSEEN(0) |		\
	 CT_CTL_UNSEEN(1) | CT_CTL_HOLE(0) | CT_CTL_HOLE(1))

/*
 * ct_track_fast - the common case: an ESTABLISHED flow with no loss pending,
 * a pure ACK or data segment that is in order, in window, through this
 * direction's own hook, and adds no new history letter. Touches only this
 * direction's counters and maxima. Returns 1 if the segment was fully
 * accounted, 0 if ct_track must handle it.
 */
static __always_inline int ct_track_fast(struct flow *f, const struct ct_pkt *p, __u8 dir,
					 __u64 now, __u64 est_timeout_ns)
{
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl;
	__u32 end = p->seq + p->len;
	__u32 need, old_end;

	if (unlikely((ctl & (CT_CTL_STATE_MASK | CT_CTL_LOSS_MASK)) != CT_STATE_ESTABLISHED ||
		     now >= f->expires_ns))
		return 0;
	if (unlikely((p->flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST | TCP_FL_ACK)) != TCP_FL_ACK || !p->win))
		return 0;
	if (unlikely((f->flags[dir & 1] | p->flags) != f->flags[dir & 1]))
		return 0;
	/* a bad checksum, or a hook this direction has not used (one host
	 * forging the other side arrives through the peer's hook) */
	if (unlikely(p->csum_bad || (p->hook & (~sd->hooks | rd->hooks))))
		return 0;
	need = ct_hist_bit(p->len ? CT_HIST_DATA : CT_HIST_ACK, dir);
	if (p->len && !seq_after(end, sd->end))
		need |= ct_hist_bit(CT_HIST_RETRANS, dir);
	if (unlikely((ctl & need) != need))
		return 0;
	/* acks unsent data, a hole in our stream, or beyond the peer's window */
	if (unlikely(seq_after(p->ack, rd->end) || seq_after(p->seq, sd->end)))
		return 0;
	if (unlikely((ctl & CT_CTL_WINDOW_KNOWN) &&
		     seq_after(p->seq, rd->ack + ct_scaled_win(f, dir ^ 1, ctl))))
		return 0;
	old_end = sd->end;
	/* wraps through 2^32 (seq, or ack past the peer's ISN): flag on the slow path */
	if (unlikely(seq_after(end, old_end) && end < old_end))
		return 0;
	if (unlikely(seq_after(p->ack, sd->ack) && p->ack - (rd->isn + 1) < sd->ack - (rd->isn + 1)))
		return 0;
	/* new data: each byte is counted once, so a retransmission adds none;
	 * the swap makes two CPUs advancing one direction count it once too */
	if (seq_after(end, old_end)) {
		if (unlikely(__sync_val_compare_and_swap(&sd->end, old_end, end) != old_end))
			return 0;
		__sync_fetch_and_add(&sd->bytes, end - old_end);
	}
	if (seq_after(p->ack, sd->ack))
		sd->ack = p->ack;
	if (p->win > sd->max_win)
		sd->max_win = p->win;
	__sync_fetch_and_add(&sd->pkts, p->segs);
	__sync_fetch_and_add(&sd->ip_bytes, ct_ip_bytes(p));
	if (now > sd->last_ns)
		sd->last_ns = now;
	f->expires_ns = now + est_timeout_ns;
	return 1;
}

/*
 * The phases of ct_track (and the history record, which ct_account reaches
 * on two paths). In BPF each one is wrapped in a global function
 * (CT_PHASE), so the verifier checks them one at a time instead of every
 * combination of their branches; elsewhere they are called directly.
 */
#ifndef CT_PHASE
#define CT_PHASE(name) name
#endif

#include "ct_inspect.h"
#include "ct_account.h"

/*
 * ct_track - apply segment p, sent in direction dir through hook (CT_HOOK_*,
 * 0 if not known), to flow f at time now. timeout_ns[state] gives each
 * state's timeout. Fills res; the caller counts, emits events and moves the
 * flow between maps.
 */
static __always_inline void ct_track(struct flow *f, const struct ct_pkt *p, __u8 dir,
				     __u8 hook, __u64 now, const volatile __u64 *timeout_ns,
				     struct ct_result *res)
{
	struct ct_work w;

	__builtin_memset(&w, 0, sizeof(w));
	__builtin_memset(res, 0, sizeof(*res));
	w.dir = dir & 1;
	w.hook = hook & (CT_HOOK_INGRESS | CT_HOOK_EGRESS);
	w.cls = ct_classify(p->flags);
	CT_PHASE(ct_inspect)(f, p, &w);
	CT_PHASE(ct_commit)(f, &w, res);
	if (res->new_state < CT_STATE_COUNT)
		w.timeout_ns = timeout_ns[res->new_state];
	/* a reset that may be blind ends the flow soon unless traffic goes on */
	if (w.facts & CT_PF_RST_INEXACT)
		w.timeout_ns = timeout_ns[CT_STATE_CLOSE];
	/* an established flow nobody answered (yet) is no 5-day connection */
	if (res->new_state == CT_STATE_ESTABLISHED && !(res->ctl & CT_CTL_REPLIED) &&
	    w.timeout_ns > CT_UNCONFIRMED_TIMEOUT_NS)
		w.timeout_ns = CT_UNCONFIRMED_TIMEOUT_NS;
	if (w.csum_bad && !f->expires_ns)
		w.timeout_ns = timeout_ns[CT_STATE_CLOSE];
	CT_PHASE(ct_account)(f, p, &w, res, now);
}

#endif /* XDPCT_CT_TRACK_H */

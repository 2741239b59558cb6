/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ct_track.h - apply one TCP segment to a flow record.
 *
 * Works on a struct flow in any memory: a map value in BPF, a plain struct in
 * the unit tests. No maps, helpers or packet pointers; time is passed in.
 * Fields that both hooks (XDP ingress, TC egress) may touch at once on two
 * CPUs are changed atomically: counters with fetch-and-add, the ctl word
 * (state, letters claimed) and the history with compare-and-swap. The
 * monotonic seq/ack maxima are plain stores: a lost race is repaired by the
 * next segment of the same direction. Include flow.h and tcp_fsm.h first.
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
	__u8 pad[3];
};

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

enum ct_verdict {
	CT_VERDICT_ACCEPT = 0,	/* state machine took it */
	CT_VERDICT_IGNORE,	/* passed, state untouched (nf_conntrack sIG) */
	CT_VERDICT_INVALID,	/* not valid for this flow (sIV, window) */
};

struct ct_result {
	__u8 old_state;
	__u8 new_state;
	__u8 verdict;		/* enum ct_verdict */
	__u8 completed;		/* this segment completed the handshake */
	__u8 syn_retx;		/* a SYN again with the same ISN */
	__u8 synack_retx;	/* a SYN-ACK again with the same ISN */
	__u8 synack_bad;	/* a SYN-ACK that does not ack the live ISN */
	__u8 pad;
	__u32 new_anomalies;	/* bits this segment added */
	__u32 ctl;		/* ctl after the segment */
};

#define CT_CAS_TRIES 4

/* Window scale shifts are capped at 14 (RFC 7323 §2.3). */
static __always_inline __u32 ct_scaled_win(const struct flow *f, __u8 side, __u32 ctl)
{
	__u8 ws = f->wscale[side & 1];

	if (!(ctl & CT_CTL_WSCALE_OK) || ws == CT_WSCALE_NONE)
		return f->dir[side & 1].max_win;
	if (ws > 14)
		ws = 14;
	return (__u32)f->dir[side & 1].max_win << ws;
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

/*
 * ct_track_fast - the common case: an ESTABLISHED flow, a pure ACK or data
 * segment that is in order, in window and adds no new history letter.
 * Touches only this direction's counters and maxima. Returns 1 if the
 * segment was fully accounted, 0 if ct_track must handle it.
 */
static __always_inline int ct_track_fast(struct flow *f, const struct ct_pkt *p, __u8 dir,
					 __u64 now, __u64 est_timeout_ns)
{
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl;
	__u32 end = p->seq + p->len;
	__u32 need, old_end;

	if (unlikely((ctl & CT_CTL_STATE_MASK) != CT_STATE_ESTABLISHED || now >= f->expires_ns))
		return 0;
	if (unlikely((p->flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST | TCP_FL_ACK)) != TCP_FL_ACK || !p->win))
		return 0;
	if (unlikely((f->flags[dir & 1] | p->flags) != f->flags[dir & 1]))
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

/* Letters one segment may add, in Zeek's order within a packet. */
#define CT_LETTERS_MAX 5

/* What ct_inspect learned about a segment, for the later phases. */
struct ct_work {
	__u32 anom;		/* anomaly bits found */
	__u32 facts;		/* CT_PF_* for ct_transition */
	__u32 set;		/* ctl bits to set (ISN known) */
	__u32 letters;		/* history letter codes in order, 5 bits each */
	__u32 want;		/* ctl bits of those letters */
	__u32 claimed;		/* letters this segment recorded first */
	__u64 timeout_ns;	/* timeout of the state after the segment */
	__u64 new_bytes;	/* payload beyond what this side had sent */
	__u8 dir;
	__u8 cls;
	__u8 upd_seq;		/* take seq/ack/window from this segment */
	__u8 retx;		/* SYN or SYN-ACK again with the same ISN */
	__u8 sd_seen;		/* sender had sent before */
	__u8 rd_seen;		/* peer had sent before */
	__u8 sd_known;		/* sender's sequence space is known from its own segments */
	__u8 wscale_new;	/* this segment made both window scales known */
	__u8 hook;		/* CT_HOOK_* it came through, 0 if not known */
	__u8 pad[7];
};

/*
 * The phases of ct_track. In BPF each one is wrapped in a global function
 * (CT_PHASE), so the verifier checks them one at a time instead of every
 * combination of their branches; elsewhere they are called directly.
 */
#ifndef CT_PHASE
#define CT_PHASE(name) name
#endif

/*
 * ct_inspect - sequence start (ISN) and every check that does not depend on
 * winning the state update: handshake ordering, window, ack, letters.
 */
static __always_inline void ct_inspect(struct flow *f, const struct ct_pkt *p, struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u8 cls = w->cls;
	__u8 syn = (p->flags & TCP_FL_SYN) != 0;
	__u8 fin = (p->flags & TCP_FL_FIN) != 0;
	__u8 rst = (p->flags & TCP_FL_RST) != 0;
	__u8 ack = (p->flags & TCP_FL_ACK) != 0;
	__u32 end = p->seq + p->len + syn + fin;
	__u32 isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	__u32 peer_isn_bit = dir ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;
	__u32 ctl = f->ctl, anom = 0, facts = 0, letters, want = 0;
	__u8 state = ctl & CT_CTL_STATE_MASK;
	/* the peer's highest ack is 0 until it acks something (an ack of 0 is
	 * taken as none: one value in 2^32) */
	__u8 rd_acked = rd->ack != 0;
	int i, n;

	w->sd_seen = sd->pkts != 0;
	w->rd_seen = rd->pkts != 0;
	/* a side whose only segments failed a check (a stale SYN-ACK) has
	 * packets but no sequence space yet */
	w->sd_known = w->sd_seen && (sd->end || (ctl & isn_bit));
	w->upd_seq = 1;

	/* SYN-ACK: must ack the live ISN of the peer (seed-notes §1, §4); data
	 * on the SYN (TCP Fast Open) may be acked with it */
	if (cls == CT_CLASS_SYNACK) {
		if (ctl & peer_isn_bit) {
			if (seq_before(p->ack, rd->isn + 1) || seq_after(p->ack, rd->end)) {
				anom |= CT_ANOM_BAD_SYNACK_ACK;
				facts |= CT_PF_SYNACK_BAD;
				w->upd_seq = 0;
			}
		} else if (state == CT_STATE_NONE) {
			anom |= CT_ANOM_SYNACK_WITHOUT_SYN;
			rd->isn = p->ack - 1;	/* the unseen SYN's seq */
			rd->end = p->ack;
		}
	}

	/* this side's ISN: its first SYN, a retry with a new ISN, or a stray */
	if (syn && w->upd_seq) {
		if (p->seq == sd->isn && (ctl & isn_bit)) {
			/* the same ISN again: a retransmission, unless it is
			 * this side's first SYN-ACK after its own SYN (a
			 * simultaneous open) */
			w->retx = cls == CT_CLASS_SYN ||
				  (f->flags[dir] & (TCP_FL_SYN | TCP_FL_ACK)) ==
					  (TCP_FL_SYN | TCP_FL_ACK);
		} else if (state == CT_STATE_SYN_RECV && cls == CT_CLASS_SYN) {
			/* a new ISN once answered: nf_conntrack ignores it, and
			 * so the live handshake survives a blind SYN */
			w->upd_seq = 0;
		} else if (ct_is_halfopen(state) || state == CT_STATE_NONE ||
			   (!(ctl & isn_bit) && cls == CT_CLASS_SYNACK)) {
			/* first SYN of this side, or a retry with a new ISN:
			 * the newest one is the live ISN (seed-notes §4) */
			if (!(ctl & isn_bit))
				w->new_bytes = p->len;	/* data on a SYN (TFO) */
			sd->isn = p->seq;
			/* a late SYN-ACK of a flow picked up mid-stream does
			 * not rewind what was already seen */
			if (ct_is_halfopen(state) || state == CT_STATE_NONE || !w->sd_known ||
			    seq_after(end, sd->end))
				sd->end = end;
			f->wscale[dir] = p->wscale;
			w->set |= isn_bit;
		} else {
			/* a SYN with another ISN on a live tuple: stale or forged */
			if (cls == CT_CLASS_SYN)
				anom |= CT_ANOM_SYN_ON_ESTABLISHED;
			w->upd_seq = 0;
		}
	}

	/* the handshake's third segment: ack = y + 1, seq = x + 1 (§1) */
	if (state == CT_STATE_SYN_RECV && cls == CT_CLASS_ACK &&
	    (dir == CT_DIR_ORIG || (ctl & CT_CTL_SIMOPEN))) {
		/* (data the responder sent early, TFO, may be acked too) */
		if (((ctl & peer_isn_bit) &&
		     (seq_before(p->ack, rd->isn + 1) || seq_after(p->ack, rd->end))) ||
		    ((ctl & isn_bit) && p->seq != sd->isn + 1 && p->seq != sd->end)) {
			anom |= CT_ANOM_BAD_HANDSHAKE_ACK;
			facts |= CT_PF_HSACK_BAD;
		}
	}

	/* ordering: nothing but a SYN-ACK or RST answers a SYN */
	if ((state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_SENT2) && ack &&
	    cls != CT_CLASS_SYNACK && cls != CT_CLASS_RST)
		anom |= CT_ANOM_ACK_BEFORE_SYNACK;
	if (p->len && !syn && !rst &&
	    (state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_SENT2 ||
	     (state == CT_STATE_SYN_RECV && dir == CT_DIR_RESP && !(ctl & CT_CTL_SIMOPEN))))
		anom |= CT_ANOM_DATA_BEFORE_ESTABLISHED;
	if (state == CT_STATE_NONE && cls != CT_CLASS_SYN && cls != CT_CLASS_SYNACK)
		anom |= CT_ANOM_MIDSTREAM;

	/* window and ack checks, in the spirit of nf_conntrack's tcp_in_window */
	if (rst) {
		__u8 bad = 0, exact = 1;

		if ((state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_SENT2) &&
		    dir == CT_DIR_RESP) {
			/* a refusal must ack the SYN exactly (RFC 793 p.36) */
			bad = ack && p->ack != 0 && p->ack != rd->end;
		} else if (ct_is_halfopen(state) && dir == CT_DIR_ORIG) {
			/* the originator aborts its live attempt at ISN + 1; a
			 * reset of a stale attempt (seed-notes §4) is not that */
			exact = !(ctl & isn_bit) || p->seq == sd->end;
		} else if (rd_acked) {
			/* blind reset: seq must be where the peer expects data */
			bad = seq_before(p->seq, rd->ack) ||
			      ((ctl & CT_CTL_WINDOW_KNOWN) &&
			       seq_after(p->seq, rd->ack + ct_scaled_win(f, dir ^ 1, ctl)));
			/* and exactly there, or right after the sender's own
			 * last segment (nf_conntrack's two cases) */
			exact = p->seq == rd->ack || (w->sd_known && p->seq == sd->end);
		} else if (w->sd_known && state >= CT_STATE_ESTABLISHED) {
			exact = p->seq == sd->end;
		}
		if (bad) {
			anom |= CT_ANOM_RST_OUT_OF_WINDOW;
			facts |= CT_PF_WINDOW_BAD;
		} else if (!exact) {
			anom |= CT_ANOM_RST_SEQ_INEXACT;
			facts |= CT_PF_RST_INEXACT;
		}
	} else if (!syn) {
		/* up to one past the peer's data: a keepalive or window probe
		 * sends seq = snd_nxt - 1, and its answer acks snd_nxt */
		if (ack && w->rd_seen && seq_after(p->ack, rd->end + 1)) {
			anom |= CT_ANOM_ACK_UNSENT_DATA;
			facts |= CT_PF_WINDOW_BAD;
		}
		if ((ctl & CT_CTL_WINDOW_KNOWN) && rd_acked &&
		    seq_after(p->seq, rd->ack + ct_scaled_win(f, dir ^ 1, ctl))) {
			anom |= CT_ANOM_SEQ_OUT_OF_WINDOW;
			facts |= CT_PF_WINDOW_BAD;
		}
	}

	/* history letters, in Zeek's order: flag letter, w, t, g */
	if (syn)
		letters = ct_letter_code(cls == CT_CLASS_SYNACK ? CT_HIST_SYNACK : CT_HIST_SYN, dir);
	else if (fin)
		letters = ct_letter_code(CT_HIST_FIN, dir);
	else if (rst)
		letters = ct_letter_code(CT_HIST_RST, dir);
	else if (p->len)
		letters = ct_letter_code(CT_HIST_DATA, dir);
	else
		letters = ct_letter_code(CT_HIST_ACK, dir);
	n = 1;
	if (!p->win && !rst)
		letters |= ct_letter_code(CT_HIST_ZEROWIN, dir) << (CT_HIST_BITS * n++);
	if (w->sd_known && p->len && !syn && !rst && !seq_after(end, sd->end))
		letters |= ct_letter_code(CT_HIST_RETRANS, dir) << (CT_HIST_BITS * n++);
	/* a hole in this side's data, or an ack of peer data never seen */
	if (state >= CT_STATE_ESTABLISHED && state <= CT_STATE_TIME_WAIT && w->sd_known && !syn &&
	    !rst && !(facts & CT_PF_WINDOW_BAD) && seq_after(p->seq, sd->end))
		letters |= ct_letter_code(CT_HIST_GAP, dir) << (CT_HIST_BITS * n++);
	if (anom & CT_ANOM_ACK_UNSENT_DATA)
		letters |= ct_letter_code(CT_HIST_GAP, dir ^ 1) << (CT_HIST_BITS * n++);
	for (i = 0; i < CT_LETTERS_MAX; i++) {
		__u32 code = (letters >> (CT_HIST_BITS * i)) & 0x1f;

		if (!code)
			break;
		want |= ct_letter_bit(code);
	}
	w->anom = anom;
	w->facts = facts;
	w->letters = letters;
	w->want = want;
}

/*
 * ct_commit - the state transition and ctl bits, by compare-and-swap
 * against the other hook. Fills res and w->claimed.
 */
static __always_inline void ct_commit(struct flow *f, struct ct_work *w, struct ct_result *res)
{
	__u32 cur = f->ctl, ctl, next_ctl = cur;
	__u8 dir = w->dir & 1, cls = w->cls;
	__u8 next = cur & CT_CTL_STATE_MASK, verdict = CT_VERDICT_ACCEPT;
	int i;

	res->old_state = cur & CT_CTL_STATE_MASK;
	for (i = 0; i < CT_CAS_TRIES; i++) {
		__u8 st = cur & CT_CTL_STATE_MASK;
		__u8 raw;

		if (st == CT_STATE_NONE) {
			raw = next = ct_initial_state(cls);
		} else {
			raw = ct_next_state(st, cls, dir);
			next = ct_transition(st, cls, dir,
					     w->facts | ((cur & CT_CTL_SIMOPEN) ? CT_PF_SIMOPEN : 0));
		}
		verdict = raw == CT_NEXT_INVALID ? CT_VERDICT_INVALID :
			  raw == CT_NEXT_IGNORE ? CT_VERDICT_IGNORE : CT_VERDICT_ACCEPT;
		if (w->facts & CT_PF_WINDOW_BAD)
			verdict = CT_VERDICT_INVALID;
		else if (verdict == CT_VERDICT_ACCEPT && next == st && st != CT_STATE_NONE &&
			 (w->facts & (CT_PF_SYNACK_BAD | CT_PF_HSACK_BAD)))
			verdict = CT_VERDICT_INVALID;
		next_ctl = (cur & ~CT_CTL_STATE_MASK) | next | w->set | w->want;
		if (st == CT_STATE_SYN_RECV && next == CT_STATE_ESTABLISHED)
			next_ctl |= CT_CTL_ESTABLISHED_ONCE;
		if (next == CT_STATE_SYN_SENT2)
			next_ctl |= CT_CTL_SIMOPEN;
		if (w->rd_seen)
			next_ctl |= CT_CTL_REPLIED;
		if ((next_ctl & (CT_CTL_ISN_ORIG | CT_CTL_ISN_RESP)) ==
		    (CT_CTL_ISN_ORIG | CT_CTL_ISN_RESP)) {
			next_ctl |= CT_CTL_WINDOW_KNOWN;
			if (f->wscale[0] != CT_WSCALE_NONE && f->wscale[1] != CT_WSCALE_NONE)
				next_ctl |= CT_CTL_WSCALE_OK;
		}
		if (next_ctl == cur)
			break;
		ctl = __sync_val_compare_and_swap(&f->ctl, cur, next_ctl);
		if (ctl == cur) {
			res->completed = st == CT_STATE_SYN_RECV && next == CT_STATE_ESTABLISHED;
			w->wscale_new = (next_ctl & CT_CTL_WSCALE_OK) && !(cur & CT_CTL_WSCALE_OK);
			break;
		}
		cur = ctl;
	}
	w->claimed = w->want & ~cur;
	res->ctl = next_ctl;
	res->new_state = next;
	res->verdict = verdict;
	res->synack_bad = (w->facts & CT_PF_SYNACK_BAD) != 0;
	if (w->retx) {
		res->syn_retx = cls == CT_CLASS_SYN;
		res->synack_retx = cls == CT_CLASS_SYNACK;
	}
}

/*
 * ct_account - sequence/ack progress (never from a segment that failed a
 * check), counters, times, timeout, anomalies and history letters.
 */
static __always_inline void ct_account(struct flow *f, const struct ct_pkt *p, struct ct_work *w,
				       struct ct_result *res, __u64 now)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u8 syn = (p->flags & TCP_FL_SYN) != 0;
	__u8 fin = (p->flags & TCP_FL_FIN) != 0;
	__u8 rst = (p->flags & TCP_FL_RST) != 0;
	__u8 ack = (p->flags & TCP_FL_ACK) != 0;
	__u32 end = p->seq + p->len + syn + fin;
	__u32 ctl = res->ctl, anom = w->anom;
	__u32 isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	__u32 peer_isn_bit = dir ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;
	int i, t;

	if (w->upd_seq && !(w->facts & (CT_PF_WINDOW_BAD | CT_PF_HSACK_BAD))) {
		__u32 data_end = p->seq + syn + p->len;

		if (!w->sd_known && !syn && !(ctl & isn_bit)) {
			/* picked up without its SYN: Zeek's start = seq - 1,
			 * or below it if the peer already acked less (data in
			 * flight), so acked bytes never start negative */
			sd->isn = p->seq - 1;
			if (rd->ack && seq_before(rd->ack, p->seq))
				sd->isn = rd->ack - 1;
			sd->end = end;
			/* a reset's payload is a diagnostic, not stream data */
			w->new_bytes = rst ? 0 : p->len;
		} else if (!rst && seq_after(end, sd->end)) {
			/* bytes by sequence number: once each, and a gap the
			 * capture missed counts, as in Zeek's orig_bytes */
			if (!syn && seq_after(data_end, sd->end))
				w->new_bytes = data_end - sd->end;
			if (end < sd->end)
				anom |= CT_ANOM_SEQ_WRAPPED;
			sd->end = end;
		}
		if (ack && !rst) {
			if (!(ctl & peer_isn_bit) && !sd->ack &&
			    (!w->rd_seen || seq_before(p->ack, rd->isn + 1))) {
				/* the peer is silent so far, its data starts at
				 * ack; or it was picked up ahead of this ack */
				rd->isn = p->ack - 1;
				if (!w->rd_seen)
					rd->end = p->ack;
			}
			/* a keepalive picked up as the peer's first segment
			 * sat one below its snd_nxt: this ack says where */
			if (!(ctl & peer_isn_bit) && p->ack == rd->end + 1)
				rd->end = p->ack;
			if (!sd->ack || seq_after(p->ack, sd->ack)) {
				/* a wrap: the offset past the peer's ISN fell
				 * (the ISN is never moved above an ack taken) */
				if (sd->ack && p->ack - (rd->isn + 1) < sd->ack - (rd->isn + 1))
					sd->ack_wraps++;
				sd->ack = p->ack;
			}
		}
		/* RFC 7323 §2.2: a SYN's window is never scaled */
		if (!rst && !syn && p->win > sd->max_win)
			sd->max_win = p->win;
		else if (syn && !sd->max_win)
			sd->max_win = p->win;
	}
	/* once both scales are known, the SYN windows become scaled units
	 * (rounded up), so scaling them back gives what was advertised */
	if (w->wscale_new) {
		for (i = 0; i < 2; i++) {
			__u8 ws = f->wscale[i] > 14 ? 14 : f->wscale[i];
			__u32 mw = f->dir[i].max_win;

			f->dir[i].max_win = (__u16)((mw + (1u << ws) - 1) >> ws);
		}
	}
	if (w->hook)
		sd->hooks |= w->hook;
	if (f->dir[0].hooks & f->dir[1].hooks)
		anom |= CT_ANOM_ONE_HOOK_BOTH_WAYS;
	if (w->retx)
		sd->syn_again = 1;

	__sync_fetch_and_add(&sd->pkts, p->segs);
	__sync_fetch_and_add(&sd->ip_bytes, ct_ip_bytes(p));
	if (w->new_bytes)
		__sync_fetch_and_add(&sd->bytes, w->new_bytes);
	if (!w->sd_seen)
		sd->first_ns = now;
	if (now > sd->last_ns)
		sd->last_ns = now;
	f->flags[dir] |= p->flags;

	/* an accepted segment refreshes the timeout; a SYN sent again before
	 * any reply does not (nf_conntrack), so an unanswered attempt ends
	 * SYN_SENT seconds after its first SYN */
	if (res->verdict == CT_VERDICT_ACCEPT && !(w->retx && !w->rd_seen))
		f->expires_ns = now + w->timeout_ns;
	/* ack_rtt_us holds the valid SYN-ACK's time (µs after the responder's
	 * first packet, which may have been a stale SYN-ACK) until the
	 * handshake completes, then SYN-ACK -> ACK */
	if (w->cls == CT_CLASS_SYNACK && res->new_state == CT_STATE_SYN_RECV &&
	    res->old_state != CT_STATE_SYN_RECV && !res->synack_bad)
		f->ack_rtt_us = (__u32)((now - f->dir[CT_DIR_RESP].first_ns) / 1000);
	if (res->completed) {
		__u64 us = (now - f->dir[CT_DIR_RESP].first_ns) / 1000;

		f->ack_rtt_us = us > f->ack_rtt_us ? (__u32)(us - f->ack_rtt_us) : 0;
	}

	anom &= ~f->anomalies;
	if (anom) {
		__sync_fetch_and_or(&f->anomalies, anom);
		res->new_anomalies = anom;
	}

	if (w->claimed) {
		__u64 old = f->history, h;
		unsigned int want = 0;

		for (t = 0; t < CT_CAS_TRIES; t++) {
			h = old;
			want = 0;
			for (i = 0; i < CT_LETTERS_MAX; i++) {
				__u32 code = (w->letters >> (CT_HIST_BITS * i)) & 0x1f;

				if (!code)
					break;
				if (w->claimed & ct_letter_bit(code)) {
					h = ct_hist_append(h, code);
					want++;
				}
			}
			if (h == old)
				break;
			if (__sync_val_compare_and_swap(&f->history, old, h) == old)
				break;
			old = f->history;
		}
		/* a letter that did not fit: the history shown is cut short */
		if (ct_hist_count(h) - ct_hist_count(old) < want)
			__sync_fetch_and_or(&f->ctl, CT_CTL_HIST_FULL);
	}
}

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
	CT_PHASE(ct_account)(f, p, &w, res, now);
}

#endif /* XDPCT_CT_TRACK_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ct_inspect.h - ct_track's first phase: what a segment means for its flow.
 *
 * The sequence start (ISN) and every check that does not depend on winning
 * the state update: handshake ordering, the host's acceptance rules
 * (ct_window.h), the loss bookkeeping and the history letters. Only the
 * ISN fields of the record are written here. Included by ct_track.h.
 */
#ifndef XDPCT_CT_INSPECT_H
#define XDPCT_CT_INSPECT_H

/* ct_inspect_flags - the flags as the host acts on them: RST wins (Linux's
 * tcp_validate_incoming checks it before SYN; FIN is not looked at). */
static __always_inline void ct_inspect_flags(const struct ct_pkt *p, struct ct_work *w)
{
	w->rst = (p->flags & TCP_FL_RST) != 0;
	w->syn = !w->rst && (p->flags & TCP_FL_SYN);
	w->fin = !w->rst && (p->flags & TCP_FL_FIN);
	w->ack = (p->flags & TCP_FL_ACK) != 0;
}

/* ct_inspect_synack - a SYN-ACK must ack the live ISN of the peer
 * (seed-notes §1, §4); data on the SYN (TCP Fast Open) may be acked with it. */
static __always_inline void ct_inspect_synack(struct flow *f, const struct ct_pkt *p,
					      struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl, peer_isn_bit = dir ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;

	if (w->cls != CT_CLASS_SYNACK)
		return;
	if (ctl & peer_isn_bit) {
		if (seq_before(p->ack, rd->isn + 1) || seq_after(p->ack, rd->end)) {
			w->anom |= CT_ANOM_BAD_SYNACK_ACK;
			w->facts |= CT_PF_SYNACK_BAD;
			w->upd_seq = 0;
		}
	} else if ((ctl & CT_CTL_STATE_MASK) == CT_STATE_NONE) {
		w->anom |= CT_ANOM_SYNACK_WITHOUT_SYN;
		rd->isn = p->ack - 1;	/* the unseen SYN's seq */
		rd->end = p->ack;
	}
}

/* ct_inspect_isn - this side's ISN: its first SYN, a retry with a new ISN,
 * or a stray SYN on a live tuple. */
static __always_inline void ct_inspect_isn(struct flow *f, const struct ct_pkt *p,
					   struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	__u32 ctl = f->ctl, isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	__u32 end = p->seq + p->len + 1;
	__u8 state = ctl & CT_CTL_STATE_MASK;

	if (!w->syn || !w->upd_seq)
		return;
	if (p->seq == sd->isn && (ctl & isn_bit)) {
		/* the same ISN again: a retransmission, unless it is this
		 * side's first SYN-ACK after its own SYN (a simultaneous open) */
		w->retx = w->cls == CT_CLASS_SYN ||
			  (f->flags[dir] & (TCP_FL_SYN | TCP_FL_ACK)) == (TCP_FL_SYN | TCP_FL_ACK);
	} else if (state == CT_STATE_SYN_RECV && w->cls == CT_CLASS_SYN) {
		/* a new ISN once answered: nf_conntrack ignores it, and so
		 * the live handshake survives a blind SYN */
		w->upd_seq = 0;
	} else if (ct_is_halfopen(state) || state == CT_STATE_NONE ||
		   (!(ctl & isn_bit) && w->cls == CT_CLASS_SYNACK)) {
		/* first SYN of this side, or a retry with a new ISN: the newest
		 * one is the live ISN (seed-notes §4). Data on a SYN counts only
		 * once the SYN-ACK acks it (Fast Open, ct_account_tfo): Linux's
		 * tcp_conn_request drops it without a valid cookie. */
		if (!(ctl & isn_bit) && w->cls == CT_CLASS_SYNACK)
			w->new_bytes = p->len;
		sd->isn = p->seq;
		/* a late SYN-ACK of a flow picked up mid-stream does not
		 * rewind what was already seen */
		if (ct_is_halfopen(state) || state == CT_STATE_NONE || !w->sd_known ||
		    seq_after(end, sd->end))
			sd->end = end;
		f->wscale[dir] = p->wscale;
		w->set |= isn_bit;
	} else {
		/* a SYN with another ISN on a live tuple: stale or forged (on a
		 * TIME_WAIT one, refused by ct_reopen_allowed, it is no anomaly) */
		if (w->cls == CT_CLASS_SYN && state != CT_STATE_TIME_WAIT)
			w->anom |= CT_ANOM_SYN_ON_ESTABLISHED;
		w->upd_seq = 0;
	}
}

/* ct_inspect_order - the handshake's third segment (ack = y + 1, seq = x + 1,
 * §1) and what may not come before the handshake completed. */
static __always_inline void ct_inspect_order(struct flow *f, const struct ct_pkt *p,
					     struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl, isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	__u32 peer_isn_bit = dir ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;
	__u8 state = ctl & CT_CTL_STATE_MASK, cls = w->cls;

	if (state == CT_STATE_SYN_RECV && cls == CT_CLASS_ACK &&
	    (dir == CT_DIR_ORIG || (ctl & CT_CTL_SIMOPEN))) {
		/* (data the responder sent early, TFO, may be acked too) */
		if (((ctl & peer_isn_bit) &&
		     (seq_before(p->ack, rd->isn + 1) || seq_after(p->ack, rd->end))) ||
		    ((ctl & isn_bit) && p->seq != sd->isn + 1 && p->seq != sd->end)) {
			w->anom |= CT_ANOM_BAD_HANDSHAKE_ACK;
			w->facts |= CT_PF_HSACK_BAD;
		}
	}
	/* nothing but a SYN-ACK or RST answers a SYN */
	if ((state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_SENT2) && w->ack &&
	    cls != CT_CLASS_SYNACK && cls != CT_CLASS_RST)
		w->anom |= CT_ANOM_ACK_BEFORE_SYNACK;
	if (p->len && !w->syn && !w->rst &&
	    (state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_SENT2 ||
	     (state == CT_STATE_SYN_RECV && dir == CT_DIR_RESP && !(ctl & CT_CTL_SIMOPEN))))
		w->anom |= CT_ANOM_DATA_BEFORE_ESTABLISHED;
	if (state == CT_STATE_NONE && cls != CT_CLASS_SYN && cls != CT_CLASS_SYNACK)
		w->anom |= CT_ANOM_MIDSTREAM;
	/* a segment through the hook the other direction uses: one host
	 * forging both sides (ct_track_fast sends it here); flagged if the
	 * state machine takes it (ct_account_counts) */
	if (w->hook && (f->dir[dir ^ 1].hooks & w->hook))
		w->one_hook = 1;
}

/*
 * ct_fins_acked - after this segment, is every FIN that was acted on acked
 * (ack = its seq + 1)? A deferred FIN (HOLE still set) has not acted.
 */
static __always_inline int ct_fins_acked(const struct flow *f, const struct ct_pkt *p,
					 const struct ct_work *w, __u32 ctl)
{
	__u8 dir = w->dir & 1;
	const struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	const struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 my_ack = sd->ack;

	if (w->ack && !(w->facts & CT_PF_WINDOW_BAD) && (!my_ack || seq_after(p->ack, my_ack)))
		my_ack = p->ack;
	/* the peer's FIN, acked by this segment's sender */
	if ((ctl & CT_CTL_FIN_SEEN(dir ^ 1)) && !(ctl & CT_CTL_HOLE(dir ^ 1)) &&
	    seq_before(my_ack, rd->end))
		return 0;
	/* the sender's own FIN, acked by the peer */
	if ((ctl & CT_CTL_FIN_SEEN(dir)) && !(ctl & CT_CTL_HOLE(dir)) && seq_before(rd->ack, sd->end))
		return 0;
	return 1;
}

/*
 * ct_inspect_loss - holes and resynchronisation. A jump past the sender's
 * end is a hole: if the peer had already acked data never seen, the capture
 * lost it (Zeek's gap 'g', at once); else the gap is recorded only when the
 * peer acks past it, and a retransmission filling it is just 't'. A FIN
 * after a hole is pending until the receiver acks beyond it or a FIN comes
 * in order (ct_check_close).
 */
static __always_inline void ct_inspect_loss(struct flow *f, const struct ct_pkt *p,
					    struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl, end = p->seq + p->len + w->fin;
	int ok = w->upd_seq && !(w->facts & (CT_PF_WINDOW_BAD | CT_PF_HSACK_BAD));

	if (!ok || w->syn || w->rst)
		return;
	if (w->fin_defer) {
		/* a FIN beyond a hole: pending, nothing moves (ct_check_close) */
		w->set |= CT_CTL_FIN_SEEN(dir) | CT_CTL_HOLE(dir);
		w->cls = CT_CLASS_ACK;
	} else if (w->sd_known && seq_after(p->seq, sd->end)) {
		w->jump = 1;
		if (ctl & CT_CTL_UNSEEN(dir))
			w->clear |= CT_CTL_UNSEEN(dir);
		else
			w->set |= CT_CTL_HOLE(dir);
	} else if (w->sd_known) {
		/* the data the peer acked early showed up in order */
		if ((ctl & CT_CTL_UNSEEN(dir)) && seq_after(end, sd->end))
			w->clear |= CT_CTL_UNSEEN(dir);
		/* a retransmission fills a data hole: no gap */
		if ((ctl & CT_CTL_HOLE(dir)) && !(ctl & CT_CTL_FIN_SEEN(dir)) && p->len &&
		    !seq_after(end, sd->end))
			w->clear |= CT_CTL_HOLE(dir);
	}
	/* a FIN in order acts; a data hole still open before it is a gap now
	 * (the FIN closes the stream), a pending FIN is this one */
	if (w->fin && !w->fin_retx && !w->fin_defer) {
		w->set |= CT_CTL_FIN_SEEN(dir);
		if ((ctl & CT_CTL_HOLE(dir)) && !w->jump) {
			w->clear |= CT_CTL_HOLE(dir);
			w->gap_self = !(ctl & CT_CTL_FIN_SEEN(dir));
		}
	}
	if (w->fin_retx)
		w->cls = CT_CLASS_ACK;
	if (w->ack && (ctl & CT_CTL_HOLE(dir ^ 1)) && !(ctl & CT_CTL_FIN_SEEN(dir ^ 1)) &&
	    !seq_before(p->ack, rd->end)) {
		w->past_hole = 1;
		w->clear |= CT_CTL_HOLE(dir ^ 1);
	}
	if (w->fin_acked) {
		/* a gap unless only the FIN itself was not seen */
		w->past_hole = p->ack - 1 != rd->end;
		w->peer_fin = 1;
		w->clear |= CT_CTL_HOLE(dir ^ 1);
	}
	if (w->resync)
		w->clear |= CT_CTL_UNSEEN(dir ^ 1);
	if (ct_fins_acked(f, p, w, (ctl | w->set) & ~w->clear))
		w->facts |= CT_PF_FINS_ACKED;
}

/* ct_inspect_letters - the history letters, in Zeek's order: flag letter,
 * w, t, g (this side's gap, then the peer's). */
static __always_inline void ct_inspect_letters(struct flow *f, const struct ct_pkt *p,
					       struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	__u32 end = p->seq + p->len + w->syn + w->fin, letters;
	int n = 1;

	if (w->syn)
		letters = ct_letter_code(w->cls == CT_CLASS_SYNACK ? CT_HIST_SYNACK : CT_HIST_SYN, dir);
	else if (w->rst)
		letters = ct_letter_code(CT_HIST_RST, dir);
	else if (w->fin)
		letters = ct_letter_code(CT_HIST_FIN, dir);
	else if (p->len)
		letters = ct_letter_code(CT_HIST_DATA, dir);
	else
		letters = ct_letter_code(CT_HIST_ACK, dir);
	if (!p->win && !w->rst)
		letters |= ct_letter_code(CT_HIST_ZEROWIN, dir) << (CT_HIST_BITS * n++);
	if (w->sd_known && p->len && !w->syn && !w->rst && !seq_after(end, sd->end))
		letters |= ct_letter_code(CT_HIST_RETRANS, dir) << (CT_HIST_BITS * n++);
	if ((w->jump && (f->ctl & CT_CTL_UNSEEN(dir))) || w->gap_self)
		letters |= ct_letter_code(CT_HIST_GAP, dir) << (CT_HIST_BITS * n++);
	if (w->past_hole || w->resync)
		letters |= ct_letter_code(CT_HIST_GAP, dir ^ 1) << (CT_HIST_BITS * n++);
	w->letters = letters;
	w->want = CT_PHASE(ct_letters_bits)(letters);
}

/*
 * ct_hist_flip - the history with every letter's side swapped (upper and
 * lower case), for a flow whose orientation turned out wrong.
 */
static __always_inline __u64 ct_hist_flip(__u64 h)
{
	__u64 out = h & (0xfull << CT_HIST_COUNT_SHIFT);
	int i;

	for (i = 0; i < CT_HIST_SLOTS; i++) {
		__u32 code = (h >> (i * CT_HIST_BITS)) & 0x1f;

		if (code >= 1 && code <= CT_HIST_KINDS)
			code += CT_HIST_KINDS;
		else if (code > CT_HIST_KINDS && code <= 2 * CT_HIST_KINDS)
			code -= CT_HIST_KINDS;
		else if (code == CT_HIST_CODE_CSUM(0) || code == CT_HIST_CODE_CSUM(1))
			code = CT_HIST_CODE_CSUM(0) + CT_HIST_CODE_CSUM(1) - code;
		out |= (__u64)code << (i * CT_HIST_BITS);
	}
	return out;
}

/*
 * ct_inspect_orientation - a flow first seen at a SYN-ACK (its receiver
 * taken as the originator) whose SYN never showed, and whose SYN-ACK sender
 * now sends a SYN: that SYN-ACK answered nothing, and the SYN's sender is
 * the originator. The record is turned round and starts again from the
 * SYN (its counters kept); w->dir follows.
 */
static __always_inline void ct_inspect_orientation(struct flow *f, struct ct_work *w)
{
	__u64 *d0 = (__u64 *)&f->dir[0], *d1 = (__u64 *)&f->dir[1], t;
	__u32 ctl = f->ctl, grp = 0x1ffu, o, r;
	unsigned int i;
	__u8 b;

	if (w->cls != CT_CLASS_SYN || w->dir != CT_DIR_RESP ||
	    (ctl & CT_CTL_STATE_MASK) != CT_STATE_SYN_RECV || !(ctl & CT_CTL_FIRST_RESP) ||
	    (ctl & (CT_CTL_ISN_ORIG | CT_CTL_ESTABLISHED_ONCE | CT_CTL_SIMOPEN)) ||
	    f->dir[CT_DIR_ORIG].pkts)
		return;
	/* word by word: a struct-sized temporary would not fit the BPF stack */
	for (i = 0; i < sizeof(f->dir[0]) / sizeof(__u64); i++) {
		t = d0[i];
		d0[i] = d1[i];
		d1[i] = t;
	}
	/* the new responder sent nothing: its sequence space is unknown */
	f->dir[1].isn = 0;
	f->dir[1].end = 0;
	f->dir[1].ack = 0;
	b = f->flags[0];
	f->flags[0] = f->flags[1];
	f->flags[1] = b;
	b = f->wscale[0];
	f->wscale[0] = f->wscale[1];
	f->wscale[1] = b;
	f->history = ct_hist_flip(f->history);
	o = (ctl >> CT_CTL_HIST_SHIFT) & grp;
	r = (ctl >> (CT_CTL_HIST_SHIFT + CT_HIST_KINDS)) & grp;
	ctl &= ~(CT_CTL_HIST_MASK | CT_CTL_STATE_MASK | CT_CTL_FIRST_RESP | CT_CTL_ISN_RESP |
		 CT_CTL_WINDOW_KNOWN | CT_CTL_WSCALE_OK);
	ctl |= (r << CT_CTL_HIST_SHIFT) | (o << (CT_CTL_HIST_SHIFT + CT_HIST_KINDS));
	/* its SYN is a letter of its own after the SYN-ACK it sent */
	ctl &= ~ct_hist_bit(CT_HIST_SYN, CT_DIR_ORIG);
	ctl ^= CT_CTL_ORIG_SIDE;
	f->ctl = ctl;
	w->dir = CT_DIR_ORIG;
}

/*
 * ct_inspect - what segment p means for flow f (struct ct_work); writes
 * only the ISN fields of a side whose SYN this is.
 */
static __always_inline void ct_inspect(struct flow *f, const struct ct_pkt *p, struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;

	if (p->csum_bad) {
		w->csum_bad = 1;
		w->letters = CT_HIST_CODE_CSUM(dir);
		return;
	}
	ct_inspect_orientation(f, w);
	dir = w->dir & 1;
	sd = dir ? &f->dir[1] : &f->dir[0];
	rd = dir ? &f->dir[0] : &f->dir[1];
	isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	ct_inspect_flags(p, w);
	w->sd_seen = sd->pkts != 0;
	w->rd_seen = rd->pkts != 0;
	/* a side whose only segments failed a check (a stale SYN-ACK) has
	 * packets but no sequence space yet */
	w->sd_known = w->sd_seen && (sd->end || (f->ctl & isn_bit));
	w->upd_seq = 1;
	ct_inspect_synack(f, p, w);
	ct_inspect_isn(f, p, w);
	ct_inspect_order(f, p, w);
	if (w->rst)
		ct_check_rst(f, p, w);
	else if (!w->syn)
		ct_check_segment(f, p, w);
	ct_inspect_loss(f, p, w);
	ct_inspect_letters(f, p, w);
}

#endif /* XDPCT_CT_INSPECT_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ct_window.h - which segments the receiving host would act on.
 *
 * The sequence and ack bounds of nf_conntrack's tcp_in_window, the ACK-bit
 * and FIN-order rules of Linux's receive path, and the resynchronisation
 * after a capture-loss hole. Each check only adds anomaly bits and CT_PF_*
 * facts to struct ct_work (ct_track.h); nothing here writes the record.
 * Included by ct_track.h.
 */
#ifndef XDPCT_CT_WINDOW_H
#define XDPCT_CT_WINDOW_H

/* nf_conntrack's MAXACKWINDOW floor: acks may lag this far behind */
#define CT_MIN_ACK_WIN		66000u
/* largest window shift (RFC 7323 §2.3), for flows whose scale is unknown */
#define CT_MAX_WSCALE		14

/* Window scale shifts are capped at 14 (RFC 7323 §2.3). */
static __always_inline __u32 ct_scaled_win(const struct flow *f, __u8 side, __u32 ctl)
{
	__u8 ws = f->wscale[side & 1];

	if (!(ctl & CT_CTL_WSCALE_OK) || ws == CT_WSCALE_NONE)
		return f->dir[side & 1].max_win;
	if (ws > CT_MAX_WSCALE)
		ws = CT_MAX_WSCALE;
	return (__u32)f->dir[side & 1].max_win << ws;
}

/*
 * ct_liberal_win - the most side's window can be when its scale is not
 * known (a flow picked up mid-stream): its largest raw window at the
 * largest shift, at most 2^30. Bounds a pickup's sequence jumps, so a
 * forged segment cannot add 2^31 bytes.
 */
static __always_inline __u32 ct_liberal_win(const struct flow *f, __u8 side)
{
	__u32 w = f->dir[side & 1].max_win;

	return (w ? w : 0xffffu) << CT_MAX_WSCALE;
}

/*
 * ct_check_rst - a reset acts only at the seq the receiver expects (RFC
 * 5961 §3, tcp_validate_incoming step 2; nf_conntrack's RST cases).
 */
static __always_inline void ct_check_rst(struct flow *f, const struct ct_pkt *p,
					 struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl, isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	__u8 state = ctl & CT_CTL_STATE_MASK, bad = 0, exact = 1;

	if ((state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_SENT2) && dir == CT_DIR_RESP) {
		/* a refusal must ack the SYN exactly (RFC 793 p.36) */
		bad = w->ack && p->ack != 0 && p->ack != rd->end;
	} else if (ct_is_halfopen(state) && dir == CT_DIR_ORIG) {
		/* the originator aborts its live attempt at ISN + 1; a reset
		 * of a stale attempt (seed-notes §4) is not that */
		exact = !(ctl & isn_bit) || p->seq == sd->end;
	} else if (rd->ack != 0) {
		/* blind reset: seq must be where the peer expects data */
		bad = seq_before(p->seq, rd->ack) ||
		      ((ctl & CT_CTL_WINDOW_KNOWN) &&
		       seq_after(p->seq, rd->ack + ct_scaled_win(f, dir ^ 1, ctl)));
		/* and exactly there, or right after the sender's own last
		 * segment (nf_conntrack's two cases) */
		exact = p->seq == rd->ack || (w->sd_known && p->seq == sd->end);
	} else if (w->sd_known && state >= CT_STATE_ESTABLISHED) {
		exact = p->seq == sd->end;
	}
	if (bad) {
		w->anom |= CT_ANOM_RST_OUT_OF_WINDOW;
		w->facts |= CT_PF_WINDOW_BAD;
	} else if (!exact) {
		w->anom |= CT_ANOM_RST_SEQ_INEXACT;
		w->facts |= CT_PF_RST_INEXACT;
	}
}

/*
 * ct_check_ack - nf_conntrack's ack bounds: at most the peer's highest end
 * (III; seed-notes §3: 100 bytes from seq 400 are acked as 500, 501 acks
 * unsent data, which Linux's tcp_ack drops) and not far below it (IV).
 * Capture loss looks the same as an ack of unsent data: the first one is
 * refused and remembered (CT_CTL_UNSEEN of the peer); a second one, while
 * the peer showed nothing to the contrary, is the peer's data the capture
 * missed, and is taken (w->resync).
 */
static __always_inline void ct_check_ack(struct flow *f, const struct ct_pkt *p,
					 struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl, peer_isn_bit = dir ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;
	__u32 lim = rd->end, swin;

	if (!w->ack || !w->rd_seen)
		return;
	/* a keepalive picked up as the peer's first segment sat one below
	 * its snd_nxt: without the peer's ISN, one more is no evidence */
	if (!(ctl & peer_isn_bit))
		lim++;
	if (seq_after(p->ack, lim)) {
		swin = ct_liberal_win(f, dir);
		if ((ctl & CT_CTL_FIN_SEEN(dir ^ 1)) && (ctl & CT_CTL_HOLE(dir ^ 1)) &&
		    !(w->facts & CT_PF_WINDOW_BAD) && !seq_after(p->ack, rd->end + swin)) {
			/* the peer's pending FIN (and the hole before it) is
			 * delivered: the receiver acks beyond them */
			w->fin_acked = 1;
		} else if ((ctl & CT_CTL_UNSEEN(dir ^ 1)) && !(w->facts & CT_PF_WINDOW_BAD) &&
			   !seq_after(p->ack, rd->end + swin)) {
			w->resync = 1;
		} else {
			/* remembered only from a segment inside the window: a
			 * blind one cannot prepare a resync */
			if (!(w->facts & CT_PF_WINDOW_BAD))
				w->set |= CT_CTL_UNSEEN(dir ^ 1);
			w->anom |= CT_ANOM_ACK_UNSENT_DATA;
			w->facts |= CT_PF_WINDOW_BAD;
		}
		return;
	}
	swin = ct_scaled_win(f, dir, ctl);
	if ((ctl & CT_CTL_WINDOW_KNOWN) &&
	    seq_before(p->ack, rd->end - (swin > CT_MIN_ACK_WIN ? swin : CT_MIN_ACK_WIN))) {
		w->anom |= CT_ANOM_SEQ_OUT_OF_WINDOW;
		w->facts |= CT_PF_WINDOW_BAD;
	}
}

/*
 * ct_check_seq - nf_conntrack's sequence bounds: seq at most the peer's
 * highest ack plus its window (I), end not a window below the sender's
 * highest end (II). A pickup (no window scale known) is bounded by the
 * liberal window. After the peer acked data never seen (UNSEEN), the
 * sender's own end is the base (the peer's acks were refused), with the
 * same window: a loss beyond it resynchronises through the peer's acks.
 */
static __always_inline void ct_check_seq(struct flow *f, const struct ct_pkt *p,
					 struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 ctl = f->ctl, end = p->seq + p->len + w->fin, base, win;
	__u8 known = (ctl & CT_CTL_WINDOW_KNOWN) != 0, bad = 0;

	if (!w->sd_known)
		return;
	win = known ? ct_scaled_win(f, dir ^ 1, ctl) : ct_liberal_win(f, dir ^ 1);
	base = rd->ack ? rd->ack : sd->end;
	if (!rd->ack)
		win = ct_liberal_win(f, dir ^ 1);
	if ((ctl & CT_CTL_UNSEEN(dir)) && seq_after(sd->end, base))
		base = sd->end;
	if (seq_after(p->seq, base + win))
		bad = 1;
	if (seq_before(end, sd->end - win))
		bad = 1;
	if (bad) {
		w->anom |= CT_ANOM_SEQ_OUT_OF_WINDOW;
		w->facts |= CT_PF_WINDOW_BAD;
	}
}

/*
 * ct_check_close - FIN order and data after a FIN. A FIN again at the same
 * seq is a retransmission (handled as an ACK). A FIN after a hole is queued
 * by Linux (tcp_data_queue) and acts only when the stream reaches it: it is
 * kept pending (FIN_SEEN and HOLE, the sender's end not moved, nothing
 * counted) until the receiver acks beyond what was seen (ct_check_ack) or a
 * FIN comes in order; data reaching past a pending FIN is taken as usual
 * (Linux's tcp_ofo_queue drops a queued FIN the stream went past). Data
 * beyond an acted FIN is dropped by the receiver (tcp_rcv_state_process,
 * CLOSE_WAIT and later), so it is refused.
 */
static __always_inline void ct_check_close(struct flow *f, const struct ct_pkt *p,
					   struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	__u32 ctl = f->ctl, end = p->seq + p->len + w->fin;

	if ((ctl & CT_CTL_FIN_SEEN(dir)) && (ctl & CT_CTL_HOLE(dir))) {
		if (w->fin && p->seq == sd->end)
			w->fin_now = 1;
		else if (w->fin)
			w->fin_retx = 1;
		return;
	}
	if (ctl & CT_CTL_FIN_SEEN(dir)) {
		if ((w->fin && end != sd->end) ||
		    (p->len && seq_after(p->seq + p->len, sd->end - 1)))
			w->facts |= CT_PF_WINDOW_BAD;
		else if (w->fin)
			w->fin_retx = 1;
		return;
	}
	if (w->fin && w->sd_known && !(ctl & CT_CTL_UNSEEN(dir)) && seq_after(p->seq, sd->end))
		w->fin_defer = 1;
}

/*
 * ct_check_segment - every check of a segment without SYN or RST. Linux
 * drops a segment without ACK on a synchronized socket
 * (tcp_rcv_state_process, tcp_validate_incoming): only a flow's first
 * packet may lack it.
 */
static __always_inline void ct_check_segment(struct flow *f, const struct ct_pkt *p,
					     struct ct_work *w)
{
	if (!w->ack && (f->ctl & CT_CTL_STATE_MASK) != CT_STATE_NONE) {
		w->facts |= CT_PF_WINDOW_BAD;
		return;
	}
	ct_check_seq(f, p, w);
	ct_check_ack(f, p, w);
	ct_check_close(f, p, w);
}

#endif /* XDPCT_CT_WINDOW_H */

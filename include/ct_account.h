/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ct_account.h - ct_track's second and third phases: the state transition
 * (ct_commit, by compare-and-swap on ctl) and what the segment adds to the
 * record (ct_account: sequence progress, bytes, counters, times, anomalies,
 * letters). Included by ct_track.h.
 */
#ifndef XDPCT_CT_ACCOUNT_H
#define XDPCT_CT_ACCOUNT_H

/* ct_commit_next - state after the segment from state st, and the verdict. */
static __always_inline __u8 ct_commit_next(const struct ct_work *w, __u8 st, __u32 cur,
					   __u8 *verdict)
{
	__u8 dir = w->dir & 1, cls = w->cls, raw, next;

	if (st == CT_STATE_NONE) {
		raw = next = ct_initial_state(cls);
	} else {
		/* the peer's FIN that waited behind a hole acts first */
		if (w->peer_fin)
			st = ct_transition(st, CT_CLASS_FIN, dir ^ 1, 0);
		raw = ct_next_state(st, cls, dir);
		next = ct_transition(st, cls, dir,
				     w->facts | ((cur & CT_CTL_SIMOPEN) ? CT_PF_SIMOPEN : 0));
	}
	*verdict = raw == CT_NEXT_INVALID ? CT_VERDICT_INVALID :
		   raw == CT_NEXT_IGNORE ? CT_VERDICT_IGNORE : CT_VERDICT_ACCEPT;
	if (w->facts & CT_PF_WINDOW_BAD)
		*verdict = CT_VERDICT_INVALID;
	else if (*verdict == CT_VERDICT_ACCEPT && next == st && st != CT_STATE_NONE &&
		 (w->facts & (CT_PF_SYNACK_BAD | CT_PF_HSACK_BAD)))
		*verdict = CT_VERDICT_INVALID;
	return next;
}

/*
 * ct_commit - the state transition and ctl bits, by compare-and-swap
 * against the other hook. Fills res and w->claimed.
 */
static __always_inline void ct_commit(struct flow *f, struct ct_work *w, struct ct_result *res)
{
	__u32 cur = f->ctl, ctl, next_ctl = cur;
	__u8 next = cur & CT_CTL_STATE_MASK, verdict = CT_VERDICT_INVALID;
	int i;

	res->old_state = cur & CT_CTL_STATE_MASK;
	if (w->csum_bad) {
		res->new_state = res->old_state;
		res->verdict = CT_VERDICT_INVALID;
		res->csum_bad = 1;
		res->ctl = cur;
		return;
	}
	for (i = 0; i < CT_CAS_TRIES; i++) {
		__u8 st = cur & CT_CTL_STATE_MASK;

		next = ct_commit_next(w, st, cur, &verdict);
		next_ctl = ((cur & ~CT_CTL_STATE_MASK) & ~w->clear) | next | w->set | w->want;
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
		res->syn_retx = w->cls == CT_CLASS_SYN;
		res->synack_retx = w->cls == CT_CLASS_SYNACK;
	}
}

/*
 * ct_account_pickup - the first segment of a side picked up without its SYN:
 * Zeek's start = seq - 1, or below it if the peer already acked less (data
 * in flight), so acked bytes never start negative.
 */
static __always_inline void ct_account_pickup(struct flow *f, const struct ct_pkt *p,
					      struct ct_work *w)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];

	sd->isn = p->seq - 1;
	if (rd->ack && seq_before(rd->ack, p->seq))
		sd->isn = rd->ack - 1;
	sd->end = p->seq + p->len + w->fin;
	/* a reset's payload is a diagnostic, not stream data */
	w->new_bytes = w->rst ? 0 : p->len;
}

/*
 * ct_account_ack - this side's highest ack, its wraps past the peer's ISN,
 * and what an ack says about a silent or picked-up peer.
 */
static __always_inline void ct_account_ack(struct flow *f, const struct ct_pkt *p,
					   struct ct_work *w, __u32 ctl)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	struct flow_dir *rd = dir ? &f->dir[0] : &f->dir[1];
	__u32 peer_isn_bit = dir ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;

	if (!(ctl & peer_isn_bit) && !sd->ack &&
	    (!w->rd_seen || seq_before(p->ack, rd->isn + 1))) {
		/* the peer is silent so far, its data starts at ack; or it
		 * was picked up ahead of this ack */
		rd->isn = p->ack - 1;
		if (!w->rd_seen)
			rd->end = p->ack;
	}
	/* a keepalive picked up as the peer's first segment sat one below
	 * its snd_nxt: this ack says where */
	if (!(ctl & peer_isn_bit) && p->ack == rd->end + 1)
		rd->end = p->ack;
	/* the peer's pending FIN is delivered: the hole before it counts,
	 * its own slot does not */
	if (w->fin_acked) {
		__sync_fetch_and_add(&rd->bytes, (__u32)(p->ack - 1 - rd->end));
		rd->end = p->ack;
	}
	/* the peer's data the capture missed, acked twice: its receiver has
	 * it, so it counts (ct_check_ack) */
	if (w->resync) {
		__sync_fetch_and_add(&rd->bytes, (__u32)(p->ack - rd->end));
		rd->end = p->ack;
	}
	if (!sd->ack || seq_after(p->ack, sd->ack)) {
		/* a wrap: the offset past the peer's ISN fell (the ISN is never
		 * moved above an ack taken) */
		if (sd->ack && p->ack - (rd->isn + 1) < sd->ack - (rd->isn + 1))
			sd->ack_wraps++;
		sd->ack = p->ack;
	}
}

/*
 * ct_account_tfo - data on the peer's SYN counts once this first valid
 * SYN-ACK acks it (TCP Fast Open accepted); a SYN-ACK acking only ISN + 1
 * means Linux dropped it (tcp_conn_request without a cookie), and the
 * client sends it again after the handshake.
 */
static __always_inline void ct_account_tfo(struct flow *f, const struct ct_pkt *p,
					   const struct ct_work *w, const struct ct_result *res)
{
	struct flow_dir *rd = (w->dir & 1) ? &f->dir[0] : &f->dir[1];
	__u32 peer_isn_bit = (w->dir & 1) ? CT_CTL_ISN_ORIG : CT_CTL_ISN_RESP;
	__u32 syn_data = rd->end - (rd->isn + 1);

	if (w->cls != CT_CLASS_SYNACK || res->verdict != CT_VERDICT_ACCEPT || res->synack_bad ||
	    w->retx || !(res->ctl & peer_isn_bit) || !syn_data)
		return;
	if (p->ack == rd->end)
		__sync_fetch_and_add(&rd->bytes, syn_data);
	else
		rd->end = rd->isn + 1;
}

/* ct_account_seq - sequence/ack progress and new bytes, never from a
 * segment that failed a check. */
static __always_inline void ct_account_seq(struct flow *f, const struct ct_pkt *p,
					   struct ct_work *w, struct ct_result *res)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	__u32 ctl = res->ctl, end = p->seq + p->len + w->syn + w->fin;
	__u32 isn_bit = dir ? CT_CTL_ISN_RESP : CT_CTL_ISN_ORIG;
	__u32 data_end = p->seq + w->syn + p->len;

	if (!w->upd_seq || (w->facts & (CT_PF_WINDOW_BAD | CT_PF_HSACK_BAD)))
		return;
	if (!w->sd_known && !w->syn && !(ctl & isn_bit)) {
		ct_account_pickup(f, p, w);
	} else if (!w->rst && !w->fin_defer && seq_after(end, sd->end)) {
		/* bytes by sequence number: once each, and a gap the capture
		 * missed counts, as in Zeek's orig_bytes */
		if (!w->syn && seq_after(data_end, sd->end))
			w->new_bytes = data_end - sd->end;
		if (end < sd->end)
			w->anom |= CT_ANOM_SEQ_WRAPPED;
		sd->end = end;
	}
	if (w->ack && !w->rst)
		ct_account_ack(f, p, w, ctl);
	ct_account_tfo(f, p, w, res);
	/* RFC 7323 §2.2: a SYN's window is never scaled */
	if (!w->rst && !w->syn && p->win > sd->max_win)
		sd->max_win = p->win;
	else if (w->syn && !sd->max_win)
		sd->max_win = p->win;
}

/* ct_account_counts - hooks, counters, times and the timeout. */
static __always_inline void ct_account_counts(struct flow *f, const struct ct_pkt *p,
					      struct ct_work *w, struct ct_result *res,
					      __u64 now)
{
	__u8 dir = w->dir & 1;
	struct flow_dir *sd = dir ? &f->dir[1] : &f->dir[0];
	int i;

	/* once both scales are known, the SYN windows become scaled units
	 * (rounded up), so scaling them back gives what was advertised */
	if (w->wscale_new) {
		for (i = 0; i < 2; i++) {
			__u8 ws = f->wscale[i] > CT_MAX_WSCALE ? CT_MAX_WSCALE : f->wscale[i];
			__u32 mw = f->dir[i].max_win;

			f->dir[i].max_win = (__u16)((mw + (1u << ws) - 1) >> ws);
		}
	}
	/* a hook is this direction's only from a segment the host takes */
	if (w->hook && res->verdict == CT_VERDICT_ACCEPT)
		sd->hooks |= w->hook;
	if ((w->one_hook && res->verdict == CT_VERDICT_ACCEPT) ||
	    (f->dir[0].hooks & f->dir[1].hooks))
		w->anom |= CT_ANOM_ONE_HOOK_BOTH_WAYS;
	if (w->retx)
		sd->syn_again = 1;

	__sync_fetch_and_add(&sd->pkts, p->segs);
	__sync_fetch_and_add(&sd->ip_bytes, ct_ip_bytes(p));
	/* forged data of the other side counts no byte */
	if (w->new_bytes && !w->one_hook)
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
}

/* ct_account_rtt - ack_rtt_us holds the valid SYN-ACK's time (µs after the
 * responder's first packet, which may have been a stale SYN-ACK) until the
 * handshake completes, then SYN-ACK -> ACK. */
static __always_inline void ct_account_rtt(struct flow *f, const struct ct_work *w,
					   const struct ct_result *res, __u64 now)
{
	if (w->cls == CT_CLASS_SYNACK && res->new_state == CT_STATE_SYN_RECV &&
	    res->old_state != CT_STATE_SYN_RECV && !res->synack_bad)
		f->ack_rtt_us = (__u32)((now - f->dir[CT_DIR_RESP].first_ns) / 1000);
	if (res->completed) {
		__u64 us = (now - f->dir[CT_DIR_RESP].first_ns) / 1000;

		f->ack_rtt_us = us > f->ack_rtt_us ? (__u32)(us - f->ack_rtt_us) : 0;
	}
}

/*
 * ct_account - what the segment adds to the record: sequence progress,
 * counters, times, timeout, anomalies and history letters. A segment with
 * a bad checksum adds only its letter.
 */
static __always_inline void ct_account(struct flow *f, const struct ct_pkt *p, struct ct_work *w,
				       struct ct_result *res, __u64 now)
{
	__u32 anom;

	if (w->csum_bad) {
		CT_PHASE(ct_hist_record)(f, w->letters, 0);
		if (!f->expires_ns)
			f->expires_ns = now + w->timeout_ns;
		return;
	}
	ct_account_seq(f, p, w, res);
	ct_account_counts(f, p, w, res, now);
	ct_account_rtt(f, w, res, now);
	anom = w->anom & ~f->anomalies;
	if (anom) {
		__sync_fetch_and_or(&f->anomalies, anom);
		res->new_anomalies = anom;
	}
	if (w->letters)
		CT_PHASE(ct_hist_record)(f, w->letters, w->claimed);
}

#endif /* XDPCT_CT_ACCOUNT_H */

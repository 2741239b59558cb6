/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * tcp_fsm.h - pure TCP connection-tracking logic: values in, values out.
 *
 * No maps, helpers, globals or packet pointers: the same text compiles into
 * the BPF object, the CLI and the unit tests, so the handshake facts of
 * seed-notes.md are tested without root. Include flow.h first.
 */
#ifndef XDPCT_TCP_FSM_H
#define XDPCT_TCP_FSM_H

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
/* Branch hints: keep the fast path's code together, cold code out of line. */
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#endif
#ifndef unlikely
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

#define TCP_FL_FIN	0x01
#define TCP_FL_SYN	0x02
#define TCP_FL_RST	0x04
#define TCP_FL_PSH	0x08
#define TCP_FL_ACK	0x10
#define TCP_FL_URG	0x20
#define TCP_FL_ECE	0x40
#define TCP_FL_CWR	0x80

/* Flag classes, checked in nf_conntrack's order: RST > SYN/SYN-ACK > FIN > ACK. */
enum ct_class {
	CT_CLASS_SYN = 0,
	CT_CLASS_SYNACK,
	CT_CLASS_FIN,
	CT_CLASS_ACK,
	CT_CLASS_RST,
	CT_CLASS_NONE,
	CT_CLASS_MAX,
};

/* Pseudo-states of the transition table: invalid and ignored packets. */
#define CT_NEXT_INVALID	CT_STATE_COUNT
#define CT_NEXT_IGNORE	(CT_STATE_COUNT + 1)

/* RFC 793 sequence space comparison, modulo 2^32 (seed-notes.md §2). */
static __always_inline int seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __always_inline int seq_after(__u32 a, __u32 b)
{
	return (__s32)(b - a) < 0;
}

/*
 * ct_flags_valid - can a segment with these flags belong to a connection?
 * A segment with RST is a reset whatever else it carries: Linux's
 * tcp_validate_incoming checks RST before SYN and never looks at FIN on a
 * reset, so RST|FIN and SYN|RST are resets (nf_conntrack's tcp_valid_flags
 * calls them invalid, but the host acts on them, and xdpct follows the
 * host). SYN+FIN without RST is dropped by Linux (tcp_rcv_state_process
 * discards it in LISTEN, a synchronized socket answers it with a challenge
 * ACK), and a segment needs one of SYN, ACK, FIN, RST. A bare FIN or data
 * without ACK is trackable as a first packet (Zeek logs them); on a flow
 * the tracker ignores it as Linux does (ct_track.h).
 * Returns 1 if trackable, 0 if the frame is counted as tcp_bad_flags.
 */
static __always_inline int ct_flags_valid(__u8 flags)
{
	if (flags & TCP_FL_RST)
		return 1;
	if ((flags & (TCP_FL_SYN | TCP_FL_FIN)) == (TCP_FL_SYN | TCP_FL_FIN))
		return 0;
	return (flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_ACK)) != 0;
}

/* ct_classify - the flag class of a segment (enum ct_class). */
static __always_inline __u8 ct_classify(__u8 flags)
{
	if (flags & TCP_FL_RST)
		return CT_CLASS_RST;
	if (flags & TCP_FL_SYN)
		return (flags & TCP_FL_ACK) ? CT_CLASS_SYNACK : CT_CLASS_SYN;
	if (flags & TCP_FL_FIN)
		return CT_CLASS_FIN;
	if (flags & TCP_FL_ACK)
		return CT_CLASS_ACK;
	return CT_CLASS_NONE;
}

#define sNO CT_STATE_NONE
#define sSS CT_STATE_SYN_SENT
#define sSR CT_STATE_SYN_RECV
#define sES CT_STATE_ESTABLISHED
#define sFW CT_STATE_FIN_WAIT
#define sCW CT_STATE_CLOSE_WAIT
#define sLA CT_STATE_LAST_ACK
#define sTW CT_STATE_TIME_WAIT
#define sCL CT_STATE_CLOSE
#define sS2 CT_STATE_SYN_SENT2
#define sIV CT_NEXT_INVALID
#define sIG CT_NEXT_IGNORE

/*
 * The transition table of nf_conntrack (net/netfilter/nf_conntrack_proto_tcp.c,
 * 6.x), indexed [dir][class][state]. Flows are created outside the table
 * (ct_initial_state), and a SYN in TIME_WAIT or CLOSE that the host takes
 * as a new connection ends the flow and starts a new one outside it too
 * (ct_is_reopen, ct_reopen_allowed). So a SYN that reaches the table in
 * TIME_WAIT is one tcp_timewait_state_process refused (it answers with an
 * ACK and keeps its timer): sIG there, where nf_conntrack has sSS. The
 * CLOSE cells are never reached (a SYN always reopens a reset tuple).
 */
static const __u8 ct_table[2][CT_CLASS_MAX][CT_STATE_COUNT] = {
	{ /* originator */
	/*             sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
	/* syn    */ { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sIG, sSS, sS2 },
	/* synack */ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
	/* fin    */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
	/* ack    */ { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
	/* rst    */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	/* none   */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{ /* responder */
	/*             sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
	/* syn    */ { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIG, sIV, sS2 },
	/* synack */ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
	/* fin    */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
	/* ack    */ { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
	/* rst    */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	/* none   */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
};

#undef sNO
#undef sSS
#undef sSR
#undef sES
#undef sFW
#undef sCW
#undef sLA
#undef sTW
#undef sCL
#undef sS2
#undef sIV
#undef sIG

/* ct_next_state - the table's verdict: a state, CT_NEXT_INVALID or CT_NEXT_IGNORE. */
static __always_inline __u8 ct_next_state(__u8 state, __u8 cls, __u8 dir)
{
	if (state >= CT_STATE_COUNT || cls >= CT_CLASS_MAX || dir > 1)
		return CT_NEXT_INVALID;
	return ct_table[dir][cls][state];
}

/*
 * Facts about a packet relative to its flow, computed by the tracker before
 * the transition (ct_track.h) so the transition itself stays pure.
 */
#define CT_PF_WINDOW_BAD	(1u << 0) /* out of window, or acks unsent data */
#define CT_PF_SYNACK_BAD	(1u << 1) /* SYN-ACK ack != live ISN + 1 */
#define CT_PF_HSACK_BAD		(1u << 2) /* 3rd packet's seq/ack wrong */
#define CT_PF_SIMOPEN		(1u << 3) /* flow went through SYN_SENT2 */
#define CT_PF_RST_INEXACT	(1u << 4) /* in-window RST not at the exact seq */
#define CT_PF_FINS_ACKED	(1u << 5) /* after it, every FIN sent is acked */

/*
 * Per-direction facts in ctl, in the letter bits that need no ctl bit ('h'
 * shares 's', 'g' and 'w' are looked up in the history word: ct_history.h).
 */
/* dir's FIN is recorded: it is the last slot of dir's sequence space (end - 1) */
#define CT_CTL_FIN_SEEN(dir)	(1u << (CT_CTL_HIST_SHIFT + CT_HIST_SYNACK + CT_HIST_KINDS * ((dir) & 1)))
/* dir's peer acked data of dir never seen (ACK_UNSENT_DATA): resync pending */
#define CT_CTL_UNSEEN(dir)	(1u << (CT_CTL_HIST_SHIFT + CT_HIST_GAP + CT_HIST_KINDS * ((dir) & 1)))
/* dir's stream jumped over a hole its peer has not acked past yet */
#define CT_CTL_HOLE(dir)	(1u << (CT_CTL_HIST_SHIFT + CT_HIST_ZEROWIN + CT_HIST_KINDS * ((dir) & 1)))

/*
 * ct_transition - the state after a packet of class cls from side dir.
 * Returns the new state; invalid and ignored packets leave the state as it
 * is (the caller learns which through ct_next_state).
 */
static __always_inline __u8 ct_transition(__u8 state, __u8 cls, __u8 dir, __u32 facts)
{
	__u8 next = ct_next_state(state, cls, dir);

	if (next >= CT_STATE_COUNT || (facts & CT_PF_WINDOW_BAD))
		return state;
	/* RFC 5961 §3, nf_conntrack: only a reset at the exact expected seq
	 * closes at once; another in-window one may be blind (it only
	 * shortens the timeout, so a real reset still ends the flow) */
	if (cls == CT_CLASS_RST && (facts & CT_PF_RST_INEXACT))
		return state;
	/* seed-notes §4: a SYN-ACK that does not ack the live ISN is no answer */
	if (cls == CT_CLASS_SYNACK && (facts & CT_PF_SYNACK_BAD))
		return state;
	/* seed-notes §1 step 3: only ack = y + 1, seq = x + 1 completes it */
	if (state == CT_STATE_SYN_RECV && next == CT_STATE_ESTABLISHED &&
	    (facts & CT_PF_HSACK_BAD))
		return state;
	/* simultaneous open: either side's ACK completes the handshake */
	if (state == CT_STATE_SYN_RECV && cls == CT_CLASS_ACK && dir == CT_DIR_RESP &&
	    (facts & CT_PF_SIMOPEN) && !(facts & CT_PF_HSACK_BAD))
		return CT_STATE_ESTABLISHED;
	/* seed-notes §6: CLOSE_WAIT needs the FIN acked (ack = its seq + 1),
	 * TIME_WAIT both FINs; another ACK is just traffic of the close
	 * (nf_conntrack's table moves on any ACK, whoever sent it) */
	if (cls == CT_CLASS_ACK && (next == CT_STATE_CLOSE_WAIT || next == CT_STATE_TIME_WAIT) &&
	    next != state && !(facts & CT_PF_FINS_ACKED))
		return state;
	return next;
}

/*
 * ct_initial_state - state of a flow created by its first packet, of class
 * cls. The sender is the originator except for a SYN-ACK, whose receiver
 * sent the (unseen) SYN. Unlike nf_conntrack, every trackable packet opens a
 * record, since a lone RST or FIN is a fact worth showing (Zeek logs them).
 */
static __always_inline __u8 ct_initial_state(__u8 cls)
{
	switch (cls) {
	case CT_CLASS_SYN:
		return CT_STATE_SYN_SENT;
	case CT_CLASS_SYNACK:
		return CT_STATE_SYN_RECV;
	case CT_CLASS_FIN:
		return CT_STATE_FIN_WAIT;
	case CT_CLASS_RST:
		return CT_STATE_CLOSE;
	default:
		return CT_STATE_ESTABLISHED;
	}
}

/*
 * ct_is_reopen - does a packet of class cls end a flow in state and start a
 * new one on the same tuple? A SYN after the connection closed (TIME_WAIT,
 * CLOSE) is a new connection, as for nf_conntrack after a close or a refused
 * connect, and for Zeek after any FIN or RST. Whether the host would take
 * that SYN (TIME_WAIT reuse rules) is ct_reopen_allowed's question.
 */
static __always_inline int ct_is_reopen(__u8 state, __u8 cls)
{
	return cls == CT_CLASS_SYN &&
	       (state == CT_STATE_TIME_WAIT || state == CT_STATE_CLOSE);
}

/*
 * ct_reopen_allowed - would the host take this SYN as a new connection on a
 * tuple whose record is in state? After a reset (CLOSE) the tuple is free.
 * In TIME_WAIT, Linux's tcp_timewait_state_process accepts a SYN with a seq
 * after the old connection's rcv_nxt (here: after the sender's old end, its
 * FIN + 1) or with a timestamp newer than the last one it saw. The record
 * keeps no timestamps, so a SYN with the option (ts) is taken: Linux peers
 * keep per-tuple timestamps monotonic, so their reconnects pass that test.
 * Any other SYN is answered with an ACK of the old connection and the
 * record stays (ct_transition). Callers use it with ct_is_reopen.
 */
static __always_inline int ct_reopen_allowed(__u8 state, __u32 seq, __u32 old_end, __u8 ts)
{
	if (state == CT_STATE_CLOSE)
		return 1;
	return state == CT_STATE_TIME_WAIT && (ts || seq_after(seq, old_end));
}

/* ct_is_halfopen - a state whose handshake is not complete. */
static __always_inline int ct_is_halfopen(__u8 state)
{
	return state == CT_STATE_SYN_SENT || state == CT_STATE_SYN_RECV ||
	       state == CT_STATE_SYN_SENT2;
}

/* ct_is_closed - the connection is over (no more data can flow). */
static __always_inline int ct_is_closed(__u8 state)
{
	return state == CT_STATE_TIME_WAIT || state == CT_STATE_CLOSE;
}

/*
 * ct_acked_bytes - bytes of a side's data its peer acknowledged
 * (seed-notes §3): peer's highest ack - (ISN + 1), plus 2^32 per wrap,
 * minus one for an acked FIN. isn_base is the side's ISN; peer_ack the
 * peer's highest ack (0 wraps and no ack: 0).
 */
static __always_inline __u64 ct_acked_bytes(__u32 isn_base, __u32 peer_ack, __u16 wraps,
					    int fin_acked)
{
	__u64 n = (__u64)(__u32)(peer_ack - (isn_base + 1)) + ((__u64)wraps << 32);

	if (fin_acked && n > 0)
		n--;
	return n;
}

/* the history letters belong to the same pure logic */
#include "ct_history.h"

#endif /* XDPCT_TCP_FSM_H */

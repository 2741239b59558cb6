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
 * SYN+FIN, SYN+RST and FIN+RST (so also "Xmas") are impossible in a real
 * stack, and a segment needs at least one of SYN, ACK, FIN, RST. A bare FIN
 * or data without ACK is odd but trackable (Zeek records them), so it passes.
 * Returns 1 if trackable, 0 if the frame is counted as tcp_bad_flags.
 */
static __always_inline int ct_flags_valid(__u8 flags)
{
	__u8 sfr = flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST);

	if (sfr & (sfr - 1))	/* two or more of SYN, FIN, RST */
		return 0;
	return (flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST | TCP_FL_ACK)) != 0;
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
 * (ct_initial_state), and a SYN in TIME_WAIT or CLOSE ends the flow and
 * starts a new one (ct_is_reopen), so those cells only matter for reading.
 */
static const __u8 ct_table[2][CT_CLASS_MAX][CT_STATE_COUNT] = {
	{ /* originator */
	/*             sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
	/* syn    */ { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
	/* synack */ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
	/* fin    */ { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
	/* ack    */ { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
	/* rst    */ { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	/* none   */ { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{ /* responder */
	/*             sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
	/* syn    */ { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 },
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
 * connect, and for Zeek after any FIN or RST.
 */
static __always_inline int ct_is_reopen(__u8 state, __u8 cls)
{
	return cls == CT_CLASS_SYN &&
	       (state == CT_STATE_TIME_WAIT || state == CT_STATE_CLOSE);
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

/* History: a letter's code is kind + CT_HIST_KINDS * dir + 1 (1..18). */
static __always_inline __u32 ct_letter_code(__u8 kind, __u8 dir)
{
	return kind + CT_HIST_KINDS * (dir & 1) + 1;
}

/* ct_hist_bit - the ctl bit saying letter (kind, dir) was recorded. */
static __always_inline __u32 ct_hist_bit(__u8 kind, __u8 dir)
{
	return 1u << (CT_CTL_HIST_SHIFT + kind + CT_HIST_KINDS * (dir & 1));
}

/* ct_letter_bit - ctl bit of a letter code; S and H share one "SYN" bit
 * per direction, as in Zeek. */
static __always_inline __u32 ct_letter_bit(__u32 code)
{
	__u32 idx = code - 1;

	if (idx == CT_HIST_SYNACK || idx == CT_HIST_SYNACK + CT_HIST_KINDS)
		idx--;
	return 1u << (CT_CTL_HIST_SHIFT + (idx & 0x1f));
}

/* The last slots are kept for the letters Zeek's conn_state reads late:
 * F, f, R, r (each recorded once), so a busy history never loses them. */
#define CT_HIST_RESERVED	4

static __always_inline int ct_hist_is_close(__u32 code)
{
	__u32 kind = (code - 1) % CT_HIST_KINDS;

	return kind == CT_HIST_FIN || kind == CT_HIST_RST;
}

/*
 * ct_hist_append - history with one more letter code at the end. Past
 * CT_HIST_SLOTS - CT_HIST_RESERVED letters only FIN and RST letters are
 * added; a letter that does not fit leaves the history unchanged.
 */
static __always_inline __u64 ct_hist_append(__u64 hist, __u32 code)
{
	__u64 n = hist >> CT_HIST_COUNT_SHIFT;

	if (n >= CT_HIST_SLOTS ||
	    (n >= CT_HIST_SLOTS - CT_HIST_RESERVED && !ct_hist_is_close(code)))
		return hist;
	hist |= (__u64)(code & 0x1f) << (n * CT_HIST_BITS);
	hist = (hist & ~(0xfull << CT_HIST_COUNT_SHIFT)) | ((n + 1) << CT_HIST_COUNT_SHIFT);
	return hist;
}

/* ct_hist_count - number of letters recorded. */
static __always_inline unsigned int ct_hist_count(__u64 hist)
{
	return (unsigned int)(hist >> CT_HIST_COUNT_SHIFT);
}

/* ct_hist_letter - the i-th letter as a character, or 0 past the end. */
static __always_inline char ct_hist_letter(__u64 hist, unsigned int i)
{
	unsigned int code, kind;
	char c;

	if (i >= ct_hist_count(hist) || i >= CT_HIST_SLOTS)
		return 0;
	code = (unsigned int)(hist >> (i * CT_HIST_BITS)) & 0x1f;
	if (code == 0 || code > 2 * CT_HIST_KINDS)
		return '?';
	kind = (code - 1) % CT_HIST_KINDS;
	c = CT_HIST_LETTERS[kind];
	/* upper case for the originator (dir 0) */
	return (code - 1) < CT_HIST_KINDS ? (char)(c - 'a' + 'A') : c;
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

#endif /* XDPCT_TCP_FSM_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ct_history.h - Zeek's history letters in the 64-bit history word.
 *
 * The word holds CT_HIST_SLOTS letter codes of 5 bits and a 4-bit count. A
 * letter's code is kind + CT_HIST_KINDS * dir + 1 (1..18), and two more
 * codes stand for the bad-checksum letters 'C' and 'c' (19, 20), which
 * flow.h's kinds do not list. Which letters were already recorded is kept
 * two ways: letters the fast path must see at a glance (s, a, d, f, r, t)
 * have a ctl bit each, claimed by compare-and-swap on ctl; the rare ones
 * (g, w, c) are looked up in the history word itself, inside the
 * compare-and-swap on that word. 'h' shares the SYN bit of its side, as in
 * Zeek. Included by tcp_fsm.h.
 */
#ifndef XDPCT_CT_HISTORY_H
#define XDPCT_CT_HISTORY_H

/* Codes of the bad-checksum letters, after the 18 of flow.h's kinds. */
#define CT_HIST_CODE_CSUM(dir)	(2 * CT_HIST_KINDS + 1 + ((dir) & 1))
#define CT_HIST_CODE_MAX	(2 * CT_HIST_KINDS + 2)

/* Letters one segment may add, in Zeek's order within a packet. */
#define CT_LETTERS_MAX 5

/* The last slots are kept for the letters Zeek's conn_state reads late:
 * F, f, R, r (each recorded once), so a busy history never loses them. */
#define CT_HIST_RESERVED	4

#define CT_CAS_TRIES 4

/* ct_letter_code - code of letter (kind, dir). */
static __always_inline __u32 ct_letter_code(__u8 kind, __u8 dir)
{
	return kind + CT_HIST_KINDS * (dir & 1) + 1;
}

/* ct_hist_bit - the ctl bit saying letter (kind, dir) was recorded; only
 * for the kinds that have one (see ct_letter_bit). */
static __always_inline __u32 ct_hist_bit(__u8 kind, __u8 dir)
{
	return 1u << (CT_CTL_HIST_SHIFT + kind + CT_HIST_KINDS * (dir & 1));
}

/*
 * ct_letter_bit - ctl bit of a letter code, or 0 for the letters looked up
 * in the history word (g, w, c). S and H share one "SYN" bit per side.
 */
static __always_inline __u32 ct_letter_bit(__u32 code)
{
	__u32 idx = code - 1, kind;

	if (code == 0 || code > 2 * CT_HIST_KINDS)
		return 0;
	kind = idx % CT_HIST_KINDS;
	if (kind == CT_HIST_GAP || kind == CT_HIST_ZEROWIN)
		return 0;
	if (kind == CT_HIST_SYNACK)
		idx--;
	return 1u << (CT_CTL_HIST_SHIFT + (idx & 0x1f));
}

static __always_inline int ct_hist_is_close(__u32 code)
{
	__u32 kind = (code - 1) % CT_HIST_KINDS;

	return code <= 2 * CT_HIST_KINDS && (kind == CT_HIST_FIN || kind == CT_HIST_RST);
}

/* ct_hist_count - number of letters recorded. */
static __always_inline unsigned int ct_hist_count(__u64 hist)
{
	return (unsigned int)(hist >> CT_HIST_COUNT_SHIFT);
}

/* ct_hist_has - is letter code already in the history? */
static __always_inline int ct_hist_has(__u64 hist, __u32 code)
{
	unsigned int n = ct_hist_count(hist), i;

	for (i = 0; i < CT_HIST_SLOTS; i++) {
		if (i >= n)
			break;
		if (((hist >> (i * CT_HIST_BITS)) & 0x1f) == code)
			return 1;
	}
	return 0;
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

/* ct_hist_letter - the i-th letter as a character, or 0 past the end. */
static __always_inline char ct_hist_letter(__u64 hist, unsigned int i)
{
	unsigned int code, kind;
	char c;

	if (i >= ct_hist_count(hist) || i >= CT_HIST_SLOTS)
		return 0;
	code = (unsigned int)(hist >> (i * CT_HIST_BITS)) & 0x1f;
	if (code == CT_HIST_CODE_CSUM(0) || code == CT_HIST_CODE_CSUM(1))
		return code == CT_HIST_CODE_CSUM(0) ? 'C' : 'c';
	if (code == 0 || code > 2 * CT_HIST_KINDS)
		return '?';
	kind = (code - 1) % CT_HIST_KINDS;
	c = CT_HIST_LETTERS[kind];
	/* upper case for the originator (dir 0) */
	return (code - 1) < CT_HIST_KINDS ? (char)(c - 'a' + 'A') : c;
}

/* ct_letters_bits - the ctl bits of the packed letter codes. */
static __always_inline __u32 ct_letters_bits(__u32 letters)
{
	__u32 want = 0;
	int i;

	for (i = 0; i < CT_LETTERS_MAX; i++) {
		__u32 code = (letters >> (CT_HIST_BITS * i)) & 0x1f;

		if (!code)
			break;
		want |= ct_letter_bit(code);
	}
	return want;
}

/*
 * ct_hist_add - the history h with the packed letters this segment records:
 * those with a ctl bit only if this segment claimed it, the others only if
 * not in h yet. *wanted counts the letters that should have been added.
 */
static __always_inline __u64 ct_hist_add(__u64 h, __u32 letters, __u32 claimed,
					 unsigned int *wanted)
{
	int i;

	*wanted = 0;
	for (i = 0; i < CT_LETTERS_MAX; i++) {
		__u32 code = (letters >> (CT_HIST_BITS * i)) & 0x1f;
		__u32 bit;

		if (!code)
			break;
		bit = ct_letter_bit(code);
		if (bit ? !(claimed & bit) : ct_hist_has(h, code))
			continue;
		h = ct_hist_append(h, code);
		(*wanted)++;
	}
	return h;
}

/*
 * ct_hist_record - add the letters to f->history by compare-and-swap (the
 * other hook may add its own at the same time). A letter that does not fit
 * marks the history cut short (CT_CTL_HIST_FULL).
 */
static __always_inline void ct_hist_record(struct flow *f, __u32 letters, __u32 claimed)
{
	__u64 old = f->history, h = old;
	unsigned int wanted = 0;
	int t;

	for (t = 0; t < CT_CAS_TRIES; t++) {
		h = ct_hist_add(old, letters, claimed, &wanted);
		if (h == old)
			break;
		if (__sync_val_compare_and_swap(&f->history, old, h) == old)
			break;
		old = f->history;
	}
	if (ct_hist_count(h) - ct_hist_count(old) < wanted)
		__sync_fetch_and_or(&f->ctl, CT_CTL_HIST_FULL);
}

#endif /* XDPCT_CT_HISTORY_H */

/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * opts_walk.h - option lists walked on copies: IPv4 options (the hook
 * copies them with bpf_{xdp,skb}_load_bytes) and a SYN's TCP options. No
 * loop runs over packet pointers, so no header layout multiplies the
 * verifier's paths. Pure functions: the unit tests walk byte strings.
 * Included by parse.h.
 */
#ifndef XDPCT_OPTS_WALK_H
#define XDPCT_OPTS_WALK_H

/*
 * IPv4 options, decided as ip_options_compile (a received frame: unknown
 * options pass) and ip_rcv_options: a malformed list drops the frame
 * (ipv4_bad_options), and so does a source route (LSRR, SSRR) unless
 * accept_source_route (ipv4_source_route; the hook passes the knob).
 * CIPSO is dropped too: cipso_v4_validate needs a DOI the host defined.
 */
struct ip_opts {
	__u8 b[64];		/* the options (40 at most); indexes masked with 63 */
	__u32 len;
	/*
	 * 0. The options seen once already, as IPV4_OPT_SEEN_* bits. The XDP
	 * hook keeps the struct in map memory, whose values the verifier does
	 * not know: the walk then never branches on a value it knows, so the
	 * paths with different options seen converge (a counter per option
	 * multiplied its states eightfold).
	 */
	__u32 seen;
};

#define IPV4_OPT_SEEN_SRR	1
#define IPV4_OPT_SEEN_RR	2
#define IPV4_OPT_SEEN_TS	4

/* ipv4_opt_once - note an option ip_options_compile takes once; *dup
 * collects a second one (a malformed list, told after the walk). */
static __always_inline void ipv4_opt_once(__u32 *seen, __u32 *dup, __u32 bit)
{
	*dup |= *seen & bit;
	*seen |= bit;
}

static __always_inline int ipv4_opts_walk(const struct ip_opts *o, int accept_srr)
{
	__u32 off = 0, len = o->len, seen = o->seen, dup = 0;

	if (len > 40)
		return MALFORMED(MAL_IPV4_BAD_OPTIONS);
	while (off < len) {
		__u8 kind = o->b[off & 63], olen, ptr, fl;

		if (kind == 0)		/* end of list */
			break;
		if (kind == 1) {	/* NOP */
			off++;
			continue;
		}
		if (off + 2 > len)
			return MALFORMED(MAL_IPV4_BAD_OPTIONS);
		olen = o->b[(off + 1) & 63];
		if (olen < 2 || off + olen > len)
			return MALFORMED(MAL_IPV4_BAD_OPTIONS);
		ptr = o->b[(off + 2) & 63];
		fl = o->b[(off + 3) & 63];
		switch (kind) {
		case 131:		/* LSRR */
		case 137:		/* SSRR */
			if (olen < 3 || ptr < 4)
				return MALFORMED(MAL_IPV4_BAD_OPTIONS);
			ipv4_opt_once(&seen, &dup, IPV4_OPT_SEEN_SRR);
			break;
		case 7:			/* record route */
			if (olen < 3 || ptr < 4 || (ptr <= olen && ptr + 3 > olen))
				return MALFORMED(MAL_IPV4_BAD_OPTIONS);
			ipv4_opt_once(&seen, &dup, IPV4_OPT_SEEN_RR);
			break;
		case 68:		/* timestamp */
			if (olen < 4 || ptr < 5)
				return MALFORMED(MAL_IPV4_BAD_OPTIONS);
			ipv4_opt_once(&seen, &dup, IPV4_OPT_SEEN_TS);
			if (ptr <= olen) {
				if (ptr + 3 > olen ||
				    (((fl & 0xf) == 1 || (fl & 0xf) == 3) && ptr + 7 > olen))
					return MALFORMED(MAL_IPV4_BAD_OPTIONS);
			} else if ((fl & 0xf) != 3 && (fl >> 4) == 15) {
				return MALFORMED(MAL_IPV4_BAD_OPTIONS);	/* overflow */
			}
			break;
		case 148:		/* router alert */
			if (olen < 4)
				return MALFORMED(MAL_IPV4_BAD_OPTIONS);
			break;
		case 134:		/* CIPSO */
			return MALFORMED(MAL_IPV4_BAD_OPTIONS);
		}
		off += olen;
	}
	/* a second one of these is malformed whatever follows it: every
	 * other error the walk finds is MAL_IPV4_BAD_OPTIONS too */
	if (dup)
		return MALFORMED(MAL_IPV4_BAD_OPTIONS);
	if ((seen & IPV4_OPT_SEEN_SRR) && !accept_srr)
		return MALFORMED(MAL_IPV4_SOURCE_ROUTE);
	return 0;
}

/*
 * TCP options of a SYN, copied off the packet with bpf_{xdp,skb}_load_bytes
 * by the hook, then walked by tcp_opts_wscale_walk: no loop over packet
 * pointers, which would multiply the verifier's paths by every layout.
 */
struct tcp_opts {
	__u8 b[64];		/* TCP_OPT_MAX_LEN used; indexes masked with 63 */
	__u32 len;
};

/*
 * tcp_opts_walk - the window scale option in o, or CT_WSCALE_NONE; *ts (if
 * not NULL) says whether a timestamp option was there. As
 * tcp_parse_options, the last window scale counts (each overwrites
 * snd_wscale). off only grows, so the verifier sees at most
 * TCP_OPT_MAX_LEN loop states.
 */
static __always_inline __u8 tcp_opts_walk(const struct tcp_opts *o, __u8 *ts)
{
	__u32 off = 0, len = o->len;
	__u8 ws = CT_WSCALE_NONE;

	if (len > TCP_OPT_MAX_LEN)
		len = TCP_OPT_MAX_LEN;
	while (off < len) {
		__u8 kind = o->b[off & 63], olen;

		if (kind == 0)		/* end of options */
			break;
		if (kind == 1) {	/* NOP */
			off++;
			continue;
		}
		olen = o->b[(off + 1) & 63];
		if (olen < 2 || off + olen > len)
			break;
		if (kind == 3 && olen == 3)
			ws = o->b[(off + 2) & 63];
		if (ts && kind == 8 && olen == 10)
			*ts = 1;
		off += olen;
	}
	return ws;
}

static __always_inline __u8 tcp_opts_wscale_walk(const struct tcp_opts *o)
{
	return tcp_opts_walk(o, NULL);
}

#endif /* XDPCT_OPTS_WALK_H */

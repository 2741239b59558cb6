/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ipv6_opts.h - the options of an IPv6 hop-by-hop or destination-options
 * header, decided as the receiving host decides them (net/ipv6/exthdrs.c:
 * ip6_parse_tlv, called by ipv6_parse_hopopts and ipv6_destopt_rcv). The
 * walk reads a copy of one header (the hook copies it with
 * bpf_xdp_load_bytes into map memory, so the verifier knows none of its
 * bytes and the paths through the walk converge); no packet pointers. Pure:
 * the unit tests run it in userspace.
 */
#ifndef XDPCT_IPV6_OPTS_H
#define XDPCT_IPV6_OPTS_H

#define IPV6_OPTS_BUF		2048	/* the longest header: (255 + 1) * 8 bytes */
#define IPV6_OPTS_MASK		(IPV6_OPTS_BUF - 1)
/* net.ipv6.max_hbh_opts_number and max_dst_opts_number by default */
#define IPV6_OPTS_MAX_DEFAULT	8
/*
 * Steps of the walk. Within the limits ip6_parse_tlv sets (at most 7
 * padding bytes in a row, at most max_opts other options) a header takes at
 * most 8 steps per option allowed plus 8 (Pad1 bytes and the one that
 * breaks a limit): every header is decided with the default limit of 8.
 * With a larger limit configured, a header that needs more steps is not
 * judged (README's known limits).
 */
#define IPV6_OPTS_STEPS		((IPV6_OPTS_MAX_DEFAULT + 1) * 8)

#define IPV6_TLV_PAD1		0
#define IPV6_TLV_PADN		1
#define IPV6_TLV_ROUTERALERT	5
#define IPV6_TLV_CALIPSO	7
#define IPV6_TLV_IOAM		49
#define IPV6_TLV_JUMBO		194

struct ip6_opts {
	__u8 b[IPV6_OPTS_BUF];	/* the header, from its next-header byte */
	__u32 len;		/* (hdrlen + 1) * 8 */
	__u32 hbh;		/* 1: hop-by-hop, 0: destination options */
	__u32 max_opts;		/* non-padding options allowed (the sysctl's absolute value) */
	__u32 strict;		/* the sysctl is negative: every unknown option discards */
	__u32 jumbo_max;	/* payload length 0: the IPv6 payload's bytes, else 0 */
	/*
	 * The walk's own state, kept here between its steps: in map memory,
	 * read back through volatile loads, the verifier knows none of it,
	 * so every path through a step arrives at the next one in the same
	 * state and each step is verified once (with the values in registers,
	 * a million instructions did not cover the 72 steps).
	 */
	__u32 w_off, w_pad, w_cnt;
	__u32 c_nh, c_off, c_ext, c_plen;	/* the chain's walk (ipv6_ext.h), likewise */
};

#define IPV6_OPTS_RD(x)		(*(volatile __u32 *)&(x))
#define IPV6_OPTS_WR(x, v)	(*(volatile __u32 *)&(x) = (v))

/*
 * ipv6_tlv_known - 1 if the host accepts option type with data length dlen
 * at off (from the header's start: the header itself starts 8-aligned from
 * the IPv6 header, so off's alignment is optoff's), 0 if it discards the
 * packet, -1 if the type is not one it knows.
 */
static __always_inline int ipv6_tlv_known(struct ip6_opts *o, __u8 type, __u8 dlen,
					  __u32 off)
{
	__u32 jl;

	if (!o->hbh)
		/* destination options: Linux knows only the home address
		 * (ipv6_dest_hao, CONFIG_IPV6_MIP6), which needs an xfrm
		 * state xdpct cannot know of; its type (0xc9) says discard
		 * when it is unknown too */
		return -1;
	switch (type) {
	case IPV6_TLV_ROUTERALERT:	/* ipv6_hop_ra */
		return dlen == 2;
	case IPV6_TLV_JUMBO:		/* ipv6_hop_jumbo */
		if (dlen != 4 || (off & 3) != 2)
			return 0;
		jl = (__u32)o->b[(off + 2) & IPV6_OPTS_MASK] << 24 |
		     (__u32)o->b[(off + 3) & IPV6_OPTS_MASK] << 16 |
		     (__u32)o->b[(off + 4) & IPV6_OPTS_MASK] << 8 |
		     (__u32)o->b[(off + 5) & IPV6_OPTS_MASK];
		return jl > 0xffff && jl <= o->jumbo_max;
	case IPV6_TLV_CALIPSO:		/* ipv6_hop_calipso: calipso_validate needs a DOI */
		return 0;
	case IPV6_TLV_IOAM:		/* ipv6_hop_ioam: 4n-aligned; ioam6_enabled 0: ignored */
		return (off & 3) == 0;
	}
	return -1;
}

/*
 * ipv6_opts_walk - 0 if the host takes the header's options, or
 * MALFORMED(MAL_IPV6_BAD_OPTION) if ip6_parse_tlv discards the packet:
 * more than 7 padding bytes in a row, PadN data that is not zero, an
 * option running past the header, more than max_opts options, a known
 * option its handler refuses, an unknown one whose type's two high bits
 * are not 00 (ip6_tlvopt_unknown: 01 discards, 10 and 11 also send an
 * ICMP parameter problem).
 */
static __always_inline int ipv6_opts_walk(struct ip6_opts *o)
{
	__u32 off, len, pad, olen, i, j, z;
	__u8 type, dlen;
	int known;

	IPV6_OPTS_WR(o->w_off, 2);
	IPV6_OPTS_WR(o->w_pad, 0);
	IPV6_OPTS_WR(o->w_cnt, 0);
	for (i = 0; i < IPV6_OPTS_STEPS; i++) {
		off = IPV6_OPTS_RD(o->w_off);
		len = IPV6_OPTS_RD(o->len);
		pad = IPV6_OPTS_RD(o->w_pad);
		if (len > IPV6_OPTS_BUF)
			return MALFORMED(MAL_IPV6_BAD_OPTION);
		if (off >= len)
			return 0;
		type = o->b[off & IPV6_OPTS_MASK];
		if (type == IPV6_TLV_PAD1) {
			if (pad >= 7)
				return MALFORMED(MAL_IPV6_BAD_OPTION);
			IPV6_OPTS_WR(o->w_pad, pad + 1);
			IPV6_OPTS_WR(o->w_off, off + 1);
			continue;
		}
		if (off + 2 > len)
			return MALFORMED(MAL_IPV6_BAD_OPTION);
		dlen = o->b[(off + 1) & IPV6_OPTS_MASK];
		olen = (__u32)dlen + 2;
		if (off + olen > len)
			return MALFORMED(MAL_IPV6_BAD_OPTION);
		if (type == IPV6_TLV_PADN) {
			if (pad + olen > 7)
				return MALFORMED(MAL_IPV6_BAD_OPTION);
			/* RFC 4942: PadN's data is zeroes (5 bytes at most here) */
			z = 0;
			for (j = 2; j < 7; j++)
				z |= o->b[(off + j) & IPV6_OPTS_MASK] & -(__u32)(j < olen);
			if (z)
				return MALFORMED(MAL_IPV6_BAD_OPTION);
			IPV6_OPTS_WR(o->w_pad, pad + olen);
		} else {
			if (IPV6_OPTS_RD(o->w_cnt) >= IPV6_OPTS_RD(o->max_opts))
				return MALFORMED(MAL_IPV6_BAD_OPTION);
			known = ipv6_tlv_known(o, type, dlen, off);
			if (known == 0 || (known < 0 && (IPV6_OPTS_RD(o->strict) || (type >> 6))))
				return MALFORMED(MAL_IPV6_BAD_OPTION);
			IPV6_OPTS_WR(o->w_cnt, IPV6_OPTS_RD(o->w_cnt) + 1);
			IPV6_OPTS_WR(o->w_pad, 0);
		}
		IPV6_OPTS_WR(o->w_off, off + olen);
	}
	return 0;	/* more steps than the default limits allow: not judged */
}

#endif /* XDPCT_IPV6_OPTS_H */

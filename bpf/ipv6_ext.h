/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ipv6_ext.h - the XDP hook's second look at an IPv6 extension header
 * chain, for the rare frames that need it: one with a hop-by-hop or
 * destination-options header (its options, ip6_parse_tlv: ipv6_opts.h), or
 * one longer than the inlined parser walks (IPV6_EXT_MAX_CHAIN; Linux walks
 * any number). Global functions, verified once, never called on the fast
 * path; the chain is read with bpf_xdp_load_bytes, a header's options into
 * a per-CPU buffer (up to 2,048 bytes: not the stack).
 *
 * Egress (TC) does neither: the host built those headers itself, and its
 * TCP state moved when it sent the segment, whatever a receiver makes of
 * the options; and a locally built TCP segment has at most hop-by-hop,
 * destination, routing, AH and destination headers (ipv6_push_nfrag_opts,
 * ipv6_push_frag_opts, xfrm), within the inlined walk.
 */
#ifndef XDPCT_IPV6_EXT_H
#define XDPCT_IPV6_EXT_H

#include "ipv6_opts.h"

/* Headers in all, beyond which a chain is ipv6_ext_too_deep. */
#ifndef IPV6_EXT_MAX_WALK
#define IPV6_EXT_MAX_WALK	32
#endif

/*
 * The host's limits (net.ipv6.max_hbh_opts_number, max_dst_opts_number:
 * the absolute value, and whether it is negative; max_hbh_length,
 * max_dst_opts_length), read by the loader; index 1 hop-by-hop, 0
 * destination options. Replay takes Linux's defaults.
 */
const volatile __u8 ip6_opts_max[2] = { IPV6_OPTS_MAX_DEFAULT, IPV6_OPTS_MAX_DEFAULT };
const volatile __u8 ip6_opts_strict[2] = { 0, 0 };
const volatile __u32 ip6_opts_max_len[2] = { 0xffffffff, 0xffffffff };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ip6_opts);
} ip6_scratch SEC(".maps");

/* ipv6_opts_check - ipv6_opts_walk on a copy in map memory (global: its
 * steps are verified once, whatever header of the chain calls it). */
__noinline int ipv6_opts_check(struct ip6_opts *o)
{
	if (!o)
		return 0;
	return ipv6_opts_walk(o);
}

/*
 * ipv6_opts_load - copy the options header at off (hlen bytes) and check
 * it, as ipv6_parse_hopopts / ipv6_destopt_rcv do: longer than
 * max_*_length, or options ip6_parse_tlv discards, are
 * MALFORMED(MAL_IPV6_BAD_OPTION).
 */
static __always_inline int ipv6_opts_load(struct xdp_md *ctx, struct ip6_opts *o, __u32 off,
					  __u32 hlen, __u32 hbh)
{
	hbh = !!hbh;
	if (hlen > ip6_opts_max_len[hbh])
		return MALFORMED(MAL_IPV6_BAD_OPTION);
	if (hlen < 8 || hlen > IPV6_OPTS_BUF)
		return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
	if (bpf_xdp_load_bytes(ctx, off, o->b, hlen))
		return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
	o->len = hlen;
	o->hbh = hbh;
	o->max_opts = ip6_opts_max[hbh];
	o->strict = ip6_opts_strict[hbh];
	/* the walk reads them back from memory, as the verifier sees them */
	asm volatile("" ::: "memory");
	return ipv6_opts_check(o);
}

static __always_inline int ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_DSTOPTS_ ||
	       nh == IPPROTO_FRAGMENT_ || nh == IPPROTO_AH_;
}

/* ipv6_ext_tcp - a chain walked to its TCP header at off: the rest of *pi,
 * as parse_ipv6 and parse_tcp would have written it. */
static __always_inline int ipv6_ext_tcp(struct xdp_md *ctx, struct pkt_info *pi,
					const struct ipv6hdr *ip6, __u32 off, __u32 l4_len)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct hdr_cursor c = { .data = data };

	if (off > PARSE_MAX_OFF * 2)	/* keeps the pointer under MAX_PACKET_OFF */
		return MALFORMED(MAL_TCP_TRUNCATED);
	c.pos = data + off;
	pi->family = 6;
	__builtin_memcpy(pi->saddr, &ip6->saddr, 16);
	__builtin_memcpy(pi->daddr, &ip6->daddr, 16);
	return parse_tcp(&c, data_end, l4_len, pi);
}

/*
 * ipv6_ext_xdp - the whole chain again from the IPv6 header (pi->l3_off),
 * each header decided as parse_ipv6 decides it, and the options of
 * hop-by-hop and destination headers as ip6_parse_tlv does, up to
 * IPV6_EXT_MAX_WALK headers. deep: parse_frame stopped at
 * IPV6_EXT_MAX_CHAIN, so a chain ending in TCP also gets its TCP header
 * parsed here; otherwise parse_frame did that. Returns as parse_frame.
 */
__noinline int ipv6_ext_xdp(struct xdp_md *ctx, struct pkt_info *pi, __u32 deep)
{
	__u32 zero = 0, off, ext, plen, hlen, i;
	struct ipv6hdr ip6;
	struct ip6_opts *o;
	__u8 h[8], nh;
	int ret;

	if (!ctx || !pi)
		return MALFORMED(MAL_IPV6_EXT_TOO_DEEP);
	o = bpf_map_lookup_elem(&ip6_scratch, &zero);
	off = pi->l3_off;
	if (!o || bpf_xdp_load_bytes(ctx, off, &ip6, sizeof(ip6)))
		return MALFORMED(MAL_IPV6_EXT_TOO_DEEP);	/* cannot happen */
	plen = pi->seg.ip_len - sizeof(ip6);
	/* ipv6_hop_jumbo: payload length 0, the packet's length in the option */
	o->jumbo_max = ip6.payload_len ? 0 : plen;
	/* the walk's state in map memory, as ipv6_opts_walk's (ipv6_opts.h) */
	IPV6_OPTS_WR(o->c_nh, ip6.nexthdr);
	IPV6_OPTS_WR(o->c_off, off + sizeof(ip6));
	IPV6_OPTS_WR(o->c_ext, 0);
	IPV6_OPTS_WR(o->c_plen, plen);
	for (i = 0; i < IPV6_EXT_MAX_WALK; i++) {
		nh = IPV6_OPTS_RD(o->c_nh);
		off = IPV6_OPTS_RD(o->c_off);
		ext = IPV6_OPTS_RD(o->c_ext);
		plen = IPV6_OPTS_RD(o->c_plen);
		if (!ipv6_is_ext(nh))
			break;
		if (nh == IPPROTO_AH_)
			return MALFORMED(MAL_IPV6_AH);
		/* every header is 8 bytes or more */
		if (bpf_xdp_load_bytes(ctx, off, h, sizeof(h)))
			return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
		if (nh == IPPROTO_HOPOPTS_ && i > 0)
			return MALFORMED(MAL_IPV6_HBH_NOT_FIRST);
		if (nh == IPPROTO_FRAGMENT_) {
			/* offset or more-fragments, as parse_ipv6 */
			if ((h[2] << 8 | h[3]) & 0xfff9)
				return PARSE_FRAGMENT;
			hlen = 8;
		} else {
			if (nh == IPPROTO_ROUTING_ &&
			    ipv6_rt_dropped((const struct ipv6_rt_hdr_ *)h))
				return MALFORMED(MAL_IPV6_ROUTING);
			hlen = ((__u32)h[1] + 1) * 8;
		}
		if (ext + hlen > plen)
			return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
		if (nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_DSTOPTS_) {
			ret = ipv6_opts_load(ctx, o, off, hlen, nh == IPPROTO_HOPOPTS_);
			if (ret)
				return ret == MALFORMED(MAL_IPV6_BAD_OPTION) ?
				       MALFORMED(MAL_IPV6_BAD_OPTION) :
				       MALFORMED(MAL_IPV6_EXT_TRUNCATED);
		}
		IPV6_OPTS_WR(o->c_nh, h[0]);
		IPV6_OPTS_WR(o->c_ext, ext + hlen);
		IPV6_OPTS_WR(o->c_off, off + hlen);
	}
	nh = IPV6_OPTS_RD(o->c_nh);
	if (ipv6_is_ext(nh))
		return nh == IPPROTO_HOPOPTS_ ? MALFORMED(MAL_IPV6_HBH_NOT_FIRST) :
		       MALFORMED(MAL_IPV6_EXT_TOO_DEEP);
	if (nh != IPPROTO_TCP_)
		return PARSE_NON_TCP;
	if (!deep)
		return PARSE_TCP;
	return ipv6_ext_tcp(ctx, pi, &ip6, IPV6_OPTS_RD(o->c_off),
			    IPV6_OPTS_RD(o->c_plen) - IPV6_OPTS_RD(o->c_ext));
}

#endif /* XDPCT_IPV6_EXT_H */

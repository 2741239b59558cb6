/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * parse.h - bounds-checked header parsers for the XDP and TC programs.
 *
 * Each parser reads one header at the cursor, checks it against data_end
 * before every access, advances the cursor and returns the next protocol,
 * or a negative value -(1 + enum xdpct_malformed) when the header is broken.
 * Loops are bounded by named limits. Addresses and ports stay in network
 * byte order; seq/ack/window are converted to host order.
 */
#ifndef XDPCT_PARSE_H
#define XDPCT_PARSE_H

#ifndef VLAN_MAX_DEPTH
#define VLAN_MAX_DEPTH		2	/* 802.1Q and 802.1ad (QinQ) */
#endif
/*
 * VLAN 0 (priority-tagged, 802.1p) tags: __netif_receive_skb_core strips
 * each one (vlan_do_receive finds no device for VID 0) and goes on, so they
 * do not count against VLAN_MAX_DEPTH; up to VLAN_MAX_TAGS tags in all (the
 * verifier's budget for the inlined parser).
 */
#ifndef VLAN_MAX_TAGS
#define VLAN_MAX_TAGS		3
#endif
/* Linux walks any number of extension headers; beyond this many (the
 * verifier's budget for the inlined parser), parse_frame says
 * ipv6_ext_too_deep, and the XDP hook walks on (ipv6_ext.h). */
#ifndef IPV6_EXT_MAX_CHAIN
#define IPV6_EXT_MAX_CHAIN	6
#endif
#define TCP_OPT_MAX_LEN		40

#define ETH_P_IP_	0x0800
#define ETH_P_IPV6_	0x86DD
#define ETH_P_8021Q_	0x8100
#define ETH_P_8021AD_	0x88A8
#define ETH_P_QINQ1_	0x9100	/* pre-standard QinQ */
#define ETH_P_MPLS_UC_	0x8847
#define ETH_P_MPLS_MC_	0x8848
#ifndef MPLS_MAX_LABELS
#define MPLS_MAX_LABELS	4
#endif

#define IPPROTO_HOPOPTS_	0
#define IPPROTO_TCP_		6
#define IPPROTO_ROUTING_	43
#define IPPROTO_FRAGMENT_	44
#define IPPROTO_AH_		51
#define IPPROTO_DSTOPTS_	60

#define MALFORMED(r)	(-(1 + (r)))

/* Parse results that are not errors. */
enum parse_result {
	PARSE_TCP = 0,
	PARSE_NON_TCP,		/* not IP, or IP but not TCP */
	PARSE_FRAGMENT,		/* non-first IP fragment: no TCP header */
};

struct hdr_cursor {
	void *pos;
	void *data;	/* frame start, for offsets */
};

/* The deepest header start parse_frame can reach: Ethernet with tags and
 * labels, IPv6 with IPV6_EXT_MAX_CHAIN headers of 2048 bytes each. Below
 * MAX_PACKET_OFF (0xffff), so the verifier still bounds a pointer under it. */
#define PARSE_MAX_OFF		0x3fff

/*
 * cur_rebase - the cursor again as data + an offset the verifier knows only
 * by its bounds (a packet pointer minus another is an unknown scalar to it).
 * Every header layout (VLAN tags, MPLS labels, IP options, IPv6 extension
 * headers) then arrives at the next header in the same verifier state, and
 * the rest of the program is verified once, not once per layout. Costs three
 * instructions a call. Returns 0, or -1 past PARSE_MAX_OFF (cannot happen).
 */
static __always_inline int cur_rebase(struct hdr_cursor *c)
{
	__u64 off = c->pos - c->data;

	/* keep clang from folding data + (pos - data) back into pos */
	asm volatile("" : "+r"(off));
	if (unlikely(off > PARSE_MAX_OFF))
		return -1;
	c->pos = c->data + off;
	return 0;
}

struct vlan_hdr_ {
	__be16 tci;
	__be16 proto;
};

struct ipv6_opt_hdr_ {
	__u8 nexthdr;
	__u8 hdrlen;
};

struct ipv6_frag_hdr_ {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

/* What the tracker needs from a frame. */
struct pkt_info {
	__be32 saddr[4];	/* IPv4 in [0], rest zero */
	__be32 daddr[4];
	__be16 sport;
	__be16 dport;
	__u8 family;		/* 4 or 6 */
	__u8 opt_len;		/* SYN: TCP option bytes to read, at opt_off */
	__u16 opt_off;
	__u16 ip_opt_off;	/* IPv4 options the hook checks (ip_options_compile) */
	__u8 ip_opt_len;
	__u8 ip6_ext;		/* IPv6: a hop-by-hop or destination header for the hook */
	__u16 l4_off;		/* TCP header offset */
	__u16 l3_off;		/* IPv6 header offset, when ip6_ext or the chain is too deep */
	__u32 l4_len;		/* TCP header + payload bytes (for its checksum) */
	struct ct_pkt seg;
};

/* parse_frame flags */
#define PARSE_F_GSO	1	/* a GSO/TSO super-packet: IPv4 tot_len 0 means "the rest" */
#define PARSE_F_CSUM	2	/* verify the IPv4 header checksum (XDP ingress, live) */

/*
 * parse_eth - Ethernet, up to VLAN_MAX_DEPTH VLAN tags (and priority tags,
 * VLAN_MAX_TAGS tags in all), and an MPLS label
 * stack of up to MPLS_MAX_LABELS labels. Sets the inner EtherType (network
 * order; 0 if not IP) and returns 0, or a malformed code.
 */
static __always_inline int parse_eth(struct hdr_cursor *c, void *data_end, __be16 *proto)
{
	struct ethhdr *eth = c->pos;
	struct vlan_hdr_ *vh;
	int i, tags = 0;
	__be16 p;

	if (unlikely((void *)(eth + 1) > data_end))
		return MALFORMED(MAL_ETH_TRUNCATED);
	p = eth->h_proto;
	c->pos = eth + 1;
#pragma unroll
	for (i = 0; i < VLAN_MAX_TAGS; i++) {
		if (p != bpf_htons(ETH_P_8021Q_) && p != bpf_htons(ETH_P_8021AD_) &&
		    p != bpf_htons(ETH_P_QINQ1_))
			break;
		vh = c->pos;
		if (unlikely((void *)(vh + 1) > data_end))
			return MALFORMED(MAL_VLAN_TRUNCATED);
		if ((vh->tci & bpf_htons(0x0fff)) && unlikely(++tags > VLAN_MAX_DEPTH))
			return MALFORMED(MAL_VLAN_TOO_DEEP);
		p = vh->proto;
		c->pos = vh + 1;
	}
	if (p == bpf_htons(ETH_P_8021Q_) || p == bpf_htons(ETH_P_8021AD_) ||
	    p == bpf_htons(ETH_P_QINQ1_))
		return MALFORMED(MAL_VLAN_TOO_DEEP);
	if (p == bpf_htons(ETH_P_MPLS_UC_) || p == bpf_htons(ETH_P_MPLS_MC_)) {
		/* an MPLS label stack: skip to the bottom label; IP follows if
		 * the next nibble says so (not a pseudowire) */
#pragma unroll
		for (i = 0; i < MPLS_MAX_LABELS; i++) {
			__u8 *l = c->pos;

			if (unlikely((void *)(l + 4) > data_end))
				return MALFORMED(MAL_MPLS_TRUNCATED);
			c->pos = l + 4;
			if (l[2] & 1)	/* bottom of stack */
				break;
		}
		if (i == MPLS_MAX_LABELS || (void *)((__u8 *)c->pos + 1) > data_end) {
			*proto = 0;	/* deeper than we look, or nothing after */
			return 0;
		}
		switch (*(__u8 *)c->pos >> 4) {
		case 4:
			p = bpf_htons(ETH_P_IP_);
			break;
		case 6:
			p = bpf_htons(ETH_P_IPV6_);
			break;
		default:
			p = 0;
		}
	}
	*proto = p;
	return 0;
}

/* csum_fold64 - a one's complement sum of 32-bit words folded to 16 bits. */
static __always_inline __u16 csum_fold64(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/*
 * ipv4_csum_ok - the header checksum of a 20-byte header holds (ip_rcv_core
 * drops the frame on ip_fast_csum() != 0). A header with options is the
 * hook's to check (ipv4_hdr_csum_ok on a copy), so that no loop over packet
 * pointers multiplies the verifier's paths.
 */
static __always_inline int ipv4_csum_ok(const struct iphdr *iph)
{
	const __u32 *w = (const __u32 *)iph;

	return csum_fold64((__u64)w[0] + w[1] + w[2] + w[3] + w[4]) == 0xffff;
}

/* ipv4_hdr_csum_ok - the same for a header of hlen bytes (20..60) in b. */
static __always_inline int ipv4_hdr_csum_ok(const __u8 *b, __u32 hlen)
{
	__u64 sum = 0;
	__u32 i, j;

	for (i = 0; i < 15; i++) {
		if (i * 4 >= hlen)
			break;
		j = (i * 4) & 63;
		/* the word as it lies in memory, whatever the host's order */
		sum += (__u32)b[j] | (__u32)b[j + 1] << 8 | (__u32)b[j + 2] << 16 |
		       (__u32)b[j + 3] << 24;
	}
	return csum_fold64(sum) == 0xffff;
}

/*
 * parse_ipv4 - IPv4 header with any valid IHL, decided as ip_rcv_core
 * does: version, IHL, the header checksum, the total length. l3_len is the
 * number of bytes from this header to the end of the frame (for TC: of the
 * skb, which may be longer than the linear data). tot_len 0 is iph_totlen()'s
 * case: the length of a GSO TCP packet (PARSE_F_GSO) is the skb's; for any
 * other frame 0 is shorter than the header, and the host drops it. Options
 * are left to the hook (pi->ip_opt_len). Sets *l4_len to the IP payload
 * length. Returns PARSE_TCP, PARSE_NON_TCP, PARSE_FRAGMENT or a malformed code.
 */
static __always_inline int parse_ipv4(struct hdr_cursor *c, void *data_end, __u32 l3_len,
				      struct pkt_info *pi, __u32 *l4_len, __u32 flags)
{
	struct iphdr *iph = c->pos;
	__u32 hlen, tot;

	if (unlikely((void *)(iph + 1) > data_end))
		return MALFORMED(MAL_IPV4_TRUNCATED);
	if (unlikely(iph->version != 4))
		return MALFORMED(MAL_IP_BAD_VERSION);
	hlen = iph->ihl * 4;
	if (unlikely(hlen < sizeof(*iph)))
		return MALFORMED(MAL_IPV4_BAD_IHL);
	/* variable length: a second, byte-arithmetic check */
	if (unlikely((void *)iph + hlen > data_end))
		return MALFORMED(MAL_IPV4_TRUNCATED);
	tot = bpf_ntohs(iph->tot_len);
	if (unlikely(tot == 0) && (flags & PARSE_F_GSO) && iph->protocol == IPPROTO_TCP_)
		tot = l3_len;	/* iph_totlen(): TSO / IPv4 BIG TCP super-packet */
	if (unlikely(tot < hlen || tot > l3_len))
		return MALFORMED(MAL_IPV4_BAD_LENGTH);
	if (unlikely((flags & PARSE_F_CSUM) && hlen == sizeof(*iph) && !ipv4_csum_ok(iph)))
		return MALFORMED(MAL_IPV4_BAD_CSUM);
	/* every fragment, the first too: a RST or FIN the host may never
	 * reassemble must not end a flow (counted in "fragments", passed) */
	if (unlikely(iph->frag_off & bpf_htons(0x3fff)))
		return PARSE_FRAGMENT;
	if (iph->protocol != IPPROTO_TCP_)
		return PARSE_NON_TCP;
	pi->family = 4;
	pi->saddr[0] = iph->saddr;
	pi->daddr[0] = iph->daddr;
	pi->saddr[1] = pi->saddr[2] = pi->saddr[3] = 0;
	pi->daddr[1] = pi->daddr[2] = pi->daddr[3] = 0;
	if (unlikely(hlen > sizeof(*iph))) {
		pi->ip_opt_off = (void *)(iph + 1) - c->data;
		pi->ip_opt_len = hlen - sizeof(*iph);
	}
	*l4_len = tot - hlen;
	pi->seg.ip_len = tot;
	c->pos = (void *)iph + hlen;
	return PARSE_TCP;
}

struct ipv6_rt_hdr_ {
	__u8 nexthdr;
	__u8 hdrlen;
	__u8 type;
	__u8 segments_left;
};

#define IPV6_RT_RPL_	3	/* RPL source route (RFC 6554) */
#define IPV6_RT_SRH_	4	/* segment routing header (RFC 8754) */

/*
 * ipv6_rt_dropped - the host drops this routing header (ipv6_rthdr_rcv):
 * an SRH or RPL header unless seg6_enabled / rpl_seg_enabled (both 0 by
 * default; ipv6_srh_rcv checks before segments_left), and any other type
 * with segments left (RH0 is gone, a type 2 is only for Mobile IPv6).
 */
static __always_inline int ipv6_rt_dropped(const struct ipv6_rt_hdr_ *rh)
{
	return rh->type == IPV6_RT_SRH_ || rh->type == IPV6_RT_RPL_ || rh->segments_left;
}

/*
 * parse_ipv6 - IPv6 header, then hop-by-hop, routing, destination-options
 * and fragment headers, at most IPV6_EXT_MAX_CHAIN of them, decided as the
 * host does: hop-by-hop only first (ipv6_rcv parses it there; later, next
 * header 0 has no handler: dropped), routing headers by ipv6_rt_dropped, AH
 * dropped (xfrm finds no SA: xdpct cannot know one; README). The options
 * inside hop-by-hop and destination headers are the hook's to check
 * (pi->ip6_ext, ipv6_ext.h), and so is a chain longer than this walk; both
 * are rare, so the fast path pays only for the flag. Returns as parse_ipv4.
 */
static __always_inline int parse_ipv6(struct hdr_cursor *c, void *data_end, __u32 l3_len,
				      struct pkt_info *pi, __u32 *l4_len)
{
	struct ipv6hdr *ip6 = c->pos;
	__u32 plen, ext = 0;
	__u8 nh;
	int i;

	if (unlikely((void *)(ip6 + 1) > data_end))
		return MALFORMED(MAL_IPV6_TRUNCATED);
	if (unlikely(ip6->version != 6))
		return MALFORMED(MAL_IP_BAD_VERSION);
	plen = bpf_ntohs(ip6->payload_len);
	if (plen == 0 && l3_len > 0xffff + sizeof(*ip6))
		plen = l3_len - sizeof(*ip6);	/* BIG TCP on TC egress */
	if (unlikely(plen + sizeof(*ip6) > l3_len))
		return MALFORMED(MAL_IPV6_BAD_LENGTH);
	pi->seg.ip_len = plen + sizeof(*ip6);
	nh = ip6->nexthdr;
	c->pos = ip6 + 1;
	for (i = 0; i < IPV6_EXT_MAX_CHAIN; i++) {
		struct ipv6_opt_hdr_ *oh;
		__u32 len;

		if (unlikely(cur_rebase(c)))
			return MALFORMED(MAL_IPV6_EXT_TOO_DEEP);
		oh = c->pos;

		if (nh == IPPROTO_FRAGMENT_) {
			struct ipv6_frag_hdr_ *fh = c->pos;

			if (unlikely((void *)(fh + 1) > data_end))
				return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
			/* offset or more-fragments: a fragment (an atomic
			 * one, RFC 6946, is a whole packet) */
			if (fh->frag_off & bpf_htons(0xfff9))
				return PARSE_FRAGMENT;
			nh = fh->nexthdr;
			len = sizeof(*fh);
		} else if (nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ ||
			   nh == IPPROTO_DSTOPTS_) {
			if (unlikely((void *)(oh + 1) > data_end))
				return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
			if (unlikely(nh == IPPROTO_HOPOPTS_ && i > 0))
				return MALFORMED(MAL_IPV6_HBH_NOT_FIRST);
			if (nh != IPPROTO_ROUTING_) {
				/* ip6_parse_tlv's options: the hook's */
				pi->ip6_ext = 1;
				pi->l3_off = (void *)ip6 - c->data;
			} else {
				struct ipv6_rt_hdr_ *rh = c->pos;

				if (unlikely((void *)(rh + 1) > data_end))
					return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
				if (unlikely(ipv6_rt_dropped(rh)))
					return MALFORMED(MAL_IPV6_ROUTING);
			}
			len = ((__u32)oh->hdrlen + 1) * 8;
			nh = oh->nexthdr;
		} else if (unlikely(nh == IPPROTO_AH_)) {
			return MALFORMED(MAL_IPV6_AH);
		} else {
			break;
		}
		ext += len;
		if (unlikely(ext > plen))
			return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
		c->pos += len;
		if (unlikely(c->pos > data_end))
			return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
	}
	if (nh == IPPROTO_HOPOPTS_ && i > 0)
		return MALFORMED(MAL_IPV6_HBH_NOT_FIRST);
	if (nh == IPPROTO_HOPOPTS_ || nh == IPPROTO_ROUTING_ || nh == IPPROTO_DSTOPTS_ ||
	    nh == IPPROTO_AH_ || nh == IPPROTO_FRAGMENT_) {
		pi->l3_off = (void *)ip6 - c->data;
		return MALFORMED(MAL_IPV6_EXT_TOO_DEEP);
	}
	if (nh != IPPROTO_TCP_)
		return PARSE_NON_TCP;
	pi->family = 6;
	__builtin_memcpy(pi->saddr, &ip6->saddr, 16);
	__builtin_memcpy(pi->daddr, &ip6->daddr, 16);
	*l4_len = plen - ext;
	return PARSE_TCP;
}

#include "opts_walk.h"

/*
 * parse_tcp - TCP header with any valid data offset; fills pi->seg.
 * l4_len is the IP payload length. Returns PARSE_TCP or a malformed code.
 */
static __always_inline int parse_tcp(struct hdr_cursor *c, void *data_end, __u32 l4_len,
				     struct pkt_info *pi)
{
	struct tcphdr *th = c->pos;
	__u32 hlen;
	__u8 flags;

	if (unlikely((void *)(th + 1) > data_end || l4_len < sizeof(*th)))
		return MALFORMED(MAL_TCP_TRUNCATED);
	hlen = th->doff * 4;
	if (unlikely(hlen < sizeof(*th) || hlen > l4_len))
		return MALFORMED(MAL_TCP_BAD_DOFF);
	flags = ((__u8 *)th)[13];
	if (unlikely(!ct_flags_valid(flags)))
		return MALFORMED(MAL_TCP_BAD_FLAGS);
	pi->sport = th->source;
	pi->dport = th->dest;
	pi->seg.seq = bpf_ntohl(th->seq);
	pi->seg.ack = bpf_ntohl(th->ack_seq);
	pi->seg.win = bpf_ntohs(th->window);
	pi->seg.flags = flags;
	pi->seg.len = l4_len - hlen;
	pi->seg.wscale = CT_WSCALE_NONE;
	pi->seg.csum_bad = 0;
	pi->seg.ts = 0;
	pi->l4_off = (void *)th - c->data;
	pi->l4_len = l4_len;
	if ((flags & TCP_FL_SYN) && hlen > sizeof(*th)) {
		/* the hook reads the options (see tcp_opt_wscale) */
		pi->opt_off = (void *)(th + 1) - c->data;
		pi->opt_len = hlen - sizeof(*th);
	}
	return PARSE_TCP;
}

/*
 * parse_frame - Ethernet to TCP. frame_len is the full frame length (may
 * exceed data_end - data on TC, or in a multi-buffer XDP frame); flags
 * PARSE_F_*. Returns enum parse_result or malformed; for PARSE_TCP every
 * field of *pi is written.
 */
static __always_inline int parse_frame(void *data, void *data_end, __u32 frame_len,
				       struct pkt_info *pi, __u32 flags)
{
	struct hdr_cursor c = { .pos = data, .data = data };
	__u32 l3_off, l3_len, l4_len = 0;
	__be16 proto = 0;
	int ret;

	pi->opt_len = 0;
	pi->opt_off = 0;
	pi->ip_opt_len = 0;
	pi->ip6_ext = 0;
	pi->ip_opt_off = 0;

	ret = parse_eth(&c, data_end, &proto);
	if (ret < 0)
		return ret;
	l3_off = c.pos - data;
	if (unlikely(l3_off > frame_len))
		return MALFORMED(MAL_ETH_TRUNCATED);
	l3_len = frame_len - l3_off;
	if (unlikely(cur_rebase(&c)))
		return MALFORMED(MAL_ETH_TRUNCATED);
	if (proto == bpf_htons(ETH_P_IP_)) {
		ret = parse_ipv4(&c, data_end, l3_len, pi, &l4_len, flags);
	} else if (proto == bpf_htons(ETH_P_IPV6_)) {
		ret = parse_ipv6(&c, data_end, l3_len, pi, &l4_len);
	} else {
		return PARSE_NON_TCP;
	}
	if (ret != PARSE_TCP)
		return ret;
	if (unlikely(cur_rebase(&c)))
		return MALFORMED(MAL_TCP_TRUNCATED);
	return parse_tcp(&c, data_end, l4_len, pi);
}

/* l2_not_host - the frame is for a group (multicast or broadcast) MAC:
 * eth_type_trans() makes it PACKET_MULTICAST/BROADCAST, and tcp_v4_rcv /
 * tcp_v6_rcv discard any segment that is not PACKET_HOST. */
static __always_inline int l2_not_host(const void *data, const void *data_end)
{
	const __u8 *d = data;

	return (void *)(d + 1) <= data_end && (d[0] & 1);
}

#endif /* XDPCT_PARSE_H */

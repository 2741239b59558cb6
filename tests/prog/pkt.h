/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * pkt.h - a small packet builder for xdpct's tests and fuzzer.
 *
 * Fill a struct pkt_spec (pkt_spec_init gives sane defaults: IPv4, TCP,
 * no tags, no options), then pkt_build writes the frame into a buffer and
 * returns its length. The frame is
 *
 *   Ethernet [802.1Q/802.1ad tags] [MPLS labels]
 *   IPv4 [options] | IPv6 [hop-by-hop|routing|dest-options|fragment|AH ...]
 *   TCP [MSS, SACK-permitted, timestamps, window scale, raw] | UDP | ICMP |
 *   ICMPv6 | raw bytes
 *   payload, then Ethernet padding (not counted in the IP lengths)
 *
 * Checksums (IPv4 header, TCP/UDP/ICMP/ICMPv6) are computed, although xdpct
 * never checks them. The *_raw fields write a header field as given, to
 * build broken packets on purpose; 0 (or -1 where 0 is a valid value)
 * means "computed". pkt_build_arp writes an ARP request.
 *
 * Plain C, static inline, libc and Linux UAPI headers only. All multi-byte
 * values in the spec are host order; the builder converts.
 */
#ifndef XDPCT_TESTS_PKT_H
#define XDPCT_TESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>

#define PKT_ETH_P_IP		0x0800
#define PKT_ETH_P_ARP		0x0806
#define PKT_ETH_P_8021Q		0x8100
#define PKT_ETH_P_8021AD	0x88A8
#define PKT_ETH_P_IPV6		0x86DD
#define PKT_ETH_P_MPLS_UC	0x8847

#define PKT_IPPROTO_HOPOPTS	0
#define PKT_IPPROTO_ICMP	1
#define PKT_IPPROTO_TCP		6
#define PKT_IPPROTO_UDP		17
#define PKT_IPPROTO_ROUTING	43
#define PKT_IPPROTO_FRAGMENT	44
#define PKT_IPPROTO_AH		51
#define PKT_IPPROTO_ICMPV6	58
#define PKT_IPPROTO_NONE	59
#define PKT_IPPROTO_DSTOPTS	60

#define PKT_TCP_FIN	0x01
#define PKT_TCP_SYN	0x02
#define PKT_TCP_RST	0x04
#define PKT_TCP_PSH	0x08
#define PKT_TCP_ACK	0x10
#define PKT_TCP_URG	0x20
#define PKT_TCP_ECE	0x40
#define PKT_TCP_CWR	0x80

/* IPv4 frag_off field: flags and offset (in 8-byte units). */
#define PKT_IP_DF	0x4000
#define PKT_IP_MF	0x2000

#define PKT_MAX_VLANS	4
#define PKT_MAX_MPLS	8
#define PKT_MAX_EXT	16
#define PKT_IP4_OPT_MAX	40
#define PKT_TCP_OPT_MAX	40

enum pkt_l4 {
	PKT_L4_TCP = 0,
	PKT_L4_UDP,
	PKT_L4_ICMP,		/* ICMP echo request (ICMPv6 for IPv6) */
	PKT_L4_RAW,		/* payload only, protocol number from l4_proto */
};

/* One IPv6 extension header. */
struct pkt_ext6 {
	__u8 type;		/* PKT_IPPROTO_HOPOPTS, _ROUTING, _DSTOPTS, _FRAGMENT, _AH */
	__u16 len;		/* total bytes: options/routing multiple of 8 (0: 8),
				 * AH multiple of 4 (0: 12), fragment always 8 */
	__u8 rt_type;		/* routing type (segments left is 0) */
	__u16 frag_offset;	/* fragment offset, in 8-byte units */
	bool frag_more;		/* M flag */
	__u32 frag_id;
	int nexthdr_raw;	/* -1: the real next header */
	const __u8 *opts;	/* hop-by-hop, destination: these options first */
	__u16 opts_len;
};

/* An option type Linux does not know whose high bits 00 say "skip it"
 * (RFC 4727's experimental type 0x1e): what fills a long options header. */
#define PKT_OPT6_FILL	0x1e

struct pkt_spec {
	/* L2 */
	__u8 dst_mac[6];
	__u8 src_mac[6];
	int vlans;			/* tags, outermost first */
	__u16 vlan_tpid[PKT_MAX_VLANS];	/* 0: 802.1Q, or 802.1ad for all but the innermost */
	__u16 vlan_tci[PKT_MAX_VLANS];
	int mpls;			/* labels after the tags (bottom one gets S) */
	__u32 mpls_label[PKT_MAX_MPLS];
	int eth_type_raw;		/* -1: the real EtherType after the tags */

	/* L3 */
	int family;			/* 4 or 6 */
	__u8 saddr[16];			/* IPv4 in the first 4 bytes */
	__u8 daddr[16];
	__u8 ttl;			/* also IPv6 hop limit */
	__u8 tos;
	__u16 ip_id;
	__u16 frag_off;			/* IPv4: PKT_IP_DF/MF | offset in 8-byte units */
	__u8 ip4_opt_len;		/* bytes, multiple of 4, <= 40 */
	const __u8 *ip4_opts;		/* NULL: NOPs ending in EOL */
	int ihl_raw;			/* -1: computed */
	int tot_len_raw;		/* -1: computed (IPv4 total, IPv6 payload length) */
	int version_raw;		/* -1: family */
	int n_ext;			/* IPv6 extension headers, in order */
	struct pkt_ext6 ext[PKT_MAX_EXT];

	/* L4 */
	enum pkt_l4 l4;
	__u8 l4_proto;			/* PKT_L4_RAW: the protocol number */
	__u16 sport, dport;
	__u32 seq, ack;
	__u8 flags;			/* PKT_TCP_* */
	__u16 win;
	__u16 urg;
	__u16 mss;			/* 0: no MSS option */
	int wscale;			/* -1: no window scale option */
	bool sack_perm;
	bool ts;
	__u32 tsval, tsecr;
	__u8 tcp_opt_raw_len;		/* more option bytes, appended as given */
	const __u8 *tcp_opt_raw;
	int doff_raw;			/* -1: computed */

	/* payload and padding */
	__u32 payload_len;
	const __u8 *payload;		/* NULL: payload_byte repeated */
	__u8 payload_byte;
	__u32 pad_to;			/* Ethernet padding up to this frame length */
	__u8 pad_byte;
};

static inline void pkt_spec_init(struct pkt_spec *s)
{
	static const __u8 dmac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
	static const __u8 smac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	int i;

	memset(s, 0, sizeof(*s));
	memcpy(s->dst_mac, dmac, 6);
	memcpy(s->src_mac, smac, 6);
	s->eth_type_raw = -1;
	s->family = 4;
	s->ttl = 64;
	s->ihl_raw = -1;
	s->tot_len_raw = -1;
	s->version_raw = -1;
	for (i = 0; i < PKT_MAX_EXT; i++)
		s->ext[i].nexthdr_raw = -1;
	s->l4 = PKT_L4_TCP;
	s->win = 65535;
	s->wscale = -1;
	s->doff_raw = -1;
	s->pad_byte = 0;
}

/* pkt_ip4 / pkt_ip6 - set an address from text ("192.0.2.1", "2001:db8::1"). */
static inline int pkt_ip4(__u8 addr[16], const char *text)
{
	memset(addr, 0, 16);
	return inet_pton(AF_INET, text, addr) == 1 ? 0 : -1;
}

static inline int pkt_ip6(__u8 addr[16], const char *text)
{
	return inet_pton(AF_INET6, text, addr) == 1 ? 0 : -1;
}

/* pkt_ext6_add - append an extension header of type with defaults; its index or -1. */
static inline int pkt_ext6_add(struct pkt_spec *s, __u8 type, __u16 len)
{
	struct pkt_ext6 *e;

	if (s->n_ext >= PKT_MAX_EXT)
		return -1;
	e = &s->ext[s->n_ext];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->len = len;
	e->nexthdr_raw = -1;
	return s->n_ext++;
}

/* ---- checksums ------------------------------------------------------- */

/* pkt_csum_add - add bytes to a one's complement sum (not folded). */
static inline __u32 pkt_csum_add(__u32 sum, const void *data, size_t len)
{
	const __u8 *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

static inline __u16 pkt_csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* pkt_l4_csum - TCP/UDP/ICMPv6 checksum with the pseudo-header (host order). */
static inline __u16 pkt_l4_csum(const struct pkt_spec *s, __u8 proto, const void *l4,
				__u32 len)
{
	__u32 sum = 0;
	__u8 w[4];

	if (s->family == 4) {
		sum = pkt_csum_add(sum, s->saddr, 4);
		sum = pkt_csum_add(sum, s->daddr, 4);
		sum += proto;
		sum += len & 0xffff;
	} else {
		sum = pkt_csum_add(sum, s->saddr, 16);
		sum = pkt_csum_add(sum, s->daddr, 16);
		w[0] = (__u8)(len >> 24);
		w[1] = (__u8)(len >> 16);
		w[2] = (__u8)(len >> 8);
		w[3] = (__u8)len;
		sum = pkt_csum_add(sum, w, 4);
		sum += proto;
	}
	return pkt_csum_fold(pkt_csum_add(sum, l4, len));
}

/* ---- small writers ----------------------------------------------------- */

static inline void pkt_put16(__u8 *p, __u16 v)
{
	p[0] = (__u8)(v >> 8);
	p[1] = (__u8)v;
}

static inline void pkt_put32(__u8 *p, __u32 v)
{
	p[0] = (__u8)(v >> 24);
	p[1] = (__u8)(v >> 16);
	p[2] = (__u8)(v >> 8);
	p[3] = (__u8)v;
}

/* pkt_tcp_opts - the TCP options of s into o (PKT_TCP_OPT_MAX); their length. */
static inline int pkt_tcp_opts(const struct pkt_spec *s, __u8 *o)
{
	int n = 0;

	if (s->mss) {
		o[n++] = 2;
		o[n++] = 4;
		pkt_put16(o + n, s->mss);
		n += 2;
	}
	if (s->sack_perm && s->ts) {
		/* Linux's SYN layout: SACK-permitted then timestamps, 12 bytes */
		o[n++] = 4;
		o[n++] = 2;
	} else if (s->sack_perm) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	} else if (s->ts) {
		o[n++] = 1;
		o[n++] = 1;
	}
	if (s->ts) {
		o[n++] = 8;
		o[n++] = 10;
		pkt_put32(o + n, s->tsval);
		pkt_put32(o + n + 4, s->tsecr);
		n += 8;
	}
	if (s->wscale >= 0) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = (__u8)s->wscale;
	}
	if (s->tcp_opt_raw_len && s->tcp_opt_raw) {
		int raw = s->tcp_opt_raw_len;

		if (n + raw > PKT_TCP_OPT_MAX)
			raw = PKT_TCP_OPT_MAX - n;
		memcpy(o + n, s->tcp_opt_raw, raw);
		n += raw;
	}
	while (n & 3)		/* end of options, then zero padding */
		o[n++] = 0;
	return n;
}

/* pkt_ext6_len - bytes of extension header e. */
static inline __u32 pkt_ext6_len(const struct pkt_ext6 *e)
{
	switch (e->type) {
	case PKT_IPPROTO_FRAGMENT:
		return 8;
	case PKT_IPPROTO_AH:
		return e->len ? e->len : 12;
	default:
		return e->len ? e->len : 8;
	}
}

/*
 * pkt_opts6_fill - the n option bytes of an options header: e's own, then
 * what ip6_parse_tlv accepts: padding up to 7 bytes (Pad1, PadN), more as
 * skippable options (PKT_OPT6_FILL) of up to 257 bytes.
 */
static inline void pkt_opts6_fill(const struct pkt_ext6 *e, __u8 *p, __u32 n)
{
	__u32 at = 0, k;

	if (e->opts && e->opts_len) {
		at = e->opts_len < n ? e->opts_len : n;
		memcpy(p, e->opts, at);
	}
	while (at < n) {
		k = n - at;
		if (k == 1) {
			p[at] = 0;		/* Pad1 */
		} else if (k <= 7) {
			p[at] = 1;		/* PadN */
			p[at + 1] = (__u8)(k - 2);
		} else {
			if (k > 257)
				k = 257;
			p[at] = PKT_OPT6_FILL;
			p[at + 1] = (__u8)(k - 2);
		}
		at += k;
	}
}

/* pkt_ext6_write - extension header e at p, followed by next header nh. */
static inline void pkt_ext6_write(const struct pkt_ext6 *e, __u8 *p, __u8 nh)
{
	__u32 len = pkt_ext6_len(e);

	memset(p, 0, len);
	p[0] = e->nexthdr_raw >= 0 ? (__u8)e->nexthdr_raw : nh;
	switch (e->type) {
	case PKT_IPPROTO_FRAGMENT:
		pkt_put16(p + 2, (__u16)(e->frag_offset << 3 | (e->frag_more ? 1 : 0)));
		pkt_put32(p + 4, e->frag_id);
		break;
	case PKT_IPPROTO_AH:
		p[1] = (__u8)(len / 4 - 2);
		pkt_put32(p + 4, 0x100);	/* SPI */
		pkt_put32(p + 8, 1);		/* sequence number; ICV zero */
		break;
	case PKT_IPPROTO_ROUTING:
		p[1] = (__u8)(len / 8 - 1);
		p[2] = e->rt_type;
		p[3] = 0;			/* segments left: the header is inert */
		break;
	default:			/* hop-by-hop, destination options */
		p[1] = (__u8)(len / 8 - 1);
		pkt_opts6_fill(e, p + 2, len - 2);
		break;
	}
}

/* pkt_l4_len - bytes after the IP header(s) and extension headers. */
static inline __u32 pkt_l4_len(const struct pkt_spec *s)
{
	__u8 o[PKT_TCP_OPT_MAX];

	switch (s->l4) {
	case PKT_L4_TCP:
		return 20 + pkt_tcp_opts(s, o) + s->payload_len;
	case PKT_L4_UDP:
	case PKT_L4_ICMP:
		return 8 + s->payload_len;
	default:
		return s->payload_len;
	}
}

/* pkt_len - the frame length pkt_build will write for s. */
static inline __u32 pkt_len(const struct pkt_spec *s)
{
	__u32 n = 14 + 4 * s->vlans + 4 * s->mpls, i;

	if (s->family == 4) {
		n += 20 + s->ip4_opt_len;
	} else {
		n += 40;
		for (i = 0; i < (__u32)s->n_ext; i++)
			n += pkt_ext6_len(&s->ext[i]);
	}
	n += pkt_l4_len(s);
	return n < s->pad_to ? s->pad_to : n;
}

/*
 * pkt_build - write the frame of s into buf (cap bytes). Returns the frame
 * length, or -1 if it does not fit or s is inconsistent.
 */
static inline int pkt_build(const struct pkt_spec *s, void *buf, size_t cap)
{
	__u8 *b = buf, *ip, *l4, topts[PKT_TCP_OPT_MAX];
	__u32 need = pkt_len(s), off = 0, l4_len, ext_len = 0, i;
	__u16 proto;
	__u8 l4_proto, nh;
	int topt_len = 0;

	if (s->vlans < 0 || s->vlans > PKT_MAX_VLANS || s->mpls < 0 || s->mpls > PKT_MAX_MPLS ||
	    s->n_ext < 0 || s->n_ext > PKT_MAX_EXT || s->ip4_opt_len > PKT_IP4_OPT_MAX ||
	    (s->ip4_opt_len & 3) || (s->family != 4 && s->family != 6) || need > cap)
		return -1;
	memset(b, 0, need);

	/* Ethernet, tags, labels */
	memcpy(b, s->dst_mac, 6);
	memcpy(b + 6, s->src_mac, 6);
	off = 12;
	for (i = 0; i < (__u32)s->vlans; i++) {
		__u16 tpid = s->vlan_tpid[i];

		if (!tpid)
			tpid = (i + 1 < (__u32)s->vlans) ? PKT_ETH_P_8021AD : PKT_ETH_P_8021Q;
		pkt_put16(b + off, tpid);
		pkt_put16(b + off + 2, s->vlan_tci[i]);
		off += 4;
	}
	if (s->mpls)
		proto = PKT_ETH_P_MPLS_UC;
	else
		proto = s->family == 4 ? PKT_ETH_P_IP : PKT_ETH_P_IPV6;
	pkt_put16(b + off, s->eth_type_raw >= 0 ? (__u16)s->eth_type_raw : proto);
	off += 2;
	for (i = 0; i < (__u32)s->mpls; i++) {
		__u32 lse = (s->mpls_label[i] & 0xfffff) << 12 | 64;	/* TTL 64 */

		if (i + 1 == (__u32)s->mpls)
			lse |= 1 << 8;	/* bottom of stack */
		pkt_put32(b + off, lse);
		off += 4;
	}

	/* L4 protocol number */
	switch (s->l4) {
	case PKT_L4_TCP:
		l4_proto = PKT_IPPROTO_TCP;
		topt_len = pkt_tcp_opts(s, topts);
		break;
	case PKT_L4_UDP:
		l4_proto = PKT_IPPROTO_UDP;
		break;
	case PKT_L4_ICMP:
		l4_proto = s->family == 4 ? PKT_IPPROTO_ICMP : PKT_IPPROTO_ICMPV6;
		break;
	default:
		l4_proto = s->l4_proto;
		break;
	}
	l4_len = pkt_l4_len(s);

	/* IP */
	ip = b + off;
	if (s->family == 4) {
		__u32 hlen = 20 + s->ip4_opt_len;
		__u8 ihl = s->ihl_raw >= 0 ? (__u8)s->ihl_raw : (__u8)(hlen / 4);
		__u8 ver = s->version_raw >= 0 ? (__u8)s->version_raw : 4;

		ip[0] = (__u8)(ver << 4 | (ihl & 0xf));
		ip[1] = s->tos;
		pkt_put16(ip + 2, s->tot_len_raw >= 0 ? (__u16)s->tot_len_raw :
							 (__u16)(hlen + l4_len));
		pkt_put16(ip + 4, s->ip_id);
		pkt_put16(ip + 6, s->frag_off);
		ip[8] = s->ttl;
		ip[9] = l4_proto;
		memcpy(ip + 12, s->saddr, 4);
		memcpy(ip + 16, s->daddr, 4);
		if (s->ip4_opt_len) {
			if (s->ip4_opts) {
				memcpy(ip + 20, s->ip4_opts, s->ip4_opt_len);
			} else {
				memset(ip + 20, 1, s->ip4_opt_len - 1);	/* NOP */
				ip[20 + s->ip4_opt_len - 1] = 0;	/* EOL */
			}
		}
		pkt_put16(ip + 10, pkt_csum_fold(pkt_csum_add(0, ip, hlen)));
		off += hlen;
	} else {
		__u8 ver = s->version_raw >= 0 ? (__u8)s->version_raw : 6;

		for (i = 0; i < (__u32)s->n_ext; i++)
			ext_len += pkt_ext6_len(&s->ext[i]);
		ip[0] = (__u8)(ver << 4 | s->tos >> 4);
		ip[1] = (__u8)(s->tos << 4);
		pkt_put16(ip + 4, s->tot_len_raw >= 0 ? (__u16)s->tot_len_raw :
							 (__u16)(ext_len + l4_len));
		ip[6] = s->n_ext ? s->ext[0].type : l4_proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->saddr, 16);
		memcpy(ip + 24, s->daddr, 16);
		off += 40;
		for (i = 0; i < (__u32)s->n_ext; i++) {
			nh = i + 1 < (__u32)s->n_ext ? s->ext[i + 1].type : l4_proto;
			pkt_ext6_write(&s->ext[i], b + off, nh);
			off += pkt_ext6_len(&s->ext[i]);
		}
	}

	/* L4 */
	l4 = b + off;
	switch (s->l4) {
	case PKT_L4_TCP: {
		__u8 doff = s->doff_raw >= 0 ? (__u8)s->doff_raw : (__u8)((20 + topt_len) / 4);

		pkt_put16(l4, s->sport);
		pkt_put16(l4 + 2, s->dport);
		pkt_put32(l4 + 4, s->seq);
		pkt_put32(l4 + 8, s->ack);
		l4[12] = (__u8)(doff << 4);
		l4[13] = s->flags;
		pkt_put16(l4 + 14, s->win);
		pkt_put16(l4 + 18, s->urg);
		memcpy(l4 + 20, topts, topt_len);
		off += 20 + topt_len;
		break;
	}
	case PKT_L4_UDP:
		pkt_put16(l4, s->sport);
		pkt_put16(l4 + 2, s->dport);
		pkt_put16(l4 + 4, (__u16)l4_len);
		off += 8;
		break;
	case PKT_L4_ICMP:
		l4[0] = s->family == 4 ? 8 : 128;	/* echo request */
		pkt_put16(l4 + 4, s->sport);		/* identifier */
		pkt_put16(l4 + 6, s->dport);		/* sequence */
		off += 8;
		break;
	default:
		break;
	}
	if (s->payload)
		memcpy(b + off, s->payload, s->payload_len);
	else
		memset(b + off, s->payload_byte, s->payload_len);
	off += s->payload_len;

	/* checksums over the finished L4 bytes */
	switch (s->l4) {
	case PKT_L4_TCP:
		pkt_put16(l4 + 16, pkt_l4_csum(s, PKT_IPPROTO_TCP, l4, l4_len));
		break;
	case PKT_L4_UDP: {
		__u16 c = pkt_l4_csum(s, PKT_IPPROTO_UDP, l4, l4_len);

		pkt_put16(l4 + 6, c ? c : 0xffff);
		break;
	}
	case PKT_L4_ICMP:
		if (s->family == 4)
			pkt_put16(l4 + 2, pkt_csum_fold(pkt_csum_add(0, l4, l4_len)));
		else
			pkt_put16(l4 + 2, pkt_l4_csum(s, PKT_IPPROTO_ICMPV6, l4, l4_len));
		break;
	default:
		break;
	}

	if (off < need)
		memset(b + off, s->pad_byte, need - off);
	return (int)need;
}

/*
 * pkt_build_arp - an ARP request (who-has tpa, tell spa) in buf, padded to
 * the 60-byte Ethernet minimum, with s's MACs and tags. Returns the length.
 */
static inline int pkt_build_arp(const struct pkt_spec *s, const __u8 spa[4], const __u8 tpa[4],
				void *buf, size_t cap)
{
	__u8 *b = buf, *a;
	__u32 off = 12, i;

	if (s->vlans < 0 || s->vlans > PKT_MAX_VLANS || cap < 60 + 4u * s->vlans)
		return -1;
	memset(b, 0, 60 + 4 * s->vlans);
	memset(b, 0xff, 6);
	memcpy(b + 6, s->src_mac, 6);
	for (i = 0; i < (__u32)s->vlans; i++) {
		__u16 tpid = s->vlan_tpid[i];

		if (!tpid)
			tpid = (i + 1 < (__u32)s->vlans) ? PKT_ETH_P_8021AD : PKT_ETH_P_8021Q;
		pkt_put16(b + off, tpid);
		pkt_put16(b + off + 2, s->vlan_tci[i]);
		off += 4;
	}
	pkt_put16(b + off, PKT_ETH_P_ARP);
	a = b + off + 2;
	pkt_put16(a, 1);		/* Ethernet */
	pkt_put16(a + 2, PKT_ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	pkt_put16(a + 6, 1);		/* request */
	memcpy(a + 8, s->src_mac, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 24, tpa, 4);
	return 60 + 4 * s->vlans;
}

#endif /* XDPCT_TESTS_PKT_H */

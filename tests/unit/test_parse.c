// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_parse.c - the bounded header parsers of bpf/parse.h, compiled in
 * userspace: frames are built byte by byte and parse_frame's result and
 * struct pkt_info are checked, for good frames (VLAN, QinQ, MPLS, IPv4
 * options, IPv6 extension chains), broken ones (each malformed reason) and
 * every truncation of a good frame. Truncated frames are parsed at the end
 * of a page followed by an inaccessible page, so a read past data_end
 * crashes the test (exactly at data_end for a quarter of the lengths, the
 * rest keep the headers aligned). Also tcp_opts_wscale_walk on option byte strings.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "ct_track.h"
/* parse.h's loop hints are for clang's BPF target */
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "parse.h"
#include "csum.h"

#define SADDR	0x0a000001u	/* 10.0.0.1 */
#define DADDR	0x0a000002u	/* 10.0.0.2 */
#define SPORT	40000
#define DPORT	80
#define SEQ	0x11223344u
#define ACKNO	0x55667788u
#define WINDOW	0x1234

#define PROTO_TCP	6
#define PROTO_UDP	17
#define NH_HOP		0
#define NH_ROUTING	43
#define NH_FRAG		44
#define NH_DSTOPTS	60

/* SYN options as Linux sends them: MSS, SACK_PERM, TS, NOP, WS = 7 */
static const __u8 linux_syn_opts[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

/*
 * A frame starts 2 bytes past a 4-byte boundary (the kernel's NET_IP_ALIGN),
 * so the IP and TCP headers are aligned as the parsers' structs need.
 */
struct frame {
	size_t len;
	size_t l3_off;		/* where the IP header starts */
	size_t l4_off;		/* where the TCP header starts */
	size_t l3_hlen;		/* IPv4 header or IPv6 fixed header length */
	__u16 mpls;		/* an MPLS label stack before the IP header */
	__u8 b[2048];
};
_Static_assert(offsetof(struct frame, b) % 4 == 2, "frame data must be 2 mod 4");

static void *put(struct frame *fr, const void *p, size_t n)
{
	void *at = fr->b + fr->len;

	if (p)
		memcpy(at, p, n);
	else
		memset(at, 0, n);
	fr->len += n;
	return at;
}

static void put16(struct frame *fr, __u16 v)
{
	__be16 x = bpf_htons(v);

	put(fr, &x, 2);
}

static void eth(struct frame *fr, __u16 proto)
{
	static const __u8 macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memset(fr, 0, sizeof(*fr));
	put(fr, macs, sizeof(macs));
	put16(fr, proto);
}

static void vlan(struct frame *fr, __u16 tci, __u16 proto)
{
	put16(fr, tci);
	put16(fr, proto);
}

/* ip_csum - RFC 1071 over n bytes, as it lies in memory */
static __u16 ip_csum(const void *p, size_t n)
{
	const __u8 *b = p;
	__u32 sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (__u32)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return bpf_htons((__u16)~sum);
}

/* ipv4 - header of ihl words (options are NOPs), tot_len = header + l4_len */
static struct iphdr *ipv4(struct frame *fr, int ihl, __u8 proto, __u16 frag_off, size_t l4_len)
{
	struct iphdr *ip;

	fr->l3_off = fr->len;
	fr->l3_hlen = ihl > 5 ? ihl * 4 : 20;
	ip = put(fr, NULL, ihl > 5 ? ihl * 4 : 20);
	if (ihl > 5)
		memset(ip + 1, 1, (ihl - 5) * 4);
	ip->version = 4;
	ip->ihl = ihl;
	ip->tot_len = bpf_htons((ihl > 5 ? ihl * 4 : 20) + l4_len);
	ip->frag_off = bpf_htons(frag_off);
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = bpf_htonl(SADDR);
	ip->daddr = bpf_htonl(DADDR);
	ip->check = ip_csum(ip, ip->ihl * 4);
	fr->l4_off = fr->len;
	return ip;
}

/* ip_fix - the IPv4 header checksum again, after a test changed a field */
static void ip_fix(struct frame *fr)
{
	struct iphdr *ip = (struct iphdr *)(fr->b + fr->l3_off);

	ip->check = 0;
	ip->check = ip_csum(ip, ip->ihl * 4);
}

static const __u8 v6_src[16] = { 0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const __u8 v6_dst[16] = { 0xfc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

static struct ipv6hdr *ipv6(struct frame *fr, __u8 nexthdr, size_t plen)
{
	struct ipv6hdr *ip6;

	fr->l3_off = fr->len;
	fr->l3_hlen = sizeof(*ip6);
	ip6 = put(fr, NULL, sizeof(*ip6));
	ip6->version = 6;
	ip6->payload_len = bpf_htons(plen);
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = 64;
	memcpy(&ip6->saddr, v6_src, 16);
	memcpy(&ip6->daddr, v6_dst, 16);
	fr->l4_off = fr->len;
	return ip6;
}

/*
 * ext6 - an 8-byte hop-by-hop, routing or destination options header: as
 * options two Pad1 and a PadN; as a routing header type 0, 0 segments left
 * (ipv6_rthdr_rcv passes it on)
 */
static void ext6(struct frame *fr, __u8 nexthdr)
{
	__u8 h[8] = { nexthdr, 0, 0, 0, 1, 2, 0, 0 };

	put(fr, h, sizeof(h));
	fr->l4_off = fr->len;
}

static void frag6(struct frame *fr, __u8 nexthdr, __u16 offset_units, bool more)
{
	__u8 h[8] = { nexthdr, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef };
	__u16 fo = (offset_units << 3) | (more ? 1 : 0);

	h[2] = fo >> 8;
	h[3] = fo & 0xff;
	put(fr, h, sizeof(h));
	fr->l4_off = fr->len;
}

/* tcp - header with doff words (opts, then NOP padding) and payload bytes */
static struct tcphdr *tcp(struct frame *fr, int doff, __u8 flags, const __u8 *opts,
			  size_t opt_len, size_t payload)
{
	size_t hlen = doff >= 5 ? doff * 4 : 20;
	struct tcphdr *th;
	__u8 *b;

	fr->l4_off = fr->len;
	th = put(fr, NULL, hlen);
	b = (__u8 *)th;
	th->source = bpf_htons(SPORT);
	th->dest = bpf_htons(DPORT);
	th->seq = bpf_htonl(SEQ);
	th->ack_seq = bpf_htonl(ACKNO);
	b[12] = doff << 4;
	b[13] = flags;
	th->window = bpf_htons(WINDOW);
	if (hlen > 20)
		memset(b + 20, 1, hlen - 20);
	if (opts)
		memcpy(b + 20, opts, opt_len);
	memset(put(fr, NULL, payload), 0xab, payload);
	return th;
}

/* the usual frame: Ethernet, IPv4 (ihl), TCP ACK|PSH with payload bytes */
static void v4_frame(struct frame *fr, int ihl, size_t payload)
{
	eth(fr, ETH_P_IP_);
	ipv4(fr, ihl, PROTO_TCP, 0, 20 + payload);
	tcp(fr, 5, TCP_FL_ACK | TCP_FL_PSH, NULL, 0, payload);
}

static int parse(const struct frame *fr, size_t n, __u32 frame_len, struct pkt_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	return parse_frame((void *)fr->b, (void *)(fr->b + n), frame_len, pi, PARSE_F_CSUM);
}

/*
 * parse_guarded - the first n bytes of fr, placed so that they end at most
 * 3 bytes (0 when n % 4 == 2) before a PROT_NONE page, 2 mod 4 aligned.
 */
static int parse_guarded(const struct frame *fr, size_t n, __u32 frame_len, struct pkt_info *pi)
{
	static __u8 *area;
	static long pg;
	__u8 *data;

	if (!area) {
		pg = sysconf(_SC_PAGESIZE);
		area = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		assert_true(area != MAP_FAILED);
		assert_int_equal(mprotect(area + pg, pg, PROT_NONE), 0);
	}
	data = area + pg - n - ((4 - (n + 2) % 4) % 4);
	memcpy(data, fr->b, n);
	memset(pi, 0, sizeof(*pi));
	return parse_frame(data, data + n, frame_len, pi, PARSE_F_CSUM);
}

static void assert_v4_tcp(const struct pkt_info *pi, size_t payload)
{
	assert_int_equal(pi->family, 4);
	assert_int_equal(pi->saddr[0], bpf_htonl(SADDR));
	assert_int_equal(pi->daddr[0], bpf_htonl(DADDR));
	assert_int_equal(pi->saddr[1] | pi->saddr[2] | pi->saddr[3], 0);
	assert_int_equal(pi->daddr[1] | pi->daddr[2] | pi->daddr[3], 0);
	assert_int_equal(pi->sport, bpf_htons(SPORT));
	assert_int_equal(pi->dport, bpf_htons(DPORT));
	assert_int_equal(pi->seg.seq, SEQ);
	assert_int_equal(pi->seg.ack, ACKNO);
	assert_int_equal(pi->seg.win, WINDOW);
	assert_int_equal(pi->seg.len, payload);
}

static void test_malformed_code_is_minus_one_minus_reason(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	assert_int_equal(MALFORMED(MAL_ETH_TRUNCATED), -1);
	assert_int_equal(MALFORMED(MAL_VLAN_TRUNCATED), -2);
	assert_int_equal(MALFORMED(MAL_TCP_BAD_FLAGS), -(1 + MAL_TCP_BAD_FLAGS));
	v4_frame(&fr, 5, 0);
	assert_int_equal(parse(&fr, 13, 13, &pi), -1);
	assert_int_equal(parse(&fr, 0, 0, &pi), -1);
}

static void test_ipv4_tcp_fields_are_parsed(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 10);
	assert_int_equal(fr.len, 64);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_v4_tcp(&pi, 10);
	assert_int_equal(pi.seg.flags, TCP_FL_ACK | TCP_FL_PSH);
	assert_int_equal(pi.seg.wscale, CT_WSCALE_NONE);
	assert_int_equal(pi.opt_len, 0);	/* not a SYN: options are not read */
	assert_int_equal(pi.opt_off, 0);
}

static void test_ipv4_options_ihl_6_to_15_find_tcp(void **s)
{
	struct pkt_info pi;
	struct frame fr;
	int ihl;

	(void)s;
	for (ihl = 6; ihl <= 15; ihl++) {
		v4_frame(&fr, ihl, 7);
		assert_int_equal(fr.len, 14 + ihl * 4 + 20 + 7);
		assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
		assert_v4_tcp(&pi, 7);
	}
}

static void test_ipv4_ihl_below_5_is_bad_ihl(void **s)
{
	struct pkt_info pi;
	struct frame fr;
	int ihl;

	(void)s;
	for (ihl = 0; ihl < 5; ihl++) {
		v4_frame(&fr, 5, 0);
		((struct iphdr *)(fr.b + fr.l3_off))->ihl = ihl;
		assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV4_BAD_IHL));
	}
}

static void test_ipv4_tot_len_longer_than_frame_is_bad_length(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 10);
	((struct iphdr *)(fr.b + fr.l3_off))->tot_len = bpf_htons(20 + 20 + 11);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV4_BAD_LENGTH));
}

static void test_ipv4_tot_len_shorter_than_header_is_bad_length(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 10);
	((struct iphdr *)(fr.b + fr.l3_off))->tot_len = bpf_htons(19);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV4_BAD_LENGTH));

	v4_frame(&fr, 8, 10);	/* 32-byte header, tot_len 28 */
	((struct iphdr *)(fr.b + fr.l3_off))->tot_len = bpf_htons(28);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV4_BAD_LENGTH));
}

/* tot_len leaves room for only 10 bytes of the TCP header */
static void test_ipv4_tot_len_cutting_tcp_header_is_tcp_truncated(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 10);
	((struct iphdr *)(fr.b + fr.l3_off))->tot_len = bpf_htons(20 + 10);
	ip_fix(&fr);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_TCP_TRUNCATED));
}

/* Ethernet pads short frames: the payload length comes from the IP header */
static void test_payload_length_comes_from_ip_header(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 0);
	put(&fr, NULL, 60 - fr.len);	/* padding to the 60-byte minimum */
	assert_int_equal(fr.len, 60);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.len, 0);

	v4_frame(&fr, 5, 10);
	put(&fr, NULL, 16);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.len, 10);

	/* on TC the frame may be longer than its linear data */
	v4_frame(&fr, 5, 1000);
	assert_int_equal(parse(&fr, 14 + 40, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.len, 1000);
}

static void test_ip_version_mismatch_is_bad_version(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 0);
	((struct iphdr *)(fr.b + fr.l3_off))->version = 6;
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IP_BAD_VERSION));

	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, PROTO_TCP, 20);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	((struct ipv6hdr *)(fr.b + fr.l3_off))->version = 4;
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IP_BAD_VERSION));
}

static void test_vlan_8021q_and_qinq_are_parsed(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 3);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 3);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_v4_tcp(&pi, 3);

	eth(&fr, ETH_P_8021AD_);
	vlan(&fr, 200, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 4);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 4);
	assert_int_equal(fr.l3_off, 22);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_v4_tcp(&pi, 4);

	eth(&fr, ETH_P_8021AD_);
	vlan(&fr, 200, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IPV6_);
	ipv6(&fr, PROTO_TCP, 20);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.family, 6);
}

static void test_three_vlan_tags_are_too_deep(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_8021AD_);
	vlan(&fr, 300, ETH_P_8021Q_);
	vlan(&fr, 200, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_VLAN_TOO_DEEP));
}

static void test_vlan_tag_cut_short_is_vlan_truncated(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IP_);
	assert_int_equal(parse(&fr, 16, 16, &pi), MALFORMED(MAL_VLAN_TRUNCATED));
}

/* one MPLS label (bottom of stack) over IPv4 */
static void test_mpls_label_over_ipv4_is_parsed(void **s)
{
	static const __u8 label[4] = { 0x00, 0x01, 0x01, 0x40 };	/* label 16, S = 1 */
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_MPLS_UC_);
	put(&fr, label, sizeof(label));
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 5);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 5);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_v4_tcp(&pi, 5);
	assert_int_equal(parse(&fr, 16, 16, &pi), MALFORMED(MAL_MPLS_TRUNCATED));
}

/* hop-by-hop, routing, destination options and a first fragment, then TCP */
static void test_ipv6_extension_chain_reaches_tcp(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_HOP, 4 * 8 + 20 + 12);
	ext6(&fr, NH_ROUTING);
	ext6(&fr, NH_DSTOPTS);
	ext6(&fr, NH_FRAG);
	frag6(&fr, PROTO_TCP, 0, false);	/* an atomic fragment: a whole packet */
	tcp(&fr, 5, TCP_FL_ACK | TCP_FL_PSH, NULL, 0, 12);
	assert_int_equal(fr.l4_off, 14 + 40 + 32);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.family, 6);
	assert_memory_equal(pi.saddr, v6_src, 16);
	assert_memory_equal(pi.daddr, v6_dst, 16);
	assert_int_equal(pi.sport, bpf_htons(SPORT));
	assert_int_equal(pi.dport, bpf_htons(DPORT));
	assert_int_equal(pi.seg.seq, SEQ);
	assert_int_equal(pi.seg.ack, ACKNO);
	assert_int_equal(pi.seg.flags, TCP_FL_ACK | TCP_FL_PSH);
	assert_int_equal(pi.seg.len, 12);
}

static void test_ipv6_six_extension_headers_are_parsed(void **s)
{
	struct pkt_info pi;
	struct frame fr;
	int i;

	(void)s;
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_DSTOPTS, 6 * 8 + 20);
	for (i = 0; i < 6; i++)
		ext6(&fr, i < 5 ? NH_DSTOPTS : PROTO_TCP);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.seq, SEQ);
	assert_int_equal(pi.seg.len, 0);
}

static void test_ipv6_seven_extension_headers_are_too_deep(void **s)
{
	struct pkt_info pi;
	struct frame fr;
	int i;

	(void)s;
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_DSTOPTS, 7 * 8 + 20);
	for (i = 0; i < 7; i++)
		ext6(&fr, i < 6 ? NH_DSTOPTS : PROTO_TCP);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV6_EXT_TOO_DEEP));
}

/* the extension headers run past payload_len (the frame is padded) */
static void test_ipv6_ext_headers_beyond_payload_len_are_truncated(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_HOP, 8);
	ext6(&fr, NH_DSTOPTS);
	ext6(&fr, PROTO_TCP);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV6_EXT_TRUNCATED));
}

static void test_ipv6_fragments_are_not_tracked(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_FRAG, 8 + 100);
	frag6(&fr, PROTO_TCP, 185, true);
	put(&fr, NULL, 100);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_FRAGMENT);

	/* the last fragment (no M flag) too */
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_FRAG, 8 + 100);
	frag6(&fr, PROTO_TCP, 1, false);
	put(&fr, NULL, 100);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_FRAGMENT);

	/* and the first (offset 0, M set), though it holds the TCP header */
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_FRAG, 8 + 20);
	frag6(&fr, PROTO_TCP, 0, true);
	tcp(&fr, 5, TCP_FL_RST, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_FRAGMENT);
}

static void test_ipv4_fragments_are_not_tracked(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 100, 40);
	put(&fr, NULL, 40);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_FRAGMENT);

	/* the first fragment (MF set, offset 0) carries the TCP header, but
	 * the host may never reassemble it: not tracked either */
	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0x2000, 20 + 8);
	tcp(&fr, 5, TCP_FL_RST, NULL, 0, 8);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_FRAGMENT);
}

static void test_ipv6_payload_len_beyond_frame_is_bad_length(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, PROTO_TCP, 21);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV6_BAD_LENGTH));
}

static void test_tcp_doff_below_5_is_bad_doff(void **s)
{
	struct pkt_info pi;
	struct frame fr;
	int doff;

	(void)s;
	for (doff = 0; doff < 5; doff++) {
		v4_frame(&fr, 5, 20);
		fr.b[fr.l4_off + 12] = doff << 4;
		assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_TCP_BAD_DOFF));
	}
}

static void test_tcp_doff_beyond_segment_is_bad_doff(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 0);
	fr.b[fr.l4_off + 12] = 6 << 4;	/* 24 bytes of header in a 20-byte segment */
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_TCP_BAD_DOFF));

	v4_frame(&fr, 5, 39);
	fr.b[fr.l4_off + 12] = 15 << 4;	/* 60 > 59 */
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_TCP_BAD_DOFF));

	v4_frame(&fr, 5, 40);
	fr.b[fr.l4_off + 12] = 15 << 4;	/* 60 == 60: a header, no payload */
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.len, 0);
}

static void test_tcp_impossible_flags_are_bad_flags(void **s)
{
	static const __u8 bad[] = {
		TCP_FL_SYN | TCP_FL_FIN, TCP_FL_SYN | TCP_FL_FIN | TCP_FL_ACK,
		0, TCP_FL_PSH | TCP_FL_URG,
	};
	/* resets, whatever else they carry: tcp_validate_incoming checks RST
	 * first (tcp_fsm.h ct_flags_valid) */
	static const __u8 resets[] = {
		TCP_FL_SYN | TCP_FL_RST, TCP_FL_FIN | TCP_FL_RST, 0xff,
	};
	struct pkt_info pi;
	struct frame fr;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(bad); i++) {
		v4_frame(&fr, 5, 0);
		fr.b[fr.l4_off + 13] = bad[i];
		assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_TCP_BAD_FLAGS));
	}
	for (i = 0; i < sizeof(resets); i++) {
		v4_frame(&fr, 5, 0);
		fr.b[fr.l4_off + 13] = resets[i];
		assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	}
	/* a bare FIN is odd but trackable */
	v4_frame(&fr, 5, 0);
	fr.b[fr.l4_off + 13] = TCP_FL_FIN;
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.flags, TCP_FL_FIN);
}

static void test_udp_icmp_and_arp_are_non_tcp(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_UDP, 0, 8 + 4);
	put(&fr, NULL, 12);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_NON_TCP);

	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 5, 1, 0, 8);
	put(&fr, NULL, 8);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_NON_TCP);

	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_HOP, 8 + 8);
	ext6(&fr, PROTO_UDP);
	put(&fr, NULL, 8);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_NON_TCP);

	eth(&fr, 0x0806);	/* ARP request */
	put(&fr, NULL, 28);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_NON_TCP);
	assert_int_equal(pi.family, 0);
}

static void test_syn_options_offset_and_wscale(void **s)
{
	struct tcp_opts o = {};
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 40);
	tcp(&fr, 10, TCP_FL_SYN, linux_syn_opts, sizeof(linux_syn_opts), 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.seg.flags, TCP_FL_SYN);
	assert_int_equal(pi.seg.len, 0);
	assert_int_equal(pi.opt_off, 14 + 20 + 20);
	assert_int_equal(pi.opt_len, 20);
	assert_int_equal(pi.seg.wscale, CT_WSCALE_NONE);	/* the hook reads them */

	memcpy(o.b, fr.b + pi.opt_off, pi.opt_len);
	o.len = pi.opt_len;
	assert_int_equal(tcp_opts_wscale_walk(&o), 7);
}

static void test_wscale_walk_finds_window_scale(void **s)
{
	static const __u8 ws_only[4] = { 1, 3, 3, 14 };
	struct tcp_opts o = {};

	(void)s;
	memcpy(o.b, linux_syn_opts, sizeof(linux_syn_opts));
	o.len = sizeof(linux_syn_opts);
	assert_int_equal(tcp_opts_wscale_walk(&o), 7);

	memset(&o, 0, sizeof(o));
	memcpy(o.b, ws_only, sizeof(ws_only));
	o.len = sizeof(ws_only);
	assert_int_equal(tcp_opts_wscale_walk(&o), 14);
}

static void test_wscale_walk_without_ws_is_none(void **s)
{
	/* MSS, NOP, NOP, SACK_PERM, NOP, NOP, TS */
	static const __u8 no_ws[20] = {
		2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0,
	};
	/* a WS option of the wrong length is not taken */
	static const __u8 ws_len4[8] = { 3, 4, 7, 0, 1, 1, 1, 1 };
	struct tcp_opts o = {};

	(void)s;
	memcpy(o.b, no_ws, sizeof(no_ws));
	o.len = sizeof(no_ws);
	assert_int_equal(tcp_opts_wscale_walk(&o), CT_WSCALE_NONE);

	memset(&o, 0, sizeof(o));
	memcpy(o.b, ws_len4, sizeof(ws_len4));
	o.len = sizeof(ws_len4);
	assert_int_equal(tcp_opts_wscale_walk(&o), CT_WSCALE_NONE);

	memset(&o, 0, sizeof(o));
	o.len = 0;
	assert_int_equal(tcp_opts_wscale_walk(&o), CT_WSCALE_NONE);
}

static void test_wscale_walk_stops_at_bad_length(void **s)
{
	static const __u8 len0[8] = { 2, 0, 0x05, 0xb4, 1, 3, 3, 7 };	/* MSS len 0 */
	static const __u8 len1[8] = { 2, 1, 1, 1, 1, 3, 3, 7 };		/* MSS len 1 */
	static const __u8 overrun[8] = { 8, 30, 1, 1, 1, 3, 3, 7 };	/* past the end */
	static const __u8 eol[8] = { 1, 0, 3, 3, 7, 0, 0, 0 };		/* end of list */
	static const __u8 *const cases[] = { len0, len1, overrun, eol };
	struct tcp_opts o = {};
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&o, 0, sizeof(o));
		memcpy(o.b, cases[i], 8);
		o.len = 8;
		assert_int_equal(tcp_opts_wscale_walk(&o), CT_WSCALE_NONE);
	}

	/* the WS option lies beyond len */
	memset(&o, 0, sizeof(o));
	memcpy(o.b, len0 + 4, 4);	/* NOP, WS 7 */
	o.len = 3;
	assert_int_equal(tcp_opts_wscale_walk(&o), CT_WSCALE_NONE);
	o.len = 4;
	assert_int_equal(tcp_opts_wscale_walk(&o), 7);

	/* len is capped at 40: a WS after 40 NOPs is not seen */
	memset(&o, 0, sizeof(o));
	memset(o.b, 1, 40);
	o.b[40] = 3;
	o.b[41] = 3;
	o.b[42] = 7;
	o.len = 43;
	assert_int_equal(tcp_opts_wscale_walk(&o), CT_WSCALE_NONE);
}

/*
 * truncated_code - what a frame cut after n bytes must give. XDP sees the
 * cut frame (frame_len = n): past the IP header its length field is too
 * big. TC sees the whole length with n bytes of linear data: the layer
 * where the data ends is truncated.
 */
static int truncated_code(const struct frame *fr, size_t n, bool tc)
{
	bool v6 = fr->l3_hlen == 40;

	if (n < 14)
		return MALFORMED(MAL_ETH_TRUNCATED);
	if (n < fr->l3_off)
		return fr->mpls ? MALFORMED(MAL_MPLS_TRUNCATED) : MALFORMED(MAL_VLAN_TRUNCATED);
	if (fr->mpls && n == fr->l3_off)
		return PARSE_NON_TCP;	/* nothing after the labels to tell IP by */
	if (n < fr->l3_off + fr->l3_hlen)
		return v6 ? MALFORMED(MAL_IPV6_TRUNCATED) : MALFORMED(MAL_IPV4_TRUNCATED);
	if (!tc)
		return v6 ? MALFORMED(MAL_IPV6_BAD_LENGTH) : MALFORMED(MAL_IPV4_BAD_LENGTH);
	if (n < fr->l4_off)
		return MALFORMED(MAL_IPV6_EXT_TRUNCATED);
	if (n < fr->l4_off + 20)
		return MALFORMED(MAL_TCP_TRUNCATED);
	return PARSE_TCP;
}

/*
 * check_truncations - every prefix of fr, as XDP and as TC see it, gives
 * the code of the layer it cuts; TC parses it as TCP once the base TCP
 * header is there, with the fields of the whole frame.
 */
static void check_truncations(const struct frame *fr)
{
	struct pkt_info full, pi;
	size_t n;
	int ret;

	assert_int_equal(parse_guarded(fr, fr->len, fr->len, &full), PARSE_TCP);
	for (n = 0; n < fr->len; n++) {
		ret = parse_guarded(fr, n, n, &pi);
		if (ret != truncated_code(fr, n, false))
			fail_msg("XDP prefix %zu of %zu: %d, not %d", n, fr->len, ret,
				 truncated_code(fr, n, false));

		ret = parse_guarded(fr, n, fr->len, &pi);
		if (ret != truncated_code(fr, n, true))
			fail_msg("TC prefix %zu of %zu: %d, not %d", n, fr->len, ret,
				 truncated_code(fr, n, true));
		if (ret == PARSE_TCP)
			assert_memory_equal(&pi, &full, sizeof(pi));
	}
}

static void test_every_truncation_of_valid_frames_is_rejected(void **s)
{
	struct frame fr;

	(void)s;
	/* IPv4 with options, SYN with options and payload */
	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 7, PROTO_TCP, 0, 40 + 5);
	tcp(&fr, 10, TCP_FL_SYN, linux_syn_opts, sizeof(linux_syn_opts), 5);
	check_truncations(&fr);

	/* QinQ */
	eth(&fr, ETH_P_8021AD_);
	vlan(&fr, 200, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 9);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 9);
	check_truncations(&fr);

	/* IPv6 with an extension chain */
	eth(&fr, ETH_P_IPV6_);
	ipv6(&fr, NH_HOP, 4 * 8 + 32 + 3);
	ext6(&fr, NH_ROUTING);
	ext6(&fr, NH_DSTOPTS);
	ext6(&fr, NH_FRAG);
	frag6(&fr, PROTO_TCP, 0, false);
	tcp(&fr, 8, TCP_FL_SYN | TCP_FL_ACK, linux_syn_opts, 12, 3);
	check_truncations(&fr);

	/* MPLS */
	eth(&fr, ETH_P_MPLS_UC_);
	put(&fr, (const __u8[4]){ 0x00, 0x01, 0x00, 0x40 }, 4);	/* label 16 */
	put(&fr, (const __u8[4]){ 0x00, 0x02, 0x01, 0x40 }, 4);	/* 32, bottom */
	fr.mpls = 1;
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 2);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 2);
	check_truncations(&fr);
}

/* ip_rcv_core: ip_fast_csum(iph, ihl) != 0 drops the frame */
static void test_ipv4_bad_header_checksum_is_dropped(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 10);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	fr.b[fr.l3_off + 8] ^= 1;	/* TTL: the sum no longer holds */
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV4_BAD_CSUM));
	/* not verified on TC egress or in replay (no PARSE_F_CSUM) */
	memset(&pi, 0, sizeof(pi));
	assert_int_equal(parse_frame(fr.b, fr.b + fr.len, fr.len, &pi, 0), PARSE_TCP);
	/* with options, the header is the hook's: ipv4_hdr_csum_ok on a copy */
	v4_frame(&fr, 7, 0);
	assert_true(ipv4_hdr_csum_ok(fr.b + fr.l3_off, 28));
	fr.b[fr.l3_off + 25] ^= 0x10;
	assert_false(ipv4_hdr_csum_ok(fr.b + fr.l3_off, 28));
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.ip_opt_off, 14 + 20);
	assert_int_equal(pi.ip_opt_len, 8);
}

/* iph_totlen(): tot_len 0 is the skb's length for a GSO TCP packet only;
 * any other frame has a length below its header (ip_rcv_core drops it) */
static void test_ipv4_tot_len_zero_only_for_gso(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 1000);
	((struct iphdr *)(fr.b + fr.l3_off))->tot_len = 0;
	ip_fix(&fr);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV4_BAD_LENGTH));
	memset(&pi, 0, sizeof(pi));
	assert_int_equal(parse_frame(fr.b, fr.b + fr.len, fr.len, &pi, PARSE_F_GSO | PARSE_F_CSUM),
			 PARSE_TCP);
	assert_int_equal(pi.seg.len, 1000);
	assert_int_equal(pi.seg.ip_len, 20 + 20 + 1000);
	/* a TC skb longer than its linear part: the length is the skb's */
	memset(&pi, 0, sizeof(pi));
	assert_int_equal(parse_frame(fr.b, fr.b + 14 + 40, fr.len, &pi, PARSE_F_GSO), PARSE_TCP);
	assert_int_equal(pi.seg.len, 1000);
}

/* __netif_receive_skb_core strips VID-0 (priority) tags one after another */
static void test_vlan0_priority_tags_are_stripped(void **s)
{
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	eth(&fr, ETH_P_8021Q_);
	vlan(&fr, 0x6000, ETH_P_8021Q_);	/* PCP 3, VID 0 */
	vlan(&fr, 0, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 3);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 3);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_v4_tcp(&pi, 3);

	/* a priority tag over QinQ */
	eth(&fr, ETH_P_8021Q_);
	vlan(&fr, 0, ETH_P_8021AD_);
	vlan(&fr, 200, ETH_P_8021Q_);
	vlan(&fr, 100, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);

	/* VLAN_MAX_TAGS (3) tags in all, at most VLAN_MAX_DEPTH with a VID */
	eth(&fr, ETH_P_8021Q_);
	vlan(&fr, 0, ETH_P_8021Q_);
	vlan(&fr, 0, ETH_P_8021Q_);
	vlan(&fr, 0, ETH_P_8021Q_);
	vlan(&fr, 0, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20);
	tcp(&fr, 5, TCP_FL_ACK, NULL, 0, 0);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_VLAN_TOO_DEEP));
}

static void v6_ext_frame(struct frame *fr, __u8 first, const __u8 *ext, size_t n)
{
	eth(fr, ETH_P_IPV6_);
	ipv6(fr, first, n + 20);
	put(fr, ext, n);
	fr->l4_off = fr->len;
	tcp(fr, 5, TCP_FL_RST, NULL, 0, 0);
}

/* ipv6_rthdr_rcv: SRH and RPL dropped (seg6_enabled, rpl_seg_enabled 0),
 * any other type with segments left dropped, segments left 0 passed */
static void test_ipv6_routing_headers_as_ipv6_rthdr_rcv(void **s)
{
	static const struct { __u8 type, left; int want; } cases[] = {
		{ 0, 0, PARSE_TCP }, { 2, 0, PARSE_TCP }, { 253, 0, PARSE_TCP },
		{ 0, 1, MALFORMED(MAL_IPV6_ROUTING) }, { 2, 1, MALFORMED(MAL_IPV6_ROUTING) },
		{ 4, 0, MALFORMED(MAL_IPV6_ROUTING) }, { 4, 1, MALFORMED(MAL_IPV6_ROUTING) },
		{ 3, 0, MALFORMED(MAL_IPV6_ROUTING) },
	};
	struct pkt_info pi;
	struct frame fr;
	size_t i;

	(void)s;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u8 rh[24] = { PROTO_TCP, 2, cases[i].type, cases[i].left };

		v6_ext_frame(&fr, NH_ROUTING, rh, sizeof(rh));
		if (parse(&fr, fr.len, fr.len, &pi) != cases[i].want)
			fail_msg("routing type %u, %u left: %d, not %d", cases[i].type,
				 cases[i].left, parse(&fr, fr.len, fr.len, &pi), cases[i].want);
	}
}

/* ipv6_rcv parses hop-by-hop only right after the fixed header; a later
 * next header 0 has no protocol handler (ip6_protocol_deliver_rcu drops) */
static void test_ipv6_hop_by_hop_not_first_is_dropped(void **s)
{
	static const __u8 chain[16] = { NH_HOP, 0, 0, 0, 1, 2, 0, 0,
					PROTO_TCP, 0, 0, 0, 1, 2, 0, 0 };
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v6_ext_frame(&fr, NH_DSTOPTS, chain, sizeof(chain));
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV6_HBH_NOT_FIRST));
	v6_ext_frame(&fr, NH_HOP, chain + 8, 8);
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
}

/* AH: xfrm6_rcv finds no SA (xdpct cannot know one) and drops it */
static void test_ipv6_ah_is_not_tracked(void **s)
{
	static const __u8 ah[16] = { PROTO_TCP, 2 };
	struct pkt_info pi;
	struct frame fr;

	(void)s;
	v6_ext_frame(&fr, 51, ah, sizeof(ah));
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), MALFORMED(MAL_IPV6_AH));
}

/* tcp_parse_options: each window scale overwrites snd_wscale, the last counts */
static void test_wscale_walk_takes_the_last(void **s)
{
	static const __u8 two[8] = { 3, 3, 2, 1, 3, 3, 9, 0 };
	struct tcp_opts o = {};

	(void)s;
	memcpy(o.b, two, sizeof(two));
	o.len = sizeof(two);
	assert_int_equal(tcp_opts_wscale_walk(&o), 9);
}

static int opts(const __u8 *b, size_t n, int accept_srr)
{
	struct ip_opts o = {};

	memcpy(o.b, b, n);
	o.len = n;
	return ipv4_opts_walk(&o, accept_srr);
}

/* ip_options_compile (a received frame) and ip_rcv_options */
static void test_ipv4_options_as_ip_options_compile(void **s)
{
	static const __u8 lsrr[8] = { 131, 7, 4, 198, 18, 0, 2, 1 };
	static const __u8 ssrr[8] = { 137, 7, 4, 198, 18, 0, 2, 1 };
	static const __u8 rr[8] = { 7, 7, 4, 0, 0, 0, 0, 1 };
	static const __u8 rr_full[8] = { 7, 7, 8, 0, 0, 0, 0, 1 };	/* ptr past: full */
	static const __u8 ra[4] = { 148, 4, 0, 0 };
	static const __u8 ts[8] = { 68, 8, 5, 0, 0, 0, 0, 0 };
	static const __u8 unknown[4] = { 0x9e, 4, 0, 0 };
	static const __u8 eol_junk[4] = { 1, 0, 0xff, 0xff };
	static const __u8 *const good[] = { rr, rr_full, ra, ts, unknown, eol_junk };
	static const __u8 len1[4] = { 7, 1, 1, 1 };
	static const __u8 past[4] = { 7, 9, 4, 0 };
	static const __u8 rr_ptr3[4] = { 7, 3, 3, 1 };
	static const __u8 rr_short[8] = { 7, 6, 4, 0, 0, 0, 1, 1 };	/* ptr 4 + 3 > 6 */
	static const __u8 ts_ptr4[4] = { 68, 4, 4, 0 };
	static const __u8 ts_over[4] = { 68, 4, 5, 0xf0 };		/* full, overflow 15 */
	static const __u8 two_rr[8] = { 7, 3, 4, 7, 3, 4, 1, 1 };
	static const __u8 two_srr[8] = { 131, 3, 4, 137, 3, 4, 1, 1 };
	static const __u8 cipso[8] = { 134, 8, 0, 0, 0, 1, 0, 0 };
	static const __u8 *const bad[] = { len1, past, rr_ptr3, rr_short, ts_ptr4, ts_over,
					   two_rr, two_srr, cipso };
	static const __u8 badlen[] = { 4, 4, 4, 8, 4, 4, 8, 8, 8 };
	static const __u8 goodlen[] = { 8, 8, 4, 8, 4, 4 };
	size_t i;

	(void)s;
	assert_int_equal(opts(lsrr, 8, 0), MALFORMED(MAL_IPV4_SOURCE_ROUTE));
	assert_int_equal(opts(ssrr, 8, 0), MALFORMED(MAL_IPV4_SOURCE_ROUTE));
	assert_int_equal(opts(lsrr, 8, 1), 0);	/* accept_source_route */
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (opts(good[i], goodlen[i], 0))
			fail_msg("good options %zu: %d", i, opts(good[i], goodlen[i], 0));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (opts(bad[i], badlen[i], 1) != MALFORMED(MAL_IPV4_BAD_OPTIONS))
			fail_msg("bad options %zu: %d", i, opts(bad[i], badlen[i], 1));
}

/* l4_sum - RFC 1071 sum (not folded, memory order as csum.h sums) */
static __u64 l4_sum(const __u8 *b, size_t n)
{
	__u64 sum = 0;
	size_t i;

	for (i = 0; i < n; i += 4) {
		__u8 w[4] = { 0 };

		memcpy(w, b + i, n - i < 4 ? n - i : 4);
		sum += (__u32)w[0] | (__u32)w[1] << 8 | (__u32)w[2] << 16 | (__u32)w[3] << 24;
	}
	return sum;
}

/*
 * tcp_checksum_complete decides: a right sum passes, a wrong one is bad; a
 * field holding only the pseudo-header sum (a local sender's
 * CHECKSUM_PARTIAL over veth, measured: SYN 198.18.0.1 > 198.18.0.2 carried
 * 0x8c56) passes only where partial sums are accepted
 */
static void test_tcp_checksum_right_wrong_and_partial(void **s)
{
	struct pkt_info pi;
	struct frame fr;
	__u64 pseudo, sum;
	__u16 field, full;
	__u8 *th;

	(void)s;
	eth(&fr, ETH_P_IP_);
	ipv4(&fr, 5, PROTO_TCP, 0, 20 + 7);
	tcp(&fr, 5, TCP_FL_FIN | TCP_FL_ACK, NULL, 0, 7);	/* odd length */
	assert_int_equal(parse(&fr, fr.len, fr.len, &pi), PARSE_TCP);
	assert_int_equal(pi.l4_off, 34);
	assert_int_equal(pi.l4_len, 27);
	th = fr.b + pi.l4_off;
	pseudo = tcp_pseudo_sum(pi.saddr, pi.daddr, 4, pi.l4_len);
	memset(th + 16, 0, 2);
	full = (__u16)~csum_fold64(pseudo + l4_sum(th, pi.l4_len));
	memcpy(th + 16, &full, 2);
	sum = pseudo + l4_sum(th, pi.l4_len);
	assert_int_equal(tcp_csum_bad(sum, pseudo, full, 0), 0);

	th[20] ^= 0x40;		/* a payload byte changed */
	sum = pseudo + l4_sum(th, pi.l4_len);
	assert_int_equal(tcp_csum_bad(sum, pseudo, full, 1), 1);
	th[20] ^= 0x40;

	field = csum_fold64(pseudo);	/* CHECKSUM_PARTIAL */
	memcpy(th + 16, &field, 2);
	sum = pseudo + l4_sum(th, pi.l4_len);
	assert_int_equal(tcp_csum_bad(sum, pseudo, field, 0), 1);
	assert_int_equal(tcp_csum_bad(sum, pseudo, field, 1), 0);

	/* the measured SYN: 40 bytes, 198.18.0.1 > 198.18.0.2, field 0x8c56 */
	pi.saddr[0] = bpf_htonl(0xc6120001);
	pi.daddr[0] = bpf_htonl(0xc6120002);
	assert_int_equal(bpf_ntohs(csum_fold64(tcp_pseudo_sum(pi.saddr, pi.daddr, 4, 40))),
			 0x8c56);
}

/* eth_type_trans: a group address is PACKET_MULTICAST/BROADCAST, not HOST */
static void test_group_mac_is_not_host(void **s)
{
	struct frame fr;

	(void)s;
	v4_frame(&fr, 5, 0);
	assert_false(l2_not_host(fr.b, fr.b + fr.len));
	fr.b[0] = 0x01;		/* 01:00:5e:..: IPv4 multicast */
	assert_true(l2_not_host(fr.b, fr.b + fr.len));
	memset(fr.b, 0xff, 6);	/* broadcast */
	assert_true(l2_not_host(fr.b, fr.b + fr.len));
	assert_false(l2_not_host(fr.b, fr.b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_code_is_minus_one_minus_reason),
		cmocka_unit_test(test_ipv4_tcp_fields_are_parsed),
		cmocka_unit_test(test_ipv4_options_ihl_6_to_15_find_tcp),
		cmocka_unit_test(test_ipv4_ihl_below_5_is_bad_ihl),
		cmocka_unit_test(test_ipv4_tot_len_longer_than_frame_is_bad_length),
		cmocka_unit_test(test_ipv4_tot_len_shorter_than_header_is_bad_length),
		cmocka_unit_test(test_ipv4_tot_len_cutting_tcp_header_is_tcp_truncated),
		cmocka_unit_test(test_payload_length_comes_from_ip_header),
		cmocka_unit_test(test_ip_version_mismatch_is_bad_version),
		cmocka_unit_test(test_vlan_8021q_and_qinq_are_parsed),
		cmocka_unit_test(test_three_vlan_tags_are_too_deep),
		cmocka_unit_test(test_vlan_tag_cut_short_is_vlan_truncated),
		cmocka_unit_test(test_mpls_label_over_ipv4_is_parsed),
		cmocka_unit_test(test_ipv6_extension_chain_reaches_tcp),
		cmocka_unit_test(test_ipv6_six_extension_headers_are_parsed),
		cmocka_unit_test(test_ipv6_seven_extension_headers_are_too_deep),
		cmocka_unit_test(test_ipv6_ext_headers_beyond_payload_len_are_truncated),
		cmocka_unit_test(test_ipv6_fragments_are_not_tracked),
		cmocka_unit_test(test_ipv4_fragments_are_not_tracked),
		cmocka_unit_test(test_ipv6_payload_len_beyond_frame_is_bad_length),
		cmocka_unit_test(test_tcp_doff_below_5_is_bad_doff),
		cmocka_unit_test(test_tcp_doff_beyond_segment_is_bad_doff),
		cmocka_unit_test(test_tcp_impossible_flags_are_bad_flags),
		cmocka_unit_test(test_udp_icmp_and_arp_are_non_tcp),
		cmocka_unit_test(test_syn_options_offset_and_wscale),
		cmocka_unit_test(test_wscale_walk_finds_window_scale),
		cmocka_unit_test(test_wscale_walk_without_ws_is_none),
		cmocka_unit_test(test_wscale_walk_stops_at_bad_length),
		cmocka_unit_test(test_every_truncation_of_valid_frames_is_rejected),
		cmocka_unit_test(test_ipv4_bad_header_checksum_is_dropped),
		cmocka_unit_test(test_ipv4_tot_len_zero_only_for_gso),
		cmocka_unit_test(test_vlan0_priority_tags_are_stripped),
		cmocka_unit_test(test_ipv6_routing_headers_as_ipv6_rthdr_rcv),
		cmocka_unit_test(test_ipv6_hop_by_hop_not_first_is_dropped),
		cmocka_unit_test(test_ipv6_ah_is_not_tracked),
		cmocka_unit_test(test_wscale_walk_takes_the_last),
		cmocka_unit_test(test_ipv4_options_as_ip_options_compile),
		cmocka_unit_test(test_tcp_checksum_right_wrong_and_partial),
		cmocka_unit_test(test_group_mac_is_not_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_parse6.c - issue 10: IPv6 hop-by-hop and destination options, and
 * extension header chains longer than the inlined parser walks, decided as
 * the receiving Linux host decides them (net/ipv6/exthdrs.c). A frame the
 * host discards creates no flow and is counted as ipv6_bad_option; one it
 * takes is tracked as any other. Each test names the Linux function that
 * decides it.
 */
#include "harness.h"

#define OPT_SKIP	0x11	/* unknown, high bits 00: skipped */
#define OPT_DROP	0x51	/* unknown, 01: discarded */
#define OPT_ICMP	0x91	/* unknown, 10: discarded, parameter problem sent */
#define OPT_ICMP_UC	0xd1	/* unknown, 11: likewise unless to multicast */

/* conv_opts6 - cv's frames carry one options header (type, len bytes)
 * whose options begin with opts[0..n) (pkt.h pads the rest validly). */
static void conv_opts6(struct conv *cv, __u16 sport, __u8 type, __u16 len, const __u8 *opts,
		       __u16 n)
{
	int e;

	conv_v6(cv);
	cv->cport = sport;
	e = pkt_ext6_add(&cv->tmpl, type, len);
	cv->tmpl.ext[e].opts = opts;
	cv->tmpl.ext[e].opts_len = n;
}

/* conv_chain6 - cv's frames carry the chain types[0..n) (routing headers
 * of type 0 with no segments left, atomic fragments: the host takes them). */
static int conv_chain6(struct tctx *t, struct conv *cv, const __u8 *types, int n)
{
	int i, e;

	conv_v6(cv);
	for (i = 0; i < n; i++) {
		e = pkt_ext6_add(&cv->tmpl, types[i], types[i] == PKT_IPPROTO_ROUTING ? 24 : 8);
		if (e < 0)
			FAIL("too many extension headers");
		if (types[i] == PKT_IPPROTO_FRAGMENT)
			cv->tmpl.ext[e].frag_id = 0x1000 + i;
	}
	return 0;
}

/*
 * dropped - a SYN of each of cv[0..n) through XDP: every one counted under
 * reason, no flow (the host discards them, so xdpct must not track them).
 */
static int dropped(struct tctx *t, const struct conv *cv, int n, int reason)
{
	struct xdpct_stats st = {};
	int i;

	for (i = 0; i < n; i++)
		TRY(seg(t, &cv[i], T0 + i * MSEC, CLI, SYN, V_X + i, 0, 0));
	st.packets = n;
	st.malformed[reason] = n;
	TRY(want_stats(t, &st, NULL));
	return want_no_flows(t);
}

/* ip6_tlvopt_unknown: an unknown option whose type starts 00 is skipped */
static int t_hbh_unknown_skip(struct tctx *t)
{
	static const __u8 o[] = { OPT_SKIP, 2, 0xaa, 0xbb };
	struct conv cv;

	conv_opts6(&cv, V_CPORT, PKT_IPPROTO_HOPOPTS, 8, o, sizeof(o));
	return hs_data(t, &cv);
}

/* ip6_tlvopt_unknown: 01 discards; 10 and 11 discard and send an ICMP */
static int t_hbh_unknown_discard(struct tctx *t)
{
	static const __u8 o1[] = { OPT_DROP, 2, 0, 0 }, o2[] = { OPT_ICMP, 2, 0, 0 },
			  o3[] = { OPT_ICMP_UC, 2, 0, 0 };
	struct conv cv[3];

	conv_opts6(&cv[0], 40001, PKT_IPPROTO_HOPOPTS, 8, o1, sizeof(o1));
	conv_opts6(&cv[1], 40002, PKT_IPPROTO_HOPOPTS, 8, o2, sizeof(o2));
	conv_opts6(&cv[2], 40003, PKT_IPPROTO_HOPOPTS, 8, o3, sizeof(o3));
	return dropped(t, cv, 3, MAL_IPV6_BAD_OPTION);
}

/* ipv6_destopt_rcv -> ip6_parse_tlv -> ip6_tlvopt_unknown: the same rule */
static int t_dst_unknown_discard(struct tctx *t)
{
	static const __u8 o1[] = { OPT_DROP, 2, 0, 0 }, o2[] = { 1, 0, OPT_ICMP_UC, 0 };
	struct conv cv[2];

	conv_opts6(&cv[0], 40001, PKT_IPPROTO_DSTOPTS, 8, o1, sizeof(o1));
	conv_opts6(&cv[1], 40002, PKT_IPPROTO_DSTOPTS, 16, o2, sizeof(o2));
	return dropped(t, cv, 2, MAL_IPV6_BAD_OPTION);
}

/* ip6_tlvopt_unknown: in a destination header the hop-by-hop types are
 * unknown too, and Router Alert's (5) starts 00: skipped */
static int t_dst_unknown_skip(struct tctx *t)
{
	static const __u8 o[] = { 5, 3, 1, 2, 3 };
	struct conv cv;

	conv_opts6(&cv, V_CPORT, PKT_IPPROTO_DSTOPTS, 8, o, sizeof(o));
	return hs_data(t, &cv);
}

/* ipv6_hop_ra: Router Alert with 2 bytes of data is taken */
static int t_hbh_ra_good(struct tctx *t)
{
	static const __u8 o[] = { 5, 2, 0, 0 };
	struct conv cv;

	conv_opts6(&cv, V_CPORT, PKT_IPPROTO_HOPOPTS, 8, o, sizeof(o));
	return hs_data(t, &cv);
}

/* ipv6_hop_ra: any other length discards ("wrong RA length") */
static int t_hbh_ra_bad(struct tctx *t)
{
	static const __u8 o1[] = { 5, 3, 0, 0, 0 }, o2[] = { 5, 0 };
	struct conv cv[2];

	conv_opts6(&cv[0], 40001, PKT_IPPROTO_HOPOPTS, 8, o1, sizeof(o1));
	conv_opts6(&cv[1], 40002, PKT_IPPROTO_HOPOPTS, 8, o2, sizeof(o2));
	return dropped(t, cv, 2, MAL_IPV6_BAD_OPTION);
}

/* ip6_parse_tlv: more than 7 padding bytes in a row (8 in a PadN, 8 Pad1,
 * PadN after Pad1), and PadN data that is not zero (RFC 4942), discard */
static int t_pad_bad(struct tctx *t)
{
	static const __u8 o1[] = { 1, 6, 0, 0, 0, 0, 0, 0, OPT_SKIP, 0 },
			  o2[] = { 0, 0, 0, 0, 0, 0, 0, 0, OPT_SKIP, 0 },
			  o3[] = { 0, 0, 0, 1, 3, 0, 0, 0, OPT_SKIP, 0 },
			  o4[] = { 1, 4, 0, 0, 1, 0 };
	struct conv cv[4];

	conv_opts6(&cv[0], 40001, PKT_IPPROTO_HOPOPTS, 16, o1, sizeof(o1));
	conv_opts6(&cv[1], 40002, PKT_IPPROTO_HOPOPTS, 16, o2, sizeof(o2));
	conv_opts6(&cv[2], 40003, PKT_IPPROTO_DSTOPTS, 16, o3, sizeof(o3));
	conv_opts6(&cv[3], 40004, PKT_IPPROTO_HOPOPTS, 8, o4, sizeof(o4));
	return dropped(t, cv, 4, MAL_IPV6_BAD_OPTION);
}

/* ip6_parse_tlv: 7 padding bytes, an option, 7 more: taken */
static int t_pad_seven(struct tctx *t)
{
	static const __u8 o[22] = { 0, 1, 3, 0, 0, 0, 0, OPT_SKIP, 0, 0, 0, 0, 0, 0, 0, 0,
				    OPT_SKIP, 4 };
	struct conv cv;

	conv_opts6(&cv, V_CPORT, PKT_IPPROTO_HOPOPTS, 24, o, sizeof(o));
	return hs_data(t, &cv);
}

/* ip6_parse_tlv: an option running past the header discards */
static int t_opt_overrun(struct tctx *t)
{
	static const __u8 o[] = { 0, 0, 0, OPT_SKIP, 2 };	/* 4 bytes in a 3-byte tail */
	struct conv cv;

	conv_opts6(&cv, 40001, PKT_IPPROTO_HOPOPTS, 8, o, sizeof(o));
	return dropped(t, &cv, 1, MAL_IPV6_BAD_OPTION);
}

/* ip6_parse_tlv: net.ipv6.max_hbh_opts_number (8): 8 options are taken */
static int t_count_eight(struct tctx *t)
{
	static const __u8 o[16] = { OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0,
				    OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0 };
	struct conv cv;

	conv_opts6(&cv, V_CPORT, PKT_IPPROTO_HOPOPTS, 24, o, sizeof(o));
	return hs_data(t, &cv);
}

/* ... and a ninth discards (max_dst_opts_number alike) */
static int t_count_nine(struct tctx *t)
{
	static const __u8 o[18] = { OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0,
				    OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0, OPT_SKIP, 0,
				    OPT_SKIP, 0 };
	struct conv cv[2];

	conv_opts6(&cv[0], 40001, PKT_IPPROTO_HOPOPTS, 24, o, sizeof(o));
	conv_opts6(&cv[1], 40002, PKT_IPPROTO_DSTOPTS, 24, o, sizeof(o));
	return dropped(t, cv, 2, MAL_IPV6_BAD_OPTION);
}

/* ipv6_hop_ioam: IOAM must be 4n-aligned (here at 42: discarded); aligned
 * it is ignored while ioam6_enabled is 0. ipv6_hop_calipso: CALIPSO needs
 * a DOI the host defined (calipso_validate): discarded */
static int t_ioam_calipso(struct tctx *t)
{
	static const __u8 ioam[] = { 49, 2, 0, 0 }, calipso[] = { 7, 8, 0, 0, 0, 1, 0, 0, 0, 0 };
	struct conv cv[2];

	conv_opts6(&cv[0], 40001, PKT_IPPROTO_HOPOPTS, 8, ioam, sizeof(ioam));
	conv_opts6(&cv[1], 40002, PKT_IPPROTO_HOPOPTS, 16, calipso, sizeof(calipso));
	return dropped(t, cv, 2, MAL_IPV6_BAD_OPTION);
}

static int t_ioam_aligned(struct tctx *t)
{
	static const __u8 o[] = { 0, 0, 49, 2, 0, 0 };
	struct conv cv;

	conv_opts6(&cv, V_CPORT, PKT_IPPROTO_HOPOPTS, 8, o, sizeof(o));
	return hs_data(t, &cv);
}

/* ipv6_rcv walks any number of headers (each protocol handler returns to
 * ip6_protocol_deliver_rcu's resubmit): 7 and 10 are tracked */
static int t_chain7(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_HOPOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_ROUTING, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_ROUTING, PKT_IPPROTO_FRAGMENT,
				   PKT_IPPROTO_DSTOPTS };
	struct conv cv;

	TRY(conv_chain6(t, &cv, ty, 7));
	return hs_data(t, &cv);
}

static int t_chain10(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_HOPOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_ROUTING, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_ROUTING, PKT_IPPROTO_FRAGMENT,
				   PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_ROUTING,
				   PKT_IPPROTO_FRAGMENT, PKT_IPPROTO_DSTOPTS };
	struct conv cv;

	TRY(conv_chain6(t, &cv, ty, 10));
	return hs_data(t, &cv);
}

/* past the inlined walk each header is still decided as the host does: a
 * discarding option in the 8th header (ip6_tlvopt_unknown), an SRH in the
 * 8th (ipv6_rthdr_rcv -> ipv6_srh_rcv, seg6_enabled 0), a hop-by-hop
 * header in the 9th (no handler for next header 0 after the first) */
static int t_chain_deep_drops(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_HOPOPTS };
	static const __u8 bad[] = { OPT_DROP, 0 };
	struct xdpct_stats st = {};
	struct conv cv[3];

	TRY(conv_chain6(t, &cv[0], ty, 8));
	cv[0].tmpl.ext[7].opts = bad;
	cv[0].tmpl.ext[7].opts_len = sizeof(bad);
	TRY(conv_chain6(t, &cv[1], ty, 8));
	cv[1].tmpl.ext[7].type = PKT_IPPROTO_ROUTING;
	cv[1].tmpl.ext[7].rt_type = 4;
	TRY(conv_chain6(t, &cv[2], ty, 9));
	TRY(seg(t, &cv[0], T0, CLI, SYN, V_X, 0, 0));
	TRY(seg(t, &cv[1], T0 + 1, CLI, SYN, V_X, 0, 0));
	TRY(seg(t, &cv[2], T0 + 2, CLI, SYN, V_X, 0, 0));
	st.packets = 3;
	st.malformed[MAL_IPV6_BAD_OPTION] = 1;
	st.malformed[MAL_IPV6_ROUTING] = 1;
	st.malformed[MAL_IPV6_HBH_NOT_FIRST] = 1;
	TRY(want_stats(t, &st, NULL));
	return want_no_flows(t);
}

/*
 * Egress: the host built the segment and its TCP state moved when it sent
 * it, whatever a receiver makes of the options, so TC tracks it; on
 * ingress the same option discards (live programs, both hooks).
 */
static int t_egress_not_judged(struct tctx *t)
{
	static const __u8 o[] = { OPT_DROP, 2, 0, 0 };
	__u8 buf[FRAME_MAX];
	struct xdpct_stats got[HOOK_MAX];
	struct pkt_spec s;
	struct conv out, in;

	conv_opts6(&out, 40001, PKT_IPPROTO_HOPOPTS, 8, o, sizeof(o));
	conv_opts6(&in, 40002, PKT_IPPROTO_HOPOPTS, 8, o, sizeof(o));
	STEP("egress SYN with a discarding option");
	conv_spec(&out, CLI, SYN, V_X, 0, 0, &s);
	TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
	TRY(want_conv_maps(t, &out, 0, 1));
	STEP("ingress SYN with the same option");
	conv_spec(&in, CLI, SYN, V_X, 0, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	TRY(want_conv_maps(t, &in, 0, 1));	/* still only the egress one */
	TRY(read_stats(t, got));
	EQ("stats[tc].tcp", got[HOOK_TC].tcp, 1);
	EQ("stats[tc].malformed[ipv6_bad_option]", got[HOOK_TC].malformed[MAL_IPV6_BAD_OPTION], 0);
	EQ("stats[xdp].tcp", got[HOOK_XDP].tcp, 0);
	EQ("stats[xdp].malformed[ipv6_bad_option]",
	   got[HOOK_XDP].malformed[MAL_IPV6_BAD_OPTION], 1);
	t->step = NULL;
	return 0;
}

/* live XDP (the loader's limits from this namespace's sysctls): a 7-header
 * chain is tracked, a skippable option too */
static int t_live_chain7(struct tctx *t)
{
	static const __u8 ty[] = { PKT_IPPROTO_HOPOPTS, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_ROUTING, PKT_IPPROTO_DSTOPTS,
				   PKT_IPPROTO_ROUTING, PKT_IPPROTO_FRAGMENT,
				   PKT_IPPROTO_DSTOPTS };
	static const __u8 skip[] = { OPT_SKIP, 0 };
	__u8 buf[FRAME_MAX];
	struct xdpct_stats got[HOOK_MAX];
	struct pkt_spec s;
	struct conv cv;

	TRY(conv_chain6(t, &cv, ty, 7));
	cv.tmpl.ext[0].opts = skip;
	cv.tmpl.ext[0].opts_len = sizeof(skip);
	conv_spec(&cv, CLI, SYN, V_X, 0, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	TRY(want_conv_maps(t, &cv, 0, 1));
	TRY(read_stats(t, got));
	EQ("stats[xdp].tcp", got[HOOK_XDP].tcp, 1);
	EQ("stats[xdp] malformed", mal_sum(&got[HOOK_XDP]), 0);
	return 0;
}

static const struct prog_test tests[] = {
	{ "IPv6 hop-by-hop unknown option 00 is skipped: tracked (ip6_tlvopt_unknown)",
	  t_hbh_unknown_skip },
	{ "IPv6 hop-by-hop unknown option 01, 10, 11: ipv6_bad_option, no flow",
	  t_hbh_unknown_discard },
	{ "IPv6 destination unknown option 01 or 11: ipv6_bad_option, no flow",
	  t_dst_unknown_discard },
	{ "IPv6 destination option of type 5 (unknown there, 00) is skipped: tracked",
	  t_dst_unknown_skip },
	{ "IPv6 Router Alert of length 2 is taken: tracked (ipv6_hop_ra)", t_hbh_ra_good },
	{ "IPv6 Router Alert of length 3 or 0: ipv6_bad_option, no flow", t_hbh_ra_bad },
	{ "IPv6 padding over 7 bytes or PadN data not zero: ipv6_bad_option, no flow",
	  t_pad_bad },
	{ "IPv6 7 padding bytes on each side of an option are taken: tracked", t_pad_seven },
	{ "IPv6 option past its header's end: ipv6_bad_option, no flow", t_opt_overrun },
	{ "IPv6 8 options in a header (max_hbh_opts_number) are taken: tracked",
	  t_count_eight },
	{ "IPv6 9 options in a hop-by-hop or destination header: ipv6_bad_option, no flow",
	  t_count_nine },
	{ "IPv6 IOAM misaligned, CALIPSO without a DOI: ipv6_bad_option, no flow",
	  t_ioam_calipso },
	{ "IPv6 IOAM 4n-aligned is ignored: tracked (ipv6_hop_ioam)", t_ioam_aligned },
	{ "IPv6 chain of 7 extension headers: handshake and payload bytes", t_chain7 },
	{ "IPv6 chain of 10 extension headers: handshake and payload bytes", t_chain10 },
	{ "IPv6 chain past 6 headers: a bad option, an SRH, a late hop-by-hop drop as the host does",
	  t_chain_deep_drops },
	{ "IPv6 discarding option on egress (TC) is tracked, on ingress (XDP) not",
	  t_egress_not_judged, true },
	{ "IPv6 live XDP: a 7-header chain with a skippable option is tracked", t_live_chain7,
	  true },
};
PROG_AREA(parse6, tests);

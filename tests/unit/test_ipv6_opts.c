// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_ipv6_opts.c - ipv6_opts_walk (bpf/ipv6_opts.h), compiled in
 * userspace, on option byte strings: each decision as ip6_parse_tlv
 * (net/ipv6/exthdrs.c) makes it, with the Linux function named. The
 * programs' use of it is tested in tests/prog/test_parse6.c.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
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
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#include "parse.h"
#include "ipv6_opts.h"

#define BAD	MALFORMED(MAL_IPV6_BAD_OPTION)

static struct ip6_opts o;

/* walk - a header of len bytes (next header, length, then opts, the rest
 * zero: Pad1s), hop-by-hop or not, with the default limit of 8 options. */
static int walk(bool hbh, __u32 len, const __u8 *opts, size_t n)
{
	memset(&o, 0, sizeof(o));
	o.b[0] = 6;
	o.b[1] = (__u8)(len / 8 - 1);
	memcpy(o.b + 2, opts, n);
	o.len = len;
	o.hbh = hbh;
	o.max_opts = IPV6_OPTS_MAX_DEFAULT;
	return ipv6_opts_walk(&o);
}

#define WALK(hbh, len, ...)							\
	({ static const __u8 b_[] = { __VA_ARGS__ }; walk(hbh, len, b_, sizeof(b_)); })

/* ip6_tlvopt_unknown: the type's two high bits */
static void test_unknown_option_by_its_high_bits(void **s)
{
	(void)s;
	assert_int_equal(WALK(true, 8, 0x11, 2, 0, 0, 1, 0), 0);
	assert_int_equal(WALK(true, 8, 0x51, 2, 0, 0, 1, 0), BAD);
	assert_int_equal(WALK(true, 8, 0x91, 2, 0, 0, 1, 0), BAD);
	assert_int_equal(WALK(true, 8, 0xd1, 2, 0, 0, 1, 0), BAD);
	assert_int_equal(WALK(false, 8, 0x3f, 2, 0, 0, 1, 0), 0);
	assert_int_equal(WALK(false, 8, 0x7f, 2, 0, 0, 1, 0), BAD);
	/* a negative max_*_opts_number: every unknown option discards */
	WALK(true, 8, 0x11, 2, 0, 0, 1, 0);
	o.strict = 1;
	assert_int_equal(ipv6_opts_walk(&o), BAD);
}

/* ip6_parse_tlv: padding runs and PadN data */
static void test_padding_as_ip6_parse_tlv(void **s)
{
	(void)s;
	assert_int_equal(WALK(true, 8, 1, 4, 0, 0, 0, 0), 0);		/* 6 bytes */
	assert_int_equal(WALK(true, 8, 0, 0, 0, 0, 0, 0), 0);		/* 6 Pad1 */
	assert_int_equal(WALK(true, 16, 1, 6, 0, 0, 0, 0, 0, 0, 0x11, 4), BAD);	/* 8 */
	assert_int_equal(WALK(true, 16, 0, 0, 0, 0, 0, 0, 0, 0x11, 5), 0);	/* 7 */
	assert_int_equal(WALK(true, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 4), BAD);
	assert_int_equal(WALK(true, 8, 1, 4, 0, 0, 1, 0), BAD);	/* PadN data */
	/* the whole 14 bytes of a 16-byte header as padding: too long */
	assert_int_equal(WALK(false, 16, 1, 12), BAD);
}

/* ip6_parse_tlv: an option past the header, a lone last byte */
static void test_option_past_the_header(void **s)
{
	(void)s;
	assert_int_equal(WALK(true, 8, 0, 0, 0, 0x11, 2), BAD);
	assert_int_equal(WALK(true, 8, 0, 0, 0, 0, 0, 0x11), BAD);
	assert_int_equal(WALK(true, 8, 0x11, 4, 0, 0, 0, 0), 0);
}

/* net.ipv6.max_hbh_opts_number: the count of non-padding options */
static void test_option_count_limit(void **s)
{
	__u8 b[22] = {};
	int i;

	(void)s;
	for (i = 0; i < 9; i++)
		b[2 * i] = 0x11;
	b[18] = 1;
	b[19] = 2;
	assert_int_equal(walk(true, 24, b, sizeof(b)), BAD);	/* 9 options */
	b[16] = 1;
	b[17] = 4;
	b[18] = b[19] = 0;
	assert_int_equal(walk(true, 24, b, sizeof(b)), 0);	/* 8 */
	o.max_opts = 7;
	assert_int_equal(ipv6_opts_walk(&o), BAD);
}

/* ipv6_hop_ra, ipv6_hop_jumbo, ipv6_hop_ioam, ipv6_hop_calipso */
static void test_known_hop_by_hop_options(void **s)
{
	(void)s;
	assert_int_equal(WALK(true, 8, 5, 2, 0, 0, 1, 0), 0);
	assert_int_equal(WALK(true, 8, 5, 3, 0, 0, 0, 0), BAD);
	assert_int_equal(WALK(false, 8, 5, 3, 0, 0, 0, 0), 0);	/* unknown there */
	assert_int_equal(WALK(true, 8, 49, 2, 0, 0, 1, 0), BAD);	/* at 2: not 4n */
	assert_int_equal(WALK(true, 8, 0, 0, 49, 2, 0, 0), 0);
	assert_int_equal(WALK(true, 16, 7, 8, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 0, 0), BAD);
	/* Jumbo: length 4 at 4n + 2, over 65,535, within the packet */
	WALK(true, 8, 0xc2, 4, 0, 1, 0, 0);
	o.jumbo_max = 70000;
	assert_int_equal(ipv6_opts_walk(&o), 0);
	o.jumbo_max = 0;	/* payload length not 0 */
	assert_int_equal(ipv6_opts_walk(&o), BAD);
	WALK(true, 8, 0xc2, 4, 0, 0, 0xff, 0xff);
	o.jumbo_max = 70000;
	assert_int_equal(ipv6_opts_walk(&o), BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_option_by_its_high_bits),
		cmocka_unit_test(test_padding_as_ip6_parse_tlv),
		cmocka_unit_test(test_option_past_the_header),
		cmocka_unit_test(test_option_count_limit),
		cmocka_unit_test(test_known_hop_by_hop_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_isn.c - the ISN quality verdict of user/isn.h (seed-notes §5) on
 * struct host_isn rings filled as the BPF program fills them: constant
 * ISNs, a fixed step, small increments, a clock-driven counter, random
 * ISNs from a seeded generator, too few samples, and a ring that wrapped;
 * one ISN per 4-tuple: Linux's RFC 6528 ISNs on one reused 4-tuple, on many
 * tuples, and a global counter across tuples.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>

#include "flow.h"
#include "isn.h"

#define NS	1000000000ull
#define T0	(7200 * NS)

/* record_on - as host_isn_record in bpf/xdpct.bpf.c: tuple is the 4-tuple's hash */
static void record_on(struct host_isn *h, __u32 tuple, __u32 isn, __u64 ts)
{
	__u64 slot = h->count++ & (XDPCT_HOST_ISN_SLOTS - 1);

	h->isn[slot] = isn;
	h->ts_ns[slot] = ts;
	h->tuple[slot] = tuple;
}

/* record - an ISN of a connection on a 4-tuple not seen before */
static __u32 next_tuple = 0x1000;

static void record(struct host_isn *h, __u32 isn, __u64 ts)
{
	record_on(h, next_tuple++, isn, ts);
}

/* xorshift32 with a fixed seed: the same "random" ISNs on every run */
static __u32 rng_state;

static __u32 rng(void)
{
	__u32 x = rng_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

static void test_constant_isns_are_constant_and_predictable(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	int i;

	(void)s;
	for (i = 0; i < 8; i++)
		record(&h, 0x12345678u, T0 + i * NS);
	isn_analyze(&h, &v);
	assert_int_equal(v.pattern, ISN_CONSTANT);
	assert_true(v.predictable);
	assert_int_equal(v.samples, 8);
	assert_int_equal(v.gcd, 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(v.last[i], 0x12345678u);
	assert_string_equal(isn_pattern_name(v.pattern), "constant");
}

static void test_step_of_64000_is_fixed_step(void **s)
{
	static const __u64 gaps_ms[] = { 900, 1300, 50, 4000, 700, 2200, 10, 3300, 1500 };
	struct host_isn h = {};
	struct isn_verdict v;
	__u64 ts = T0;
	__u32 isn = 1000000;
	unsigned int i;

	(void)s;
	record(&h, isn, ts);
	for (i = 0; i < sizeof(gaps_ms) / sizeof(gaps_ms[0]); i++) {
		isn += 64000;
		ts += gaps_ms[i] * 1000000;
		record(&h, isn, ts);
	}
	isn_analyze(&h, &v);
	assert_int_equal(v.pattern, ISN_FIXED_STEP);
	assert_true(v.predictable);
	assert_int_equal(v.step, 64000);
	assert_int_equal(v.gcd, 64000);
	assert_int_equal(v.samples, 10);
	assert_int_equal(v.last[0], 1000000);
	assert_int_equal(v.last[9], 1000000 + 9 * 64000);

	/* the same step through 2^32 */
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 8; i++)
		record(&h, 0xffff0000u + i * 64000, T0 + i * NS);
	isn_analyze(&h, &v);
	assert_int_equal(v.pattern, ISN_FIXED_STEP);
	assert_int_equal(v.step, 64000);
	assert_true(v.predictable);
}

static void test_small_random_increments_are_small_steps(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	__u32 isn = 0xfffe0000u;	/* and through 2^32 on the way */
	int i;

	(void)s;
	rng_state = 0x2545f491u;
	for (i = 0; i < 12; i++) {
		record(&h, isn, T0 + i * NS);
		isn += 1 + rng() % 60000;
	}
	isn_analyze(&h, &v);
	assert_int_equal(v.pattern, ISN_SMALL_STEPS);
	assert_true(v.predictable);
	assert_int_equal(v.samples, 12);
}

/* a 1 MHz counter: each increment is the elapsed time in microseconds */
static void test_time_proportional_increments_are_time_linear(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	__u64 ts = T0, gap;
	__u32 isn = 77777;
	int i;

	(void)s;
	rng_state = 0x6b43a9b5u;
	for (i = 0; i < 10; i++) {
		record(&h, isn, ts);
		gap = (200 + rng() % 2800) * 1000000ull;	/* 0.2 to 3 s */
		ts += gap;
		isn += gap / 1000;
	}
	isn_analyze(&h, &v);
	assert_int_equal(v.pattern, ISN_TIME_LINEAR);
	assert_true(v.predictable);
	assert_true(fabs(v.isr - 8 * log2(1e6)) < 1e-6);
	assert_true(v.sp == 0);
	assert_string_equal(isn_pattern_name(v.pattern), "time_linear");
}

static void test_uniform_random_isns_are_random_not_predictable(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	int i;

	(void)s;
	rng_state = 0x9e3779b9u;
	for (i = 0; i < 16; i++)
		record(&h, rng(), T0 + i * NS + rng() % 1000000);
	isn_analyze(&h, &v);
	assert_int_equal(v.pattern, ISN_RANDOM);
	assert_false(v.predictable);
	assert_int_equal(v.samples, 16);
	assert_true(v.isr > 8 * log2(1e8));	/* about 2^31 per second */
	assert_string_equal(isn_pattern_name(v.pattern), "random");
}

static void test_fewer_than_4_isns_are_unknown(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	unsigned int n, i;

	(void)s;
	for (n = 0; n < ISN_MIN_SAMPLES; n++) {
		memset(&h, 0, sizeof(h));
		for (i = 0; i < n; i++)	/* a fixed step, were there enough */
			record(&h, 5000 + i * 64000, T0 + i * NS);
		isn_analyze(&h, &v);
		assert_int_equal(v.pattern, ISN_UNKNOWN);
		assert_false(v.predictable);
		assert_int_equal(v.samples, n);
		for (i = 0; i < n; i++)
			assert_int_equal(v.last[i], 5000 + i * 64000);
	}
	assert_int_equal(ISN_MIN_SAMPLES, 4);
}

/* 20 and then 37 ISNs in a 16-slot ring: the newest 16, oldest first */
static void test_ring_wrap_uses_newest_16_in_order(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	int i;

	(void)s;
	for (i = 0; i < 20; i++)
		record(&h, i * 1000 + 7, T0 + i * NS);
	isn_analyze(&h, &v);
	assert_int_equal(v.samples, XDPCT_HOST_ISN_SLOTS);
	for (i = 0; i < XDPCT_HOST_ISN_SLOTS; i++)
		assert_int_equal(v.last[i], (4 + i) * 1000 + 7);
	assert_int_equal(v.pattern, ISN_FIXED_STEP);
	assert_int_equal(v.step, 1000);

	for (i = 20; i < 37; i++)
		record(&h, i * 1000 + 7, T0 + i * NS);
	assert_int_equal(h.count, 37);
	isn_analyze(&h, &v);
	assert_int_equal(v.samples, XDPCT_HOST_ISN_SLOTS);
	for (i = 0; i < XDPCT_HOST_ISN_SLOTS; i++)
		assert_int_equal(v.last[i], (21 + i) * 1000 + 7);
	assert_int_equal(v.pattern, ISN_FIXED_STEP);
	assert_int_equal(v.step, 1000);
}

/*
 * Linux's ISN (net/core/secure_seq.c, secure_tcp_seq and seq_scale):
 * siphash(saddr, daddr, sport, dport, secret) + (ktime_get_real_ns() >> 6),
 * RFC 6528's M + F(4-tuple): the hash is fixed per tuple, the clock part
 * grows at 15.625 MHz. linux_isn takes the tuple's hash as F.
 */
static __u32 linux_isn(__u32 f, __u64 real_ns)
{
	return f + (__u32)(real_ns >> 6);
}

/* 20 connections from one reused source port to one server: one tuple */
static void test_reused_4tuple_linux_isns_are_no_verdict(void **s)
{
	const __u32 tuple = 0xabcdef01u, f = 0x5a17c3e9u;
	struct host_isn h = {};
	struct isn_verdict v;
	__u64 ts = T0;
	int i;

	(void)s;
	rng_state = 0x1b873593u;
	for (i = 0; i < 20; i++) {
		record_on(&h, tuple, linux_isn(f, ts), ts);
		ts += (300 + rng() % 1700) * 1000000ull;	/* 0.3 to 2 s apart */
	}
	isn_analyze(&h, &v);
	assert_int_equal(h.count, 20);
	/* before: PREDICTABLE, time_linear at 15.625 MHz */
	assert_int_not_equal(v.pattern, ISN_TIME_LINEAR);
	assert_false(v.predictable);
	assert_int_equal(v.pattern, ISN_UNKNOWN);
	assert_int_equal(v.samples, 1);
	assert_int_equal(v.last[0], h.isn[19 % XDPCT_HOST_ISN_SLOTS]);	/* the newest */
}

/* Linux's ISNs over 20 tuples, 5 of them reused 4 times, interleaved: OK */
static void test_linux_isns_over_many_tuples_are_random(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	__u32 f[20];
	__u64 ts = T0;
	int i;

	(void)s;
	rng_state = 0xcc9e2d51u;
	for (i = 0; i < 20; i++)
		f[i] = rng();
	for (i = 0; i < 20; i++) {
		record_on(&h, 0x7000 + i, linux_isn(f[i], ts), ts);
		ts += (100 + rng() % 900) * 1000000ull;
	}
	isn_analyze(&h, &v);
	assert_int_equal(v.samples, XDPCT_HOST_ISN_SLOTS);
	assert_int_equal(v.pattern, ISN_RANDOM);
	assert_false(v.predictable);

	memset(&h, 0, sizeof(h));
	for (i = 0; i < 20; i++) {
		record_on(&h, 0x7000 + i % 5, linux_isn(f[i % 5], ts), ts);
		ts += (100 + rng() % 900) * 1000000ull;
	}
	isn_analyze(&h, &v);
	assert_int_equal(v.samples, 5);
	assert_int_equal(v.pattern, ISN_RANDOM);
	assert_false(v.predictable);
	for (i = 0; i < 5; i++)	/* the newest of each, oldest first */
		assert_int_equal(v.last[i], h.isn[(15 + i) % XDPCT_HOST_ISN_SLOTS]);
}

/* a host whose ISN is one global clock-driven counter, over 20 tuples */
static void test_global_counter_over_20_tuples_is_predictable(void **s)
{
	struct host_isn h = {};
	struct isn_verdict v;
	__u64 ts = T0;
	int i;

	(void)s;
	rng_state = 0xe6546b64u;
	for (i = 0; i < 20; i++) {
		record_on(&h, 0x9000 + i, (__u32)(ts >> 6), ts);	/* no F */
		ts += (300 + rng() % 1700) * 1000000ull;
	}
	isn_analyze(&h, &v);
	assert_int_equal(v.samples, XDPCT_HOST_ISN_SLOTS);
	assert_int_equal(v.pattern, ISN_TIME_LINEAR);
	assert_true(v.predictable);

	/* and a fixed step of 64,000 a connection, the same 4 tuples in turn */
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 20; i++)
		record_on(&h, 0x9100 + i % 4, 1000 + i * 64000, T0 + i * NS);
	isn_analyze(&h, &v);
	assert_int_equal(v.samples, 4);
	assert_int_equal(v.pattern, ISN_FIXED_STEP);
	assert_int_equal(v.step, 64000);
	assert_true(v.predictable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constant_isns_are_constant_and_predictable),
		cmocka_unit_test(test_step_of_64000_is_fixed_step),
		cmocka_unit_test(test_small_random_increments_are_small_steps),
		cmocka_unit_test(test_time_proportional_increments_are_time_linear),
		cmocka_unit_test(test_uniform_random_isns_are_random_not_predictable),
		cmocka_unit_test(test_fewer_than_4_isns_are_unknown),
		cmocka_unit_test(test_ring_wrap_uses_newest_16_in_order),
		cmocka_unit_test(test_reused_4tuple_linux_isns_are_no_verdict),
		cmocka_unit_test(test_linux_isns_over_many_tuples_are_random),
		cmocka_unit_test(test_global_counter_over_20_tuples_is_predictable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

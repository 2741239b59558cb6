// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_detector.c - the SYN-flood detector (user/detector.h) on recorded
 * counter series: cumulative SYN and completed-handshake counts of two
 * victims, sampled every 250 ms as the CLI reads the syn_dst map. A flood's
 * onset and end, a flash crowd, a slow ramp, normal load and counters that
 * restart after an LRU eviction.
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
#include "detector.h"

#define NS		1000000000ull
#define TICK_NS		250000000ull	/* the CLI's sampling interval */
#define TICKS_PER_S	4
#define EV_MAX		64

#define assert_near(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-12)

enum { WEB = 0, MAIL = 1, N_VICTIMS = 2 };

struct sim {
	struct detector d;
	struct det_sample s[N_VICTIMS];
	double acc_syn[N_VICTIMS], acc_comp[N_VICTIMS];	/* fractional counts */
	double prev_syn[N_VICTIMS];	/* last tick's SYN rates (sim_run) */
	__u64 now;
	struct det_event ev[EV_MAX];
	size_t nev;
};

static void victim_key(struct syn_dst_key *k, __u8 last, __u16 port)
{
	memset(k, 0, sizeof(*k));
	k->addr[0] = __builtin_bswap32(0xc6120000u | last);	/* 198.18.0.x */
	k->port = port;
	k->family = 4;
}

/* sim_init - default parameters, and a first sample that primes both victims */
static void sim_init(struct sim *m)
{
	struct det_params p;

	memset(m, 0, sizeof(*m));
	det_params_default(&p);
	assert_int_equal(det_init(&m->d, &p), 0);
	victim_key(&m->s[WEB].victim, 1, 80);
	victim_key(&m->s[MAIL].victim, 2, 25);
	m->now = 5000 * NS;
	assert_int_equal(det_update(&m->d, m->now, m->s, N_VICTIMS, m->ev, EV_MAX), 0);
}

/* sim_tick - one 250 ms tick: rates in per second for each victim */
static size_t sim_tick(struct sim *m, const double syn_rate[N_VICTIMS],
		       const double comp_rate[N_VICTIMS])
{
	size_t n;
	int i;

	m->now += TICK_NS;
	for (i = 0; i < N_VICTIMS; i++) {
		m->acc_syn[i] += syn_rate[i] / TICKS_PER_S;
		m->acc_comp[i] += comp_rate[i] / TICKS_PER_S;
		m->s[i].syns = (__u64)m->acc_syn[i];
		m->s[i].completed = (__u64)m->acc_comp[i];
	}
	n = det_update(&m->d, m->now, m->s, N_VICTIMS, m->ev + m->nev, EV_MAX - m->nev);
	m->nev += n;
	return n;
}

/* sim_run - secs of constant rates; completions lag the SYNs by one tick */
static size_t sim_run(struct sim *m, double web_syn, double mail_syn, double complete_frac,
		      double secs)
{
	double syn[N_VICTIMS] = { web_syn, mail_syn }, comp[N_VICTIMS];
	size_t n = 0;
	int t, i;

	for (t = 0; t < (int)(secs * TICKS_PER_S); t++) {
		for (i = 0; i < N_VICTIMS; i++)
			comp[i] = m->prev_syn[i] * complete_frac;
		n += sim_tick(m, syn, comp);
		for (i = 0; i < N_VICTIMS; i++)
			m->prev_syn[i] = syn[i];
	}
	return n;
}

static void test_flood_onset_raises_start_within_2s_naming_victim(void **s)
{
	const double normal[N_VICTIMS] = { 200, 40 };
	double syn[N_VICTIMS], comp[N_VICTIMS];
	struct sim m;
	__u64 onset, before;
	int t;

	(void)s;
	sim_init(&m);
	for (t = 0; t < 10 * TICKS_PER_S; t++)
		sim_tick(&m, normal, normal);
	assert_int_equal(m.nev, 0);

	/* 50,000 SYN/s at the web server, none of them complete */
	onset = m.now;
	before = m.s[WEB].syns;
	syn[WEB] = 200 + 50000;
	syn[MAIL] = 40;
	comp[WEB] = 200;
	comp[MAIL] = 40;
	for (t = 0; t < 2 * TICKS_PER_S && !m.nev; t++)
		sim_tick(&m, syn, comp);

	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_FLOOD_START);
	assert_memory_equal(&m.ev[0].victim, &m.s[WEB].victim, sizeof(struct syn_dst_key));
	assert_true(m.ev[0].ts_ns > onset);
	assert_true(m.ev[0].ts_ns <= onset + 2 * NS);
	/* it takes one tick: 12,550 SYNs and 50 completions in 250 ms */
	assert_int_equal(m.ev[0].ts_ns, onset + TICK_NS);
	assert_int_equal(m.s[WEB].syns - before, 12550);
	assert_true(m.ev[0].syn_rate == 50200.0);
	assert_near(m.ev[0].completion, 50.0 / 12550);
	assert_int_equal(m.ev[0].half_open, 12500);
	assert_true(m.ev[0].cusum > m.d.p.threshold);
	assert_non_null(det_top(&m.d));
	assert_memory_equal(&det_top(&m.d)->key, &m.s[WEB].victim, sizeof(struct syn_dst_key));

	/* it stays one flood: no second start while it goes on */
	for (t = 0; t < 10 * TICKS_PER_S; t++)
		sim_tick(&m, syn, comp);
	assert_int_equal(m.nev, 1);
	det_free(&m.d);
}

static void test_flood_end_after_syns_stop_reports_totals(void **s)
{
	const double normal[N_VICTIMS] = { 200, 40 };
	const double flood[N_VICTIMS] = { 200 + 50000, 40 };
	struct sim m;
	__u64 before_syns, before_comp, last_flood;
	int t;

	(void)s;
	sim_init(&m);
	for (t = 0; t < 10 * TICKS_PER_S; t++)
		sim_tick(&m, normal, normal);
	before_syns = m.s[WEB].syns;
	before_comp = m.s[WEB].completed;
	for (t = 0; t < 10 * TICKS_PER_S; t++)
		sim_tick(&m, flood, normal);
	last_flood = m.now;
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_FLOOD_START);

	/* the SYNs stop; normal traffic goes on */
	for (t = 0; t < 10 * TICKS_PER_S && m.nev == 1; t++)
		sim_tick(&m, normal, normal);

	assert_int_equal(m.nev, 2);
	assert_int_equal(m.ev[1].type, DET_FLOOD_END);
	assert_memory_equal(&m.ev[1].victim, &m.s[WEB].victim, sizeof(struct syn_dst_key));
	assert_true(m.ev[1].ts_ns >= last_flood + 2 * NS);	/* end_after_s */
	assert_true(m.ev[1].ts_ns <= last_flood + 2 * NS + TICK_NS);
	assert_int_equal(m.ev[1].flood_syns, m.s[WEB].syns - before_syns);
	assert_int_equal(m.ev[1].flood_syns, 40 * 12550 + 9 * 50);
	assert_int_equal(m.ev[1].flood_completed, m.s[WEB].completed - before_comp);
	assert_int_equal(m.ev[1].flood_completed, 49 * 50);
	assert_int_equal(m.ev[1].duration_ns, m.ev[1].ts_ns - m.ev[0].ts_ns);
	assert_near(m.ev[1].completion, 49.0 * 50 / (40 * 12550 + 9 * 50));
	assert_null(det_top(&m.d));

	/* and nothing more while traffic stays normal */
	for (t = 0; t < 20 * TICKS_PER_S; t++)
		sim_tick(&m, normal, normal);
	assert_int_equal(m.nev, 2);
	det_free(&m.d);
}

/* 3000 SYN/s that all complete (a tick later): a flash crowd, no flood */
static void test_flash_crowd_of_completing_syns_raises_nothing(void **s)
{
	struct sim m;

	(void)s;
	sim_init(&m);
	assert_int_equal(sim_run(&m, 200, 40, 1.0, 10), 0);
	assert_int_equal(sim_run(&m, 3000, 40, 1.0, 30), 0);
	assert_int_equal(sim_run(&m, 200, 40, 1.0, 10), 0);
	assert_int_equal(m.nev, 0);
	assert_null(det_top(&m.d));
	det_free(&m.d);
}

/* 0 to 5000 SYN/s over 20 s, nothing completes */
static void test_slow_ramp_alarms_once_rate_passes_min_rate(void **s)
{
	double syn[N_VICTIMS] = { 0, 40 }, comp[N_VICTIMS] = { 0, 40 };
	__u64 start, crossed = 0;
	struct sim m;
	int t;

	(void)s;
	sim_init(&m);
	start = m.now;
	for (t = 1; t <= 20 * TICKS_PER_S; t++) {
		syn[WEB] = 5000.0 * t / (20 * TICKS_PER_S);
		if (!crossed && syn[WEB] >= m.d.p.min_rate)
			crossed = m.now + TICK_NS;
		sim_tick(&m, syn, comp);
		if (!crossed || m.now < crossed)
			assert_int_equal(m.nev, 0);	/* never below min_rate */
	}
	assert_int_equal(crossed, start + 16 * TICK_NS);
	assert_int_equal(m.nev, 1);
	assert_int_equal(m.ev[0].type, DET_FLOOD_START);
	assert_memory_equal(&m.ev[0].victim, &m.s[WEB].victim, sizeof(struct syn_dst_key));
	assert_true(m.ev[0].syn_rate >= m.d.p.min_rate);
	assert_true(m.ev[0].ts_ns >= crossed);
	assert_true(m.ev[0].ts_ns <= crossed + 2 * NS);
	assert_true(m.ev[0].completion == 0.0);
	det_free(&m.d);
}

/* 800 SYN/s that never complete: below min_rate (1000/s), not a flood */
static void test_unanswered_syns_below_min_rate_raise_nothing(void **s)
{
	struct sim m;

	(void)s;
	sim_init(&m);
	assert_int_equal(sim_run(&m, 800, 40, 0.0, 60), 0);
	assert_int_equal(m.nev, 0);
	assert_null(det_top(&m.d));
	det_free(&m.d);
}

static void test_normal_traffic_raises_nothing(void **s)
{
	struct sim m;

	(void)s;
	sim_init(&m);
	assert_int_equal(sim_run(&m, 200, 40, 1.0, 60), 0);
	assert_int_equal(m.nev, 0);
	assert_null(det_top(&m.d));
	assert_int_equal(m.s[WEB].syns, 60 * 200);
	det_free(&m.d);
}

/* the victim's syn_dst entry is evicted and created again: counts restart */
static void test_counter_restart_raises_no_false_alarm(void **s)
{
	struct sim m;
	int i;

	(void)s;
	sim_init(&m);
	assert_int_equal(sim_run(&m, 200, 40, 1.0, 20), 0);
	for (i = 0; i < N_VICTIMS; i++) {
		m.acc_syn[i] = 0;
		m.acc_comp[i] = 0;
	}
	assert_int_equal(sim_run(&m, 200, 40, 1.0, 20), 0);

	/* and at a higher load */
	assert_int_equal(sim_run(&m, 3000, 40, 1.0, 20), 0);
	for (i = 0; i < N_VICTIMS; i++) {
		m.acc_syn[i] = 0;
		m.acc_comp[i] = 0;
	}
	assert_int_equal(sim_run(&m, 3000, 40, 1.0, 20), 0);
	assert_int_equal(m.nev, 0);
	assert_null(det_top(&m.d));
	det_free(&m.d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_onset_raises_start_within_2s_naming_victim),
		cmocka_unit_test(test_flood_end_after_syns_stop_reports_totals),
		cmocka_unit_test(test_flash_crowd_of_completing_syns_raises_nothing),
		cmocka_unit_test(test_slow_ramp_alarms_once_rate_passes_min_rate),
		cmocka_unit_test(test_unanswered_syns_below_min_rate_raise_nothing),
		cmocka_unit_test(test_normal_traffic_raises_nothing),
		cmocka_unit_test(test_counter_restart_raises_no_false_alarm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

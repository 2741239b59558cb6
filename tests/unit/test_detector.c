// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_detector.c - the SYN-flood detector (user/detector.h) on recorded
 * counter series: cumulative SYN and completed-handshake counts of two
 * victims, sampled every 250 ms as the CLI reads the syn_dst map. A flood's
 * onset and end, a flash crowd, a slow ramp, normal load and counters that
 * restart after an LRU eviction; a scan of 10,000 victims through the
 * 4096-entry LRU map, and more victims at once than the detector has slots,
 * before a real flood; a flood spread over 1000 ports of one host.
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
#include "monitor.h"

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


/* -- many victims: samples as the syn_dst map (an LRU of 4096) holds them -- */

#define MAP_ENTRIES	XDPCT_SYN_DST_ENTRIES
#define BIG		20000

struct many {
	struct detector d;
	struct det_sample s[BIG];
	size_t n;
	__u64 now;
	struct det_event ev[EV_MAX];
	size_t nev;
};

static struct many big;	/* too big for the stack */

static void many_init(struct many *m)
{
	struct det_params p;

	memset(m, 0, sizeof(*m));
	det_params_default(&p);
	assert_int_equal(det_init(&m->d, &p), 0);
	m->now = 5000 * NS;
	assert_int_equal(det_update(&m->d, m->now, m->s, 0, m->ev, EV_MAX), 0);
}

static size_t many_tick(struct many *m)
{
	size_t n;

	m->now += TICK_NS;
	n = det_update(&m->d, m->now, m->s, m->n, m->ev + m->nev, EV_MAX - m->nev);
	m->nev += n;
	return n;
}

/* scan_key - the i-th victim of a scan: 40 hosts, 250 ports each */
static void scan_key(struct syn_dst_key *k, unsigned int i)
{
	memset(k, 0, sizeof(*k));
	k->addr[0] = __builtin_bswap32(0xc6130000u | (i % 40));	/* 198.19.0.x */
	k->port = 10000 + i / 40;
	k->family = 4;
}

/* host_key - a host-wide victim, as the detector names it */
static void host_key(struct syn_dst_key *k, __u8 last)
{
	victim_key(k, last, 0);
	k->pad = DET_KEY_HOST;
}

static void assert_quiet_slots(const struct detector *d)
{
	const struct det_victim *v;
	size_t i, used = 0;

	for (i = 0; i < DET_MAX_VICTIMS; i++) {
		v = &d->v[i];
		used += v->used;
		assert_false(v->used && v->flooding);
	}
	assert_int_equal(used, d->n_used);
}

/*
 * A scan: one unanswered SYN to each of 10,000 victims, 100 new ones a tick
 * (400 SYN/s over 40 hosts: no flood), the map keeping the newest 4096 of
 * them. Then 50,000 SYN/s at a victim never seen before: the alert within a
 * tick, as with an empty detector.
 */
static void test_scan_of_10000_victims_then_flood_alerts(void **s)
{
	struct many *m = &big;
	struct syn_dst_key web;
	unsigned int i, sent = 0, t;

	(void)s;
	many_init(m);
	for (t = 0; t < 100; t++) {
		for (i = 0; i < 100; i++, sent++) {
			/* the LRU keeps the newest MAP_ENTRIES */
			struct det_sample *e = &m->s[sent % MAP_ENTRIES];

			scan_key(&e->victim, sent);
			e->syns = 1;
			e->synacks = e->completed = 0;
			e->last_ns = m->now + TICK_NS / 2;
		}
		m->n = sent < MAP_ENTRIES ? sent : MAP_ENTRIES;
		assert_int_equal(many_tick(m), 0);
		/* every entry's port and its host, never more */
		assert_true(m->d.n_used <= MAP_ENTRIES + 40);
	}
	assert_int_equal(sent, 10000);
	assert_int_equal(m->nev, 0);
	assert_quiet_slots(&m->d);

	/* the flood: a new victim, in the map beside the scan's last entries */
	victim_key(&web, 3, 443);
	m->s[m->n].victim = web;
	for (t = 0; t < 2 * TICKS_PER_S && !m->nev; t++) {
		m->s[m->n].syns = (t + 1) * 12500;
		m->s[m->n].last_ns = m->now + TICK_NS / 2;
		m->n++;
		many_tick(m);
		m->n--;
	}
	assert_int_equal(m->nev, 1);
	assert_int_equal(t, 1);
	assert_int_equal(m->ev[0].type, DET_FLOOD_START);
	assert_memory_equal(&m->ev[0].victim, &web, sizeof(web));
	assert_true(m->ev[0].syn_rate == 50000.0);
	assert_int_equal(m->ev[0].half_open, 12500);
	assert_non_null(det_top(&m->d));
	assert_memory_equal(&det_top(&m->d)->key, &web, sizeof(web));
	assert_int_equal(m->d.evicted, 0);	/* the slots mirror the map: no pressure */
	det_free(&m->d);
}

/*
 * More victims at once than slots: 16,000 quiet victims on 16,000 hosts in
 * every sample. The quietest slots are reused, a new flood still alerts in
 * its first tick, and the flooding victim keeps its slot to the end.
 */
static void test_full_table_reuses_quiet_slots_and_flood_alerts(void **s)
{
	struct many *m = &big;
	struct syn_dst_key web;
	unsigned int i, t;

	(void)s;
	many_init(m);
	for (i = 0; i < 16000; i++) {
		struct det_sample *e = &m->s[i];

		memset(&e->victim, 0, sizeof(e->victim));
		e->victim.addr[0] = __builtin_bswap32(0xc6120000u | (i + 256));
		e->victim.port = 22;
		e->victim.family = 4;
		e->syns = 1;
		e->last_ns = m->now - NS;
	}
	m->n = 16000;
	for (t = 0; t < 8; t++)
		assert_int_equal(many_tick(m), 0);
	assert_true(m->d.n_used <= DET_MAX_LOAD);
	assert_true(m->d.evicted > 0);

	victim_key(&web, 3, 443);
	m->s[m->n].victim = web;
	m->n++;
	for (t = 0; t < 10 * TICKS_PER_S; t++) {
		m->s[m->n - 1].syns = (t + 1) * 12500;
		m->s[m->n - 1].last_ns = m->now + TICK_NS / 2;
		many_tick(m);
		if (t == 0)
			assert_int_equal(m->nev, 1);
	}
	assert_int_equal(m->nev, 1);
	assert_int_equal(m->ev[0].type, DET_FLOOD_START);
	assert_memory_equal(&m->ev[0].victim, &web, sizeof(web));
	assert_int_equal(m->ev[0].ts_ns, 5000 * NS + 9 * TICK_NS);
	assert_non_null(det_top(&m->d));
	assert_memory_equal(&det_top(&m->d)->key, &web, sizeof(web));

	/* it ends as any flood does, with every SYN counted */
	for (t = 0; t < 4 * TICKS_PER_S && m->nev == 1; t++) {
		m->s[m->n - 1].last_ns = 0;
		many_tick(m);
	}
	assert_int_equal(m->nev, 2);
	assert_int_equal(m->ev[1].type, DET_FLOOD_END);
	assert_memory_equal(&m->ev[1].victim, &web, sizeof(web));
	assert_int_equal(m->ev[1].flood_syns, 40 * 12500);
	det_free(&m->d);
}

/*
 * 50,000 SYN/s spread over 1000 ports of 198.18.0.9 (50 SYN/s each: no port
 * is flooded), next to normal traffic: one alert, naming the host.
 */
static void test_flood_over_1000_ports_alerts_naming_host(void **s)
{
	struct many *m = &big;
	struct syn_dst_key host;
	unsigned int i, t;

	(void)s;
	many_init(m);
	/* normal load at the web and mail servers, then the flood */
	victim_key(&m->s[0].victim, 1, 80);
	victim_key(&m->s[1].victim, 2, 25);
	for (i = 0; i < 1000; i++)
		victim_key(&m->s[2 + i].victim, 9, 20000 + i);
	m->n = 2;
	for (t = 0; t < 10 * TICKS_PER_S; t++) {
		m->s[0].syns = m->s[0].completed = (t + 1) * 50;
		m->s[1].syns = m->s[1].completed = (t + 1) * 10;
		assert_int_equal(many_tick(m), 0);
	}
	m->n = 1002;
	for (t = 0; t < 2 * TICKS_PER_S && !m->nev; t++) {
		m->s[0].syns = m->s[0].completed += 50;
		m->s[1].syns = m->s[1].completed += 10;
		for (i = 0; i < 1000; i++)
			m->s[2 + i].syns += 12 + (i % 2);	/* 12.5 a tick */
		many_tick(m);
	}
	host_key(&host, 9);
	assert_int_equal(m->nev, 1);
	assert_int_equal(t, 1);
	assert_int_equal(m->ev[0].type, DET_FLOOD_START);
	assert_memory_equal(&m->ev[0].victim, &host, sizeof(host));
	assert_true(det_key_is_host(&m->ev[0].victim));
	assert_int_equal(m->ev[0].ports, 1000);
	assert_true(m->ev[0].syn_rate == 50000.0);
	assert_true(m->ev[0].completion == 0.0);
	assert_int_equal(m->ev[0].half_open, 12500);
	assert_memory_equal(&det_top(&m->d)->key, &host, sizeof(host));

	/* 10 s of it: still the one alert */
	for (t = 0; t < 10 * TICKS_PER_S; t++) {
		for (i = 0; i < 1000; i++)
			m->s[2 + i].syns += 12 + (i % 2);
		many_tick(m);
	}
	assert_int_equal(m->nev, 1);
	/* the SYNs stop: the end, for the host, with all 41 ticks' SYNs */
	for (t = 0; t < 4 * TICKS_PER_S && m->nev == 1; t++)
		many_tick(m);
	assert_int_equal(m->nev, 2);
	assert_int_equal(m->ev[1].type, DET_FLOOD_END);
	assert_memory_equal(&m->ev[1].victim, &host, sizeof(host));
	assert_int_equal(m->ev[1].flood_syns, 41 * 12500);
	assert_int_equal(m->ev[1].flood_completed, 0);
	assert_null(det_top(&m->d));
	det_free(&m->d);
}

/* 10,000 victims with normal, completing traffic, on 40 hosts: nothing */
static void test_10000_quiet_victims_raise_nothing(void **s)
{
	struct many *m = &big;
	unsigned int i, t;

	(void)s;
	many_init(m);
	for (i = 0; i < MAP_ENTRIES; i++)
		scan_key(&m->s[i].victim, i);
	m->n = MAP_ENTRIES;
	for (t = 0; t < 30 * TICKS_PER_S; t++) {
		for (i = 0; i < MAP_ENTRIES; i++) {
			/* each victim 2 SYN/s, completing a tick later */
			m->s[i].completed = m->s[i].syns;
			m->s[i].syns += (i + t) % 2;
			m->s[i].last_ns = m->now;
		}
		assert_int_equal(many_tick(m), 0);
	}
	assert_int_equal(m->nev, 0);
	assert_null(det_top(&m->d));
	assert_int_equal(m->d.n_used, MAP_ENTRIES + 40);
	/* the map empties: so do the slots, hosts after DET_IDLE_TICKS */
	m->n = 0;
	for (t = 0; t <= DET_IDLE_TICKS; t++)
		assert_int_equal(many_tick(m), 0);
	assert_int_equal(m->d.n_used, 0);
	det_free(&m->d);
}

/* victims as alerts and stats write them: a port, or a whole host as ADDR:* */
static void test_victim_strings_port_and_host(void **s)
{
	struct syn_dst_key k;
	char buf[64];

	(void)s;
	victim_key(&k, 2, 8080);
	monitor_victim_str(&k, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.2:8080");
	host_key(&k, 2);
	monitor_victim_str(&k, buf, sizeof(buf));
	assert_string_equal(buf, "198.18.0.2:*");

	memset(&k, 0, sizeof(k));
	k.family = 6;
	k.addr[0] = __builtin_bswap32(0xfc000000u);
	k.addr[3] = __builtin_bswap32(2);
	k.port = 443;
	monitor_victim_str(&k, buf, sizeof(buf));
	assert_string_equal(buf, "[fc00::2]:443");
	k.port = 0;
	k.pad = DET_KEY_HOST;
	monitor_victim_str(&k, buf, sizeof(buf));
	assert_string_equal(buf, "[fc00::2]:*");
	/* port 0 of a port victim stays a port */
	k.pad = 0;
	monitor_victim_str(&k, buf, sizeof(buf));
	assert_string_equal(buf, "[fc00::2]:0");
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
		cmocka_unit_test(test_scan_of_10000_victims_then_flood_alerts),
		cmocka_unit_test(test_full_table_reuses_quiet_slots_and_flood_alerts),
		cmocka_unit_test(test_flood_over_1000_ports_alerts_naming_host),
		cmocka_unit_test(test_10000_quiet_victims_raise_nothing),
		cmocka_unit_test(test_victim_strings_port_and_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

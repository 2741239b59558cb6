/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * harness.h - what every BPF_PROG_TEST_RUN test of xdpct's programs uses,
 * the kernel's test_progs way: a harness (harness.c: loading, running
 * frames, connections, the handshake; checks.c: reading the maps and
 * comparing them with what a test wants) and one file per area
 * (tests/prog/test_AREA.c) that lists its tests in a table:
 *
 *	static int t_something(struct tctx *t)
 *	{
 *		...
 *		TRY(seg(t, &cv, T0, CLI, SYN, V_X, 0, 0));
 *		EQ("what", got, want);
 *		return 0;
 *	}
 *
 *	static const struct prog_test tests[] = {
 *		{ "what the test shows, as TAP prints it", t_something },
 *	};
 *	PROG_AREA(something, tests);
 *
 * A new area is a new tests/prog/test_AREA.c: the Makefile links every
 * one into prog_test (PROG_AREAS gives the order of the output).
 *
 * Each test runs on a freshly loaded object (prog_load): in replay mode for
 * xdpct_xdp, so each frame's time is the replay_now_ns the test passes and
 * every first_ns/last_ns/expires_ns is exact; with .live = true without
 * replay, for xdpct_tc, whose times then come from the kernel's clock.
 *
 * A check returns 0, or -1 after recording the first failure's reason
 * (FAIL) in t->why; TRY(x) returns as soon as x fails.
 */
#ifndef XDPCT_TESTS_HARNESS_H
#define XDPCT_TESTS_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "loader.h"
#include "maps.h"
#include "flow.h"
#include "tcp_fsm.h"
#include "pkt.h"

#define SEC		1000000000ull
#define MSEC		1000000ull
/* replay clock origin: 2026-01-01 00:00:00 UTC */
#define T0		(1767225600ull * SEC)
/* a state's timeout as the loaded object has it (bpf/xdpct.bpf.c's one table) */
#define TIMEOUT(st)	((__u64)t->ld.skel->rodata->timeout_ns[st])
#define FRAME_MAX	4096
#define TC_ACT_UNSPEC_	(-1)

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The seed-notes §1 vector. */
#define V_CLI		"192.168.1.116"
#define V_SRV		"192.168.1.123"
#define V_CPORT		3337
#define V_SPORT		7788
#define V_X		3626544836u
#define V_Y		1739326486u
#define V6_CLI		"2001:db8:1::116"
#define V6_SRV		"2001:db8:1::123"

#define SYN		PKT_TCP_SYN
#define ACK		PKT_TCP_ACK
#define FIN		PKT_TCP_FIN
#define RST		PKT_TCP_RST
#define PSH		PKT_TCP_PSH

enum { CLI = 1, SRV = 0 };	/* who sends a segment */
enum { IN_NONE = 0, IN_FLOWS = 1, IN_HALFOPEN = 2 };

struct tctx {
	struct ld ld;
	bool replay;
	int xdp_fd, tc_fd;
	const char *step;
	char why[1024];
};

/* A connection under test: client and server, and the frame template. */
struct conv {
	int family;
	__u8 caddr[16], saddr[16];
	__u16 cport, sport;
	struct pkt_spec tmpl;	/* tags, IP options, extension headers, padding */
};

/* ---- tests and areas ------------------------------------------------ */

struct prog_test {
	const char *name;
	int (*fn)(struct tctx *t);
	bool live;	/* load without replay (TC, kernel clock) */
};

struct prog_area {
	const char *name;
	const struct prog_test *tests;
	size_t n;
};

/*
 * PROG_AREA - registers an area's table: one pointer per file in the
 * prog_areas section, which the runner walks (__start_/__stop_prog_areas)
 * in link order, each table in its own order.
 */
#define PROG_AREA(area, table)							\
	static const struct prog_area prog_area_##area = {			\
		#area, table, ARRAY_SIZE(table) };				\
	static const struct prog_area *const prog_area_ptr_##area		\
		__attribute__((used, section("prog_areas"))) = &prog_area_##area

/* ---- failing -------------------------------------------------------- */

int failf(struct tctx *t, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define FAIL(...)	return failf(t, __LINE__, __VA_ARGS__)
#define TRY(x)		do { if (x) return -1; } while (0)
#define STEP(s)		(t->step = (s))
#define EQ(what, got, want)							\
	do {									\
		unsigned long long g_ = (unsigned long long)(got);		\
		unsigned long long w_ = (unsigned long long)(want);		\
		if (g_ != w_)							\
			FAIL("%s: want %llu (0x%llx), got %llu (0x%llx)", what,	\
			     w_, w_, g_, g_);					\
	} while (0)

/* ---- loading and running frames ------------------------------------- */

int prog_load(struct tctx *t, bool replay);
int prog_load_halfopen(struct tctx *t, __u32 slots);
bool prog_ci(void);

/* frame_run - one frame through prog_fd: its verdict, and whether the
 * program changed it. 0, or -errno when the kernel refused the run. */
struct frame_result {
	__u32 retval;
	__u32 len_out;
	bool changed;
};
int frame_run(int prog_fd, const void *frame, __u32 len, struct frame_result *r);

int xdp_run(struct tctx *t, __u64 now, const void *frame, __u32 len, __u32 wire_len);
int xdp_send(struct tctx *t, __u64 now, const void *frame, int len);
int tc_send(struct tctx *t, const void *frame, int len);
int spec_send(struct tctx *t, __u64 now, const struct pkt_spec *s);

/* ---- connections ---------------------------------------------------- */

void conv_init(struct conv *cv, int family, const char *c, __u16 cport, const char *s,
	       __u16 sport);
void conv_v4(struct conv *cv);
void conv_v6(struct conv *cv);
void conv_spec(const struct conv *cv, int from, __u8 flags, __u32 seq, __u32 ack, __u32 len,
	       struct pkt_spec *s);
int seg(struct tctx *t, const struct conv *cv, __u64 now, int from, __u8 flags, __u32 seq,
	__u32 ack, __u32 len);

/* ---- keys and lookups ----------------------------------------------- */

int key_make(int family, const __u8 *a, __u16 ap, const __u8 *b, __u16 bp, void *key);
int flow_find(const struct xdpct_fds *fds, int family, const void *key, struct flow *f,
	      int *where);
int key_lookup(struct tctx *t, int family, const void *key, struct flow *f, int *where);
int conv_flow(struct tctx *t, const struct conv *cv, struct flow *f, int *where, int *cside);
int want_where(struct tctx *t, int got, int want);
int map_count(int fd, size_t key_size);
int want_maps(struct tctx *t, int fl4, int fl6, int ho4, int ho6);
int want_conv_maps(struct tctx *t, const struct conv *cv, int nf, int nh);
int want_no_flows(struct tctx *t);

/* ---- flow checks ---------------------------------------------------- */

int want_dir(struct tctx *t, const struct flow *f, int d, __u32 isn, __u32 end, __u32 ack,
	     __u64 pkts, __u64 bytes, __u64 first, __u64 last);
int want_flow(struct tctx *t, const struct flow *f, __u8 state, const char *hist, __u32 anom,
	      __u8 flags0, __u8 flags1);
int want_syn_dst(struct tctx *t, int family, const __u8 *addr, __u16 port, __u64 syns,
		 __u64 synacks, __u64 completed, __u64 last_ns);
int want_host_isn(struct tctx *t, int family, const __u8 *addr, int n, const __u32 *isn,
		  const __u64 *ts);

/* ---- counters ------------------------------------------------------- */

const char *mal_name(int i);
__u64 mal_sum(const struct xdpct_stats *s);
int read_stats(struct tctx *t, struct xdpct_stats st[HOOK_MAX]);
int want_stats(struct tctx *t, const struct xdpct_stats *xdp, const struct xdpct_stats *tc);
void stats_handshake(struct xdpct_stats *s);

/* ---- events --------------------------------------------------------- */

struct ev_list {
	int n;
	struct ct_event e[8];
};

int read_events(struct tctx *t, struct ev_list *l);
int want_end_event(struct tctx *t, const struct flow *old);

/* ---- the handshake -------------------------------------------------- */

int hs_run(struct tctx *t, const struct conv *cv, __u32 x, __u32 y, __u64 t1, __u64 t2,
	   __u64 t3);
int hs_data(struct tctx *t, const struct conv *cv);

#endif /* XDPCT_TESTS_HARNESS_H */

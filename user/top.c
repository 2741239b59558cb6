// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * top.c - xdpct top IFACE: a live full-screen view (ncurses) of one
 * attached interface, refreshed every --interval: packets/s, SYN/s,
 * half-open and established counts, the SYN-flood state, then the busiest
 * flows by rate since the last refresh. 'q' quits and restores the
 * terminal; when stdout is not a terminal it prints the same picture as
 * plain text every interval.
 */
#include <argp.h>
#include <curses.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "filter.h"
#include "isn.h"
#include "monitor.h"
#include "util.h"

struct top_args {
	const char *ifname;
	__u64 interval_ms;
	struct flow_filter flt;
	char opts[256];		/* the filters as given, for the header */
	struct cli_common common;	/* --verbose */
	__u8 pad[7];
};

/* How long after the first reading the first picture comes */
#define TOP_WARMUP_NS (500 * 1000000ull)

/* One flow of a refresh and its rates since the previous one. */
struct top_row {
	size_t idx;		/* into the refresh's flow_vec */
	double bps[2];		/* payload bytes/s, originator and responder */
	double pps;		/* packets/s, both ways */
};

/* What one refresh read; the previous one gives the rates. */
struct top_snap {
	struct flow_vec fv;	/* every live flow, sorted by flow_key_cmp */
	struct top_row *rows;	/* the filtered ones, busiest first */
	size_t nrows;
	__u64 at_ns;		/* monotonic */
	__u64 packets, syns;
	double pkt_rate, syn_rate;
	long half_open, established;
	char flood[96];
};

static error_t top_parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		state->child_inputs[1] = &a->flt;
		return 0;
	case OPT_INTERVAL:
		if (parse_duration_s(arg, &v) || v < 1 || v > 3600)
			argp_error(state, "--interval must be from 1 to 3600 seconds (e.g. 1, 5s, "
				   "1m), not '%s'", arg);
		a->interval_ms = v * 1000;
		return 0;
	default:
		return parse_iface_key(key, arg, state, &a->ifname, true);
	}
}

/* raw_first - the record's own first packet time: the view's wall-clock one
 * moves by the jitter of each read's clock offset */
static __u64 raw_first(const struct flow_view *v)
{
	__u64 o = v->f.dir[0].first_ns, r = v->f.dir[1].first_ns;

	return !o || (r && r < o) ? r : o;
}

/* flow_key_cmp - the same connection in two refreshes: tuple and first packet */
static int flow_key_cmp(const void *a, const void *b)
{
	const struct flow_view *x = a, *y = b;
	__u64 fx = raw_first(x), fy = raw_first(y);
	int c;

	if (x->family != y->family)
		return x->family - y->family;
	c = memcmp(x->orig_addr, y->orig_addr, 16);
	if (!c)
		c = memcmp(x->resp_addr, y->resp_addr, 16);
	if (!c)
		c = (int)x->orig_port - (int)y->orig_port;
	if (!c)
		c = (int)x->resp_port - (int)y->resp_port;
	if (!c && fx != fy)
		c = fx < fy ? -1 : 1;
	return c;
}

static int cmp_rate(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double rx = x->bps[0] + x->bps[1], ry = y->bps[0] + y->bps[1];

	if (rx != ry)
		return rx > ry ? -1 : 1;
	if (x->pps != y->pps)
		return x->pps > y->pps ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* rates - each filtered flow's rates since prev (or its whole life, if new) */
static int rates(struct top_snap *s, const struct top_snap *prev, const struct flow_filter *flt)
{
	__u64 now_real = real_ns();
	size_t i;

	s->rows = calloc(s->fv.n ? s->fv.n : 1, sizeof(*s->rows));
	if (!s->rows)
		return -ENOMEM;
	for (i = 0; i < s->fv.n; i++) {
		const struct flow_view *v = &s->fv.v[i], *p = NULL;
		struct top_row *r = &s->rows[s->nrows];
		double dt = prev ? (s->at_ns - prev->at_ns) / 1e9 : 0;
		__u64 was[2][2] = {};
		int d;

		if (!filter_match(flt, v))
			continue;
		if (prev)
			p = bsearch(v, prev->fv.v, prev->fv.n, sizeof(*v), flow_key_cmp);
		if (p) {
			for (d = 0; d < 2; d++) {
				was[d][0] = p->f.dir[d].bytes;
				was[d][1] = p->f.dir[d].pkts;
			}
		} else if (!prev || now_real - v->first_ns < dt * 1e9) {
			/* new since the last refresh: its rate over its life */
			dt = now_real > v->first_ns ? (now_real - v->first_ns) / 1e9 : 0;
		}
		if (dt < 1e-3)
			dt = 1e-3;
		r->idx = i;
		for (d = 0; d < 2; d++) {
			r->bps[d] = (double)(v->f.dir[d].bytes - was[d][0]) / dt;
			r->pps += (double)(v->f.dir[d].pkts - was[d][1]) / dt;
		}
		s->nrows++;
	}
	return 0;
}

struct rows_order {
	const struct flow_vec *fv;
	enum flow_sort sort;
	__u8 pad[4];
};

/* cmp_sorted - --sort's order over the rows' flows */
static int cmp_sorted(const void *a, const void *b, void *ctx)
{
	const struct top_row *x = a, *y = b;
	const struct rows_order *o = ctx;

	return filter_cmp(o->sort, &o->fv->v[x->idx], &o->fv->v[y->idx]);
}

/* order_rows - busiest first, or --sort's order; then --limit */
static void order_rows(struct top_snap *s, const struct flow_filter *flt)
{
	struct rows_order o = { &s->fv, flt->sort };

	if (flt->sort == FLOW_SORT_NONE)
		qsort(s->rows, s->nrows, sizeof(*s->rows), cmp_rate);
	else
		qsort_r(s->rows, s->nrows, sizeof(*s->rows), cmp_sorted, &o);
	if (flt->limit && s->nrows > flt->limit)
		s->nrows = (size_t)flt->limit;
}

static void header_flood(struct top_snap *s, const struct xdpct_fds *fds,
			 const struct stats_view *sv)
{
	struct xdpct_detector d = sv->det;
	char victim[64];
	bool fresh = detector_live(&sv->det), known = fresh;

	if (!known) {
		struct det_params p;

		/* no detector publishes: judge a short sample, as stats does */
		det_params_default(&p);
		known = !flood_sample(fds, &p, STATS_SAMPLE_MS, &d);
	}
	if (!known) {
		snprintf(s->flood, sizeof(s->flood), "not judged");
		return;
	}
	endpoint_str(d.victim.family, (const __u8 *)d.victim.addr, d.victim.port, victim,
		     sizeof(victim));
	if (d.flooding)
		snprintf(s->flood, sizeof(s->flood), "FLOOD on %s (%llu SYN/s)", victim,
			 (unsigned long long)d.syn_rate);
	else
		snprintf(s->flood, sizeof(s->flood), "normal%s", fresh ? "" : " (sampled)");
}

/* top_read - one refresh: counters, flows, rates. 0 or -errno. */
static int top_read(struct top_snap *s, const struct top_snap *prev, const struct xdpct_fds *fds,
		    const struct flow_filter *flt)
{
	struct stats_view sv;
	__u64 now;
	size_t i;
	int err;

	err = stats_view_read(fds, &sv);
	if (err)
		return err;
	header_flood(s, fds, &sv);
	now = mono_ns();
	s->at_ns = now;
	s->packets = sv.total.packets;
	s->syns = sv.total.syn_pkts;
	if (prev && now > prev->at_ns) {
		s->pkt_rate = (double)(s->packets - prev->packets) * 1e9 / (double)(now - prev->at_ns);
		s->syn_rate = (double)(s->syns - prev->syns) * 1e9 / (double)(now - prev->at_ns);
	}
	err = collect_flows(fds, false, (__s64)(real_ns() - now), now, &s->fv);
	if (!err)
		err = isn_mark_flows(fds->host_isn, &s->fv);
	if (err)
		return err;
	for (i = 0; i < s->fv.n; i++) {
		__u8 st = s->fv.v[i].state;

		s->established += st == CT_STATE_ESTABLISHED;
		s->half_open += st == CT_STATE_SYN_SENT || st == CT_STATE_SYN_RECV ||
				st == CT_STATE_SYN_SENT2;
	}
	qsort(s->fv.v, s->fv.n, sizeof(s->fv.v[0]), flow_key_cmp);
	err = rates(s, prev, flt);
	if (!err)
		order_rows(s, flt);
	return err;
}

static void snap_free(struct top_snap *s)
{
	flow_vec_free(&s->fv);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

static void fmt_rate(char *buf, size_t len, double r)
{
	if (r < 999.5)
		snprintf(buf, len, "%.0f", r);
	else if (r < 999.5e3)
		snprintf(buf, len, "%.1fk", r / 1e3);
	else if (r < 999.5e6)
		snprintf(buf, len, "%.1fM", r / 1e6);
	else
		snprintf(buf, len, "%.1fG", r / 1e9);
}

/* The picture as lines of text, for curses and plain output alike. */
typedef void (*line_fn)(void *ctx, bool bold, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void draw(const struct top_snap *s, const struct top_args *a, int rows, line_fn out,
		 void *ctx)
{
	char when[32], o[64], r[64], b0[16], b1[16], pr[16], age[16];
	__u64 now = real_ns();
	time_t t = time(NULL);
	size_t i, n = s->nrows;
	int wo = 10, wr = 10;	/* "ORIGINATOR", or the longest endpoint shown */

	if (rows >= 0 && n > (size_t)(rows > 4 ? rows - 4 : 0))
		n = (size_t)(rows > 4 ? rows - 4 : 0);
	for (i = 0; i < n; i++) {
		const struct flow_view *v = &s->fv.v[s->rows[i].idx];

		endpoint_str(v->family, v->orig_addr, v->orig_port, o, sizeof(o));
		endpoint_str(v->family, v->resp_addr, v->resp_port, r, sizeof(r));
		wo = (int)strlen(o) > wo ? (int)strlen(o) : wo;
		wr = (int)strlen(r) > wr ? (int)strlen(r) : wr;
	}

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
	out(ctx, true, "xdpct top %s  %s  every %llus  ('q' quits)", a->ifname, when,
	    (unsigned long long)(a->interval_ms / 1000));
	out(ctx, false, "packets/s %.0f  SYN/s %.0f  half-open %ld  established %ld  flood: %s",
	    s->pkt_rate, s->syn_rate, s->half_open, s->established, s->flood);
	out(ctx, false, "filters: %s  (%zu flows shown of %zu)", a->opts[0] ? a->opts : "none",
	    s->nrows, s->fv.n);
	out(ctx, true, "%-6s %-*s %-*s %-11s %9s %9s %8s %7s", "FAMILY", wo, "ORIGINATOR", wr,
	    "RESPONDER", "STATE", "ORIG_B/s", "RESP_B/s", "PKTS/s", "AGE");
	for (i = 0; i < n; i++) {
		const struct top_row *w = &s->rows[i];
		const struct flow_view *v = &s->fv.v[w->idx];

		endpoint_str(v->family, v->orig_addr, v->orig_port, o, sizeof(o));
		endpoint_str(v->family, v->resp_addr, v->resp_port, r, sizeof(r));
		fmt_rate(b0, sizeof(b0), w->bps[0]);
		fmt_rate(b1, sizeof(b1), w->bps[1]);
		fmt_rate(pr, sizeof(pr), w->pps);
		fmt_age(age, sizeof(age), now > v->first_ns ? now - v->first_ns : 0);
		out(ctx, false, "%-6s %-*s %-*s %-11s %9s %9s %8s %7s",
		    v->family == 6 ? "ipv6" : "ipv4", wo, o, wr, r, ct_state_name(v->state), b0, b1,
		    pr, age);
	}
}

static void curses_line(void *ctx, bool bold, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (bold)
		attron(A_BOLD);
	addnstr(buf, COLS > 0 ? COLS : (int)sizeof(buf));
	if (bold)
		attroff(A_BOLD);
	if (getcurx(stdscr))
		addch('\n');
}

static void plain_line(void *ctx, bool bold, const char *fmt, ...)
{
	va_list ap;

	(void)bold;
	va_start(ap, fmt);
	vfprintf(ctx, fmt, ap);
	va_end(ap);
	fputc('\n', ctx);
}

/*
 * wait_key - until deadline (monotonic ns): true when the user asked to
 * quit ('q', Ctrl-C) or a signal came. Curses only.
 */
static bool wait_key(__u64 deadline)
{
	while (!stop_requested) {
		__u64 now = mono_ns();
		int ch;

		if (now >= deadline)
			return false;
		timeout((int)((deadline - now) / 1000000) + 1);
		ch = getch();
		if (ch == 'q' || ch == 'Q')
			return true;
		if (ch == KEY_RESIZE || ch == ' ')
			return false;	/* redraw now */
	}
	return true;
}

/* attached - the pins are still there: after a detach the maps this
 * process holds are nobody's any more */
static bool attached(const char *ifname)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/meta", XDPCT_PIN_ROOT, ifname);
	return !access(path, F_OK);
}

/*
 * top_loop - refresh until quit; tty: curses, else plain lines. 0, -ENOENT
 * when xdpct was detached, or -errno.
 */
static int top_loop(const struct xdpct_fds *fds, const struct top_args *a, bool tty)
{
	struct top_snap snap[2] = {};
	int cur = 0, err = 0;
	bool quit = false;

	while (!quit && !stop_requested) {
		struct top_snap *s = &snap[cur], *prev = &snap[!cur];
		bool first = !prev->at_ns;
		__u64 deadline = mono_ns() + a->interval_ms * 1000000ull;

		if (!attached(a->ifname)) {
			err = -ENOENT;
			break;
		}
		snap_free(s);
		err = top_read(s, first ? NULL : prev, fds, &a->flt);
		if (err)
			break;
		cur = !cur;
		if (first) {
			/* the first picture waits for a second reading: rates need two */
			deadline = s->at_ns + TOP_WARMUP_NS;
			quit = tty ? wait_key(deadline) : false;
			while (!tty && !stop_requested && mono_ns() < deadline)
				usleep(20000);
			continue;
		}
		if (tty) {
			erase();
			draw(s, a, LINES, curses_line, NULL);
			refresh();
			quit = wait_key(deadline);
		} else {
			draw(s, a, -1, plain_line, stdout);
			putchar('\n');
			fflush(stdout);
			if (ferror(stdout))
				break;	/* the reader went away */
			while (!stop_requested && mono_ns() < deadline)
				usleep(20000);
		}
	}
	snap_free(&snap[0]);
	snap_free(&snap[1]);
	return err;
}

/* filters_str - the options as given but IFACE and --interval, for the header */
static void filters_str(int argc, char **argv, const char *ifname, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 1; i < argc && off < len; i++) {
		if (argv[i] == ifname || !strncmp(argv[i], "--interval=", 11))
			continue;
		if (!strcmp(argv[i], "--interval") || !strcmp(argv[i], "-i")) {
			i++;
			continue;
		}
		off += snprintf(buf + off, len - off, "%s%s", off ? " " : "", argv[i]);
	}
}

int cmd_top(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "interval", OPT_INTERVAL, "SEC", 0, "refresh every SEC seconds (default 1)", 0 },
		{ 0 },
	};
	const struct argp_child children[] = {
		{ cli_common_argp(NULL), 0, NULL, 0 },
		{ &filter_argp, 0, NULL, 20 },
		{ 0 },
	};
	static const char doc[] =
		"A live, full-screen view of an interface xdpct is attached to: packets/s,\n"
		"SYN/s, half-open and established flows, the SYN-flood state, then the\n"
		"busiest flows by payload bytes per second since the last refresh (each\n"
		"way). The filters choose the flows listed; --sort replaces the order by\n"
		"rate; --limit caps the rows. 'q' quits. When stdout is not a terminal it\n"
		"prints the same picture as plain text every interval.\n\n"
		"USAGE: xdpct top IFACE [--interval SEC] [FILTER...]\n\n"
		"EXAMPLES:\n"
		"  xdpct top eth0\n"
		"  xdpct top eth0 --state ESTABLISHED --dport 443 --interval 2\n"
		"\vExit status: 0 quit, 1 not attached or error, 2 usage error.";
	struct argp argp = { opts, top_parse, "IFACE", doc, children, NULL, NULL };
	struct top_args a = { .interval_ms = 1000 };
	struct xdpct_meta m;
	struct xdpct_fds fds;
	char why[96];
	bool tty;
	int err;

	filter_init(&a.flt);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	filters_str(argc, argv, a.ifname, a.opts, sizeof(a.opts));
	if (cli_open_iface(a.ifname, &fds, &m))
		return EXIT_RUNTIME;
	if (ld_stale(&m, why, sizeof(why)))
		pr_warn("%s: not tracking: %s; these are the last figures ('xdpct detach %s' "
			"cleans up)", a.ifname, why, a.ifname);
	install_stop_handlers();
	tty = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	if (tty && !initscr()) {
		pr_err("cannot use the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	if (tty) {
		cbreak();
		noecho();
		keypad(stdscr, TRUE);
		curs_set(0);
	}
	err = top_loop(&fds, &a, tty);
	if (tty)
		endwin();	/* the terminal as it was, before any message */
	if (err == -ENOENT)
		pr_info("%s: xdpct was detached (its pins are gone); stopping", a.ifname);
	else if (err)
		pr_err("%s: reading the maps failed: %s", a.ifname, strerror(-err));
	fds_close(&fds);
	return err && err != -ENOENT ? EXIT_RUNTIME : EXIT_OK;
}

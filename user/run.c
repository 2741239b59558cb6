// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * run.c - the live verbs: run (attach, print, detect, detach on exit) and
 * events (stream per-flow events and SYN-flood alerts).
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "monitor.h"
#include "privs.h"
#include "util.h"

static error_t load_child_parse(int key, char *arg, struct argp_state *state)
{
	return parse_load_opt(key, arg, state, state->input);
}

static error_t det_child_parse(int key, char *arg, struct argp_state *state)
{
	int r = detector_parse_opt(key, arg, state->input);

	if (r == 1)
		return ARGP_ERR_UNKNOWN;
	if (r)
		argp_error(state, "%s, not '%s'", detector_opt_error(key), arg);
	return 0;
}

static const struct argp load_argp = { load_options, load_child_parse, NULL, NULL };
static const struct argp det_argp = { detector_options, det_child_parse, NULL, NULL };

struct run_args {
	struct ld_opts ld;
	struct det_params det;
	const char *ifname;
	__u64 interval_ms;
	bool json;
};

static error_t run_parse(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->ld;
		state->child_inputs[1] = &a->det;
		return 0;
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, &a->ifname);
		return 0;
	case ARGP_KEY_END:
		if (!a->ifname)
			argp_error(state, "which interface? (xdpct run IFACE)");
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_INTERVAL:
		if (parse_duration_s(arg, &v) || v < 1 || v > 86400)
			argp_error(state, "--interval must be from 1 to 86400 seconds (e.g. 5, "
				   "30s, 1m), not '%s'", arg);
		a->interval_ms = v * 1000;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void sleep_until(__u64 deadline)
{
	__u64 now = mono_ns();
	struct timespec ts;

	if (deadline <= now)
		return;
	ts.tv_sec = (deadline - now) / NSEC_PER_SEC;
	ts.tv_nsec = (deadline - now) % NSEC_PER_SEC;
	nanosleep(&ts, NULL);	/* a signal ends it early: the loop checks */
}

/* print_snapshot - the flow table (or JSON lines) of this instance. */
static int print_snapshot(const struct xdpct_fds *fds, const char *iface, bool json)
{
	char when[64];
	time_t t = time(NULL);
	int err;

	if (!json) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("=== %s %s ===\n", iface, when);
	} else {
		/* the flow lines that follow, up to the next marker, are one table */
		struct jw w;

		jw_init(&w, stdout);
		jw_obj_open(&w, NULL);
		jw_str(&w, "event", "snapshot");
		jw_str(&w, "iface", iface);
		jw_double(&w, "ts", real_ns() / 1e9, 6);
		jw_obj_close(&w);
		jw_end_line(&w);
	}
	err = show_flows(fds, false, json, NULL, false);
	if (err)
		pr_err("%s: reading the flow maps failed: %s", iface, strerror(-err));
	if (!json)
		putchar('\n');
	fflush(stdout);
	return ferror(stdout) ? -EPIPE : 0;
}

/*
 * iface_gone - the interface was deleted or renamed (its namespace gone, a
 * container stopped): its programs went with it and the pins under its old
 * name would only mislead. Prints why; run then cleans up and exits 1.
 */
static bool iface_gone(const struct ld *ld)
{
	char name[IF_NAMESIZE];

	if (!if_indextoname((unsigned int)ld->ifindex, name)) {
		pr_err("%s: the interface went away; stopping", ld->ifname);
		return true;
	}
	if (strcmp(name, ld->ifname)) {
		pr_err("%s: the interface was renamed to %s; stopping (run xdpct on %s)",
		       ld->ifname, name, name);
		return true;
	}
	return false;
}

int cmd_run(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "interval", OPT_INTERVAL, "SEC", 0, "print the flow table every SEC seconds "
		  "(default 2; 30s, 1m also work)", 0 },
		{ "json", OPT_JSON, NULL, 0, "JSON lines: each interval an {\"event\":\"snapshot\"} line, "
		  "then one line per flow; alerts as they happen", 0 },
		{ 0 },
	};
	static const struct argp_child children[] = {
		{ &load_argp, 0, "Attaching:", 10 },
		{ &det_argp, 0, NULL, 50 },
		{ 0 },
	};
	static const char doc[] =
		"Attach xdpct to IFACE (XDP ingress, TC egress), print the per-flow table\n"
		"every interval and SYN-flood alerts as they happen, until SIGINT or\n"
		"SIGTERM; then detach and remove the pins.\n\n"
		"USAGE: xdpct run IFACE [OPTION...]\n\n"
		"While it runs, 'xdpct show IFACE' and 'xdpct stats IFACE' work from another\n"
		"shell (maps are pinned under /sys/fs/bpf/xdpct/IFACE/).\n\n"
		"EXAMPLES:\n"
		"  xdpct run eth0\n"
		"  xdpct run eth0 --interval 5 --max-flows 1000000\n"
		"  xdpct run eth0 --json | jq -c 'select(.victim)'    # alerts only\n"
		"  xdpct run eth0 --syn-rate 5000 --completion 0.3\n"
		"\vExit status: 0 stopped by a signal, 1 runtime error, 2 usage error.";
	struct argp argp = { opts, run_parse, "IFACE", doc, children, NULL, NULL };
	struct run_args a = { .interval_ms = 2000 };
	__u64 now, next_tick, next_print, next_gc;
	struct monitor mon;
	struct ld ld;
	int err, rc = EXIT_OK;

	ld_opts_init(&a.ld);
	det_params_default(&a.det);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	a.ld.ifname = a.ifname;
	if (ld_require_root("xdpct run") || ld_check_iface(a.ifname) < 0 || ld_ensure_bpffs())
		return EXIT_RUNTIME;
	err = ld_load(&ld, &a.ld);
	if (err)
		return EXIT_RUNTIME;
	err = ld_prepare(&ld, &a.ld);
	if (!err) {
		/* signals from here on end the loop, so detach always runs */
		install_stop_handlers();
		err = ld_attach(&ld, &a.ld, OWNER_RUN);
	}
	if (err) {
		ld_destroy(&ld);
		return EXIT_RUNTIME;
	}
	if (monitor_init(&mon, &ld.fds, ld.ifname, a.json, &a.det, stdout)) {
		ld_detach_self(&ld);
		ld_destroy(&ld);
		return EXIT_RUNTIME;
	}
	pr_info("%s: tracking (XDP %s ingress, TC egress); maps pinned in %s; Ctrl-C stops",
		ld.ifname, ld.xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic", ld.dir);
	privs_drop_after_attach();

	now = mono_ns();
	next_tick = now + MONITOR_TICK_MS * 1000000ull;
	next_print = now + a.interval_ms * 1000000ull;
	next_gc = now + NSEC_PER_SEC;
	while (!stop_requested) {
		sleep_until(next_tick < next_print ? next_tick : next_print);
		if (stop_requested)
			break;
		now = mono_ns();
		if (now >= next_tick) {
			monitor_tick(&mon);
			next_tick += MONITOR_TICK_MS * 1000000ull;
			if (next_tick < now)
				next_tick = now + MONITOR_TICK_MS * 1000000ull;
		}
		if (now >= next_gc) {
			if (iface_gone(&ld)) {
				rc = EXIT_RUNTIME;
				break;
			}
			gc_expired(&ld.fds);
			next_gc = now + NSEC_PER_SEC;
		}
		if (now >= next_print) {
			if (print_snapshot(&ld.fds, ld.ifname, a.json) == -EPIPE)
				break;	/* the reader went away: stop cleanly */
			next_print += a.interval_ms * 1000000ull;
			if (next_print < now)
				next_print = now + a.interval_ms * 1000000ull;
		}
		if (ferror(stdout))
			break;
	}
	monitor_free(&mon);
	ld_detach_self(&ld);
	ld_destroy(&ld);
	if (rc == EXIT_OK)
		pr_info("%s: detached", a.ifname);
	return rc;
}

/* ---- events ---------------------------------------------------------- */

struct events_ctx {
	const char *iface;
	bool json;
	__s64 time_off;
	__u64 start_ns;		/* monotonic: events before it are a backlog */
	__u64 n;
	__u64 stale;		/* backlog events skipped */
};

static const char *event_name(int type)
{
	switch (type) {
	case CT_EV_NEW: return "flow_new";
	case CT_EV_STATE: return "flow_state";
	case CT_EV_ANOMALY: return "flow_anomaly";
	case CT_EV_END: return "flow_end";
	default: return "flow_unknown";
	}
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct events_ctx *c = ctx;
	const struct ct_event *e = data;
	struct flow_view v;
	const char *names[32];
	char o[64], r[64];
	int i, n;

	if (size < sizeof(*e))
		return 0;
	/* left in the ring before this reader started: old news */
	if (e->ts_ns < c->start_ns) {
		c->stale++;
		return 0;
	}
	flow_view_from_event(&v, e, c->time_off, mono_ns());
	c->n++;
	if (c->json) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj_open(&w, NULL);
		jw_str(&w, "event", event_name(e->type));
		if (c->iface)
			jw_str(&w, "iface", c->iface);
		jw_str(&w, "family", v.family == 6 ? "ipv6" : "ipv4");
		addr_str(v.family, v.orig_addr, o, sizeof(o));
		jw_str(&w, "orig_addr", o);
		jw_u64(&w, "orig_port", v.orig_port);
		addr_str(v.family, v.resp_addr, r, sizeof(r));
		jw_str(&w, "resp_addr", r);
		jw_u64(&w, "resp_port", v.resp_port);
		if (e->type != CT_EV_NEW)
			jw_str(&w, "old_state", ct_state_name(e->old_state));
		jw_str(&w, "state", ct_state_name(e->new_state));
		jw_str(&w, "history", v.history);
		jw_arr_open(&w, "new_anomalies");
		n = anomaly_names(e->new_anomalies, names, 32);
		for (i = 0; i < n; i++)
			jw_str(&w, NULL, names[i]);
		jw_arr_close(&w);
		jw_arr_open(&w, "anomalies");
		n = anomaly_names(v.anomalies, names, 32);
		for (i = 0; i < n; i++)
			jw_str(&w, NULL, names[i]);
		jw_arr_close(&w);
		jw_u64(&w, "orig_pkts", v.f.dir[0].pkts);
		jw_u64(&w, "orig_bytes", v.f.dir[0].bytes);
		jw_u64(&w, "resp_pkts", v.f.dir[1].pkts);
		jw_u64(&w, "resp_bytes", v.f.dir[1].bytes);
		jw_double(&w, "ts", (e->ts_ns + c->time_off) / 1e9, 6);
		jw_obj_close(&w);
		jw_end_line(&w);
		return 0;
	}
	endpoint_str(v.family, v.orig_addr, v.orig_port, o, sizeof(o));
	endpoint_str(v.family, v.resp_addr, v.resp_port, r, sizeof(r));
	printf("%-12s %s -> %s %s", event_name(e->type), o, r, ct_state_name(e->new_state));
	if (e->type == CT_EV_STATE)
		printf(" (was %s)", ct_state_name(e->old_state));
	printf(" history %s", v.history[0] ? v.history : "-");
	n = anomaly_names(e->new_anomalies, names, 32);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : " anomaly ", names[i]);
	putchar('\n');
	fflush(stdout);
	return 0;
}

/* pin_ino - the inode of ifname's meta pin (a new attachment has a new one), 0 if none. */
static ino_t pin_ino(const char *ifname)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/meta", XDPCT_PIN_ROOT, ifname);
	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * events_lock - the one-reader lock: an exclusive flock on the pin
 * directory, held while the fd is open. Sets *meta_ino (see pin_ino).
 * Returns the fd, or -errno with a one-line message.
 */
static int events_lock(const char *ifname, ino_t *meta_ino)
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", XDPCT_PIN_ROOT, ifname);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("%s: %s: %s", ifname, path, strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		if (err == -EWOULDBLOCK)
			pr_err("%s: another 'xdpct events' is reading this interface's events "
			       "(one reader at a time: each event goes to one reader)", ifname);
		else
			pr_err("%s: locking %s: %s", ifname, path, strerror(-err));
		close(fd);
		return err;
	}
	*meta_ino = pin_ino(ifname);
	return fd;
}

struct events_args {
	struct det_params det;
	const char *ifname;
	bool json;
};

static error_t events_parse(int key, char *arg, struct argp_state *state)
{
	struct events_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->det;
		return 0;
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, &a->ifname);
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_VERBOSE:
		verbose++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cmd_events(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "json", OPT_JSON, NULL, 0, "one JSON object per event per line", 0 },
		{ "verbose", OPT_VERBOSE, NULL, 0, "more messages", 90 },
		{ 0 },
	};
	static const struct argp_child children[] = {
		{ &det_argp, 0, NULL, 50 },
		{ 0 },
	};
	static const char doc[] =
		"Stream per-flow events (new flow, state change, anomaly, flow ended) and\n"
		"SYN-flood alerts as they happen, from an interface xdpct is attached to.\n\n"
		"USAGE: xdpct events [IFACE] [--json]\n\n"
		"Per-flow events are rate-limited in the kernel (--event-rate at attach);\n"
		"the number dropped is reported. Alerts are never dropped. Every line is\n"
		"flushed, so a pipe into jq is live. One reader at a time.\n\n"
		"EXAMPLES:\n"
		"  xdpct events eth0\n"
		"  xdpct events eth0 --json | jq -c 'select(.event == \"syn_flood_start\")'\n"
		"\vExit status: 0 stopped by a signal, 1 runtime error, 2 usage error.";
	struct argp argp = { opts, events_parse, "[IFACE]", doc, children, NULL, NULL };
	struct events_args a = {};
	char names[64][IF_NAMESIZE];
	struct events_ctx c = {};
	struct ring_buffer *rb = NULL;
	struct xdpct_fds fds;
	struct monitor mon;
	__u64 next_tick, next_check;
	int n, err, lock_fd, rc = EXIT_OK;
	ino_t meta_ino = 0;

	det_params_default(&a.det);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	n = cli_iface_list(a.ifname, names, 64);
	if (n < 0)
		return EXIT_RUNTIME;
	if (n > 1) {
		pr_err("xdpct is attached to %d interfaces: name one (xdpct events IFACE)", n);
		return EXIT_RUNTIME;
	}
	a.ifname = names[0];
	if (cli_open_iface(a.ifname, &fds, NULL))
		return EXIT_RUNTIME;
	if (fds.events < 0) {
		pr_err("%s: the pins in %s/%s have no event ring; 'xdpct detach %s' cleans "
		       "them up", a.ifname, XDPCT_PIN_ROOT, a.ifname, a.ifname);
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	/* a ring buffer hands each event to one reader: two would each see
	 * half, so the second is turned away */
	lock_fd = events_lock(a.ifname, &meta_ino);
	if (lock_fd < 0) {
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	c.iface = a.ifname;
	c.json = a.json;
	c.time_off = (__s64)(real_ns() - mono_ns());
	/* the fast path's clock is tick-coarse: a margin keeps fresh events */
	c.start_ns = mono_ns() - 100 * 1000000ull;
	rb = ring_buffer__new(fds.events, handle_event, &c, NULL);
	if (!rb) {
		pr_err("%s: opening the event ring buffer failed: %s", a.ifname, strerror(errno));
		close(lock_fd);
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	if (monitor_init(&mon, &fds, a.ifname, a.json, &a.det, stdout)) {
		ring_buffer__free(rb);
		close(lock_fd);
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	install_stop_handlers();
	events_reader_set(fds.bss, true);	/* the programs emit only with a reader */
	pr_info("%s: streaming events; Ctrl-C stops", a.ifname);
	next_tick = mono_ns() + MONITOR_TICK_MS * 1000000ull;
	next_check = mono_ns() + NSEC_PER_SEC;
	while (!stop_requested) {
		__u64 now = mono_ns();
		int timeout = next_tick > now ? (int)((next_tick - now) / 1000000) : 0;

		err = ring_buffer__poll(rb, timeout);
		if (err < 0 && err != -EINTR) {
			pr_err("%s: reading events failed: %s", a.ifname, strerror(-err));
			rc = EXIT_RUNTIME;
			break;
		}
		now = mono_ns();
		if (now >= next_tick) {
			monitor_tick(&mon);
			next_tick = now + MONITOR_TICK_MS * 1000000ull;
		}
		if (now >= next_check) {
			if (c.stale) {
				pr_info("%s: skipped %llu events left in the ring from before this "
					"reader started", a.ifname, (unsigned long long)c.stale);
				c.stale = 0;
			}
			monitor_report_drops(&mon);
			if (pin_ino(a.ifname) != meta_ino) {
				ring_buffer__consume(rb);
				pr_info("%s: xdpct was detached (its pins are gone); stopping",
					a.ifname);
				break;
			}
			next_check = now + NSEC_PER_SEC;
		}
		if (ferror(stdout))
			break;
	}
	events_reader_set(fds.bss, false);
	monitor_free(&mon);
	ring_buffer__free(rb);
	close(lock_fd);
	fds_close(&fds);
	return rc;
}

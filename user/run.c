// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * run.c - the live verbs: run (attach, print, detect, detach on exit) and
 * events (stream per-flow events and SYN-flood alerts).
 */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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
		argp_error(state, "bad value '%s' for a detector option", arg);
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
		if (a->ifname)
			argp_error(state, "one interface only");
		a->ifname = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->ifname)
			argp_error(state, "which interface? (xdpct run IFACE)");
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_INTERVAL:
		if (parse_u64(arg, 1, 86400, &v))
			argp_error(state, "--interval must be whole seconds from 1 to 86400");
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
	}
	err = show_flows(fds, false, json, NULL, false);
	if (err)
		pr_err("%s: reading the flow maps failed: %s", iface, strerror(-err));
	if (!json)
		putchar('\n');
	fflush(stdout);
	return ferror(stdout) ? -EPIPE : 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "interval", OPT_INTERVAL, "SEC", 0, "print the flow table every SEC seconds "
		  "(default 2)", 0 },
		{ "json", OPT_JSON, NULL, 0, "flows and alerts as JSON lines", 0 },
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
		"  xdpct run eth0 --json | jq -c 'select(.event)'     # alerts only\n"
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
	if (ld_require_root("xdpct run") || ld_ensure_bpffs())
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
	if (monitor_init(&mon, &ld.fds, NULL, a.json, &a.det, stdout)) {
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
	pr_info("%s: detached", a.ifname);
	return rc;
}

/* ---- events ---------------------------------------------------------- */

struct events_ctx {
	const char *iface;
	bool json;
	__s64 time_off;
	__u64 n;
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
		if (a->ifname)
			argp_error(state, "one interface only");
		a->ifname = arg;
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
	char names[2][IF_NAMESIZE];
	struct events_ctx c = {};
	struct ring_buffer *rb = NULL;
	struct xdpct_fds fds;
	struct monitor mon;
	__u64 next_tick, next_drops;
	int n, err, rc = EXIT_OK;

	det_params_default(&a.det);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (!a.ifname) {
		n = ld_list_ifaces(names, 2);
		if (n == 1) {
			a.ifname = names[0];
		} else {
			pr_err(n > 1 ? "xdpct is attached to several interfaces: name one" :
				       "xdpct is not attached to any interface (no pins in %s)",
			       XDPCT_PIN_ROOT);
			return EXIT_RUNTIME;
		}
	}
	err = ld_open_pinned(a.ifname, &fds, NULL);
	if (err) {
		if (err == -ENOENT)
			pr_err("%s: xdpct is not attached (no pins in %s/%s)", a.ifname,
			       XDPCT_PIN_ROOT, a.ifname);
		return EXIT_RUNTIME;
	}
	c.iface = NULL;
	c.json = a.json;
	c.time_off = (__s64)(real_ns() - mono_ns());
	rb = ring_buffer__new(fds.events, handle_event, &c, NULL);
	if (!rb) {
		pr_err("%s: opening the event ring buffer failed: %s", a.ifname, strerror(errno));
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	if (monitor_init(&mon, &fds, NULL, a.json, &a.det, stdout)) {
		ring_buffer__free(rb);
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	install_stop_handlers();
	pr_info("%s: streaming events; Ctrl-C stops", a.ifname);
	next_tick = mono_ns() + MONITOR_TICK_MS * 1000000ull;
	next_drops = mono_ns() + NSEC_PER_SEC;
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
		if (now >= next_drops) {
			monitor_report_drops(&mon);
			next_drops = now + NSEC_PER_SEC;
		}
		if (ferror(stdout))
			break;
	}
	monitor_free(&mon);
	ring_buffer__free(rb);
	fds_close(&fds);
	return rc;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * run.c - the run verb: attach, print the flow table every interval, feed
 * the SYN-flood detector, expire flows, and detach on exit.
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
#include "export.h"
#include "filter.h"
#include "jsonl.h"
#include "monitor.h"
#include "privs.h"
#include "util.h"

#define RUN_INTERVAL_S 2	/* --interval's default */

struct run_args {
	struct ld_opts ld;
	struct det_params det;
	const char *ifname;
	__u64 interval_ms;
	struct flow_filter flt;
	struct cli_common common;
	__u8 pad[7];
};

static error_t run_parse(int key, char *arg, struct argp_state *state)
{
	struct run_args *a = state->input;
	__u64 v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->ld;
		state->child_inputs[1] = &a->det;
		state->child_inputs[2] = &a->common;
		state->child_inputs[3] = &a->flt;
		return 0;
	case OPT_INTERVAL:
		if (parse_duration_s(arg, &v) || v < 1 || v > 86400)
			argp_error(state, "--interval must be from 1 to 86400 seconds (e.g. 5, "
				   "30s, 1m), not '%s'", arg);
		a->interval_ms = v * 1000;
		return 0;
	default:
		return parse_iface_key(key, arg, state, &a->ifname, true);
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
static int print_snapshot(const struct xdpct_fds *fds, const char *iface, bool json,
			  const struct flow_filter *flt)
{
	char when[64];
	time_t t = time(NULL);
	int err;

	if (!json) {
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
		printf("=== %s %s ===\n", iface, when);
	} else {
		jsonl_snapshot(stdout, iface);
	}
	err = show_flows(fds, false, json, NULL, false, flt);
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

/* One run: the loaded and attached object, and the detector fed from it. */
struct run {
	struct run_args a;
	struct ld ld;
	struct monitor mon;
	struct xport_live *xl;	/* --ipfix, --metrics (export.c) */
	bool loaded, attached, mon_ready;
	__u8 pad[5];
};

/* run_attach - checks, load, attach, the detector; then fewer privileges. */
static int run_attach(struct run *r)
{
	int err;

	err = ld_require_root("xdpct run");
	if (!err && ld_check_iface(r->a.ifname) < 0)
		err = -ENODEV;
	if (!err)
		err = ld_ensure_bpffs();
	if (!err)
		err = ld_load(&r->ld, &r->a.ld);
	if (err)
		return err;
	r->loaded = true;
	err = ld_prepare(&r->ld, &r->a.ld);
	if (err)
		return err;
	/* signals from here on end the loop, so detach always runs */
	install_stop_handlers();
	err = ld_attach(&r->ld, &r->a.ld, OWNER_RUN);
	if (err)
		return err;
	r->attached = true;
	err = monitor_init(&r->mon, &r->ld.fds, r->ld.ifname, r->a.common.json, &r->a.det,
			   stdout);
	if (err)
		return err;
	r->mon_ready = true;
	err = xport_run_start(&r->xl, r->ld.ifname, r->ld.ifindex, &r->ld.fds);
	if (err)
		return err;
	pr_info("%s: tracking (XDP %s ingress, TC egress); maps pinned in %s; Ctrl-C stops",
		r->ld.ifname, r->ld.xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic",
		r->ld.dir);
	privs_drop_after_attach();
	return 0;
}

/* next_deadline - period after *t, or after now when the loop fell behind. */
static void next_deadline(__u64 *t, __u64 period, __u64 now)
{
	*t += period;
	if (*t < now)
		*t = now + period;
}

/*
 * run_loop - until a signal: a detector tick every MONITOR_TICK_MS, expiry
 * and a look at the interface every second, the table every interval.
 */
static int run_loop(struct run *r)
{
	const __u64 tick = MONITOR_TICK_MS * 1000000ull, print = r->a.interval_ms * 1000000ull;
	__u64 now = mono_ns(), next_tick = now + tick, next_print = now + print;
	__u64 next_gc = now + NSEC_PER_SEC;

	while (!stop_requested && !ferror(stdout)) {
		sleep_until(next_tick < next_print ? next_tick : next_print);
		if (stop_requested)
			break;
		now = mono_ns();
		if (now >= next_tick) {
			monitor_tick(&r->mon);
			next_deadline(&next_tick, tick, now);
		}
		if (now >= next_gc) {
			if (iface_gone(&r->ld))
				return -ENODEV;
			xport_run_tick(r->xl);	/* flows that ended, before they are deleted */
			flows_expire(&r->ld.fds, now, NULL, NULL);
			next_gc = now + NSEC_PER_SEC;
		}
		if (now >= next_print) {
			if (print_snapshot(&r->ld.fds, r->ld.ifname, r->a.common.json, &r->a.flt) == -EPIPE)
				break;	/* the reader went away: stop cleanly */
			next_deadline(&next_print, print, now);
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static char interval_doc[96];
	static const struct argp_option opts[] = {
		{ "interval", OPT_INTERVAL, "SEC", 0, interval_doc, 0 },
		{ 0 },
	};
	const struct argp_child children[] = {
		{ cli_load_argp(), 0, "Attaching:", 10 },
		{ cli_detector_argp(), 0, NULL, 50 },
		{ cli_common_argp("JSON lines: each interval an {\"event\":\"snapshot\"} line, "
				  "then one line per flow; alerts as they happen"), 0, NULL, 0 },
		{ &filter_argp, 0, NULL, 20 },
		{ &xport_run_argp, 0, "Exporting:", 60 },	/* no input: keep it last */
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
	struct run r = { .a.interval_ms = RUN_INTERVAL_S * 1000 };
	int err;

	/* setup */
	snprintf(interval_doc, sizeof(interval_doc),
		 "print the flow table every SEC seconds (default %d; 30s, 1m also work)",
		 RUN_INTERVAL_S);
	ld_opts_init(&r.a.ld);
	det_params_default(&r.a.det);
	filter_init(&r.a.flt);
	argp_parse(&argp, argc, argv, 0, NULL, &r.a);
	r.a.ld.ifname = r.a.ifname;
	err = run_attach(&r);
	if (err) {
		err_report(err, "%s: attaching failed", r.a.ifname);
		goto cleanup;
	}

	/* the loop, until a signal */
	err = run_loop(&r);
cleanup:
	xport_run_stop(r.xl);
	if (r.mon_ready)
		monitor_free(&r.mon);
	if (r.attached)
		ld_detach_self(&r.ld);
	if (r.loaded)
		ld_destroy(&r.ld);
	if (r.attached && !err)
		pr_info("%s: detached", r.a.ifname);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

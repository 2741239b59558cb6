// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * cli_common.c - what several verbs share: stopping on signals, reading all
 * flows as views, deleting expired flows, finding the attached interfaces.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "export.h"
#include "filter.h"
#include "isn.h"
#include "jsonl.h"
#include "util.h"

volatile int stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void install_stop_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct collect {
	struct flow_vec *out;
	__s64 time_off;
	__u64 now;
	int err;
	bool all;
	__u8 pad[3];
};

static int collect_cb(int family, const void *key, const struct flow *f, bool halfopen,
		      void *ctx)
{
	struct collect *c = ctx;
	struct flow_view v;

	flow_view_fill(&v, family, key, f, c->time_off, c->now);
	v.in_halfopen = halfopen;
	if (v.expired && !c->all)
		return 0;
	c->err = flow_vec_push(c->out, &v);
	return c->err;
}

int collect_flows(const struct xdpct_fds *fds, bool all, __s64 time_off, __u64 now,
		  struct flow_vec *out)
{
	struct collect c = { .out = out, .time_off = time_off, .now = now, .all = all };
	int err = flows_walk(fds, collect_cb, &c);

	return err ? err : c.err;
}

int show_flows(const struct xdpct_fds *fds, bool all, bool json, const char *tag, bool summary,
	       const struct flow_filter *flt)
{
	struct flow_vec fv = {};
	__u64 now = mono_ns();
	int err;

	err = collect_flows(fds, all, (__s64)(real_ns() - now), now, &fv);
	if (!err)
		err = isn_mark_flows(fds->host_isn, &fv);
	if (!err) {
		flow_vec_sort(&fv);
		if (flt)
			filter_apply(flt, &fv);
		if (flt && flt->count)
			filter_print_count(stdout, fv.n, json, tag);
		else if (xport.format == XPORT_FMT_ZEEK)
			xport_show_write(&fv);	/* the conn.log rows, one header */
		else if (json)
			jsonl_flows(stdout, &fv, tag);
		else
			print_flows_table(stdout, &fv, tag, summary);
	}
	flow_vec_free(&fv);
	return err;
}

int cli_iface_list(const char *ifname, char (*names)[IF_NAMESIZE], int max)
{
	int n;

	if (ifname) {
		/* a valid name: parse_iface_arg checked it */
		snprintf(names[0], IF_NAMESIZE, "%s", ifname);
		return 1;
	}
	n = ld_list_ifaces(names, max);
	if (n == -EACCES) {
		pr_err("reading %s needs root; run it with sudo", XDPCT_PIN_ROOT);
		return n;
	}
	if (n <= 0) {
		if (geteuid() != 0)
			pr_err("xdpct is not attached anywhere visible to this user (reading "
			       "%s needs root; run it with sudo)", XDPCT_PIN_ROOT);
		else
			pr_err("xdpct is not attached to any interface (no pins in %s)",
			       XDPCT_PIN_ROOT);
		return -ENOENT;
	}
	return n;
}

int cli_open_iface(const char *name, struct xdpct_fds *fds, struct xdpct_meta *meta)
{
	int err = ld_open_pinned(name, fds, meta);

	if (err == -ENOENT)
		pr_err("%s: xdpct is not attached (no pins in %s/%s)", name, XDPCT_PIN_ROOT, name);
	else if (err == -ENODATA)
		pr_err("%s: the pins in %s/%s are incomplete; 'xdpct detach %s' cleans them up",
		       name, XDPCT_PIN_ROOT, name, name);
	else if (err)
		err_report(err, "%s: opening the pins failed", name);
	return err;
}

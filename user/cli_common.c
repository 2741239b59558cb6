// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * cli_common.c - what several verbs share: stopping on signals, reading all
 * flows as views, deleting expired flows, and the loader's options.
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
#include "isn.h"
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
	bool all;
	__s64 time_off;
	__u64 now;
	int err;
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
	struct collect c = { out, all, time_off, now, 0 };
	int err = flows_walk(fds, collect_cb, &c);

	return err ? err : c.err;
}

int show_flows(const struct xdpct_fds *fds, bool all, bool json, const char *tag, bool summary)
{
	struct flow_vec fv = {};
	__u64 now = mono_ns();
	size_t k;
	int err;

	err = collect_flows(fds, all, (__s64)(real_ns() - now), now, &fv);
	if (!err)
		err = isn_mark_flows(fds->host_isn, &fv);
	if (!err) {
		flow_vec_sort(&fv);
		if (json)
			for (k = 0; k < fv.n; k++)
				print_flow_json(stdout, &fv.v[k], tag);
		else
			print_flows_table(stdout, &fv, tag, summary);
	}
	flow_vec_free(&fv);
	return err;
}

struct gc_ctx {
	int fd4, fd6;
	__u64 now;
	long deleted;
	void *keys;
	size_t n, cap;
	size_t key_size;
};

static int gc_cb(const void *key, const void *val, void *ctx)
{
	struct gc_ctx *g = ctx;
	const struct flow *f = val;

	if (!f->expires_ns || g->now < f->expires_ns)
		return 0;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 1024;
		void *nk = realloc(g->keys, cap * g->key_size);

		if (!nk)
			return 1;
		g->keys = nk;
		g->cap = cap;
	}
	memcpy((char *)g->keys + g->n * g->key_size, key, g->key_size);
	g->n++;
	return 0;
}

/* gc_map - delete the expired flows of one map; returns how many. */
static long gc_map(int fd, size_t key_size, __u64 now)
{
	struct gc_ctx g = { .now = now, .key_size = key_size };
	long n = 0;
	size_t i;

	if (fd < 0)
		return 0;
	map_walk(fd, key_size, sizeof(struct flow), gc_cb, &g);
	for (i = 0; i < g.n; i++) {
		void *k = (char *)g.keys + i * key_size;
		struct flow f;

		/* it may have been refreshed since it was read */
		if (bpf_map_lookup_elem(fd, k, &f) || !f.expires_ns || mono_ns() < f.expires_ns)
			continue;
		if (!bpf_map_delete_elem(fd, k))
			n++;
	}
	free(g.keys);
	return n;
}

/*
 * iface_list - the named interface, or every interface with pins.
 * Returns the number found, or -errno (printed).
 */
int cli_iface_list(const char *ifname, char (*names)[IF_NAMESIZE], int max)
{
	int n;

	if (ifname) {
		if (!ifname_valid(ifname)) {
			pr_err("'%s' is not a valid interface name", ifname);
			return -EINVAL;
		}
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
	return err;
}

long gc_expired(const struct xdpct_fds *fds)
{
	__u64 now = mono_ns();
	long fl, ho;

	fl = gc_map(fds->flows, sizeof(struct flow_key4), now) +
	     gc_map(fds->flows6, sizeof(struct flow_key6), now);
	ho = halfopen_expire(fds->halfopen, 4, now, NULL, NULL, NULL) +
	     halfopen_expire(fds->halfopen6, 6, now, NULL, NULL, NULL);
	gc_add(fds->gc, (__u64)fl, (__u64)ho);
	return fl + ho;
}

const struct argp_option load_options[] = {
	{ "mode", OPT_MODE, "native|generic", 0,
	  "XDP mode (default: native, falling back to generic with a warning)", 10 },
	{ "force", OPT_FORCE, NULL, 0, "replace an XDP program that is not xdpct's", 10 },
	{ "max-flows", OPT_MAX_FLOWS, "N", 0,
	  "established-flow table size per family (default 262144)", 10 },
	{ "max-halfopen", OPT_MAX_HALFOPEN, "N", 0,
	  "half-open table size per family (default 65536)", 10 },
	{ "timeout", OPT_TIMEOUT, "STATE=SEC", 0,
	  "state timeout, e.g. ESTABLISHED=3600 or SYN_SENT=30s (repeatable)", 10 },
	{ "mirror", OPT_MIRROR, NULL, 0,
	  "IFACE receives a copy of both directions (a SPAN or TAP port): trust both "
	  "directions arriving on ingress", 10 },
	{ "event-rate", OPT_EVENT_RATE, "N", 0,
	  "per-flow events per second per CPU before dropping (default 20000, 0: no limit)", 10 },
	{ "verbose", OPT_VERBOSE, NULL, 0, "more messages (twice: libbpf debug)", 90 },
	{ 0 },
};

void parse_iface_arg(struct argp_state *state, const char *arg, const char **ifname)
{
	if (*ifname)
		argp_error(state, "one interface only");
	if (!ifname_valid(arg))
		argp_error(state, "'%s' is not a valid interface name", arg);
	*ifname = arg;
}

/* parse_load_opt - a loader option; 0, or ARGP_ERR_UNKNOWN if not one. */
int parse_load_opt(int key, char *arg, struct argp_state *state, struct ld_opts *o)
{
	__u64 v;

	switch (key) {
	case OPT_MODE:
		if (!strcmp(arg, "native"))
			o->mode = LD_MODE_NATIVE;
		else if (!strcmp(arg, "generic") || !strcmp(arg, "skb"))
			o->mode = LD_MODE_GENERIC;
		else
			argp_error(state, "--mode must be native or generic, not '%s'", arg);
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_MIRROR:
		o->mirror = true;
		return 0;
	case OPT_MAX_FLOWS:
		if (parse_u64(arg, 16, 1u << 26, &v))
			argp_error(state, "--max-flows must be a number from 16 to %u", 1u << 26);
		o->max_flows = v;
		return 0;
	case OPT_MAX_HALFOPEN:
		if (parse_u64(arg, 16, 1u << 26, &v))
			argp_error(state, "--max-halfopen must be a number from 16 to %u", 1u << 26);
		o->max_halfopen = v;
		return 0;
	case OPT_TIMEOUT:
		if (ld_parse_timeout(o, arg))
			argp_error(state, "--timeout wants STATE=SECONDS with a state such as "
				   "ESTABLISHED or SYN_SENT and seconds > 0, not '%s'", arg);
		return 0;
	case OPT_EVENT_RATE:
		if (parse_u64(arg, 0, 100000000, &v))
			argp_error(state, "--event-rate must be a number from 0 to 100000000");
		o->event_rate = (long long)v;
		return 0;
	case OPT_VERBOSE:
		verbose++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}


// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * xdpct - an XDP/TC fast-path TCP connection tracker.
 *
 * main() and the verbs that read or remove state: show, stats, detach,
 * attach. run and events live in run.c, replay in replay.c.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "export.h"
#include "metrics.h"
#include "filter.h"
#include "isn.h"
#include "jsonl.h"
#include "monitor.h"
#include "util.h"

const char *argp_program_version = "xdpct " XDPCT_VERSION;
const char *argp_program_bug_address = NULL;

/* ---- attach ---------------------------------------------------------- */

struct attach_args {
	struct ld_opts ld;
	const char *ifname;
	struct cli_common common;
	__u8 pad[7];
};

static error_t attach_parse(int key, char *arg, struct argp_state *state)
{
	struct attach_args *a = state->input;

	if (key != ARGP_KEY_INIT)
		return parse_iface_key(key, arg, state, &a->ifname, true);
	state->child_inputs[0] = &a->ld;
	state->child_inputs[1] = &a->common;
	return 0;
}

int cmd_attach(int argc, char **argv)
{
	static const char doc[] =
		"Attach xdpct to IFACE and leave it there (persistent mode).\n\n"
		"USAGE: xdpct attach IFACE [OPTION...]\n\n"
		"Tracking goes on with no process running. Maps and the XDP link are pinned\n"
		"under /sys/fs/bpf/xdpct/IFACE/ ('flows' is the IPv4 flow map, 'flows6' the\n"
		"IPv6 one); 'xdpct show', 'xdpct stats' and bpftool read them; 'xdpct detach\n"
		"IFACE' removes everything.\n\n"
		"EXAMPLES:\n"
		"  xdpct attach eth0\n"
		"  xdpct attach eth0 --max-flows 1000000 --timeout ESTABLISHED=86400\n"
		"\vExit status: 0 attached, 1 runtime error, 2 usage error.";
	const struct argp_child children[] = {
		{ cli_load_argp(), 0, NULL, 10 },
		{ cli_common_argp(NULL), 0, NULL, 90 },
		{ 0 },
	};
	struct argp argp = { NULL, attach_parse, "IFACE", doc, children, NULL, NULL };
	struct attach_args a = {};
	struct ld ld;
	int err;

	ld_opts_init(&a.ld);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	a.ld.ifname = a.ifname;
	err = ld_require_root("xdpct attach");
	if (!err && ld_check_iface(a.ifname) < 0)
		err = -ENODEV;
	if (!err)
		err = ld_ensure_bpffs();
	if (!err)
		err = ld_load(&ld, &a.ld);
	if (err) {
		err_report(err, "%s: attaching failed", a.ifname);
		return EXIT_RUNTIME;
	}
	err = ld_prepare(&ld, &a.ld);
	if (!err)
		err = ld_attach(&ld, &a.ld, OWNER_ATTACH);
	if (err) {
		err_report(err, "%s: attaching failed", a.ifname);
		ld_destroy(&ld);
		return EXIT_RUNTIME;
	}
	printf("xdpct: attached to %s (XDP %s ingress, TC egress); pins in %s\n", ld.ifname,
	       ld.xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic", ld.dir);
	ld_destroy(&ld);
	return EXIT_OK;
}

/* ---- detach ---------------------------------------------------------- */

struct detach_args {
	const char *ifname;
	struct cli_common common;
	__u8 pad[7];
};

static error_t detach_parse(int key, char *arg, struct argp_state *state)
{
	struct detach_args *a = state->input;

	if (key != ARGP_KEY_INIT)
		return parse_iface_key(key, arg, state, &a->ifname, true);
	state->child_inputs[0] = &a->common;
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	static const char doc[] =
		"Remove xdpct from IFACE: the XDP program, its TC egress filter (and the\n"
		"clsact qdisc if xdpct created it and no other filter uses it), and the pins\n"
		"in /sys/fs/bpf/xdpct/IFACE. Works after the interface was deleted, and\n"
		"after an 'xdpct run' was killed.\n\n"
		"USAGE: xdpct detach IFACE\n"
		"\vExit status: 0 detached, 1 not attached or error, 2 usage error.";
	const struct argp_child children[] = {
		{ cli_common_argp(NULL), 0, NULL, 90 },
		{ 0 },
	};
	struct argp argp = { NULL, detach_parse, "IFACE", doc, children, NULL, NULL };
	struct detach_args a = {};
	const char *ifname;
	int err;

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	ifname = a.ifname;
	/* no bpffs mounted: nothing can be attached, so nothing to mount */
	err = ld_require_root("xdpct detach");
	if (!err)
		err = ld_detach_iface(ifname);
	if (err) {
		err_report(err, "%s: detaching failed", ifname);
		return EXIT_RUNTIME;
	}
	printf("xdpct: detached from %s\n", ifname);
	return EXIT_OK;
}

/* ---- show ------------------------------------------------------------ */

struct show_args {
	const char *ifname;
	struct cli_common common;
	bool all, hosts;
	bool has_filters;	/* flt is the filter child's input */
	__u8 pad[4];
	struct flow_filter flt;
};

static error_t show_parse(int key, char *arg, struct argp_state *state)
{
	struct show_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		if (a->has_filters)	/* show has them, stats not */
			state->child_inputs[1] = &a->flt;
		return 0;
	case OPT_COUNT:
		a->flt.count = true;
		return 0;
	case OPT_ALL:
		a->all = true;
		return 0;
	case OPT_HOSTS:
		a->hosts = true;
		return 0;
	default:
		return parse_iface_key(key, arg, state, &a->ifname, false);
	}
}

/* for_each_iface - fn on every interface of a.ifname (or all attached). */
static int for_each_iface(const struct show_args *a,
			  int (*fn)(const char *name, const char *tag, const struct xdpct_fds *fds,
				    const struct show_args *a))
{
	char names[64][IF_NAMESIZE];
	int n, i, rc = EXIT_OK;

	n = cli_iface_list(a->ifname, names, 64);
	if (n < 0)
		return EXIT_RUNTIME;
	for (i = 0; i < n; i++) {
		struct xdpct_meta m;
		struct xdpct_fds fds;
		char why[96];
		int err = cli_open_iface(names[i], &fds, &m);

		if (err == -EPERM || err == -EACCES)
			return EXIT_RUNTIME;	/* said once: the same for every one */
		if (err) {
			rc = EXIT_RUNTIME;
			continue;
		}
		/* what is shown is then a last picture, not live tracking */
		if (ld_stale(&m, why, sizeof(why)))
			pr_warn("%s: not tracking: %s; these are the last figures ('xdpct detach "
				"%s' cleans up)", names[i], why, names[i]);
		/* name the interface in the output when there may be several */
		if (fn(names[i], n > 1 || !a->ifname ? names[i] : NULL, &fds, a))
			rc = EXIT_RUNTIME;
		fds_close(&fds);
	}
	return rc;
}

static int show_one(const char *name, const char *tag, const struct xdpct_fds *fds,
		    const struct show_args *a)
{
	int err;

	if (a->hosts)
		return print_hosts(stdout, fds->host_isn, a->common.json, tag,
				   (__s64)(real_ns() - mono_ns()));
	err = show_flows(fds, a->all, a->common.json, tag, !a->flt.count, &a->flt);
	if (err)
		pr_err("%s: reading the flow maps failed: %s", name, strerror(-err));
	return err;
}

int cmd_show(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "all", OPT_ALL, NULL, 0, "include flows past their timeout", 0 },
		{ "hosts", OPT_HOSTS, NULL, 0, "list hosts and their ISN verdict instead", 0 },
		{ "count", OPT_COUNT, NULL, 0, "print only the number of matching flows", 0 },
		{ 0 },
	};
	static const char doc[] =
		"A snapshot of the tracked flows, from the pinned maps.\n\n"
		"USAGE: xdpct show [IFACE] [--json] [--hosts]\n\n"
		"Without IFACE, every interface xdpct is attached to. The table reads like\n"
		"conntrack -L: originator (the side that sent the first SYN) and responder,\n"
		"nf_conntrack state, Zeek conn_state and history, packets and TCP payload\n"
		"bytes each way, age, anomalies.\n\n"
		"EXAMPLES:\n"
		"  xdpct show eth0\n"
		"  xdpct show eth0 --state ESTABLISHED --dport 443 --sort bytes --limit 10\n"
		"  xdpct show eth0 --anomaly any --count\n"
		"\vExit status: 0 shown, 1 not attached or error, 2 usage error.";
	const struct argp_child children[] = {
		{ cli_common_argp("one JSON object per flow per line"), 0, NULL, 0 },
		{ &filter_argp, 0, NULL, 20 },
		{ &xport_show_argp, 0, NULL, 0 },	/* no input: keep it last */
		{ 0 },
	};
	struct argp argp = { opts, show_parse, "[IFACE]", doc, children, NULL, NULL };
	struct show_args a = { .has_filters = true };
	int rc;

	filter_init(&a.flt);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	a.common.json |= xport.format == XPORT_FMT_JSON;
	xport_show_begin();
	rc = for_each_iface(&a, show_one);
	xport_show_end();
	return rc;
}

/* ---- stats ----------------------------------------------------------- */

static int stats_one(const char *name, const char *tag, const struct xdpct_fds *fds,
		     const struct show_args *a)
{
	struct stats_view sv;
	int err = stats_view_read(fds, &sv);

	if (err) {
		pr_err("%s: reading the counters failed: %s", name, strerror(-err));
		return err;
	}
	sv.det_fresh = detector_live(&sv.det);
	if (!sv.det_fresh) {
		struct det_params p;

		det_params_default(&p);
		sv.det_sampled = !flood_sample(fds, &p, STATS_SAMPLE_MS, &sv.det);
	}
	if (a->common.json)
		jsonl_stats(stdout, &sv, tag);
	else
		print_stats_table(stdout, &sv, name);
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	static const char doc[] =
		"Counters: packets by kind and hook, malformed frames by reason, flows\n"
		"created and evicted, SYN/SYN-ACK/RST counts, and the SYN-flood state.\n\n"
		"USAGE: xdpct stats [IFACE] [--json]\n\n"
		"EXAMPLES:\n"
		"  xdpct stats eth0\n"
		"  xdpct stats eth0 --json | jq .flood_state\n"
		"\vExit status: 0 shown, 1 not attached or error, 2 usage error.";
	const struct argp_child children[] = {
		{ cli_common_argp("one JSON object per interface"), 0, NULL, 0 },
		{ &xport_stats_argp, 0, NULL, 0 },
		{ 0 },
	};
	struct argp argp = { NULL, show_parse, "[IFACE]", doc, children, NULL, NULL };
	struct show_args a = {};

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	if (xport.prometheus)
		return metrics_stats(a.ifname);
	return for_each_iface(&a, stats_one);
}

/* ---- main ------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} verbs[] = {
	{ "run", cmd_run, "attach, print the flow table every interval, detach on Ctrl-C" },
	{ "attach", cmd_attach, "attach and stay attached (persistent mode)" },
	{ "detach", cmd_detach, "remove xdpct from an interface" },
	{ "show", cmd_show, "the tracked flows (table or JSON)" },
	{ "stats", cmd_stats, "counters and the SYN-flood state" },
	{ "events", cmd_events, "stream flow events and SYN-flood alerts as they happen" },
	{ "replay", cmd_replay, "track a pcap/pcapng file offline, through the same BPF code" },
	{ "export", cmd_export, "send flows as they end to IPFIX or a Zeek conn.log" },
	{ "metrics", cmd_metrics, "serve Prometheus metrics (HTTP or a textfile)" },
	{ "top", cmd_top, "a live full-screen view: rates, flood state, the busiest flows" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: xdpct COMMAND [ARGS...]\n\n"
		   "xdpct tracks TCP connections at the NIC with XDP (ingress) and TC (egress):\n"
		   "handshake ordering, sequence/ack progress, per-flow states like conntrack,\n"
		   "and SYN floods.\n\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\n'xdpct COMMAND --help' describes each; 'xdpct --version' prints the "
		   "version.\n");
}

int main(int argc, char **argv)
{
	char prog[64];
	size_t i;

	argp_err_exit_status = EXIT_USAGE;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", argp_program_version);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strcmp(argv[1], verbs[i].name))
			continue;
		snprintf(prog, sizeof(prog), "xdpct %s", verbs[i].name);
		argv[1] = prog;
		return verbs[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "xdpct: unknown command '%s' (xdpct --help lists them)\n", argv[1]);
	return EXIT_USAGE;
}

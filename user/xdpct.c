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
#include "isn.h"
#include "monitor.h"
#include "util.h"

const char *argp_program_version = "xdpct " XDPCT_VERSION;
const char *argp_program_bug_address = NULL;

/* ---- attach ---------------------------------------------------------- */

static error_t attach_parse(int key, char *arg, struct argp_state *state)
{
	struct load_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, &a->ifname);
		return 0;
	case ARGP_KEY_END:
		if (!a->ifname)
			argp_error(state, "which interface? (xdpct attach IFACE)");
		return 0;
	default:
		return parse_load_opt(key, arg, state, &a->ld);
	}
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
	struct argp argp = { load_options, attach_parse, "IFACE", doc };
	struct load_args a = {};
	struct ld ld;
	int err;

	ld_opts_init(&a.ld);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	a.ld.ifname = a.ifname;
	if (ld_require_root("xdpct attach") || ld_check_iface(a.ifname) < 0 || ld_ensure_bpffs())
		return EXIT_RUNTIME;
	err = ld_load(&ld, &a.ld);
	if (err)
		return EXIT_RUNTIME;
	err = ld_prepare(&ld, &a.ld);
	if (!err)
		err = ld_attach(&ld, &a.ld, OWNER_ATTACH);
	if (err) {
		ld_destroy(&ld);
		return EXIT_RUNTIME;
	}
	printf("xdpct: attached to %s (XDP %s ingress, TC egress); pins in %s\n", ld.ifname,
	       ld.xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic", ld.dir);
	ld_destroy(&ld);
	return EXIT_OK;
}

/* ---- detach ---------------------------------------------------------- */

static error_t detach_parse(int key, char *arg, struct argp_state *state)
{
	const char **ifname = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, ifname);
		return 0;
	case ARGP_KEY_END:
		if (!*ifname)
			argp_error(state, "which interface? (xdpct detach IFACE)");
		return 0;
	case OPT_VERBOSE:
		verbose++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cmd_detach(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "verbose", OPT_VERBOSE, NULL, 0, "more messages", 90 },
		{ 0 },
	};
	static const char doc[] =
		"Remove xdpct from IFACE: the XDP program, its TC egress filter (and the\n"
		"clsact qdisc if xdpct created it and no other filter uses it), and the pins\n"
		"in /sys/fs/bpf/xdpct/IFACE. Works after the interface was deleted, and\n"
		"after an 'xdpct run' was killed.\n\n"
		"USAGE: xdpct detach IFACE\n"
		"\vExit status: 0 detached, 1 not attached or error, 2 usage error.";
	struct argp argp = { opts, detach_parse, "IFACE", doc };
	const char *ifname = NULL;

	argp_parse(&argp, argc, argv, 0, NULL, &ifname);
	/* no bpffs mounted: nothing can be attached, so nothing to mount */
	if (ld_require_root("xdpct detach"))
		return EXIT_RUNTIME;
	if (ld_detach_iface(ifname, false))
		return EXIT_RUNTIME;
	printf("xdpct: detached from %s\n", ifname);
	return EXIT_OK;
}

/* ---- show ------------------------------------------------------------ */

struct show_args {
	const char *ifname;
	bool json, all, hosts;
};

static error_t show_parse(int key, char *arg, struct argp_state *state)
{
	struct show_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, &a->ifname);
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_ALL:
		a->all = true;
		return 0;
	case OPT_HOSTS:
		a->hosts = true;
		return 0;
	case OPT_VERBOSE:
		verbose++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
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
		return print_hosts(stdout, fds->host_isn, a->json, tag,
				   (__s64)(real_ns() - mono_ns()));
	err = show_flows(fds, a->all, a->json, tag, true);
	if (err)
		pr_err("%s: reading the flow maps failed: %s", name, strerror(-err));
	return err;
}

int cmd_show(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "json", OPT_JSON, NULL, 0, "one JSON object per flow per line", 0 },
		{ "all", OPT_ALL, NULL, 0, "include flows past their timeout", 0 },
		{ "hosts", OPT_HOSTS, NULL, 0, "list hosts and their ISN verdict instead", 0 },
		{ "verbose", OPT_VERBOSE, NULL, 0, "more messages", 90 },
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
		"  xdpct show eth0 --json | jq 'select(.state == \"ESTABLISHED\")'\n"
		"\vExit status: 0 shown, 1 not attached or error, 2 usage error.";
	struct argp argp = { opts, show_parse, "[IFACE]", doc };
	struct show_args a = {};

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	return for_each_iface(&a, show_one);
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
	if (!sv.det_fresh) {
		struct det_params p;

		det_params_default(&p);
		sv.det_sampled = !flood_sample(fds, &p, STATS_SAMPLE_MS, &sv.det);
	}
	if (a->json)
		print_stats_json(stdout, &sv, tag);
	else
		print_stats_table(stdout, &sv, name);
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "json", OPT_JSON, NULL, 0, "one JSON object per interface", 0 },
		{ "verbose", OPT_VERBOSE, NULL, 0, "more messages", 90 },
		{ 0 },
	};
	static const char doc[] =
		"Counters: packets by kind and hook, malformed frames by reason, flows\n"
		"created and evicted, SYN/SYN-ACK/RST counts, and the SYN-flood state.\n\n"
		"USAGE: xdpct stats [IFACE] [--json]\n\n"
		"EXAMPLES:\n"
		"  xdpct stats eth0\n"
		"  xdpct stats eth0 --json | jq .flood_state\n"
		"\vExit status: 0 shown, 1 not attached or error, 2 usage error.";
	struct argp argp = { opts, show_parse, "[IFACE]", doc };
	struct show_args a = {};

	argp_parse(&argp, argc, argv, 0, NULL, &a);
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

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* cli.h - the verbs of the xdpct command line. */
#ifndef XDPCT_CLI_H
#define XDPCT_CLI_H

#include <stdbool.h>
#include <net/if.h>
#include <linux/types.h>

#include "detector.h"
#include "loader.h"
#include "maps.h"
#include "print.h"

/*
 * Option keys of all verbs (argp), one list so they never collide: a
 * letter for the options with a short form, from 0x2000 the long-only ones.
 */
enum opt {
	OPT_ALL = 'a',
	OPT_CONNTRACK = 'c',
	OPT_FORCE = 'f',
	OPT_HOSTS = 'H',
	OPT_INTERVAL = 'i',
	OPT_JSON = 'j',
	OPT_MODE = 'm',
	OPT_VERBOSE = 'v',
	OPT_ZEEK = 'z',
	OPT_MAX_FLOWS = 0x2000,
	OPT_MAX_HALFOPEN,
	OPT_TIMEOUT,
	OPT_EVENT_RATE,
	OPT_MIRROR,
	OPT_SYN_RATE,		/* the detector's (monitor.c), run and events */
	OPT_COMPLETION,
	OPT_CUSUM_THRESHOLD,
	OPT_CUSUM_DRIFT,
	OPT_FLOOD_END,
	/* flow export and metrics (export.c, metrics.c) */
	OPT_FORMAT, OPT_PROMETHEUS, OPT_IPFIX, OPT_METRICS, OPT_CONN_LOG,
	OPT_ACTIVE_TIMEOUT, OPT_IDLE_TIMEOUT, OPT_LISTEN, OPT_TEXTFILE,
	/* filters, order, limit (filter.c); show --count */
	OPT_STATE = 0x2100, OPT_SRC, OPT_DST, OPT_SPORT, OPT_DPORT, OPT_ANOMALY, OPT_FAMILY,
	OPT_SORT, OPT_LIMIT, OPT_COUNT,
};

/*
 * Option groups as argp children (cli_opts.c). A verb lists them in its
 * struct argp's children and, in ARGP_KEY_INIT, points
 * state->child_inputs[i] at the struct each one fills.
 */
struct argp;
struct argp_state;

/* --json (with the verb's words for what it prints; NULL: no --json) and --verbose. */
struct cli_common {
	bool json;
};
const struct argp *cli_common_argp(const char *json_doc);

/* The loader's knobs (run, attach); they fill a struct ld_opts. */
const struct argp *cli_load_argp(void);
/* The SYN-flood detector's thresholds (run, events); they fill a struct det_params. */
const struct argp *cli_detector_argp(void);
/* parse_load_opt - one loader option into o; 0, or ARGP_ERR_UNKNOWN if not one. */
int parse_load_opt(int key, char *arg, struct argp_state *state, struct ld_opts *o);
/* parse_iface_arg - the IFACE argument: one, and a valid name (usage error). */
void parse_iface_arg(struct argp_state *state, const char *arg, const char **ifname);
/*
 * parse_iface_key - a verb's IFACE: ARGP_KEY_ARG takes it (parse_iface_arg),
 * ARGP_KEY_END insists on it when required. 0 when key was one of them,
 * else ARGP_ERR_UNKNOWN: a verb's parser ends with it.
 */
int parse_iface_key(int key, char *arg, struct argp_state *state, const char **ifname,
		    bool required);

/* Each verb takes its own argv (argv[0] is the verb) and returns an exit code. */
int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_top(int argc, char **argv);

/*
 * collect_flows - every flow of one instance as views, expired ones only if
 * all. time_off/now: see flow_view_fill. Returns 0 or -errno.
 */
int collect_flows(const struct xdpct_fds *fds, bool all, __s64 time_off, __u64 now,
		  struct flow_vec *out);

struct flow_filter;
/*
 * show_flows - collect, mark (ISN verdicts), sort, filter (flt may be NULL)
 * and print one instance's flows as a table (a count on stderr if summary)
 * or JSON lines. Returns 0 or -errno.
 */
int show_flows(const struct xdpct_fds *fds, bool all, bool json, const char *tag, bool summary,
	       const struct flow_filter *flt);

/*
 * cli_iface_list - the named interface, or every interface with pins.
 * Returns the number found, or -errno (printed).
 */
int cli_iface_list(const char *ifname, char (*names)[IF_NAMESIZE], int max);
/*
 * cli_iface_list and cli_open_iface are the verbs' own: they print the one
 * line of a failure themselves (util.h's rule) and return -errno.
 */
/* cli_open_iface - the pins of one interface; -errno with a one-line message. */
int cli_open_iface(const char *name, struct xdpct_fds *fds, struct xdpct_meta *meta);


/* Shared signal flag for run and events. */
extern volatile int stop_requested;
void install_stop_handlers(void);

#endif /* XDPCT_CLI_H */

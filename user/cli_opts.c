// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * cli_opts.c - the option groups verbs share, each an argp child: the
 * common one (--json, --verbose) and the loader's knobs (run, attach). The
 * defaults their help texts name come from where the defaults are set
 * (ld_defaults), never from a literal here.
 *
 * A new group (filters, exporters) is one more child like these: an option
 * table, a parser filling a struct of its own, the keys in enum opt
 * (cli.h), and { &its_argp, 0, NULL, GROUP } in the verb's children, with
 * state->child_inputs[i] set to the struct in the verb's ARGP_KEY_INIT.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "monitor.h"
#include "util.h"

/* ---- --json, --verbose ---------------------------------------------- */

static struct argp_option common_options[] = {
	{ "json", OPT_JSON, NULL, 0, NULL, 0 },
	{ "verbose", OPT_VERBOSE, NULL, 0, "more messages (twice: libbpf debug)", 90 },
	{ 0 },
};

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	struct cli_common *c = state->input;

	(void)arg;
	switch (key) {
	case OPT_JSON:
		c->json = true;
		return 0;
	case OPT_VERBOSE:
		verbose++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp *cli_common_argp(const char *json_doc)
{
	static struct argp argp = { NULL, common_parse, NULL, NULL, NULL, NULL, NULL };

	/* one verb per process: its own words for what --json prints */
	common_options[0].doc = json_doc;
	argp.options = json_doc ? common_options : common_options + 1;
	return &argp;
}

/* ---- the loader's knobs ----------------------------------------------- */

static char doc_max_flows[96], doc_max_halfopen[96], doc_event_rate[128];

static struct argp_option load_options[] = {
	{ "mode", OPT_MODE, "native|generic", 0,
	  "XDP mode (default: native, falling back to generic with a warning)", 10 },
	{ "force", OPT_FORCE, NULL, 0, "replace an XDP program that is not xdpct's", 10 },
	{ "max-flows", OPT_MAX_FLOWS, "N", 0, doc_max_flows, 10 },
	{ "max-halfopen", OPT_MAX_HALFOPEN, "N", 0, doc_max_halfopen, 10 },
	{ "timeout", OPT_TIMEOUT, "STATE=SEC", 0,
	  "state timeout, e.g. ESTABLISHED=3600 or SYN_SENT=30s (repeatable)", 10 },
	{ "mirror", OPT_MIRROR, NULL, 0,
	  "IFACE receives a copy of both directions (a SPAN or TAP port): trust both "
	  "directions arriving on ingress", 10 },
	{ "event-rate", OPT_EVENT_RATE, "N", 0, doc_event_rate, 10 },
	{ 0 },
};

static error_t load_parse(int key, char *arg, struct argp_state *state)
{
	return parse_load_opt(key, arg, state, state->input);
}

const struct argp *cli_load_argp(void)
{
	static const struct argp argp = { load_options, load_parse, NULL, NULL, NULL, NULL, NULL };
	struct ld_defaults d;

	ld_defaults(&d);
	snprintf(doc_max_flows, sizeof(doc_max_flows),
		 "established-flow table size per family (default %llu)",
		 (unsigned long long)d.max_flows);
	snprintf(doc_max_halfopen, sizeof(doc_max_halfopen),
		 "half-open table size per family (default %llu)",
		 (unsigned long long)d.max_halfopen);
	snprintf(doc_event_rate, sizeof(doc_event_rate),
		 "per-flow events per second per CPU before dropping (default %llu, 0: no limit)",
		 (unsigned long long)d.event_rate);
	return &argp;
}

/* ---- the SYN-flood detector's thresholds (monitor.c) ------------------ */

static error_t det_child_parse(int key, char *arg, struct argp_state *state)
{
	int r = detector_parse_opt(key, arg, state->input);

	if (r == 1)
		return ARGP_ERR_UNKNOWN;
	if (r)
		argp_error(state, "%s, not '%s'", detector_opt_error(key), arg);
	return 0;
}


const struct argp *cli_detector_argp(void)
{
	static const struct argp argp = { detector_options, det_child_parse, NULL, NULL, NULL,
					  NULL, NULL };

	return &argp;
}

void parse_iface_arg(struct argp_state *state, const char *arg, const char **ifname)
{
	if (*ifname)
		argp_error(state, "one interface only");
	if (!ifname_valid(arg))
		argp_error(state, "'%s' is not a valid interface name", arg);
	*ifname = arg;
}

int parse_iface_key(int key, char *arg, struct argp_state *state, const char **ifname,
		    bool required)
{
	switch (key) {
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, ifname);
		return 0;
	case ARGP_KEY_END:
		if (required && !*ifname)
			argp_error(state, "which interface? (%s IFACE)", state->name);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
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
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

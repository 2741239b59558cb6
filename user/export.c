// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * export.c - flows out to other systems: the sinks (IPFIX, conn.log), the
 * export options and hooks of show, replay and run, and the export verb
 * (persistent mode: the flows of an attached interface as they end).
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cli.h"
#include "connlog.h"
#include "export.h"
#include "ipfix.h"
#include "isn.h"
#include "metrics.h"
#include "util.h"

/* ---- the sinks: IPFIX and conn.log ------------------------------------ */

struct xport_sink {
	struct ipfix *ipx;
	FILE *clf;		/* conn.log file, or NULL */
	const char *cl_path;
	struct connlog cl;
	__u32 ifindex;
};

static int xport_emit(void *ctx, const struct ft_report *r)
{
	struct xport_sink *s = ctx;
	int err = 0;

	if (s->ipx)
		err = ipfix_add(s->ipx, r, s->ifindex);
	/* conn.log has one line per connection, when it is over */
	if (s->clf && r->final) {
		connlog_write(&s->cl, r->v);
		fflush(s->clf);
	}
	return err;
}

/* xport_connlog_open - append to path; a new (or emptied) file gets the header. */
static int xport_connlog_open(struct xport_sink *s)
{
	FILE *f = fopen(s->cl_path, "a");
	struct stat st;
	int err;

	if (!f) {
		err = -errno;
		err_why("%s: %s", s->cl_path, strerror(-err));
		return err;
	}
	connlog_init(&s->cl, f);
	if (fstat(fileno(f), &st) || st.st_size == 0)
		connlog_header(&s->cl);
	fflush(f);
	s->clf = f;
	return 0;
}

static void xport_connlog_close(struct xport_sink *s)
{
	if (!s->clf)
		return;
	connlog_footer(&s->cl);
	fclose(s->clf);
	s->clf = NULL;
}

static void xport_sink_close(struct xport_sink *s)
{
	ipfix_close(s->ipx);
	s->ipx = NULL;
	xport_connlog_close(s);
}

static int xport_sink_open(struct xport_sink *s, __u32 ifindex)
{
	int err = 0;

	memset(s, 0, sizeof(*s));
	s->ifindex = ifindex;
	s->cl_path = xport.conn_log;
	/* the observation domain: the interface, so two exporters differ */
	if (xport.ipfix)
		err = ipfix_open(&s->ipx, xport.ipfix, ifindex);
	if (!err && xport.conn_log)
		err = xport_connlog_open(s);
	if (err)
		xport_sink_close(s);
	return err;
}

/* ---- replay and show -------------------------------------------------- */

int xport_replay(struct flow_vec *fv, bool *printed)
{
	struct xport_sink s;
	size_t i;
	int err;

	*printed = false;
	if (xport.format == XPORT_FMT_ZEEK) {
		struct connlog cl;

		connlog_init(&cl, stdout);
		connlog_header(&cl);
		for (i = 0; i < fv->n; i++)
			connlog_write(&cl, &fv->v[i]);
		connlog_footer(&cl);
		*printed = true;
	}
	if (!xport.ipfix)
		return 0;
	err = xport_sink_open(&s, 0);	/* replay takes no --conn-log */
	for (i = 0; !err && i < fv->n; i++) {
		const struct flow_view *v = &fv->v[i];
		bool closed = v->state == CT_STATE_TIME_WAIT || v->state == CT_STATE_CLOSE;
		/* those still open when the capture ends are cut off by it */
		struct ft_report r = { .v = v, .final = true,
				       .reason = closed ? FT_END : v->ended ? FT_IDLE : FT_FORCED };
		int d;

		for (d = 0; d < 2; d++) {
			r.pkts[d] = v->f.dir[d].pkts;
			r.bytes[d] = v->f.dir[d].bytes;
			r.ip_bytes[d] = v->f.dir[d].ip_bytes;
		}
		err = xport_emit(&s, &r);
	}
	if (!err)
		err = ipfix_flush(s.ipx);
	if (!err)
		pr_info("IPFIX: %zu flow records sent to %s", fv->n, xport.ipfix);
	else
		err_report(err, "IPFIX: exporting to %s failed", xport.ipfix);
	xport_sink_close(&s);
	return err;
}

static struct connlog xport_show_cl;
static bool xport_show_open;	/* the header is out (an interface was read) */

void xport_show_begin(void)
{
	connlog_init(&xport_show_cl, stdout);
}

void xport_show_end(void)
{
	if (xport_show_open)
		connlog_footer(&xport_show_cl);
}

void xport_show_write(const struct flow_vec *fv)
{
	size_t i;

	if (!xport_show_open)
		connlog_header(&xport_show_cl);
	xport_show_open = true;
	for (i = 0; i < fv->n; i++)
		connlog_write(&xport_show_cl, &fv->v[i]);
}

/* ---- run and export: the live loop ------------------------------------ */

struct xport_live {
	struct flow_tracker ft;
	struct xport_sink sink;
	const struct xdpct_fds *fds;
	struct metrics_srv *http;
};

int xport_run_start(struct xport_live **out, const char *ifname, int ifindex,
		    const struct xdpct_fds *fds)
{
	struct xport_live *x;
	int err = 0;

	*out = NULL;
	if (!xport.ipfix && !xport.conn_log && !xport.metrics)
		return 0;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->fds = fds;
	if (xport.ipfix || xport.conn_log) {
		err = xport_sink_open(&x->sink, (__u32)ifindex);
		ft_init(&x->ft, xport_emit, &x->sink, xport.active_ns, xport.idle_ns);
		x->ft.time_off = (__s64)(real_ns() - mono_ns());
	}
	if (!err && xport.metrics)
		err = metrics_serve(&x->http, xport.metrics, &ifname, 1, fds);
	if (err) {
		xport_sink_close(&x->sink);
		free(x);
		return err;
	}
	*out = x;
	return 0;
}

void xport_run_tick(struct xport_live *x)
{
	int err;

	if (!x || !x->ft.emit)
		return;
	err = ft_poll(&x->ft, x->fds, mono_ns());
	if (err)	/* said, and the export goes on */
		err_report(err, "exporting: reading the flow maps failed");
	x->ft.err = 0;
	if (x->sink.ipx)
		ipfix_flush(x->sink.ipx);
}

/* xport_reopen - logrotate moved the conn.log: start a new one. */
static void xport_reopen(struct xport_live *x)
{
	int err;

	/* also after a failed reopen: the next SIGHUP tries again */
	if (!x || !x->sink.cl_path)
		return;
	xport_connlog_close(&x->sink);
	err = xport_connlog_open(&x->sink);
	if (err)
		err_report(err, "%s: reopening failed; nothing written until the next SIGHUP",
			   x->sink.cl_path);
}

void xport_run_stop(struct xport_live *x)
{
	if (!x)
		return;
	metrics_stop(x->http);
	if (x->ft.emit) {
		ft_poll(&x->ft, x->fds, mono_ns());
		ft_flush(&x->ft, FT_FORCED);
		ft_free(&x->ft);
	}
	xport_sink_close(&x->sink);
	free(x);
}

/* ---- options ----------------------------------------------------------- */

struct xport_opts xport = { .active_ns = 60 * NSEC_PER_SEC };

static error_t xport_parse(int key, char *arg, struct argp_state *state)
{
	char host[256], port[16];
	__u64 v;

	switch (key) {
	case OPT_FORMAT:
		if (!strcmp(arg, "json"))
			xport.format = XPORT_FMT_JSON;
		else if (!strcmp(arg, "zeek"))
			xport.format = XPORT_FMT_ZEEK;
		else if (!strcmp(arg, "table"))
			xport.format = XPORT_FMT_TABLE;
		else
			argp_error(state, "--format must be table, json or zeek, not '%s'", arg);
		return 0;
	case OPT_PROMETHEUS:
		xport.prometheus = true;
		return 0;
	case OPT_IPFIX:
	case OPT_METRICS:
		if (ipfix_parse_target(arg, host, sizeof(host), port, sizeof(port)))
			argp_error(state, "--%s wants HOST:PORT (e.g. 127.0.0.1:%s), not '%s'",
				   key == OPT_IPFIX ? "ipfix" : "metrics",
				   key == OPT_IPFIX ? "4739" : "9477", arg);
		if (key == OPT_IPFIX)
			xport.ipfix = arg;
		else
			xport.metrics = arg;
		return 0;
	case OPT_CONN_LOG:
		xport.conn_log = arg;
		return 0;
	case OPT_ACTIVE_TIMEOUT:
	case OPT_IDLE_TIMEOUT:
		if (parse_duration_s(arg, &v) || v < 1 || v > 86400 * 7)
			argp_error(state, "--%s must be from 1 s to 7 days (e.g. 60, 30s, 5m), "
				   "not '%s'", key == OPT_ACTIVE_TIMEOUT ? "active-timeout" :
				   "idle-timeout", arg);
		if (key == OPT_ACTIVE_TIMEOUT)
			xport.active_ns = v * NSEC_PER_SEC;
		else
			xport.idle_ns = v * NSEC_PER_SEC;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

#define XPORT_OPT_FORMAT { "format", OPT_FORMAT, "table|json|zeek", 0, \
	"output format: json is --json, zeek Zeek's conn.log (TSV)", 0 }
#define XPORT_OPT_IPFIX { "ipfix", OPT_IPFIX, "HOST:PORT", 0, \
	"send each flow as it ends to an IPFIX collector (UDP)", 0 }
#define XPORT_OPT_TIMEOUTS \
	{ "active-timeout", OPT_ACTIVE_TIMEOUT, "DURATION", 0, "export long-lived flows " \
	  "this often (default 60s)", 0 }, \
	{ "idle-timeout", OPT_IDLE_TIMEOUT, "DURATION", 0, "export flows idle this long " \
	  "(default: when their state's timeout passes)", 0 }

static const struct argp_option xport_show_opts[] = { XPORT_OPT_FORMAT, { 0 } };
static const struct argp_option xport_replay_opts[] = {
	XPORT_OPT_FORMAT, XPORT_OPT_IPFIX, { 0 }
};
static const struct argp_option xport_run_opts[] = {
	XPORT_OPT_IPFIX,
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0, "serve Prometheus metrics on "
	  "http://ADDR:PORT/metrics while running", 0 },
	XPORT_OPT_TIMEOUTS, { 0 }
};
static const struct argp_option xport_stats_opts[] = {
	{ "prometheus", OPT_PROMETHEUS, NULL, 0, "Prometheus text exposition format", 0 },
	{ 0 }
};

const struct argp xport_show_argp = { xport_show_opts, xport_parse, NULL, NULL };
const struct argp xport_replay_argp = { xport_replay_opts, xport_parse, NULL, NULL };
const struct argp xport_run_argp = { xport_run_opts, xport_parse, NULL, NULL };
const struct argp xport_stats_argp = { xport_stats_opts, xport_parse, NULL, NULL };

/* ---- the export verb --------------------------------------------------- */

static volatile sig_atomic_t xport_hup;

static void xport_on_hup(int sig)
{
	(void)sig;
	xport_hup = 1;
}

struct export_args {
	struct cli_common common;	/* --verbose */
	const char *ifname;
};

static error_t export_parse(int key, char *arg, struct argp_state *state)
{
	struct export_args *a = state->input;
	const char **ifname = &a->ifname;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		return 0;
	case ARGP_KEY_ARG:
		parse_iface_arg(state, arg, ifname);
		return 0;
	case ARGP_KEY_END:
		if (!*ifname)
			argp_error(state, "which interface? (xdpct export IFACE)");
		if (!xport.ipfix && !xport.conn_log)
			argp_error(state, "export where? (--ipfix HOST:PORT and/or --conn-log FILE)");
		return 0;
	default:
		return xport_parse(key, arg, state);
	}
}

/* export_attached - the pins of ifname are still there (not detached). */
static bool export_attached(const char *ifname)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/meta", XDPCT_PIN_ROOT, ifname);
	return access(path, F_OK) == 0;
}

int cmd_export(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		XPORT_OPT_IPFIX,
		{ "conn-log", OPT_CONN_LOG, "FILE", 0, "append ended flows to FILE as Zeek's "
		  "conn.log (reopened on SIGHUP, for logrotate)", 0 },
		XPORT_OPT_TIMEOUTS,
		{ 0 },
	};
	const struct argp_child children[] = { { cli_common_argp(NULL), 0, NULL, 0 }, { 0 } };
	static const char doc[] =
		"Export the flows of an interface xdpct is attached to as they end (close,\n"
		"timeout, eviction), and long-lived ones every --active-timeout, until\n"
		"SIGINT or SIGTERM (then the open flows, as forced ends).\n\n"
		"USAGE: xdpct export IFACE [--ipfix HOST:PORT] [--conn-log FILE]\n\n"
		"It reads the pinned maps once a second; it changes nothing.\n\n"
		"EXAMPLES:\n"
		"  xdpct export eth0 --ipfix 192.0.2.10:4739\n"
		"  xdpct export eth0 --conn-log /var/log/xdpct/conn.log\n"
		"\vExit status: 0 stopped by a signal or detached, 1 runtime error, 2 usage error.";
	struct argp argp = { opts, export_parse, "IFACE", doc, children, NULL, NULL };
	struct export_args a = {};
	const char *ifname;
	struct xdpct_meta meta = {};
	struct xport_live *x = NULL;
	struct sigaction sa = { .sa_handler = xport_on_hup };
	struct xdpct_fds fds;
	int err;

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	ifname = a.ifname;
	if (cli_open_iface(ifname, &fds, &meta))
		return EXIT_RUNTIME;
	err = xport_run_start(&x, ifname, (int)meta.ifindex, &fds);
	if (err) {
		err_report(err, "%s: starting the export failed", ifname);
		fds_close(&fds);
		return EXIT_RUNTIME;
	}
	install_stop_handlers();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	pr_info("%s: exporting ended flows; Ctrl-C stops", ifname);
	while (!stop_requested) {
		if (xport_hup) {
			xport_hup = 0;
			xport_reopen(x);
		}
		xport_run_tick(x);
		if (!export_attached(ifname)) {
			pr_info("%s: xdpct was detached (its pins are gone); stopping", ifname);
			break;
		}
		usleep(1000000);
	}
	xport_run_stop(x);
	fds_close(&fds);
	return EXIT_OK;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * export.h - flows leaving xdpct for other systems: the export verb and the
 * export options and hooks of show, replay and run.
 */
#ifndef XDPCT_EXPORT_H
#define XDPCT_EXPORT_H

#include <stdbool.h>
#include <linux/types.h>

#include "flowview.h"
#include "maps.h"
#include "print.h"
#include "flowtrack.h"

/* The export options of run, replay, show and stats (argp children). */
enum xport_format { XPORT_FMT_TABLE = 0, XPORT_FMT_JSON, XPORT_FMT_ZEEK };

struct xport_opts {
	enum xport_format format;
	bool prometheus;		/* stats --prometheus */
	const char *ipfix;		/* HOST:PORT */
	const char *metrics;		/* ADDR:PORT (run) */
	const char *conn_log;		/* FILE (export) */
	__u64 active_ns, idle_ns;
};
extern struct xport_opts xport;

struct argp;
extern const struct argp xport_show_argp;	/* --format */
extern const struct argp xport_replay_argp;	/* --format, --ipfix */
extern const struct argp xport_run_argp;	/* --ipfix, --metrics, timeouts */
extern const struct argp xport_stats_argp;	/* --prometheus */

/* show --format zeek: begin, the rows of each instance's shown flows (the header once), #close. */
void xport_show_begin(void);
void xport_show_write(const struct flow_vec *fv);
void xport_show_end(void);
/* xport_replay - replay's flows to conn.log (--format zeek) and IPFIX.
 * Returns 0, or -errno (printed). *printed: stdout got the flows. */
int xport_replay(struct flow_vec *fv, bool *printed);

/* The live hooks of run: start after attaching, tick every second (before
 * expired flows are deleted), stop before detaching. */
struct xport_live;
int xport_run_start(struct xport_live **out, const char *ifname, int ifindex,
		    const struct xdpct_fds *fds);
void xport_run_tick(struct xport_live *x);
void xport_run_stop(struct xport_live *x);

int cmd_export(int argc, char **argv);
int cmd_metrics(int argc, char **argv);

#endif /* XDPCT_EXPORT_H */

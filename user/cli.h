/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* cli.h - the verbs of the xdpct command line. */
#ifndef XDPCT_CLI_H
#define XDPCT_CLI_H

#include <stdbool.h>
#include <linux/types.h>

#include "detector.h"
#include "loader.h"
#include "maps.h"
#include "print.h"

/* Each verb takes its own argv (argv[0] is the verb) and returns an exit code. */
int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_replay(int argc, char **argv);

/* Options shared by run and attach (loader knobs). */
struct load_args {
	struct ld_opts ld;
	const char *ifname;
};

/*
 * collect_flows - every flow of one instance as views, expired ones only if
 * all. time_off/now: see flow_view_fill. Returns 0 or -errno.
 */
int collect_flows(const struct xdpct_fds *fds, bool all, __s64 time_off, __u64 now,
		  struct flow_vec *out);

/* gc_expired - delete expired flows from the maps; returns how many. */
long gc_expired(const struct xdpct_fds *fds);

/* Shared signal flag for run and events. */
extern volatile int stop_requested;
void install_stop_handlers(void);

/* Apply ISN verdicts to flows (PREDICTABLE_ISN) and print hosts. */
struct isn_hosts;

#endif /* XDPCT_CLI_H */

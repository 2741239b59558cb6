/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * metrics.h - the Prometheus endpoint: GET /metrics over HTTP
 * (libmicrohttpd), a textfile for node_exporter, and stats --prometheus.
 */
#ifndef XDPCT_METRICS_H
#define XDPCT_METRICS_H

#include <stdio.h>

#include "maps.h"

struct metrics_srv;

/*
 * metrics_serve - serve GET /metrics on ADDR:PORT in a thread of its own,
 * for the named interfaces (n 0: every attached one, read from the pins at
 * each scrape) or, with fds, for this instance only (names[0] is its
 * name). 0 or -errno (printed).
 */
int metrics_serve(struct metrics_srv **out, const char *listen, const char *const *names,
		  int n, const struct xdpct_fds *fds);
void metrics_stop(struct metrics_srv *m);

/* metrics_stats - stats --prometheus: one exposition on stdout. */
int metrics_stats(const char *ifname);

#endif /* XDPCT_METRICS_H */

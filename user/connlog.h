/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * connlog.h - flows as Zeek's conn.log (TSV with its header lines), with a
 * unique uid per flow and the Community ID v1 flow hash.
 */
#ifndef XDPCT_CONNLOG_H
#define XDPCT_CONNLOG_H

#include <stdio.h>
#include <linux/types.h>

#include "flowview.h"

/* "1:" + base64 of a SHA-1 digest + NUL */
#define COMMUNITY_ID_LEN 32

/*
 * community_id_v1 - the Community ID v1 of a flow: family 4 or 6, addresses
 * in network order, ports in host order (has_ports 0 for protocols without
 * ports). Writes "1:..." to out (COMMUNITY_ID_LEN bytes).
 */
void community_id_v1(int family, const __u8 *saddr, const __u8 *daddr, __u8 proto,
		     __u16 sport, __u16 dport, int has_ports, __u16 seed, char *out);

struct connlog {
	FILE *f;
	__u64 uid_seed;		/* random per process: uids unique across runs */
	__u64 uid_next;
};

/* connlog_init - a writer on f with a fresh uid seed. */
void connlog_init(struct connlog *c, FILE *f);
/* connlog_header - the #separator ... #types lines (#open: now). */
void connlog_header(struct connlog *c);
/* connlog_write - one flow as one conn.log line. */
void connlog_write(struct connlog *c, const struct flow_view *v);
/* connlog_footer - the #close line. */
void connlog_footer(struct connlog *c);

#endif /* XDPCT_CONNLOG_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * ipfix.h - flow records to an IPFIX collector over UDP (RFC 7011), one
 * biflow per connection (RFC 5103), through libfixbuf.
 */
#ifndef XDPCT_IPFIX_H
#define XDPCT_IPFIX_H

#include <linux/types.h>

#include "export.h"

/* Templates go again after this long or this many messages (UDP has no
 * session: a collector that restarted learns them from the next ones).
 * Messages are counted in records: an IPv4 record is 103 bytes, so 13 fill
 * a message of fixbuf's UDP size (1420). */
#define IPFIX_TMPL_EVERY_S	10
#define IPFIX_TMPL_EVERY_MSGS	32
#define IPFIX_RECS_PER_MSG	13
/* Between two full messages: at most 10,000 messages (130,000 records) a
 * second, so a burst does not overflow the collector's socket buffer. */
#define IPFIX_PACE_US		100

struct ipfix;

/* ipfix_parse_target - HOST:PORT or [V6ADDR]:PORT; 0 or -EINVAL. */
int ipfix_parse_target(const char *arg, char *host, size_t hlen, char *port, size_t plen);

/* ipfix_open - an exporter to HOST:PORT; domain is the observation domain.
 * 0 or -errno (printed). */
int ipfix_open(struct ipfix **out, const char *target, __u32 domain);
/* ipfix_add - one record (sent when a message is full or at ipfix_flush). */
int ipfix_add(struct ipfix *x, const struct ft_report *r, __u32 ifindex);
/* ipfix_flush - send what is buffered; templates again when due. */
int ipfix_flush(struct ipfix *x);
/* ipfix_close - flush and free. */
void ipfix_close(struct ipfix *x);

#endif /* XDPCT_IPFIX_H */

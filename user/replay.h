/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* replay.h - offline tracking of captures (see replay.c). */
#ifndef XDPCT_REPLAY_H
#define XDPCT_REPLAY_H

#include <linux/types.h>

#include "loader.h"

/*
 * replay_frame - an Ethernet frame for one captured packet of link type
 * dlt; returns its length, 0 if too short for the link header, -1 for an
 * unsupported link type. *extra is the change to the wire length.
 */
int replay_frame(int dlt, const __u8 *pkt, __u32 caplen, __u8 *out, int *extra);

/* replay_zeek_timeouts - Zeek's connection timers for the states not set yet. */
void replay_zeek_timeouts(struct ld_opts *o);

#endif /* XDPCT_REPLAY_H */

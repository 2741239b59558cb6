/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* attach.h - what attach.c offers the rest of the loader. */
#ifndef XDPCT_ATTACH_H
#define XDPCT_ATTACH_H

#include <linux/types.h>

/* XDP attach modes: generic (skb), native (driver), offloaded (hardware). */
#define XDP_MODES 3

/* xdp_ids - the program attached in each XDP mode on ifindex (0: none). 0 or -errno. */
int xdp_ids(int ifindex, __u32 ids[XDP_MODES]);

#endif /* XDPCT_ATTACH_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* tcnl.h - list tc filters on a clsact hook over rtnetlink. */
#ifndef XDPCT_TCNL_H
#define XDPCT_TCNL_H

#include <linux/types.h>

/*
 * tc_count_filters - filters on ifindex's clsact ingress and egress hooks,
 * not counting the one with (handle, priority) = (skip_handle, skip_prio).
 * Returns the count or -errno.
 */
int tc_count_filters(int ifindex, __u32 skip_handle, __u32 skip_prio);

/*
 * tc_filter_exists - is there a filter with this handle and priority on the
 * clsact egress hook? 1 yes, 0 no, -errno on error.
 */
int tc_filter_exists(int ifindex, __u32 handle, __u32 prio);

#endif /* XDPCT_TCNL_H */

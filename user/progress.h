/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * progress.h - replay's progress line on stderr (packets, rate, ETA), drawn
 * only when stderr is a terminal, so logs and pipes get nothing.
 */
#ifndef XDPCT_PROGRESS_H
#define XDPCT_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct progress {
	FILE *in;		/* the capture being read: its offset is the progress */
	long long size;		/* its size in bytes, 0 if unknown (a pipe) */
	__u64 start_ns, next_ns;
	bool on, drawn;
	__u8 pad[6];
};

/* progress_init - start timing; on only if stderr is a terminal. */
void progress_init(struct progress *p, FILE *in);
/* progress_update - redraw at most 5 times a second; cheap otherwise. */
void progress_update(struct progress *p, __u64 packets);
/* progress_end - erase the line, so what follows starts clean. */
void progress_end(struct progress *p);

#endif /* XDPCT_PROGRESS_H */

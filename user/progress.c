// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * progress.c - replay's progress on stderr: packets so far, their rate, and
 * the time left, estimated from how far into the file the reader is (a
 * capture does not say how many packets it holds). Only for a terminal.
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>

#include "progress.h"
#include "util.h"

#define PROGRESS_EVERY_NS (200 * 1000000ull)
#define PROGRESS_WIDTH 78

void progress_init(struct progress *p, FILE *in)
{
	struct stat st;

	p->in = in;
	p->on = isatty(STDERR_FILENO) && in;
	p->drawn = false;
	p->size = in && !fstat(fileno(in), &st) && S_ISREG(st.st_mode) ? st.st_size : 0;
	p->start_ns = mono_ns();
	p->next_ns = p->start_ns + PROGRESS_EVERY_NS;
}

void progress_update(struct progress *p, __u64 packets)
{
	__u64 now;
	double secs, rate, frac = 0;
	long pos;
	char eta[32] = "?";
	int n;

	if (!p->on)
		return;
	now = mono_ns();
	if (now < p->next_ns)
		return;
	p->next_ns = now + PROGRESS_EVERY_NS;
	secs = (now - p->start_ns) / 1e9;
	rate = secs > 0 ? packets / secs : 0;
	pos = ftell(p->in);
	if (p->size > 0 && pos > 0) {
		frac = (double)pos / (double)p->size;
		if (frac > 1)
			frac = 1;
		fmt_age(eta, sizeof(eta), (__u64)(secs * (1 - frac) / frac * 1e9));
	}
	n = fprintf(stderr, "\rxdpct: replay: %llu packets (%.0f%%), %.0f pkt/s, ETA %s",
		    (unsigned long long)packets, frac * 100, rate, eta);
	/* blank what a longer line before left */
	fprintf(stderr, "%*s", n < PROGRESS_WIDTH ? PROGRESS_WIDTH - n : 0, "");
	fflush(stderr);
	p->drawn = true;
}

void progress_end(struct progress *p)
{
	if (!p->drawn)
		return;
	fprintf(stderr, "\r%*s\r", PROGRESS_WIDTH, "");
	fflush(stderr);
	p->drawn = false;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * json.h - a small streaming JSON writer: one object per line for the
 * CLI's --json output. Keys and strings are escaped; numbers are printed
 * exactly (64-bit).
 */
#ifndef XDPCT_JSON_H
#define XDPCT_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define JW_MAX_DEPTH 8

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, FILE *f);
void jw_obj_open(struct jw *w, const char *key);	/* key NULL: a value */
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w, const char *key);
void jw_arr_close(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_u64(struct jw *w, const char *key, __u64 val);
void jw_i64(struct jw *w, const char *key, long long val);
void jw_double(struct jw *w, const char *key, double val, int decimals);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);
/* jw_end_line - newline and flush, after a top-level object. */
void jw_end_line(struct jw *w);

#endif /* XDPCT_JSON_H */

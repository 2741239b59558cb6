// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* json.c - a small streaming JSON writer. */
#include <math.h>
#include <string.h>

#include "json.h"

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

static void put_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* sep - the comma and key before a value at the current depth. */
static void sep(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (key) {
		put_escaped(w->f, key);
		fputc(':', w->f);
	}
}

static void open_(struct jw *w, const char *key, char c)
{
	sep(w, key);
	fputc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_open(struct jw *w, const char *key)
{
	open_(w, key, '{');
}

void jw_obj_close(struct jw *w)
{
	close_(w, '}');
}

void jw_arr_open(struct jw *w, const char *key)
{
	open_(w, key, '[');
}

void jw_arr_close(struct jw *w)
{
	close_(w, ']');
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	sep(w, key);
	put_escaped(w->f, val ? val : "");
}

void jw_u64(struct jw *w, const char *key, __u64 val)
{
	sep(w, key);
	fprintf(w->f, "%llu", (unsigned long long)val);
}

void jw_i64(struct jw *w, const char *key, long long val)
{
	sep(w, key);
	fprintf(w->f, "%lld", val);
}

void jw_double(struct jw *w, const char *key, double val, int decimals)
{
	sep(w, key);
	if (isfinite(val))
		fprintf(w->f, "%.*f", decimals, val);
	else
		fputs("null", w->f);
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	sep(w, key);
	fputs(val ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	sep(w, key);
	fputs("null", w->f);
}

void jw_end_line(struct jw *w)
{
	fputc('\n', w->f);
	fflush(w->f);
	w->depth = 0;
	w->first[0] = true;
}

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* util.h - errors, clocks, number parsing and small helpers for the CLI. */
#ifndef XDPCT_UTIL_H
#define XDPCT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC 1000000000ull

/* Exit codes: the CLI contract. */
#define EXIT_OK		0
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

extern int verbose;

/*
 * Errors: the one rule of user/. A function returns 0 or -errno and prints
 * no error. When errno alone would not tell the user what went wrong or
 * what to do (a pid, a path, "detach it there first"), the function that
 * knows records that as one line with err_why() before it returns. The
 * outermost caller, the verb, prints one line per failure: err_report()
 * prints the line recorded last, else the verb's own words and strerror.
 * Checks are made once, where the verb can say what was wrong.
 * Warnings and progress notes (pr_warn, pr_info) are no failures: they are
 * printed where they happen.
 */
void err_why(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void err_report(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line on stderr, prefixed "xdpct: ". */
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* libbpf's own messages: shown only with -v. */
int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args);

/* CLOCK_MONOTONIC / CLOCK_REALTIME now, in ns. */
__u64 mono_ns(void);
__u64 real_ns(void);
/* mono_to_real - a CLOCK_MONOTONIC time as CLOCK_REALTIME ns (0 stays 0). */
__u64 mono_to_real(__u64 mono);

/* The kernel's tick length in ns, from its config; 0 if unknown. */
__u64 kernel_jiffy_ns(void);

/*
 * parse_u64 - a decimal number in [min, max]. Returns 0 or -EINVAL /
 * -ERANGE; never accepts trailing garbage or a sign.
 */
int parse_u64(const char *s, __u64 min, __u64 max, __u64 *out);
/* parse_duration_s - "30", "30s", "5m", "2h", "5d" as seconds. */
int parse_duration_s(const char *s, __u64 *out);

/*
 * array_grow - make room for element n of *arr (capacity *cap, elements of
 * size elem; first allocation first). 0 or -ENOMEM, *arr untouched then.
 */
int array_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first);

/* Start time of a process (clock ticks since boot), 0 if it is gone. */
__u64 proc_start_time(int pid);

/* Human-readable age: "850ms", "42s", "3m12s", "2h5m", "4d3h". */
void fmt_age(char *buf, size_t len, __u64 ns);

/* netns_id - this process's network namespace (dev, inode of /proc/self/ns/net). */
int netns_id(__u64 *dev, __u64 *ino);
/* netns_exists - is the namespace (dev, ino) still alive (a process or a
 * /run/netns bind mount holds it)? */
bool netns_exists(__u64 dev, __u64 ino);

/* Is this interface name valid (IFNAMSIZ, no '/')? */
bool ifname_valid(const char *name);

#endif /* XDPCT_UTIL_H */

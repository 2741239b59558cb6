// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* util.c - errors, clocks, number parsing and small helpers for the CLI. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/libbpf.h>

#include "util.h"

int verbose;

static void vpr(const char *prefix, const char *fmt, va_list ap)
{
	fputs("xdpct: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static char err_line[512];

void err_why(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err_line, sizeof(err_line), fmt, ap);
	va_end(ap);
}

void err_report(int err, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	if (err_line[0]) {
		pr_err("%s", err_line);
		err_line[0] = 0;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	pr_err("%s: %s", what, strerror(err < 0 ? -err : err));
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr(NULL, fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr("warning: ", fmt, ap);
	va_end(ap);
}

void pr_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr(NULL, fmt, ap);
	va_end(ap);
}

void pr_debug(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vpr("debug: ", fmt, ap);
	va_end(ap);
}

int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && verbose < 2)
		return 0;
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec;
}

__u64 mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

__u64 real_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

__u64 mono_to_real(__u64 mono)
{
	__u64 now_m, now_r;

	if (!mono)
		return 0;
	now_m = mono_ns();
	now_r = real_ns();
	return now_r - (now_m - mono);
}

/* config_hz_line - CONFIG_HZ from one line of a kernel config, or 0. */
static unsigned long config_hz_line(const char *line)
{
	if (strncmp(line, "CONFIG_HZ=", 10))
		return 0;
	return strtoul(line + 10, NULL, 10);
}

__u64 kernel_jiffy_ns(void)
{
	char path[PATH_MAX], line[256];
	unsigned long hz = 0;
	struct utsname u;
	gzFile gz;
	FILE *f;

	if (!uname(&u)) {
		snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		f = fopen(path, "r");
		if (f) {
			while (!hz && fgets(line, sizeof(line), f))
				hz = config_hz_line(line);
			fclose(f);
		}
	}
	if (!hz) {
		gz = gzopen("/proc/config.gz", "r");
		if (gz) {
			while (!hz && gzgets(gz, line, sizeof(line)))
				hz = config_hz_line(line);
			gzclose(gz);
		}
	}
	if (!hz || hz > 10000)
		return 0;
	/* the kernel's TICK_NSEC: rounded, as jiffies advance by it */
	return (NSEC_PER_SEC + hz / 2) / hz;
}

int parse_u64(const char *s, __u64 min, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_duration_s(const char *s, __u64 *out)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end) {
		if (end[1])
			return -EINVAL;
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -EINVAL;
		}
	}
	if (v > (~0ull / NSEC_PER_SEC) / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

__u64 proc_start_time(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	int field;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* the command name may hold spaces: count fields after its ')' */
	p = strrchr(buf, ')');
	if (!p || !p[1] || !p[2])
		return 0;
	/* a zombie or dead process is gone, though its pid is not yet free */
	if (p[2] == 'Z' || p[2] == 'X' || p[2] == 'x')
		return 0;
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		start = strtoull(p, NULL, 10);
	return start;
}

void fmt_age(char *buf, size_t len, __u64 ns)
{
	__u64 s = ns / NSEC_PER_SEC;

	if (ns < NSEC_PER_SEC)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000));
	else if (s < 60)
		snprintf(buf, len, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%llus", (unsigned long long)s / 60,
			 (unsigned long long)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%llum", (unsigned long long)s / 3600,
			 (unsigned long long)(s % 3600) / 60);
	else
		snprintf(buf, len, "%llud%lluh", (unsigned long long)s / 86400,
			 (unsigned long long)(s % 86400) / 3600);
}

bool ifname_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strlen(name);
	return n > 0 && n < IF_NAMESIZE && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

int netns_id(__u64 *dev, __u64 *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

static bool same_ns(const char *path, __u64 dev, __u64 ino)
{
	struct stat st;

	return !stat(path, &st) && st.st_dev == dev && st.st_ino == ino;
}

bool netns_exists(__u64 dev, __u64 ino)
{
	char path[300];
	struct dirent *de;
	bool found = false;
	DIR *d;

	d = opendir("/run/netns");
	while (d && !found && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		found = de->d_name[0] != '.' && same_ns(path, dev, ino);
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (d && !found && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		found = same_ns(path, dev, ino);
	}
	if (d)
		closedir(d);
	return found;
}

int array_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : first;
	na = realloc(*arr, ncap * elem);
	if (!na)
		return -ENOMEM;
	*arr = na;
	*cap = ncap;
	return 0;
}

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * prog_test.c - runs xdpct's BPF programs on crafted frames with
 * BPF_PROG_TEST_RUN: every test of every area (tests/prog/test_*.c, see
 * harness.h), each on a freshly loaded object, with the maps checked field
 * by field afterwards.
 *
 * Output is TAP-like, one line per test: "ok - NAME" or "not ok - NAME #
 * WHY". Without root, or when the object does not load, every test is
 * skipped ("ok - NAME # SKIP ..."), or failed when CI=true. Exit status 0
 * if everything passed, 1 otherwise. An argument runs only the tests whose
 * name contains it.
 */
#include "harness.h"

/* The areas' tables, in link order (PROG_AREA). */
extern const struct prog_area *const __start_prog_areas[];
extern const struct prog_area *const __stop_prog_areas[];

#define for_each_test(a, i)							\
	for (const struct prog_area *const *a = __start_prog_areas; a < __stop_prog_areas; a++) \
		for (size_t i = 0; i < (*a)->n; i++)

static void skip_all(const char *why, bool ci)
{
	for_each_test(a, i) {
		const char *name = (*a)->tests[i].name;

		if (ci)
			printf("not ok - %s # cannot run here: %s (CI must run it)\n", name, why);
		else
			printf("ok - %s # SKIP %s\n", name, why);
	}
}

/* run_one - a fresh object, the test, one TAP line. 0 if it passed. */
static int run_one(const struct prog_test *pt)
{
	struct tctx t;
	int err;

	memset(&t, 0, sizeof(t));
	err = prog_load(&t, !pt->live);
	if (err) {
		printf("not ok - %s # loading the object failed: %s\n", pt->name, strerror(-err));
		return -1;
	}
	if (pt->fn(&t) || t.why[0]) {
		printf("not ok - %s # %s\n", pt->name, t.why[0] ? t.why : "failed");
		err = -1;
	} else {
		printf("ok - %s\n", pt->name);
	}
	ld_destroy(&t.ld);
	return err;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	bool ci = prog_ci();
	struct tctx t;
	int failed = 0, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		skip_all("not root", ci);
		return ci ? 1 : 0;
	}
	memset(&t, 0, sizeof(t));
	err = prog_load(&t, true);
	if (err) {
		char why[128];

		snprintf(why, sizeof(why), "cannot load the BPF object (%s)", strerror(-err));
		skip_all(why, ci);
		return ci ? 1 : 0;
	}
	ld_destroy(&t.ld);

	for_each_test(a, i) {
		const struct prog_test *pt = &(*a)->tests[i];

		if (only && !strstr(pt->name, only))
			continue;
		if (run_one(pt))
			failed++;
	}
	return failed ? 1 : 0;
}

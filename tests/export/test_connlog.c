// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_connlog.c - Zeek conn.log output (user/connlog.c): the Community ID
 * v1 hash against the spec's own test vectors, the header lines, and one
 * line's fields.
 *
 * The vectors (inputs and expected outputs) are those of
 * github.com/corelight/community-id-spec, baseline/baseline_deflt.json
 * (seed 0) and baseline/baseline_seed1.json (seed 1), commit c4ec2bc4,
 * for the protocols with ports (TCP, UDP, SCTP) and one without (RSVP,
 * 46). ICMP's type/code mapping is not implemented: xdpct tracks TCP.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <linux/types.h>

#include "connlog.h"

struct cid_vec {
	__u8 proto;
	const char *saddr, *daddr;
	int sport, dport;	/* -1: no ports */
	__u16 seed;
	const char *want;
};

static const struct cid_vec cid_vecs[] = {
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 0,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, 0,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 46, "10.1.12.1", "10.1.12.2", -1, -1, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 46, "10.1.12.2", "10.1.12.1", -1, -1, 0, "1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=" },
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 1,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7, 1, "1:5w3ZRjeKBzqT3zsaEECDGjUbYeg=" },
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53, 1, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
	{ 46, "10.1.12.2", "10.1.12.1", -1, -1, 1, "1:rYir8gphR31noO9iDRQmF/BteEI=" },
};

static int parse_addr(const char *s, __u8 *out)
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
	return 6;
}

static void test_community_id_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cid_vecs) / sizeof(cid_vecs[0]); i++) {
		const struct cid_vec *c = &cid_vecs[i];
		__u8 s[16] = {}, d[16] = {};
		char got[COMMUNITY_ID_LEN];
		int fam = parse_addr(c->saddr, s);

		parse_addr(c->daddr, d);
		community_id_v1(fam, s, d, c->proto, c->sport < 0 ? 0 : c->sport,
				c->dport < 0 ? 0 : c->dport, c->sport >= 0, c->seed, got);
		if (strcmp(got, c->want))
			fail_msg("vector %zu (%s -> %s, proto %u, seed %u): want %s, got %s", i,
				 c->saddr, c->daddr, c->proto, c->seed, c->want, got);
	}
}

static const char *const want_fields[] = {
	"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service",
	"duration", "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp",
	"missed_bytes", "history", "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes",
	"tunnel_parents", "community_id",
};

static int split_tabs(char *line, char **out, int max)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(line, "\t\n", &save); t && n < max; t = strtok_r(NULL, "\t\n", &save))
		out[n++] = t;
	return n;
}

static void test_header_and_line(void **state)
{
	struct flow_view v = {};
	struct connlog cl;
	char *buf = NULL, *line, *save = NULL, *cols[40], uid1[32] = "";
	size_t len = 0;
	int n, lines = 0, rows = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	v.family = 4;
	inet_pton(AF_INET, "198.18.0.1", v.orig_addr);
	inet_pton(AF_INET, "198.18.0.2", v.resp_addr);
	v.orig_port = 40000;
	v.resp_port = 80;
	v.first_ns = 1700000000123456789ull;
	v.last_ns = v.first_ns + 1500000000ull;
	v.f.dir[0].pkts = 5;
	v.f.dir[0].bytes = 100;
	v.f.dir[0].ip_bytes = 372;
	v.f.dir[1].pkts = 4;
	v.f.dir[1].bytes = 2000;
	v.f.dir[1].ip_bytes = 2216;
	v.conn_state = "SF";
	strcpy(v.history, "ShADadFf");
	connlog_init(&cl, f);
	connlog_header(&cl);
	connlog_write(&cl, &v);
	connlog_write(&cl, &v);
	connlog_footer(&cl);
	fclose(f);

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char copy[1024];

		snprintf(copy, sizeof(copy), "%s", line);
		n = split_tabs(copy, cols, 40);
		switch (lines++) {
		case 0: assert_string_equal(line, "#separator \\x09"); break;
		case 1: assert_string_equal(line, "#set_separator\t,"); break;
		case 2: assert_string_equal(line, "#empty_field\t(empty)"); break;
		case 3: assert_string_equal(line, "#unset_field\t-"); break;
		case 4: assert_string_equal(line, "#path\tconn"); break;
		case 5: assert_string_equal(cols[0], "#open"); break;
		case 6: {
			int i;

			assert_string_equal(cols[0], "#fields");
			assert_int_equal(n - 1, 22);
			for (i = 0; i < 22; i++)
				assert_string_equal(cols[i + 1], want_fields[i]);
			break;
		}
		case 7:
			assert_string_equal(cols[0], "#types");
			assert_int_equal(n - 1, 22);
			assert_string_equal(cols[1], "time");
			assert_string_equal(cols[21], "set[string]");
			break;
		case 8:
		case 9:
			assert_int_equal(n, 22);
			assert_string_equal(cols[0], "1700000000.123456");
			assert_true(cols[1][0] == 'C' && strlen(cols[1]) > 8);
			/* a unique uid per flow */
			if (rows++ == 0)
				snprintf(uid1, sizeof(uid1), "%s", cols[1]);
			else
				assert_string_not_equal(uid1, cols[1]);
			assert_string_equal(cols[2], "198.18.0.1");
			assert_string_equal(cols[3], "40000");
			assert_string_equal(cols[5], "80");
			assert_string_equal(cols[6], "tcp");
			assert_string_equal(cols[8], "1.500000");
			assert_string_equal(cols[9], "100");
			assert_string_equal(cols[10], "2000");
			assert_string_equal(cols[11], "SF");
			assert_string_equal(cols[15], "ShADadFf");
			assert_string_equal(cols[16], "5");
			assert_string_equal(cols[17], "372");
			assert_string_equal(cols[18], "4");
			assert_string_equal(cols[19], "2216");
			assert_string_equal(cols[20], "-");
			assert_int_equal(strncmp(cols[21], "1:", 2), 0);
			break;
		case 10: assert_string_equal(cols[0], "#close"); break;
		}
	}
	assert_int_equal(lines, 11);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_community_id_vectors),
		cmocka_unit_test(test_header_and_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

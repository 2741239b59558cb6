// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_zeek.c - Zeek's conn_state from a flow's history letters
 * (zeek_conn_state in user/zeek.c, declared in user/flowview.h): every
 * state Zeek's conn.log uses, with the histories of the Zeek oracle rows
 * (tests/zeek/oracle) and of Zeek's endpoint rules. REJ between two
 * resets depends on the byte counts, so those cases set the flow's
 * sequence numbers too.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "flowview.h"

/* conn_state - Zeek's state for a flow with only this history recorded */
static const char *conn_state(const char *history)
{
	static struct flow_view v;

	memset(&v, 0, sizeof(v));
	assert_true(strlen(history) <= HISTORY_MAX);
	snprintf(v.history, sizeof(v.history), "%s", history);
	return zeek_conn_state(&v);
}

static void test_syn_without_answer_is_S0(void **s)
{
	(void)s;
	assert_string_equal(conn_state("S"), "S0");
	assert_string_equal(conn_state("SAD"), "S0");	/* ssh half-duplex */
}

static void test_fin_without_answer_is_SH(void **s)
{
	(void)s;
	assert_string_equal(conn_state("DAF"), "SH");	/* ssh half-duplex, after the split */
	assert_string_equal(conn_state("ADF"), "SH");
	assert_string_equal(conn_state("SADF"), "SH");
	assert_string_equal(conn_state("SF"), "SH");
}

static void test_established_not_closed_is_S1(void **s)
{
	(void)s;
	assert_string_equal(conn_state("^hADd"), "S1");	/* krb, SYN-ACK first */
	assert_string_equal(conn_state("ShA"), "S1");
	assert_string_equal(conn_state("ShADad"), "S1");
}

static void test_fins_both_ways_is_SF(void **s)
{
	(void)s;
	assert_string_equal(conn_state("ShAdDafF"), "SF");
	assert_string_equal(conn_state("ShAdfFa"), "SF");
	assert_string_equal(conn_state("ShADadFf"), "SF");
	assert_string_equal(conn_state("^hADdFaf"), "SF");	/* missing SYN */
	assert_string_equal(conn_state("ShADafgF"), "SF");	/* content gap */
}

static void test_rst_answering_syn_is_REJ(void **s)
{
	(void)s;
	assert_string_equal(conn_state("Sr"), "REJ");
	assert_string_equal(conn_state("SAr"), "REJ");	/* orig still SYN_SENT */
}

/* both sides reset: REJ if neither sent a byte, else RSTR */
static void test_both_reset_is_REJ_without_bytes_RSTR_with(void **s)
{
	struct flow_view v;

	(void)s;
	memset(&v, 0, sizeof(v));
	snprintf(v.history, sizeof(v.history), "ShRr");
	v.f.dir[CT_DIR_ORIG].isn = 1000;
	v.f.dir[CT_DIR_ORIG].end = 1001;
	v.f.dir[CT_DIR_ORIG].ack = 5001;
	v.f.dir[CT_DIR_ORIG].pkts = 2;
	v.f.flags[CT_DIR_ORIG] = TCP_FL_SYN | TCP_FL_RST | TCP_FL_ACK;
	v.f.dir[CT_DIR_RESP].isn = 5000;
	v.f.dir[CT_DIR_RESP].end = 5001;
	v.f.dir[CT_DIR_RESP].ack = 1001;
	v.f.dir[CT_DIR_RESP].pkts = 2;
	v.f.flags[CT_DIR_RESP] = TCP_FL_SYN | TCP_FL_RST | TCP_FL_ACK;
	assert_string_equal(zeek_conn_state(&v), "REJ");

	/* the originator sent 100 bytes, acked */
	v.f.dir[CT_DIR_ORIG].end = 1101;
	v.f.dir[CT_DIR_RESP].ack = 1101;
	assert_string_equal(zeek_conn_state(&v), "RSTR");

	/* the responder sent 10 bytes the originator never acked */
	v.f.dir[CT_DIR_ORIG].end = 1001;
	v.f.dir[CT_DIR_RESP].ack = 1001;
	v.f.dir[CT_DIR_RESP].end = 5011;
	assert_string_equal(zeek_conn_state(&v), "RSTR");
}

static void test_orig_syn_then_rst_is_RSTOS0(void **s)
{
	(void)s;
	assert_string_equal(conn_state("SR"), "RSTOS0");	/* syn-then-rst */
	assert_string_equal(conn_state("SdR"), "RSTOS0");
	assert_string_equal(conn_state("SaR"), "RSTOS0");
}

static void test_orig_rst_not_after_syn_alone_is_OTH(void **s)
{
	(void)s;
	assert_string_equal(conn_state("R"), "OTH");	/* single-rst */
	assert_string_equal(conn_state("SaFR"), "OTH");	/* syn-then-stuff-then-rst */
	assert_string_equal(conn_state("SAR"), "OTH");
}

static void test_orig_rst_after_established_is_RSTO(void **s)
{
	(void)s;
	assert_string_equal(conn_state("ShADaGdgtR"), "RSTO");	/* retransmit-fast009 */
	assert_string_equal(conn_state("ShAR"), "RSTO");
}

static void test_resp_rst_after_established_is_RSTR(void **s)
{
	(void)s;
	assert_string_equal(conn_state("ShADr"), "RSTR");
	assert_string_equal(conn_state("ShADdar"), "RSTR");
	assert_string_equal(conn_state("ShAFr"), "RSTR");
}

static void test_resp_rst_with_inactive_orig_is_RSTRH(void **s)
{
	(void)s;
	assert_string_equal(conn_state("^hr"), "RSTRH");	/* SYN-ACK, RST, no SYN */
	assert_string_equal(conn_state("Dr"), "RSTRH");		/* partial orig */
}

static void test_orig_fin_only_after_handshake_is_S2(void **s)
{
	(void)s;
	assert_string_equal(conn_state("ShAF"), "S2");
	assert_string_equal(conn_state("ShADdF"), "S2");
}

static void test_resp_fin_only_after_handshake_is_S3(void **s)
{
	(void)s;
	assert_string_equal(conn_state("ShAf"), "S3");
	assert_string_equal(conn_state("ShADdf"), "S3");
}

static void test_resp_synack_then_fin_is_SHR(void **s)
{
	(void)s;
	assert_string_equal(conn_state("^hf"), "SHR");
	assert_string_equal(conn_state("Df"), "SHR");
}

static void test_midstream_both_partial_is_OTH(void **s)
{
	(void)s;
	assert_string_equal(conn_state("Dd"), "OTH");
	assert_string_equal(conn_state("DdAa"), "OTH");
	assert_string_equal(conn_state("A"), "OTH");
	assert_string_equal(conn_state(""), "OTH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_without_answer_is_S0),
		cmocka_unit_test(test_fin_without_answer_is_SH),
		cmocka_unit_test(test_established_not_closed_is_S1),
		cmocka_unit_test(test_fins_both_ways_is_SF),
		cmocka_unit_test(test_rst_answering_syn_is_REJ),
		cmocka_unit_test(test_both_reset_is_REJ_without_bytes_RSTR_with),
		cmocka_unit_test(test_orig_syn_then_rst_is_RSTOS0),
		cmocka_unit_test(test_orig_rst_not_after_syn_alone_is_OTH),
		cmocka_unit_test(test_orig_rst_after_established_is_RSTO),
		cmocka_unit_test(test_resp_rst_after_established_is_RSTR),
		cmocka_unit_test(test_resp_rst_with_inactive_orig_is_RSTRH),
		cmocka_unit_test(test_orig_fin_only_after_handshake_is_S2),
		cmocka_unit_test(test_resp_fin_only_after_handshake_is_S3),
		cmocka_unit_test(test_resp_synack_then_fin_is_SHR),
		cmocka_unit_test(test_midstream_both_partial_is_OTH),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

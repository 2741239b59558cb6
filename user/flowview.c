// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* flowview.c - flow records as users see them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "flowview.h"

static const char *const state_names[CT_STATE_COUNT] = {
	[CT_STATE_NONE] = "NONE",
	[CT_STATE_SYN_SENT] = "SYN_SENT",
	[CT_STATE_SYN_RECV] = "SYN_RECV",
	[CT_STATE_ESTABLISHED] = "ESTABLISHED",
	[CT_STATE_FIN_WAIT] = "FIN_WAIT",
	[CT_STATE_CLOSE_WAIT] = "CLOSE_WAIT",
	[CT_STATE_LAST_ACK] = "LAST_ACK",
	[CT_STATE_TIME_WAIT] = "TIME_WAIT",
	[CT_STATE_CLOSE] = "CLOSE",
	[CT_STATE_SYN_SENT2] = "SYN_SENT2",
};

const char *ct_state_name(__u8 state)
{
	return state < CT_STATE_COUNT ? state_names[state] : "?";
}

int ct_state_parse(const char *name)
{
	int i;

	for (i = 0; i < CT_STATE_COUNT; i++)
		if (!strcasecmp(name, state_names[i]))
			return i;
	return -1;
}

static const struct {
	__u32 bit;
	const char *name;
} anomaly_table[] = {
	{ CT_ANOM_BAD_SYNACK_ACK, "BAD_SYNACK_ACK" },
	{ CT_ANOM_BAD_HANDSHAKE_ACK, "BAD_HANDSHAKE_ACK" },
	{ CT_ANOM_SYNACK_WITHOUT_SYN, "SYNACK_WITHOUT_SYN" },
	{ CT_ANOM_ACK_BEFORE_SYNACK, "ACK_BEFORE_SYNACK" },
	{ CT_ANOM_DATA_BEFORE_ESTABLISHED, "DATA_BEFORE_ESTABLISHED" },
	{ CT_ANOM_SYN_ON_ESTABLISHED, "SYN_ON_ESTABLISHED" },
	{ CT_ANOM_ACK_UNSENT_DATA, "ACK_UNSENT_DATA" },
	{ CT_ANOM_SEQ_OUT_OF_WINDOW, "SEQ_OUT_OF_WINDOW" },
	{ CT_ANOM_RST_OUT_OF_WINDOW, "RST_OUT_OF_WINDOW" },
	{ CT_ANOM_MIDSTREAM, "MIDSTREAM" },
	{ CT_ANOM_SEQ_WRAPPED, "SEQ_WRAPPED" },
	{ CT_ANOM_RST_SEQ_INEXACT, "RST_SEQ_INEXACT" },
	{ CT_ANOM_ONE_HOOK_BOTH_WAYS, "ONE_HOOK_BOTH_WAYS" },
	{ CT_ANOM_ONE_SIDED, "ONE_SIDED" },
	{ CT_ANOM_PREDICTABLE_ISN, "PREDICTABLE_ISN" },
};

int anomaly_names(__u32 bits, const char **names, int max)
{
	int i, n = 0;

	for (i = 0; i < (int)(sizeof(anomaly_table) / sizeof(anomaly_table[0])) && n < max; i++)
		if (bits & anomaly_table[i].bit)
			names[n++] = anomaly_table[i].name;
	return n;
}

const char *anomaly_name(__u32 bit)
{
	size_t i;

	for (i = 0; i < sizeof(anomaly_table) / sizeof(anomaly_table[0]); i++)
		if (anomaly_table[i].bit == bit)
			return anomaly_table[i].name;
	return "?";
}

__u32 anomaly_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(anomaly_table) / sizeof(anomaly_table[0]); i++)
		if (!strcasecmp(anomaly_table[i].name, name))
			return anomaly_table[i].bit;
	return 0;
}

void addr_str(int family, const __u8 *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
}

void endpoint_str(int family, const __u8 *addr, __u16 port, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(family, addr, a, sizeof(a));
	if (family == 6)
		snprintf(buf, len, "[%s]:%u", a, port);
	else
		snprintf(buf, len, "%s:%u", a, port);
}

void tcp_flags_str(__u8 flags, char *buf, size_t len)
{
	static const struct {
		__u8 bit;
		char c;
	} t[] = {
		{ TCP_FL_SYN, 'S' }, { TCP_FL_ACK, 'A' }, { TCP_FL_FIN, 'F' }, { TCP_FL_RST, 'R' },
		{ TCP_FL_PSH, 'P' }, { TCP_FL_URG, 'U' }, { TCP_FL_ECE, 'E' }, { TCP_FL_CWR, 'C' },
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(t) / sizeof(t[0]) && n + 1 < len; i++)
		if (flags & t[i].bit)
			buf[n++] = t[i].c;
	if (n == 0 && len > 1)
		buf[n++] = '-';
	buf[n] = 0;
}

/* acked - bytes of side s's data that its peer acknowledged (seed-notes §3). */
static __u64 acked(const struct flow *f, int s)
{
	const struct flow_dir *d = &f->dir[s], *p = &f->dir[s ^ 1];
	int fin_acked;

	if (!d->pkts || !p->ack)
		return 0;
	/* an ack before the first byte (e.g. of a SYN) acks no data: its
	 * offset lies beyond everything sent, while less than 4 GiB was (a
	 * signed test would take 2 to 4 GiB acked for that too) */
	if (!p->ack_wraps && d->bytes < 0xffff0000ull &&
	    (__u32)(p->ack - (d->isn + 1)) > (__u32)(d->end - d->isn))
		return 0;
	fin_acked = (f->flags[s] & TCP_FL_FIN) && !seq_before(p->ack, d->end);
	return ct_acked_bytes(d->isn, p->ack, p->ack_wraps, fin_acked);
}

static void history_str(const struct flow *f, char *buf, size_t len)
{
	unsigned int i, n = 0;

	if ((f->ctl & CT_CTL_FIRST_RESP) && n + 1 < len)
		buf[n++] = '^';
	for (i = 0; i < ct_hist_count(f->history) && n + 1 < len; i++)
		buf[n++] = ct_hist_letter(f->history, i);
	buf[n] = 0;
}

/* derive - everything computed from the record. */
static void derive(struct flow_view *v, __s64 time_off, __u64 now)
{
	const struct flow *f = &v->f;
	const struct flow_dir *o = &f->dir[CT_DIR_ORIG], *r = &f->dir[CT_DIR_RESP];
	__u64 first = 0, last = 0;
	int s;

	v->state = f->ctl & CT_CTL_STATE_MASK;
	v->anomalies = f->anomalies;
	history_str(f, v->history, sizeof(v->history));
	v->orig_acked = acked(f, CT_DIR_ORIG);
	v->resp_acked = acked(f, CT_DIR_RESP);

	/* only one direction seen, but the other clearly exists: the talker
	 * acknowledges data or a SYN we never saw (asymmetric routing, or a
	 * capture of one direction) */
	for (s = 0; s < 2; s++)
		if (!f->dir[s ^ 1].pkts && f->dir[s].pkts && (f->flags[s] & TCP_FL_ACK))
			v->anomalies |= CT_ANOM_ONE_SIDED;

	v->syn_rtt_us = -1;
	v->ack_rtt_us = -1;
	/* a stale SYN-ACK, or a SYN sent twice, muddles which answer to time
	 * (Karn): no sample */
	if ((f->ctl & CT_CTL_ISN_ORIG) && (f->ctl & CT_CTL_ISN_RESP) &&
	    !(f->ctl & (CT_CTL_FIRST_RESP | CT_CTL_SIMOPEN)) && !o->syn_again && !r->syn_again &&
	    !(f->anomalies & CT_ANOM_BAD_SYNACK_ACK) && r->first_ns >= o->first_ns)
		v->syn_rtt_us = (long long)((r->first_ns - o->first_ns) / 1000);
	if (f->ctl & CT_CTL_ESTABLISHED_ONCE)
		v->ack_rtt_us = f->ack_rtt_us;

	for (s = 0; s < 2; s++) {
		const struct flow_dir *d = &f->dir[s];

		if (!d->pkts)
			continue;
		if (!first || d->first_ns < first)
			first = d->first_ns;
		if (d->last_ns > last)
			last = d->last_ns;
	}
	v->first_ns = first ? first + time_off : 0;
	v->last_ns = last ? last + time_off : 0;
	v->expired = f->expires_ns && now >= f->expires_ns;
	v->expires_in_s = v->expired ? -1 : (long long)((f->expires_ns - now) / 1000000000ull);
	v->conn_state = zeek_conn_state(v);
}

void flow_view_fill(struct flow_view *v, int family, const void *key, const struct flow *f,
		    __s64 time_off, __u64 now)
{
	int os = (f->ctl & CT_CTL_ORIG_SIDE) ? 1 : 0;

	memset(v, 0, sizeof(*v));
	v->family = family;
	v->f = *f;
	if (family == 4) {
		const struct flow_key4 *k = key;

		memcpy(v->orig_addr, &k->addr[os], 4);
		memcpy(v->resp_addr, &k->addr[os ^ 1], 4);
		v->orig_port = ntohs(k->port[os]);
		v->resp_port = ntohs(k->port[os ^ 1]);
	} else {
		const struct flow_key6 *k = key;

		memcpy(v->orig_addr, k->addr[os], 16);
		memcpy(v->resp_addr, k->addr[os ^ 1], 16);
		v->orig_port = ntohs(k->port[os]);
		v->resp_port = ntohs(k->port[os ^ 1]);
	}
	derive(v, time_off, now);
}

void flow_view_from_event(struct flow_view *v, const struct ct_event *e, __s64 time_off,
			  __u64 now)
{
	int os = (e->flow.ctl & CT_CTL_ORIG_SIDE) ? 1 : 0;

	memset(v, 0, sizeof(*v));
	v->family = e->family;
	v->f = e->flow;
	memcpy(v->orig_addr, e->addr[os], e->family == 4 ? 4 : 16);
	memcpy(v->resp_addr, e->addr[os ^ 1], e->family == 4 ? 4 : 16);
	v->orig_port = ntohs(e->port[os]);
	v->resp_port = ntohs(e->port[os ^ 1]);
	derive(v, time_off, now);
}

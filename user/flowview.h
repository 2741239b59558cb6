/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * flowview.h - a flow record as users see it: originator and responder
 * resolved from the canonical key, times in wall-clock ns, and everything
 * derived from the recorded facts (history, Zeek conn_state, acked bytes,
 * handshake RTTs, one-sidedness).
 */
#ifndef XDPCT_FLOWVIEW_H
#define XDPCT_FLOWVIEW_H

#include <stdbool.h>
#include <linux/types.h>

#include "flow.h"

#define HISTORY_MAX (CT_HIST_SLOTS + 2)

struct flow_view {
	__u8 family;		/* 4 or 6 */
	bool in_halfopen;	/* held in the half-open map */
	bool expired;		/* past its timeout (hidden by show) */
	bool ended;		/* a record that was replaced (replay) */
	__u8 orig_addr[16];	/* network order; IPv4 in the first 4 bytes */
	__u8 resp_addr[16];
	__u16 orig_port;	/* host order */
	__u16 resp_port;
	struct flow f;

	/* derived */
	const char *conn_state;	/* Zeek's vocabulary */
	__u64 orig_acked;	/* orig bytes the responder acked */
	__u64 resp_acked;
	long long syn_rtt_us;	/* SYN -> SYN-ACK, -1 unknown */
	long long ack_rtt_us;	/* SYN-ACK -> handshake ACK, -1 unknown */
	__u64 first_ns;		/* wall clock (or capture) ns */
	__u64 last_ns;
	long long expires_in_s;	/* seconds to timeout, -1 past it */
	__u32 anomalies;	/* BPF bits and userspace findings */
	__u8 state;
	char history[HISTORY_MAX + 1];
	__u8 pad[4];
};

/*
 * flow_view_fill - resolve a flow read from a map. key is a struct
 * flow_key4 or flow_key6 (family 4 or 6). time_off converts the record's
 * times to wall clock (live: realtime - monotonic; replay: 0); now is the
 * record clock's current time for the timeout.
 */
void flow_view_fill(struct flow_view *v, int family, const void *key, const struct flow *f,
		    __s64 time_off, __u64 now);

/* The same from a ring-buffer event's canonical addresses. */
void flow_view_from_event(struct flow_view *v, const struct ct_event *e, __s64 time_off,
			  __u64 now);

const char *ct_state_name(__u8 state);
/* Parse a state name (case-insensitive); -1 if unknown. */
int ct_state_parse(const char *name);

/* Anomaly names, in bit order; returns count written to names[]. */
int anomaly_names(__u32 bits, const char **names, int max);
const char *anomaly_name(__u32 bit);
/* anomaly_by_name - the bit of a name, 0 if unknown. */
__u32 anomaly_by_name(const char *name);

/* addr_str - "198.18.0.1" or "fc00::1". */
void addr_str(int family, const __u8 *addr, char *buf, size_t len);
/* endpoint_str - "198.18.0.1:80" or "[fc00::1]:80". */
void endpoint_str(int family, const __u8 *addr, __u16 port, char *buf, size_t len);

/* TCP flag letters seen, e.g. "SAFP" (S A F R P U E C). */
void tcp_flags_str(__u8 flags, char *buf, size_t len);

/* zeek_conn_state - Zeek's conn_state for a view (history already set). */
const char *zeek_conn_state(const struct flow_view *v);

#endif /* XDPCT_FLOWVIEW_H */

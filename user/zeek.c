// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * zeek.c - Zeek's conn_state from the facts xdpct records.
 *
 * Zeek keeps a state per endpoint (inactive, SYN sent, SYN-ACK sent,
 * partial, established, closed, reset) and maps the pair to conn_state
 * (scripts/base/protocols/conn/main.zeek). The endpoint states follow from
 * the order in which each side first sent a SYN, SYN-ACK, FIN, RST, ACK or
 * data, which is exactly the history xdpct records, so the endpoints are
 * replayed over the history letters here.
 */
#include <ctype.h>
#include <string.h>

#include <linux/types.h>

#include "flow.h"
#include "tcp_fsm.h"
#include "flowview.h"

enum zeek_ep {
	ZEEK_EP_INACTIVE,
	ZEEK_EP_SYN_SENT,
	ZEEK_EP_SYN_ACK_SENT,
	ZEEK_EP_PARTIAL,
	ZEEK_EP_ESTABLISHED,
	ZEEK_EP_CLOSED,
	ZEEK_EP_RESET,
};

struct endpoint {
	enum zeek_ep state, prev;
};

static void set_state(struct endpoint *e, enum zeek_ep s)
{
	if (e->state != s) {
		e->prev = e->state;
		e->state = s;
	}
}

/* step - endpoint ep (is_orig) sent a packet first recorded as letter c. */
static void step(struct endpoint *ep, struct endpoint *peer, int is_orig, char c)
{
	switch (ep->state) {
	case ZEEK_EP_INACTIVE:
		if (c == 's' || c == 'h') {
			if (is_orig) {
				set_state(ep, c == 'h' ? ZEEK_EP_SYN_ACK_SENT : ZEEK_EP_SYN_SENT);
			} else {
				/* a SYN-ACK answering the SYN establishes both */
				if (peer->state == ZEEK_EP_SYN_SENT)
					set_state(peer, ZEEK_EP_ESTABLISHED);
				set_state(ep, ZEEK_EP_ESTABLISHED);
			}
		} else if (c == 'f') {
			set_state(ep, ZEEK_EP_CLOSED);
		} else if (c == 'r') {
			set_state(ep, ZEEK_EP_RESET);
		} else if (c == 'a' || c == 'd') {
			/* a responder's pure ACK to a SYN does not wake it */
			if (!is_orig && c == 'a' && peer->state == ZEEK_EP_SYN_SENT)
				break;
			set_state(ep, peer->state == ZEEK_EP_ESTABLISHED ? ZEEK_EP_ESTABLISHED : ZEEK_EP_PARTIAL);
		}
		break;
	case ZEEK_EP_SYN_SENT:
	case ZEEK_EP_SYN_ACK_SENT:
		if (c == 'f')
			set_state(ep, ZEEK_EP_CLOSED);
		else if (c == 'r')
			set_state(ep, ZEEK_EP_RESET);
		break;
	case ZEEK_EP_PARTIAL:
	case ZEEK_EP_ESTABLISHED:
		if (c == 's' && ep->state == ZEEK_EP_PARTIAL && peer->state == ZEEK_EP_INACTIVE) {
			set_state(ep, ZEEK_EP_SYN_SENT);
		} else if (c == 'f') {
			set_state(ep, ZEEK_EP_CLOSED);
			if (peer->state == ZEEK_EP_RESET && peer->prev == ZEEK_EP_CLOSED)
				set_state(peer, ZEEK_EP_CLOSED);
		} else if (c == 'r') {
			set_state(ep, ZEEK_EP_RESET);
		}
		break;
	case ZEEK_EP_CLOSED:
		if (c == 'r' && peer->state != ZEEK_EP_CLOSED)
			set_state(ep, ZEEK_EP_RESET);
		break;
	case ZEEK_EP_RESET:
		break;
	}
}

/* rstos0_match - the history matches ^?S[^HAFGIQ]*R.* (Zeek's RSTOS0). */
static int rstos0_match(const char *h)
{
	if (*h == '^')
		h++;
	if (*h++ != 'S')
		return 0;
	for (; *h; h++) {
		if (*h == 'R')
			return 1;
		if (strchr("HAFGIQ", *h))
			return 0;
	}
	return 0;
}

/* zeek_size - Zeek's byte count of side s: from sequence numbers. */
static __u64 zeek_size(const struct flow *f, int s)
{
	const struct flow_dir *d = &f->dir[s], *p = &f->dir[s ^ 1];
	__u32 top = d->end;
	__u64 size;

	if (!d->pkts && !p->ack)
		return 0;
	if (p->ack && seq_after(p->ack, top))
		top = p->ack;
	size = (__u32)(top - d->isn) + ((__u64)p->ack_wraps << 32);
	if (size)
		size--;
	if ((f->flags[s] & TCP_FL_FIN) && size)
		size--;
	return size;
}

const char *zeek_conn_state(const struct flow_view *v)
{
	struct endpoint o = { ZEEK_EP_INACTIVE, ZEEK_EP_INACTIVE };
	struct endpoint r = { ZEEK_EP_INACTIVE, ZEEK_EP_INACTIVE };
	const char *h;
	int o_inact, r_inact;

	for (h = v->history; *h; h++) {
		int is_orig = isupper((unsigned char)*h);
		char c = (char)tolower((unsigned char)*h);

		if (*h == '^' || !strchr("shadfr", c))
			continue;
		if (is_orig)
			step(&o, &r, 1, c);
		else
			step(&r, &o, 0, c);
	}
	o_inact = o.state == ZEEK_EP_INACTIVE || o.state == ZEEK_EP_PARTIAL;
	r_inact = r.state == ZEEK_EP_INACTIVE || r.state == ZEEK_EP_PARTIAL;

	if (r.state == ZEEK_EP_RESET) {
		if (o.state == ZEEK_EP_SYN_SENT || o.state == ZEEK_EP_SYN_ACK_SENT ||
		    (o.state == ZEEK_EP_RESET && !zeek_size(&v->f, 0) && !zeek_size(&v->f, 1)))
			return "REJ";
		return o_inact ? "RSTRH" : "RSTR";
	}
	if (o.state == ZEEK_EP_RESET) {
		if (r_inact)
			return rstos0_match(v->history) ? "RSTOS0" : "OTH";
		return "RSTO";
	}
	if (o.state == ZEEK_EP_CLOSED && r.state == ZEEK_EP_CLOSED)
		return "SF";
	if (o.state == ZEEK_EP_CLOSED)
		return r_inact ? "SH" : "S2";
	if (r.state == ZEEK_EP_CLOSED)
		return o_inact ? "SHR" : "S3";
	if (o.state == ZEEK_EP_SYN_SENT && r.state == ZEEK_EP_INACTIVE)
		return "S0";
	if (o.state == ZEEK_EP_ESTABLISHED && r.state == ZEEK_EP_ESTABLISHED)
		return "S1";
	return "OTH";
}

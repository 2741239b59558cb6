// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * filter.c - the flow filters, order and limit that show, replay, run,
 * events and top share (one argp child), as conntrack -L and ss users
 * expect them: a value that is not valid is a usage error naming the option
 * and what it takes.
 */
#include <argp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "cli.h"
#include "filter.h"
#include "jsonl.h"
#include "util.h"

void filter_init(struct flow_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->sport = -1;
	f->dport = -1;
}

int filter_parse_cidr(const char *s, struct flow_cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	__u64 len;
	int max;

	if (!alen || alen >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->family = 4;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->family = 6;
	else
		return -EINVAL;
	max = c->family == 4 ? 32 : 128;
	if (!slash)
		len = (__u64)max;
	else if (parse_u64(slash + 1, 0, (__u64)max, &len))
		return -EINVAL;
	c->len = (__u8)len;
	return 0;
}

static bool cidr_match(const struct flow_cidr *c, int family, const __u8 *addr)
{
	int full = c->len / 8, rest = c->len % 8;

	if (!c->family)
		return true;
	if (c->family != family)
		return false;
	if (memcmp(c->addr, addr, (size_t)full))
		return false;
	if (!rest)
		return true;
	return !((c->addr[full] ^ addr[full]) & (__u8)(0xff00 >> rest));
}

bool filter_match(const struct flow_filter *f, const struct flow_view *v)
{
	if (f->states && !(f->states & (1u << v->state)))
		return false;
	if (f->family && f->family != v->family)
		return false;
	if (!cidr_match(&f->src, v->family, v->orig_addr) ||
	    !cidr_match(&f->dst, v->family, v->resp_addr))
		return false;
	if ((f->sport >= 0 && f->sport != v->orig_port) ||
	    (f->dport >= 0 && f->dport != v->resp_port))
		return false;
	return !f->anomaly || (v->anomalies & f->anomaly);
}

static __u64 total(const struct flow_view *v, bool bytes)
{
	return bytes ? v->f.dir[0].bytes + v->f.dir[1].bytes : v->f.dir[0].pkts + v->f.dir[1].pkts;
}

/* rtt_us - the whole handshake's round trip, -1 when not known */
static long long rtt_us(const struct flow_view *v)
{
	return v->syn_rtt_us < 0 || v->ack_rtt_us < 0 ? -1 : v->syn_rtt_us + v->ack_rtt_us;
}

/* the sort key, larger first */
static __u64 sort_key(enum flow_sort s, const struct flow_view *v)
{
	switch (s) {
	case FLOW_SORT_BYTES: return total(v, true);
	case FLOW_SORT_PKTS: return total(v, false);
	case FLOW_SORT_AGE: return v->first_ns;
	case FLOW_SORT_LAST: return v->last_ns;
	case FLOW_SORT_RTT: return (__u64)(rtt_us(v) + 1);	/* unknown (-1) sorts last */
	default: return 0;
	}
}

int filter_cmp(enum flow_sort s, const struct flow_view *x, const struct flow_view *y)
{
	__u64 kx = sort_key(s, x), ky = sort_key(s, y);
	int c;

	if (kx != ky)
		return kx > ky ? -1 : 1;
	/* ties: first packet, then originator, as flow_vec_sort orders them */
	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	c = memcmp(x->orig_addr, y->orig_addr, 16);
	return c ? c : (int)x->orig_port - (int)y->orig_port;
}

static int cmp_views(const void *a, const void *b, void *sort)
{
	return filter_cmp(*(enum flow_sort *)sort, a, b);
}

void filter_apply(const struct flow_filter *f, struct flow_vec *fv)
{
	size_t i, n = 0;

	if (f->set) {
		for (i = 0; i < fv->n; i++)
			if (filter_match(f, &fv->v[i]))
				fv->v[n++] = fv->v[i];
		fv->n = n;
	}
	if (f->sort != FLOW_SORT_NONE && fv->n > 1) {
		enum flow_sort sort = f->sort;

		qsort_r(fv->v, fv->n, sizeof(fv->v[0]), cmp_views, &sort);
	}
	if (f->limit && fv->n > f->limit)
		fv->n = (size_t)f->limit;
}

void filter_print_count(FILE *f, size_t n, bool json, const char *tag)
{
	if (json)
		jsonl_count(f, tag, n);
	else if (tag)
		fprintf(f, "%s %zu\n", tag, n);
	else
		fprintf(f, "%zu\n", n);
}

static const char *const sort_names[] = {
	[FLOW_SORT_BYTES] = "bytes", [FLOW_SORT_PKTS] = "pkts", [FLOW_SORT_AGE] = "age",
	[FLOW_SORT_LAST] = "last", [FLOW_SORT_RTT] = "rtt",
};

/* parse_states - "ESTABLISHED,SYN_SENT" as state bits; -EINVAL on an unknown name */
static int parse_states(const char *arg, __u32 *bits)
{
	char *dup = strdup(arg), *tok, *save = NULL;
	int err = 0;

	if (!dup)
		return -ENOMEM;
	*bits = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int s = ct_state_parse(tok);

		if (s <= CT_STATE_NONE) {
			err = -EINVAL;
			break;
		}
		*bits |= 1u << s;
	}
	free(dup);
	return err || !*bits ? -EINVAL : 0;
}

static int parse_port(const char *arg)
{
	__u64 v;

	return parse_u64(arg, 0, 65535, &v) ? -1 : (int)v;
}

static error_t filter_parse(int key, char *arg, struct argp_state *state)
{
	struct flow_filter *f = state->input;
	__u64 v;
	size_t i;

	switch (key) {
	case OPT_STATE:
		if (parse_states(arg, &f->states))
			argp_error(state, "--state takes nf_conntrack states separated by commas "
				   "(SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK, "
				   "TIME_WAIT, CLOSE, SYN_SENT2), not '%s'", arg);
		break;
	case OPT_SRC:
	case OPT_DST:
		if (filter_parse_cidr(arg, key == OPT_SRC ? &f->src : &f->dst))
			argp_error(state, "--%s takes an address or CIDR (198.18.0.0/15, "
				   "fc00::1), not '%s'", key == OPT_SRC ? "src" : "dst", arg);
		break;
	case OPT_SPORT:
	case OPT_DPORT:
		if ((*(key == OPT_SPORT ? &f->sport : &f->dport) = parse_port(arg)) < 0)
			argp_error(state, "--%s takes a port from 0 to 65535, not '%s'",
				   key == OPT_SPORT ? "sport" : "dport", arg);
		break;
	case OPT_ANOMALY:
		/* any: every anomaly, not the informational SEQ_WRAPPED */
		f->anomaly = !strcasecmp(arg, "any") ? ~(__u32)CT_ANOM_INFO_MASK
						     : anomaly_by_name(arg);
		if (!f->anomaly)
			argp_error(state, "--anomaly takes an anomaly name (BAD_SYNACK_ACK, "
				   "MIDSTREAM, ... as xdpct prints them) or 'any', not '%s'", arg);
		break;
	case OPT_FAMILY:
		if (!strcmp(arg, "ipv4") || !strcmp(arg, "4"))
			f->family = 4;
		else if (!strcmp(arg, "ipv6") || !strcmp(arg, "6"))
			f->family = 6;
		else
			argp_error(state, "--family takes ipv4 or ipv6, not '%s'", arg);
		break;
	case OPT_SORT:
		for (i = 1; i < ARRAY_SIZE(sort_names); i++)
			if (!strcmp(arg, sort_names[i]))
				f->sort = (enum flow_sort)i;
		if (f->sort == FLOW_SORT_NONE)
			argp_error(state, "--sort takes bytes, pkts, age, last or rtt, not '%s'",
				   arg);
		return 0;
	case OPT_LIMIT:
		if (parse_u64(arg, 1, 1ull << 32, &v))
			argp_error(state, "--limit takes a number of flows from 1 to %llu, not '%s'",
				   1ull << 32, arg);
		f->limit = v;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	f->set = true;
	return 0;
}

static const struct argp_option filter_options[] = {
	{ NULL, 0, NULL, 0, "Filters (all given must match):", 20 },
	{ "state", OPT_STATE, "STATE[,STATE...]", 0,
	  "nf_conntrack state, e.g. ESTABLISHED or SYN_SENT,SYN_RECV", 20 },
	{ "src", OPT_SRC, "CIDR", 0, "originator address in CIDR (a bare address: /32, /128)", 20 },
	{ "dst", OPT_DST, "CIDR", 0, "responder address in CIDR", 20 },
	{ "sport", OPT_SPORT, "N", 0, "originator port", 20 },
	{ "dport", OPT_DPORT, "N", 0, "responder port", 20 },
	{ "anomaly", OPT_ANOMALY, "NAME|any", 0, "flows with this anomaly (any: with one)", 20 },
	{ "family", OPT_FAMILY, "ipv4|ipv6", 0, "one address family", 20 },
	{ NULL, 0, NULL, 0, "Order and size:", 21 },
	{ "sort", OPT_SORT, "bytes|pkts|age|last|rtt", 0,
	  "bytes, pkts: both directions, largest first; age, last: most recent first "
	  "(first or last packet); rtt: slowest handshake first", 21 },
	{ "limit", OPT_LIMIT, "N", 0, "at most N flows", 21 },
	{ 0 },
};

const struct argp filter_argp = { filter_options, filter_parse, NULL, NULL, NULL, NULL, NULL };

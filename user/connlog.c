// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * connlog.c - Zeek's conn.log: the TSV header lines Zeek's ASCII writer
 * puts first (#separator ... #types) and last (#close), then one line per
 * flow with the fields of Zeek's Conn::Info that headers alone can fill.
 * The Community ID v1 hash (github.com/corelight/community-id-spec) is
 * SHA-1 (from nettle) over the ordered endpoints.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "connlog.h"
#include "util.h"

static const char *const connlog_fields[][2] = {
	{ "ts", "time" }, { "uid", "string" },
	{ "id.orig_h", "addr" }, { "id.orig_p", "port" },
	{ "id.resp_h", "addr" }, { "id.resp_p", "port" },
	{ "proto", "enum" }, { "service", "string" }, { "duration", "interval" },
	{ "orig_bytes", "count" }, { "resp_bytes", "count" }, { "conn_state", "string" },
	{ "local_orig", "bool" }, { "local_resp", "bool" }, { "missed_bytes", "count" },
	{ "history", "string" }, { "orig_pkts", "count" }, { "orig_ip_bytes", "count" },
	{ "resp_pkts", "count" }, { "resp_ip_bytes", "count" },
	{ "tunnel_parents", "set[string]" }, { "community_id", "string" },
};

/* Is endpoint a (addr, port) above b? The hash takes the lower one first. */
static int cid_greater(const __u8 *a, __u16 ap, const __u8 *b, __u16 bp, size_t alen)
{
	int c = memcmp(a, b, alen);

	return c > 0 || (c == 0 && ap > bp);
}

void community_id_v1(int family, const __u8 *saddr, const __u8 *daddr, __u8 proto,
		     __u16 sport, __u16 dport, int has_ports, __u16 seed, char *out)
{
	size_t alen = family == 6 ? 16 : 4;
	__u8 buf[2 + 32 + 2 + 4], digest[SHA1_DIGEST_SIZE];
	struct base64_encode_ctx b64;
	struct sha1_ctx sha;
	size_t n = 0, w;

	if (cid_greater(saddr, has_ports ? sport : 0, daddr, has_ports ? dport : 0, alen)) {
		const __u8 *t = saddr;
		__u16 tp = sport;

		saddr = daddr;
		daddr = t;
		sport = dport;
		dport = tp;
	}
	/* seed, addresses, protocol, one byte of padding, ports: network order */
	buf[n++] = seed >> 8;
	buf[n++] = seed & 0xff;
	memcpy(buf + n, saddr, alen);
	n += alen;
	memcpy(buf + n, daddr, alen);
	n += alen;
	buf[n++] = proto;
	buf[n++] = 0;
	if (has_ports) {
		buf[n++] = sport >> 8;
		buf[n++] = sport & 0xff;
		buf[n++] = dport >> 8;
		buf[n++] = dport & 0xff;
	}
	sha1_init(&sha);
	sha1_update(&sha, n, buf);
	sha1_digest(&sha, sizeof(digest), digest);

	memcpy(out, "1:", 2);
	base64_encode_init(&b64);
	w = base64_encode_update(&b64, out + 2, sizeof(digest), digest);
	w += base64_encode_final(&b64, out + 2 + w);
	out[2 + w] = 0;
}

/* splitmix64's finaliser: a bijection, so distinct counters give distinct uids */
static __u64 mix64(__u64 x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void connlog_init(struct connlog *c, FILE *f)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	if (getrandom(&c->uid_seed, sizeof(c->uid_seed), 0) != sizeof(c->uid_seed))
		c->uid_seed = real_ns() ^ ((__u64)getpid() << 32);
}

/* uid - Zeek's form: 'C' and base62 digits, unique per flow of this writer */
static void connlog_uid(struct connlog *c, char *buf)
{
	static const char digits[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	__u64 x = mix64(c->uid_seed + c->uid_next++);
	int i;

	buf[0] = 'C';
	for (i = 1; i <= 11; i++) {	/* 62^11 > 2^64 */
		buf[i] = digits[x % 62];
		x /= 62;
	}
	buf[12] = 0;
}

static void connlog_stamp(FILE *f, const char *what)
{
	char when[32];
	time_t t = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%d-%H-%M-%S", localtime(&t));
	fprintf(f, "#%s\t%s\n", what, when);
}

void connlog_header(struct connlog *c)
{
	size_t i;

	fputs("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
	      "#unset_field\t-\n#path\tconn\n", c->f);
	connlog_stamp(c->f, "open");
	fputs("#fields", c->f);
	for (i = 0; i < ARRAY_SIZE(connlog_fields); i++)
		fprintf(c->f, "\t%s", connlog_fields[i][0]);
	fputs("\n#types", c->f);
	for (i = 0; i < ARRAY_SIZE(connlog_fields); i++)
		fprintf(c->f, "\t%s", connlog_fields[i][1]);
	fputc('\n', c->f);
}

void connlog_footer(struct connlog *c)
{
	connlog_stamp(c->f, "close");
	fflush(c->f);
}

void connlog_write(struct connlog *c, const struct flow_view *v)
{
	const struct flow_dir *o = &v->f.dir[CT_DIR_ORIG], *r = &v->f.dir[CT_DIR_RESP];
	char oa[64], ra[64], uid[16], cid[COMMUNITY_ID_LEN], dur[32] = "-";

	addr_str(v->family, v->orig_addr, oa, sizeof(oa));
	addr_str(v->family, v->resp_addr, ra, sizeof(ra));
	connlog_uid(c, uid);
	community_id_v1(v->family, v->orig_addr, v->resp_addr, 6, v->orig_port, v->resp_port, 1,
			0, cid);
	/* Zeek leaves a duration of 0 (one packet) unset */
	if (v->last_ns > v->first_ns)
		snprintf(dur, sizeof(dur), "%.6f", (v->last_ns - v->first_ns) / 1e9);
	fprintf(c->f, "%llu.%06llu\t%s\t%s\t%u\t%s\t%u\ttcp\t-\t%s\t%llu\t%llu\t%s\t-\t-\t0\t%s\t"
		"%llu\t%llu\t%llu\t%llu\t-\t%s\n",
		(unsigned long long)(v->first_ns / NSEC_PER_SEC),
		(unsigned long long)(v->first_ns % NSEC_PER_SEC / 1000), uid, oa, v->orig_port, ra,
		v->resp_port, dur, (unsigned long long)o->bytes, (unsigned long long)r->bytes,
		v->conn_state, v->history[0] ? v->history : "-", (unsigned long long)o->pkts,
		(unsigned long long)o->ip_bytes, (unsigned long long)r->pkts,
		(unsigned long long)r->ip_bytes, cid);
}

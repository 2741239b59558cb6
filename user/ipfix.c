// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * ipfix.c - IPFIX export with libfixbuf. One internal template describes
 * struct ipfix_rec; two external ones (IPv4, IPv6) say what goes on the
 * wire. A record is a biflow (RFC 5103): the forward direction is the
 * originator's, the reverse elements the responder's. octetDeltaCount is
 * layer-3 octets (IP headers included, retransmissions too) as IANA
 * defines it; initiatorOctets/responderOctets are the payload octets, each
 * byte once. Over UDP nothing tells the exporter that a collector
 * restarted, so templates are sent again by time and by message count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fixbuf/public.h>

#include "ipfix.h"
#include "util.h"

#define IPFIX_TID_INT	0x100
#define IPFIX_TID_V4	0x104
#define IPFIX_TID_V6	0x106

#define SPEC_V4		1u
#define SPEC_V6		2u
#define SPEC_INTERNAL	4u	/* padding: in memory only */

/* The record in memory: largest fields first, so no holes but the tail. */
struct ipfix_rec {
	uint64_t start_ms, end_ms;
	uint64_t octets, packets, rev_octets, rev_packets;
	uint64_t init_octets, resp_octets, init_packets, resp_packets;
	uint8_t src6[16], dst6[16];
	uint32_t src4, dst4;
	uint32_t ingress;
	uint16_t sport, dport;
	uint16_t tcp_flags, rev_tcp_flags;
	uint8_t proto, end_reason, ip_version;
	uint8_t pad;
};

/* lengths are given: fixbuf wants an internal template to match memory */
static fbInfoElementSpec_t ipfix_spec[] = {
	{ "flowStartMilliseconds", 8, 0 },
	{ "flowEndMilliseconds", 8, 0 },
	{ "octetDeltaCount", 8, 0 },
	{ "packetDeltaCount", 8, 0 },
	{ "reverseOctetDeltaCount", 8, 0 },
	{ "reversePacketDeltaCount", 8, 0 },
	{ "initiatorOctets", 8, 0 },
	{ "responderOctets", 8, 0 },
	{ "initiatorPackets", 8, 0 },
	{ "responderPackets", 8, 0 },
	{ "sourceIPv6Address", 16, SPEC_V6 },
	{ "destinationIPv6Address", 16, SPEC_V6 },
	{ "sourceIPv4Address", 4, SPEC_V4 },
	{ "destinationIPv4Address", 4, SPEC_V4 },
	{ "ingressInterface", 4, 0 },
	{ "sourceTransportPort", 2, 0 },
	{ "destinationTransportPort", 2, 0 },
	{ "tcpControlBits", 2, 0 },
	{ "reverseTcpControlBits", 2, 0 },
	{ "protocolIdentifier", 1, 0 },
	{ "flowEndReason", 1, 0 },
	{ "ipVersion", 1, 0 },
	{ "paddingOctets", 1, SPEC_INTERNAL },
	FB_IESPEC_NULL
};

struct ipfix {
	fbInfoModel_t *model;
	fbSession_t *session;
	fbExporter_t *exporter;
	fBuf_t *buf;
	fbConnSpec_t spec;
	char host[256], port[16];
	__u64 tmpl_ns;		/* when templates went last */
	unsigned int since_tmpl; /* records since */
	unsigned int pending;	/* records in the message being built */
	bool send_failed;	/* said once */
};

int ipfix_parse_target(const char *arg, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = arg;
	size_t n;
	__u64 p;

	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		h = arg + 1;
		n = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(arg, ':');
		if (!colon || strchr(arg, ':') != colon)
			return -EINVAL;
		n = (size_t)(colon - arg);
	}
	if (!n || n >= hlen || parse_u64(colon + 1, 1, 65535, &p))
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = 0;
	snprintf(port, plen, "%llu", (unsigned long long)p);
	return 0;
}

/* fixbuf reports a refused UDP send through glib's log: said once, the
 * rest with -v, as the one-line rule wants */
static void ipfix_glog(const gchar *domain, GLogLevelFlags level, const gchar *msg,
		       gpointer data)
{
	static bool said;

	(void)domain;
	(void)data;
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL) || !said)
		pr_warn("IPFIX: %s%s", msg, said ? "" : " (records are lost until a collector "
			"listens; said once)");
	else
		pr_debug("IPFIX: %s", msg);
	said = true;
}

static int ipfix_fail(GError **err, const char *what)
{
	err_why("IPFIX: %s: %s", what, *err ? (*err)->message : "failed");
	g_clear_error(err);
	return -EIO;
}

static int ipfix_templates(struct ipfix *x, GError **err)
{
	static const struct { uint16_t tid; uint32_t flags; gboolean internal; } t[] = {
		{ IPFIX_TID_INT, UINT32_MAX, TRUE },
		{ IPFIX_TID_V4, SPEC_V4, FALSE },
		{ IPFIX_TID_V6, SPEC_V6, FALSE },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		fbTemplate_t *tmpl = fbTemplateAlloc(x->model);

		if (!fbTemplateAppendSpecArray(tmpl, ipfix_spec, t[i].flags, err) ||
		    !fbSessionAddTemplate(x->session, t[i].internal, t[i].tid, tmpl, err)) {
			fbTemplateFreeUnused(tmpl);
			return -EINVAL;
		}
	}
	return 0;
}

/* ipfix_send_templates - the templates into the message being built. */
static int ipfix_send_templates(struct ipfix *x, GError **err)
{
	/* it leaves the buffer on fixbuf's own templates: ours again */
	if (!fbSessionExportTemplates(x->session, err) ||
	    !fBufSetInternalTemplate(x->buf, IPFIX_TID_INT, err))
		return -EIO;
	x->pending++;
	x->tmpl_ns = mono_ns();
	x->since_tmpl = 0;
	return 0;
}

int ipfix_open(struct ipfix **out, const char *target, __u32 domain)
{
	struct ipfix *x = calloc(1, sizeof(*x));
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai;
	GError *err = NULL;
	int rc;

	if (!x)
		return -ENOMEM;
	if (ipfix_parse_target(target, x->host, sizeof(x->host), x->port, sizeof(x->port))) {
		err_why("IPFIX: '%s' is not HOST:PORT", target);
		free(x);
		return -EINVAL;
	}
	/* a name that does not resolve is said once, here, not at each send */
	rc = getaddrinfo(x->host, x->port, &hints, &ai);
	if (rc) {
		err_why("IPFIX: %s: %s", x->host, gai_strerror(rc));
		free(x);
		return -EHOSTUNREACH;
	}
	freeaddrinfo(ai);
	g_log_set_default_handler(ipfix_glog, NULL);
	x->model = fbInfoModelAlloc();
	x->session = fbSessionAlloc(x->model);
	fbSessionSetDomain(x->session, domain);
	if (ipfix_templates(x, &err)) {
		ipfix_fail(&err, "building the templates");
		goto fail;
	}
	x->spec.transport = FB_UDP;
	x->spec.host = x->host;
	x->spec.svc = x->port;
	x->exporter = fbExporterAllocNet(&x->spec);
	x->buf = fBufAllocForExport(x->session, x->exporter);
	if (ipfix_send_templates(x, &err)) {
		ipfix_fail(&err, "starting the export");
		goto fail;
	}
	*out = x;
	return 0;
fail:
	if (x->buf)
		fBufFree(x->buf);
	else
		fbSessionFree(x->session);
	fbInfoModelFree(x->model);
	free(x);
	return -EIO;
}

/* ipfix_emit - send the message being built; a refused send (no collector
 * yet, or one restarting) loses that message only. */
static void ipfix_emit(struct ipfix *x)
{
	GError *err = NULL;

	if (!x->pending)
		return;
	fBufSetExportTime(x->buf, (uint32_t)(real_ns() / NSEC_PER_SEC));
	if (!fBufEmit(x->buf, &err)) {
		if (!x->send_failed)
			pr_warn("IPFIX: sending to %s port %s failed: %s (going on)", x->host,
				x->port, err ? err->message : "?");
		x->send_failed = true;
		g_clear_error(&err);
	}
	x->pending = 0;
}

static void ipfix_fill(struct ipfix_rec *rec, const struct ft_report *r, __u32 ifindex)
{
	const struct flow_view *v = r->v;

	memset(rec, 0, sizeof(*rec));
	rec->start_ms = v->first_ns / 1000000;
	rec->end_ms = v->last_ns / 1000000;
	rec->octets = r->ip_bytes[0];
	rec->packets = r->pkts[0];
	rec->rev_octets = r->ip_bytes[1];
	rec->rev_packets = r->pkts[1];
	rec->init_octets = r->bytes[0];
	rec->resp_octets = r->bytes[1];
	rec->init_packets = r->pkts[0];
	rec->resp_packets = r->pkts[1];
	if (v->family == 6) {
		memcpy(rec->src6, v->orig_addr, 16);
		memcpy(rec->dst6, v->resp_addr, 16);
	} else {
		/* fixbuf takes integers in host order */
		rec->src4 = ntohl(*(const uint32_t *)v->orig_addr);
		rec->dst4 = ntohl(*(const uint32_t *)v->resp_addr);
	}
	rec->ingress = ifindex;
	rec->sport = v->orig_port;
	rec->dport = v->resp_port;
	rec->tcp_flags = v->f.flags[0];
	rec->rev_tcp_flags = v->f.flags[1];
	rec->proto = 6;
	rec->end_reason = (uint8_t)r->reason;
	rec->ip_version = v->family;
}

int ipfix_add(struct ipfix *x, const struct ft_report *r, __u32 ifindex)
{
	struct ipfix_rec rec;
	GError *err = NULL;

	/* fixbuf sends a message when it is full (its automatic mode): the
	 * templates go again after as many records as fill that many */
	if (x->since_tmpl >= IPFIX_TMPL_EVERY_MSGS * IPFIX_RECS_PER_MSG &&
	    ipfix_send_templates(x, &err))
		return ipfix_fail(&err, "sending the templates");
	ipfix_fill(&rec, r, ifindex);
	if (!fBufSetExportTemplate(x->buf, r->v->family == 6 ? IPFIX_TID_V6 : IPFIX_TID_V4, &err) ||
	    !fBufAppend(x->buf, (uint8_t *)&rec, sizeof(rec), &err))
		return ipfix_fail(&err, "adding a record");
	x->pending++;
	/* a message's worth went out: pace a burst (replay of a big capture)
	 * to what a collector's socket takes, as UDP has no flow control */
	if (++x->since_tmpl % IPFIX_RECS_PER_MSG == 0)
		usleep(IPFIX_PACE_US);
	return 0;
}

int ipfix_flush(struct ipfix *x)
{
	GError *err = NULL;

	if (mono_ns() - x->tmpl_ns >= IPFIX_TMPL_EVERY_S * NSEC_PER_SEC &&
	    ipfix_send_templates(x, &err))
		return ipfix_fail(&err, "sending the templates");
	ipfix_emit(x);
	return 0;
}

void ipfix_close(struct ipfix *x)
{
	if (!x)
		return;
	ipfix_emit(x);
	fBufFree(x->buf);	/* frees the session and the exporter too */
	fbInfoModelFree(x->model);
	free(x);
}

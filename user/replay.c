// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * replay.c - track a capture offline: every frame goes through the loaded
 * XDP program with BPF_PROG_TEST_RUN (the same tracking code as live), with
 * the capture's timestamp as the clock. Flows that ended on the way (a new
 * SYN on a closed tuple, a timeout) come back as ring-buffer events; the
 * rest are read from the maps at the end. No interface is touched.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
/* libpcap's classic-BPF header clashes with linux/bpf.h; we need neither */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "cli.h"
#include "isn.h"
#include "replay.h"
#include "util.h"

#define FRAME_MAX 512		/* headers fit; lengths come from the headers */
#define CONSUME_EVERY 2048

struct replay_args {
	const char *file;
	bool json, hosts, conntrack;
	struct ld_opts ld;
};

/* Zeek's connection timers (init-bare.zeek): a 5 s attempt delay, removal
 * 5 s after a close, 5 min inactivity. */
void replay_zeek_timeouts(struct ld_opts *o)
{
	static const __u64 zeek_s[CT_STATE_COUNT] = {
		[CT_STATE_SYN_SENT] = 5,	/* tcp_attempt_delay */
		[CT_STATE_SYN_SENT2] = 5,
		[CT_STATE_SYN_RECV] = 300,	/* tcp_inactivity_timeout */
		[CT_STATE_ESTABLISHED] = 300,
		[CT_STATE_FIN_WAIT] = 300,
		[CT_STATE_CLOSE_WAIT] = 300,
		[CT_STATE_LAST_ACK] = 300,
		[CT_STATE_TIME_WAIT] = 5,	/* tcp_close_delay */
		[CT_STATE_CLOSE] = 5,
	};
	int s;

	/* --timeout given on the command line wins */
	for (s = 1; s < CT_STATE_COUNT; s++)
		if (!o->timeout_ns[s])
			o->timeout_ns[s] = zeek_s[s] * NSEC_PER_SEC;
}

static error_t replay_parse(int key, char *arg, struct argp_state *state)
{
	struct replay_args *a = state->input;

	switch (key) {
	case ARGP_KEY_ARG:
		if (a->file)
			argp_error(state, "one capture file only");
		a->file = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->file)
			argp_error(state, "which capture? (xdpct replay FILE)");
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_HOSTS:
		a->hosts = true;
		return 0;
	case OPT_ZEEK:
		a->conntrack = false;
		return 0;
	case OPT_CONNTRACK:
		a->conntrack = true;
		return 0;
	default:
		/* --timeout, --max-flows, --verbose: as attach takes them */
		return parse_load_opt(key, arg, state, &a->ld);
	}
}

/*
 * frame_from - an Ethernet frame (at most FRAME_MAX bytes) for one captured
 * packet of link type dlt. Returns the frame length, 0 if the packet is too
 * short to carry the link header, -1 for an unsupported link type. *extra
 * is what the frame adds to (or removes from) the wire length.
 */
int replay_frame(int dlt, const __u8 *pkt, __u32 caplen, __u8 *out, int *extra)
{
	__u32 hdr = 0, n;
	__be16 proto = 0;

	switch (dlt) {
	case DLT_EN10MB:
		n = caplen < FRAME_MAX ? caplen : FRAME_MAX;
		memcpy(out, pkt, n);
		*extra = 0;
		return (int)n;
	case DLT_LINUX_SLL:
		hdr = 16;
		if (caplen < hdr)
			return 0;
		memcpy(&proto, pkt + 14, 2);
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		hdr = 20;
		if (caplen < hdr)
			return 0;
		memcpy(&proto, pkt, 2);
		break;
#endif
	case DLT_NULL:
	case DLT_LOOP:
		hdr = 4;
		/* the IP version tells the family */
		__attribute__((fallthrough));
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
	case 101:	/* LINKTYPE_RAW as some writers store it */
		if (caplen <= hdr)
			return 0;
		proto = htons((pkt[hdr] >> 4) == 6 ? 0x86DD : 0x0800);
		break;
	default:
		return -1;
	}
	n = caplen - hdr;
	if (n > FRAME_MAX - 14)
		n = FRAME_MAX - 14;
	memset(out, 0, 12);
	memcpy(out + 12, &proto, 2);
	memcpy(out + 14, pkt + hdr, n);
	*extra = 14 - (int)hdr;
	return (int)(n + 14);
}

struct ended {
	struct flow_vec *fv;
	int err;
};

static int ended_cb(void *ctx, void *data, size_t size)
{
	struct ended *e = ctx;
	const struct ct_event *ev = data;
	struct flow_view v;

	if (size < sizeof(*ev) || ev->type != CT_EV_END)
		return 0;
	flow_view_from_event(&v, ev, 0, ev->ts_ns);
	v.ended = true;
	v.expired = false;
	e->err = flow_vec_push(e->fv, &v);
	return 0;
}

struct sweep {
	struct flow_vec *fv;
	int fd;
	int family;
	__u64 now;
	__u64 deleted;
	int err;
};

static int sweep_cb(const void *key, const void *val, void *ctx)
{
	struct sweep *sw = ctx;
	const struct flow *f = val;
	struct flow_view v;

	if (!f->expires_ns || sw->now < f->expires_ns)
		return 0;
	flow_view_fill(&v, sw->family, key, f, 0, sw->now);
	v.ended = true;
	v.expired = false;
	sw->err = flow_vec_push(sw->fv, &v);
	if (!sw->err && !bpf_map_delete_elem(sw->fd, key))
		sw->deleted++;
	return sw->err;
}

/* sweep_ho_cb - an expired flow of the SYN cache, freed after this call. */
static int sweep_ho_cb(int family, const void *key, const struct flow *f, bool ho, void *ctx)
{
	struct sweep *sw = ctx;
	struct flow_view v;

	(void)ho;
	flow_view_fill(&v, family, key, f, 0, sw->now);
	v.ended = true;
	v.expired = false;
	return flow_vec_push(sw->fv, &v);
}

/*
 * sweep_expired - move the flows whose timeout passed by capture time now
 * out of the maps into fv, as the live tracker's run does every second, so a
 * long capture never fills the tables with flows that are over. Deleting
 * during a batch walk is safe: a batch is copied out before it is handed
 * over. Returns 0 or -errno.
 */
static int sweep_expired(const struct xdpct_fds *fds, __u64 now, struct flow_vec *fv)
{
	const struct {
		int fd, family;
		size_t key_size;
		bool halfopen;
	} maps[] = {
		{ fds->flows, 4, sizeof(struct flow_key4), false },
		{ fds->flows6, 6, sizeof(struct flow_key6), false },
		{ fds->halfopen, 4, sizeof(struct flow_key4), true },
		{ fds->halfopen6, 6, sizeof(struct flow_key6), true },
	};
	__u64 fl = 0, ho = 0;
	size_t i;
	int err = 0;

	for (i = 0; i < ARRAY_SIZE(maps) && !err; i++) {
		struct sweep sw = { fv, maps[i].fd, maps[i].family, now, 0, 0 };

		if (maps[i].halfopen)
			sw.deleted = halfopen_expire(maps[i].fd, maps[i].family, now, sweep_ho_cb,
						     &sw, &err);
		else
			err = map_walk(maps[i].fd, maps[i].key_size, sizeof(struct flow),
				       sweep_cb, &sw);
		if (!err)
			err = sw.err;
		if (maps[i].halfopen)
			ho += sw.deleted;
		else
			fl += sw.deleted;
	}
	gc_add(fds->gc, fl, ho);
	return err;
}

int cmd_replay(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "json", OPT_JSON, NULL, 0, "one JSON object per flow per line", 0 },
		{ "hosts", OPT_HOSTS, NULL, 0, "list hosts and their ISN verdict instead", 0 },
		{ "zeek", OPT_ZEEK, NULL, 0, "Zeek's connection timers (the default): an "
		  "unanswered attempt ends after 5 s, a closed flow 5 s after its last "
		  "packet, an idle one after 5 min", 0 },
		{ "conntrack-timeouts", OPT_CONNTRACK, NULL, 0, "the live tracker's timeouts "
		  "instead (nf_conntrack's defaults: SYN_SENT 120 s, ESTABLISHED 5 days, ...)", 0 },
		{ "timeout", OPT_TIMEOUT, "STATE=SEC", 0, "state timeout (repeatable)", 0 },
		{ "max-flows", OPT_MAX_FLOWS, "N", 0, "flows that may be open at once (default "
		  "262144); flows that ended are swept out before new ones could push them "
		  "out", 0 },
		{ "verbose", OPT_VERBOSE, NULL, 0, "more messages", 90 },
		{ 0 },
	};
	static const char doc[] =
		"Track a pcap or pcapng capture offline and print its flows as show does.\n\n"
		"USAGE: xdpct replay FILE [--json] [--hosts] [--zeek]\n\n"
		"Every frame runs through the same BPF program as live tracking\n"
		"(BPF_PROG_TEST_RUN), with the capture's timestamps as the clock. Flows are\n"
		"listed in order of their first packet, also those that ended on the way.\n"
		"Timeouts are Zeek's by default, so conn_state and history split\n"
		"connections as Zeek's conn.log does; --timeout overrides one state.\n"
		"Link types: Ethernet, Linux cooked (v1, v2), raw IP, BSD loopback.\n\n"
		"EXAMPLES:\n"
		"  xdpct replay trace.pcap\n"
		"  xdpct replay trace.pcapng --json | jq -r .conn_state | sort | uniq -c\n"
		"  xdpct replay trace.pcap --hosts\n"
		"\vExit status: 0 done, 1 unreadable, truncated or unsupported file, 2 usage error.";
	struct argp argp = { opts, replay_parse, "FILE", doc };
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	struct replay_args a = {};
	struct flow_vec fv = {};
	struct ended ended = { &fv, 0 };
	struct ring_buffer *rb = NULL;
	struct xdpct_stats st[HOOK_MAX];
	struct stats_view sv;
	struct pcap_pkthdr *h;
	const u_char *pkt;
	__u8 frame[FRAME_MAX];
	__u64 n = 0, short_frames = 0, t0, t1, last_ts = 0, created_at_sweep = 0;
	__u64 table, check_every;
	int dlt, prog_fd, ret, rc = EXIT_OK;
	struct ld ld;
	pcap_t *p;
	size_t i;

	ld_opts_init(&a.ld);
	argp_parse(&argp, argc, argv, 0, NULL, &a);
	a.ld.replay = true;
	/* a capture's attempts get as much room as its connections (every
	 * flow starts in the half-open map, so its size paces the sweeps) */
	table = a.ld.max_flows ? a.ld.max_flows : XDPCT_MAX_FLOWS_DEFAULT;
	if (!a.ld.max_halfopen)
		a.ld.max_halfopen = table;
	if (a.ld.max_halfopen < table)
		table = a.ld.max_halfopen;
	check_every = table / 4 < CONSUME_EVERY ? table / 4 : CONSUME_EVERY;
	if (!a.conntrack)
		replay_zeek_timeouts(&a.ld);

	p = pcap_open_offline_with_tstamp_precision(a.file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		pr_err("%s: cannot read it as pcap or pcapng: %s", a.file, errbuf);
		return EXIT_RUNTIME;
	}
	dlt = pcap_datalink(p);
	if (replay_frame(dlt, (const __u8 *)"", 0, frame, &ret) < 0) {
		pr_err("%s: unsupported link type %d (%s)", a.file, dlt,
		       pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?");
		pcap_close(p);
		return EXIT_RUNTIME;
	}
	if (ld_load(&ld, &a.ld)) {
		pcap_close(p);
		return EXIT_RUNTIME;
	}
	prog_fd = bpf_program__fd(ld.skel->progs.xdpct_xdp);
	rb = ring_buffer__new(ld.fds.events, ended_cb, &ended, NULL);
	if (!rb) {
		pr_err("opening the event ring buffer failed: %s", strerror(errno));
		ld_destroy(&ld);
		pcap_close(p);
		return EXIT_RUNTIME;
	}

	t0 = mono_ns();
	while ((ret = pcap_next_ex(p, &h, &pkt)) == 1) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		int len, extra = 0;

		len = replay_frame(dlt, pkt, h->caplen, frame, &extra);
		if (len < 14) {
			short_frames++;
			continue;
		}
		last_ts = (__u64)h->ts.tv_sec * NSEC_PER_SEC + (__u64)h->ts.tv_usec;
		ld.skel->bss->replay_now_ns = last_ts;
		ld.skel->bss->replay_wire_len = (__u32)((int)h->len + extra);
		opts.data_in = frame;
		opts.data_size_in = (__u32)len;
		opts.repeat = 1;
		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			pr_err("%s: BPF_PROG_TEST_RUN failed at packet %llu: %s", a.file,
			       (unsigned long long)n + 1, strerror(errno));
			rc = EXIT_RUNTIME;
			break;
		}
		if (++n % CONSUME_EVERY == 0)
			ring_buffer__consume(rb);
		/* a packet creates at most one flow: checking at most every
		 * quarter table of packets and sweeping once a quarter table of
		 * flows was created since the last sweep keeps the flows that
		 * ended from pushing out open ones (they leave the maps when
		 * swept or at the end, not before) */
		if (n % check_every == 0 && !stats_read(ld.fds.stats, st) &&
		    st[HOOK_XDP].flows_created - created_at_sweep >= table / 4) {
			if (!ended.err)
				ended.err = sweep_expired(&ld.fds, last_ts, &fv);
			created_at_sweep = st[HOOK_XDP].flows_created;
		}
	}
	if (ret == -1) {
		pr_err("%s: %s (after %llu packets; the flows up to there are shown)", a.file,
		       pcap_geterr(p), (unsigned long long)n);
		rc = EXIT_RUNTIME;
	}
	t1 = mono_ns();
	ring_buffer__consume(rb);
	pcap_close(p);

	if (!ended.err)
		ended.err = collect_flows(&ld.fds, true, 0, last_ts, &fv);
	if (!ended.err)
		ended.err = isn_mark_flows(ld.fds.host_isn, &fv);
	if (ended.err) {
		pr_err("%s: reading the flows failed: %s", a.file, strerror(-ended.err));
		rc = EXIT_RUNTIME;
	}
	/* flows past their timeout at the end of the capture still happened */
	for (i = 0; i < fv.n; i++)
		fv.v[i].expired = false;
	flow_vec_sort(&fv);
	fv.now_ns = last_ts;
	if (a.hosts)
		print_hosts(stdout, ld.fds.host_isn, a.json, NULL, 0);
	else if (a.json)
		for (i = 0; i < fv.n; i++)
			print_flow_json(stdout, &fv.v[i], NULL);
	else
		print_flows_table(stdout, &fv, NULL, rc == EXIT_OK);

	/* after an error, its one line is all stderr says */
	if (rc == EXIT_OK && !stats_view_read(&ld.fds, &sv) &&
	    sv.evicted_flows + sv.evicted_halfopen)
		pr_warn("%llu flows were pushed out of the full tables before they ended and are "
			"not listed (raise --max-flows)",
			(unsigned long long)(sv.evicted_flows + sv.evicted_halfopen));
	if (rc == EXIT_OK && !stats_read(ld.fds.stats, st)) {
		__u64 mal = short_frames;
		int k;

		for (k = 0; k < MAL_MAX; k++)
			mal += st[HOOK_XDP].malformed[k];
		fprintf(stderr, "xdpct: replayed %llu packets in %.3f s (%.0f pkt/s): %llu tcp, "
			"%llu non-tcp, %llu malformed; %zu flows\n",
			(unsigned long long)(n + short_frames), (t1 - t0) / 1e9,
			(t1 > t0 ? n / ((t1 - t0) / 1e9) : 0.0),
			(unsigned long long)st[HOOK_XDP].tcp, (unsigned long long)st[HOOK_XDP].non_tcp,
			(unsigned long long)mal, fv.n);
		if (st[HOOK_XDP].events_dropped)
			pr_warn("%llu ended flows were lost (ring buffer full)",
				(unsigned long long)st[HOOK_XDP].events_dropped);
	}
	flow_vec_free(&fv);
	ring_buffer__free(rb);
	ld_destroy(&ld);
	return rc;
}

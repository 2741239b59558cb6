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
#include "export.h"
#include "filter.h"
#include "progress.h"
#include "isn.h"
#include "jsonl.h"
#include "replay.h"
#include "util.h"

/*
 * Whole frames, up to an IPv4 packet's most plus link headers: an IPv6
 * chain as long as the parser accepts (6 headers of up to 2 KB) and whole
 * segments fit. Frames over a page reach the program as multi-buffer
 * frames (xdp.frags), its headers in the first ~3.5 KB.
 */
#define FRAME_MAX (65535 + 64)
#define CONSUME_EVERY 2048

struct replay_args {
	struct ld_opts ld;
	struct flow_filter flt;
	const char *file;
	struct cli_common common;
	bool hosts, conntrack;
	__u8 pad[5];
};

/* Zeek's connection timers (init-bare.zeek): a 5 s attempt delay, removal
 * 5 s after a close, 5 min inactivity. */
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

void replay_zeek_timeouts(struct ld_opts *o)
{
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
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		state->child_inputs[1] = &a->flt;
		return 0;
	case ARGP_KEY_ARG:
		if (a->file)
			argp_error(state, "one capture file only");
		a->file = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->file)
			argp_error(state, "which capture? (xdpct replay FILE)");
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
		/* --timeout, --max-flows: as attach takes them */
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

/* One replay: the capture, the loaded object, and the flows found so far. */
struct replay {
	struct replay_args a;
	struct ld ld;
	pcap_t *pcap;
	struct ring_buffer *rb;
	struct flow_vec fv;	/* ended flows, then the rest at the end */
	int dlt;
	int err;		/* the first error collecting them */
	__u64 table;		/* the smaller flow table's size */
	__u64 check_every;	/* packets between looks at the counters */
	__u64 n, short_frames, last_ts, created_at_sweep;
	__u64 t0, t1;		/* monotonic: how long the frames took */
	struct progress pg;	/* on stderr, if a terminal */
	size_t nflows;		/* the capture's, before the filters */
	bool loaded;
	__u8 pad[7];
};

/* ended_cb - a flow the program replaced (CT_EV_END) is one that ended. */
static int ended_cb(void *ctx, void *data, size_t size)
{
	struct replay *r = ctx;
	const struct ct_event *ev = data;
	struct flow_view v;

	if (size < sizeof(*ev) || ev->type != CT_EV_END || r->err)
		return 0;
	flow_view_from_event(&v, ev, 0, ev->ts_ns);
	v.ended = true;
	v.expired = false;
	r->err = flow_vec_push(&r->fv, &v);
	return 0;
}

/* swept_cb - a flow whose timeout passed by capture time ended too. */
static int swept_cb(int family, const void *key, const struct flow *f, bool halfopen, void *ctx)
{
	struct replay *r = ctx;
	struct flow_view v;

	(void)halfopen;
	flow_view_fill(&v, family, key, f, 0, r->last_ts);
	v.ended = true;
	v.expired = false;
	return flow_vec_push(&r->fv, &v);
}

/*
 * replay_sizes - a capture's attempts get as much room as its connections
 * (every flow starts in the half-open map, so its size paces the sweeps).
 */
static void replay_sizes(struct replay *r)
{
	struct ld_opts *o = &r->a.ld;

	r->table = o->max_flows ? o->max_flows : XDPCT_MAX_FLOWS_DEFAULT;
	if (!o->max_halfopen)
		o->max_halfopen = r->table;
	if (o->max_halfopen < r->table)
		r->table = o->max_halfopen;
	r->check_every = r->table / 4 < CONSUME_EVERY ? r->table / 4 : CONSUME_EVERY;
}

/* replay_open - the capture, its link type, the object, the ring. 0 or -errno. */
static int replay_open(struct replay *r)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	static __u8 frame[FRAME_MAX];
	const char *dlt_name;
	int extra, err;

	r->pcap = pcap_open_offline_with_tstamp_precision(r->a.file, PCAP_TSTAMP_PRECISION_NANO,
							  errbuf);
	if (!r->pcap) {
		pr_err("%s: cannot read it as pcap or pcapng: %s", r->a.file, errbuf);
		return -EINVAL;
	}
	r->dlt = pcap_datalink(r->pcap);
	if (replay_frame(r->dlt, (const __u8 *)"", 0, frame, &extra) < 0) {
		dlt_name = pcap_datalink_val_to_name(r->dlt);
		pr_err("%s: unsupported link type %d (%s)", r->a.file, r->dlt,
		       dlt_name ? dlt_name : "?");
		return -EPROTONOSUPPORT;
	}
	err = ld_load(&r->ld, &r->a.ld);
	if (err) {
		err_report(err, "loading the BPF object failed");
		return err;
	}
	r->loaded = true;
	r->rb = ring_buffer__new(r->ld.fds.events, ended_cb, r, NULL);
	if (!r->rb) {
		err = -errno;
		pr_err("opening the event ring buffer failed: %s", strerror(-err));
		return err;
	}
	return 0;
}

/*
 * replay_sweep - a packet creates at most one flow: checking at most every
 * quarter table of packets and sweeping once a quarter table of flows was
 * created since the last sweep keeps the flows that ended from pushing out
 * open ones (they leave the maps when swept or at the end, not before).
 */
static void replay_sweep(struct replay *r)
{
	struct xdpct_stats st[HOOK_MAX];
	long swept;

	if (r->n % r->check_every || stats_read(r->ld.fds.stats, st) ||
	    st[HOOK_XDP].flows_created - r->created_at_sweep < r->table / 4)
		return;
	if (!r->err) {
		swept = flows_expire(&r->ld.fds, r->last_ts, swept_cb, r);
		r->err = swept < 0 ? (int)swept : 0;
	}
	r->created_at_sweep = st[HOOK_XDP].flows_created;
}

/* replay_frames - every packet through the program, capture time as its clock. */
static int replay_frames(struct replay *r)
{
	int prog_fd = bpf_program__fd(r->ld.skel->progs.xdpct_xdp);
	static __u8 frame[FRAME_MAX];
	struct pcap_pkthdr *h;
	const u_char *pkt;
	int ret, rc = 0;

	r->t0 = mono_ns();
	progress_init(&r->pg, pcap_file(r->pcap));
	while ((ret = pcap_next_ex(r->pcap, &h, &pkt)) == 1) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		int len, extra = 0;

		len = replay_frame(r->dlt, pkt, h->caplen, frame, &extra);
		if (len < 14) {
			r->short_frames++;
			continue;
		}
		r->last_ts = (__u64)h->ts.tv_sec * NSEC_PER_SEC + (__u64)h->ts.tv_usec;
		r->ld.skel->bss->replay_now_ns = r->last_ts;
		r->ld.skel->bss->replay_wire_len = (__u32)((int)h->len + extra);
		opts.data_in = frame;
		opts.data_size_in = (__u32)len;
		opts.repeat = 1;
		if (bpf_prog_test_run_opts(prog_fd, &opts)) {
			rc = -errno;
			pr_err("%s: BPF_PROG_TEST_RUN failed at packet %llu: %s", r->a.file,
			       (unsigned long long)r->n + 1, strerror(-rc));
			break;
		}
		if (++r->n % CONSUME_EVERY == 0) {
			ring_buffer__consume(r->rb);
			progress_update(&r->pg, r->n);
		}
		replay_sweep(r);
	}
	if (ret == -1) {
		pr_err("%s: %s (after %llu packets; the flows up to there are shown)", r->a.file,
		       pcap_geterr(r->pcap), (unsigned long long)r->n);
		rc = -EIO;
	}
	r->t1 = mono_ns();
	progress_end(&r->pg);
	ring_buffer__consume(r->rb);
	return rc;
}

/* replay_collect - the flows still in the maps join the ended ones. */
static int replay_collect(struct replay *r)
{
	size_t i;

	if (!r->err)
		r->err = collect_flows(&r->ld.fds, true, 0, r->last_ts, &r->fv);
	if (!r->err)
		r->err = isn_mark_flows(r->ld.fds.host_isn, &r->fv);
	if (r->err) {
		pr_err("%s: reading the flows failed: %s", r->a.file, strerror(-r->err));
		return r->err;
	}
	/* flows past their timeout at the end of the capture still happened */
	for (i = 0; i < r->fv.n; i++)
		r->fv.v[i].expired = false;
	flow_vec_sort(&r->fv);
	r->nflows = r->fv.n;
	filter_apply(&r->a.flt, &r->fv);
	r->fv.now_ns = r->last_ts;
	return 0;
}

/* replay_summary - on stderr: what was lost, and how fast it went. */
static void replay_summary(const struct replay *r)
{
	struct xdpct_stats st[HOOK_MAX];
	struct stats_view sv;
	double secs = (r->t1 - r->t0) / 1e9;
	__u64 mal = r->short_frames;
	int k;

	if (!stats_view_read(&r->ld.fds, &sv) && sv.evicted_flows + sv.evicted_halfopen)
		pr_warn("%llu flows were pushed out of the full tables before they ended and are "
			"not listed (raise --max-flows)",
			(unsigned long long)(sv.evicted_flows + sv.evicted_halfopen));
	if (stats_read(r->ld.fds.stats, st))
		return;
	for (k = 0; k < MAL_MAX; k++)
		mal += st[HOOK_XDP].malformed[k];
	fprintf(stderr, "xdpct: replayed %llu packets in %.3f s (%.0f pkt/s): %llu tcp, "
		"%llu non-tcp, %llu malformed; %zu flows\n",
		(unsigned long long)(r->n + r->short_frames), secs,
		(r->t1 > r->t0 ? r->n / secs : 0.0), (unsigned long long)st[HOOK_XDP].tcp,
		(unsigned long long)st[HOOK_XDP].non_tcp, (unsigned long long)mal, r->nflows);
	if (st[HOOK_XDP].events_dropped)
		pr_warn("%llu ended flows were lost (ring buffer full)",
			(unsigned long long)st[HOOK_XDP].events_dropped);
}

static void replay_close(struct replay *r)
{
	flow_vec_free(&r->fv);
	ring_buffer__free(r->rb);
	if (r->loaded)
		ld_destroy(&r->ld);
	if (r->pcap)
		pcap_close(r->pcap);
}

static char doc_zeek[256], doc_conntrack[192], doc_max_flows[192];

/* replay_docs - the help texts' defaults, from the tables that set them. */
static void replay_docs(void)
{
	struct ld_defaults d;

	ld_defaults(&d);
	snprintf(doc_zeek, sizeof(doc_zeek), "Zeek's connection timers (the default): an "
		 "unanswered attempt ends after %llu s, a closed flow %llu s after its last "
		 "packet, an idle one after %llu s", (unsigned long long)zeek_s[CT_STATE_SYN_SENT],
		 (unsigned long long)zeek_s[CT_STATE_CLOSE],
		 (unsigned long long)zeek_s[CT_STATE_ESTABLISHED]);
	snprintf(doc_conntrack, sizeof(doc_conntrack), "the live tracker's timeouts instead "
		 "(nf_conntrack's defaults: SYN_SENT %llu s, ESTABLISHED %llu s, ...)",
		 (unsigned long long)(d.timeout_ns[CT_STATE_SYN_SENT] / NSEC_PER_SEC),
		 (unsigned long long)(d.timeout_ns[CT_STATE_ESTABLISHED] / NSEC_PER_SEC));
	snprintf(doc_max_flows, sizeof(doc_max_flows), "flows that may be open at once (default "
		 "%llu); flows that ended are swept out before new ones could push them out",
		 (unsigned long long)d.max_flows);
}

int cmd_replay(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "hosts", OPT_HOSTS, NULL, 0, "list hosts and their ISN verdict instead", 0 },
		{ "zeek", OPT_ZEEK, NULL, 0, doc_zeek, 0 },
		{ "conntrack-timeouts", OPT_CONNTRACK, NULL, 0, doc_conntrack, 0 },
		{ "timeout", OPT_TIMEOUT, "STATE=SEC", 0, "state timeout (repeatable)", 0 },
		{ "max-flows", OPT_MAX_FLOWS, "N", 0, doc_max_flows, 0 },
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
		"  xdpct replay trace.pcap --anomaly any --sort bytes --limit 5\n"
		"\vExit status: 0 done, 1 unreadable, truncated or unsupported file, 2 usage error.";
	const struct argp_child children[] = {
		{ cli_common_argp("one JSON object per flow per line"), 0, NULL, 0 },
		{ &filter_argp, 0, NULL, 20 },
		{ &xport_replay_argp, 0, NULL, 0 },	/* no input: keep it last */
		{ 0 },
	};
	struct argp argp = { opts, replay_parse, "FILE", doc, children, NULL, NULL };
	struct replay r = {};
	bool printed = false;
	int err;

	/* setup */
	replay_docs();
	ld_opts_init(&r.a.ld);
	filter_init(&r.a.flt);
	argp_parse(&argp, argc, argv, 0, NULL, &r.a);
	r.a.common.json |= xport.format == XPORT_FMT_JSON;
	r.a.ld.replay = true;
	replay_sizes(&r);
	if (!r.a.conntrack)
		replay_zeek_timeouts(&r.a.ld);
	err = replay_open(&r);
	if (err)
		goto cleanup;

	/* the frames, then the flows still open */
	err = replay_frames(&r);
	if (replay_collect(&r) && !err)
		err = -EIO;

	/* report: the flows (also after an error: the flows up to there) */
	if (xport_replay(&r.fv, &printed) && !err)
		err = -EIO;
	if (r.a.hosts)
		print_hosts(stdout, r.ld.fds.host_isn, r.a.common.json, NULL, 0);
	else if (printed)
		;	/* --format zeek */
	else if (r.a.common.json)
		jsonl_flows(stdout, &r.fv, NULL);
	else
		print_flows_table(stdout, &r.fv, NULL, !err);
	/* after an error, its one line is all stderr says */
	if (!err)
		replay_summary(&r);
cleanup:
	replay_close(&r);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Copyright (c) 2026 The xdpct authors */
/*
 * xdpct.bpf.c - per-flow TCP facts at line rate.
 *
 * xdpct_xdp sees ingress, xdpct_tc egress (XDP sees ingress only), so both
 * halves of a server's handshakes reach one flow record. Each frame is
 * parsed (parse.h), keyed canonically (either direction finds the entry in
 * one lookup) and applied to its record (ct_track.h). Nothing is ever
 * dropped or changed: every path returns XDP_PASS / TC_ACT_UNSPEC.
 *
 * Maps: established flows in flows/flows6 (LRU hashes); flows whose two-way
 * exchange is not confirmed in the SYN cache (syncache.h), so a spoofed
 * flood can only overwrite its own kind; per-CPU counters in stats; SYNs per
 * victim in syn_dst, per source in a sketch (synsketch.h); per-flow events
 * (events.h) in the events ring buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* ct_track's phases as global functions, each verified once on its own. */
struct flow;
struct ct_pkt;
struct ct_work;
struct ct_result;
int ct_inspect_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w);
int ct_commit_g(struct flow *f, struct ct_work *w, struct ct_result *res);
int ct_account_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w,
		 struct ct_result *res, __u64 now);
int ct_hist_record_g(struct flow *f, __u32 letters, __u32 claimed);
__u32 ct_letters_bits_g(__u32 letters);
__u64 ct_hist_add_g(__u64 h, __u32 letters, __u32 claimed, unsigned int *wanted);
#define CT_PHASE(name) name##_g

#include "flow.h"
#include "tcp_fsm.h"
#include "ct_track.h"
#include "parse.h"
#include "flow_life.h"
#include "syncache.h"
#include "synsketch.h"
#include "hook_parse.h"
#include "ipv6_ext.h"

#define NSEC_PER_SEC	FL_NSEC_PER_SEC
#define TC_ACT_UNSPEC_	(-1)
#define EEXIST_		17

/* Knobs: set by the loader before load, frozen afterwards. */
const volatile __u64 timeout_ns[CT_STATE_COUNT] = CT_TIMEOUTS_DEFAULT;
const volatile __u64 jiffy_ns = 0;	/* kernel tick length; 0: coarse clock */
const volatile __u8 replay_mode = 0;	/* time comes from replay_now_ns */
/* both directions arrive through XDP (a mirror port, or replay): no hook check */
const volatile __u8 mirror_mode = 0;
const volatile __u32 event_mask = 0xffffffff;	/* 1 << enum ct_event_type */
const volatile __u32 event_rate = 20000;	/* per CPU per second; 0: no limit */

/* Writable globals (.bss). */
__u64 clock_offset_ns;	/* ktime - jiffies * jiffy_ns, set once */
__u64 replay_now_ns;	/* replay: capture time of the current packet */
__u32 replay_wire_len;	/* replay: the packet's length on the wire (snaplen may cut it) */
__u32 ev_reader;		/* an 'events' reader is there: set and cleared by it */
struct {
	__s64 flows, flows6, halfopen, halfopen6;
} live_counts;		/* filled by xdpct_count */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_MAX_FLOWS_DEFAULT);
	__type(key, struct flow_key4);
	__type(value, struct flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_MAX_FLOWS_DEFAULT);
	__type(key, struct flow_key6);
	__type(value, struct flow);
} flows6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HOOK_MAX);
	__type(key, __u32);
	__type(value, struct xdpct_stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XDPCT_HOST_ENTRIES);
	__type(key, struct syn_src_key);
	__type(value, struct host_isn);
} host_isn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XDPCT_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct host_isn);
} scratch_host SEC(".maps");

/* Written by userspace only: see flow.h. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_meta);
} meta SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpct_detector);
} detector SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct user_deletes);
} gc SEC(".maps");

extern __s64 bpf_map_sum_elem_count(const struct bpf_map *map) __ksym;

__noinline int ct_inspect_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w)
{
	if (f && p && w)
		ct_inspect(f, p, w);
	return 0;
}

__noinline int ct_commit_g(struct flow *f, struct ct_work *w, struct ct_result *res)
{
	if (f && w && res)
		ct_commit(f, w, res);
	return 0;
}

__noinline __u32 ct_letters_bits_g(__u32 letters)
{
	return ct_letters_bits(letters);
}

__noinline __u64 ct_hist_add_g(__u64 h, __u32 letters, __u32 claimed, unsigned int *wanted)
{
	if (!wanted)
		return h;
	return ct_hist_add(h, letters, claimed, wanted);
}

__noinline int ct_hist_record_g(struct flow *f, __u32 letters, __u32 claimed)
{
	if (f)
		ct_hist_record(f, letters, claimed);
	return 0;
}

__noinline int ct_account_g(struct flow *f, const struct ct_pkt *p, struct ct_work *w,
			     struct ct_result *res, __u64 now)
{
	if (f && p && w && res)
		ct_account(f, p, w, res, now);
	return 0;
}

/* now_coarse - tick-resolution time for the fast path: jiffies are an
 * inlined load, where the coarse clock is a helper call. */
static __always_inline __u64 now_coarse(void)
{
	if (replay_mode)
		return replay_now_ns;
	if (jiffy_ns && clock_offset_ns)
		return bpf_jiffies64() * jiffy_ns + clock_offset_ns;
	return bpf_ktime_get_coarse_ns();
}

/* now_precise - CLOCK_MONOTONIC ns, for first packets and RTTs. */
static __always_inline __u64 now_precise(void)
{
	__u64 t;

	if (replay_mode)
		return replay_now_ns;
	t = bpf_ktime_get_ns();
	if (jiffy_ns && !clock_offset_ns)
		clock_offset_ns = t - bpf_jiffies64() * jiffy_ns;
	return t;
}

#include "events.h"

/*
 * host_isn_record - remember an ISN the sending host chose, with a hash of
 * the connection's 4-tuple (the same either way round; a rare collision only
 * drops a sample): the verdict takes one ISN per 4-tuple.
 */
static __always_inline void host_isn_record(const __be32 *addr, const struct pkt_info *pi,
					    __u32 isn, __u64 now)
{
	struct syn_src_key k = {};
	struct host_isn *h;
	__u32 zero = 0;
	__u64 slot;

	__builtin_memcpy(k.addr, addr, 16);
	k.family = pi->family;
	h = bpf_map_lookup_elem(&host_isn, &k);
	if (!h) {
		struct host_isn *z = bpf_map_lookup_elem(&scratch_host, &zero);

		if (!z)
			return;
		__builtin_memset(z, 0, sizeof(*z));
		bpf_map_update_elem(&host_isn, &k, z, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&host_isn, &k);
		if (!h)
			return;
	}
	slot = __sync_fetch_and_add(&h->count, 1) & (XDPCT_HOST_ISN_SLOTS - 1);
	h->isn[slot] = isn;
	h->ts_ns[slot] = now;
	h->tuple[slot] = (pi->saddr[0] ^ pi->saddr[1] ^ pi->saddr[2] ^ pi->saddr[3] ^
			  pi->daddr[0] ^ pi->daddr[1] ^ pi->daddr[2] ^ pi->daddr[3] ^
			  (pi->sport ^ pi->dport) ^ ((__u32)(__u16)(pi->sport + pi->dport) << 16)) *
			 0x9e3779b1u;
}

#include "track.h"

/* xdpct_account - count a parsed frame and track it if it is TCP. */
static __always_inline void xdpct_account(struct xdpct_stats *st, int ret, struct pkt_info *pi,
					  __u32 segs, __u32 egress)
{
	union flow_key k;	/* every byte the key uses is written */

	st->packets++;
	if (unlikely(ret < 0)) {
		__u32 why = -ret - 1;

		if (why < MAL_MAX)
			st->malformed[why]++;
		return;
	}
	if (unlikely(ret != PARSE_TCP)) {
		st->non_tcp++;
		if (ret == PARSE_FRAGMENT)
			st->fragments++;
		return;
	}
	st->tcp++;
	pi->seg.segs = segs ? segs : 1;
	/* the fast path checks it: a segment through the other direction's hook is forged */
	pi->seg.hook = fl_hook(replay_mode || mirror_mode, egress);
	if (pi->family == 4)
		track(pi, st, &flows, &k, flow_key4_make(&k.v4, pi), egress, 0);
	else
		track(pi, st, &flows6, &k, flow_key6_make(&k.v6, pi), egress, 1);
}

static __always_inline struct xdpct_stats *hook_stats(__u32 hook)
{
	return bpf_map_lookup_elem(&stats, &hook);
}

/*
 * The XDP parser is inlined (a call costs ~8 ns a packet); the TC one is a
 * global function, verified once, so the many header layouts it accepts do
 * not multiply the paths the verifier walks.
 */
/* xdp_parse_flags - constants once the knobs are frozen. A capture taken on
 * a TSO sender holds its super-packets (iph_totlen: as a GSO skb). */
static __always_inline __u32 xdp_parse_flags(void)
{
	return (replay_mode ? PARSE_F_GSO : 0) | (verify_csum ? PARSE_F_CSUM : 0);
}

/*
 * parse_xdp_frags - a multi-buffer frame (xdp.frags): the headers are in the
 * first buffer, the IP length counts the fragments too. Called only when the
 * first buffer is shorter than the IP header says, so the fast path never
 * pays for bpf_xdp_get_buff_len. ret is the first parse's result.
 */
__noinline int parse_xdp_frags(struct xdp_md *ctx, struct pkt_info *pi, int ret)
{
	void *data, *data_end;
	__u32 full;

	if (!ctx || !pi || !xdp_frags)
		return ret;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	full = bpf_xdp_get_buff_len(ctx);
	if (full <= (__u32)(data_end - data))
		return ret;
	return parse_frame(data, data_end, full, pi, xdp_parse_flags());
}

static __always_inline int parse_xdp(struct xdp_md *ctx, struct pkt_info *pi)
{
	void *data, *data_end;
	__u32 len;
	int ret;

	if (!ctx || !pi)
		return MALFORMED(MAL_ETH_TRUNCATED);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	len = data_end - data;
	/* a capture's snaplen may cut a frame: lengths come from its headers */
	if (replay_mode && replay_wire_len > len)
		len = replay_wire_len;
	ret = parse_frame(data, data_end, len, pi, xdp_parse_flags());
	if (unlikely(ret == MALFORMED(MAL_IPV4_BAD_LENGTH) ||
		     ret == MALFORMED(MAL_IPV6_BAD_LENGTH)))
		ret = parse_xdp_frags(ctx, pi, ret);
	return ret;
}

/* SYN options: copy with the helper, walk the copy (global: own stack). */
__noinline int syn_wscale_xdp(struct xdp_md *ctx, struct pkt_info *pi)
{
	struct tcp_opts o = {};
	__u32 len;

	if (!ctx || !pi || !pi->opt_len)
		return 0;
	len = pi->opt_len;
	if (len > TCP_OPT_MAX_LEN)
		len = TCP_OPT_MAX_LEN;
	if (bpf_xdp_load_bytes(ctx, pi->opt_off, o.b, len))
		return 0;
	o.len = len;
	pi->seg.wscale = tcp_opts_walk(&o, &pi->seg.ts);
	return 0;
}

__noinline int parse_skb(struct __sk_buff *skb, struct pkt_info *pi)
{
	void *data, *data_end;

	if (!skb || !pi)
		return MALFORMED(MAL_ETH_TRUNCATED);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	/* iph_totlen(): tot_len 0 is the skb's length only for a GSO packet */
	return parse_frame(data, data_end, skb->len, pi, skb->gso_size ? PARSE_F_GSO : 0);
}

__noinline int syn_wscale_skb(struct __sk_buff *skb, struct pkt_info *pi)
{
	struct tcp_opts o = {};
	__u32 len;

	if (!skb || !pi || !pi->opt_len)
		return 0;
	len = pi->opt_len;
	if (len > TCP_OPT_MAX_LEN)
		len = TCP_OPT_MAX_LEN;
	if (bpf_skb_load_bytes(skb, pi->opt_off, o.b, len))
		return 0;
	o.len = len;
	pi->seg.wscale = tcp_opts_walk(&o, &pi->seg.ts);
	return 0;
}

/* xdp.frags: native XDP on jumbo-frame (multi-buffer) interfaces; the
 * loader drops the flag on kernels without it (hook_parse.h) */
SEC("xdp.frags")
int xdpct_xdp(struct xdp_md *ctx)
{
	struct xdpct_stats *st = hook_stats(HOOK_XDP);
	struct pkt_info pi;	/* parse_frame writes every field it reports */
	int ret;

	if (!st)
		return XDP_PASS;
	ret = parse_xdp(ctx, &pi);
	/* IPv6 options (ip6_parse_tlv), or a chain longer than the inlined walk */
	if (unlikely((ret == PARSE_TCP && pi.ip6_ext) || ret == MALFORMED(MAL_IPV6_EXT_TOO_DEEP)))
		ret = ipv6_ext_xdp(ctx, &pi, ret != PARSE_TCP);
	if (ret == PARSE_TCP) {
		/* what the host drops on ingress (ip_rcv_options, tcp_v4_rcv's
		 * pkt_type check) is not tracked; with --mirror
		 * every frame is someone else's */
		if (unlikely(pi.ip_opt_len))
			ret = mal_of3(ipv4_opts_xdp(ctx, &pi), MAL_IPV4_BAD_CSUM,
				      MAL_IPV4_BAD_OPTIONS, MAL_IPV4_SOURCE_ROUTE);
		if (unlikely(!mirror_mode && !replay_mode && ret == PARSE_TCP &&
			     l2_not_host((void *)(long)ctx->data, (void *)(long)ctx->data_end)))
			ret = MALFORMED(MAL_L2_NOT_HOST);
	}
	if (ret == PARSE_TCP && pi.opt_len)	/* a SYN with options */
		syn_wscale_xdp(ctx, &pi);
	/* only segments that can change state pay for their checksum */
	if (verify_csum && ret == PARSE_TCP &&
	    (pi.seg.flags & (TCP_FL_SYN | TCP_FL_FIN | TCP_FL_RST))) {
		tcp_csum_xdp(ctx, &pi);
		if (pi.seg.csum_bad)
			st->tcp_bad_csum++;
	}
	xdpct_account(st, ret, &pi, 1, 0);
	return XDP_PASS;
}

/* parse_truncated - a parse error that more linear data could cure. */
static __always_inline int parse_truncated(int ret)
{
	return ret == MALFORMED(MAL_ETH_TRUNCATED) || ret == MALFORMED(MAL_VLAN_TRUNCATED) ||
	       ret == MALFORMED(MAL_IPV4_TRUNCATED) || ret == MALFORMED(MAL_IPV6_TRUNCATED) ||
	       ret == MALFORMED(MAL_IPV6_EXT_TRUNCATED) || ret == MALFORMED(MAL_TCP_TRUNCATED);
}

#define TC_PULL_BYTES 256

/*
 * On egress the headers of a locally built skb are in its linear part; if
 * they are not, pull them (bytes unchanged) and parse again.
 * TC_ACT_UNSPEC: continue with the next filter, as if we were not there.
 */
SEC("tc")
int xdpct_tc(struct __sk_buff *skb)
{
	struct xdpct_stats *st = hook_stats(HOOK_TC);
	struct pkt_info pi;	/* parse_frame writes every field it reports */
	int ret;

	if (!st)
		return TC_ACT_UNSPEC_;
	ret = parse_skb(skb, &pi);
	if (ret < 0 && parse_truncated(ret) &&
	    skb->len > (__u32)(skb->data_end - skb->data)) {
		bpf_skb_pull_data(skb, skb->len < TC_PULL_BYTES ? skb->len : TC_PULL_BYTES);
		ret = parse_skb(skb, &pi);
	}
	if (ret == PARSE_TCP && pi.opt_len)
		syn_wscale_skb(skb, &pi);
	xdpct_account(st, ret, &pi, skb->gso_segs, 1);
	return TC_ACT_UNSPEC_;
}

#include "livecount.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

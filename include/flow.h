/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * flow.h - the contract between the BPF programs (bpf/) and userspace (user/).
 *
 * Fixed-width types only, explicit padding, no includes: each side brings
 * __u32 & co. first (vmlinux.h in BPF, <linux/types.h> in userspace).
 * Changing this file rebuilds both sides (Makefile dependency).
 */
#ifndef XDPCT_FLOW_H
#define XDPCT_FLOW_H

#define XDPCT_VERSION "1.0.0"

/* Default map sizes; the loader overrides them before load. */
#define XDPCT_MAX_FLOWS_DEFAULT		262144
#define XDPCT_MAX_HALFOPEN_DEFAULT	65536
#define XDPCT_SYN_DST_ENTRIES		4096
#define XDPCT_SYN_SRC_ENTRIES		16384
#define XDPCT_EVENTS_BYTES		(4 << 20)

/*
 * Flow keys are canonical: side 0 is the numerically lower (addr, port)
 * pair (addresses and ports compared as numbers, e.g. 9.0.0.2 < 10.0.0.1),
 * so both directions of a connection find the same entry with one lookup.
 * Addresses and ports are stored in network byte order. IPv4 and IPv6
 * use the same scheme; their keys differ only in address width, so the
 * IPv4 fast path hashes 12 bytes instead of 36.
 */
struct flow_key4 {
	__be32 addr[2];
	__be16 port[2];
};

struct flow_key6 {
	__be32 addr[2][4];
	__be16 port[2];
};

union flow_key {
	struct flow_key4 v4;
	struct flow_key6 v6;
};

/* nf_conntrack's TCP states, same order and meaning. */
enum ct_state {
	CT_STATE_NONE = 0,
	CT_STATE_SYN_SENT,
	CT_STATE_SYN_RECV,
	CT_STATE_ESTABLISHED,
	CT_STATE_FIN_WAIT,
	CT_STATE_CLOSE_WAIT,
	CT_STATE_LAST_ACK,
	CT_STATE_TIME_WAIT,
	CT_STATE_CLOSE,
	CT_STATE_SYN_SENT2,
	CT_STATE_COUNT,
};

/*
 * The default timeout of each state in ns, nf_conntrack's (an established
 * flow nobody answered is capped at CT_UNCONFIRMED_TIMEOUT_NS). One table
 * for the BPF programs and the unit and prog tests; the loader overrides
 * entries (--timeout).
 */
#define CT_TIMEOUTS_DEFAULT {						\
	[CT_STATE_NONE]		= 120 * 1000000000ull,			\
	[CT_STATE_SYN_SENT]	= 120 * 1000000000ull,			\
	[CT_STATE_SYN_RECV]	= 60 * 1000000000ull,			\
	[CT_STATE_ESTABLISHED]	= 432000 * 1000000000ull,		\
	[CT_STATE_FIN_WAIT]	= 120 * 1000000000ull,			\
	[CT_STATE_CLOSE_WAIT]	= 60 * 1000000000ull,			\
	[CT_STATE_LAST_ACK]	= 30 * 1000000000ull,			\
	[CT_STATE_TIME_WAIT]	= 120 * 1000000000ull,			\
	[CT_STATE_CLOSE]	= 10 * 1000000000ull,			\
	[CT_STATE_SYN_SENT2]	= 120 * 1000000000ull,			\
}

/* Direction of a packet relative to the flow's originator. */
enum ct_dir {
	CT_DIR_ORIG = 0,
	CT_DIR_RESP = 1,
};

/*
 * Anomaly bits (struct flow.anomalies). Names printed by the CLI are the
 * enum names without the CT_ANOM_ prefix. Bits 0..15 are set by the BPF
 * programs at packet time; bits 16.. are derived by userspace from the
 * recorded facts (CT_ANOM_USER_FIRST).
 */
enum ct_anomaly {
	CT_ANOM_BAD_SYNACK_ACK		= 1u << 0,  /* SYN-ACK ack != live ISN + 1 */
	CT_ANOM_BAD_HANDSHAKE_ACK	= 1u << 1,  /* 3rd packet ack/seq wrong */
	CT_ANOM_SYNACK_WITHOUT_SYN	= 1u << 2,
	CT_ANOM_ACK_BEFORE_SYNACK	= 1u << 3,
	CT_ANOM_DATA_BEFORE_ESTABLISHED	= 1u << 4,
	CT_ANOM_SYN_ON_ESTABLISHED	= 1u << 5,  /* new ISN on a live tuple */
	CT_ANOM_ACK_UNSENT_DATA		= 1u << 6,  /* ack beyond peer's data */
	CT_ANOM_SEQ_OUT_OF_WINDOW	= 1u << 7,
	CT_ANOM_RST_OUT_OF_WINDOW	= 1u << 8,  /* blind reset */
	CT_ANOM_MIDSTREAM		= 1u << 9,  /* no handshake seen */
	CT_ANOM_SEQ_WRAPPED		= 1u << 10, /* informational */
	CT_ANOM_RST_SEQ_INEXACT		= 1u << 11, /* in-window RST, not at the exact seq */
	CT_ANOM_ONE_HOOK_BOTH_WAYS	= 1u << 12, /* both directions through one hook */
	CT_ANOM_ONE_SIDED		= 1u << 16, /* userspace: one direction */
	CT_ANOM_PREDICTABLE_ISN		= 1u << 17, /* userspace: host verdict */
};
#define CT_ANOM_USER_FIRST	(1u << 16)
/* Findings that are facts, not faults: not counted as anomalies. */
#define CT_ANOM_INFO_MASK	(CT_ANOM_SEQ_WRAPPED)

/*
 * History letters, Zeek's vocabulary: the order in which events first
 * happened, upper case for the originator, lower for the responder.
 * A letter index is kind + CT_HIST_KINDS * dir; it is stored + 1 in 5 bits.
 */
enum ct_hist_kind {
	CT_HIST_SYN = 0,	/* 's': SYN without ACK */
	CT_HIST_SYNACK,		/* 'h': SYN+ACK (shares the "SYN seen" bit) */
	CT_HIST_ACK,		/* 'a': pure ACK */
	CT_HIST_DATA,		/* 'd': payload */
	CT_HIST_FIN,		/* 'f' */
	CT_HIST_RST,		/* 'r' */
	CT_HIST_RETRANS,	/* 't': payload at or below data already sent */
	CT_HIST_GAP,		/* 'g': peer acked data never seen */
	CT_HIST_ZEROWIN,	/* 'w': zero window advertised */
	CT_HIST_KINDS,
};
#define CT_HIST_LETTERS		"shadfrtgw"
#define CT_HIST_SLOTS		12	/* 12 x 5 bits + 4-bit count = 64 */
#define CT_HIST_BITS		5
#define CT_HIST_COUNT_SHIFT	60

/*
 * ctl word of a flow: state and bookkeeping bits, changed with
 * compare-and-swap so the XDP and TC programs can update one flow from two
 * CPUs at once without losing a transition.
 */
#define CT_CTL_STATE_MASK	0xfu
#define CT_CTL_ORIG_SIDE	(1u << 4)  /* originator is canonical side 1 */
#define CT_CTL_ISN_ORIG		(1u << 5)  /* orig ISN seen in a SYN */
#define CT_CTL_ISN_RESP		(1u << 6)  /* resp ISN seen in a SYN/SYN-ACK */
#define CT_CTL_WSCALE_OK	(1u << 7)  /* both SYNs carried window scale */
#define CT_CTL_HIST_SHIFT	8          /* 18 bits: letter already recorded */
#define CT_CTL_HIST_MASK	(0x3ffffu << CT_CTL_HIST_SHIFT)
#define CT_CTL_HIST_FULL	(1u << 26) /* more than CT_HIST_SLOTS letters */
#define CT_CTL_FIRST_RESP	(1u << 27) /* first packet came from resp */
#define CT_CTL_ESTABLISHED_ONCE	(1u << 28) /* handshake completed */
#define CT_CTL_REPLIED		(1u << 29) /* both directions seen */
#define CT_CTL_WINDOW_KNOWN	(1u << 30) /* windows tracked from handshake */
#define CT_CTL_SIMOPEN		(1u << 31) /* went through SYN_SENT2 */

/*
 * The hooks a segment comes through. On a host or router interface each
 * direction of a connection crosses one of them: ingress (XDP) from the
 * wire, egress (TC) towards it. Both directions through the same hook means
 * one of them was forged (or the port mirrors traffic, where the loader
 * passes 0 and this check is off).
 */
#define CT_HOOK_INGRESS	1
#define CT_HOOK_EGRESS	2

/* Timeout cap of an established flow not (yet) confirmed two-way: nf_conntrack's UNACK. */
#define CT_UNCONFIRMED_TIMEOUT_NS	(300ull * 1000000000ull)

/* One direction of a flow. Sequence numbers are host byte order. */
struct flow_dir {
	__u32 isn;		/* seq of this side's SYN (or first seq - 1) */
	__u32 end;		/* highest seq + len sent (+1 for SYN/FIN) */
	__u32 ack;		/* highest ack this side sent */
	__u16 max_win;		/* largest raw window advertised (a SYN's: see ct_track.h) */
	__u16 ack_wraps : 13;	/* times 'ack' wrapped past the peer's ISN (mod 8192) */
	__u16 hooks : 2;	/* CT_HOOK_* this direction's segments came through */
	__u16 syn_again : 1;	/* this side sent its SYN (or SYN-ACK) more than once */
	__u64 pkts;
	__u64 bytes;		/* TCP payload bytes */
	__u64 ip_bytes;		/* IP-layer bytes of every packet (retransmissions too) */
	__u64 first_ns;		/* CLOCK_MONOTONIC (capture time in replay) */
	__u64 last_ns;
};

/*
 * The flow record: 144 bytes. dir[0] is the originator, dir[1] the
 * responder; which canonical key side is the originator is in ctl.
 */
struct flow {
	struct flow_dir dir[2];
	__u64 history;		/* CT_HIST_SLOTS letter codes + count */
	__u64 expires_ns;	/* last accepted packet + state timeout */
	__u32 ctl;		/* CT_CTL_* and the state */
	__u32 anomalies;	/* enum ct_anomaly */
	__u32 ack_rtt_us;	/* SYN-ACK -> handshake ACK */
	__u8 flags[2];		/* TCP flags seen, per direction */
	__u8 wscale[2];		/* window scale option, 0xff = none */
};

#define CT_WSCALE_NONE	0xff

/* Reasons a frame is counted as malformed (passed, never tracked). */
enum xdpct_malformed {
	MAL_ETH_TRUNCATED = 0,
	MAL_VLAN_TRUNCATED,
	MAL_VLAN_TOO_DEEP,
	MAL_MPLS_TRUNCATED,
	MAL_IP_BAD_VERSION,
	MAL_IPV4_TRUNCATED,
	MAL_IPV4_BAD_IHL,
	MAL_IPV4_BAD_LENGTH,
	MAL_IPV6_TRUNCATED,
	MAL_IPV6_BAD_LENGTH,
	MAL_IPV6_EXT_TRUNCATED,
	MAL_IPV6_EXT_TOO_DEEP,
	MAL_TCP_TRUNCATED,
	MAL_TCP_BAD_DOFF,
	MAL_TCP_BAD_FLAGS,
	/* well-formed, but the host drops them (not tracked): */
	MAL_IPV4_BAD_CSUM,	/* ip_rcv_core: ip_fast_csum */
	MAL_IPV4_BAD_OPTIONS,	/* ip_options_compile fails */
	MAL_IPV4_SOURCE_ROUTE,	/* ip_rcv_options: LSRR/SSRR, accept_source_route 0 */
	MAL_IPV6_HBH_NOT_FIRST,	/* next header 0 after the first: no handler */
	MAL_IPV6_ROUTING,	/* ipv6_rthdr_rcv: RH0/RH2 with segments left, SRH, RPL */
	MAL_IPV6_AH,		/* xfrm: no SA xdpct could know of */
	MAL_L2_NOT_HOST,	/* to a group MAC: not PACKET_HOST, tcp_v4_rcv drops it */
	MAL_IPV6_BAD_OPTION,	/* ip6_parse_tlv: a hop-by-hop/destination option it discards */
	MAL_MAX,
};

#define XDPCT_MALFORMED_NAMES {						\
	"eth_truncated", "vlan_truncated", "vlan_too_deep",		\
	"mpls_truncated", "ip_bad_version", "ipv4_truncated", "ipv4_bad_ihl",		\
	"ipv4_bad_length", "ipv6_truncated", "ipv6_bad_length",		\
	"ipv6_ext_truncated", "ipv6_ext_too_deep", "tcp_truncated",	\
	"tcp_bad_doff", "tcp_bad_flags", "ipv4_bad_csum", "ipv4_bad_options",	\
	"ipv4_source_route", "ipv6_hbh_not_first", "ipv6_routing_header",	\
	"ipv6_ah", "l2_not_host", "ipv6_bad_option" }

/* Which program counted: index into the per-CPU stats array. */
enum xdpct_hook {
	HOOK_XDP = 0,
	HOOK_TC = 1,
	HOOK_MAX,
};

/*
 * Per-CPU, per-hook counters. packets = tcp + non_tcp + malformed (sum of
 * malformed[]). Userspace sums over CPUs.
 */
struct xdpct_stats {
	__u64 packets;
	__u64 tcp;
	__u64 non_tcp;		/* not IP, not TCP, or a non-first fragment */
	__u64 fragments;	/* of non_tcp: non-first IP fragments */
	__u64 malformed[MAL_MAX];
	__u64 flows_created;	/* new flow records (any map) */
	__u64 flows_promoted;	/* halfopen -> flows */
	__u64 flows_reopened;	/* a tuple's flow ended by SYN or expiry */
	__u64 halfopen_deleted;	/* removed from halfopen other than by LRU */
	__u64 flows_deleted;	/* removed from flows other than by LRU */
	__u64 syn_pkts;		/* SYN without ACK */
	__u64 synack_pkts;
	__u64 syn_retransmits;	/* same ISN again */
	__u64 synack_retransmits;
	__u64 handshakes_completed;
	__u64 rst_pkts;
	__u64 fin_pkts;
	__u64 invalid_pkts;	/* state machine said invalid */
	__u64 events_sent;
	__u64 events_dropped;	/* rate limit or ring buffer full */
	__u64 insert_failed;	/* map update errors */
	__u64 tcp_bad_csum;	/* XDP: SYN/FIN/RST with a wrong TCP checksum (tracked as 'c') */
	__u64 halfopen_evicted;	/* a live SYN-cache slot overwritten by a new flow */
	__u64 halfopen_races;	/* a SYN-cache slot changed owner under a CPU using it */
};

/*
 * The half-open store (pins "halfopen", "halfopen6"): a set-associative SYN
 * cache in an ARRAY map of buckets, the bucket chosen by a seeded hash of
 * the canonical key (hc_hash, seed in the programs' .bss, set by the
 * loader). A new flow takes a free way of its bucket or overwrites its
 * least recently active (counted in halfopen_evicted), so a flood writes a
 * bounded amount of memory per packet and never touches the established
 * maps.
 *
 * A bucket is a 64-byte index of its HC_WAYS ways (gen, hash, last activity) and
 * then the ways' records. A lookup and the victim choice read the index
 * only: one cache line, where HC_WAYS separate slots were HC_WAYS lines
 * (and as many TLB entries) in a map of several MB; only a hash match reads
 * a record. The maps are BPF_F_MMAPABLE, whose values start on a page, and
 * both bucket sizes are multiples of 64, so every index is one aligned line
 * (a plain ARRAY's values start 56 bytes into a line on 6.18). The record
 * holds the flow first, at the same offset in both families.
 */
#define HC_WAYS		4
#define HC_LIVE		1u	/* gen: the way holds a flow */
#define HC_BUSY		2u	/* gen: a CPU is (re)writing the way */
#define HC_GEN_STEP	4u	/* gen: generation, bumped by every claim and free */

struct hc_tag {
	__u32 gen;		/* HC_LIVE | HC_BUSY | generation, changed by CAS */
	__u32 hash;		/* hc_hash of the way's key */
	__u64 last;		/* when the way's flow last took a segment: the victim
				 * is the least recently active way */
};

struct hc_slot4 {
	struct flow flow;
	struct flow_key4 key;
	__u32 pad;
};

struct hc_slot6 {
	struct flow flow;
	struct flow_key6 key;
	__u32 pad[3];		/* 192 bytes: the bucket stays a multiple of 64 */
};

struct hc_bucket4 {		/* 704 bytes: 11 cache lines */
	struct hc_tag tag[HC_WAYS];
	struct hc_slot4 slot[HC_WAYS];
};

struct hc_bucket6 {		/* 832 bytes: 13 cache lines */
	struct hc_tag tag[HC_WAYS];
	struct hc_slot6 slot[HC_WAYS];
};

/* hc_mix - one round of a multiply-rotate hash (murmur3's body). */
static inline __u32 hc_mix(__u32 h, __u32 w)
{
	w *= 0xcc9e2d51u;
	w = (w << 15) | (w >> 17);
	w *= 0x1b873593u;
	h ^= w;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

/* hc_fin - murmur3's finaliser: every input bit reaches every output bit. */
static inline __u32 hc_fin(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* hc_hash - seeded hash of nwords 32-bit words (3: IPv4 key, 9: IPv6). */
static inline __u32 hc_hash(const __u32 *w, int nwords, __u32 seed)
{
	__u32 h = seed;
	int i;

	for (i = 0; i < 9; i++) {
		if (i >= nwords)
			break;
		h = hc_mix(h, w[i]);
	}
	return hc_fin(h ^ (__u32)(nwords * 4));
}

/* hc_bucket - hash's bucket among nbuckets (no division). */
static inline __u32 hc_bucket(__u32 hash, __u32 nbuckets)
{
	return (__u32)(((__u64)hash * nbuckets) >> 32);
}

/*
 * Per-source SYN accounting (pin "syn_src"): a count-min sketch per CPU
 * (SK_ROWS rows of SK_COLS counters, conservative update) plus a small set
 * of heavy-hitter candidates per CPU, so a flood of random sources inserts
 * nothing. Userspace sums the rows over CPUs and estimates each candidate:
 * never below its true count, above it by at most what collided with it.
 */
#define SK_ROWS		3
#define SK_COLS		2048	/* power of two */
#define SK_CANDS	64	/* power of two */

struct syn_cand {
	__be32 addr[4];		/* IPv4 in addr[0], rest 0 */
	__u8 family;		/* 4 or 6; 0: empty */
	__u8 pad[3];
	__u32 est;		/* this CPU's estimate when last seen */
	__u64 last_ns;
};

struct syn_sketch {
	__u32 cm[SK_ROWS][SK_COLS];
	struct syn_cand cand[SK_CANDS];
};

/* Per-victim (destination addr:port) SYN accounting; key is host-order port. */
struct syn_dst_key {
	__be32 addr[4];		/* IPv4 in addr[0], rest 0 */
	__u16 port;		/* host order */
	__u8 family;		/* 4 or 6 */
	__u8 pad;
};

struct syn_dst_val {
	__u64 syns;
	__u64 synacks;
	__u64 completed;
	__u64 last_ns;
};

struct syn_src_key {
	__be32 addr[4];
	__u8 family;
	__u8 pad[3];
};

struct syn_src_val {
	__u64 syns;
	__u64 last_ns;
};

/*
 * Per-host ISN history (ISN quality, seed-notes §5): the last ISNs a host
 * chose in SYNs and SYN-ACKs, a ring of XDPCT_HOST_ISN_SLOTS, each with a
 * hash of its connection's 4-tuple: RFC 6528 ISNs grow with time within one
 * 4-tuple, so the verdict takes one ISN per 4-tuple.
 */
#define XDPCT_HOST_ISN_SLOTS	16
#define XDPCT_HOST_ENTRIES	4096

struct host_isn {
	__u64 count;				/* ISNs recorded in all */
	__u32 isn[XDPCT_HOST_ISN_SLOTS];	/* slot (count - 1) % SLOTS is newest */
	__u64 ts_ns[XDPCT_HOST_ISN_SLOTS];
	__u32 tuple[XDPCT_HOST_ISN_SLOTS];	/* its connection's 4-tuple, hashed */
};


/* Ring buffer events (per-flow, rate limited except CT_EV_END in replay). */
enum ct_event_type {
	CT_EV_NEW = 1,		/* flow record created */
	CT_EV_STATE,		/* state changed */
	CT_EV_ANOMALY,		/* new anomaly bits */
	CT_EV_END,		/* record replaced (reopen/expiry): final copy */
};

struct ct_event {
	__u8 type;
	__u8 family;		/* 4 or 6 */
	__u8 old_state;
	__u8 new_state;
	__u32 new_anomalies;
	__u64 ts_ns;
	__be32 addr[2][4];	/* canonical sides, IPv4 in [i][0] */
	__be16 port[2];
	__u32 pad;
	struct flow flow;	/* snapshot after the packet */
};

/*
 * Persistent-mode bookkeeping, pinned as "meta" (one entry): what detach
 * and a later run need to find and undo.
 */
enum xdpct_owner_mode {
	OWNER_NONE = 0,
	OWNER_RUN = 1,		/* a "run" process owns the attachment */
	OWNER_ATTACH = 2,	/* persistent: pinned link, no process */
};

struct xdpct_meta {
	__u32 magic;		/* XDPCT_META_MAGIC */
	__u32 ifindex;
	__u32 owner_mode;
	__u32 owner_pid;
	__u64 owner_start;	/* /proc/PID/stat starttime, to tell pid reuse */
	__u32 xdp_prog_id;
	__u32 tc_prog_id;
	__u32 xdp_flags;	/* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u32 tc_mode;		/* XDPCT_TC_TCX (a BPF link) or XDPCT_TC_CLSACT */
	__u32 tc_handle;	/* clsact: our filter's handle and priority */
	__u32 tc_priority;
	__u32 clsact_created;	/* clsact: we created the qdisc */
	__u64 attached_ns;	/* CLOCK_REALTIME */
	__u64 max_flows;
	__u64 max_halfopen;
	char ifname[16];
	__u64 netns_dev;	/* the network namespace of the interface */
	__u64 netns_ino;
};
#define XDPCT_META_MAGIC	0x78647063u	/* "xdpc" */
#define XDPCT_TC_TCX		1	/* tcx egress link (Linux 6.6+) */
#define XDPCT_TC_CLSACT		2	/* a filter on the clsact qdisc */

/* Flows userspace deleted (expiry), pinned as "gc": LRU evictions are then
 * exactly inserted - deleted - live. */
struct user_deletes {
	__u64 flows;
	__u64 halfopen;
};

/*
 * Detector state, pinned as "detector": written by the process running the
 * SYN-flood detector (run/events), read by "stats".
 */
struct xdpct_detector {
	__u64 updated_ns;	/* CLOCK_REALTIME of the last evaluation */
	__u32 pid;
	__u32 flooding;		/* 0 normal, 1 flood */
	__u64 since_ns;		/* CLOCK_REALTIME the current state began */
	__u64 syn_rate;		/* SYN/s over the last interval */
	__u64 completion_ppm;	/* completed / SYN, parts per million */
	__u64 half_open;
	__u64 flood_syns;	/* SYNs since the flood began */
	__u64 cusum_milli;	/* CUSUM statistic x 1000 */
	struct syn_dst_key victim;
};

#endif /* XDPCT_FLOW_H */

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * hook_parse.h - the parsing knobs the loader sets before load (frozen
 * afterwards), and the XDP hook's checks that read beyond the headers with
 * bpf_xdp_load_bytes: the TCP checksum of SYN/FIN/RST segments and IPv4
 * options. Each is a global function, verified
 * once, called only for the rare frames that need it.
 */
#ifndef XDPCT_HOOK_PARSE_H
#define XDPCT_HOOK_PARSE_H

#include "csum.h"

/*
 * The kernel has XDP multi-buffer (Linux 5.18+): the XDP program is loaded
 * as xdp.frags and may call bpf_xdp_get_buff_len. The loader sets 0 (and
 * loads without BPF_F_XDP_HAS_FRAGS) where it does not; the verifier then
 * never sees the helper call.
 */
const volatile __u8 xdp_frags = 1;

/*
 * Verify checksums (the IPv4 header's, and the TCP checksum of SYN, FIN and
 * RST segments) as the receiving host does. 0 in replay: checksums in
 * captures are often not the wire's (a sender's offload leaves them
 * unfilled; anonymised traces zero them), and Zeek is run on captures with
 * -C for the same reason.
 */
const volatile __u8 verify_csum = 1;
/*
 * A TCP checksum field that holds only the pseudo-header's sum is taken as
 * the host takes it from a local sender over veth (CHECKSUM_PARTIAL). The
 * loader sets 1 for veth interfaces; on a NIC the host verifies and drops
 * them.
 */
const volatile __u8 csum_partial_ok = 0;
/* net.ipv4.conf.*.accept_source_route (0 by default): LSRR/SSRR accepted */
const volatile __u8 accept_source_route = 0;

#define CSUM_CHUNK	512	/* bpf_csum_diff's most per call */
#define CSUM_MAX_CHUNKS	((65536 + 1024) / CSUM_CHUNK)

struct parse_buf {
	__u8 b[CSUM_CHUNK + 4];	/* + the zeroed word past a chunk's tail */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct parse_buf);
} parse_scratch SEC(".maps");

/*
 * mal_of3 - a global check's result as one of its malformed codes, or
 * PARSE_TCP: constants the verifier can follow into the counter index (a
 * global function's return value is an unknown scalar to it).
 */
static __always_inline int mal_of3(int r, int why_a, int why_b, int why_c)
{
	if (r == MALFORMED(why_a))
		return MALFORMED(why_a);
	if (r == MALFORMED(why_b))
		return MALFORMED(why_b);
	if (r == MALFORMED(why_c))
		return MALFORMED(why_c);
	return PARSE_TCP;
}

/*
 * tcp_csum_xdp - verify the TCP checksum of a segment that can change state
 * (SYN, FIN, RST; the hook calls it for no other): on a wrong one the host
 * drops the segment (tcp_v4_rcv / tcp_v6_rcv: tcp_checksum_complete), so
 * pi->seg.csum_bad tells the tracker to record it and change nothing. A
 * segment not wholly in the frame (a capture's snaplen) is not judged.
 */
__noinline int tcp_csum_xdp(struct xdp_md *ctx, struct pkt_info *pi)
{
	__u32 zero = 0, off, left, n, i;
	struct parse_buf *pb;
	__u64 sum, pseudo;
	__u16 field;

	if (!ctx || !pi)
		return 0;
	pb = bpf_map_lookup_elem(&parse_scratch, &zero);
	if (!pb)
		return 0;
	off = pi->l4_off;
	left = pi->l4_len;
	if (bpf_xdp_load_bytes(ctx, off + 16, &field, sizeof(field)))
		return 0;
	pseudo = tcp_pseudo_sum(pi->saddr, pi->daddr, pi->family, left);
	sum = pseudo;
	/* whole chunks: constant sizes, so the verifier walks one path */
	for (i = 0; i < CSUM_MAX_CHUNKS && left > CSUM_CHUNK; i++) {
		if (bpf_xdp_load_bytes(ctx, off, pb->b, CSUM_CHUNK))
			return 0;
		sum += (__u32)bpf_csum_diff(NULL, 0, (__be32 *)pb->b, CSUM_CHUNK, 0);
		off += CSUM_CHUNK;
		left -= CSUM_CHUNK;
	}
	if (left > CSUM_CHUNK)
		return 0;	/* longer than any frame xdpct judges */
	n = left;
	if (n) {
		/* the last word's bytes past the end sum as 0 */
		*(__u32 *)&pb->b[(n >> 2) << 2] = 0;
		if (bpf_xdp_load_bytes(ctx, off, pb->b, n))
			return 0;
		sum += (__u32)bpf_csum_diff(NULL, 0, (__be32 *)pb->b, ((n + 3) >> 2) << 2, 0);
	}
	pi->seg.csum_bad = tcp_csum_bad(sum, pseudo, field, csum_partial_ok);
	return 0;
}

/*
 * ipv4_opts_xdp - an IPv4 header with options: its checksum (ip_rcv_core),
 * then the options (ip_options_compile, ip_rcv_options), from a copy.
 */
__noinline int ipv4_opts_xdp(struct xdp_md *ctx, struct pkt_info *pi)
{
	struct ip_opts h = {}, o = {};
	__u32 len;

	if (!ctx || !pi || !pi->ip_opt_len)
		return 0;
	len = pi->ip_opt_len;
	if (len > 40)
		len = 40;
	if (bpf_xdp_load_bytes(ctx, pi->ip_opt_off - 20, h.b, (len + 20) & 63))
		return 0;
	if (verify_csum && !ipv4_hdr_csum_ok(h.b, len + 20))
		return MALFORMED(MAL_IPV4_BAD_CSUM);
	if (bpf_xdp_load_bytes(ctx, pi->ip_opt_off, o.b, len))
		return 0;
	o.len = len;
	return ipv4_opts_walk(&o, accept_source_route);
}

#endif /* XDPCT_HOOK_PARSE_H */

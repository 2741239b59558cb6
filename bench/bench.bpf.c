// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Copyright (c) 2026 The xdpct authors */
/*
 * bench.bpf.c - the yardsticks xdpct is measured against in make bench:
 * xdp_empty, the floor (no work at all), and xdp_ref, the least any
 * map-based tracker can do: parse Ethernet/IPv4/TCP, look the 5-tuple up
 * in an LRU hash (inserting it on a miss, so repeated runs hit) and count;
 * and xdp_slot, the least a flood can cost a tracker that writes memory per
 * packet: parse, hash the 4-tuple (the same hash as xdpct's SYN cache) and
 * write one slot of an array.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flow.h"

struct ref_key {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u32 proto;
};

struct ref_val {
	__u64 pkts;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct ref_key);
	__type(value, struct ref_val);
} ref_flows SEC(".maps");

/* ref_tcp4 - the least parse a tracker needs: Ethernet, IPv4 (any IHL),
 * TCP, each checked against data_end; the TCP header or NULL. */
static __always_inline struct tcphdr *ref_tcp4(struct xdp_md *ctx, struct iphdr **ipp)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct tcphdr *th;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(0x0800))
		return NULL;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > end || ip->protocol != 6 || ip->ihl < 5)
		return NULL;
	th = (void *)ip + ip->ihl * 4;
	if ((void *)(th + 1) > end)
		return NULL;
	*ipp = ip;
	return th;
}

SEC("xdp")
int xdp_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_ref(struct xdp_md *ctx)
{
	struct ref_key k = {};
	struct ref_val *v;
	struct iphdr *ip;
	struct tcphdr *th = ref_tcp4(ctx, &ip);

	if (!th)
		return XDP_PASS;
	k.saddr = ip->saddr;
	k.daddr = ip->daddr;
	k.sport = th->source;
	k.dport = th->dest;
	k.proto = 6;
	v = bpf_map_lookup_elem(&ref_flows, &k);
	if (!v) {
		struct ref_val z = {};

		bpf_map_update_elem(&ref_flows, &k, &z, BPF_NOEXIST);
		return XDP_PASS;
	}
	v->pkts++;
	v->bytes += bpf_ntohs(ip->tot_len);
	return XDP_PASS;
}

struct slot {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u32 pad;
	__u64 pkts;
	__u64 last;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

SEC("xdp")
int xdp_slot(struct xdp_md *ctx)
{
	struct iphdr *ip;
	struct tcphdr *th = ref_tcp4(ctx, &ip);
	struct slot *s;
	__u32 w[3], idx;

	if (!th)
		return XDP_PASS;
	w[0] = ip->saddr;
	w[1] = ip->daddr;
	w[2] = th->source | (__u32)th->dest << 16;
	idx = hc_hash(w, 3, 0x12345678) & 65535;
	s = bpf_map_lookup_elem(&slots, &idx);
	if (!s)
		return XDP_PASS;
	s->saddr = ip->saddr;
	s->daddr = ip->daddr;
	s->sport = th->source;
	s->dport = th->dest;
	s->pkts++;
	s->last = ctx->rx_queue_index;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * flowkey.h - canonical flow keys: both directions of a connection make the
 * same key (flow.h), so one lookup finds the flow.
 */
#ifndef XDPCT_FLOWKEY_H
#define XDPCT_FLOWKEY_H

/*
 * flow_key4_make - canonical IPv4 key; returns the sender's side (0/1).
 * Explicit branches, not k->addr[side]: clang turns an indexed store into a
 * bitwise OR on the stack pointer, which the verifier rejects.
 */
static __always_inline __u8 flow_key4_make(struct flow_key4 *k, const struct pkt_info *pi)
{
	__u32 s = bpf_ntohl(pi->saddr[0]), d = bpf_ntohl(pi->daddr[0]);

	/* side 0: the numerically lower (address, port); stored as on the wire */
	if (s > d || (s == d && bpf_ntohs(pi->sport) > bpf_ntohs(pi->dport))) {
		k->addr[0] = pi->daddr[0];
		k->addr[1] = pi->saddr[0];
		k->port[0] = pi->dport;
		k->port[1] = pi->sport;
		return 1;
	}
	k->addr[0] = pi->saddr[0];
	k->addr[1] = pi->daddr[0];
	k->port[0] = pi->sport;
	k->port[1] = pi->dport;
	return 0;
}

/* flow_key6_make - canonical IPv6 key; returns the sender's side (0/1). */
static __always_inline __u8 flow_key6_make(struct flow_key6 *k, const struct pkt_info *pi)
{
	__u8 side = 0;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (pi->saddr[i] != pi->daddr[i]) {
			side = bpf_ntohl(pi->saddr[i]) > bpf_ntohl(pi->daddr[i]);
			goto decided;
		}
	}
	side = bpf_ntohs(pi->sport) > bpf_ntohs(pi->dport);
decided:
	if (side) {
		__builtin_memcpy(k->addr[0], pi->daddr, 16);
		__builtin_memcpy(k->addr[1], pi->saddr, 16);
		k->port[0] = pi->dport;
		k->port[1] = pi->sport;
	} else {
		__builtin_memcpy(k->addr[0], pi->saddr, 16);
		__builtin_memcpy(k->addr[1], pi->daddr, 16);
		k->port[0] = pi->sport;
		k->port[1] = pi->dport;
	}
	return side;
}

#endif /* XDPCT_FLOWKEY_H */

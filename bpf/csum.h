/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * csum.h - the TCP checksum's arithmetic, shared by the XDP hook and the
 * unit tests. Sums are one's complement sums of 32-bit words as they lie in
 * memory (RFC 1071: the result is byte-order independent, so a folded sum
 * compares with the checksum field as read from the frame).
 */
#ifndef XDPCT_CSUM_H
#define XDPCT_CSUM_H

/* tcp_pseudo_sum - the pseudo-header of a TCP segment of tcp_len bytes
 * (header + payload). The IPv6 layout (RFC 8200 8.1: 32-bit length, then
 * the next header) sums the same as IPv4's (RFC 793) for any IPv4 length. */
static __always_inline __u64 tcp_pseudo_sum(const __be32 *saddr, const __be32 *daddr,
					     __u8 family, __u32 tcp_len)
{
	__u64 sum = (__u64)bpf_htonl(tcp_len) + bpf_htonl(6);
	int i;

	if (family == 4)
		return sum + saddr[0] + daddr[0];
#pragma unroll
	for (i = 0; i < 4; i++)
		sum += (__u64)saddr[i] + daddr[i];
	return sum;
}

/*
 * tcp_csum_bad - the segment's checksum is wrong. sum: the pseudo-header
 * plus every byte of the segment (its checksum field included); field: the
 * checksum field as read. With partial_ok, a field that holds only the
 * pseudo-header's sum is accepted: that is what a local sender's
 * CHECKSUM_PARTIAL segment carries over veth, and the receiving host takes
 * it (the skb says the checksum is still to be filled: skb_csum_unnecessary).
 */
static __always_inline int tcp_csum_bad(__u64 sum, __u64 pseudo, __u16 field, int partial_ok)
{
	if (csum_fold64(sum) == 0xffff)
		return 0;
	if (partial_ok && field == csum_fold64(pseudo))
		return 0;
	return 1;
}

#endif /* XDPCT_CSUM_H */

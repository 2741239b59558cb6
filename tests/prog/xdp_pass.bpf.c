// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Copyright (c) 2026 The xdpct authors */
/* xdp_pass.bpf.c - someone else's XDP program, for the tests that check
 * xdpct never replaces a program that is not its own. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* A TC filter of someone else's, kept on detach. */
SEC("tc")
int tc_other(struct __sk_buff *skb)
{
	return -1;	/* TC_ACT_UNSPEC */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
#ifndef XDPCT_PARSE_KNOBS_H
#define XDPCT_PARSE_KNOBS_H

struct xdpct_bpf;

/*
 * parse_knobs_set - before load: keep xdp.frags if the kernel has XDP
 * multi-buffer, else load without it (one line says why); checksums
 * verified live, not in replay; TCP checksum fields holding only the
 * pseudo-header sum accepted where the host does (ifname a veth interface);
 * live, the host's IPv6 option limits (net.ipv6.max_*_opts_number, _length).
 */
void parse_knobs_set(struct xdpct_bpf *s, const char *ifname, bool replay);

#endif /* XDPCT_PARSE_KNOBS_H */

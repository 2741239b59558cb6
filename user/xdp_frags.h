/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
#ifndef XDPCT_XDP_FRAGS_H
#define XDPCT_XDP_FRAGS_H

struct xdpct_bpf;

/* xdp_frags_fallback - before load: keep xdp.frags if the kernel has XDP
 * multi-buffer, else load without it (one line says why). */
void xdp_frags_fallback(struct xdpct_bpf *s, bool quiet);

#endif /* XDPCT_XDP_FRAGS_H */

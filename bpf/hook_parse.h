/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * hook_parse.h - the parsing knobs the loader sets before load (frozen
 * afterwards), for the hooks' parse functions in xdpct.bpf.c.
 */
#ifndef XDPCT_HOOK_PARSE_H
#define XDPCT_HOOK_PARSE_H

/*
 * The kernel has XDP multi-buffer (Linux 5.18+): the XDP program is loaded
 * as xdp.frags and may call bpf_xdp_get_buff_len. The loader sets 0 (and
 * loads without BPF_F_XDP_HAS_FRAGS) where it does not; the verifier then
 * never sees the helper call.
 */
const volatile __u8 xdp_frags = 1;

#endif /* XDPCT_HOOK_PARSE_H */

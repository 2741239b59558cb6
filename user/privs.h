/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/* privs.h - give up what a running xdpct no longer needs. */
#ifndef XDPCT_PRIVS_H
#define XDPCT_PRIVS_H

/*
 * privs_drop_after_attach - once the programs are loaded and attached,
 * keep only CAP_BPF and CAP_NET_ADMIN (to read the maps and to detach the
 * TC filter on exit) and forbid gaining any back (no_new_privs). Returns 0
 * or -errno; failure is reported and not fatal.
 */
int privs_drop_after_attach(void);

#endif /* XDPCT_PRIVS_H */

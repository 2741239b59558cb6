/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * loader.h - load the BPF object, attach it to an interface (XDP ingress,
 * TC egress), pin its maps under /sys/fs/bpf/xdpct/IFACE/, and undo all of
 * that again, also for a process that died without cleaning up.
 *
 * loader.c: options, checks, bpffs, the skeleton (ld_opts_init .. ld_load);
 * attach.c: ld_prepare, ld_attach, ld_detach_self, ld_detach_iface;
 * pins.c: the pin directory and its table (pins.h), ld_stale,
 * ld_open_pinned, ld_list_ifaces.
 */
#ifndef XDPCT_LOADER_H
#define XDPCT_LOADER_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <linux/types.h>

#include "flow.h"
#include "maps.h"

#define XDPCT_PIN_ROOT "/sys/fs/bpf/xdpct"

enum ld_mode {
	LD_MODE_AUTO = 0,	/* native, falling back to generic */
	LD_MODE_NATIVE,
	LD_MODE_GENERIC,
};

struct ld_opts {
	const char *ifname;
	__u64 max_flows;	/* 0: default */
	__u64 max_halfopen;
	__u64 timeout_ns[CT_STATE_COUNT]; /* 0: default */
	long long event_rate;	/* -1: default */
	enum ld_mode mode;
	bool force;		/* replace a foreign XDP program */
	bool replay;		/* no interface: BPF_PROG_TEST_RUN with capture time */
	bool mirror;		/* a mirror port: both directions arrive on ingress */
	__u8 pad;
};

struct xdpct_bpf;

struct ld {
	struct xdpct_bpf *skel;
	char ifname[IF_NAMESIZE];
	int ifindex;
	char dir[PATH_MAX];
	int xdp_link_fd;
	__u32 xdp_flags;
	int tc_link_fd;		/* tcx egress link, or -1 */
	__u32 tc_handle, tc_prio;
	int owner_mode;
	bool tc_attached;	/* clsact filter */
	bool clsact_created;
	bool pinned;
	__u8 pad;
	struct xdpct_fds fds;	/* borrowed from the skeleton */
};

void ld_opts_init(struct ld_opts *o);

/* What the knobs are when ld_opts leaves them 0 (-1): for help texts. */
struct ld_defaults {
	__u64 max_flows, max_halfopen;
	__u64 event_rate;
	__u64 timeout_ns[CT_STATE_COUNT];
};
/* ld_defaults - from flow.h and the BPF object's .rodata. */
void ld_defaults(struct ld_defaults *d);
/* Parse "STATE=SEC" into o->timeout_ns. Returns 0 or -EINVAL. */
int ld_parse_timeout(struct ld_opts *o, const char *arg);

/* ld_load - open the skeleton, apply the knobs, load it. 0 or -errno. */
int ld_load(struct ld *ld, const struct ld_opts *o);

/*
 * ld_stale - pins nobody fills any more: their run died, or their interface
 * or XDP program is gone. Says why in why.
 */
bool ld_stale(const struct xdpct_meta *m, char *why, size_t len);

/*
 * ld_check_iface - ifname (a valid name: parse_iface_arg) exists here: its
 * ifindex, or -ENODEV.
 * Errors here and below: -errno, with the reason in err_why (util.h).
 */
int ld_check_iface(const char *ifname);

/*
 * ld_prepare - checks before attaching to o->ifname: the interface exists,
 * xdpct is not attached already, no foreign XDP program (unless force).
 * Cleans up after a previous run that was killed. 0 or -errno.
 */
int ld_prepare(struct ld *ld, const struct ld_opts *o);

/* ld_attach - XDP + TC, pins and meta; owner_mode is OWNER_RUN or OWNER_ATTACH. */
int ld_attach(struct ld *ld, const struct ld_opts *o, int owner_mode);

/* ld_detach_self - undo what this process attached and pinned. */
int ld_detach_self(struct ld *ld);

/*
 * ld_detach_iface - remove xdpct from ifname using its pins: -ENOENT when
 * there are none, -EBUSY when a live run or another namespace owns them.
 */
int ld_detach_iface(const char *ifname);

void ld_destroy(struct ld *ld);

/*
 * ld_open_pinned - the pinned maps of ifname. meta may be NULL.
 * Returns 0, -ENOENT (not attached), -ENODATA (incomplete) or -errno.
 */
int ld_open_pinned(const char *ifname, struct xdpct_fds *fds, struct xdpct_meta *meta);

/* ld_list_ifaces - interfaces with xdpct pins; returns the count. */
int ld_list_ifaces(char (*names)[IF_NAMESIZE], int max);

/*
 * ld_ensure_bpffs - mount bpffs on /sys/fs/bpf if it is not. 0 or -errno.
 * Only for the verbs that attach (run, attach): without bpffs nothing can be
 * attached, so a verb that reads or removes pins has nothing to mount it for.
 */
int ld_ensure_bpffs(void);

/* ld_require_root - -EPERM when not root (why: what needs which capability). */
int ld_require_root(const char *what);

#endif /* XDPCT_LOADER_H */

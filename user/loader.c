// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * loader.c - the loader's options and their defaults, the privilege and
 * interface checks, bpffs, and loading the skeleton with the knobs set.
 * Attaching and detaching are in attach.c, the pin directory in pins.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "flowview.h"
#include "loader.h"
#include "util.h"
#include "parse_knobs.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

void ld_opts_init(struct ld_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->event_rate = -1;
}

void ld_defaults(struct ld_defaults *d)
{
	struct xdpct_bpf *s;

	memset(d, 0, sizeof(*d));
	d->max_flows = XDPCT_MAX_FLOWS_DEFAULT;
	d->max_halfopen = XDPCT_MAX_HALFOPEN_DEFAULT;
	/* the rest is set in the BPF object: read from its .rodata, not loaded */
	libbpf_set_print(libbpf_print_fn);
	s = xdpct_bpf__open();
	if (!s)
		return;
	d->event_rate = s->rodata->event_rate;
	memcpy(d->timeout_ns, (const void *)s->rodata->timeout_ns, sizeof(d->timeout_ns));
	xdpct_bpf__destroy(s);
}

int ld_parse_timeout(struct ld_opts *o, const char *arg)
{
	char name[32];
	const char *eq = strchr(arg, '=');
	__u64 sec;
	int st;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return -EINVAL;
	memcpy(name, arg, eq - arg);
	name[eq - arg] = 0;
	st = ct_state_parse(name);
	if (st <= CT_STATE_NONE)
		return -EINVAL;
	if (parse_duration_s(eq + 1, &sec) || sec == 0)
		return -EINVAL;
	o->timeout_ns[st] = sec * NSEC_PER_SEC;
	return 0;
}

int ld_require_root(const char *what)
{
	if (geteuid() == 0)
		return 0;
	err_why("%s needs root (CAP_BPF and CAP_NET_ADMIN); run it with sudo", what);
	return -EPERM;
}

int ld_ensure_bpffs(void)
{
	struct statfs sfs;

	if (!statfs("/sys/fs/bpf", &sfs) && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	mkdir("/sys/fs/bpf", 0700);
	if (mount("bpffs", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		int err = -errno;

		err_why("bpffs is not mounted on /sys/fs/bpf and mounting it failed: %s",
			strerror(-err));
		return err;
	}
	pr_info("mounted bpffs on /sys/fs/bpf");
	return 0;
}

/* kfunc_available - can programs call bpf_map_sum_elem_count (6.6+)? */
static bool kfunc_available(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, "bpf_map_sum_elem_count", BTF_KIND_FUNC) >= 0;
	btf__free(btf);
	return ok;
}

static void fds_from_skel(struct xdpct_fds *fds, struct xdpct_bpf *s)
{
	fds_init(fds);
	fds->flows = bpf_map__fd(s->maps.flows);
	fds->flows6 = bpf_map__fd(s->maps.flows6);
	fds->halfopen = bpf_map__fd(s->maps.halfopen);
	fds->halfopen6 = bpf_map__fd(s->maps.halfopen6);
	fds->stats = bpf_map__fd(s->maps.stats);
	fds->syn_dst = bpf_map__fd(s->maps.syn_dst);
	fds->syn_src = bpf_map__fd(s->maps.syn_src);
	fds->events = bpf_map__fd(s->maps.events);
	fds->meta = bpf_map__fd(s->maps.meta);
	fds->detector = bpf_map__fd(s->maps.detector);
	fds->gc = bpf_map__fd(s->maps.gc);
	fds->host_isn = bpf_map__fd(s->maps.host_isn);
	fds->bss = bpf_map__fd(s->maps.bss);
	fds->config = bpf_map__fd(s->maps.rodata);
	fds->count_prog = bpf_program__fd(s->progs.xdpct_count);
}

int ld_load(struct ld *ld, const struct ld_opts *o)
{
	struct xdpct_bpf *s;
	__u64 max_flows = o->max_flows ? o->max_flows : XDPCT_MAX_FLOWS_DEFAULT;
	__u64 max_half = o->max_halfopen ? o->max_halfopen : XDPCT_MAX_HALFOPEN_DEFAULT;
	int i, err;

	memset(ld, 0, sizeof(*ld));
	ld->xdp_link_fd = -1;
	ld->tc_link_fd = -1;
	fds_init(&ld->fds);
	libbpf_set_print(libbpf_print_fn);

	s = xdpct_bpf__open();
	if (!s) {
		err = -errno;
		err_why("opening the BPF object failed: %s", strerror(-err));
		return err;
	}
	for (i = 1; i < CT_STATE_COUNT; i++)
		if (o->timeout_ns[i])
			s->rodata->timeout_ns[i] = o->timeout_ns[i];
	s->rodata->replay_mode = o->replay;
	s->rodata->mirror_mode = o->mirror;
	if (o->replay) {
		s->rodata->event_mask = 1u << CT_EV_END;
		bpf_map__set_max_entries(s->maps.events, 16u << 20);
		bpf_program__set_autoload(s->progs.xdpct_tc, false);
	} else {
		s->rodata->jiffy_ns = kernel_jiffy_ns();
	}
	if (o->event_rate >= 0)
		s->rodata->event_rate = (__u32)o->event_rate;
	bpf_map__set_max_entries(s->maps.flows, max_flows);
	bpf_map__set_max_entries(s->maps.flows6, max_flows);
	hc_setup(s, max_half);
	if (!kfunc_available())
		bpf_program__set_autoload(s->progs.xdpct_count, false);

	parse_knobs_set(s, o->ifname, o->replay);
	err = xdpct_bpf__load(s);
	if (err == -EPERM)
		err_why("loading the BPF programs was refused (%s): it needs root, or CAP_BPF, "
			"CAP_PERFMON and CAP_NET_ADMIN", strerror(-err));
	else if (err)
		err_why("loading the BPF programs failed: %s (run with -v for the verifier log)",
			strerror(-err));
	if (err) {
		xdpct_bpf__destroy(s);
		return err;
	}
	ld->skel = s;
	fds_from_skel(&ld->fds, s);
	return 0;
}

int ld_check_iface(const char *ifname)
{
	/* the name itself was checked with the command line (parse_iface_arg) */
	int ifindex = (int)if_nametoindex(ifname);

	if (!ifindex) {
		err_why("%s: no such interface (in this network namespace)", ifname);
		return -ENODEV;
	}
	return ifindex;
}

void ld_destroy(struct ld *ld)
{
	if (ld->xdp_link_fd >= 0)
		close(ld->xdp_link_fd);
	if (ld->tc_link_fd >= 0)
		close(ld->tc_link_fd);
	ld->xdp_link_fd = -1;
	ld->tc_link_fd = -1;
	xdpct_bpf__destroy(ld->skel);
	ld->skel = NULL;
}

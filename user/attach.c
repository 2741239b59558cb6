// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * attach.c - putting xdpct on an interface and taking it off again: XDP
 * ingress as a BPF link (native, falling back to generic), TC egress as a
 * tcx link (Linux 6.6+; pinned in persistent mode, gone with the process
 * otherwise) or, on older kernels, a clsact filter whose handle and
 * priority the kernel picks and the "meta" pin records; the checks before
 * attaching, and removing a program that is in the way.
 *
 * Never touch another namespace's link. An ifindex is only unique within
 * a network namespace, link ids are global, bpf_link_info does not say
 * which namespace a link's device is in, and the pin directory is per
 * interface *name* on a bpffs every namespace shares. So an XDP program is
 * only removed when this namespace's netlink query reports it on this
 * interface, and a link only when it carries that very program and is the
 * only such link (xdp_link_detach_prog); pins whose meta says another,
 * live namespace made them are left alone (meta_elsewhere, pins.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "attach.h"
#include "loader.h"
#include "pins.h"
#include "tcnl.h"
#include "util.h"

#define XDP_PROG_NAME "xdpct_xdp"

/* prog_name_by_id - name of a loaded BPF program, "" if unknown. */
static void prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info = {};
	__u32 ilen = sizeof(info);
	int fd;

	snprintf(name, len, "?");
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	close(fd);
}

/*
 * xdp_link_detach_prog - detach the XDP link that holds prog_id on ifindex.
 *
 * Link ids are global but an ifindex is only unique within a network
 * namespace, and bpf_link_info does not say which namespace a link's device
 * is in: an interface of the same index elsewhere can hold a link too. So the
 * link must carry the very program that this namespace's netlink query
 * reported, and be the only such link; anything else is left alone.
 * Returns 1 when detached, 0 when no link holds it, -ENOTUNIQ when several do.
 */
static int xdp_link_detach_prog(int ifindex, __u32 prog_id)
{
	__u32 id = 0, match = 0;
	int n = 0, fd;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);

		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_LINK_TYPE_XDP &&
		    info.xdp.ifindex == (__u32)ifindex && info.prog_id == prog_id) {
			match = id;
			n++;
		}
		close(fd);
	}
	if (n != 1)
		return n ? -ENOTUNIQ : 0;
	fd = bpf_link_get_fd_by_id(match);
	if (fd < 0)
		return fd;
	n = bpf_link_detach(fd) ? -errno : 1;
	close(fd);
	return n;
}

/* XDP attach modes, in the order xdp_ids reports their programs */
static const __u32 xdp_modes[XDP_MODES] = {
	XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE, XDP_FLAGS_HW_MODE,
};

/* xdp_ids - the program attached in each of xdp_modes on ifindex (0: none). */
int xdp_ids(int ifindex, __u32 ids[XDP_MODES])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err = bpf_xdp_query(ifindex, 0, &q);

	if (err)
		return err;
	ids[0] = q.skb_prog_id;
	ids[1] = q.drv_prog_id;
	ids[2] = q.hw_prog_id;
	return 0;
}

/*
 * xdp_remove - remove the XDP program prog_id from ifindex: by netlink when
 * it was attached that way, else by its link (see xdp_link_detach_prog).
 */
static int xdp_remove(const char *ifname, int ifindex, __u32 prog_id)
{
	__u32 ids[XDP_MODES];
	int i, err;

	err = xdp_ids(ifindex, ids);
	if (err)
		return err;
	for (i = 0; i < XDP_MODES; i++) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, ao, .old_prog_fd = -1);
		int fd;

		if (ids[i] != prog_id)
			continue;
		/* only while prog_id is still the one attached there */
		fd = bpf_prog_get_fd_by_id(prog_id);
		if (fd < 0)
			return fd;
		ao.old_prog_fd = fd;
		err = bpf_xdp_detach(ifindex, xdp_modes[i] | XDP_FLAGS_REPLACE, &ao);
		close(fd);
		if (err != -EBUSY)
			return err;
		/* attached by a bpf_link: netlink may not remove it */
		err = xdp_link_detach_prog(ifindex, prog_id);
		if (err == -ENOTUNIQ)
			err_why("%s: XDP program id %u is held by several links that cannot be told "
				"apart from here ('bpftool link' lists them)", ifname, prog_id);
		if (err == 0)	/* no link holds it either */
			return -EBUSY;
		return err < 0 ? err : 0;
	}
	return 0;
}

static int xdp_link(struct ld *ld, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = flags);

	return bpf_link_create(bpf_program__fd(ld->skel->progs.xdpct_xdp), ld->ifindex, BPF_XDP,
			       &lo);
}

static int attach_xdp(struct ld *ld, const struct ld_opts *o)
{
	int fd;

	if (o->mode != LD_MODE_GENERIC) {
		fd = xdp_link(ld, XDP_FLAGS_DRV_MODE);
		if (fd >= 0) {
			ld->xdp_link_fd = fd;
			ld->xdp_flags = XDP_FLAGS_DRV_MODE;
			return 0;
		}
		if (o->mode == LD_MODE_NATIVE) {
			err_why("%s: attach XDP (native) failed: %s", ld->ifname, strerror(-fd));
			return fd;
		}
		pr_warn("%s: native XDP not available (%s); using generic mode, which is slower",
			ld->ifname, strerror(-fd));
	}
	fd = xdp_link(ld, XDP_FLAGS_SKB_MODE);
	if (fd < 0) {
		err_why("%s: attach XDP (generic) failed: %s", ld->ifname, strerror(-fd));
		return fd;
	}
	ld->xdp_link_fd = fd;
	ld->xdp_flags = XDP_FLAGS_SKB_MODE;
	return 0;
}

#define TCX_EGRESS_	47		/* BPF_TCX_EGRESS, newer than libbpf 1.1's headers */
#define MPROG_BEFORE_	(1U << 3)	/* BPF_F_BEFORE: first in the chain */

/*
 * attach_tcx - TC egress as a BPF link (Linux 6.6+): no qdisc to create,
 * nothing left behind if the process dies, and xdpct runs first, before
 * any other tcx program and the clsact filters (TC_ACT_UNSPEC hands each
 * packet on). Returns the link fd or -errno.
 */
static int attach_tcx(struct ld *ld)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = MPROG_BEFORE_);

	return bpf_link_create(bpf_program__fd(ld->skel->progs.xdpct_tc), ld->ifindex,
			       (enum bpf_attach_type)TCX_EGRESS_, &lo);
}

static int attach_tc(struct ld *ld)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ld->ifindex, .attach_point = BPF_TC_EGRESS);
	/* handle and priority 0: the kernel picks them, ahead of existing
	 * filters, so xdpct sees every packet before anyone decides on it */
	LIBBPF_OPTS(bpf_tc_opts, topts, .prog_fd = bpf_program__fd(ld->skel->progs.xdpct_tc));
	int err;

	err = attach_tcx(ld);
	if (err >= 0) {
		ld->tc_link_fd = err;
		return 0;
	}
	pr_debug("%s: tcx egress unavailable (%s); using a clsact filter", ld->ifname,
		 strerror(-err));
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		err_why("%s: creating the clsact qdisc failed: %s", ld->ifname, strerror(-err));
		return err;
	}
	ld->clsact_created = !err;
	err = bpf_tc_attach(&hook, &topts);
	if (err) {
		err_why("%s: attach TC egress failed: %s", ld->ifname, strerror(-err));
		if (ld->clsact_created) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
			ld->clsact_created = false;
		}
		return err;
	}
	ld->tc_attached = true;
	ld->tc_handle = topts.handle;
	ld->tc_prio = topts.priority;
	return 0;
}

/* detach_tc - our filter off ifindex; the qdisc too if we made it and it is empty. */
static void detach_tc(int ifindex, __u32 handle, __u32 prio, bool clsact_created)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, topts, .handle = handle, .priority = prio);
	int others;

	if (handle && prio)
		bpf_tc_detach(&hook, &topts);
	if (!clsact_created)
		return;
	others = tc_count_filters(ifindex, handle, prio);
	if (others == 0) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
}

/* detach_pinned_link - detach the link pinned as dir's pin p; 1 if there was one. */
static int detach_pinned_link(const char *dir, enum pin p)
{
	char path[PATH_MAX + 16];
	int fd;

	if (pins_path(dir, p, path, sizeof(path)))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	bpf_link_detach(fd);
	close(fd);
	return 1;
}

/*
 * detach_recorded - take off ifname what its meta m says xdpct attached
 * (m NULL: the pins are incomplete, nothing is known), then the pins in dir.
 * The interface may be gone (then its hooks went with it), re-created, or
 * in another (dead) namespace: only then are its hooks left alone.
 */
static void detach_recorded(const char *ifname, const char *dir, const struct xdpct_meta *m)
{
	int ifindex = (int)if_nametoindex(ifname);

	if (m && ifindex && m->ifindex == (__u32)ifindex && !meta_other_ns(m)) {
		/* a killed run's link went with it; check nothing of ours stayed */
		if (!detach_pinned_link(dir, PIN_XDP_LINK) && m->xdp_prog_id)
			xdp_remove(ifname, ifindex, m->xdp_prog_id);
		if (m->tc_mode == XDPCT_TC_TCX) {
			/* a killed run's link went with it; a pinned one is here */
			detach_pinned_link(dir, PIN_TC_LINK);
		} else {
			detach_tc(ifindex, m->tc_handle, m->tc_priority, m->clsact_created);
		}
	}
	pins_remove(dir);
}

int ld_prepare(struct ld *ld, const struct ld_opts *o)
{
	struct xdpct_meta m;
	__u32 ids[XDP_MODES];
	int i, err;

	/* the verb checked the name and said what was wrong (ld_check_iface) */
	ld->ifindex = (int)if_nametoindex(o->ifname);
	if (!ld->ifindex)
		return -ENODEV;
	snprintf(ld->ifname, sizeof(ld->ifname), "%s", o->ifname);
	err = pins_dir(o->ifname, ld->dir, sizeof(ld->dir));
	if (err)
		return err;

	err = meta_read(o->ifname, &m);
	if (!err && meta_elsewhere(&m)) {
		err_why("%s: xdpct is attached to an interface of this name in another network "
			"namespace (net:[%llu]); detach it there first", o->ifname,
			(unsigned long long)m.netns_ino);
		return -EEXIST;
	}
	if (!err) {
		bool same_iface = m.ifindex == (__u32)ld->ifindex && !meta_other_ns(&m);

		if (m.owner_mode == OWNER_RUN && meta_owner_alive(&m) && same_iface) {
			err_why("%s: xdpct is already running here (pid %u)", o->ifname,
				m.owner_pid);
			return -EBUSY;
		}
		if (m.owner_mode == OWNER_ATTACH && same_iface) {
			err_why("%s: xdpct is already attached here ('xdpct detach %s' removes it)",
				o->ifname, o->ifname);
			return -EEXIST;
		}
		if (m.owner_mode == OWNER_RUN)
			pr_info("%s: cleaning up after an earlier run (pid %u) that did not exit "
				"cleanly", o->ifname, m.owner_pid);
		else
			pr_info("%s: cleaning up stale pins of an interface that was re-created "
				"or whose network namespace is gone", o->ifname);
		detach_recorded(o->ifname, ld->dir, &m);
	} else if (err != -ENOENT) {
		pr_info("%s: removing incomplete pins in %s", o->ifname, ld->dir);
		detach_recorded(o->ifname, ld->dir, NULL);
	}

	err = xdp_ids(ld->ifindex, ids);
	if (err) {
		err_why("%s: querying XDP failed: %s", o->ifname, strerror(-err));
		return err;
	}
	for (i = 0; i < XDP_MODES; i++) {
		char name[BPF_OBJ_NAME_LEN];

		if (!ids[i])
			continue;
		prog_name_by_id(ids[i], name, sizeof(name));
		if (!strcmp(name, XDP_PROG_NAME)) {
			pr_info("%s: removing a stale xdpct XDP program (id %u)", o->ifname, ids[i]);
		} else if (!o->force) {
			err_why("%s: an XDP program that is not xdpct's is attached: id %u name '%s' "
				"(--force replaces it)", o->ifname, ids[i], name);
			return -EEXIST;
		} else {
			pr_warn("%s: replacing XDP program id %u name '%s' (--force)", o->ifname,
				ids[i], name);
		}
		err = xdp_remove(o->ifname, ld->ifindex, ids[i]);
		if (err && err != -ENOTUNIQ)
			err_why("%s: removing XDP program id %u failed: %s", o->ifname, ids[i],
				strerror(-err));
		if (err)
			return err;
	}
	return 0;
}

int ld_attach(struct ld *ld, const struct ld_opts *o, int owner_mode)
{
	int err;

	ld->owner_mode = owner_mode;
	err = pins_create(ld);
	if (err)
		goto fail;
	err = attach_xdp(ld, o);
	if (err)
		goto fail;
	err = attach_tc(ld);
	if (err)
		goto fail;
	err = meta_write(ld, o);
	if (err) {
		err_why("%s: writing %s/meta failed: %s", ld->ifname, ld->dir, strerror(-err));
		goto fail;
	}
	if (owner_mode == OWNER_ATTACH) {
		err = pins_pin(ld->dir, PIN_XDP_LINK, ld->xdp_link_fd);
		if (!err)
			err = pins_pin(ld->dir, PIN_TC_LINK, ld->tc_link_fd);
		if (err) {
			err_why("%s: pinning the links failed: %s", ld->ifname, strerror(-err));
			goto fail;
		}
	}
	/* meta last: its pin means the attachment is complete, so one found
	 * without it was interrupted and is cleaned up as incomplete */
	err = pins_pin(ld->dir, PIN_META, ld->fds.meta);
	if (err) {
		err_why("%s: pinning %s/meta failed: %s", ld->ifname, ld->dir, strerror(-err));
		goto fail;
	}
	return 0;
fail:
	ld_detach_self(ld);
	return err;
}

int ld_detach_self(struct ld *ld)
{
	if (ld->xdp_link_fd >= 0) {
		bpf_link_detach(ld->xdp_link_fd);
		close(ld->xdp_link_fd);
		ld->xdp_link_fd = -1;
	}
	if (ld->tc_link_fd >= 0) {
		bpf_link_detach(ld->tc_link_fd);
		close(ld->tc_link_fd);
		ld->tc_link_fd = -1;
	}
	if (ld->tc_attached || ld->clsact_created) {
		detach_tc(ld->ifindex, ld->tc_handle, ld->tc_prio, ld->clsact_created);
		ld->tc_attached = false;
		ld->clsact_created = false;
	}
	if (ld->pinned) {
		if (pins_ours(ld))
			pins_remove(ld->dir);
		else
			pr_warn("%s: %s now belongs to another attachment, left as it is",
				ld->ifname, ld->dir);
		ld->pinned = false;
	}
	return 0;
}

int ld_detach_iface(const char *ifname)
{
	char dir[PATH_MAX];
	struct xdpct_meta m;
	int err;

	err = pins_dir(ifname, dir, sizeof(dir));
	if (err)
		return err;
	err = meta_read(ifname, &m);
	if (err == -ENOENT) {
		err_why("%s: xdpct is not attached (no pins in %s)", ifname, dir);
		return -ENOENT;
	}
	if (!err && meta_elsewhere(&m)) {
		err_why("%s: xdpct is attached to an interface of this name in another network "
			"namespace (net:[%llu]); detach it there", ifname,
			(unsigned long long)m.netns_ino);
		return -EBUSY;
	}
	if (!err && m.owner_mode == OWNER_RUN && meta_owner_alive(&m)) {
		err_why("%s: 'xdpct run' (pid %u) owns this attachment; stop it with SIGINT or "
			"SIGTERM", ifname, m.owner_pid);
		return -EBUSY;
	}
	detach_recorded(ifname, dir, err ? NULL : &m);
	return 0;
}

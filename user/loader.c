// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * loader.c - load, attach, pin, detach; and clean up after a run that was
 * killed. XDP and TC egress are attached through BPF links (tcx, Linux
 * 6.6+; pinned in persistent mode, gone with the process otherwise); on
 * older kernels TC egress is a clsact filter whose handle and priority the
 * kernel picks and the "meta" pin records.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "flowview.h"
#include "loader.h"
#include "tcnl.h"
#include "util.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

#define XDP_PROG_NAME "xdpct_xdp"

void ld_opts_init(struct ld_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->event_rate = -1;
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
	pr_err("%s needs root (CAP_BPF and CAP_NET_ADMIN); run it with sudo", what);
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

		pr_err("bpffs is not mounted on /sys/fs/bpf and mounting it failed: %s",
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
		pr_err("opening the BPF object failed: %s", strerror(-err));
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

	err = xdpct_bpf__load(s);
	if (err == -EPERM)
		pr_err("loading the BPF programs was refused (%s): it needs root, or CAP_BPF, "
		       "CAP_PERFMON and CAP_NET_ADMIN", strerror(-err));
	else if (err)
		pr_err("loading the BPF programs failed: %s (run with -v for the verifier log)",
		       strerror(-err));
	if (err) {
		xdpct_bpf__destroy(s);
		return err;
	}
	ld->skel = s;
	fds_from_skel(&ld->fds, s);
	return 0;
}

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
static const __u32 xdp_modes[3] = { XDP_FLAGS_SKB_MODE, XDP_FLAGS_DRV_MODE, XDP_FLAGS_HW_MODE };

/* xdp_ids - the program attached in each of xdp_modes on ifindex (0: none). */
static int xdp_ids(int ifindex, __u32 ids[3])
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
	__u32 ids[3];
	int i, err;

	err = xdp_ids(ifindex, ids);
	if (err)
		return err;
	for (i = 0; i < 3; i++) {
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
			pr_err("%s: XDP program id %u is held by several links that cannot be told "
			       "apart from here ('bpftool link' lists them)", ifname, prog_id);
		if (err == 0)	/* no link holds it either */
			return -EBUSY;
		return err < 0 ? err : 0;
	}
	return 0;
}

static int pin_dir(const char *ifname, char *dir, size_t len)
{
	if ((size_t)snprintf(dir, len, "%s/%s", XDPCT_PIN_ROOT, ifname) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* unpin_all - remove every pin in dir, then dir. */
static void unpin_all(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int read_meta_fd(int fd, struct xdpct_meta *m)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, m))
		return -errno;
	return m->magic == XDPCT_META_MAGIC ? 0 : -ENODATA;
}

/* read_meta - the meta pin of ifname: 0, -ENOENT (no pins), -errno. */
static int read_meta(const char *ifname, struct xdpct_meta *m)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	int fd, err;

	err = pin_dir(ifname, dir, sizeof(dir));
	if (err)
		return err;
	if (access(dir, F_OK))
		return -errno;
	snprintf(path, sizeof(path), "%s/meta", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd == -ENOENT ? -ENODATA : fd;
	err = read_meta_fd(fd, m);
	close(fd);
	return err;
}

static bool owner_alive(const struct xdpct_meta *m)
{
	return m->owner_pid && proc_start_time((int)m->owner_pid) == m->owner_start;
}

/* other_ns - the attachment was made from another network namespace. */
static bool other_ns(const struct xdpct_meta *m)
{
	__u64 dev, ino;

	return m->netns_ino && !netns_id(&dev, &ino) &&
	       (dev != m->netns_dev || ino != m->netns_ino);
}

/*
 * elsewhere - the pins belong to a live attachment of an interface of the
 * same name in another network namespace (pins are per name, bpffs is
 * shared): one that must not be touched from here.
 */
static bool elsewhere(const struct xdpct_meta *m)
{
	if (!other_ns(m))
		return false;
	if (m->owner_mode == OWNER_RUN)
		return owner_alive(m);
	return netns_exists(m->netns_dev, m->netns_ino);
}

bool ld_stale(const struct xdpct_meta *m, char *why, size_t len)
{
	char name[IF_NAMESIZE];
	__u32 ids[3];

	if (m->magic != XDPCT_META_MAGIC)
		return false;
	if (m->owner_mode == OWNER_RUN && !owner_alive(m)) {
		snprintf(why, len, "the xdpct run that attached it (pid %u) is gone", m->owner_pid);
		return true;
	}
	if (other_ns(m))	/* its interface is not visible from here */
		return false;
	if (!if_indextoname(m->ifindex, name) || strcmp(name, m->ifname)) {
		snprintf(why, len, "its interface is gone");
		return true;
	}
	if (!xdp_ids((int)m->ifindex, ids) && ids[0] != m->xdp_prog_id &&
	    ids[1] != m->xdp_prog_id && ids[2] != m->xdp_prog_id) {
		snprintf(why, len, "its XDP program was removed from the interface");
		return true;
	}
	return false;
}

int ld_check_iface(const char *ifname)
{
	int ifindex;

	if (!ifname_valid(ifname)) {
		pr_err("'%s' is not a valid interface name", ifname);
		return -EINVAL;
	}
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		pr_err("%s: no such interface (in this network namespace)", ifname);
		return -ENODEV;
	}
	return ifindex;
}

int ld_prepare(struct ld *ld, const struct ld_opts *o)
{
	struct xdpct_meta m;
	__u32 ids[3];
	int i, err;

	ld->ifindex = ld_check_iface(o->ifname);
	if (ld->ifindex < 0)
		return ld->ifindex;
	snprintf(ld->ifname, sizeof(ld->ifname), "%s", o->ifname);
	err = pin_dir(o->ifname, ld->dir, sizeof(ld->dir));
	if (err)
		return err;

	err = read_meta(o->ifname, &m);
	if (!err && elsewhere(&m)) {
		pr_err("%s: xdpct is attached to an interface of this name in another network "
		       "namespace (net:[%llu]); detach it there first", o->ifname,
		       (unsigned long long)m.netns_ino);
		return -EEXIST;
	}
	if (!err) {
		bool same_iface = m.ifindex == (__u32)ld->ifindex && !other_ns(&m);

		if (m.owner_mode == OWNER_RUN && owner_alive(&m) && same_iface) {
			pr_err("%s: xdpct is already running here (pid %u)", o->ifname,
			       m.owner_pid);
			return -EBUSY;
		}
		if (m.owner_mode == OWNER_ATTACH && same_iface) {
			pr_err("%s: xdpct is already attached here ('xdpct detach %s' removes it)",
			       o->ifname, o->ifname);
			return -EEXIST;
		}
		if (m.owner_mode == OWNER_RUN)
			pr_info("%s: cleaning up after an earlier run (pid %u) that did not exit "
				"cleanly", o->ifname, m.owner_pid);
		else
			pr_info("%s: cleaning up stale pins of an interface that was re-created "
				"or whose network namespace is gone", o->ifname);
		ld_detach_iface(o->ifname, true);
	} else if (err != -ENOENT) {
		pr_info("%s: removing incomplete pins in %s", o->ifname, ld->dir);
		ld_detach_iface(o->ifname, true);
	}

	err = xdp_ids(ld->ifindex, ids);
	if (err) {
		pr_err("%s: querying XDP failed: %s", o->ifname, strerror(-err));
		return err;
	}
	for (i = 0; i < 3; i++) {
		char name[BPF_OBJ_NAME_LEN];

		if (!ids[i])
			continue;
		prog_name_by_id(ids[i], name, sizeof(name));
		if (!strcmp(name, XDP_PROG_NAME)) {
			pr_info("%s: removing a stale xdpct XDP program (id %u)", o->ifname, ids[i]);
		} else if (!o->force) {
			pr_err("%s: an XDP program that is not xdpct's is attached: id %u name '%s' "
			       "(--force replaces it)", o->ifname, ids[i], name);
			return -EEXIST;
		} else {
			pr_warn("%s: replacing XDP program id %u name '%s' (--force)", o->ifname,
				ids[i], name);
		}
		err = xdp_remove(o->ifname, ld->ifindex, ids[i]);
		if (err && err != -ENOTUNIQ)
			pr_err("%s: removing XDP program id %u failed: %s", o->ifname, ids[i],
			       strerror(-err));
		if (err)
			return err;
	}
	return 0;
}

static int pin_fd(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX + 32];
	int err;

	if (fd < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	err = bpf_obj_pin(fd, path);
	if (err)
		return err;
	chmod(path, 0600);
	return 0;
}

static int pin_maps(struct ld *ld)
{
	struct xdpct_bpf *s = ld->skel;
	const struct {
		const char *name;
		int fd;
	} pins[] = {
		{ "flows", ld->fds.flows },
		{ "flows6", ld->fds.flows6 },
		{ "halfopen", ld->fds.halfopen },
		{ "halfopen6", ld->fds.halfopen6 },
		{ "stats", ld->fds.stats },
		{ "syn_dst", ld->fds.syn_dst },
		{ "syn_src", ld->fds.syn_src },
		{ "host_isn", ld->fds.host_isn },
		{ "events", ld->fds.events },
		{ "detector", ld->fds.detector },
		{ "gc", ld->fds.gc },
		{ "config", bpf_map__fd(s->maps.rodata) },
		{ "bss", ld->fds.bss },
		{ "count", ld->fds.count_prog },
	};
	size_t i;
	int err;

	mkdir(XDPCT_PIN_ROOT, 0755);
	if (mkdir(ld->dir, 0700) && errno != EEXIST)
		return -errno;
	ld->pinned = true;
	for (i = 0; i < ARRAY_SIZE(pins); i++) {
		err = pin_fd(ld->dir, pins[i].name, pins[i].fd);
		if (err) {
			pr_err("%s: pinning %s/%s failed: %s", ld->ifname, ld->dir, pins[i].name,
			       strerror(-err));
			return err;
		}
	}
	return 0;
}

static int write_meta(struct ld *ld, const struct ld_opts *o)
{
	struct xdpct_meta m = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), zero = 0;

	m.magic = XDPCT_META_MAGIC;
	m.ifindex = ld->ifindex;
	m.owner_mode = ld->owner_mode;
	if (ld->owner_mode == OWNER_RUN) {
		m.owner_pid = getpid();
		m.owner_start = proc_start_time(getpid());
	}
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(ld->skel->progs.xdpct_xdp), &info, &len))
		m.xdp_prog_id = info.id;
	memset(&info, 0, sizeof(info));
	len = sizeof(info);
	if (!bpf_obj_get_info_by_fd(bpf_program__fd(ld->skel->progs.xdpct_tc), &info, &len))
		m.tc_prog_id = info.id;
	m.xdp_flags = ld->xdp_flags;
	m.tc_mode = ld->tc_link_fd >= 0 ? XDPCT_TC_TCX : XDPCT_TC_CLSACT;
	m.tc_handle = ld->tc_handle;
	m.tc_priority = ld->tc_prio;
	m.clsact_created = ld->clsact_created;
	m.attached_ns = real_ns();
	m.max_flows = o->max_flows ? o->max_flows : XDPCT_MAX_FLOWS_DEFAULT;
	m.max_halfopen = o->max_halfopen ? o->max_halfopen : XDPCT_MAX_HALFOPEN_DEFAULT;
	snprintf(m.ifname, sizeof(m.ifname), "%s", ld->ifname);
	netns_id(&m.netns_dev, &m.netns_ino);
	if (bpf_map_update_elem(ld->fds.meta, &zero, &m, BPF_ANY))
		return -errno;
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
			pr_err("%s: attach XDP (native) failed: %s", ld->ifname, strerror(-fd));
			return fd;
		}
		pr_warn("%s: native XDP not available (%s); using generic mode, which is slower",
			ld->ifname, strerror(-fd));
	}
	fd = xdp_link(ld, XDP_FLAGS_SKB_MODE);
	if (fd < 0) {
		pr_err("%s: attach XDP (generic) failed: %s", ld->ifname, strerror(-fd));
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
		pr_err("%s: creating the clsact qdisc failed: %s", ld->ifname, strerror(-err));
		return err;
	}
	ld->clsact_created = !err;
	err = bpf_tc_attach(&hook, &topts);
	if (err) {
		pr_err("%s: attach TC egress failed: %s", ld->ifname, strerror(-err));
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

int ld_attach(struct ld *ld, const struct ld_opts *o, int owner_mode)
{
	int err;

	ld->owner_mode = owner_mode;
	err = pin_maps(ld);
	if (err)
		goto fail;
	err = attach_xdp(ld, o);
	if (err)
		goto fail;
	err = attach_tc(ld);
	if (err)
		goto fail;
	err = write_meta(ld, o);
	if (err) {
		pr_err("%s: writing %s/meta failed: %s", ld->ifname, ld->dir, strerror(-err));
		goto fail;
	}
	if (owner_mode == OWNER_ATTACH) {
		err = pin_fd(ld->dir, "xdp_link", ld->xdp_link_fd);
		if (!err)
			err = pin_fd(ld->dir, "tc_link", ld->tc_link_fd);
		if (err) {
			pr_err("%s: pinning the links failed: %s", ld->ifname, strerror(-err));
			goto fail;
		}
	}
	/* meta last: its pin means the attachment is complete, so one found
	 * without it was interrupted and is cleaned up as incomplete */
	err = pin_fd(ld->dir, "meta", ld->fds.meta);
	if (err) {
		pr_err("%s: pinning %s/meta failed: %s", ld->ifname, ld->dir, strerror(-err));
		goto fail;
	}
	return 0;
fail:
	ld_detach_self(ld);
	return err;
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len) ? info.id : 0;
}

/*
 * pins_ours - the pin directory still holds this process's maps (the flow map
 * is pinned first): not a later attachment's, made after someone removed ours.
 */
static bool pins_ours(const struct ld *ld)
{
	char path[PATH_MAX + 8];
	__u32 id;
	int fd;

	snprintf(path, sizeof(path), "%s/flows", ld->dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return true;	/* none left: removing the rest is harmless */
	id = map_id(fd);
	close(fd);
	return id == map_id(ld->fds.flows);
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
			unpin_all(ld->dir);
		else
			pr_warn("%s: %s now belongs to another attachment, left as it is",
				ld->ifname, ld->dir);
		ld->pinned = false;
	}
	return 0;
}

/* detach_pinned_link - detach the link pinned as dir/name; 1 if there was one. */
static int detach_pinned_link(const char *dir, const char *name)
{
	char path[PATH_MAX + 16];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	bpf_link_detach(fd);
	close(fd);
	return 1;
}

/* pin_dir_of - the pin directory of a valid interface name. */
static int pin_dir_of(const char *ifname, char *dir, size_t len)
{
	if (!ifname_valid(ifname)) {
		pr_err("'%s' is not a valid interface name", ifname);
		return -EINVAL;
	}
	return pin_dir(ifname, dir, len);
}

int ld_detach_iface(const char *ifname, bool quiet)
{
	char dir[PATH_MAX];
	struct xdpct_meta m;
	int ifindex, err;

	err = pin_dir_of(ifname, dir, sizeof(dir));
	if (err)
		return err;
	ifindex = (int)if_nametoindex(ifname);
	err = read_meta(ifname, &m);
	if (err == -ENOENT) {
		if (!quiet)
			pr_err("%s: xdpct is not attached (no pins in %s)", ifname, dir);
		return -ENOENT;
	}
	if (!err && !quiet && elsewhere(&m)) {
		pr_err("%s: xdpct is attached to an interface of this name in another network "
		       "namespace (net:[%llu]); detach it there", ifname,
		       (unsigned long long)m.netns_ino);
		return -EBUSY;
	}
	if (!err && m.owner_mode == OWNER_RUN && owner_alive(&m) && !quiet) {
		pr_err("%s: 'xdpct run' (pid %u) owns this attachment; stop it with SIGINT or "
		       "SIGTERM", ifname, m.owner_pid);
		return -EBUSY;
	}
	/* the interface may be gone (then its hooks went with it), re-created,
	 * or in another (dead) namespace: only then are its hooks left alone */
	if (!err && ifindex && m.ifindex == (__u32)ifindex && !other_ns(&m)) {
		/* a killed run's link went with it; check nothing of ours stayed */
		if (!detach_pinned_link(dir, "xdp_link") && m.xdp_prog_id)
			xdp_remove(ifname, ifindex, m.xdp_prog_id);
		if (m.tc_mode == XDPCT_TC_TCX) {
			/* a killed run's link went with it; a pinned one is here */
			detach_pinned_link(dir, "tc_link");
		} else {
			detach_tc(ifindex, m.tc_handle, m.tc_priority, m.clsact_created);
		}
	}
	unpin_all(dir);
	return 0;
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

static int open_pin(const char *dir, const char *name, bool required, int *out)
{
	char path[PATH_MAX + 32];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (fd == -ENOENT && !required)
			return 0;
		if (fd == -EACCES || fd == -EPERM)
			pr_err("reading %s needs root: the pins are mode 0600 and reading BPF "
			       "maps needs CAP_BPF; run it with sudo", path);
		else if (fd != -ENOENT)
			pr_err("opening %s failed: %s", path, strerror(-fd));
		return fd;
	}
	*out = fd;
	return 0;
}

int ld_open_pinned(const char *ifname, struct xdpct_fds *fds, struct xdpct_meta *meta)
{
	char dir[PATH_MAX];
	const struct {
		const char *name;
		int *fd;
		bool required;
	} pins[] = {
		{ "flows", &fds->flows, true },
		{ "flows6", &fds->flows6, true },
		{ "halfopen", &fds->halfopen, true },
		{ "halfopen6", &fds->halfopen6, true },
		{ "stats", &fds->stats, true },
		{ "meta", &fds->meta, true },
		{ "syn_dst", &fds->syn_dst, false },
		{ "syn_src", &fds->syn_src, false },
		{ "host_isn", &fds->host_isn, false },
		{ "events", &fds->events, false },
		{ "detector", &fds->detector, false },
		{ "gc", &fds->gc, false },
		{ "bss", &fds->bss, false },
		{ "count", &fds->count_prog, false },
	};
	struct stat st;
	size_t i;
	int err;

	fds_init(fds);
	err = pin_dir_of(ifname, dir, sizeof(dir));
	if (err)
		return err;
	if (stat(dir, &st)) {
		err = -errno;
		if (err == -EACCES)
			pr_err("reading %s needs root; run it with sudo", dir);
		return err;
	}
	for (i = 0; i < ARRAY_SIZE(pins); i++) {
		err = open_pin(dir, pins[i].name, pins[i].required, pins[i].fd);
		if (err) {
			fds_close(fds);
			return err == -ENOENT ? -ENODATA : err;
		}
	}
	if (meta) {
		err = read_meta_fd(fds->meta, meta);
		if (err)
			memset(meta, 0, sizeof(*meta));
	}
	return 0;
}

int ld_list_ifaces(char (*names)[IF_NAMESIZE], int max)
{
	struct dirent *de;
	DIR *d = opendir(XDPCT_PIN_ROOT);
	int n = 0;

	if (!d)
		return errno == EACCES ? -EACCES : 0;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || !ifname_valid(de->d_name))
			continue;
		memcpy(names[n++], de->d_name, strlen(de->d_name) + 1);	/* < IF_NAMESIZE */
	}
	closedir(d);
	return n;
}

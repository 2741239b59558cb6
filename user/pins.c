// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * pins.c - the pin directory /sys/fs/bpf/xdpct/IFACE/ (see pins.h): the one
 * table of its pins, creating and removing them, the "meta" pin with the
 * owner of the attachment, and telling a stale attachment (its run died,
 * its interface or program went away) and another namespace's (hands off)
 * from a live one of ours.
 *
 * Pins are per interface name and bpffs is shared by every network
 * namespace, so an interface of the same name in another namespace finds
 * the same directory: meta records the namespace it was made from.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "attach.h"
#include "loader.h"
#include "pins.h"
#include "util.h"

#define FD(field)	((int)offsetof(struct xdpct_fds, field))

const struct pin_desc pin_table[PIN_MAX] = {
	[PIN_FLOWS] = { "flows", PIN_KIND_MAP, PIN_OPEN_REQUIRED, FD(flows) },
	[PIN_FLOWS6] = { "flows6", PIN_KIND_MAP, PIN_OPEN_REQUIRED, FD(flows6) },
	[PIN_HALFOPEN] = { "halfopen", PIN_KIND_MAP, PIN_OPEN_REQUIRED, FD(halfopen) },
	[PIN_HALFOPEN6] = { "halfopen6", PIN_KIND_MAP, PIN_OPEN_REQUIRED, FD(halfopen6) },
	[PIN_STATS] = { "stats", PIN_KIND_MAP, PIN_OPEN_REQUIRED, FD(stats) },
	[PIN_SYN_DST] = { "syn_dst", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(syn_dst) },
	[PIN_SYN_SRC] = { "syn_src", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(syn_src) },
	[PIN_HOST_ISN] = { "host_isn", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(host_isn) },
	[PIN_EVENTS] = { "events", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(events) },
	[PIN_DETECTOR] = { "detector", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(detector) },
	[PIN_GC] = { "gc", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(gc) },
	[PIN_CONFIG] = { "config", PIN_KIND_MAP, PIN_OPEN_NO, FD(config) },
	[PIN_BSS] = { "bss", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(bss) },
	[PIN_COUNT] = { "count", PIN_KIND_MAP, PIN_OPEN_OPTIONAL, FD(count_prog) },
	[PIN_XDP_LINK] = { "xdp_link", PIN_KIND_LINK, PIN_OPEN_NO, -1 },
	[PIN_TC_LINK] = { "tc_link", PIN_KIND_LINK, PIN_OPEN_NO, -1 },
	[PIN_META] = { "meta", PIN_KIND_META, PIN_OPEN_REQUIRED, FD(meta) },
};

static int *pin_fd_of(struct xdpct_fds *fds, enum pin p)
{
	return (int *)((char *)fds + pin_table[p].fd_off);
}

int pins_dir(const char *ifname, char *dir, size_t len)
{
	/* the name becomes a path: no '/', no "..", as the CLI checked */
	if (!ifname_valid(ifname))
		return -EINVAL;
	if ((size_t)snprintf(dir, len, "%s/%s", XDPCT_PIN_ROOT, ifname) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int pins_path(const char *dir, enum pin p, char *path, size_t len)
{
	if ((size_t)snprintf(path, len, "%s/%s", dir, pin_table[p].name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

void pins_remove(const char *dir)
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

int meta_read_fd(int fd, struct xdpct_meta *m)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, m))
		return -errno;
	return m->magic == XDPCT_META_MAGIC ? 0 : -ENODATA;
}

int meta_read(const char *ifname, struct xdpct_meta *m)
{
	char dir[PATH_MAX], path[PATH_MAX + 8];
	int fd, err;

	err = pins_dir(ifname, dir, sizeof(dir));
	if (err)
		return err;
	if (access(dir, F_OK))
		return -errno;
	err = pins_path(dir, PIN_META, path, sizeof(path));
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return fd == -ENOENT ? -ENODATA : fd;
	err = meta_read_fd(fd, m);
	close(fd);
	return err;
}

bool meta_owner_alive(const struct xdpct_meta *m)
{
	return m->owner_pid && proc_start_time((int)m->owner_pid) == m->owner_start;
}

bool meta_other_ns(const struct xdpct_meta *m)
{
	__u64 dev, ino;

	return m->netns_ino && !netns_id(&dev, &ino) &&
	       (dev != m->netns_dev || ino != m->netns_ino);
}

/*
 * meta_elsewhere - the pins belong to a live attachment of an interface of the
 * same name in another network namespace (pins are per name, bpffs is
 * shared): one that must not be touched from here.
 */
bool meta_elsewhere(const struct xdpct_meta *m)
{
	if (!meta_other_ns(m))
		return false;
	if (m->owner_mode == OWNER_RUN)
		return meta_owner_alive(m);
	return netns_exists(m->netns_dev, m->netns_ino);
}

bool ld_stale(const struct xdpct_meta *m, char *why, size_t len)
{
	char name[IF_NAMESIZE];
	__u32 ids[XDP_MODES];

	if (m->magic != XDPCT_META_MAGIC)
		return false;
	if (m->owner_mode == OWNER_RUN && !meta_owner_alive(m)) {
		snprintf(why, len, "the xdpct run that attached it (pid %u) is gone", m->owner_pid);
		return true;
	}
	if (meta_other_ns(m))	/* its interface is not visible from here */
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

int pins_pin(const char *dir, enum pin p, int fd)
{
	char path[PATH_MAX + 32];
	int err;

	if (fd < 0)
		return 0;
	err = pins_path(dir, p, path, sizeof(path));
	if (err)
		return err;
	err = bpf_obj_pin(fd, path);
	if (err)
		return err;
	chmod(path, 0600);
	return 0;
}

int pins_create(struct ld *ld)
{
	int p, err;

	mkdir(XDPCT_PIN_ROOT, 0755);
	if (mkdir(ld->dir, 0700) && errno != EEXIST)
		return -errno;
	ld->pinned = true;
	for (p = 0; p < PIN_MAX; p++) {
		if (pin_table[p].kind != PIN_KIND_MAP)
			continue;
		err = pins_pin(ld->dir, p, *pin_fd_of(&ld->fds, p));
		if (err) {
			err_why("%s: pinning %s/%s failed: %s", ld->ifname, ld->dir,
				pin_table[p].name, strerror(-err));
			return err;
		}
	}
	return 0;
}

int meta_write(struct ld *ld, const struct ld_opts *o)
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
bool pins_ours(const struct ld *ld)
{
	char path[PATH_MAX + 8];
	__u32 id;
	int fd;

	if (pins_path(ld->dir, PIN_FLOWS, path, sizeof(path)))
		return true;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return true;	/* none left: removing the rest is harmless */
	id = map_id(fd);
	close(fd);
	return id == map_id(ld->fds.flows);
}

static int open_pin(const char *dir, enum pin p, int *out)
{
	char path[PATH_MAX + 32];
	int fd;

	fd = pins_path(dir, p, path, sizeof(path));
	if (!fd)
		fd = bpf_obj_get(path);
	if (fd < 0) {
		if (fd == -ENOENT && pin_table[p].open != PIN_OPEN_REQUIRED)
			return 0;
		if (fd == -EACCES || fd == -EPERM)
			err_why("reading %s needs root: the pins are mode 0600 and reading BPF "
				"maps needs CAP_BPF; run it with sudo", path);
		else if (fd != -ENOENT)
			err_why("opening %s failed: %s", path, strerror(-fd));
		return fd;
	}
	*out = fd;
	return 0;
}

/*
 * map_shape_ok - a pinned map holds the keys and values this build reads.
 * Pins made by another xdpct version may not: reading them with this
 * build's sizes would overrun its buffers, so they are refused.
 */
static int map_shape_ok(int fd, const char *name, size_t key_size, size_t val_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.key_size == key_size && info.value_size == val_size)
		return 0;
	err_why("the pinned map '%s' holds %u-byte keys and %u-byte values where this xdpct "
		"expects %zu and %zu: it was made by another xdpct version (detach with that "
		"version, or 'xdpct detach' and attach again)", name, info.key_size,
		info.value_size, key_size, val_size);
	return -EPROTO;
}

/* pins_shape_ok - the maps whose records this build decodes have its layout. */
static int pins_shape_ok(const struct xdpct_fds *fds)
{
	int err;

	err = map_shape_ok(fds->flows, "flows", sizeof(struct flow_key4), sizeof(struct flow));
	if (!err)
		err = map_shape_ok(fds->flows6, "flows6", sizeof(struct flow_key6),
				   sizeof(struct flow));
	if (!err)
		err = map_shape_ok(fds->stats, "stats", sizeof(__u32), sizeof(struct xdpct_stats));
	return err;
}

int ld_open_pinned(const char *ifname, struct xdpct_fds *fds, struct xdpct_meta *meta)
{
	char dir[PATH_MAX];
	struct stat st;
	int p, err;

	fds_init(fds);
	err = pins_dir(ifname, dir, sizeof(dir));
	if (err)
		return err;
	if (stat(dir, &st)) {
		err = -errno;
		if (err == -EACCES)
			err_why("reading %s needs root; run it with sudo", dir);
		return err;
	}
	for (p = 0; p < PIN_MAX; p++) {
		if (pin_table[p].open == PIN_OPEN_NO)
			continue;
		err = open_pin(dir, p, pin_fd_of(fds, p));
		if (err) {
			fds_close(fds);
			return err == -ENOENT ? -ENODATA : err;
		}
	}
	err = pins_shape_ok(fds);
	if (err) {
		fds_close(fds);
		return err;
	}
	if (meta) {
		err = meta_read_fd(fds->meta, meta);
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

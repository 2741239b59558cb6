/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Copyright (c) 2026 The xdpct authors */
/*
 * pins.h - what xdpct leaves in /sys/fs/bpf/xdpct/IFACE/: the one table of
 * pin names, the pin directory, the "meta" pin that says who owns an
 * attachment (and whether it is stale or another namespace's), and opening
 * the pins again from another process.
 */
#ifndef XDPCT_PINS_H
#define XDPCT_PINS_H

#include <stdbool.h>
#include <stddef.h>

#include "flow.h"
#include "maps.h"

struct ld;
struct ld_opts;

/* Every pin, in the order attach pins them (flows first: see pins_ours). */
enum pin {
	PIN_FLOWS,
	PIN_FLOWS6,
	PIN_HALFOPEN,
	PIN_HALFOPEN6,
	PIN_STATS,
	PIN_SYN_DST,
	PIN_SYN_SRC,
	PIN_HOST_ISN,
	PIN_EVENTS,
	PIN_DETECTOR,
	PIN_GC,
	PIN_CONFIG,
	PIN_BSS,
	PIN_COUNT,
	PIN_XDP_LINK,
	PIN_TC_LINK,
	PIN_META,
	PIN_MAX,
};

enum pin_kind {
	PIN_KIND_MAP,		/* a map or program of struct xdpct_fds, pinned first */
	PIN_KIND_LINK,		/* a link of struct ld, persistent mode only */
	PIN_KIND_META,		/* pinned last: its pin means the attachment is complete */
};

enum pin_open {
	PIN_OPEN_NO,		/* readers do not open it */
	PIN_OPEN_OPTIONAL,	/* an older attachment may not have it */
	PIN_OPEN_REQUIRED,	/* without it the pins are incomplete */
};

struct pin_desc {
	const char *name;	/* the file name in the pin directory */
	enum pin_kind kind;
	enum pin_open open;	/* how ld_open_pinned opens it */
	int fd_off;		/* offsetof(struct xdpct_fds, ...), -1 for a link */
};

extern const struct pin_desc pin_table[PIN_MAX];

/* pins_dir - /sys/fs/bpf/xdpct/IFNAME. 0 or -ENAMETOOLONG. */
int pins_dir(const char *ifname, char *dir, size_t len);
/* pins_path - DIR/NAME of pin p. 0 or -ENAMETOOLONG. */
int pins_path(const char *dir, enum pin p, char *path, size_t len);
/* pins_pin - pin fd as dir's pin p (nothing for fd < 0). 0 or -errno. */
int pins_pin(const char *dir, enum pin p, int fd);
/* pins_create - the pin directory of ld and every PIN_KIND_MAP pin. 0 or -errno. */
int pins_create(struct ld *ld);
/* pins_remove - every pin in dir, then dir. */
void pins_remove(const char *dir);
/* pins_ours - dir still holds ld's own maps, not a later attachment's. */
bool pins_ours(const struct ld *ld);

/* meta_write - ld's meta record into its meta map (pinned later). 0 or -errno. */
int meta_write(struct ld *ld, const struct ld_opts *o);
/* meta_read - the meta pin of ifname: 0, -ENOENT (no pins), -ENODATA, -errno. */
int meta_read(const char *ifname, struct xdpct_meta *m);
int meta_read_fd(int fd, struct xdpct_meta *m);
/* meta_owner_alive - the run that owns m is still running. */
bool meta_owner_alive(const struct xdpct_meta *m);
/* meta_other_ns - m's attachment was made from another network namespace. */
bool meta_other_ns(const struct xdpct_meta *m);
/* meta_elsewhere - m is a live attachment in another namespace: hands off. */
bool meta_elsewhere(const struct xdpct_meta *m);

#endif /* XDPCT_PINS_H */

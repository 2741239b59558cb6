// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * expire.c - flows past their timeout leave the maps (flows_expire in
 * maps.h): the one sweep run does every second and replay does as the
 * capture's clock goes on. The fast path never deletes an established flow
 * on a timer (it has none): a timed-out record stays until the next packet
 * of its tuple replaces it, or until this sweep.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "maps.h"
#include "util.h"

struct expired {
	union flow_key key;
	__u8 family;
	bool halfopen;
};

struct expire_list {
	__u64 now;
	struct expired *e;
	size_t n, cap;
};

static bool past_timeout(const struct flow *f, __u64 now)
{
	return f->expires_ns && now >= f->expires_ns;
}

static int expired_cb(int family, const void *key, const struct flow *f, bool halfopen,
		      void *ctx)
{
	struct expire_list *l = ctx;

	if (!past_timeout(f, l->now))
		return 0;
	if (array_grow((void **)&l->e, &l->cap, l->n, sizeof(*l->e), 1024))
		return -ENOMEM;
	memset(&l->e[l->n], 0, sizeof(l->e[0]));
	memcpy(&l->e[l->n].key, key, family == 4 ? sizeof(struct flow_key4) :
						   sizeof(struct flow_key6));
	l->e[l->n].family = (__u8)family;
	l->e[l->n].halfopen = halfopen;
	l->n++;
	return 0;
}

/*
 * The keys are collected first and deleted after the walk: deleting the
 * key a get_next_key walk stands on would start it over. Each record is
 * read again before it goes, since a live flow may have been refreshed
 * since the walk saw it.
 */
long flows_expire(const struct xdpct_fds *fds, __u64 now, flow_cb on_expired, void *ctx)
{
	struct expire_list l = { .now = now };
	__u64 fl = 0, ho = 0;
	size_t i;
	int err;

	err = flows_walk(fds, expired_cb, &l);
	for (i = 0; !err && i < l.n; i++) {
		const struct expired *e = &l.e[i];
		int fd = flows_map_fd(fds, e->family, e->halfopen);
		struct flow f;

		/* the SYN cache is an array: its slots are found and freed by key */
		if (e->halfopen ? halfopen_lookup(fds, e->family, &e->key, &f) ||
					  !past_timeout(&f, now) ||
					  halfopen_delete(fds, e->family, &e->key)
				: bpf_map_lookup_elem(fd, &e->key, &f) || !past_timeout(&f, now) ||
					  bpf_map_delete_elem(fd, &e->key))
			continue;
		if (e->halfopen)
			ho++;
		else
			fl++;
		if (on_expired)	/* 0, or -errno: stop */
			err = on_expired(e->family, &e->key, &f, e->halfopen, ctx);
	}
	free(l.e);
	gc_add(fds->gc, fl, ho);
	return err ? err : (long)(fl + ho);
}

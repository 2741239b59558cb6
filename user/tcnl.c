// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * tcnl.c - list tc filters over rtnetlink. libbpf can add and remove a
 * filter it knows, but not list the others; detach needs that to keep a
 * clsact qdisc that someone else's filters still use.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "tcnl.h"

#ifndef TC_H_CLSACT
#define TC_H_CLSACT TC_H_INGRESS
#endif
#ifndef TC_H_MIN_INGRESS
#define TC_H_MIN_INGRESS 0xFFF2U
#define TC_H_MIN_EGRESS 0xFFF3U
#endif

struct filter_match {
	__u32 skip_handle, skip_prio;
	int others;
	int found;
};

/* dump_hook - walk the filters of one clsact hook. */
static int dump_hook(int ifindex, __u32 parent, struct filter_match *m)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req;
	char buf[16384];
	int fd, err = 0, done = 0;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETTFILTER;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.tc.tcm_family = AF_UNSPEC;
	req.tc.tcm_ifindex = ifindex;
	req.tc.tcm_parent = parent;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct tcmsg *t;
			__u32 prio;

			if (nh->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				/* no clsact qdisc: no filters */
				err = e->error == -EINVAL || e->error == -ENOENT ? 0 : e->error;
				done = 1;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWTFILTER)
				continue;
			t = NLMSG_DATA(nh);
			if (!t->tcm_handle)	/* the classifier instance, not a filter */
				continue;
			prio = TC_H_MAJ(t->tcm_info) >> 16;
			if (t->tcm_handle == m->skip_handle && prio == m->skip_prio)
				m->found++;
			else
				m->others++;
		}
	}
out:
	close(fd);
	return err;
}

int tc_count_filters(int ifindex, __u32 skip_handle, __u32 skip_prio)
{
	struct filter_match m = { skip_handle, skip_prio, 0, 0 };
	int err;

	err = dump_hook(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS), &m);
	if (!err)
		err = dump_hook(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), &m);
	return err ? err : m.others;
}

int tc_filter_exists(int ifindex, __u32 handle, __u32 prio)
{
	struct filter_match m = { handle, prio, 0, 0 };
	int err;

	err = dump_hook(ifindex, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS), &m);
	return err ? err : m.found > 0;
}

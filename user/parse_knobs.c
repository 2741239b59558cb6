// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * parse_knobs.c - the parser's load-time knobs. XDP multi-buffer (jumbo
 * frames over one page) when the kernel has it. The XDP program is declared SEC("xdp.frags"), so libbpf
 * loads it with BPF_F_XDP_HAS_FRAGS; a kernel before 5.18 rejects that flag
 * (and bpf_xdp_get_buff_len). A two-instruction probe program tells, and
 * without support the program is loaded as before, as plain "xdp".
 * And where a TCP checksum field may hold only the pseudo-header's sum, and
 * the host's limits on IPv6 hop-by-hop and destination options.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "util.h"
#include "parse_knobs.h"

/* xdp_frags_probe - 0 if an XDP program with BPF_F_XDP_HAS_FRAGS loads, else -errno. */
static int xdp_frags_probe(void)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .prog_flags = BPF_F_XDP_HAS_FRAGS,
		    .expected_attach_type = BPF_XDP);
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xdpct_frags", "GPL", insns, 2, &po);

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * is_veth - ifname's driver is veth (ETHTOOL_GDRVINFO in this namespace).
 * A local sender's segments cross veth as CHECKSUM_PARTIAL skbs, their
 * checksum field the pseudo-header's sum, and the receiving host accepts
 * them; a NIC's receiver verifies every byte.
 */
static bool is_veth(const char *ifname)
{
	struct ethtool_drvinfo di = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = {};
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&di;
	err = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return !err && !strcmp(di.driver, "veth");
}

/* sysctl_long - the integer in /proc/sys/net/ipv6/NAME, or dflt. */
static long sysctl_long(const char *name, long dflt)
{
	char path[96];
	long v = dflt;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/%s", name);
	f = fopen(path, "re");
	if (!f)
		return dflt;
	if (fscanf(f, "%ld", &v) != 1)
		v = dflt;
	fclose(f);
	return v;
}

/*
 * ip6_opts_knobs - the limits ipv6_parse_hopopts / ipv6_destopt_rcv apply
 * (per network namespace: the loader runs in the interface's): how many
 * options a header may carry (negative: unknown options all discard, as
 * ip6_parse_tlv takes it) and how long it may be. Index 1 hop-by-hop.
 */
static void ip6_opts_knobs(struct xdpct_bpf *s)
{
	static const char *const num[2] = { "max_dst_opts_number", "max_hbh_opts_number" };
	static const char *const len[2] = { "max_dst_opts_length", "max_hbh_length" };
	long n, l;
	int i;

	for (i = 0; i < 2; i++) {
		n = sysctl_long(num[i], 8);
		l = sysctl_long(len[i], INT_MAX);
		s->rodata->ip6_opts_strict[i] = n < 0;
		n = labs(n);
		s->rodata->ip6_opts_max[i] = (__u8)(n > 255 ? 255 : n);
		s->rodata->ip6_opts_max_len[i] = (__u32)(l < 0 ? 0 : l);
	}
}

void parse_knobs_set(struct xdpct_bpf *s, const char *ifname, bool replay)
{
	struct bpf_program *p = s->progs.xdpct_xdp;
	int err;

	s->rodata->verify_csum = !replay;
	s->rodata->csum_partial_ok = !replay && ifname && is_veth(ifname);
	if (!replay)
		ip6_opts_knobs(s);
	err = xdp_frags_probe();
	/* EPERM: not privileged; the real load will say so */
	if (!err || err == -EPERM)
		return;
	bpf_program__set_flags(p, bpf_program__flags(p) & ~BPF_F_XDP_HAS_FRAGS);
	s->rodata->xdp_frags = 0;
	if (!replay)
		pr_warn("this kernel has no XDP multi-buffer (%s; Linux 5.18+): loading without "
			"it, so native XDP refuses interfaces with an MTU over ~3.5 KB",
			strerror(-err));
}

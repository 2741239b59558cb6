// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * parse_knobs.c - the parser's load-time knobs. XDP multi-buffer (jumbo
 * frames over one page) when the kernel has it. The XDP program is declared SEC("xdp.frags"), so libbpf
 * loads it with BPF_F_XDP_HAS_FRAGS; a kernel before 5.18 rejects that flag
 * (and bpf_xdp_get_buff_len). A two-instruction probe program tells, and
 * without support the program is loaded as before, as plain "xdp".
 * And where a TCP checksum field may hold only the pseudo-header's sum.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
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

void parse_knobs_set(struct xdpct_bpf *s, const char *ifname, bool replay)
{
	struct bpf_program *p = s->progs.xdpct_xdp;
	int err;

	s->rodata->verify_csum = !replay;
	s->rodata->csum_partial_ok = !replay && ifname && is_veth(ifname);
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

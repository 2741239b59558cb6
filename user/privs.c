// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/* privs.c - drop capabilities after attaching (raw capset: no libcap needed). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "privs.h"
#include "util.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef CAP_LAST_CAP
#define CAP_LAST_CAP 40
#endif

static const int kept[] = { CAP_NET_ADMIN, CAP_BPF };

static bool is_kept(int cap)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kept); i++)
		if (kept[i] == cap)
			return true;
	return false;
}

int privs_drop_after_attach(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	size_t i;
	int cap;

	for (cap = 0; cap <= 63; cap++) {
		if (is_kept(cap))
			continue;
		/* EINVAL past the kernel's last capability: done */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EINVAL)
			break;
	}
	memset(data, 0, sizeof(data));
	for (i = 0; i < ARRAY_SIZE(kept); i++) {
		data[kept[i] / 32].effective |= 1u << (kept[i] % 32);
		data[kept[i] / 32].permitted |= 1u << (kept[i] % 32);
	}
	if (syscall(SYS_capset, &hdr, data)) {
		int err = -errno;

		pr_warn("dropping capabilities failed: %s", strerror(-err));
		return err;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pr_debug("capabilities dropped to CAP_BPF and CAP_NET_ADMIN");
	return 0;
}

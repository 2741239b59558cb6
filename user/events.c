// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * events.c - the events verb: stream per-flow events from an attached
 * interface's ring buffer, and SYN-flood alerts from the detector fed from
 * its maps, until a signal or until xdpct is detached there.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "filter.h"
#include "jsonl.h"
#include "monitor.h"
#include "pins.h"
#include "util.h"

struct events_args {
	struct det_params det;
	const char *ifname;
	struct flow_filter flt;
	struct cli_common common;
	__u8 pad[7];
};

/* One reader: the pins it reads, its lock, the ring, the detector. */
struct events {
	struct events_args a;
	struct monitor mon;
	struct ring_buffer *rb;
	ino_t meta_ino;		/* of the meta pin when it started (pin_ino) */
	__s64 time_off;		/* monotonic to wall clock */
	__u64 start_ns;		/* monotonic: events before it are a backlog */
	__u64 n;
	__u64 stale;		/* backlog events skipped */
	struct xdpct_fds fds;
	int lock_fd;
	char ifname[IF_NAMESIZE];
	bool mon_ready;
	bool json;
	__u8 pad[6];
};

static int handle_event(void *ctx, void *data, size_t size)
{
	struct events *ev = ctx;
	const struct ct_event *e = data;
	struct flow_view v;

	if (size < sizeof(*e))
		return 0;
	/* left in the ring before this reader started: old news */
	if (e->ts_ns < ev->start_ns) {
		ev->stale++;
		return 0;
	}
	flow_view_from_event(&v, e, ev->time_off, mono_ns());
	if (!filter_match(&ev->a.flt, &v))
		return 0;
	/* --limit N: N events, then stop (the rest of this poll's batch too) */
	if (ev->a.flt.limit && ev->n >= ev->a.flt.limit)
		return 0;
	if (++ev->n == ev->a.flt.limit)
		stop_requested = 1;
	if (ev->json)
		jsonl_event(stdout, e, &v, ev->ifname, ev->time_off);
	else
		print_event_line(stdout, e, &v);
	return 0;
}

/* pin_ino - the inode of ifname's meta pin (a new attachment has a new one), 0 if none. */
static ino_t pin_ino(const char *ifname)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;

	if (pins_dir(ifname, dir, sizeof(dir)) || pins_path(dir, PIN_META, path, sizeof(path)))
		return 0;
	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * events_lock - the one-reader lock: an exclusive flock on the pin
 * directory, held while the fd is open. Sets *meta_ino (see pin_ino).
 * Returns the fd, or -errno with a one-line message.
 */
static int events_lock(const char *ifname, ino_t *meta_ino)
{
	char path[PATH_MAX];
	int fd, err;

	err = pins_dir(ifname, path, sizeof(path));
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("%s: %s: %s", ifname, path, strerror(-err));
		return err;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		if (err == -EWOULDBLOCK)
			pr_err("%s: another 'xdpct events' is reading this interface's events "
			       "(one reader at a time: each event goes to one reader)", ifname);
		else
			pr_err("%s: locking %s: %s", ifname, path, strerror(-err));
		close(fd);
		return err;
	}
	*meta_ino = pin_ino(ifname);
	return fd;
}

static error_t events_parse(int key, char *arg, struct argp_state *state)
{
	struct events_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->det;
		state->child_inputs[1] = &a->common;
		state->child_inputs[2] = &a->flt;
		return 0;
	case ARGP_KEY_END:
		if (a->flt.sort)
			argp_error(state, "--sort orders a table; events are a stream (--limit N "
				   "stops after N events)");
		return 0;
	default:
		return parse_iface_key(key, arg, state, &a->ifname, false);
	}
}

/* events_open - the interface, its pins, the lock, the ring, the detector. */
static int events_open(struct events *ev)
{
	char names[64][IF_NAMESIZE];
	int n, err;

	n = cli_iface_list(ev->a.ifname, names, 64);
	if (n < 0)
		return n;
	if (n > 1) {
		pr_err("xdpct is attached to %d interfaces: name one (xdpct events IFACE)", n);
		return -EINVAL;
	}
	memcpy(ev->ifname, names[0], sizeof(ev->ifname));
	err = cli_open_iface(ev->ifname, &ev->fds, NULL);
	if (err)
		return err;
	if (ev->fds.events < 0) {
		pr_err("%s: the pins in %s/%s have no event ring; 'xdpct detach %s' cleans "
		       "them up", ev->ifname, XDPCT_PIN_ROOT, ev->ifname, ev->ifname);
		return -ENODATA;
	}
	/* a ring buffer hands each event to one reader: two would each see
	 * half, so the second is turned away */
	ev->lock_fd = events_lock(ev->ifname, &ev->meta_ino);
	if (ev->lock_fd < 0)
		return ev->lock_fd;
	ev->json = ev->a.common.json;
	ev->time_off = (__s64)(real_ns() - mono_ns());
	/* the fast path's clock is tick-coarse: a margin keeps fresh events */
	ev->start_ns = mono_ns() - 100 * 1000000ull;
	ev->rb = ring_buffer__new(ev->fds.events, handle_event, ev, NULL);
	if (!ev->rb) {
		err = -errno;
		pr_err("%s: opening the event ring buffer failed: %s", ev->ifname, strerror(-err));
		return err;
	}
	err = monitor_init(&ev->mon, &ev->fds, ev->ifname, ev->json, &ev->a.det, stdout);
	if (err) {
		err_report(err, "%s: starting the detector failed", ev->ifname);
		return err;
	}
	ev->mon_ready = true;
	return 0;
}

/* events_check - once a second: the backlog skipped, drops, still attached? */
static bool events_check(struct events *ev)
{
	if (ev->stale) {
		pr_info("%s: skipped %llu events left in the ring from before this reader started",
			ev->ifname, (unsigned long long)ev->stale);
		ev->stale = 0;
	}
	monitor_report_drops(&ev->mon);
	if (pin_ino(ev->ifname) == ev->meta_ino)
		return true;
	ring_buffer__consume(ev->rb);
	pr_info("%s: xdpct was detached (its pins are gone); stopping", ev->ifname);
	return false;
}

/* events_loop - events as they come, a detector tick every MONITOR_TICK_MS. */
static int events_loop(struct events *ev)
{
	__u64 now = mono_ns(), next_tick, next_check;
	int err;

	next_tick = now + MONITOR_TICK_MS * 1000000ull;
	next_check = now + NSEC_PER_SEC;
	while (!stop_requested && !ferror(stdout)) {
		now = mono_ns();
		err = ring_buffer__poll(ev->rb, next_tick > now ?
					(int)((next_tick - now) / 1000000) : 0);
		if (err < 0 && err != -EINTR) {
			pr_err("%s: reading events failed: %s", ev->ifname, strerror(-err));
			return err;
		}
		now = mono_ns();
		if (now >= next_tick) {
			monitor_tick(&ev->mon);
			next_tick = now + MONITOR_TICK_MS * 1000000ull;
		}
		if (now >= next_check) {
			if (!events_check(ev))
				break;
			next_check = now + NSEC_PER_SEC;
		}
	}
	return 0;
}

int cmd_events(int argc, char **argv)
{
	const struct argp_child children[] = {
		{ cli_detector_argp(), 0, NULL, 50 },
		{ cli_common_argp("one JSON object per event per line"), 0, NULL, 0 },
		{ &filter_argp, 0, NULL, 20 },
		{ 0 },
	};
	static const char doc[] =
		"Stream per-flow events (new flow, state change, anomaly, flow ended) and\n"
		"SYN-flood alerts as they happen, from an interface xdpct is attached to.\n\n"
		"USAGE: xdpct events [IFACE] [--json]\n\n"
		"Per-flow events are rate-limited in the kernel (--event-rate at attach);\n"
		"the number dropped is reported. Alerts are never dropped. Every line is\n"
		"flushed, so a pipe into jq is live. One reader at a time.\n\n"
		"EXAMPLES:\n"
		"  xdpct events eth0\n"
		"  xdpct events eth0 --json | jq -c 'select(.event == \"syn_flood_start\")'\n"
		"\vExit status: 0 stopped by a signal, 1 runtime error, 2 usage error.";
	struct argp argp = { NULL, events_parse, "[IFACE]", doc, children, NULL, NULL };
	struct events ev = { .lock_fd = -1 };
	int err;

	/* setup */
	fds_init(&ev.fds);
	det_params_default(&ev.a.det);
	filter_init(&ev.a.flt);
	argp_parse(&argp, argc, argv, 0, NULL, &ev.a);
	err = events_open(&ev);
	if (err)
		goto cleanup;

	/* the loop, until a signal or a detach */
	install_stop_handlers();
	events_reader_set(ev.fds.bss, true);	/* the programs emit only with a reader */
	pr_info("%s: streaming events; Ctrl-C stops", ev.ifname);
	err = events_loop(&ev);
	events_reader_set(ev.fds.bss, false);
cleanup:
	if (ev.mon_ready)
		monitor_free(&ev.mon);
	ring_buffer__free(ev.rb);
	if (ev.lock_fd >= 0)
		close(ev.lock_fd);
	fds_close(&ev.fds);
	return err ? EXIT_RUNTIME : EXIT_OK;
}

/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* Copyright (c) 2026 The xdpct authors */
/*
 * events.h - per-flow events into the ring buffer, rate-limited per CPU, and
 * nothing at all while no reader is there (ev_reader). Included by
 * xdpct.bpf.c after its globals and the events map.
 */
#ifndef XDPCT_EVENTS_H
#define XDPCT_EVENTS_H

struct ev_bucket {
	__u64 tokens;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ev_bucket);
} ev_limit SEC(".maps");

/* ev_allowed - per-CPU token bucket for per-flow events (burst: 1 s). */
static __always_inline int ev_allowed(__u64 now)
{
	struct ev_bucket *b;
	__u32 zero = 0;
	__u64 refill;

	if (!event_rate || replay_mode)
		return 1;
	b = bpf_map_lookup_elem(&ev_limit, &zero);
	if (!b)
		return 0;
	refill = (now - b->last_ns) * event_rate / NSEC_PER_SEC;
	if (refill) {
		b->tokens += refill;
		if (b->tokens > event_rate)
			b->tokens = event_rate;
		b->last_ns = now;
	}
	if (!b->tokens)
		return 0;
	b->tokens--;
	return 1;
}

/* emit_event - one per-flow event with a snapshot of the record. */
static __always_inline void emit_event(struct xdpct_stats *st, __u8 type, const struct flow *f,
				       const struct pkt_info *pi, __u8 side,
				       const struct ct_result *res, __u64 now)
{
	struct ct_event *e;

	if (!(event_mask & (1u << type)))
		return;
	/* nobody reads the ring: no work, nothing counted as dropped */
	if (!ev_reader && !replay_mode)
		return;
	if (!ev_allowed(now)) {
		st->events_dropped++;
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		st->events_dropped++;
		return;
	}
	e->type = type;
	e->family = pi->family;
	e->old_state = res ? res->old_state : (f->ctl & CT_CTL_STATE_MASK);
	e->new_state = res ? res->new_state : (f->ctl & CT_CTL_STATE_MASK);
	e->new_anomalies = res ? res->new_anomalies : 0;
	e->ts_ns = now;
	if (side) {
		__builtin_memcpy(e->addr[1], pi->saddr, 16);
		__builtin_memcpy(e->addr[0], pi->daddr, 16);
		e->port[1] = pi->sport;
		e->port[0] = pi->dport;
	} else {
		__builtin_memcpy(e->addr[0], pi->saddr, 16);
		__builtin_memcpy(e->addr[1], pi->daddr, 16);
		e->port[0] = pi->sport;
		e->port[1] = pi->dport;
	}
	e->pad = 0;
	__builtin_memcpy(&e->flow, f, sizeof(*f));
	bpf_ringbuf_submit(e, replay_mode ? BPF_RB_NO_WAKEUP : 0);
	st->events_sent++;
}

/*
 * emit_event_g - emit_event as a global function, verified once instead of
 * at each of track_slow's call sites. how: the event type, EV_SIDE1 and
 * EV_EGRESS (whose stats count it); res may be a zeroed result (flow_end).
 */
#define EV_SIDE1	0x100
#define EV_EGRESS	0x200

__noinline int emit_event_g(const struct flow *f, const struct pkt_info *pi,
			    const struct ct_result *res, __u32 how, __u64 now)
{
	__u32 hook = (how & EV_EGRESS) ? HOOK_TC : HOOK_XDP;
	struct xdpct_stats *st;

	if (!f || !pi || !res || !(event_mask & (1u << (how & 0xff))))
		return 0;
	if (!ev_reader && !replay_mode)
		return 0;
	st = bpf_map_lookup_elem(&stats, &hook);
	if (!st)
		return 0;
	emit_event(st, how & 0xff, f, pi, (how & EV_SIDE1) ? 1 : 0,
		   (how & 0xff) == CT_EV_END ? NULL : res, now);
	return 0;
}

#endif /* XDPCT_EVENTS_H */

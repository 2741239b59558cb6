// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * test_tc_keys.c - the return value, the TC program, one record for both hooks, canonical keys.
 */
#include "harness.h"

static int t_pass_unchanged(struct tctx *t)
{
	__u8 buf[FRAME_MAX], spa[4] = { 10, 0, 0, 1 }, tpa[4] = { 10, 0, 0, 2 };
	struct xdpct_stats got[HOOK_MAX];
	struct pkt_spec s;
	struct conv cv4, cv6;
	int n = 0, i, e;

	conv_v4(&cv4);
	conv_v6(&cv6);
	for (i = 0; i < 24; i++) {
		const struct conv *cv = (i & 1) ? &cv6 : &cv4;

		conv_spec(cv, i & 2 ? SRV : CLI, i % 3 ? ACK | PSH : SYN, V_X + i, V_Y, i * 61,
			  &s);
		s.payload_byte = (__u8)i;
		s.vlans = i % 4 == 3 ? 3 : i % 3;	/* 3: vlan_too_deep */
		switch (i % 6) {
		case 1:
			pkt_ext6_add(&s, PKT_IPPROTO_HOPOPTS, 16);
			pkt_ext6_add(&s, PKT_IPPROTO_AH, 16);
			break;
		case 2:
			s.ip4_opt_len = 8;
			break;
		case 3:
			s.flags |= FIN | SYN;	/* tcp_bad_flags */
			break;
		case 4:
			s.mpls = 2;
			s.mpls_label[0] = 100;
			s.mpls_label[1] = 200;
			break;
		case 5:
			e = pkt_ext6_add(&s, PKT_IPPROTO_FRAGMENT, 8);
			s.ext[e].frag_offset = 3;
			break;
		}
		s.pad_to = 60;
		s.pad_byte = 0xa5;
		TRY(xdp_send(t, T0 + i, buf, pkt_build(&s, buf, sizeof(buf))));
		/* and cut short */
		TRY(xdp_run(t, T0 + i, buf, 14 + (__u32)i * 3, 0));
		n += 2;
	}
	pkt_spec_init(&s);
	TRY(xdp_send(t, T0 + 100, buf, pkt_build_arp(&s, spa, tpa, buf, sizeof(buf))));
	conv_spec(&cv4, CLI, ACK, 1, 1, 1400, &s);
	TRY(spec_send(t, T0 + 101, &s));
	n += 2;
	TRY(read_stats(t, got));
	EQ("stats[xdp].packets", got[HOOK_XDP].packets, n);
	EQ("stats[xdp] packets - tcp - non_tcp - malformed",
	   got[HOOK_XDP].packets - got[HOOK_XDP].tcp - got[HOOK_XDP].non_tcp -
	   mal_sum(&got[HOOK_XDP]), 0);
	return 0;
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * SEC + (__u64)ts.tv_nsec;
}

static int t_tc_syn(struct tctx *t)
{
	__u8 buf[FRAME_MAX];
	struct xdpct_stats st = {};
	struct ev_list l;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	__u64 before, after;
	int where;

	conv_v4(&cv);
	conv_spec(&cv, CLI, SYN, V_X, 0, 0, &s);
	before = mono_now();
	TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
	after = mono_now();
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	TRY(want_flow(t, &f, CT_STATE_SYN_SENT, "S", 0, SYN, 0));
	if (f.dir[0].first_ns < before || f.dir[0].first_ns > after)
		FAIL("dir[0].first_ns %llu outside the run [%llu, %llu] (CLOCK_MONOTONIC)",
		     (unsigned long long)f.dir[0].first_ns, (unsigned long long)before,
		     (unsigned long long)after);
	TRY(want_dir(t, &f, 0, V_X, V_X + 1, 0, 1, 0, f.dir[0].first_ns, f.dir[0].first_ns));
	TRY(want_dir(t, &f, 1, 0, 0, 0, 0, 0, 0, 0));
	EQ("wscale[0]", f.wscale[0], 7);
	/* live: every event type is on, so the new record is reported */
	TRY(read_events(t, &l));
	EQ("events in the ring buffer", l.n, 1);
	EQ("event type", l.e[0].type, CT_EV_NEW);
	EQ("event new_state", l.e[0].new_state, CT_STATE_SYN_SENT);
	if (memcmp(&l.e[0].flow, &f, sizeof(f)))
		FAIL("the CT_EV_NEW event does not carry the record");
	st.packets = st.tcp = 1;
	st.syn_pkts = 1;
	st.flows_created = 1;
	st.events_sent = 1;
	return want_stats(t, NULL, &st);
}

/*
 * One host forging both sides: SYN, SYN-ACK "from" the local server and the
 * ACK all arrive at XDP. The flow is tracked, but it gets no slot in the
 * established map, counts no handshake and feeds no ISN verdict.
 */
static int t_forged_one_hook(struct tctx *t)
{
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct syn_src_key k = {};
	struct host_isn h;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	conv_spec(&cv, CLI, SYN, x, 0, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	conv_spec(&cv, SRV, SYN | ACK, y, x + 1, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	conv_spec(&cv, CLI, ACK, x + 1, y + 1, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_HALFOPEN));
	TRY(want_maps(t, 0, 0, 1, 0));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	EQ("anomalies", f.anomalies, CT_ANOM_ONE_HOOK_BOTH_WAYS);
	EQ("dir[0].hooks", f.dir[0].hooks, CT_HOOK_INGRESS);
	EQ("dir[1].hooks", f.dir[1].hooks, CT_HOOK_INGRESS);
	memcpy(k.addr, cv.caddr, 4);
	k.family = 4;
	if (!bpf_map_lookup_elem(t->ld.fds.host_isn, &k, &h))
		FAIL("the forged handshake fed the ISN table");
	{
		struct xdpct_stats st[HOOK_MAX];

		if (stats_read(t->ld.fds.stats, st))
			FAIL("reading stats");
		EQ("handshakes_completed", st[HOOK_XDP].handshakes_completed, 0);
		EQ("flows_promoted", st[HOOK_XDP].flows_promoted, 0);
	}
	return 0;
}

/*
 * Forged local data on the fast path (issue 10.5): a real handshake (SYN and
 * ACK in at XDP, SYN-ACK out at TC), then in-order data "from" the local
 * server arriving at XDP. The host never sent it (its own segments leave
 * through TC, and tcp_v4_rcv takes a segment addressed to a peer only as
 * that peer's): it takes the slow path, raises ONE_HOOK_BOTH_WAYS and adds
 * no byte to what the server sent.
 */
static int t_forged_local_data_fast_path(struct tctx *t)
{
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	int where;

	conv_v4(&cv);
	conv_spec(&cv, CLI, SYN, x, 0, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	conv_spec(&cv, SRV, SYN | ACK, y, x + 1, 0, &s);
	TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
	conv_spec(&cv, CLI, ACK, x + 1, y + 1, 0, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	/* the server's real data, out through TC: counted on the fast path */
	conv_spec(&cv, SRV, ACK, y + 1, x + 1, 100, &s);
	TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
	/* the same side's next bytes, forged, in through XDP */
	conv_spec(&cv, SRV, ACK, y + 101, x + 1, 100, &s);
	TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	EQ("state", f.ctl & CT_CTL_STATE_MASK, CT_STATE_ESTABLISHED);
	EQ("resp bytes (the forged 100 not counted)", f.dir[1].bytes, 100);
	EQ("anomalies", f.anomalies, CT_ANOM_ONE_HOOK_BOTH_WAYS);
	return 0;
}

/* A server's handshake: SYN and ACK in at XDP, SYN-ACK out at TC. */
static int t_tc_xdp_one_flow(struct tctx *t)
{
	const __u32 x = V_X, y = V_Y;
	__u8 buf[FRAME_MAX];
	struct xdpct_stats sx = {}, stc = {};
	struct ev_list l;
	struct pkt_spec s;
	struct conv cv;
	struct flow f;
	__u64 b[3], a[3];
	int where, i;

	conv_v4(&cv);
	for (i = 0; i < 3; i++) {
		b[i] = mono_now();
		if (i == 0) {
			conv_spec(&cv, CLI, SYN, x, 0, 0, &s);
			TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
		} else if (i == 1) {
			conv_spec(&cv, SRV, SYN | ACK, y, x + 1, 0, &s);
			TRY(tc_send(t, buf, pkt_build(&s, buf, sizeof(buf))));
		} else {
			conv_spec(&cv, CLI, ACK, x + 1, y + 1, 0, &s);
			TRY(xdp_send(t, 0, buf, pkt_build(&s, buf, sizeof(buf))));
		}
		a[i] = mono_now();
	}
	TRY(conv_flow(t, &cv, &f, &where, NULL));
	TRY(want_where(t, where, IN_FLOWS));
	TRY(want_maps(t, 1, 0, 0, 0));
	TRY(want_flow(t, &f, CT_STATE_ESTABLISHED, "ShA", 0, SYN | ACK, SYN | ACK));
	EQ("dir[0].isn", f.dir[0].isn, x);
	EQ("dir[1].isn", f.dir[1].isn, y);
	EQ("dir[0].pkts", f.dir[0].pkts, 2);
	EQ("dir[1].pkts", f.dir[1].pkts, 1);
	if (f.dir[0].first_ns < b[0] || f.dir[0].first_ns > a[0] || f.dir[1].first_ns < b[1] ||
	    f.dir[1].first_ns > a[1] || f.dir[0].last_ns < b[2] || f.dir[0].last_ns > a[2])
		FAIL("times outside their runs (CLOCK_MONOTONIC)");
	/* NEW (SYN, XDP), STATE to SYN_RECV (TC), STATE to ESTABLISHED (XDP) */
	TRY(read_events(t, &l));
	EQ("events in the ring buffer", l.n, 3);
	for (i = 0; i < 3; i++) {
		static const __u8 type[3] = { CT_EV_NEW, CT_EV_STATE, CT_EV_STATE };
		static const __u8 from[3] = { CT_STATE_NONE, CT_STATE_SYN_SENT, CT_STATE_SYN_RECV };
		static const __u8 to[3] = { CT_STATE_SYN_SENT, CT_STATE_SYN_RECV,
					    CT_STATE_ESTABLISHED };

		EQ("event type", l.e[i].type, type[i]);
		EQ("event old_state", l.e[i].old_state, from[i]);
		EQ("event new_state", l.e[i].new_state, to[i]);
	}
	sx.packets = sx.tcp = 2;
	sx.syn_pkts = 1;
	sx.handshakes_completed = 1;
	sx.flows_created = 1;
	sx.flows_promoted = 1;
	sx.halfopen_deleted = 1;
	sx.events_sent = 2;
	stc.packets = stc.tcp = 1;
	stc.synack_pkts = 1;
	stc.events_sent = 1;
	return want_stats(t, &sx, &stc);
}

/*
 * flow.h: "side 0 is the numerically lower (addr, port) pair". Numeric
 * order of an address is its network-order value as a number.
 */
static int t_canonical_numeric(struct tctx *t)
{
	static const struct {
		int family;
		const char *hi, *lo;
		__u16 hport, lport;
	} c[] = {
		{ 4, "10.0.0.1", "9.0.0.2", 1000, 2000 },	/* addresses decide */
		{ 4, "10.0.0.1", "10.0.0.1", 256, 1 },		/* ports decide */
		{ 6, "2001:db8::1:0", "2001:db8::ff", 1000, 2000 },
	};
	char bad[512] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct flow_key6 k6 = {};
		struct flow_key4 k4 = {};
		struct conv cv;
		struct flow f;
		int where;

		STEP(c[i].family == 4 ? (i ? "IPv4, equal addresses" : "IPv4") : "IPv6");
		conv_init(&cv, c[i].family, c[i].hi, c[i].hport, c[i].lo, c[i].lport);
		TRY(seg(t, &cv, T0 + i, CLI, SYN, V_X, 0, 0));
		if (c[i].family == 4) {
			memcpy(&k4.addr[0], cv.saddr, 4);
			memcpy(&k4.addr[1], cv.caddr, 4);
			k4.port[0] = htons(c[i].lport);
			k4.port[1] = htons(c[i].hport);
			TRY(key_lookup(t, 4, &k4, &f, &where));
		} else {
			memcpy(k6.addr[0], cv.saddr, 16);
			memcpy(k6.addr[1], cv.caddr, 16);
			k6.port[0] = htons(c[i].lport);
			k6.port[1] = htons(c[i].hport);
			TRY(key_lookup(t, 6, &k6, &f, &where));
		}
		if (where != IN_HALFOPEN) {
			size_t n = strlen(bad);

			snprintf(bad + n, sizeof(bad) - n,
				 c[i].family == 4 ? "%s%s:%u -> %s:%u" : "%s[%s]:%u -> [%s]:%u",
				 n ? "; " : "", c[i].hi, c[i].hport, c[i].lo, c[i].lport);
			continue;
		}
		if (!(f.ctl & CT_CTL_ORIG_SIDE))
			FAIL("ORIG_SIDE clear: the originator is canonical side 1");
	}
	t->step = NULL;
	if (bad[0])
		FAIL("not keyed with the numerically lower endpoint as side 0: %s", bad);
	return 0;
}

static const struct prog_test tests[] = {
	{ "every frame returns XDP_PASS and leaves the frame unchanged", t_pass_unchanged },
	{ "TC: a SYN counts in stats[HOOK_TC], returns TC_ACT_UNSPEC", t_tc_syn, true },
	{ "TC and XDP halves of one handshake share one flow record", t_tc_xdp_one_flow, true },
	{ "one host forging both sides through XDP: tracked, but no established slot, "
	  "no handshake counted, no ISN taken", t_forged_one_hook, true },
	{ "forged local data in at XDP on an established flow: slow path, "
	  "ONE_HOOK_BOTH_WAYS, no byte counted", t_forged_local_data_fast_path, true },
	{ "canonical key: side 0 is the numerically lower endpoint (flow.h)",
	  t_canonical_numeric },
};
PROG_AREA(tc_keys, tests);

// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * fuzz.c - hostile frames through the loaded programs (BPF_PROG_TEST_RUN).
 *
 *   fuzz [--frames N] [--seed S] [--tc-every K]
 *
 * Frames: random bytes; every truncation of valid IPv4, IPv6, 802.1Q and
 * QinQ TCP frames; frames built with hostile header fields (IHL, doff, total
 * and payload lengths, versions, EtherTypes, IPv6 extension chains and next
 * headers, fragment offsets, every TCP flag combination such as SYN+FIN,
 * SYN+RST, all or none); and valid frames with random bytes flipped. Most
 * of them carry the 4-tuple of one of eight established "protected" flows.
 *
 * Checked on every frame: the verdict is XDP_PASS (TC_ACT_UNSPEC for the
 * TC program, which every K-th frame also goes through) and the frame comes
 * back unchanged; a frame counted as malformed or non-TCP created no flow
 * and left the protected flow whose tuple it carried unchanged. At the end:
 * tcp + non_tcp + malformed = packets, for both hooks, and every protected
 * flow is as it was unless a valid segment of its own moved it.
 * The seed is printed first; the same seed replays the same frames.
 * Output: TAP lines ("ok - ..."); exit 0 if all hold.
 */
#include <getopt.h>

#include "harness.h"
#include "util.h"

#define FUZZ_FRAME_MAX 1600
#define PROTECTED 8
#define FUZZ_T0 (1764115200ull * NSEC_PER_SEC)

static __u64 rng_state;

static __u64 rnd64(void)
{
	/* splitmix64: a fixed seed gives the same frames */
	__u64 z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static __u32 rnd(__u32 n)
{
	return n ? (__u32)(rnd64() % n) : 0;
}

struct prot {
	struct pkt_spec spec;	/* a valid data segment of the flow, client to server */
	union flow_key key;
	int family;
	struct flow snap;	/* the record as it must stay */
	bool in_flows;
};

struct fuzz {
	struct ld xdp, tc;
	int xdp_fd, tc_fd;
	struct prot prot[PROTECTED];
	__u64 frames, tc_frames, malformed_frames, nontcp_frames, tcp_frames;
	__u64 fail_verdict, fail_changed, fail_created, fail_prot;
	__u64 last_tcp, last_created, last_bad;
	__u64 seed;
	const char *first_failure;
	__u64 first_failure_frame;
};

static void note_failure(struct fuzz *z, const char *what)
{
	if (!z->first_failure) {
		z->first_failure = what;
		z->first_failure_frame = z->frames;
	}
}

static void spec_addrs(struct pkt_spec *s, int family, int i, bool reverse)
{
	char a[64], b[64];

	s->family = family;
	if (family == 4) {
		snprintf(a, sizeof(a), "198.18.1.%d", 10 + i);
		snprintf(b, sizeof(b), "198.18.2.%d", 10 + i);
		pkt_ip4(reverse ? s->daddr : s->saddr, a);
		pkt_ip4(reverse ? s->saddr : s->daddr, b);
	} else {
		snprintf(a, sizeof(a), "fc00::1:%d", 10 + i);
		snprintf(b, sizeof(b), "fc00::2:%d", 10 + i);
		pkt_ip6(reverse ? s->daddr : s->saddr, a);
		pkt_ip6(reverse ? s->saddr : s->daddr, b);
	}
}

/* key_of - the canonical key of a spec's tuple, as the BPF program builds it. */
static void key_of(const struct pkt_spec *s, union flow_key *k)
{
	key_make(s->family, s->saddr, s->sport, s->daddr, s->dport, k);
}

static int lookup(struct fuzz *z, const struct prot *p, struct flow *f, bool *in_flows)
{
	int where, err = flow_find(&z->xdp.fds, p->family, &p->key, f, &where);

	if (err)
		return err;
	*in_flows = where & IN_FLOWS;
	return where ? 0 : -ENOENT;
}

/* run_xdp - one frame through xdpct_xdp; checks the verdict and the bytes. */
static int run_xdp(struct fuzz *z, const __u8 *buf, __u32 len, __u64 now)
{
	struct frame_result r;
	int err;

	z->xdp.skel->bss->replay_now_ns = now;
	z->xdp.skel->bss->replay_wire_len = len;
	err = frame_run(z->xdp_fd, buf, len, &r);
	if (err)
		return err;	/* the kernel refused the input (e.g. < 14 bytes) */
	z->frames++;
	if (r.retval != XDP_PASS) {
		z->fail_verdict++;
		note_failure(z, "XDP verdict is not XDP_PASS");
	}
	if (r.changed) {
		z->fail_changed++;
		note_failure(z, "XDP changed the frame");
	}
	return 0;
}

static void run_tc(struct fuzz *z, const __u8 *buf, __u32 len)
{
	struct frame_result r;

	if (len < 14 || frame_run(z->tc_fd, buf, len, &r))
		return;
	z->tc_frames++;
	if ((int)r.retval != TC_ACT_UNSPEC_) {
		z->fail_verdict++;
		note_failure(z, "TC verdict is not TC_ACT_UNSPEC");
	}
	if (r.changed) {
		z->fail_changed++;
		note_failure(z, "TC changed the frame");
	}
}

/*
 * after_frame - what the program made of the frame (by the counters), and
 * the checks that follow: a malformed or non-TCP frame creates nothing and
 * leaves the protected flow of its tuple (target, or -1) as it was.
 */
static void after_frame(struct fuzz *z, int target)
{
	struct xdpct_stats st[HOOK_MAX];
	__u64 bad, tcp, created;
	struct flow f;
	bool in_flows;

	if (stats_read(z->xdp.fds.stats, st))
		return;
	bad = mal_sum(&st[HOOK_XDP]) + st[HOOK_XDP].non_tcp;
	tcp = st[HOOK_XDP].tcp;
	created = st[HOOK_XDP].flows_created;
	if (tcp > z->last_tcp) {
		z->tcp_frames++;
		/* a valid segment may move its own flow: take the new baseline */
		if (target >= 0 && !lookup(z, &z->prot[target], &f, &in_flows)) {
			z->prot[target].snap = f;
			z->prot[target].in_flows = in_flows;
		}
	} else if (bad > z->last_bad) {
		z->malformed_frames++;
		if (created != z->last_created) {
			z->fail_created++;
			note_failure(z, "a flow was created from a malformed or non-TCP frame");
		}
		if (target >= 0) {
			struct prot *p = &z->prot[target];

			if (lookup(z, p, &f, &in_flows) || in_flows != p->in_flows ||
			    memcmp(&f, &p->snap, sizeof(f))) {
				z->fail_prot++;
				note_failure(z, "a malformed frame changed a valid flow's record");
			}
		}
	}
	z->last_tcp = tcp;
	z->last_bad = bad;
	z->last_created = created;
}

/* base_spec - a valid segment of protected flow i (or a random tuple). */
static void base_spec(struct fuzz *z, struct pkt_spec *s, int i)
{
	if (i >= 0) {
		*s = z->prot[i].spec;
		if (rnd(2)) {	/* the other direction */
			__u8 t[16];
			__u16 p = s->sport;

			memcpy(t, s->saddr, 16);
			memcpy(s->saddr, s->daddr, 16);
			memcpy(s->daddr, t, 16);
			s->sport = s->dport;
			s->dport = p;
		}
		return;
	}
	pkt_spec_init(s);
	spec_addrs(s, rnd(2) ? 4 : 6, 100 + rnd(50), false);
	s->sport = (__u16)(1024 + rnd(60000));
	s->dport = (__u16)rnd(65536);
	s->seq = (__u32)rnd64();
	s->ack = (__u32)rnd64();
	s->flags = PKT_TCP_ACK;
	s->payload_len = rnd(200);
}

/* mutate - hostile header fields on a spec. */
static void mutate(struct pkt_spec *s)
{
	switch (rnd(14)) {
	case 0:
		s->ihl_raw = (int)rnd(16);
		break;
	case 1:
		s->doff_raw = (int)rnd(16);
		break;
	case 2:
		s->tot_len_raw = (int)rnd(65536);
		break;
	case 3:
		s->version_raw = (int)rnd(16);
		break;
	case 4:
		s->eth_type_raw = (int)(rnd(2) ? rnd(65536) : (rnd(2) ? 0x8100 : 0x88a8));
		break;
	case 5:
		s->flags = (__u8)rnd(256);	/* every combination: SYN+FIN, SYN+RST, all, none */
		break;
	case 6:
		if (s->family == 4) {
			s->frag_off = (__u16)rnd(65536);
		} else {
			int e = pkt_ext6_add(s, PKT_IPPROTO_FRAGMENT, 8);

			if (e >= 0) {
				s->ext[e].frag_offset = (__u16)rnd(8192);
				s->ext[e].frag_more = rnd(2);
			}
		}
		break;
	case 7: {
		static const __u8 types[] = { PKT_IPPROTO_HOPOPTS, PKT_IPPROTO_ROUTING,
					      PKT_IPPROTO_DSTOPTS, PKT_IPPROTO_FRAGMENT,
					      PKT_IPPROTO_AH };
		int n = (int)rnd(9), i;

		s->family = 6;
		for (i = 0; i < n; i++) {
			int e = pkt_ext6_add(s, types[rnd(5)], (__u16)(8 * (1 + rnd(4))));

			if (e >= 0 && rnd(4) == 0)
				s->ext[e].nexthdr_raw = (int)rnd(256);
		}
		break;
	}
	case 8:
		s->vlans = (int)rnd(5);
		break;
	case 9:
		s->mpls = (int)rnd(7);
		break;
	case 10:
		if (s->family == 4)
			s->ip4_opt_len = (__u8)(4 * rnd(11));
		break;
	case 11:
		s->mss = (__u16)rnd(65536);
		s->wscale = (int)rnd(256);
		s->sack_perm = rnd(2);
		s->ts = rnd(2);
		break;
	case 12:
		s->payload_len = rnd(1400);
		s->pad_to = rnd(2) ? 60 + rnd(100) : 0;
		break;
	default:
		s->l4 = (enum pkt_l4)rnd(4);
		s->l4_proto = (__u8)rnd(256);
		break;
	}
}

/* setup - eight established flows (IPv4/IPv6, plain/VLAN/QinQ) to protect. */
static int setup(struct fuzz *z)
{
	__u8 buf[FUZZ_FRAME_MAX];
	__u64 now = FUZZ_T0;
	int i, len;

	for (i = 0; i < PROTECTED; i++) {
		struct prot *p = &z->prot[i];
		struct pkt_spec s;
		__u32 x = 1000000u * (i + 1), y = 7000000u * (i + 1);
		bool in_flows;

		pkt_spec_init(&s);
		p->family = i % 2 ? 6 : 4;
		spec_addrs(&s, p->family, i, false);
		s.vlans = i / 2 % 3;
		s.sport = (__u16)(40000 + i);
		s.dport = 443;
		s.wscale = 7;
		s.flags = PKT_TCP_SYN;
		s.seq = x;
		len = pkt_build(&s, buf, sizeof(buf));
		run_xdp(z, buf, (__u32)len, now += 1000);
		{
			struct pkt_spec r = s;

			spec_addrs(&r, p->family, i, true);
			r.sport = s.dport;
			r.dport = s.sport;
			r.flags = PKT_TCP_SYN | PKT_TCP_ACK;
			r.seq = y;
			r.ack = x + 1;
			len = pkt_build(&r, buf, sizeof(buf));
			run_xdp(z, buf, (__u32)len, now += 1000);
		}
		s.flags = PKT_TCP_ACK;
		s.wscale = -1;
		s.seq = x + 1;
		s.ack = y + 1;
		len = pkt_build(&s, buf, sizeof(buf));
		run_xdp(z, buf, (__u32)len, now += 1000);
		s.flags = PKT_TCP_ACK | PKT_TCP_PSH;
		s.payload_len = 100;
		p->spec = s;
		key_of(&s, &p->key);
		if (lookup(z, p, &p->snap, &in_flows) || !in_flows ||
		    (p->snap.ctl & CT_CTL_STATE_MASK) != CT_STATE_ESTABLISHED) {
			fprintf(stderr, "fuzz: protected flow %d did not reach ESTABLISHED\n", i);
			return -1;
		}
		p->in_flows = in_flows;
	}
	after_frame(z, -1);
	return 0;
}

static void hexdump(const __u8 *b, __u32 n)
{
	__u32 i;

	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x%s", b[i], (i + 1) % 32 ? "" : "\n");
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "frames", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "tc-every", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	__u64 frames = 100000, tc_every = 8, seed = 20261126, now = FUZZ_T0 + NSEC_PER_SEC;
	struct xdpct_stats st[HOOK_MAX], tst[HOOK_MAX];
	struct ld_opts xo, to;
	struct fuzz *z;
	__u8 buf[FUZZ_FRAME_MAX];
	int c, i, ok_all = 1;
	const char *names[] = { "fuzz_verdict_pass", "fuzz_frames_unchanged",
				"fuzz_counters_add_up", "fuzz_no_flow_from_malformed",
				"fuzz_valid_flows_untouched" };

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'n': frames = strtoull(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 't': tc_every = strtoull(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	printf("# fuzz: seed %llu, %llu frames (replay: --seed %llu --frames %llu)\n",
	       (unsigned long long)seed, (unsigned long long)frames, (unsigned long long)seed,
	       (unsigned long long)frames);
	rng_state = seed;
	if (geteuid() != 0) {
		for (i = 0; i < 5; i++)
			printf(prog_ci() ?
			       "not ok - %s # not root (CI must run it)\n" : "ok - %s # SKIP not root\n",
			       names[i]);
		return 0;
	}
	z = calloc(1, sizeof(*z));
	if (!z)
		return 1;
	z->seed = seed;
	ld_opts_init(&xo);
	xo.replay = true;
	ld_opts_init(&to);
	if (ld_load(&z->xdp, &xo) || ld_load(&z->tc, &to)) {
		for (i = 0; i < 5; i++)
			printf("not ok - %s # the BPF object did not load\n", names[i]);
		return 1;
	}
	z->xdp_fd = bpf_program__fd(z->xdp.skel->progs.xdpct_xdp);
	z->tc_fd = bpf_program__fd(z->tc.skel->progs.xdpct_tc);
	if (setup(z))
		return 1;

	/* every truncation of each protected flow's segment (IPv4, IPv6,
	 * 802.1Q, QinQ), in both directions */
	for (i = 0; i < 2 * PROTECTED && z->frames < frames; i++) {
		struct pkt_spec s;
		int len, cut;

		rng_state = seed + i;
		base_spec(z, &s, i % PROTECTED);
		len = pkt_build(&s, buf, sizeof(buf));
		for (cut = 14; cut < len && z->frames < frames; cut++) {
			if (run_xdp(z, buf, (__u32)cut, now += 10))
				continue;
			after_frame(z, i % PROTECTED);
			if (tc_every && z->frames % tc_every == 0)
				run_tc(z, buf, (__u32)cut);
		}
	}
	rng_state = seed;

	while (z->frames < frames) {
		struct pkt_spec s;
		int target = rnd(8) ? (int)rnd(PROTECTED) : -1, len, kind = (int)rnd(20);

		now += 1000;
		if (kind < 3) {
			/* random bytes */
			len = 14 + (int)rnd(FUZZ_FRAME_MAX - 14);
			for (i = 0; i < len; i++)
				buf[i] = (__u8)rnd64();
			target = -1;
		} else {
			base_spec(z, &s, target);
			if (kind < 8) {
				/* a segment of the flow with any flags, seq and ack */
				s.flags = (__u8)rnd(256);
				if (rnd(2))
					s.seq = (__u32)rnd64();
				if (rnd(2))
					s.ack = (__u32)rnd64();
			} else {
				mutate(&s);
				if (rnd(3) == 0)
					mutate(&s);
			}
			len = pkt_build(&s, buf, sizeof(buf));
			if (len < 0)
				continue;
			if (kind >= 16)	/* flip bytes */
				for (i = 0, c = 1 + (int)rnd(8); i < c; i++)
					buf[rnd((__u32)len)] = (__u8)rnd64();
			else if (kind == 15 && len > 15)	/* cut it anywhere */
				len = 14 + (int)rnd((__u32)len - 14);
		}
		if (len < 14 || run_xdp(z, buf, (__u32)len, now))
			continue;
		after_frame(z, target);
		if (tc_every && z->frames % tc_every == 0)
			run_tc(z, buf, (__u32)len);
		if (z->first_failure && z->first_failure_frame == z->frames) {
			fprintf(stderr, "fuzz: frame %llu: %s\n",
				(unsigned long long)z->frames, z->first_failure);
			hexdump(buf, (__u32)len);
		}
	}

	/* every protected flow is as its last valid segment left it */
	for (i = 0; i < PROTECTED; i++) {
		struct flow f;
		bool in_flows;

		if (lookup(z, &z->prot[i], &f, &in_flows) || memcmp(&f, &z->prot[i].snap, sizeof(f))) {
			z->fail_prot++;
			note_failure(z, "a protected flow changed");
		}
	}
	stats_read(z->xdp.fds.stats, st);
	stats_read(z->tc.fds.stats, tst);

	printf("# %llu frames through XDP, %llu through TC: %llu tracked as TCP, %llu malformed "
	       "or non-TCP\n", (unsigned long long)z->frames, (unsigned long long)z->tc_frames,
	       (unsigned long long)z->tcp_frames, (unsigned long long)z->malformed_frames);
	{
		static const char *const mn[MAL_MAX] = XDPCT_MALFORMED_NAMES;

		printf("# by reason:");
		for (i = 0; i < MAL_MAX; i++)
			printf(" %s=%llu", mn[i], (unsigned long long)st[HOOK_XDP].malformed[i]);
		printf(" non_tcp=%llu fragments=%llu flows_created=%llu\n",
		       (unsigned long long)st[HOOK_XDP].non_tcp,
		       (unsigned long long)st[HOOK_XDP].fragments,
		       (unsigned long long)st[HOOK_XDP].flows_created);
	}
#define CHECK(name, cond, ...)                                      \
	do {                                                        \
		if (cond) {                                         \
			printf("ok - %s\n", name);                  \
		} else {                                            \
			ok_all = 0;                                 \
			printf("not ok - %s # ", name);             \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
		}                                                   \
	} while (0)
	CHECK("fuzz_verdict_pass", !z->fail_verdict, "%llu wrong verdicts; first at frame %llu",
	      (unsigned long long)z->fail_verdict, (unsigned long long)z->first_failure_frame);
	CHECK("fuzz_frames_unchanged", !z->fail_changed, "%llu frames changed",
	      (unsigned long long)z->fail_changed);
	CHECK("fuzz_counters_add_up",
	      st[HOOK_XDP].packets == st[HOOK_XDP].tcp + st[HOOK_XDP].non_tcp + mal_sum(&st[HOOK_XDP]) &&
	      st[HOOK_XDP].packets == z->frames &&
	      tst[HOOK_TC].packets == tst[HOOK_TC].tcp + tst[HOOK_TC].non_tcp + mal_sum(&tst[HOOK_TC]) &&
	      tst[HOOK_TC].packets == z->tc_frames,
	      "xdp packets %llu tcp %llu non_tcp %llu malformed %llu (frames %llu); tc packets %llu",
	      (unsigned long long)st[HOOK_XDP].packets, (unsigned long long)st[HOOK_XDP].tcp,
	      (unsigned long long)st[HOOK_XDP].non_tcp,
	      (unsigned long long)mal_sum(&st[HOOK_XDP]), (unsigned long long)z->frames,
	      (unsigned long long)tst[HOOK_TC].packets);
	CHECK("fuzz_no_flow_from_malformed", !z->fail_created, "%llu malformed frames created flows",
	      (unsigned long long)z->fail_created);
	CHECK("fuzz_valid_flows_untouched", !z->fail_prot, "%llu changes; first: %s at frame %llu",
	      (unsigned long long)z->fail_prot, z->first_failure ? z->first_failure : "-",
	      (unsigned long long)z->first_failure_frame);
	ld_destroy(&z->xdp);
	ld_destroy(&z->tc);
	free(z);
	return ok_all ? 0 : 1;
}

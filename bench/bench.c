// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * bench.c - xdpct's benchmark tool (driven by bench/run.sh).
 *
 *   bench prog OUT.json            per-packet cost with BPF_PROG_TEST_RUN, and
 *                                  reading flows from the map
 *   bench populate PIN_DIR N       fill a pinned flows map with N flows
 *   bench flow PIN_DIR SRC DST SPORT DPORT SEQ ACK
 *                                  one established flow, as the wire test sends it
 *   bench pcap FILE FLOWS          a capture of FLOWS connections, 10 packets each
 *
 * Times are ratios measured in one run: every figure sits next to its floor
 * (an empty XDP program) and a reference (parse + one 5-tuple lookup).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdpct.skel.h"
#include "bench.skel.h"
#include "flow.h"
#include "tcp_fsm.h"
#include "loader.h"
#include "maps.h"
#include "pkt.h"
#include "util.h"

#define REPEAT 1000000
#define ROUNDS 5
#define SINGLE_RUNS 200000
#define BIG 1200000

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* cost_repeat - ns per run of frame through prog: median of ROUNDS x REPEAT. */
static __u32 cost_repeat(int prog_fd, const void *frame, __u32 len)
{
	__u32 d[ROUNDS];
	int r;

	for (r = 0; r < ROUNDS; r++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
			    .repeat = REPEAT);

		if (bpf_prog_test_run_opts(prog_fd, &o))
			return 0;
		d[r] = o.duration;
	}
	qsort(d, ROUNDS, sizeof(d[0]), cmp_u32);
	return d[ROUNDS / 2];
}

static void run1(int prog_fd, const void *frame, __u32 len, __u64 *sum)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .repeat = 1);

	if (!bpf_prog_test_run_opts(prog_fd, &o))
		*sum += o.duration;
}

static int frame_of(struct pkt_spec *s, __u8 *buf)
{
	return pkt_build(s, buf, 256);
}

static void spec4(struct pkt_spec *s, __u32 src, __u32 dst, __u16 sport, __u16 dport)
{
	pkt_spec_init(s);
	s->family = 4;
	memcpy(s->saddr, &src, 4);
	memcpy(s->daddr, &dst, 4);
	s->sport = sport;
	s->dport = dport;
}

/* handshake - SYN, SYN-ACK, ACK of s through prog; leaves s as the client's pure ACK. */
static void handshake(int prog_fd, struct pkt_spec *s)
{
	struct pkt_spec r = *s;
	__u8 buf[256];
	__u64 sink = 0;
	int len;

	s->flags = PKT_TCP_SYN;
	s->seq = 1000;
	len = frame_of(s, buf);
	run1(prog_fd, buf, (__u32)len, &sink);
	memcpy(r.saddr, s->daddr, 16);
	memcpy(r.daddr, s->saddr, 16);
	r.sport = s->dport;
	r.dport = s->sport;
	r.flags = PKT_TCP_SYN | PKT_TCP_ACK;
	r.seq = 5000;
	r.ack = 1001;
	len = frame_of(&r, buf);
	run1(prog_fd, buf, (__u32)len, &sink);
	s->flags = PKT_TCP_ACK;
	s->seq = 1001;
	s->ack = 5001;
	len = frame_of(s, buf);
	run1(prog_fd, buf, (__u32)len, &sink);
}

/* fill - add flows [from, to) to a flows map: established records. */
static int fill(int fd, __u32 from, __u32 to, const struct flow *tmpl)
{
	const __u32 batch = 8192;
	struct flow_key4 *keys = calloc(batch, sizeof(*keys));
	struct flow *vals = calloc(batch, sizeof(*vals));
	__u32 i, n;
	int err = 0;
	LIBBPF_OPTS(bpf_map_batch_opts, o);

	if (!keys || !vals)
		return -ENOMEM;
	while (from < to && !err) {
		n = to - from < batch ? to - from : batch;
		for (i = 0; i < n; i++) {
			__u32 id = from + i;

			/* 10.x.y.z:port pairs, never the measured flow */
			keys[i].addr[0] = htonl(0x0a000000u | (id >> 8));
			keys[i].addr[1] = htonl(0x0b000000u | (id >> 8));
			keys[i].port[0] = htons((__u16)(1024 + (id & 0xff)));
			keys[i].port[1] = htons(443);
			vals[i] = *tmpl;
		}
		err = bpf_map_update_batch(fd, keys, vals, &n, &o);
		from += n;
	}
	free(keys);
	free(vals);
	return err;
}

static __u64 memlock_of(int fd)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

static int count_cb(const void *k, const void *v, void *ctx)
{
	(void)k;
	(void)v;
	(*(__u64 *)ctx)++;
	return 0;
}

/* read_time - seconds to read every flow of the map with batch lookups. */
static double read_time(int fd, __u64 *n)
{
	__u64 t0 = mono_ns();

	*n = 0;
	map_walk(fd, sizeof(struct flow_key4), sizeof(struct flow), count_cb, n);
	return (mono_ns() - t0) / 1e9;
}

struct row {
	const char *name;
	__u32 ns;
	__u32 floor, ref;
};

static int cmd_prog(const char *out)
{
	struct ld big, dflt;
	struct ld_opts o;
	struct bench_bpf *b;
	struct pkt_spec s;
	struct flow tmpl;
	struct row rows[32];
	int nrows = 0, xdp, empty, ref, len, i;
	__u8 buf[256];
	__u32 c_empty, c_ref, c_est4 = 0, c_1k = 0, c_1m = 0;
	__u64 sum, sum_empty, n;
	double t100k, t1m, v;
	FILE *j;

	libbpf_set_print(NULL);
	b = bench_bpf__open_and_load();
	/* both directions of the measured flows go through xdpct_xdp, as on a
	 * mirror port: without --mirror they would be taken for forged */
	ld_opts_init(&o);
	o.mirror = true;
	o.max_flows = BIG;
	o.max_halfopen = BIG;
	if (!b || ld_load(&big, &o)) {
		fprintf(stderr, "bench: loading the programs failed\n");
		return 1;
	}
	ld_opts_init(&o);
	o.mirror = true;
	if (ld_load(&dflt, &o))
		return 1;
	xdp = bpf_program__fd(big.skel->progs.xdpct_xdp);
	empty = bpf_program__fd(b->progs.xdp_empty);
	ref = bpf_program__fd(b->progs.xdp_ref);

	/* the measured flow: 198.18.0.1:40000 -> 198.18.0.2:80, established */
	spec4(&s, htonl(0xc6120001), htonl(0xc6120002), 40000, 80);
	handshake(xdp, &s);
	len = frame_of(&s, buf);
	c_empty = cost_repeat(empty, buf, (__u32)len);
	c_ref = cost_repeat(ref, buf, (__u32)len);
#define ROW(n, v) rows[nrows++] = (struct row){ (n), (v), c_empty, c_ref }
	ROW("empty XDP program (floor)", c_empty);
	ROW("reference: parse + 5-tuple lookup", c_ref);
	c_est4 = cost_repeat(xdp, buf, (__u32)len);
	ROW("xdpct: established IPv4 flow", c_est4);

	{
		struct pkt_spec s6;

		pkt_spec_init(&s6);
		s6.family = 6;
		pkt_ip6(s6.saddr, "fc00::1");
		pkt_ip6(s6.daddr, "fc00::2");
		s6.sport = 40000;
		s6.dport = 80;
		handshake(xdp, &s6);
		len = frame_of(&s6, buf);
		ROW("xdpct: established IPv6 flow", cost_repeat(xdp, buf, (__u32)len));
	}
	{
		struct pkt_spec sv;

		spec4(&sv, htonl(0xc6120001), htonl(0xc6120002), 40001, 80);
		sv.vlans = 1;
		sv.vlan_tci[0] = 100;
		handshake(xdp, &sv);
		len = frame_of(&sv, buf);
		ROW("xdpct: established IPv4, 802.1Q tag", cost_repeat(xdp, buf, (__u32)len));
	}

	/* table sizes: the measured flow among 1K, 64K, 1M others */
	{
		union flow_key k = {};
		__u32 a = htonl(0xc6120001), d = htonl(0xc6120002);

		k.v4.addr[0] = a;
		k.v4.addr[1] = d;
		k.v4.port[0] = htons(40000);
		k.v4.port[1] = htons(80);
		if (bpf_map_lookup_elem(big.fds.flows, &k, &tmpl)) {
			fprintf(stderr, "bench: the measured flow is not established\n");
			return 1;
		}
	}
	len = frame_of(&s, buf);
	fill(big.fds.flows, 0, 1000, &tmpl);
	c_1k = cost_repeat(xdp, buf, (__u32)len);
	ROW("xdpct: established, table of 1K flows", c_1k);
	fill(big.fds.flows, 1000, 64000, &tmpl);
	ROW("xdpct: established, table of 64K flows", cost_repeat(xdp, buf, (__u32)len));
	fill(big.fds.flows, 64000, 100000, &tmpl);
	t100k = read_time(big.fds.flows, &n);
	fill(big.fds.flows, 100000, 1000000, &tmpl);
	c_1m = cost_repeat(xdp, buf, (__u32)len);
	ROW("xdpct: established, table of 1M flows", c_1m);
	t1m = read_time(big.fds.flows, &n);

	/* single runs (new frames each time): the kernel times each run */
	sum_empty = 0;
	for (i = 0; i < SINGLE_RUNS; i++) {
		spec4(&s, htonl(0xc6130000u | (__u32)i), htonl(0xc6120002), 1024 + (i & 0x7fff), 80);
		s.flags = PKT_TCP_SYN;
		s.seq = (__u32)i * 2654435761u;
		len = frame_of(&s, buf);
		run1(empty, buf, (__u32)len, &sum_empty);
	}
	sum = 0;
	for (i = 0; i < SINGLE_RUNS; i++) {
		spec4(&s, htonl(0xc6130000u | (__u32)i), htonl(0xc6120002), 1024 + (i & 0x7fff), 80);
		s.flags = PKT_TCP_SYN;
		s.seq = (__u32)i * 2654435761u;
		len = frame_of(&s, buf);
		run1(xdp, buf, (__u32)len, &sum);
	}
	rows[nrows++] = (struct row){ "xdpct: new flow (SYN insert) [1]", (__u32)(sum / SINGLE_RUNS),
				      (__u32)(sum_empty / SINGLE_RUNS), c_ref };
	/* a flood: the default 65536-entry half-open table, full, evicting */
	xdp = bpf_program__fd(dflt.skel->progs.xdpct_xdp);
	for (i = 0; i < 70000; i++) {
		spec4(&s, htonl(0xc6140000u | (__u32)i), htonl(0xc6120002), 2000 + (i & 0x3fff), 80);
		s.flags = PKT_TCP_SYN;
		len = frame_of(&s, buf);
		run1(xdp, buf, (__u32)len, &sum);
	}
	sum = 0;
	srand(20261126);
	for (i = 0; i < SINGLE_RUNS; i++) {
		spec4(&s, htonl(0xc6150000u ^ (__u32)rand()), htonl(0xc6120002),
		      (__u16)(1024 + rand() % 60000), 80);
		s.flags = PKT_TCP_SYN;
		s.seq = (__u32)rand();
		len = frame_of(&s, buf);
		run1(xdp, buf, (__u32)len, &sum);
	}
	rows[nrows++] = (struct row){ "xdpct: SYN flood, random sources, evicting [1]",
				      (__u32)(sum / SINGLE_RUNS), (__u32)(sum_empty / SINGLE_RUNS),
				      c_ref };

	printf("%-48s %8s %9s %9s\n", "PER-PACKET COST (BPF_PROG_TEST_RUN)", "ns/pkt", "x floor",
	       "x ref");
	for (i = 0; i < nrows; i++)
		printf("%-48s %8u %9.2f %9.2f\n", rows[i].name, rows[i].ns,
		       (double)rows[i].ns / rows[i].floor, (double)rows[i].ns / rows[i].ref);
	printf("[1] one frame per run (%d runs): the floor is the empty program timed the "
	       "same way (%llu ns)\n", SINGLE_RUNS, (unsigned long long)(sum_empty / SINGLE_RUNS));
	v = memlock_of(big.fds.flows) / (double)BIG;
	printf("\n%-48s %10s\n", "USERSPACE", "");
	printf("%-48s %10.3f s\n", "read 100K flows (batch lookups)", t100k);
	printf("%-48s %10.3f s\n", "read 1M flows (batch lookups)", t1m);
	printf("%-48s %10zu B\n", "flow record (map value)", sizeof(struct flow));
	printf("%-48s %10.0f B\n", "map memory per IPv4 flow slot (memlock/entries)", v);

	j = fopen(out, "w");
	if (!j)
		return 1;
	fprintf(j, "{\"prog\":[");
	for (i = 0; i < nrows; i++)
		fprintf(j, "%s{\"name\":\"%s\",\"ns\":%u,\"x_floor\":%.3f,\"x_ref\":%.3f}",
			i ? "," : "", rows[i].name, rows[i].ns, (double)rows[i].ns / rows[i].floor,
			(double)rows[i].ns / rows[i].ref);
	fprintf(j, "],\"targets\":{\"est4_x_ref\":%.3f,\"est4_x_floor\":%.3f,"
		   "\"1m_x_1k\":%.3f},", (double)c_est4 / c_ref, (double)c_est4 / c_empty,
		(double)c_1m / c_1k);
	fprintf(j, "\"userspace\":{\"read_100k_s\":%.4f,\"read_1m_s\":%.4f,\"value_bytes\":%zu,"
		   "\"map_bytes_per_flow\":%.0f}}\n", t100k, t1m, sizeof(struct flow), v);
	fclose(j);
	ld_destroy(&big);
	ld_destroy(&dflt);
	bench_bpf__destroy(b);
	return 0;
}

/* cmd_populate - N established flows into IFACE's pinned maps. */
static int cmd_populate(const char *dir, __u32 n)
{
	char path[512];
	struct flow tmpl = {};
	int fd, err;

	snprintf(path, sizeof(path), "%s/flows", dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-fd));
		return 1;
	}
	tmpl.ctl = CT_STATE_ESTABLISHED | CT_CTL_ISN_ORIG | CT_CTL_ISN_RESP |
		   CT_CTL_ESTABLISHED_ONCE | CT_CTL_REPLIED;
	tmpl.history = ct_hist_append(ct_hist_append(ct_hist_append(0, 1), 11), 3);
	tmpl.dir[0].pkts = tmpl.dir[1].pkts = 3;
	tmpl.dir[0].first_ns = tmpl.dir[0].last_ns = tmpl.dir[1].first_ns =
		tmpl.dir[1].last_ns = mono_ns();
	tmpl.expires_ns = mono_ns() + 3600 * NSEC_PER_SEC;
	tmpl.wscale[0] = tmpl.wscale[1] = CT_WSCALE_NONE;
	err = fill(fd, 0, n, &tmpl);
	close(fd);
	if (err)
		fprintf(stderr, "bench: filling %s failed: %s\n", path, strerror(-err));
	return err ? 1 : 0;
}

/* cmd_flow - the wire test's flow, established in IFACE's pinned map, so
 * its ACKs take the fast path from the first. */
static int cmd_flow(char **a)
{
	char path[512];
	struct flow f = {};
	struct flow_key4 k = {};
	__u32 src = inet_addr(a[1]), dst = inet_addr(a[2]);
	__u16 sp = (__u16)atoi(a[3]), dp = (__u16)atoi(a[4]);
	__u32 seq = (__u32)strtoul(a[5], NULL, 10), ack = (__u32)strtoul(a[6], NULL, 10);
	int fd, side = ntohl(src) > ntohl(dst);

	snprintf(path, sizeof(path), "%s/flows", a[0]);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-fd));
		return 1;
	}
	k.addr[side] = src;
	k.addr[!side] = dst;
	k.port[side] = htons(sp);
	k.port[!side] = htons(dp);
	f.ctl = CT_STATE_ESTABLISHED | (side ? CT_CTL_ORIG_SIDE : 0) | CT_CTL_ISN_ORIG |
		CT_CTL_ISN_RESP | CT_CTL_ESTABLISHED_ONCE | CT_CTL_REPLIED |
		ct_hist_bit(CT_HIST_SYN, 0) | ct_hist_bit(CT_HIST_SYN, 1) |
		ct_hist_bit(CT_HIST_ACK, 0) | ct_hist_bit(CT_HIST_ACK, 1);
	f.history = ct_hist_append(ct_hist_append(ct_hist_append(0, 1), 11), 3);
	f.flags[0] = f.flags[1] = TCP_FL_SYN | TCP_FL_ACK;
	f.dir[0].isn = seq - 1;
	f.dir[0].end = seq;
	f.dir[0].ack = ack;
	f.dir[1].isn = ack - 1;
	f.dir[1].end = ack;
	f.dir[1].ack = seq;
	f.dir[0].pkts = f.dir[1].pkts = 2;
	f.dir[0].first_ns = f.dir[0].last_ns = f.dir[1].first_ns = f.dir[1].last_ns = mono_ns();
	f.expires_ns = mono_ns() + 3600 * NSEC_PER_SEC;
	f.wscale[0] = f.wscale[1] = CT_WSCALE_NONE;
	if (bpf_map_update_elem(fd, &k, &f, BPF_ANY)) {
		fprintf(stderr, "bench: writing the flow failed: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}

/* cmd_pcap - FLOWS connections of 10 packets each (handshake, 2 requests
 * and answers, close), interleaved 64 at a time, as a pcap. */
static int cmd_pcap(const char *file, __u32 flows)
{
	FILE *f = fopen(file, "wb");
	__u32 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };
	__u8 buf[256];
	__u64 t = 1764115200ull * 1000000, n = 0;
	__u32 base, i, step;

	if (!f)
		return 1;
	fwrite(hdr, sizeof(hdr), 1, f);
	for (base = 0; base < flows; base += 64) {
		for (step = 0; step < 10; step++) {
			for (i = base; i < base + 64 && i < flows; i++) {
				struct pkt_spec s;
				__u32 c = htonl(0xc6120000u | (i >> 12)), v = htonl(0xc6130000u | 80);
				__u32 x = i * 7919u, y = i * 104729u, rec[4];
				bool from_c = step == 0 || step == 2 || step == 3 || step == 5 ||
					      step == 7 || step == 9;
				int len;

				spec4(&s, from_c ? c : v, from_c ? v : c,
				      from_c ? (__u16)(1024 + (i & 0xfff)) : 80,
				      from_c ? 80 : (__u16)(1024 + (i & 0xfff)));
				switch (step) {
				case 0: s.flags = PKT_TCP_SYN; s.seq = x; break;
				case 1: s.flags = PKT_TCP_SYN | PKT_TCP_ACK; s.seq = y; s.ack = x + 1; break;
				case 2: s.flags = PKT_TCP_ACK; s.seq = x + 1; s.ack = y + 1; break;
				case 3: s.flags = PKT_TCP_ACK | PKT_TCP_PSH; s.seq = x + 1; s.ack = y + 1;
					s.payload_len = 100; break;
				case 4: s.flags = PKT_TCP_ACK | PKT_TCP_PSH; s.seq = y + 1; s.ack = x + 101;
					s.payload_len = 200; break;
				case 5: s.flags = PKT_TCP_ACK | PKT_TCP_PSH; s.seq = x + 101; s.ack = y + 201;
					s.payload_len = 100; break;
				case 6: s.flags = PKT_TCP_ACK | PKT_TCP_PSH; s.seq = y + 201; s.ack = x + 201;
					s.payload_len = 200; break;
				case 7: s.flags = PKT_TCP_ACK | PKT_TCP_FIN; s.seq = x + 201; s.ack = y + 401; break;
				case 8: s.flags = PKT_TCP_ACK | PKT_TCP_FIN; s.seq = y + 401; s.ack = x + 202; break;
				default: s.flags = PKT_TCP_ACK; s.seq = x + 202; s.ack = y + 402; break;
				}
				len = pkt_build(&s, buf, sizeof(buf));
				t += 10;
				rec[0] = (__u32)(t / 1000000);
				rec[1] = (__u32)(t % 1000000);
				rec[2] = rec[3] = (__u32)len;
				fwrite(rec, sizeof(rec), 1, f);
				fwrite(buf, (size_t)len, 1, f);
				n++;
			}
		}
	}
	fclose(f);
	printf("%llu packets, %u flows in %s\n", (unsigned long long)n, flows, file);
	return 0;
}

/*
 * cmd_xdp_attach - attach one of bench.bpf.c's programs to IFACE in native
 * mode by netlink; it stays after this process exits ('ip link set dev IFACE
 * xdpdrv off' removes it).
 */
static int cmd_xdp_attach(const char *ifname, const char *prog)
{
	struct bench_bpf *b = bench_bpf__open_and_load();
	struct bpf_program *p;
	int ifindex = (int)if_nametoindex(ifname), err;

	if (!b || !ifindex) {
		fprintf(stderr, "bench: %s: %s\n", b ? ifname : "bench.bpf.o", strerror(errno));
		return 1;
	}
	p = bpf_object__find_program_by_name(b->obj, prog);
	if (!p) {
		fprintf(stderr, "bench: no program %s\n", prog);
		return 1;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(p), XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		fprintf(stderr, "bench: attaching %s to %s: %s\n", prog, ifname, strerror(-err));
	bench_bpf__destroy(b);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "xdp-attach"))
		return cmd_xdp_attach(argv[2], argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "prog"))
		return cmd_prog(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "populate"))
		return cmd_populate(argv[2], (__u32)strtoul(argv[3], NULL, 10));
	if (argc >= 9 && !strcmp(argv[1], "flow"))
		return cmd_flow(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "pcap"))
		return cmd_pcap(argv[2], (__u32)strtoul(argv[3], NULL, 10));
	fprintf(stderr, "usage: bench prog OUT.json | populate PIN_DIR N | "
			"flow PIN_DIR SRC DST SPORT DPORT SEQ ACK | pcap FILE FLOWS\n");
	return 2;
}

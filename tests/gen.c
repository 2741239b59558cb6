// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * gen.c - a bounded TCP frame generator for xdpct's veth labs and benchmark.
 *
 *   gen syn   IFACE DST_MAC DST_IP DPORT COUNT [RATE] [SRC_NET/PREFIX]
 *       COUNT SYNs (RATE per second, 0 = as fast as possible), each from a
 *       random source address in SRC_NET (default 198.19.0.0/16, inside the
 *       benchmarking range 198.18.0.0/15) and a random port: a spoofed flood.
 *   gen forge IFACE DST_MAC DST_IP DPORT COUNT [RATE] [SRC_NET/PREFIX]
 *       COUNT forged handshakes, 3 frames each, all sent towards DST_IP's
 *       interface: a SYN from a random source, a SYN-ACK "from" DST_IP:DPORT
 *       back to it, and the ACK. One host forging both sides.
 *   gen ackflood IFACE DST_MAC DST_IP DPORT COUNT [RATE] [SRC_NET/PREFIX]
 *       COUNT ACKs, each from a fresh random source and port with random
 *       seq and ack: a spoofed ACK flood (no handshake anywhere).
 *   gen ack   IFACE DST_MAC SRC_IP DST_IP SPORT DPORT COUNT [RATE] [NFLOWS]
 *       COUNT identical ACK segments of one flow (64-byte frames): per-packet
 *       cost on the wire; with NFLOWS, round robin over that many flows
 *       (source ports SPORT..SPORT+NFLOWS-1).
 *
 * Frames go out through AF_PACKET with sendmmsg in batches. Every run is
 * bounded by COUNT and by a 120 s limit. Prints "sent N in S s" on success.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME 64
#define TIME_LIMIT_NS (120ull * 1000000000ull)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static uint16_t csum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;

	/* word by word through memcpy: reading the headers' fields through a
	 * uint16_t pointer breaks strict aliasing, and gcc -O2 then summed
	 * the TCP header before its seq/ack stores (wrong checksums) */
	for (; n > 1; n -= 2, b += 2) {
		uint16_t v;

		memcpy(&v, b, 2);
		sum += v;
	}
	if (n)
		sum += *b;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0], &mac[1], &mac[2], &mac[3],
		      &mac[4], &mac[5]) == 6 ? 0 : -1;
}

/* build - an Ethernet/IPv4/TCP frame of FRAME bytes (padding after TCP). */
static void build(uint8_t *f, const uint8_t *dmac, const uint8_t *smac, uint32_t saddr,
		  uint32_t daddr, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
		  uint8_t flags)
{
	struct ether_header *eth = (void *)f;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th = (void *)(ip + 1);
	struct {
		uint32_t s, d;
		uint8_t z, p;
		uint16_t len;
	} ph;

	memset(f, 0, FRAME);
	memcpy(eth->ether_dhost, dmac, 6);
	memcpy(eth->ether_shost, smac, 6);
	eth->ether_type = htons(ETHERTYPE_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*th));
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->check = csum(ip, sizeof(*ip), 0);
	th->source = htons(sport);
	th->dest = htons(dport);
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = 5;
	((uint8_t *)th)[13] = flags;
	th->window = htons(64240);
	ph.s = saddr;
	ph.d = daddr;
	ph.z = 0;
	ph.p = IPPROTO_TCP;
	ph.len = htons(sizeof(*th));
	th->check = csum(th, sizeof(*th), (uint32_t)(uint16_t)~csum(&ph, sizeof(ph), 0));
}

static int usage(void)
{
	fprintf(stderr, "usage: gen syn|forge|ackflood IFACE DST_MAC DST_IP DPORT COUNT [RATE] "
			"[SRC_NET/PREFIX]\n"
			"       gen ack IFACE DST_MAC SRC_IP DST_IP SPORT DPORT COUNT [RATE] [NFLOWS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint8_t frames[BATCH][FRAME], dmac[6], smac[6];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = {};
	struct ifreq ifr = {};
	uint64_t count, sent = 0, rate = 0, t0, t;
	uint32_t saddr = 0, daddr, net = 0, mask = 0;
	uint16_t sport = 0, dport;
	uint32_t fsrc = 0, fx = 0, fy = 0;
	uint16_t fport = 0;
	int fd, i, syn, forge, ackflood, nflows = 1;

	if (argc < 2)
		return usage();
	forge = !strcmp(argv[1], "forge");
	ackflood = !strcmp(argv[1], "ackflood");
	syn = forge || ackflood || !strcmp(argv[1], "syn");
	if ((syn && argc < 7) || (!syn && (strcmp(argv[1], "ack") || argc < 9)))
		return usage();
	if (parse_mac(argv[3], dmac))
		return usage();
	if (syn) {
		char netbuf[64], *slash;
		int prefix = 16;

		daddr = inet_addr(argv[4]);
		dport = (uint16_t)atoi(argv[5]);
		count = strtoull(argv[6], NULL, 10);
		if (argc > 7)
			rate = strtoull(argv[7], NULL, 10);
		if (forge)	/* three frames a handshake; RATE is frames/s */
			count *= 3;
		snprintf(netbuf, sizeof(netbuf), "%s", argc > 8 ? argv[8] : "198.19.0.0/16");
		slash = strchr(netbuf, '/');
		if (slash) {
			*slash = 0;
			prefix = atoi(slash + 1);
		}
		if (prefix < 8 || prefix > 32)
			return usage();
		mask = prefix == 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
		net = ntohl(inet_addr(netbuf)) & mask;
	} else {
		saddr = inet_addr(argv[4]);
		daddr = inet_addr(argv[5]);
		sport = (uint16_t)atoi(argv[6]);
		dport = (uint16_t)atoi(argv[7]);
		count = strtoull(argv[8], NULL, 10);
		if (argc > 9)
			rate = strtoull(argv[9], NULL, 10);
		if (argc > 10)
			nflows = atoi(argv[10]);
		if (nflows < 1 || nflows > BATCH)
			return usage();
	}

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("gen: socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "gen: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(argv[2]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = frames[i];
		iov[i].iov_len = FRAME;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
		if (!syn)
			build(frames[i], dmac, smac, saddr, daddr, (uint16_t)(sport + i % nflows),
			      dport, 1000, 2000, 0x10);
	}
	t0 = now_ns();
	while (sent < count) {
		int n = count - sent < BATCH ? (int)(count - sent) : BATCH, k, done = 0;

		if (syn && !forge)
			for (i = 0; i < n; i++)
				build(frames[i], dmac, smac, htonl(net | (rnd() & ~mask)), daddr,
				      (uint16_t)(1024 + rnd() % 64000), dport, rnd(),
				      ackflood ? rnd() : 0, ackflood ? 0x10 : 0x02);
		for (i = 0; forge && i < n; i++) {
			switch ((sent + i) % 3) {
			case 0:
				fsrc = htonl(net | (rnd() & ~mask));
				fport = (uint16_t)(1024 + rnd() % 64000);
				fx = rnd();
				fy = rnd();
				build(frames[i], dmac, smac, fsrc, daddr, fport, dport, fx, 0, 0x02);
				break;
			case 1:
				build(frames[i], dmac, smac, daddr, fsrc, dport, fport, fy, fx + 1, 0x12);
				break;
			default:
				build(frames[i], dmac, smac, fsrc, daddr, fport, dport, fx + 1, fy + 1,
				      0x10);
			}
		}
		while (done < n) {
			k = sendmmsg(fd, msgs + done, n - done, 0);
			if (k < 0) {
				if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
					continue;
				perror("gen: sendmmsg");
				return 1;
			}
			done += k;
		}
		sent += n;
		t = now_ns();
		if (t - t0 > TIME_LIMIT_NS) {
			fprintf(stderr, "gen: time limit reached after %llu frames\n",
				(unsigned long long)sent);
			return 1;
		}
		if (rate) {
			uint64_t due = t0 + sent * 1000000000ull / rate;

			while ((t = now_ns()) < due) {
				struct timespec ts = { 0, (long)(due - t) };

				if (due - t > 200000)
					nanosleep(&ts, NULL);
			}
		}
	}
	printf("sent %llu in %.3f s\n", (unsigned long long)sent, (now_ns() - t0) / 1e9);
	return 0;
}

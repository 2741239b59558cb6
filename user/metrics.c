// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Copyright (c) 2026 The xdpct authors */
/*
 * metrics.c - the metrics verb (HTTP with libmicrohttpd, or a textfile for
 * node_exporter's textfile collector), run --metrics and stats
 * --prometheus. Everything is read from the maps (the pins, or run's own)
 * at scrape time; anomaly counts and the RTT histogram come from a flow
 * tracker per interface that this process keeps between scrapes.
 */
#include <argp.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <microhttpd.h>
#include <bpf/bpf.h>

#include "cli.h"
#include "flowtrack.h"
#include "ipfix.h"
#include "metrics.h"
#include "prom.h"
#include "util.h"

#define METRICS_MAX_IFACES	64
#define METRICS_REQ_BYTES	(16 * 1024)	/* a request's headers must fit */
#define METRICS_CONNECTIONS	16
#define METRICS_TIMEOUT_S	10

struct metrics_src {
	char name[IF_NAMESIZE];
	struct flow_tracker ft;
};

struct metrics_srv {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;		/* one scrape at a time */
	const struct xdpct_fds *fds;	/* run's own maps, or NULL: the pins */
	char names[METRICS_MAX_IFACES][IF_NAMESIZE];
	int nnames;			/* 0: every attached interface */
	struct metrics_src src[METRICS_MAX_IFACES];
	int nsrc;
};

static struct metrics_src *metrics_src(struct metrics_srv *m, const char *name)
{
	int i;

	for (i = 0; i < m->nsrc; i++)
		if (!strcmp(m->src[i].name, name))
			return &m->src[i];
	if (m->nsrc == METRICS_MAX_IFACES)
		return NULL;
	snprintf(m->src[m->nsrc].name, IF_NAMESIZE, "%s", name);
	ft_init(&m->src[m->nsrc].ft, NULL, NULL, 0, 0);
	return &m->src[m->nsrc++];
}

/*
 * metrics_same_build - the pins hold records of this build's size. Pins of
 * another xdpct version (its lab, its container) would have the kernel
 * write bigger records than the walk's buffers hold.
 */
static bool metrics_same_build(const char *name, const struct xdpct_fds *fds)
{
	const int fd[] = { fds->flows, fds->flows6, fds->halfopen, fds->halfopen6 };
	/* the SYN cache's values are buckets of records */
	const size_t want[] = { sizeof(struct flow), sizeof(struct flow), sizeof(struct hc_bucket4),
				sizeof(struct hc_bucket6) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fd); i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (fd[i] < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd[i], &info, &len) ||
		    info.value_size != want[i]) {
			pr_debug("%s: pins of another xdpct build (record %u bytes, not %zu); "
				 "left out", name, info.value_size, want[i]);
			return false;
		}
	}
	return true;
}

/* metrics_read_one - one interface's figures; its tracker looks first. */
static int metrics_read_one(struct metrics_srv *m, const char *name,
			    const struct xdpct_fds *fds, struct prom_iface *pi)
{
	struct metrics_src *s;

	if (!metrics_same_build(name, fds))
		return -EPROTO;
	s = metrics_src(m, name);
	if (s && ft_poll(&s->ft, fds, mono_ns()))
		pr_warn("%s: reading the flows for the tallies failed", name);
	return prom_read(pi, name, fds, s ? &s->ft.tally : NULL);
}

/* metrics_render - the exposition into a malloc'd buffer. 0 or -errno. */
static int metrics_render(struct metrics_srv *m, char **buf, size_t *len)
{
	char names[METRICS_MAX_IFACES][IF_NAMESIZE];
	struct prom_iface *pi;
	int i, n;
	FILE *f;

	if (m->nnames) {
		n = m->nnames;
		memcpy(names, m->names, sizeof(names));
	} else {
		n = ld_list_ifaces(names, METRICS_MAX_IFACES);
		if (n < 0)
			n = 0;
	}
	pi = calloc((size_t)(n ? n : 1), sizeof(*pi));
	if (!pi)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct xdpct_fds fds;

		if (m->fds) {
			metrics_read_one(m, names[i], m->fds, &pi[i]);
			continue;
		}
		/* an interface not attached (now) is left out */
		if (ld_open_pinned(names[i], &fds, NULL))
			continue;
		metrics_read_one(m, names[i], &fds, &pi[i]);
		fds_close(&fds);
	}
	f = open_memstream(buf, len);
	if (!f) {
		free(pi);
		return -errno;
	}
	prom_write(f, pi, n);
	fclose(f);
	free(pi);
	return 0;
}

static enum MHD_Result metrics_reply(struct MHD_Connection *c, unsigned int status,
				     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8"
						      : "text/plain; charset=utf-8");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result metrics_handler(void *cls, struct MHD_Connection *c, const char *url,
				       const char *method, const char *version,
				       const char *upload, size_t *upload_size, void **state)
{
	static char not_found[] = "not found: xdpct serves GET /metrics\n";
	static char failed[] = "reading the maps failed\n";
	struct metrics_srv *m = cls;
	char *body = NULL;
	size_t len = 0;
	int err;

	(void)version;
	(void)upload;
	/* the first call sees the headers only */
	if (!*state) {
		*state = m;
		return MHD_YES;
	}
	/* a body is read and dropped (the timeout bounds it), then 404 */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) || strcmp(url, "/metrics"))
		return metrics_reply(c, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1,
				     MHD_RESPMEM_PERSISTENT);
	pthread_mutex_lock(&m->lock);
	err = metrics_render(m, &body, &len);
	pthread_mutex_unlock(&m->lock);
	if (err)
		return metrics_reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, failed, sizeof(failed) - 1,
				     MHD_RESPMEM_PERSISTENT);
	return metrics_reply(c, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE);
}

/* metrics_listen - a listening socket on ADDR:PORT, so a bind error is exact. */
static int metrics_listen(const char *arg)
{
	char host[256], port[16];
	struct sockaddr_storage ss = {};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd, one = 1, err;

	if (ipfix_parse_target(arg, host, sizeof(host), port, sizeof(port)))
		return -EINVAL;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		sl = sizeof(*s6);
	} else {
		err_why("'%s' is not an IPv4 or IPv6 address to listen on", host);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64)) {
		err = -errno;
		err_why("cannot listen on %s: %s", arg, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

int metrics_serve(struct metrics_srv **out, const char *listen, const char *const *names,
		  int n, const struct xdpct_fds *fds)
{
	struct metrics_srv *m;
	int fd, i;

	fd = metrics_listen(listen);
	if (fd < 0)
		return fd;
	m = calloc(1, sizeof(*m));
	if (!m) {
		close(fd);
		return -ENOMEM;
	}
	pthread_mutex_init(&m->lock, NULL);
	m->fds = fds;
	for (i = 0; i < n && i < METRICS_MAX_IFACES; i++)
		snprintf(m->names[i], IF_NAMESIZE, "%s", names[i]);
	m->nnames = i;
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
				metrics_handler, m,
				MHD_OPTION_LISTEN_SOCKET, fd,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_REQ_BYTES,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONNECTIONS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
				MHD_OPTION_END);
	if (!m->d) {
		err_why("cannot serve HTTP on %s", listen);
		close(fd);
		free(m);
		return -EIO;
	}
	*out = m;
	return 0;
}

void metrics_stop(struct metrics_srv *m)
{
	int i;

	if (!m)
		return;
	MHD_stop_daemon(m->d);
	for (i = 0; i < m->nsrc; i++)
		ft_free(&m->src[i].ft);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int metrics_stats(const char *ifname)
{
	struct metrics_srv m = { .nnames = 0 };
	char *body = NULL;
	size_t len = 0;
	int err, i;
	char names[METRICS_MAX_IFACES][IF_NAMESIZE];
	struct xdpct_fds fds;

	/* what stats says when there is nothing to read: the same here */
	err = cli_iface_list(ifname, names, METRICS_MAX_IFACES);
	if (err < 0)
		return EXIT_RUNTIME;
	for (i = 0; i < err; i++) {
		if (cli_open_iface(names[i], &fds, NULL))
			return EXIT_RUNTIME;
		fds_close(&fds);
	}
	pthread_mutex_init(&m.lock, NULL);
	memcpy(m.names, names, sizeof(names));
	m.nnames = err;
	err = metrics_render(&m, &body, &len);
	for (i = 0; i < m.nsrc; i++)
		ft_free(&m.src[i].ft);
	if (err) {
		pr_err("writing the metrics failed: %s", strerror(-err));
		return EXIT_RUNTIME;
	}
	fwrite(body, 1, len, stdout);
	free(body);
	return ferror(stdout) ? EXIT_RUNTIME : EXIT_OK;
}

/* ---- the metrics verb -------------------------------------------------- */

/* metrics_textfile - PATH rewritten whole: a temp file beside it, renamed
 * over it, so the collector never reads half a file. 0 or -errno. */
static int metrics_textfile(struct metrics_srv *m, const char *path)
{
	char tmp[PATH_MAX], *body = NULL;
	size_t len = 0;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	err = metrics_render(m, &body, &len);
	if (err)
		return err;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		free(body);
		return err;
	}
	fchmod(fd, 0644);
	if (write(fd, body, len) != (ssize_t)len || fsync(fd))
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	free(body);
	return err;
}

struct metrics_args {
	struct cli_common common;	/* --verbose */
	const char *names[METRICS_MAX_IFACES];
	int n;
	const char *listen, *textfile;
	__u64 interval_s;
};

static error_t metrics_parse(int key, char *arg, struct argp_state *state)
{
	struct metrics_args *a = state->input;
	char host[256], port[16];

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->common;
		return 0;
	case ARGP_KEY_ARG:
		if (a->n == METRICS_MAX_IFACES)
			argp_error(state, "at most %d interfaces", METRICS_MAX_IFACES);
		if (!ifname_valid(arg))
			argp_error(state, "'%s' is not a valid interface name", arg);
		a->names[a->n++] = arg;
		return 0;
	case ARGP_KEY_END:
		if (!a->listen == !a->textfile)
			argp_error(state, "one of --listen ADDR:PORT or --textfile PATH");
		return 0;
	case OPT_LISTEN:
		if (ipfix_parse_target(arg, host, sizeof(host), port, sizeof(port)))
			argp_error(state, "--listen wants ADDR:PORT (e.g. 127.0.0.1:9477), not '%s'",
				   arg);
		a->listen = arg;
		return 0;
	case OPT_TEXTFILE:
		a->textfile = arg;
		return 0;
	case OPT_INTERVAL:
		if (parse_duration_s(arg, &a->interval_s) || a->interval_s < 1 ||
		    a->interval_s > 86400)
			argp_error(state, "--interval must be from 1 to 86400 seconds (e.g. 15, "
				   "30s, 1m), not '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static void metrics_sleep(__u64 s)
{
	__u64 end = mono_ns() + s * NSEC_PER_SEC;

	while (!stop_requested && mono_ns() < end)
		usleep(100000);
}

int cmd_metrics(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "listen", OPT_LISTEN, "ADDR:PORT", 0, "serve GET /metrics over HTTP", 0 },
		{ "textfile", OPT_TEXTFILE, "PATH", 0, "rewrite PATH (atomically) every "
		  "interval instead, for node_exporter's textfile collector", 0 },
		{ "interval", OPT_INTERVAL, "DURATION", 0, "with --textfile: how often "
		  "(default 15s)", 0 },
		{ 0 },
	};
	const struct argp_child children[] = { { cli_common_argp(NULL), 0, NULL, 0 }, { 0 } };
	static const char doc[] =
		"Prometheus metrics of the interfaces xdpct is attached to, from the pinned\n"
		"maps, until SIGINT or SIGTERM.\n\n"
		"USAGE: xdpct metrics [IFACE...] --listen ADDR:PORT\n"
		"       xdpct metrics [IFACE...] --textfile PATH [--interval DURATION]\n\n"
		"Without IFACE, every attached interface (looked up at each scrape). Only\n"
		"GET /metrics is served (anything else: 404).\n\n"
		"EXAMPLES:\n"
		"  xdpct metrics --listen 127.0.0.1:9477\n"
		"  xdpct metrics eth0 --textfile /var/lib/prometheus/node-exporter/xdpct.prom\n"
		"\vExit status: 0 stopped by a signal, 1 runtime error, 2 usage error.";
	struct argp argp = { opts, metrics_parse, "[IFACE...]", doc, children, NULL, NULL };
	struct metrics_args a = { .interval_s = 15 };
	struct metrics_srv *m;
	int err, rc = EXIT_OK;

	argp_parse(&argp, argc, argv, 0, NULL, &a);
	install_stop_handlers();
	if (a.listen) {
		err = metrics_serve(&m, a.listen, a.names, a.n, NULL);
		if (err) {
			err_report(err, "serving on %s failed", a.listen);
			return EXIT_RUNTIME;
		}
		pr_info("serving http://%s/metrics; Ctrl-C stops", a.listen);
		while (!stop_requested)
			usleep(200000);
		metrics_stop(m);
		return EXIT_OK;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return EXIT_RUNTIME;
	pthread_mutex_init(&m->lock, NULL);
	for (; m->nnames < a.n; m->nnames++)
		snprintf(m->names[m->nnames], IF_NAMESIZE, "%s", a.names[m->nnames]);
	while (!stop_requested) {
		err = metrics_textfile(m, a.textfile);
		if (err) {
			pr_err("%s: %s", a.textfile, strerror(-err));
			rc = EXIT_RUNTIME;
			break;
		}
		metrics_sleep(a.interval_s);
	}
	m->d = NULL;
	for (err = 0; err < m->nsrc; err++)
		ft_free(&m->src[err].ft);
	free(m);
	return rc;
}

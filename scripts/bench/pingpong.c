/* pingpong: many small-message request/response connections over loopback
 * (TCP_NODELAY on both ends), to offer as many per-segment events as the
 * machine allows.
 *
 *   pingpong [-p PORT] [-n CONNS] [-P CLIENT_PROCS] [-t SECS] [-W WARMUP] [-s MSG_BYTES] [-A NADDRS]
 *
 * A forked epoll echo server; CLIENT_PROCS forked clients share CONNS
 * connections; each connection keeps one message in flight. Round trips are
 * counted over [WARMUP, WARMUP+SECS]. Prints one JSON line: conns, secs,
 * round_trips, rtps (round trips/s), cpu_s (all processes, whole run).
 */
#include "common.h"

static void server(int ls, double t_stop)
{
	int ep = epoll_create1(0);
	set_nonblock(ls);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	struct epoll_event evs[512];
	char buf[4096];
	while (now_s() < t_stop) {
		int n = epoll_wait(ep, evs, 512, 50);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c;
				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					set_nodelay(c);
					struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				}
				continue;
			}
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0) {
				if (write(fd, buf, r) < 0) {
				}
			} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(fd);
			}
		}
	}
	_exit(0);
}

static void client(int conns, int naddrs, int port, size_t msg, double t_warm, double t_end, int out)
{
	int ep = epoll_create1(0);
	char buf[4096];
	memset(buf, 'x', sizeof(buf));
	size_t *got = calloc(conns + 1024, sizeof(size_t));
	int *fds = calloc(conns, sizeof(int));
	for (int i = 0; i < conns; i++) {
		struct sockaddr_in a = loop_addr(i % naddrs, port);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("connect");
		set_nodelay(s);
		set_nonblock(s);
		fds[i] = s;
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	}
	for (int i = 0; i < conns; i++)
		if (write(fds[i], buf, msg) < 0)
			die("write");
	uint64_t rt = 0;
	struct epoll_event evs[512];
	for (;;) {
		int n = epoll_wait(ep, evs, 512, 20);
		double t = now_s();
		if (t >= t_end)
			break;
		int counting = t >= t_warm;
		for (int i = 0; i < n; i++) {
			int k = evs[i].data.u32;
			ssize_t r = read(fds[k], buf, sizeof(buf));
			if (r <= 0)
				continue;
			got[k] += r;
			while (got[k] >= msg) {
				got[k] -= msg;
				rt += counting;
				if (write(fds[k], buf, msg) < 0) {
				}
			}
		}
	}
	if (write(out, &rt, sizeof(rt)) != sizeof(rt))
		die("write");
	_exit(0);
}

int main(int argc, char **argv)
{
	int port = 5003, conns = 64, procs = 1, naddrs = 4, opt;
	double secs = 5, warmup = 0.5;
	size_t msg = 32;
	while ((opt = getopt(argc, argv, "p:n:P:t:W:s:A:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'n': conns = atoi(optarg); break;
		case 'P': procs = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'W': warmup = atof(optarg); break;
		case 's': msg = strtoul(optarg, NULL, 0); break;
		case 'A': naddrs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: pingpong [-p PORT] [-n CONNS] [-P PROCS] [-t SECS] [-W WARMUP] [-s BYTES] [-A NADDRS]\n");
			return 2;
		}
	}
	if (conns < 1 || conns > 60000 || procs < 1 || procs > 64 || msg < 1 || msg > 4096 || secs <= 0)
		return 2;
	alarm((unsigned)(warmup + secs) + 20);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(conns * 2 + 256);
	int ls = listen_any(port, 65535);
	double t0 = now_s(), t_warm = t0 + warmup, t_end = t_warm + secs;
	pid_t srv = fork();
	if (srv == 0)
		server(ls, t_end + 1.0);
	close(ls);
	int pfd[2];
	if (pipe(pfd) < 0)
		die("pipe");
	for (int p = 0; p < procs; p++) {
		int mine = conns / procs + (p < conns % procs);
		if (fork() == 0) {
			close(pfd[0]);
			client(mine, naddrs, port, msg, t_warm, t_end, pfd[1]);
		}
	}
	close(pfd[1]);
	uint64_t tot = 0, r;
	while (read(pfd[0], &r, sizeof(r)) == sizeof(r))
		tot += r;
	kill(srv, SIGTERM);
	while (wait(NULL) > 0)
		;
	printf("{\"conns\":%d,\"procs\":%d,\"msg\":%zu,\"secs\":%.4f,\"round_trips\":%llu,\"rtps\":%.1f,\"cpu_s\":%.4f}\n",
	       conns, procs, msg, secs, (unsigned long long)tot, tot / secs, cpu_s(RUSAGE_CHILDREN));
	return 0;
}

/* bulk: loopback bulk TCP throughput over N concurrent flows.
 *
 *   bulk [-a ADDR] [-p PORT] [-n FLOWS] [-t SECS] [-W WARMUP] [-w WRITE_BYTES] [-c SCPU,RCPU]
 *
 * -c pins the sender to CPU SCPU and the receiver to CPU RCPU: on loopback
 * the throughput depends a lot on whether both ends share a CPU, and pinning
 * removes that source of run-to-run spread.
 * A forked receiver accepts the N connections and reads them through epoll;
 * the sender writes WRITE_BYTES (default 128 KiB) chunks to every writable
 * connection. Bytes and CPU time are counted over [WARMUP, WARMUP+SECS] only.
 * Prints one JSON line: flows, secs, bytes, MBps (10^6 B/s), cpu_s (sender +
 * receiver, user + system, in the window), and cpu_ns_per_kb.
 */
#include "common.h"

#include <sched.h>

struct result { uint64_t bytes; double cpu; double secs; };

static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		die("sched_setaffinity");
}

static void receiver(int ls, int flows, double t_warm, double t_end, int out)
{
	int ep = epoll_create1(0);
	char *buf = malloc(1 << 18);
	for (int i = 0; i < flows; i++) {
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			die("accept");
		set_nonblock(c);
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = c };
		epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
	}
	uint64_t bytes = 0, b0 = 0;
	double c0 = 0, w0 = 0;
	int warm = 0;
	struct epoll_event evs[256];
	for (;;) {
		int n = epoll_wait(ep, evs, 256, 20);
		for (int i = 0; i < n; i++) {
			ssize_t r = read(evs[i].data.fd, buf, 1 << 18);
			if (r > 0)
				bytes += r;
			else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
				epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd, NULL);
			}
		}
		double t = now_s();
		if (!warm && t >= t_warm) {
			warm = 1;
			b0 = bytes;
			c0 = cpu_s(RUSAGE_SELF);
			w0 = t;
		}
		if (t >= t_end) {
			struct result r = { bytes - b0, cpu_s(RUSAGE_SELF) - c0, t - w0 };
			if (write(out, &r, sizeof(r)) != sizeof(r))
				die("write");
			_exit(0);
		}
	}
}

int main(int argc, char **argv)
{
	const char *ip = "127.0.0.1";
	int port = 5001, flows = 1, opt, scpu = -1, rcpu = -1;
	double secs = 5, warmup = 0.5;
	size_t wsz = 128 << 10;
	while ((opt = getopt(argc, argv, "a:p:n:t:W:w:c:")) != -1) {
		switch (opt) {
		case 'a': ip = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': flows = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'W': warmup = atof(optarg); break;
		case 'w': wsz = strtoul(optarg, NULL, 0); break;
		case 'c':
			if (sscanf(optarg, "%d,%d", &scpu, &rcpu) != 2)
				return 2;
			break;
		default:
			fprintf(stderr, "usage: bulk [-a ADDR] [-p PORT] [-n FLOWS] [-t SECS] [-W WARMUP] [-w BYTES] [-c SCPU,RCPU]\n");
			return 2;
		}
	}
	if (flows < 1 || flows > 4096 || secs <= 0)
		return 2;
	alarm((unsigned)(warmup + secs) + 10);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile(flows * 2 + 64);
	int ls = listen_any(port, 4096);
	int pfd[2];
	if (pipe(pfd) < 0)
		die("pipe");
	double t0 = now_s(), t_warm = t0 + warmup, t_end = t_warm + secs;
	pid_t rx = fork();
	if (rx == 0) {
		pin(rcpu);
		close(pfd[0]);
		receiver(ls, flows, t_warm, t_end, pfd[1]);
	}
	pin(scpu);
	close(pfd[1]);
	close(ls);
	struct sockaddr_in a = addr4(ip, port);
	int ep = epoll_create1(0);
	for (int i = 0; i < flows; i++) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
			die("connect");
		set_nonblock(s);
		struct epoll_event ev = { .events = EPOLLOUT, .data.fd = s };
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	}
	char *buf = calloc(1, wsz);
	double c0 = 0;
	int warm = 0, open = flows;
	struct epoll_event evs[256];
	while (open > 0) {
		int n = epoll_wait(ep, evs, 256, 20);
		for (int i = 0; i < n; i++) {
			ssize_t w = write(evs[i].data.fd, buf, wsz);
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd, NULL);
				close(evs[i].data.fd);
				open--;
			}
		}
		double t = now_s();
		if (!warm && t >= t_warm) {
			warm = 1;
			c0 = cpu_s(RUSAGE_SELF);
		}
		if (t >= t_end)
			break;
	}
	double c1 = cpu_s(RUSAGE_SELF);
	struct result r;
	if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
		die("receiver result");
	waitpid(rx, NULL, 0);
	double cpu = (c1 - c0) + r.cpu;
	printf("{\"flows\":%d,\"secs\":%.4f,\"bytes\":%llu,\"MBps\":%.1f,\"cpu_s\":%.4f,\"cpu_ns_per_kb\":%.1f}\n",
	       flows, r.secs, (unsigned long long)r.bytes, r.bytes / r.secs / 1e6, cpu,
	       r.bytes ? cpu * 1e9 / (r.bytes / 1024.0) : 0);
	return 0;
}

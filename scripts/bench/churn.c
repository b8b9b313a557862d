/* churn: many short TCP connections per second over loopback.
 *
 *   churn [-p PORT] [-c CLIENTS] [-t SECS] [-W WARMUP] [-A NADDRS] [-r RATE]
 *
 * A forked epoll server echoes and closes when the client has closed; CLIENTS
 * forked client processes each loop { connect; write 1 byte; read 1 byte;
 * close } (the client closes first, so TIME_WAIT stays on the client side).
 * Destinations rotate over 127.0.0.1 .. 127.0.0.NADDRS so ephemeral ports are
 * not exhausted by TIME_WAIT. -r paces each client to RATE connections/s
 * (used by the start-up benchmark). Connections are counted over
 * [WARMUP, WARMUP+SECS]. Prints one JSON line: conns, secs, cps, errors,
 * cpu_s (all processes, whole run), cpu_us_per_conn.
 */
#include "common.h"

static void server(int ls, double t_stop)
{
	int ep = epoll_create1(0);
	set_nonblock(ls);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls };
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	struct epoll_event evs[256];
	char buf[64];
	while (now_s() < t_stop) {
		int n = epoll_wait(ep, evs, 256, 50);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c;
				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
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
				close(fd); /* closing removes it from the epoll set */
			}
		}
	}
	_exit(0);
}

struct cres { uint64_t conns, errors; };

static void client(int idx, int naddrs, int port, double rate, double t_warm, double t_end, int out)
{
	struct cres r = { 0, 0 };
	char b = 'x';
	double next = now_s();
	for (uint64_t k = 0;; k++) {
		double t = now_s();
		if (t >= t_end)
			break;
		if (rate > 0) {
			if (t < next) {
				usleep((useconds_t)((next - t) * 1e6));
				continue;
			}
			next += 1.0 / rate;
		}
		struct sockaddr_in a = loop_addr((int)((k + idx) % naddrs), port);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0) {
			r.errors++;
			usleep(1000);
			continue;
		}
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 || write(s, &b, 1) != 1 || read(s, &b, 1) != 1) {
			r.errors++;
			close(s);
			usleep(1000);
			continue;
		}
		close(s);
		t = now_s();
		if (t >= t_warm && t < t_end)
			r.conns++;
	}
	if (write(out, &r, sizeof(r)) != sizeof(r))
		die("write");
	_exit(0);
}

int main(int argc, char **argv)
{
	int port = 5002, clients = 2, naddrs = 8, opt;
	double secs = 5, warmup = 0.5, rate = 0;
	while ((opt = getopt(argc, argv, "p:c:t:W:A:r:")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'c': clients = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'W': warmup = atof(optarg); break;
		case 'A': naddrs = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		default:
			fprintf(stderr, "usage: churn [-p PORT] [-c CLIENTS] [-t SECS] [-W WARMUP] [-A NADDRS] [-r RATE]\n");
			return 2;
		}
	}
	if (clients < 1 || clients > 256 || naddrs < 1 || naddrs > 250 || secs <= 0)
		return 2;
	alarm((unsigned)(warmup + secs) + 10);
	signal(SIGPIPE, SIG_IGN);
	int ls = listen_any(port, 4096);
	double t0 = now_s(), t_warm = t0 + warmup, t_end = t_warm + secs;
	pid_t srv = fork();
	if (srv == 0)
		server(ls, t_end + 1.0);
	close(ls);
	int pfd[2];
	if (pipe(pfd) < 0)
		die("pipe");
	for (int i = 0; i < clients; i++) {
		if (fork() == 0) {
			close(pfd[0]);
			client(i, naddrs, port, rate, t_warm, t_end, pfd[1]);
		}
	}
	close(pfd[1]);
	struct cres tot = { 0, 0 }, r;
	while (read(pfd[0], &r, sizeof(r)) == sizeof(r)) {
		tot.conns += r.conns;
		tot.errors += r.errors;
	}
	kill(srv, SIGTERM);
	while (wait(NULL) > 0)
		;
	double cpu = cpu_s(RUSAGE_CHILDREN);
	printf("{\"clients\":%d,\"secs\":%.4f,\"conns\":%llu,\"cps\":%.1f,\"errors\":%llu,\"cpu_s\":%.4f,\"cpu_us_per_conn\":%.2f}\n",
	       clients, secs, (unsigned long long)tot.conns, tot.conns / secs, (unsigned long long)tot.errors, cpu,
	       tot.conns ? cpu * 1e6 / (tot.conns * (warmup + secs) / secs) : 0);
	return 0;
}

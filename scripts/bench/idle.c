/* idle: open N idle loopback TCP connections (2N sockets) and hold them.
 *
 *   idle -n N [-p PORT] [-t HOLD_SECS] [-r READY_FILE]
 *
 * PORT (default 600) .. PORT+workers-1 are the listening ports; below 1024
 * they never collide with the ephemeral range.
 *
 * Run it inside a network namespace whose ip_local_port_range is wide
 * (run.sh sets 1024-65535) and whose somaxconn is raised. One process may
 * hold only RLIMIT_NOFILE descriptors (the hard limit cannot be raised
 * without CAP_SYS_RESOURCE), so the connections are split over worker
 * processes: worker w listens on PORT+w and connects to 127.0.0.(1+w%8), each
 * holding both ends of at most (hard limit - 64) / 2 connections.
 * When every worker has all its connections accepted, idle prints
 * {"n":N,"workers":W,"open_s":...}, writes READY_FILE (if given), and holds
 * the connections until HOLD_SECS pass or SIGTERM.
 */
#include "common.h"

static volatile sig_atomic_t stop;
static void on_sig(int s) { (void)s; stop = 1; }

static int worker(int w, int ls, int n, int port, int out, double hold)
{
	set_nonblock(ls);
	int accepted = 0;
	for (int i = 0; i < n && !stop; i++) {
		struct sockaddr_in a = loop_addr(w % 8, port + w);
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (s < 0)
			die("socket");
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
			fprintf(stderr, "worker %d connect %d: %s\n", w, i, strerror(errno));
			break;
		}
		if ((i & 127) == 127) {
			int c;
			while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0)
				accepted++;
		}
	}
	double t0 = now_s();
	while (accepted < n && !stop && now_s() - t0 < 60) {
		int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
		if (c >= 0)
			accepted++;
		else
			usleep(1000);
	}
	if (write(out, &accepted, sizeof(accepted)) != sizeof(accepted))
		die("write");
	close(out);
	while (!stop && now_s() - t0 < hold + 5)
		usleep(50000);
	return 0;
}

int main(int argc, char **argv)
{
	int n = 10000, port = 600, opt;
	double hold = 120;
	const char *ready = NULL;
	while ((opt = getopt(argc, argv, "n:p:t:r:")) != -1) {
		switch (opt) {
		case 'n': n = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 't': hold = atof(optarg); break;
		case 'r': ready = optarg; break;
		default:
			fprintf(stderr, "usage: idle -n N [-p PORT] [-t HOLD_SECS] [-r READY_FILE]\n");
			return 2;
		}
	}
	if (n < 1 || n > 1000000 || hold <= 0)
		return 2;
	alarm((unsigned)hold + 120);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	int per = (int)((rl.rlim_max > 1000000 ? 1000000 : rl.rlim_max) - 64) / 2;
	if (per > 30000)
		per = 30000; /* ephemeral ports per destination */
	int workers = (n + per - 1) / per;
	int pfd[2];
	if (pipe(pfd) < 0)
		die("pipe");
	double t0 = now_s();
	pid_t *pids = calloc(workers, sizeof(pid_t));
	int *lss = calloc(workers, sizeof(int));
	/* all listeners first: a port above 1024 could otherwise be taken as an ephemeral port */
	for (int w = 0; w < workers; w++)
		lss[w] = listen_any(port + w, 65535);
	for (int w = 0; w < workers; w++) {
		int mine = n / workers + (w < n % workers);
		pids[w] = fork();
		if (pids[w] == 0) {
			close(pfd[0]);
			for (int k = 0; k < workers; k++)
				if (k != w)
					close(lss[k]);
			_exit(worker(w, lss[w], mine, port, pfd[1], hold));
		}
	}
	close(pfd[1]);
	for (int w = 0; w < workers; w++)
		close(lss[w]);
	int total = 0, got;
	for (int w = 0; w < workers; w++) {
		if (read(pfd[0], &got, sizeof(got)) != sizeof(got))
			break;
		total += got;
	}
	double t1 = now_s();
	printf("{\"n\":%d,\"accepted\":%d,\"workers\":%d,\"per_worker_max\":%d,\"open_s\":%.3f}\n", n, total, workers, per, t1 - t0);
	fflush(stdout);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f) {
			fprintf(f, "%d\n", total);
			fclose(f);
		}
	}
	while (!stop && now_s() - t1 < hold)
		usleep(50000);
	for (int w = 0; w < workers; w++)
		kill(pids[w], SIGTERM);
	while (wait(NULL) > 0)
		;
	return total == n ? 0 : 1;
}

/* rusage: run a command and write its resource usage as JSON.
 *
 *   rusage OUTFILE COMMAND [ARG...]
 *
 * SIGINT, SIGTERM and SIGHUP are forwarded to the command. When it ends,
 * OUTFILE gets {"wall_s","utime_s","stime_s","cpu_s","maxrss_kb","exit","signal"}
 * (from wait4: the command and the children it waited for), and rusage exits
 * with the command's status.
 */
#include "common.h"

static pid_t child;
static void fwd(int s) { if (child > 0) kill(child, s); }

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE COMMAND [ARG...]\n");
		return 2;
	}
	double t0 = now_s();
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "rusage: cannot run %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fwd;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	int st;
	struct rusage ru;
	while (wait4(child, &st, 0, &ru) < 0) {
		if (errno != EINTR)
			die("wait4");
	}
	double wall = now_s() - t0;
	double u = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	FILE *f = fopen(argv[1], "w");
	if (f) {
		fprintf(f, "{\"wall_s\":%.4f,\"utime_s\":%.4f,\"stime_s\":%.4f,\"cpu_s\":%.4f,\"maxrss_kb\":%ld,\"exit\":%d,\"signal\":%d}\n",
			wall, u, s, u + s, ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

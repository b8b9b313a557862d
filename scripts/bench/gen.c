/*
 * gen PID RATE SECS [SOCKETS]: offer RATE synthetic ack events per second for
 * SECS seconds to the tcp-estats instance PID, through its own ring buffer.
 * Prints one JSON line: offered, lost at the generator (ring full), seconds.
 *
 * Built by run.sh: clang -O2 -target bpf gen.bpf.c → gen.bpf.o, and
 *   gcc -O2 -Wall -o gen gen.c -lbpf
 * Needs root (pidfd_getfd of another process's fd, BPF_PROG_TEST_RUN).
 */
#include "common.h"
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/syscall.h>

struct gen_args {
	uint32_t count, sockets;
	uint64_t seq, lost;
};

/* the tool's ring: the BPF_MAP_TYPE_RINGBUF map named "events" among its fds */
static int borrow_ring(int pid)
{
	int pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		die("pidfd_open");
	for (int fd = 0; fd < 4096; fd++) {
		int mine = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
		if (mine < 0)
			continue;
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		if (bpf_obj_get_info_by_fd(mine, &info, &len) == 0 && info.type == BPF_MAP_TYPE_RINGBUF &&
		    strcmp(info.name, "events") == 0) {
			close(pidfd);
			return mine;
		}
		close(mine);
	}
	fprintf(stderr, "gen: no ring buffer map named events in process %d\n", pid);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: gen PID RATE SECS [SOCKETS]\n");
		return 2;
	}
	int pid = atoi(argv[1]);
	double rate = atof(argv[2]), secs = atof(argv[3]);
	uint32_t sockets = argc > 4 ? atoi(argv[4]) : 64;
	alarm((unsigned)secs + 10);

	char obj_path[4096];
	snprintf(obj_path, sizeof(obj_path), "%s.bpf.o", argv[0]);
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	if (!obj)
		die("open gen.bpf.o");
	struct bpf_map *m = bpf_object__find_map_by_name(obj, "events");
	if (!m || bpf_map__reuse_fd(m, borrow_ring(pid)))
		die("reuse the tool's ring");
	if (bpf_object__load(obj))
		die("load gen.bpf.o");
	int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "estats_gen"));

	/* offer in 1 ms slices, paced against the clock */
	struct gen_args a = { .sockets = sockets };
	double t0 = now_s(), offered = 0;
	for (;;) {
		double t = now_s() - t0;
		if (t >= secs)
			break;
		double due = rate * t - offered;
		if (due >= 1) {
			a.count = due > 100000 ? 100000 : (uint32_t)due;
			LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));  /* syscall programs write the context back to ctx_in */
			if (bpf_prog_test_run_opts(prog, &o))
				die("BPF_PROG_TEST_RUN");
			offered += a.count;
		}
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	double el = now_s() - t0;
	printf("{\"offered\":%.0f,\"lost_at_generator\":%llu,\"seconds\":%.3f,\"rate\":%.0f}\n", offered,
	       (unsigned long long)a.lost, el, offered / el);
	bpf_object__close(obj);
	return 0;
}

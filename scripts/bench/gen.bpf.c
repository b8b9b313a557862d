// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic event source for the b4 benchmark (scripts/bench/gen.c): a
 * BPF_PROG_TYPE_SYSCALL program, run with BPF_PROG_TEST_RUN, that writes
 * `count` copies of an ack event into a running tcp-estats instance's ring
 * buffer (the map is the tool's own, borrowed with pidfd_getfd). Real
 * traffic cannot offer 500k events/s on a 2-vCPU VM with the tool running;
 * this measures what the user-space side can take. Not part of the tool.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "estats.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* replaced by the tool's ring (bpf_map__reuse_fd) */
} events SEC(".maps");

struct gen_args {
	__u32 count;       /* events to offer in this run */
	__u32 sockets;     /* distinct synthetic sockets (cookies, ports) */
	__u64 seq;         /* running event number, for the cookie spread */
	__u64 lost;        /* out: reservations that failed (ring full) */
};

struct gen_ctx {
	struct gen_args *a;
	__u64 now;
};

static long one(__u64 i, struct gen_ctx *c)
{
	struct gen_args *a = c->a;
	struct estats_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		a->lost++;
		return 0;
	}
	__builtin_memset(e, 0, sizeof(*e));
	__u64 n = a->seq + i;
	__u32 s = a->sockets ? n % a->sockets : 0;
	e->ts_ns = c->now + i;
	e->cookie = 0x7e57000000000000ULL + s;
	e->family = 4;
	e->saddr[0] = 127; e->saddr[3] = 1;
	e->daddr[0] = 127; e->daddr[3] = 1;
	e->sport = 40000 + s;
	e->dport = 5999;
	e->kind = ESTATS_EV_ACK;
	e->state = 1; /* ESTABLISHED */
	e->mss_cache = 1448;
	e->snd_cwnd = 10 + (n & 63);
	e->srtt_us = (100 + (n & 255)) << 3;
	e->segs_out = n;
	e->segs_in = n;
	e->st.start_ns = c->now - 1000000000ULL;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("syscall")
int estats_gen(struct gen_args *a)
{
	struct gen_ctx c = { .a = a, .now = bpf_ktime_get_ns() };
	bpf_loop(a->count, one, &c, 0);
	a->seq += a->count;
	return 0;
}

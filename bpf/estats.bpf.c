// SPDX-License-Identifier: GPL-2.0
/*
 * tcp-estats: the one fixed eBPF program.
 *
 * Floor hooks only (tp_btf, sock_ops on the cgroup-v2 root, iter/tcp, all
 * present on a stock 6.x kernel without kprobes or fentry). Every hook that
 * sees a TCP socket takes a snapshot of its struct tcp_sock fields plus the
 * per-socket state kept in SK_STORAGE, and sends it as one struct
 * estats_event (bpf/estats.h) through one ring buffer. User space turns the
 * raw fields into RFC 4898 variables (src/estats/catalog.ts).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "estats.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define SOL_TCP 6
#define TCP_INFINITE_SSTHRESH 0x7fffffff
#define TCP_ECN_OK 1
#define TCP_ECN_DEMAND_CWR 4
#define TCPHDR_FIN 0x01
#define TCPHDR_SYN 0x02
#define TCPHDR_ACK 0x10
#define TCPHDR_ECE 0x40
/* sk_flags bit private to this program (not an ESTATS_F_* event flag): the
 * current Disorder state was entered from Recovery or Loss */
#define ESTATS_SKF_DISORDER_AFTER_RECOVERY 0x100
#define ESTATS_CB_FLAGS (BPF_SOCK_OPS_RTO_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG | BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG)
/* CFG.light: no header parsing at sock_ops (it feeds only tracked counters) */
#define CB_FLAGS (CFG.light ? (BPF_SOCK_OPS_RTO_CB_FLAG | BPF_SOCK_OPS_RTT_CB_FLAG) : ESTATS_CB_FLAGS)

const volatile struct estats_config CFG = {};
extern unsigned int CONFIG_HZ __kconfig;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct estats_sk);
} sk_state SEC(".maps");

/* tcpEStatsListenerTable counters, keyed by netns + local port */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct estats_listener_key);
	__type(value, struct estats_listener);
} listeners SEC(".maps");

struct tx_state {
	__u32 last_win;
	__u32 zero_rwin_sent;
	__u32 max_rwin_sent;
	__u32 seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct tx_state);
} tx_states SEC(".maps");

static __always_inline void fold_tx(struct sock *sk, struct estats_sk *st, bool last)
{
	/* net_dev_queue not attached: the map stays empty (so also under
	 * CFG.light, as nothing a light query reads needs net_dev_queue) */
	if (CFG.hooks_off & ESTATS_OFF_XMIT)
		return;
	__u64 key = (__u64)sk;
	struct tx_state *tx = bpf_map_lookup_elem(&tx_states, &key);
	if (!tx)
		return;
	st->zero_rwin_sent = tx->zero_rwin_sent;
	if (tx->max_rwin_sent > st->max_rwin_sent)
		st->max_rwin_sent = tx->max_rwin_sent;
	st->last_win_sent = tx->last_win;
	st->seen_win_sent = 1;
	if (last)
		bpf_map_delete_elem(&tx_states, &key);
}

/* [0] events lost (ring buffer full), [1] events sent,
 * [2] incoming segments whose TCP header could not be read (not counted) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &idx);
	if (c)
		*c += 1;
}

static __always_inline bool port_in(__u32 which, __u16 port)
{
	return (CFG.port_map[which + (port >> 3)] >> (port & 7)) & 1;
}

/*
 * Conjuncts of the user's `where` on ports and family, pushed to the kernel.
 * lport: the local port (0 = take it from the socket).
 */
static __always_inline bool wanted_ports(__u16 fam, __u16 lport, __u16 rport)
{
	if (CFG.family == 4 && fam != AF_INET)
		return false;
	if (CFG.family == 6 && fam != AF_INET6)
		return false;
	if (!CFG.filter_flags)
		return true;
	if ((CFG.filter_flags & ESTATS_FILTER_LPORT) && !port_in(ESTATS_PORTS_LOCAL, lport))
		return false;
	if ((CFG.filter_flags & ESTATS_FILTER_RPORT) && !port_in(ESTATS_PORTS_REMOTE, rport))
		return false;
	if ((CFG.filter_flags & ESTATS_FILTER_PORT) && !port_in(ESTATS_PORTS_EITHER, lport) && !port_in(ESTATS_PORTS_EITHER, rport))
		return false;
	return true;
}

static __always_inline bool wanted_port(const struct sock *sk, __u16 lport)
{
	return wanted_ports(sk->__sk_common.skc_family, lport ? lport : sk->__sk_common.skc_num,
			    bpf_ntohs(sk->__sk_common.skc_dport));
}

static __always_inline bool wanted(const struct sock *sk)
{
	return wanted_port(sk, 0);
}

/*
 * 1e9 / CONFIG_HZ, and 1e6 / CONFIG_HZ where that is exact (else ~0): worked
 * out once, as a division on every segment costs ~10 ns (0 = not yet)
 */
__u64 tick_ns_once, tick_us_once;

static __always_inline __u64 tick_ns(void)
{
	__u64 t = tick_ns_once;
	if (!t)
		tick_ns_once = t = 1000000000ULL / CONFIG_HZ;
	return t;
}

static __always_inline __u64 jiffies_to_us(__u64 j)
{
	__u64 t = tick_us_once;
	if (!t)
		tick_us_once = t = 1000000ULL % CONFIG_HZ ? ~0ULL : 1000000ULL / CONFIG_HZ;
	return t != ~0ULL ? j * t : j * 1000000ULL / CONFIG_HZ;
}

static __always_inline struct estats_sk *state_of(struct sock *sk, bool create)
{
	struct estats_sk *st = bpf_sk_storage_get(&sk_state, sk, 0, 0);
	if (st || !create)
		return st;
	st = bpf_sk_storage_get(&sk_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (st && !st->start_ns) {
		st->start_ns = bpf_ktime_get_ns();
		st->start_wall_ns = st->start_ns + CFG.wall_offset_ns;
	}
	return st;
}

static __always_inline __u64 net_cookie_of(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, net_cookie);
}

static __always_inline struct estats_listener *listener_of(__u64 net_cookie, __u16 port)
{
	struct estats_listener_key k = { .net_cookie = net_cookie, .port = port };
	return bpf_map_lookup_elem(&listeners, &k);
}

/* Bumped whenever a socket's known owner changes: see on_app_io. */
__u64 owner_gen;

/* Only from process context (syscall paths): who owns the socket. */
static __always_inline void set_owner(struct estats_sk *st)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	__u32 was = st->owner_pid;
	if (was == tgid)
		return;
	st->owner_pid = tgid;
	st->owner_tid = (__u32)id;
	bpf_get_current_comm(st->owner_comm, sizeof(st->owner_comm));
	if (was)
		__sync_fetch_and_add(&owner_gen, 1); /* a first owner invalidates no entry */
}

/* one RTT sample (µs): SampleRTT and the sums, extremes and post-congestion sample */
static __always_inline void record_rtt_sample(struct estats_sk *st, __u32 m)
{
	st->sample_rtt_us = m;
	st->sum_rtt_us += m;
	st->count_rtt++;
	if (m > st->max_rtt_us)
		st->max_rtt_us = m;
	if (!st->min_rtt_us || m < st->min_rtt_us)
		st->min_rtt_us = m;
	if (st->postcong_armed) {
		st->postcong_sum_rtt_us += m;
		st->postcong_count_rtt++;
		st->postcong_armed = 0;
	}
}

/*
 * sock_ops RTT_CB runs inside tcp_rtt_estimator() after mdev_us was updated
 * and before srtt_us is written (args[1] is the new srtt). A snapshot taken
 * there must not read the mdev change alone as a sample (it would record the
 * old srtt >> 3): the mdev change belongs to the sample being taken, which
 * the next snapshot reads from the srtt change. Only a sample that leaves
 * srtt unchanged (m == srtt >> 3) would show nowhere else: record it here.
 */
static __always_inline void rtt_cb_sync(struct estats_sk *st, struct tcp_sock *tp, __u32 mrtt, __u32 new_srtt)
{
	if (CFG.light)
		return;
	__u32 srtt = tp->srtt_us;
	if (!new_srtt)
		new_srtt = 1;
	if (srtt != st->prev_srtt)
		return; /* an earlier sample is pending: the snapshot reads it from srtt alone */
	st->prev_mdev = tp->mdev_us;
	if (new_srtt == srtt)
		record_rtt_sample(st, mrtt);
}

/* Maxima and minima of sampled gauges (called wherever a snapshot is taken). */
static __always_inline void track_extremes(struct estats_sk *st, struct tcp_sock *tp)
{
	if (CFG.light)
		return;
	/*
	 * A tracepoint run can be skipped without a recursion miss (see
	 * DataSegsInUnseen). A congestion-state change the hook did not report
	 * shows here as a state other than the last one seen: count the entry
	 * it implies (Loss → Loss repeats cannot be seen this way).
	 */
	__u8 ca = BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state);
	if (ca != st->last_ca) {
		if (ca >= TCP_CA_CWR && (st->last_ca < ca || ca == TCP_CA_Loss))
			st->cong_signals++;
		if (ca == TCP_CA_Recovery && st->last_ca < TCP_CA_Recovery)
			st->fast_retran++;
		st->ca_inferred++;
		st->last_ca = ca;
	}

	__u32 mss = tp->mss_cache;
	__u32 cwnd = tp->snd_cwnd * mss;
	__u32 ssth = tp->snd_ssthresh;
	__u32 pipe = (tp->packets_out - tp->sacked_out - tp->lost_out + tp->retrans_out) * mss;
	__u32 retxq = tp->snd_nxt - tp->snd_una;
	__u32 wq = tp->write_seq - tp->snd_nxt;
	__u32 rq = tp->rcv_nxt - tp->copied_seq;

	if (pipe > st->max_pipe)
		st->max_pipe = pipe;
	if (ssth >= TCP_INFINITE_SSTHRESH || tp->snd_cwnd < ssth) {
		if (cwnd > st->max_ss_cwnd)
			st->max_ss_cwnd = cwnd;
	} else if (cwnd > st->max_ca_cwnd) {
		st->max_ca_cwnd = cwnd;
	}
	if (ssth < TCP_INFINITE_SSTHRESH && mss) {
		__u32 o = ssth * mss;
		if (o > st->max_ssthresh)
			st->max_ssthresh = o;
		if (!st->min_ssthresh || o < st->min_ssthresh)
			st->min_ssthresh = o;
	}
	/* MSS extremes once synchronized: before that mss_cache is the 536 default */
	__u8 skst = tp->inet_conn.icsk_inet.sk.__sk_common.skc_state;
	if (mss && skst != TCP_SYN_SENT && skst != TCP_SYN_RECV && skst != TCP_LISTEN && skst != TCP_CLOSE) {
		if (mss > st->max_mss)
			st->max_mss = mss;
		if (!st->min_mss || mss < st->min_mss)
			st->min_mss = mss;
	}
	if (retxq > st->max_retx_queue)
		st->max_retx_queue = retxq;
	/* not in SYN_SENT: at sock_ops TCP_CONNECT_CB write_seq is the ISS while snd_nxt is
	 * still 0 (tcp_connect_init has not run), which read as an ISS-sized queue */
	if (wq > st->max_app_wqueue && skst != TCP_SYN_SENT)
		st->max_app_wqueue = wq;
	if (rq > st->max_app_rqueue)
		st->max_app_rqueue = rq;
	if (tp->rcv_wnd > st->max_rwin_sent)
		st->max_rwin_sent = tp->rcv_wnd;

	/* SndLimTrans*: changes of the kernel's send-limit chronograph seen at snapshots (sampled) */
	__u8 ct = tp->chrono_type;
	__u32 cs = tp->chrono_start;
	if (ct != st->prev_chrono) {
		if (ct == 2)
			st->snd_lim_trans_rwin++;
		else if (ct == 1)
			st->snd_lim_trans_cwnd++;
		else if (st->prev_chrono == 1 || st->prev_chrono == 2)
			st->snd_lim_trans_snd++; /* idle (UNSPEC) or SNDBUF_LIMITED */
		st->prev_chrono = ct;
	} else if (cs != st->prev_chrono_start && st->prev_chrono_start) {
		/*
		 * The same state as at the last snapshot, but the chronograph was
		 * set again (tcp_chrono_set stamps chrono_start at every change):
		 * the socket left this state and came back with no snapshot in
		 * between, e.g. a burst's idle period between two ACKs. Count the
		 * round trip, assuming the likeliest other state: idle between
		 * busy (or window-limited) periods, busy between idle ones.
		 */
		if (ct == 1 || ct == 2) {
			st->snd_lim_trans_snd++;
			if (ct == 2)
				st->snd_lim_trans_rwin++;
			else
				st->snd_lim_trans_cwnd++;
		} else {
			st->snd_lim_trans_cwnd++;
			st->snd_lim_trans_snd++;
		}
	}
	st->prev_chrono_start = cs;

	/* SlowStart / CongAvoid / OtherReductions: cwnd moves between snapshots */
	__u32 cw = tp->snd_cwnd;
	if (st->prev_cwnd && cw != st->prev_cwnd) {
		if (cw > st->prev_cwnd) {
			if (CFG.upgrades & ESTATS_UPG_CWND_GROWTH)
				; /* counted exactly by fentry tcp_slow_start / tcp_cong_avoid_ai */
			else if (st->prev_cwnd < st->prev_ssthresh)
				st->slow_start++;
			else
				st->cong_avoid++;
		} else if (!(CFG.upgrades & ESTATS_UPG_RESTART) && !st->cong_entered &&
			   BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state) == TCP_CA_Open) {
			st->other_reductions++;
		}
	}
	st->prev_cwnd = cw;
	st->prev_ssthresh = tp->snd_ssthresh;
	st->cong_entered = 0;

	/* RTO extremes: once an RTT sample set the RTO, without backoff (as Web10G) */
	if (!tp->inet_conn.icsk_backoff && tp->srtt_us) {
		__u32 rto = jiffies_to_us(tp->inet_conn.icsk_rto);
		if (rto > st->max_rto_us)
			st->max_rto_us = rto;
		if (!st->min_rto_us || rto < st->min_rto_us)
			st->min_rto_us = rto;
	}

	/*
	 * SampleRTT: tcp_rtt_estimator() does srtt += m - (srtt >> 3), so a
	 * change of srtt_us/mdev_us since the last snapshot reveals the raw
	 * sample m exactly (each incoming segment gives at most one sample).
	 */
	__u32 srtt = tp->srtt_us, mdev = tp->mdev_us;
	if (srtt != st->prev_srtt || mdev != st->prev_mdev) {
		/* the kernel floors a sample at 1 µs: m <= 0 means several samples
		 * merged between two snapshots (no hook in between); skip it */
		__s64 m64 = st->prev_srtt ? (__s64)srtt - st->prev_srtt + (st->prev_srtt >> 3) : srtt >> 3;
		if (srtt && m64 > 0 && m64 < 0xffffffffLL)
			record_rtt_sample(st, m64);
		st->prev_srtt = srtt;
		st->prev_mdev = mdev;
	}
}

static __always_inline void fill_identity(struct estats_event *e, struct sock *sk)
{
	struct sock_common *c = &sk->__sk_common;
	__u16 fam = c->skc_family;

	e->sport = c->skc_num;
	e->dport = bpf_ntohs(c->skc_dport);
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	if (fam == AF_INET) {
		e->family = 4;
		__builtin_memcpy(e->saddr, &c->skc_rcv_saddr, 4);
		__builtin_memcpy(e->daddr, &c->skc_daddr, 4);
	} else {
		struct in6_addr s6 = c->skc_v6_rcv_saddr, d6 = c->skc_v6_daddr;
		/* v4-mapped (::ffff:a.b.c.d) is shown as IPv4 */
		if (s6.in6_u.u6_addr32[0] == 0 && s6.in6_u.u6_addr32[1] == 0 &&
		    s6.in6_u.u6_addr32[2] == bpf_htonl(0xffff)) {
			e->family = 4;
			__builtin_memcpy(e->saddr, &s6.in6_u.u6_addr32[3], 4);
			__builtin_memcpy(e->daddr, &d6.in6_u.u6_addr32[3], 4);
		} else {
			e->family = 6;
			__builtin_memcpy(e->saddr, &s6, 16);
			__builtin_memcpy(e->daddr, &d6, 16);
		}
	}
}

/*
 * Per-socket constants: the cgroup, the netns and its sysctls (3 + 5 dependent
 * reads) once per socket, the congestion-control name once per icsk_ca_ops.
 * The sysctls are therefore those in force when the tool first saw the socket.
 */
static __always_inline void fill_constants(struct estats_event *e, struct sock *sk, struct tcp_sock *tp,
					   struct estats_sk *st)
{
	__u64 ops = (__u64)tp->inet_conn.icsk_ca_ops;
	if (st && st->c_netns) {
		e->cgroup_id = st->c_cgroup_id;
		e->netns = st->c_netns;
		e->sysctl_timestamps = st->c_sysctl_timestamps;
		e->sysctl_sack = st->c_sysctl_sack;
		e->sysctl_ecn = st->c_sysctl_ecn;
		e->sysctl_wscale = st->c_sysctl_wscale;
	} else {
		struct net *net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
		e->cgroup_id = BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
		e->netns = BPF_CORE_READ(net, ns.inum);
		e->sysctl_timestamps = BPF_CORE_READ(net, ipv4.sysctl_tcp_timestamps);
		e->sysctl_sack = BPF_CORE_READ(net, ipv4.sysctl_tcp_sack);
		e->sysctl_ecn = BPF_CORE_READ(net, ipv4.sysctl_tcp_ecn);
		e->sysctl_wscale = BPF_CORE_READ(net, ipv4.sysctl_tcp_window_scaling);
		if (st) {
			st->c_cgroup_id = e->cgroup_id;
			st->c_netns = e->netns;
			st->c_sysctl_timestamps = e->sysctl_timestamps;
			st->c_sysctl_sack = e->sysctl_sack;
			st->c_sysctl_ecn = e->sysctl_ecn;
			st->c_sysctl_wscale = e->sysctl_wscale;
		}
	}
	if (st && st->c_ca_ops == ops) {
		__builtin_memcpy(e->cc, st->c_cc, sizeof(e->cc));
	} else {
		__builtin_memset(e->cc, 0, sizeof(e->cc));
		bpf_probe_read_kernel_str(e->cc, sizeof(e->cc), BPF_CORE_READ(&tp->inet_conn, icsk_ca_ops, name));
		if (st) {
			st->c_ca_ops = ops;
			__builtin_memcpy(st->c_cc, e->cc, sizeof(e->cc));
		}
	}
}

static __always_inline void fill_snapshot(struct estats_event *e, struct sock *sk, struct tcp_sock *tp)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	__u32 now_j = (__u32)bpf_jiffies64();

	e->state = sk->__sk_common.skc_state;
	e->castate = BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state);

	e->bytes_sent = tp->bytes_sent;
	e->bytes_retrans = tp->bytes_retrans;
	e->bytes_acked = tp->bytes_acked;
	e->bytes_received = tp->bytes_received;
	e->tcp_mstamp_us = tp->tcp_mstamp;
	e->segs_out = tp->segs_out;
	e->data_segs_out = tp->data_segs_out;
	e->segs_in = tp->segs_in;
	e->data_segs_in = tp->data_segs_in;
	e->total_retrans = tp->total_retrans;
	e->mss_cache = tp->mss_cache;
	e->packets_out = tp->packets_out;
	e->sacked_out = tp->sacked_out;
	e->lost_out = tp->lost_out;
	e->retrans_out = tp->retrans_out;
	e->srtt_us = tp->srtt_us;
	e->mdev_us = tp->mdev_us;
	e->rttvar_us = tp->rttvar_us;
	e->rto_us = jiffies_to_us(icsk->icsk_rto);
	e->snd_cwnd = tp->snd_cwnd;
	e->snd_ssthresh = tp->snd_ssthresh;
	e->rcv_wnd = tp->rcv_wnd;
	e->snd_wnd = tp->snd_wnd;
	e->max_window = tp->max_window;
	e->reordering = tp->reordering;
	e->snd_una = tp->snd_una;
	e->snd_nxt = tp->snd_nxt;
	e->rcv_nxt = tp->rcv_nxt;
	e->write_seq = tp->write_seq;
	e->copied_seq = tp->copied_seq;
	e->dsack_dups = tp->dsack_dups;
	e->rcv_ooopack = tp->rcv_ooopack;
	e->rcv_rtt_us = tp->rcv_rtt_est.rtt_us;
	e->snd_cwnd_clamp = tp->snd_cwnd_clamp;
	e->window_clamp = tp->window_clamp;
	e->rtt_min_us = tp->rtt_min.s[0].v;
	e->delivered = tp->delivered;
	e->delivered_ce = tp->delivered_ce;
	e->ooo_span = 0;
	if (tp->out_of_order_queue.rb_node) {
		struct sk_buff *last = tp->ooo_last_skb;
		struct tcp_skb_cb cb;
		if (last && !bpf_probe_read_kernel(&cb, sizeof(cb), &last->cb))
			e->ooo_span = cb.end_seq - tp->rcv_nxt;
		e->flags |= ESTATS_F_OOO;
	}

	/* send-limit chronographs (jiffies), including the running period */
	__u8 ct = tp->chrono_type;
	__u32 run = now_j - tp->chrono_start;
	__u64 busy = tp->chrono_stat[0], rwnd = tp->chrono_stat[1], sndbuf = tp->chrono_stat[2];
	if (ct == 1)
		busy += run;
	else if (ct == 2)
		rwnd += run;
	else if (ct == 3)
		sndbuf += run;
	e->chrono_type = ct;
	e->busy_us = jiffies_to_us(busy);
	e->rwnd_limited_us = jiffies_to_us(rwnd);
	e->sndbuf_limited_us = jiffies_to_us(sndbuf);

	e->sk_ack_backlog = sk->sk_ack_backlog;
	e->sk_max_ack_backlog = sk->sk_max_ack_backlog;
	e->prior_cwnd = tp->prior_cwnd;
	e->undo_marker = tp->undo_marker;
	e->advmss = tp->advmss;
	e->mss_clamp = tp->rx_opt.mss_clamp;
	e->user_mss = tp->rx_opt.user_mss;
	e->total_rto = tp->total_rto;
	e->total_rto_recoveries = tp->total_rto_recoveries;
	e->tstamp_ok = BPF_CORE_READ_BITFIELD(tp, rx_opt.tstamp_ok);
	e->sack_ok = BPF_CORE_READ_BITFIELD(tp, rx_opt.sack_ok);
	e->wscale_ok = BPF_CORE_READ_BITFIELD(tp, rx_opt.wscale_ok);
	e->snd_wscale = BPF_CORE_READ_BITFIELD(tp, rx_opt.snd_wscale);
	e->rcv_wscale = BPF_CORE_READ_BITFIELD(tp, rx_opt.rcv_wscale);
	e->ecn_flags = tp->ecn_flags;
	e->nonagle = BPF_CORE_READ_BITFIELD(tp, nonagle);
	e->retransmits = icsk->icsk_retransmits;
	e->backoff = icsk->icsk_backoff;
	if (e->family == 6 && sk->__sk_common.skc_family == AF_INET6)
		e->tos = BPF_CORE_READ(&tp->inet_conn.icsk_inet, pinet6, tclass);
	else
		e->tos = tp->inet_conn.icsk_inet.tos;
	__builtin_memset(e->pad1, 0, sizeof(e->pad1));
}

/*
 * Send one event: header, tcp_sock snapshot, per-socket state. st may be
 * NULL (socket seen for the first time somewhere storage cannot be created).
 * kindf: ESTATS_EV_* in the low byte, extra event flags (ESTATS_F_STATE) in
 * the high byte. Every field is written below: the ring's memory is not
 * cleared first (a 700-byte memset on every event).
 */
static __always_inline void emit_c(struct sock *sk, struct tcp_sock *tp, struct estats_sk *st, __u64 cookie,
				   __u16 kindf, int newstate, __u8 oldstate, __u8 oldcastate, __u32 arg0, __u32 arg1)
{
	__u8 kind = kindf & 0xff;
	struct estats_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(0);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cookie = cookie;
	e->kind = kind;
	e->flags = kindf >> 8;
	e->accept_qlen = 0;
	e->oldstate = oldstate;
	e->oldcastate = oldcastate;
	e->arg0 = arg0;
	e->arg1 = arg1;
	e->upgrades = CFG.upgrades;
	fill_identity(e, sk);
	fill_snapshot(e, sk, tp);
	fill_constants(e, sk, tp, st);
	if (newstate >= 0)
		e->state = newstate; /* inet_sock_set_state runs before sk_state is written */
	if (e->state == TCP_LISTEN || (newstate < 0 ? 0 : oldstate == TCP_LISTEN)) {
		e->accept_qlen = tp->inet_conn.icsk_accept_queue.qlen.counter;
		struct estats_listener *l = listener_of(net_cookie_of(sk), e->sport);
		if (l)
			__builtin_memcpy(&e->lst, l, sizeof(*l));
		else
			__builtin_memset(&e->lst, 0, sizeof(e->lst));
	} else {
		__builtin_memset(&e->lst, 0, sizeof(e->lst));
	}
	if (kind == ESTATS_EV_CONGESTION)
		e->castate = (__u8)arg0; /* the hook runs before icsk_ca_state is written */
	if (st) {
		if (e->sport)
			st->saved_sport = e->sport;
		else
			e->sport = st->saved_sport;
		track_extremes(st, tp);
		fold_tx(sk, st, kind == ESTATS_EV_CLOSE);
		__builtin_memcpy(&e->st, st, sizeof(*st));
		if (st->sk_flags & ESTATS_F_ACTIVE)
			e->flags |= ESTATS_F_ACTIVE;
		if (st->sk_flags & ESTATS_F_SEEDED)
			e->flags |= ESTATS_F_SEEDED;
	} else {
		__builtin_memset(&e->st, 0, sizeof(e->st));
	}
	/*
	 * Wake the reader early once the ring is a quarter full (it also drains
	 * on a timer). The fill level is read at every 16th event of a CPU
	 * (rings under 256 KiB: at every event): reading it at every event cost
	 * ~100 ns per event at ~450 k events/s (A/B, ping-pong, --sample 0).
	 * Between two checks two CPUs add at most 2 x 16 events (25 KiB) past
	 * the quarter mark.
	 */
	__u32 idx = 1;
	__u64 *sent = bpf_map_lookup_elem(&counters, &idx);
	__u64 wake = BPF_RB_NO_WAKEUP;
	if (!sent || !(*sent & 15) || CFG.ring_size < (256 << 10)) {
		__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		if (avail > CFG.ring_size / 4)
			wake = BPF_RB_FORCE_WAKEUP;
	}
	bpf_ringbuf_submit(e, wake);
	if (sent)
		*sent += 1;
}

/* tracing programs: the cookie helper takes the socket */
#define emit(sk, tp, st, ...) emit_c(sk, tp, st, bpf_get_socket_cookie(sk), __VA_ARGS__)

/*
 * Does the user's program need events of this kind for this socket? CFG.kinds
 * (0 = all), or CFG.kinds_own for a socket of the tool's own network
 * namespace: snapshot statements refresh those through iter/tcp before each
 * tick, so they need no events between ticks (other namespaces' sockets are
 * kept current by their events).
 */
static __always_inline bool want(const struct sock *sk, struct estats_sk *st, __u8 kind)
{
	__u32 k = CFG.kinds;
	if (CFG.kinds_own != k) {
		__u32 ino = st && st->c_netns ? st->c_netns : BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
		if (ino == CFG.own_netns)
			k = CFG.kinds_own;
	}
	return !k || (k & (1U << kind));
}

/*
 * An event the mask leaves out: do what emit_c does to the per-socket state,
 * so that the values a program sees do not depend on which kinds it asked for
 * (the extremes are sampled at the same points; the tx state is folded).
 */
static __always_inline void skip_emit(struct sock *sk, struct tcp_sock *tp, struct estats_sk *st, __u8 kind)
{
	if (!st)
		return;
	track_extremes(st, tp);
	fold_tx(sk, st, kind == ESTATS_EV_CLOSE);
}

/*
 * A state transition is one event: OPEN, ESTABLISHED or CLOSE carry
 * ESTATS_F_STATE when the program also wants STATE events (user space then
 * delivers the STATE event first); 0 = nothing to send.
 */
static __always_inline __u16 transition_kind(const struct sock *sk, struct estats_sk *st, __u8 kind)
{
	bool s = want(sk, st, ESTATS_EV_STATE);
	if (kind != ESTATS_EV_STATE && want(sk, st, kind))
		return kind | (s ? ESTATS_F_STATE << 8 : 0);
	return s ? ESTATS_EV_STATE : 0;
}

/* Rate limit for per-segment events (ack, rtt): --sample. */
static __always_inline bool sample_due(struct estats_sk *st)
{
	if (!CFG.sample_ns)
		return true;
	if (!st)
		return false;
	/*
	 * Pre-check on the tick counter, a load where the clock read costs
	 * 40-70 ns per segment in a VM: d ticks since the last sample mean
	 * less than (d + 1) ticks of time, so (d + 1) ticks <= the gap means
	 * not due. Otherwise the clock decides, as before: the same events are
	 * sent (unless jiffies lag behind a NOHZ-idle CPU's catch-up).
	 */
	__u32 j = (__u32)bpf_jiffies64();
	if (st->last_sample_ns && (__u64)(j - st->last_sample_j + 1) * tick_ns() <= CFG.sample_ns)
		return false;
	__u64 now = bpf_ktime_get_ns();
	if (now - st->last_sample_ns < CFG.sample_ns)
		return false;
	st->last_sample_ns = now;
	st->last_sample_j = j;
	return true;
}

/*
 * Optional upgrades (first in the object: where the kernel refuses them, the
 * load fails before the floor programs are verified, and the retry is cheap).
 * Optional upgrades (autoload off unless the loader finds they can load;
 * fentry/fexit needs a kernel that allows it: this project's floor does not).
 * Each counts at the kernel function that the RFC variable is defined by.
 */
static __always_inline struct estats_sk *upg_state(struct sock *sk)
{
	if (!wanted(sk))
		return 0;
	return bpf_sk_storage_get(&sk_state, sk, 0, 0);
}

SEC("?fentry/tcp_slow_start")
int BPF_PROG(estats_upg_slow_start, struct tcp_sock *tp, __u32 acked)
{
	struct estats_sk *st = upg_state((struct sock *)tp);
	if (st)
		st->slow_start++;
	return 0;
}

SEC("?fentry/tcp_cong_avoid_ai")
int BPF_PROG(estats_upg_cong_avoid, struct tcp_sock *tp, __u32 w, __u32 acked)
{
	struct estats_sk *st = upg_state((struct sock *)tp);
	if (st)
		st->cong_avoid++;
	return 0;
}

SEC("?fentry/tcp_undo_cwnd_reduction")
int BPF_PROG(estats_upg_undo, struct sock *sk, bool unmark_loss)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	struct estats_sk *st = upg_state(sk);
	if (!tp || !st)
		return 0;
	__u8 ca = BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state);
	if (ca == TCP_CA_Recovery)
		st->spurious_fr++;
	else if (ca == TCP_CA_Loss)
		st->spurious_rto++;
	st->cong_over_count++;
	return 0;
}

SEC("?fentry/tcp_cwnd_restart")
int BPF_PROG(estats_upg_restart, struct sock *sk, __s32 delta)
{
	struct estats_sk *st = upg_state(sk);
	if (st)
		st->other_reductions++;
	return 0;
}

SEC("?fexit/inet_csk_accept")
int BPF_PROG(estats_upg_accept, struct sock *sk, void *arg, struct sock *newsk)
{
	if (!newsk || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	struct estats_listener *l = listener_of(net_cookie_of(sk), sk->__sk_common.skc_num);
	if (l)
		__sync_fetch_and_add(&l->l_accepted, 1);
	return 0;
}

SEC("?fentry/tcp_conn_request")
int BPF_PROG(estats_upg_syn, void *rsk_ops, void *af_ops, struct sock *sk, struct sk_buff *skb)
{
	struct estats_listener *l = listener_of(net_cookie_of(sk), sk->__sk_common.skc_num);
	if (l)
		__sync_fetch_and_add(&l->l_syn_rcvd, 1);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(estats_state, struct sock *sk, int oldstate, int newstate)
{
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	/* at → CLOSE the kernel may already have released the local port: use
	 * the one remembered in SK_STORAGE for the filter and the event (looked
	 * up only then: most sockets a filter leaves out cost no storage lookup) */
	__u16 lport = sk->__sk_common.skc_num;
	struct estats_sk *st = 0;
	if (!lport) {
		st = bpf_sk_storage_get(&sk_state, sk, 0, 0);
		if (st)
			lport = st->saved_sport;
	}
	if (!wanted_port(sk, lport))
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	if (!st)
		st = state_of(sk, true);
	/* remember the port at every transition (not only when an event is sent: with
	 * an event-kind mask the CLOSE may be the first event, and the port gone by then) */
	if (st && sk->__sk_common.skc_num)
		st->saved_sport = sk->__sk_common.skc_num;

	if (newstate == TCP_SYN_SENT)
		return 0; /* the local port is not bound yet: sock_ops TCP_CONNECT_CB reports it */
	if (st && newstate == TCP_SYN_RECV) {
		st->sk_flags |= ESTATS_F_BASELINE;
		st->start_ns = bpf_ktime_get_ns();
		st->start_wall_ns = st->start_ns + CFG.wall_offset_ns;
	}
	__u8 kind = newstate == TCP_SYN_RECV ? ESTATS_EV_OPEN :
		    newstate == TCP_ESTABLISHED ? ESTATS_EV_ESTABLISHED :
		    newstate == TCP_CLOSE ? ESTATS_EV_CLOSE : ESTATS_EV_STATE;
	__u16 kf = transition_kind(sk, st, kind);
	if (kf)
		emit(sk, tp, st, kf, newstate, oldstate, 0, 0, 0);
	else
		skip_emit(sk, tp, st, kind);
	/* the listener closed (a child's LISTEN → SYN_RECV, its state as cloned, is not that) */
	if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE) {
		struct estats_listener_key k = { .net_cookie = net_cookie_of(sk), .port = sk->__sk_common.skc_num };
		bpf_map_delete_elem(&listeners, &k);
	}
	return 0;
}


struct opt_walk {
	__u8 hdr[64];
	__u32 i;
	__u32 hl;
	__u32 sacks;
	__u32 blocks;
};

static long opt_step(__u64 n, struct opt_walk *w)
{
	__u32 i = w->i;
	if (i >= w->hl || i > 58)
		return 1;
	__u8 kind = w->hdr[i & 63];
	if (kind == 0)
		return 1;
	if (kind == 1) {
		w->i = i + 1;
		return 0;
	}
	__u8 olen = w->hdr[(i + 1) & 63];
	if (olen < 2)
		return 1;
	if (kind == 5) {
		w->sacks++;
		w->blocks += (olen - 2) / 8;
	}
	w->i = i + olen;
	return 0;
}

/* IP header of an incoming segment: TTL / hop limit and TOS / traffic class */
static __always_inline void ip_fields(struct estats_sk *st, const __u8 *ip)
{
	if ((ip[0] >> 4) == 4) {
		st->ip_ttl = ip[8];
		st->ip_tos_in = ip[1];
	} else {
		st->ip_ttl = ip[7];
		st->ip_tos_in = ((ip[0] & 0xf) << 4) | (ip[1] >> 4);
	}
}

/*
 * Per incoming segment, before the stack processes it (tcp_probe fires at
 * the top of tcp_rcv_established): the state here is the pre-segment state.
 */
static __always_inline void on_segment(struct estats_sk *st, struct tcp_sock *tp, const struct sk_buff *skb)
{
	if (CFG.light)
		return;
	/*
	 * The headers, with as few helper calls as possible (each costs 20–30 ns
	 * per segment): when the IP header has its plain size (20 or 40 bytes,
	 * directly before the TCP header), one read takes it and the first 32
	 * bytes of TCP header, which hold Linux's usual timestamp-only options.
	 * A TCP header shorter than 32 bytes is followed by payload or by the
	 * skb's shared info in the same allocation, so the read stays inside it;
	 * if it faults anyway, exact reads follow (a fault would otherwise lose
	 * the whole segment). Other layouts (IP options, IPv6 extension headers)
	 * take the exact reads.
	 */
	struct opt_walk w = { .i = 20 };
	const __u8 *data = skb->data;
	const __u8 *nh = skb->head + skb->network_header;
	long ipoff = data - nh;
	struct { __u8 ip[40]; __u8 tcp[32]; } b;
	int got = -1;
	if (ipoff == 20) {
		got = bpf_probe_read_kernel(&b.ip[20], 20 + sizeof(b.tcp), nh);
		if (!got)
			ip_fields(st, &b.ip[20]);
	} else if (ipoff == 40) {
		got = bpf_probe_read_kernel(&b, sizeof(b), nh);
		if (!got)
			ip_fields(st, b.ip);
	}
	if (!got) {
		__builtin_memcpy(w.hdr, b.tcp, sizeof(b.tcp));
	} else {
		if (bpf_probe_read_kernel(w.hdr, 20, data)) {
			count(2);
			return;
		}
		__u8 ip[10];
		if (!bpf_probe_read_kernel(ip, sizeof(ip), nh))
			ip_fields(st, ip);
	}
	struct tcphdr *th = (struct tcphdr *)w.hdr;
	__u32 hl = th->doff * 4;
	if (hl > 60)
		hl = 60;
	/* the options not read yet */
	if (got && hl > 20)
		bpf_probe_read_kernel(w.hdr + 20, (hl - 20) & 63, data + 20);
	else if (!got && hl > 32)
		bpf_probe_read_kernel(w.hdr + 32, (hl - 32) & 31, data + 32);
	w.hl = hl;
	__u32 len = skb->len;
	__u32 payload = len > hl ? len - hl : 0;
	__u32 seq = bpf_ntohl(th->seq), ack = bpf_ntohl(th->ack_seq);
	__u32 win = bpf_ntohs(th->window);
	__u8 flags = w.hdr[13];
	__u32 snd_una = tp->snd_una;
	__u8 ca = BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state);

	st->data_octets_in += payload;
	if (!(st->sk_flags & ESTATS_F_BASELINE)) {
		/* first sight of a socket we did not see open: what came before is not ours */
		st->seen_data_segs = tp->data_segs_in;
		st->sk_flags |= ESTATS_F_BASELINE;
	} else if (payload) {
		/* mirror tcp_segs_in(): a GRO/coalesced skb counts its gso_segs */
		__u16 gs = 0;
		bpf_probe_read_kernel(&gs, sizeof(gs), skb->head + skb->end +
				      bpf_core_field_offset(struct skb_shared_info, gso_segs));
		st->seen_data_segs += gs ? gs : 1;
	}
	st->last_probe_seq = seq;
	st->last_probe_len = len;

	/* SACK options (kind 5), walked with bpf_loop so the verifier checks one step */
	/* the common case, no options or only NOP NOP TIMESTAMP (Linux's layout),
	 * carries no SACK: skip the walk */
	if (hl > 20 && !(hl == 32 && w.hdr[20] == 1 && w.hdr[21] == 1 && w.hdr[22] == 8))
		bpf_loop(20, opt_step, &w, 0);
	st->sacks_rcvd += w.sacks;
	st->sack_blocks_rcvd += w.blocks;
	bool has_sack = w.sacks > 0;

	/* duplicate ACK received: no data, no SYN/FIN, nothing new acked, data outstanding */
	/* no window check (as Web10G): a receiver queueing out-of-order data
	 * shrinks its window on every dup ACK, which RFC 5681's strict test rejects */
	bool dupack = !payload && !(flags & (TCPHDR_SYN | TCPHDR_FIN)) && ack == snd_una && snd_una != tp->snd_nxt;
	if (dupack)
		st->dup_acks_in++;
	if (win == 0 && tp->snd_wnd != 0)
		st->zero_rwin_rcvd++;
	if (ca == TCP_CA_Disorder && !(st->sk_flags & ESTATS_SKF_DISORDER_AFTER_RECOVERY) && (__s32)(ack - snd_una) > 0)
		st->sum_octets_reordered += ack - snd_una;
	/* dubious ACKs (dup or SACK-bearing) that may end without a fast retransmit */
	if ((dupack || (has_sack && !payload)) && ca <= TCP_CA_Disorder)
		st->nonrecov_da_pending++;

	/* ECN: CE on the IP header, ECE on the TCP header */
	if ((st->ip_tos_in & 3) == 3) {
		st->ce_rcvd++;
		if (!(tp->ecn_flags & TCP_ECN_DEMAND_CWR))
			st->ece_sent++;
	}
	if ((flags & TCPHDR_ECE) && (tp->ecn_flags & TCP_ECN_OK) && ca < TCP_CA_CWR)
		st->ecn_signals++;
	st->last_ack_ece = !!(flags & TCPHDR_ECE);

	/* SoftErrors on the ACK window (RFC 5961: [snd_una - max_window, snd_nxt]) */
	if (flags & TCPHDR_ACK) {
		if ((__s32)(ack - (snd_una - tp->max_window)) < 0) {
			st->soft_errors++;
			st->soft_error_reason = 3; /* belowAckWindow */
		} else if ((__s32)(ack - tp->snd_nxt) > 0) {
			st->soft_errors++;
			st->soft_error_reason = 4; /* aboveAckWindow */
		}
	}

	/* out-of-order data: a new reassembly episode when the OFO queue was empty */
	if (payload && (__s32)(seq - tp->rcv_nxt) > 0) {
		if (!tp->out_of_order_queue.rb_node)
			st->dup_ack_episodes++;
		__u32 span = seq + payload - tp->rcv_nxt;
		if (span > st->max_reasm_queue)
			st->max_reasm_queue = span;
	}
}

SEC("tp_btf/tcp_probe")
int BPF_PROG(estats_probe, struct sock *sk, struct sk_buff *skb)
{
	if (!wanted(sk))
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	struct estats_sk *st = state_of(sk, true);
	if (!st)
		return 0;
	on_segment(st, tp, skb);
	/* sample_due() first: the rate limit's clock must not depend on the mask */
	if (!sample_due(st) || !want(sk, st, ESTATS_EV_ACK)) {
		track_extremes(st, tp);
		return 0;
	}
	emit(sk, tp, st, ESTATS_EV_ACK, -1, 0, 0, 0, 0);
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(estats_retransmit, struct sock *sk, struct sk_buff *skb, int err)
{
	if (err || !wanted(sk))
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	struct estats_sk *st = state_of(sk, true);
	if (!want(sk, st, ESTATS_EV_RETRANSMIT)) {
		skip_emit(sk, tp, st, ESTATS_EV_RETRANSMIT);
		return 0;
	}
	struct tcp_skb_cb cb = {};
	bpf_probe_read_kernel(&cb, sizeof(cb), &skb->cb);
	emit(sk, tp, st, ESTATS_EV_RETRANSMIT, -1, 0, 0, cb.seq, cb.end_seq - cb.seq);
	return 0;
}

SEC("tp_btf/tcp_cong_state_set")
int BPF_PROG(estats_cong_state, struct sock *sk, __u8 newstate)
{
	if (!wanted(sk))
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return 0;
	__u8 old = BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state);
	struct estats_sk *st = state_of(sk, true);
	if (st) {
		/* CongSignals: entering CWR/Recovery/Loss from a lower state, or Loss again (RTO) */
		if (newstate >= TCP_CA_CWR && (old < newstate || newstate == TCP_CA_Loss))
			st->cong_signals++;
		if (newstate == TCP_CA_Recovery && old < TCP_CA_Recovery)
			st->fast_retran++;
		/* a Disorder state entered from Recovery/Loss (partial undo, SACKed data
		 * left at the end of a recovery) continues an episode that did lead to a
		 * retransmission: its end is no NonRecovDA episode (RFC 4898) */
		if (newstate == TCP_CA_Disorder && old >= TCP_CA_Recovery)
			st->sk_flags |= ESTATS_SKF_DISORDER_AFTER_RECOVERY;
		if (old == TCP_CA_Disorder && newstate == TCP_CA_Open &&
		    !(st->sk_flags & ESTATS_SKF_DISORDER_AFTER_RECOVERY)) {
			st->nonrecov_da_episodes++;
			st->nonrecov_da += st->nonrecov_da_pending;
		}
		if (newstate != TCP_CA_Disorder)
			st->sk_flags &= ~ESTATS_SKF_DISORDER_AFTER_RECOVERY;
		if (newstate >= TCP_CA_CWR || newstate == TCP_CA_Open)
			st->nonrecov_da_pending = 0; /* led to recovery, or the episode is over */
		if (newstate >= TCP_CA_CWR && (old < newstate || newstate == TCP_CA_Loss)) {
			/* context of this congestion signal (prior_cwnd is set just before) */
			__u32 pc = tp->prior_cwnd ? tp->prior_cwnd : tp->snd_cwnd;
			st->precong_sum_cwnd += pc * tp->mss_cache;
			st->precong_sum_rtt_us += st->sample_rtt_us;
			st->postcong_armed = 1;
			st->cong_entered = 1;
		}
		/* SendStall: entering CWR with no ECE on the last ACK and no TLP episode open */
		if (newstate == TCP_CA_CWR && old < TCP_CA_CWR && !st->last_ack_ece && !tp->tlp_high_seq)
			st->send_stall++;
		/* undo: the stack clears undo_marker when it reverts a reduction */
		if (!(CFG.upgrades & ESTATS_UPG_UNDO) && !tp->undo_marker) {
			if (old == TCP_CA_Recovery && newstate <= TCP_CA_Disorder) {
				st->spurious_fr++;
				st->cong_over_count++;
			} else if (old == TCP_CA_Loss && newstate == TCP_CA_Open) {
				st->spurious_rto++;
				st->cong_over_count++;
			}
		}
	}
	if (want(sk, st, ESTATS_EV_CONGESTION))
		emit(sk, tp, st, ESTATS_EV_CONGESTION, -1, 0, old, newstate, 0);
	else
		skip_emit(sk, tp, st, ESTATS_EV_CONGESTION);
	if (st)
		st->last_ca = newstate; /* after emit: its snapshot still shows the old state */
	return 0;
}

static __always_inline void on_reset(struct sock *sk, __u32 sent)
{
	if (!sk || sk->sk_protocol != IPPROTO_TCP || !wanted(sk))
		return;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return;
	struct estats_sk *st = state_of(sk, false);
	if (want(sk, st, ESTATS_EV_RESET))
		emit(sk, tp, st, ESTATS_EV_RESET, -1, 0, 0, sent, 0);
	else
		skip_emit(sk, tp, st, ESTATS_EV_RESET);
}

SEC("tp_btf/tcp_send_reset")
int BPF_PROG(estats_send_reset, struct sock *sk, struct sk_buff *skb)
{
	on_reset(sk, 1);
	return 0;
}

SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(estats_receive_reset, struct sock *sk)
{
	on_reset(sk, 0);
	return 0;
}

/*
 * Sockets whose owner on_app_io confirmed on this CPU, by cookie (64 slots,
 * cookie & 63): the owner and owner_gen at the time. While no known owner
 * changed anywhere (owner_gen the same), I/O by the same process on the same
 * socket would change nothing, and the storage lookup is skipped. That
 * lookup reads 3-4 cache lines of the socket and its storage, cold after a
 * large copy: 300-700 ns per write with 64 bulk flows.
 */
#define APP_IO_SLOTS 64
struct app_io_seen {
	__u64 cookie;
	__u64 gen;
	__u32 tgid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, APP_IO_SLOTS);
	__type(key, __u32);
	__type(value, struct app_io_seen);
} app_io_seen SEC(".maps");

/* Process context: learn the owner of sockets we did not see open. */
static __always_inline void on_app_io(struct sock *sk)
{
	if (!sk || sk->sk_protocol != IPPROTO_TCP || !wanted(sk))
		return;
	/* the cookie exists once an event was sent for the socket (0 before: no shortcut) */
	__u64 cookie = sk->__sk_common.skc_cookie.counter;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 gen = owner_gen; /* before the lookup: a change after it invalidates the slot */
	__u32 slot = cookie & (APP_IO_SLOTS - 1);
	struct app_io_seen *seen = bpf_map_lookup_elem(&app_io_seen, &slot);
	if (seen && cookie && seen->cookie == cookie && seen->tgid == tgid && seen->gen == gen)
		return;
	struct estats_sk *st = bpf_sk_storage_get(&sk_state, sk, 0, 0);
	if (!st)
		return;
	set_owner(st);
	if (seen && cookie) {
		/* owner_pid is tgid now; if set_owner changed it, owner_gen moved
		 * past gen and the next call looks up once more */
		seen->cookie = cookie;
		seen->tgid = tgid;
		seen->gen = gen;
	}
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(estats_send_length, struct sock *sk, int ret, int flags)
{
	on_app_io(sk);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(estats_recv_length, struct sock *sk, int ret, int flags)
{
	on_app_io(sk);
	return 0;
}

/*
 * XMIT: every packet handed to a device; the advertised window of our
 * segments. skb->sk here is an RCU pointer that neither SK_STORAGE nor the
 * socket helpers accept, so this state lives in an LRU hash keyed by the
 * socket's address and is folded into SK_STORAGE at each snapshot (emit).
 */
SEC("tp_btf/net_dev_queue")
int BPF_PROG(estats_xmit, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	if (!sk || sk->sk_protocol != IPPROTO_TCP || sk->sk_type != 1 /* SOCK_STREAM */)
		return 0;
	if (sk->__sk_common.skc_state == TCP_NEW_SYN_RECV || sk->__sk_common.skc_state == TCP_TIME_WAIT || !wanted(sk))
		return 0;
	__u8 th[20];
	if (bpf_probe_read_kernel(th, sizeof(th), skb->head + skb->transport_header))
		return 0;
	if (th[13] & TCPHDR_SYN)
		return 0; /* SYN windows are never scaled */
	__u64 key = (__u64)sk;
	struct tx_state *tx = bpf_map_lookup_elem(&tx_states, &key);
	if (!tx) {
		struct tx_state z = {};
		bpf_map_update_elem(&tx_states, &key, &z, BPF_NOEXIST);
		tx = bpf_map_lookup_elem(&tx_states, &key);
		if (!tx)
			return 0;
	}
	__u32 win = ((__u32)th[14] << 8) | th[15];
	if (win == 0 && (!tx->seen || tx->last_win != 0))
		tx->zero_rwin_sent++;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u32 scaled = win << BPF_CORE_READ_BITFIELD_PROBED(tp, rx_opt.rcv_wscale);
	if (scaled > tx->max_rwin_sent)
		tx->max_rwin_sent = scaled;
	tx->last_win = win;
	tx->seen = 1;
	return 0;
}

/* DROP: segments the stack dropped with a reason, for the socket that received them */
SEC("tp_btf/kfree_skb")
int BPF_PROG(estats_drop, struct sk_buff *skb, void *location, enum skb_drop_reason reason, struct sock *rx_sk)
{
	if (!rx_sk || rx_sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_LISTEN_OVERFLOW)) {
		struct estats_listener *l = listener_of(net_cookie_of(rx_sk), rx_sk->__sk_common.skc_num);
		if (l)
			__sync_fetch_and_add(&l->l_exceed_backlog, 1);
		return 0;
	}
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(rx_sk);
	if (!tp)
		return 0;
	struct estats_sk *st = bpf_sk_storage_get(&sk_state, (struct sock *)tp, 0, 0);
	if (!st)
		return 0;
	__u8 why;
	if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_RFC7323_PAWS) ||
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_RFC7323_PAWS_ACK) ||
	    reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_RFC7323_TSECR))
		why = 5; /* belowTSWindow */
	else if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_OLD_SEQUENCE))
		why = 1; /* belowDataWindow */
	else if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_INVALID_SEQUENCE) ||
		 reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_INVALID_END_SEQUENCE) ||
		 reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_OVERWINDOW) ||
		 reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_ZEROWINDOW)) {
		struct tcp_skb_cb cb = {};
		bpf_probe_read_kernel(&cb, sizeof(cb), &skb->cb);
		why = (__s32)(cb.end_seq - tp->rcv_wup) < 0 ? 1 : 2;
	} else if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_CSUM))
		why = 7; /* dataCheckSum */
	else if (reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_FLAGS) ||
		 reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_INVALID_SYN))
		why = 8; /* otherSoftError */
	else
		return 0;
	st->soft_errors++;
	st->soft_error_reason = why;
	return 0;
}

/* Payload of a segment seen by sock_ops (data: its TCP header, 20 bytes checked). */
static __always_inline void count_payload(struct estats_sk *st, struct bpf_sock_ops *skops, void *data)
{
	if (CFG.light)
		return; /* the flag may be left on a socket by an earlier run */
	__u32 hl = (((__u8 *)data)[12] >> 4) * 4;
	if (skops->skb_len > hl) {
		st->data_octets_in += skops->skb_len - hl;
		st->seen_data_segs++;
	}
}

SEC("sockops")
int estats_sockops(struct bpf_sock_ops *skops)
{
	__u32 op = skops->op;
	/* the filter first, from the context (no helper; for a full socket the
	 * context's ports and family are its skc_num, skc_dport and skc_family, so
	 * this is wanted(sk)): a listener is kept only when wanted as (its port, 0);
	 * a request socket's callbacks count for it */
	bool req = op == BPF_SOCK_OPS_RWND_INIT || op == BPF_SOCK_OPS_TIMEOUT_INIT;
	if (CFG.filter_flags || CFG.family) {
		__u16 rport = req ? 0 : (__u16)bpf_ntohl(skops->remote_port);
		if (!wanted_ports(skops->family, skops->local_port, rport))
			return 1;
	}
	if (req) {
		/* a SYN reached a listener; the context is its request socket
		 * (not a full socket: skops->sk is NULL) */
		struct estats_listener *l = listener_of(bpf_get_netns_cookie(skops), skops->local_port);
		if (l) {
			if (op == BPF_SOCK_OPS_RWND_INIT) {
				if (!(CFG.upgrades & ESTATS_UPG_SYN))
					__sync_fetch_and_add(&l->l_syn_rcvd, 1);
			}
			else {
				__sync_fetch_and_add(&l->l_initial, 1);
			}
		}
		return 1;
	}
	struct bpf_sock *bsk = skops->sk;
	if (!bsk)
		return 1;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(bsk);
	if (!tp)
		return 1;
	struct sock *sk = (struct sock *)tp;

	/* the callbacks that take a snapshot set snap (the event kind) and, when
	 * the program wants it, kf: one emit below, so the verifier sees one copy */
	struct estats_sk *st = 0;
	__u8 snap = 0, ost = 0;
	__u16 kf = 0;
	int nst = -1;
	__u32 a0 = 0, a1 = 0;
	switch (skops->op) {
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB: {
		struct estats_listener *l = listener_of(net_cookie_of(sk), skops->local_port);
		if (l)
			__sync_fetch_and_add(&l->l_established, 1);
		/* the segment that completed the handshake may carry data */
		st = state_of(sk, true);
		void *data = (void *)(long)skops->skb_data, *end = (void *)(long)skops->skb_data_end;
		if (st && data + 20 <= end)
			count_payload(st, skops, data);
	}
		/* fallthrough */
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | CB_FLAGS);
		break;
	case BPF_SOCK_OPS_TCP_LISTEN_CB: {
		/* listen(): no inet_sock_set_state for → LISTEN (a plain store); process context */
		struct estats_listener_key k = { .net_cookie = net_cookie_of(sk), .port = skops->local_port };
		struct estats_listener l = { .l_start_wall_ns = bpf_ktime_get_ns() + CFG.wall_offset_ns };
		bpf_map_update_elem(&listeners, &k, &l, BPF_ANY);
		st = state_of(sk, true);
		if (st)
			set_owner(st);
		/* children inherit the listener's callback flags: header parsing then
		 * covers segments that race the handshake on another CPU and reach the
		 * ESTABLISHED child through tcp_child_process (not tcp_probe) before
		 * PASSIVE_ESTABLISHED_CB could set the flags on the child */
		bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | CB_FLAGS);
		snap = ESTATS_EV_STATE;
		kf = want(sk, st, ESTATS_EV_STATE) ? ESTATS_EV_STATE : 0;
		nst = TCP_LISTEN;
		ost = TCP_CLOSE;
		break;
	}
		case BPF_SOCK_OPS_TCP_CONNECT_CB: {
		/* connect(): process context, the caller owns the socket; the port is bound now */
		st = state_of(sk, true);
		if (st) {
			st->start_ns = bpf_ktime_get_ns();
			st->start_wall_ns = st->start_ns + CFG.wall_offset_ns;
			st->sk_flags |= ESTATS_F_ACTIVE | ESTATS_F_BASELINE;
			set_owner(st);
		}
		snap = ESTATS_EV_OPEN;
		kf = transition_kind(sk, st, ESTATS_EV_OPEN);
		nst = TCP_SYN_SENT;
		ost = TCP_CLOSE;
		break;
	}
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB: {
		/*
		 * The slow-path segments. In ESTABLISHED tcp_probe has counted the
		 * same skb just before (same seq and length): skip it then. Segments
		 * that reach an ESTABLISHED child through tcp_child_process (a race
		 * with the handshake) never pass tcp_probe, and other states neither.
		 */
		st = state_of(sk, false);
		void *data = (void *)(long)skops->skb_data, *end = (void *)(long)skops->skb_data_end;
		if (!st || data + 20 > end)
			break;
		__u32 seq = bpf_ntohl(((struct tcphdr *)data)->seq);
		if (skops->state == BPF_TCP_ESTABLISHED && seq == st->last_probe_seq && skops->skb_len == st->last_probe_len)
			break;
		count_payload(st, skops, data);
		break;
	}
	case BPF_SOCK_OPS_RTO_CB: {
		st = state_of(sk, true);
		if (st) {
			/* args[0] = icsk_retransmits before this timeout */
			if (skops->args[0] == 0)
				st->timeouts++;
			else
				st->subsequent_timeouts++;
			if (BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state) == TCP_CA_Open)
				st->abrupt_timeouts++;
		}
		snap = ESTATS_EV_TIMEOUT;
		kf = want(sk, st, ESTATS_EV_TIMEOUT) ? ESTATS_EV_TIMEOUT : 0;
		a0 = skops->args[0];
		a1 = jiffies_to_us(skops->args[1]);
		break;
	}
	case BPF_SOCK_OPS_RTT_CB: {
		st = state_of(sk, true);
		if (!sample_due(st))
			break;
		if (st)
			rtt_cb_sync(st, tp, skops->args[0], skops->args[1]);
		snap = ESTATS_EV_RTT;
		kf = want(sk, st, ESTATS_EV_RTT) ? ESTATS_EV_RTT : 0;
		a0 = skops->args[0];
		a1 = skops->args[1];
		break;
	}
	}
	if (snap) {
		if (kf)
			emit_c(sk, tp, st, bpf_get_socket_cookie(skops), kf, nst, ost, 0, a0, a1);
		else
			skip_emit(sk, tp, st, snap);
	}
	return 1;
}

/* Seed: every TCP socket of this netns that existed before we started. */
SEC("iter/tcp")
int estats_seed(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	if (!skc)
		return 0;
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0; /* request and timewait mini-sockets */
	struct sock *sk = (struct sock *)tp;
	if (!wanted(sk))
		return 0;
	struct estats_sk *st = bpf_sk_storage_get(&sk_state, sk, 0, 0);
	if (!st) {
		st = bpf_sk_storage_get(&sk_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
		if (st) {
			st->start_ns = bpf_ktime_get_ns();
			st->sk_flags |= ESTATS_F_SEEDED;
			st->seen_data_segs = tp->data_segs_in; /* what happened before us is not ours to miss */
			st->last_ca = BPF_CORE_READ_BITFIELD(tp, inet_conn.icsk_ca_state);
			st->sk_flags |= ESTATS_F_BASELINE;
		}
	}
	if (skc->skc_state == TCP_ESTABLISHED) {
		int flags = CB_FLAGS;
		bpf_setsockopt(tp, SOL_TCP, TCP_BPF_SOCK_OPS_CB_FLAGS, &flags, sizeof(flags));
		/* Listener CurConns: an accepted (has a struct socket) connection on a listening port */
		if (BPF_CORE_READ(sk, sk_socket)) {
			struct estats_listener *l = listener_of(net_cookie_of(sk), skc->skc_num);
			if (l)
				l->l_conns_acc++;
		}
	} else if (skc->skc_state == TCP_LISTEN) {
		/* listeners come first in the walk: publish the previous pass's count */
		struct estats_listener *l = listener_of(net_cookie_of(sk), skc->skc_num);
		if (!l) {
			/* a listener that predates the tool: give it a row */
			struct estats_listener_key k = { .net_cookie = net_cookie_of(sk), .port = skc->skc_num };
			struct estats_listener z = {};
			bpf_map_update_elem(&listeners, &k, &z, BPF_NOEXIST);
			l = listener_of(k.net_cookie, k.port);
		}
		if (l) {
			l->l_cur_conns = l->l_conns_acc;
			l->l_conns_acc = 0;
			/* ExceedBacklog: the listener's own drop count (tcp_listendrop, the
			 * per-socket TcpExtListenDrops) also has the SYNs dropped for a full
			 * queue, which are freed without a drop reason (consume_skb) */
			__u64 drops = (__u32)sk->sk_drops.counter;
			if (drops > l->l_exceed_backlog)
				l->l_exceed_backlog = drops;
		}
	}
	emit(sk, tp, st, ESTATS_EV_SEED, -1, 0, 0, 0, 0);
	/* one byte per socket to the iterator's reader: its read() returns after
	 * as many sockets as it asked bytes, so user space drains the ring
	 * between batches (100k sockets would not fit in the ring at once) */
	char one = 1;
	bpf_seq_write(ctx->meta->seq, &one, 1);
	return 0;
}

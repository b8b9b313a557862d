/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The wire format between bpf/estats.bpf.c and user space.
 *
 * Plain C types only. Every struct is laid out by hand with natural alignment
 * and no implicit padding: scripts/gen-layout.mjs parses this file and
 * generates src/stream/layout.generated.ts (offsets, getters, layout hash),
 * and fails if it finds a hole. Change this file, then run `npm run gen`.
 *
 * Units are the kernel's (µs, segments, jiffies already converted to µs);
 * src/estats/catalog.ts turns them into RFC 4898 units.
 */
#ifndef ESTATS_H
#define ESTATS_H

#define ESTATS_COMM_LEN 16
#define ESTATS_CC_LEN 16

/* event kinds (estats_event.kind) */
#define ESTATS_EV_OPEN 1        /* socket entered SYN_SENT or SYN_RECV */
#define ESTATS_EV_ESTABLISHED 2 /* handshake completed */
#define ESTATS_EV_STATE 3       /* any TCP state change (oldstate, state) */
#define ESTATS_EV_ACK 4         /* incoming segment processed (rate-limited) */
#define ESTATS_EV_RTT 5         /* RTT sample (sock_ops RTT_CB), arg0 = mrtt µs */
#define ESTATS_EV_RETRANSMIT 6  /* segment retransmitted, arg0 = seq, arg1 = segs */
#define ESTATS_EV_TIMEOUT 7     /* RTO fired, arg0 = prior consecutive RTOs, arg1 = rto µs */
#define ESTATS_EV_CONGESTION 8  /* congestion state change (oldcastate, castate) */
#define ESTATS_EV_RESET 9       /* RST sent (arg0 = 1) or received (arg0 = 0) */
#define ESTATS_EV_CLOSE 10      /* connection ended: final values */
#define ESTATS_EV_SEED 11       /* iter/tcp: socket that existed before start */

/* estats_event.flags */
#define ESTATS_F_SEEDED 0x01    /* first seen by iter/tcp, not at open */
#define ESTATS_F_ACTIVE 0x02    /* local side did the active open */
#define ESTATS_F_OOO 0x04       /* out-of-order queue not empty */
#define ESTATS_F_BASELINE 0x08  /* (sk_flags) seen_data_segs has its baseline */
#define ESTATS_F_STATE 0x10     /* the event is also the STATE event of the same transition
                                   (one event for both; user space delivers STATE first) */

/* Per-socket state kept in BPF_MAP_TYPE_SK_STORAGE (what the kernel does not keep). */
struct estats_sk {
	__u64 start_ns;          /* CLOCK_MONOTONIC ns when the row was created (or first seen) */
	__u64 last_sample_ns;    /* last ack/rtt event sent (rate limit) */
	__u64 data_octets_in;    /* HCDataOctetsIn: payload incl. duplicates */
	__u32 owner_pid;         /* tgid of the last process that touched the socket */
	__u32 owner_tid;
	char owner_comm[ESTATS_COMM_LEN];
	__u32 cong_signals;      /* CongSignals */
	__u32 fast_retran;       /* FastRetran */
	__u32 timeouts;          /* Timeouts (first RTO of an episode) */
	__u32 subsequent_timeouts;
	__u32 abrupt_timeouts;
	__u32 nonrecov_da_episodes;
	__u32 max_pipe;          /* MaxPipeSize, octets */
	__u32 max_ss_cwnd;       /* octets */
	__u32 max_ca_cwnd;       /* octets */
	__u32 max_ssthresh;      /* octets, 0 = none yet */
	__u32 min_ssthresh;      /* octets, 0 = none yet */
	__u32 max_mss;
	__u32 min_mss;
	__u32 max_retx_queue;
	__u32 max_app_wqueue;
	__u32 max_app_rqueue;
	__u32 max_rwin_sent;
	__u32 sk_flags;         /* ESTATS_F_SEEDED, ESTATS_F_ACTIVE */
	/* RTT samples reconstructed from consecutive srtt_us/mdev_us (µs) */
	__u64 sum_rtt_us;
	__u32 prev_srtt;
	__u32 prev_mdev;
	__u32 sample_rtt_us;
	__u32 max_rtt_us;
	__u32 min_rtt_us;        /* 0 = no sample yet */
	__u32 count_rtt;
	__u32 max_rto_us;        /* RTO extremes sampled while icsk_backoff == 0 */
	__u32 min_rto_us;
	/* incoming segments (tcp_probe) */
	__u32 dup_acks_in;
	__u32 zero_rwin_rcvd;
	__u32 sum_octets_reordered;
	__u32 nonrecov_da;
	__u32 nonrecov_da_pending; /* dubious ACKs of the current episode, not yet committed */
	__u32 ce_rcvd;
	__u32 ece_sent;
	__u32 ecn_signals;
	__u32 dup_ack_episodes;
	__u32 max_reasm_queue;
	__u32 sacks_rcvd;
	__u32 sack_blocks_rcvd;
	/* congestion context */
	__u32 precong_sum_cwnd;
	__u32 postcong_count_rtt;
	__u64 precong_sum_rtt_us;
	__u64 postcong_sum_rtt_us;
	/* wall clock (CLOCK_REALTIME ns) when the row was created */
	__u64 start_wall_ns;
	/* heuristics on consecutive snapshots (class A) */
	__u32 prev_cwnd;         /* segments */
	__u32 prev_ssthresh;
	__u32 slow_start;
	__u32 cong_avoid;
	__u32 other_reductions;
	__u32 spurious_fr;
	__u32 spurious_rto;
	__u32 send_stall;
	__u32 cong_over_count;
	__u32 soft_errors;
	__u32 snd_lim_trans_rwin;
	__u32 snd_lim_trans_cwnd;
	__u32 snd_lim_trans_snd;
	/* outgoing segments (net_dev_queue) */
	__u32 zero_rwin_sent;
	__u32 last_win_sent;     /* unscaled advertised window of the last segment sent */
	__u32 last_probe_seq;    /* seq/len of the last segment tcp_probe counted (dedup with PARSE_HDR) */
	__u32 last_probe_len;
	__u32 seen_data_segs;    /* data segments shown to tcp-estats (max(1, gso_segs) each), to compare with data_segs_in */
	__u8 ip_ttl;
	__u8 ip_tos_in;
	__u8 postcong_armed;
	__u8 soft_error_reason;  /* tcpEStatsStackSoftErrorReason, 0 = none */
	__u8 prev_chrono;
	__u8 cong_entered;       /* a congestion signal since the last snapshot */
	__u8 last_ack_ece;       /* the last incoming segment carried ECE */
	__u8 seen_win_sent;
	__u16 saved_sport;       /* local port, remembered: TIME_WAIT takes it before the close event */
	__u8 last_ca;            /* congestion state as of the last tcp_cong_state_set seen */
	__u8 pad2;
	__u16 ca_inferred;       /* congestion-state changes the hook did not report, inferred at snapshots */
	__u8 pad3[2];
	/* per-socket constants, read once at the first snapshot and copied
	 * into every event after it (the cc name again when icsk_ca_ops changes) */
	__u32 c_netns;
	__u8 c_sysctl_timestamps;
	__u8 c_sysctl_sack;
	__u8 c_sysctl_ecn;
	__u8 c_sysctl_wscale;
	__u64 c_cgroup_id;
	__u64 c_ca_ops;          /* icsk_ca_ops the cached name belongs to */
	char c_cc[ESTATS_CC_LEN];
	__u32 prev_chrono_start; /* tp->chrono_start at the last snapshot (SndLimTrans*: hidden round trips) */
	__u32 last_sample_j;     /* jiffies (low 32 bits) at last_sample_ns */
};

/* Per-listener counters (the tcpEStatsListenerTable), keyed by network namespace + port. */
struct estats_listener {
	__u64 l_start_wall_ns;
	__u64 l_syn_rcvd;
	__u64 l_initial;
	__u64 l_established;
	__u64 l_exceed_backlog;
	__u64 l_accepted;        /* only with the fexit inet_csk_accept upgrade */
	__u64 l_cur_conns;       /* accepted ESTABLISHED sockets on this port, at the last iter/tcp pass */
	__u64 l_conns_acc;       /* the same, being counted by the current pass */
};

struct estats_listener_key {
	__u64 net_cookie;        /* struct net's cookie (bpf_get_netns_cookie), known for request sockets too */
	__u16 port;
	__u16 pad[3];
};

struct estats_event {
	/* header */
	__u64 ts_ns;             /* bpf_ktime_get_ns() */
	__u64 cookie;            /* socket cookie */
	__u64 cgroup_id;         /* cgroup v2 id of the owner, 0 if unknown */
	__u8 saddr[16];          /* local address (IPv4 in the first 4 bytes) */
	__u8 daddr[16];          /* remote address */
	__u32 arg0;              /* event-specific, see ESTATS_EV_* */
	__u32 arg1;
	__u32 netns;             /* network namespace inode number */
	__u16 sport;             /* local port, host order */
	__u16 dport;             /* remote port, host order */
	__u8 kind;               /* ESTATS_EV_* */
	__u8 family;             /* 4 or 6 (v4-mapped v6 reported as 4) */
	__u8 state;              /* Linux TCP state (TCP_ESTABLISHED = 1 …) */
	__u8 oldstate;
	__u8 castate;            /* icsk_ca_state: 0 Open 1 Disorder 2 CWR 3 Recovery 4 Loss */
	__u8 oldcastate;
	__u8 flags;              /* ESTATS_F_* */
	__u8 chrono_type;
	char cc[ESTATS_CC_LEN];  /* congestion control name */

	/* struct tcp_sock snapshot */
	__u64 bytes_sent;
	__u64 bytes_retrans;
	__u64 bytes_acked;
	__u64 bytes_received;
	__u64 tcp_mstamp_us;     /* tp->tcp_mstamp: µs, CLOCK_MONOTONIC */
	__u32 segs_out;
	__u32 data_segs_out;
	__u32 segs_in;
	__u32 data_segs_in;
	__u32 total_retrans;
	__u32 mss_cache;
	__u32 packets_out;
	__u32 sacked_out;
	__u32 lost_out;
	__u32 retrans_out;
	__u32 srtt_us;           /* tp->srtt_us, still << 3 */
	__u32 mdev_us;
	__u32 rttvar_us;         /* tp->rttvar_us, still << 2 */
	__u32 rto_us;            /* icsk_rto converted from jiffies */
	__u32 snd_cwnd;          /* segments */
	__u32 snd_ssthresh;      /* segments, >= 0x7fffffff = infinite */
	__u32 rcv_wnd;
	__u32 snd_wnd;
	__u32 max_window;
	__u32 reordering;
	__u32 snd_una;
	__u32 snd_nxt;
	__u32 rcv_nxt;
	__u32 write_seq;
	__u32 copied_seq;
	__u32 dsack_dups;
	__u32 rcv_ooopack;
	__u32 rcv_rtt_us;        /* rcv_rtt_est.rtt_us, still << 3 */
	__u32 snd_cwnd_clamp;
	__u32 window_clamp;
	__u32 rtt_min_us;
	__u32 delivered;
	__u32 delivered_ce;
	__u32 ooo_span;          /* end_seq of the last OFO skb - rcv_nxt, 0 if none */
	__u32 busy_us;           /* chrono_stat[BUSY-1] incl. the running period, µs */
	__u32 rwnd_limited_us;
	__u32 sndbuf_limited_us;
	__u32 sk_ack_backlog;
	__u32 sk_max_ack_backlog;
	__u32 prior_cwnd;
	__u32 undo_marker;
	__u32 accept_qlen;       /* listener: request sockets in the SYN queue */
	__u32 upgrades;          /* CFG.upgrades: which optional exact programs are live */
	__u16 advmss;
	__u16 mss_clamp;
	__u16 user_mss;
	__u16 total_rto;
	__u16 total_rto_recoveries;
	__u8 tstamp_ok;
	__u8 sack_ok;
	__u8 wscale_ok;
	__u8 snd_wscale;
	__u8 rcv_wscale;
	__u8 ecn_flags;
	__u8 nonagle;
	__u8 retransmits;        /* icsk_retransmits */
	__u8 backoff;            /* icsk_backoff */
	__u8 tos;
	__u8 sysctl_timestamps;
	__u8 sysctl_sack;
	__u8 sysctl_ecn;
	__u8 sysctl_wscale;
	__u8 pad1[4];

	/* per-socket state */
	struct estats_sk st;
	/* listener counters (only for sockets in LISTEN) */
	struct estats_listener lst;
};

#define ESTATS_PORTS_LOCAL 0     /* byte offsets of the bitmaps in port_map */
#define ESTATS_PORTS_REMOTE 8192
#define ESTATS_PORTS_EITHER 16384
#define ESTATS_PORT_MAP_BYTES 24576

/* Set between open and load (".rodata"). */
struct estats_config {
	__u64 sample_ns;         /* min gap between ack/rtt events per socket; 0 = every one */
	__u32 filter_flags;      /* ESTATS_FILTER_* */
	__u32 family;            /* 0 any, 4 or 6 */
	__u64 wall_offset_ns;    /* CLOCK_REALTIME - CLOCK_MONOTONIC at load, ns */
	__u32 upgrades;          /* ESTATS_UPG_*: optional fentry/fexit programs that loaded */
	__u32 kinds;             /* event kinds to send (bit 1 << ESTATS_EV_*); 0 = all. Per-socket
	                            state is kept whatever the mask: only the sending is skipped */
	__u64 ring_size;         /* bytes of the events ring (wake-up threshold without a query) */
	__u32 hooks_off;         /* ESTATS_OFF_*: optional programs the loader left unattached */
	__u32 kinds_own;         /* the same as kinds, for sockets of the network namespace own_netns */
	__u32 own_netns;         /* inode number of the tool's network namespace */
	__u32 light;             /* 1: no variable read needs the per-socket tracking (on_segment,
	                            track_extremes, the tx fold, header parsing at sock_ops): skipped */
	/* kernel-side port filter, three bitmaps of 8192 bytes (one bit per port):
	 * allowed as local port (ESTATS_PORTS_LOCAL), as remote port
	 * (ESTATS_PORTS_REMOTE), at either end (ESTATS_PORTS_EITHER); a direct
	 * load on the hot path, no map lookup */
	__u8 port_map[ESTATS_PORT_MAP_BYTES];
};

/* ESTATS_OFF_*: optional programs not attached (their state is then never folded in) */
#define ESTATS_OFF_XMIT 0x1

/*
 * Optional fentry/fexit programs that make approximate (class A) variables
 * exact where the kernel allows them. The loader sets a bit only when the
 * programs loaded; the floor heuristics for those variables then stand down.
 */
#define ESTATS_UPG_CWND_GROWTH 0x1 /* fentry tcp_slow_start, tcp_cong_avoid_ai: SlowStart, CongAvoid */
#define ESTATS_UPG_UNDO 0x2        /* fentry tcp_undo_cwnd_reduction: SpuriousFr/RtoDetected, CongOverCount */
#define ESTATS_UPG_RESTART 0x4     /* fentry tcp_cwnd_restart: OtherReductions */
#define ESTATS_UPG_ACCEPT 0x8      /* fexit inet_csk_accept: Listener Accepted */
#define ESTATS_UPG_SYN 0x10        /* fentry tcp_conn_request: Listener SynRcvd */

#define ESTATS_FILTER_LPORT 0x1  /* local port must be in port_map[ESTATS_PORTS_LOCAL] */
#define ESTATS_FILTER_RPORT 0x2  /* remote port must be in port_map[ESTATS_PORTS_REMOTE] */
#define ESTATS_FILTER_PORT 0x4   /* either port must be in port_map[ESTATS_PORTS_EITHER] */

#endif

/* Shared parsing for the scenario tc programs (cls_bpf, direct-action).
 * Each program sits on one veth of a namespace pair that carries a single
 * test connection, so "the flow" is every TCP packet that passes.
 *
 * Two array maps per program, both u32 -> u64:
 *   cfg   written by the test (bpftool map update) before traffic starts
 *   stats written by the program, read by the test (bpftool map dump)
 */
#ifndef SCENARIO_TC_COMMON_H
#define SCENARIO_TC_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define NSLOTS 8

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NSLOTS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline __u64 cfg_get(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&cfg, &k);
	return v ? *v : 0;
}

static __always_inline __u64 *stat_ptr(__u32 k)
{
	return bpf_map_lookup_elem(&stats, &k);
}

static __always_inline void stat_add(__u32 k, __u64 d)
{
	__u64 *v = stat_ptr(k);
	if (v)
		__sync_fetch_and_add(v, d);
}

/* What the programs need to know about one packet. */
struct pkt {
	int ipv6;          /* 0 = IPv4, 1 = IPv6 */
	__u32 l3_off;      /* offset of the IP header */
	__u32 payload;     /* TCP payload bytes */
	__u32 seq;         /* host order */
	__u16 sport, dport;/* host order */
	__u8 flags;        /* TCP flags byte (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 ...) */
	__u8 ecn;          /* IP ECN field (0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) */
};

/* 1 if the skb is a TCP packet (filled into *p), 0 otherwise. */
static __always_inline int parse_tcp(struct __sk_buff *skb, struct pkt *p)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *th;
	__u32 l4_len;

	if ((void *)(eth + 1) > data_end)
		return 0;
	p->l3_off = sizeof(*eth);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 ihl;
		if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_TCP)
			return 0;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip))
			return 0;
		th = (void *)ip + ihl;
		if ((void *)(th + 1) > data_end)
			return 0;
		l4_len = bpf_ntohs(ip->tot_len) - ihl;
		p->ipv6 = 0;
		p->ecn = ip->tos & 3;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || ip6->nexthdr != IPPROTO_TCP)
			return 0;
		th = (void *)(ip6 + 1);
		if ((void *)(th + 1) > data_end)
			return 0;
		l4_len = bpf_ntohs(ip6->payload_len);
		p->ipv6 = 1;
		p->ecn = (bpf_ntohl(*(__be32 *)ip6) >> 20) & 3;
	} else {
		return 0;
	}
	if (l4_len < th->doff * 4u)
		return 0;
	p->payload = l4_len - th->doff * 4u;
	p->seq = bpf_ntohl(th->seq);
	p->sport = bpf_ntohs(th->source);
	p->dport = bpf_ntohs(th->dest);
	p->flags = ((__u8 *)th)[13];
	return 1;
}

/* seq a after seq b (mod 2^32) */
static __always_inline int seq_after(__u32 a, __u32 b)
{
	return (__s32)(a - b) > 0;
}

/*
 * The numbering of new data segments shared by the steering programs
 * (drop_nth, reorder): a data segment to the configured port (cfg[2], 0 =
 * any) that ends past the highest end seen so far (stats[4], advanced here)
 * gets the next number (stats[0]), returned; anything else returns 0: not TCP
 * data, another port, or a retransmission (counted in stats[3]).
 */
static __always_inline __u64 new_data_segment(struct __sk_buff *skb, struct pkt *p)
{
	__u64 port, *hi, *seen;
	__u32 end;

	if (!parse_tcp(skb, p) || p->payload == 0)
		return 0;
	port = cfg_get(2);
	if (port && p->dport != port)
		return 0;
	hi = stat_ptr(4);
	seen = stat_ptr(0);
	if (!hi || !seen)
		return 0;
	end = p->seq + p->payload;
	if (*hi && !seq_after(end, (__u32)(*hi - 1))) {
		stat_add(3, 1);
		return 0;
	}
	*hi = (__u64)end + 1;
	*seen += 1;
	return *seen;
}

char LICENSE[] SEC("license") = "GPL";

#endif

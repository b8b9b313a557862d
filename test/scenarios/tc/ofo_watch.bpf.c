/* The receiver's view of arrival order, counted before TCP sees it: put it
 * on the receiver's ingress. It follows the next expected sequence number
 * (rcv_nxt) from the SYN and the out-of-order range above it, for one
 * connection whose sender never retransmits (the reorder scenario), so its
 * counts are what the receiving TCP did with the same packets in the same
 * order.
 *
 * cfg[0] only packets to this destination port (0 = any)
 * stats[0] data segments seen
 * stats[1] out-of-order arrivals (seq above the next expected byte)
 * stats[2] episodes: out-of-order arrivals while nothing was out of order
 * stats[3] Σ over episodes of (end − next expected) at the first arrival
 * stats[4] max over out-of-order arrivals of (end − next expected)
 * stats[5] arrivals this model does not follow (an out-of-order segment not
 *          adjacent to the range already held, a partial overlap); when > 0
 *          the other counts are not exact
 * stats[6] duplicate data segments (entirely below the next expected byte)
 * stats[7] 1 once the SYN was seen
 * spans[k] (end − next expected) at the first arrival of episode k (k < 64)
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} ofo_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} spans SEC(".maps");

#define S_NEXT 0
#define S_LO 1
#define S_HI 2
#define S_HELD 3

static __always_inline __u64 *sp(__u32 k)
{
	return bpf_map_lookup_elem(&ofo_state, &k);
}

SEC("tc")
int ofo_watch(struct __sk_buff *skb)
{
	struct pkt p = {};
	__u64 port, *next, *lo, *hi, *held, *synced, *maxspan;
	__u32 s, e, span;

	if (!parse_tcp(skb, &p))
		return TC_ACT_OK;
	port = cfg_get(0);
	if (port && p.dport != port)
		return TC_ACT_OK;
	next = sp(S_NEXT); lo = sp(S_LO); hi = sp(S_HI); held = sp(S_HELD);
	synced = stat_ptr(7); maxspan = stat_ptr(4);
	if (!next || !lo || !hi || !held || !synced || !maxspan)
		return TC_ACT_OK;
	if (p.flags & 0x02) { /* SYN */
		*next = p.seq + 1;
		*held = 0;
		*synced = 1;
		return TC_ACT_OK;
	}
	if (!*synced || p.payload == 0)
		return TC_ACT_OK;
	stat_add(0, 1);
	s = p.seq;
	e = p.seq + p.payload;
	if (s == (__u32)*next) {
		*next = e;
		if (*held && !seq_after((__u32)*lo, e)) {
			if (seq_after((__u32)*hi, e))
				*next = (__u32)*hi;
			*held = 0;
		}
	} else if (seq_after(s, (__u32)*next)) {
		stat_add(1, 1);
		span = e - (__u32)*next;
		if (!*held) {
			__u64 *ep = stat_ptr(2);
			if (ep) {
				__u32 k = *ep;
				__u64 *slot = bpf_map_lookup_elem(&spans, &k);
				if (slot)
					*slot = span;
			}
			stat_add(2, 1);
			stat_add(3, span);
			*lo = s;
			*hi = e;
			*held = 1;
		} else if (s == (__u32)*hi) {
			*hi = e;
		} else {
			stat_add(5, 1);
		}
		if (span > *maxspan)
			*maxspan = span;
	} else if (!seq_after(e, (__u32)*next)) {
		stat_add(6, 1);
	} else {
		stat_add(5, 1);
		*next = e;
	}
	return TC_ACT_OK;
}

/* The sender's incoming ACKs, counted before TCP sees them: put it on the
 * sender's ingress, for a connection whose receiver sends no data.
 *
 * cfg[0] only packets from this source port (0 = any)
 * stats[0] ACK segments seen (SYN-ACK included)
 * stats[1] ACKs that advanced the highest acknowledgment number seen
 * stats[2] duplicate ACKs: no payload, no SYN/FIN/RST, acknowledgment number
 *          equal to the highest seen (any window)
 * stats[3] ACKs carrying a SACK option
 * stats[4] SACK blocks in those options
 * stats[5] ACKs that carried a SACK option but did not advance (dubious)
 * stats[6] highest acknowledgment number seen + 1 (0 = none yet; internal)
 * stats[7] runs of consecutive SACK-bearing ACKs
 * runs[k] length of run k (k < 64): one run per reordering episode of the
 *         receiver (it sends SACK blocks while it holds out-of-order data)
 */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} in_run SEC(".maps");

SEC("tc")
int ack_watch(struct __sk_buff *skb)
{
	struct pkt p = {};
	__u32 optlen, sacks = 0, blocks = 0;
	struct tcphdr th;
	__u64 port, *hi;
	__u32 ack, l4, i, k;
	int adv;

	if (!parse_tcp(skb, &p))
		return TC_ACT_OK;
	port = cfg_get(0);
	if (port && p.sport != port)
		return TC_ACT_OK;
	if (!(p.flags & 0x10)) /* ACK */
		return TC_ACT_OK;
	l4 = p.l3_off + (p.ipv6 ? 40 : 20); /* the scenario's IPv4 has no IP options */
	if (bpf_skb_load_bytes(skb, l4, &th, sizeof(th)))
		return TC_ACT_OK;
	ack = bpf_ntohl(th.ack_seq);
	optlen = th.doff * 4 > 20 ? th.doff * 4 - 20 : 0;
	/* options one byte pair at a time (variable offsets into the packet) */
	for (i = 0, k = 0; i < 20; i++) {
		__u8 b[2] = {};
		if (k >= optlen || k > 38)
			break;
		if (bpf_skb_load_bytes(skb, l4 + 20 + k, b, k + 1 < optlen ? 2 : 1))
			break;
		if (b[0] == 0)
			break;
		if (b[0] == 1) {
			k++;
			continue;
		}
		if (b[1] < 2)
			break;
		if (b[0] == 5) {
			sacks++;
			blocks += (b[1] - 2) / 8;
		}
		k += b[1];
	}
	hi = stat_ptr(6);
	if (!hi)
		return TC_ACT_OK;
	stat_add(0, 1);
	adv = !*hi || seq_after(ack, (__u32)(*hi - 1));
	if (adv) {
		*hi = (__u64)ack + 1;
		stat_add(1, 1);
	} else if (p.payload == 0 && !(p.flags & 0x07) && ack == (__u32)(*hi - 1)) {
		stat_add(2, 1);
	}
	{
		__u32 z = 0;
		__u64 *run = bpf_map_lookup_elem(&in_run, &z), *nruns = stat_ptr(7);
		if (run && nruns) {
			if (sacks && !*run) {
				*run = 1;
				*nruns += 1;
			} else if (!sacks) {
				*run = 0;
			}
			if (sacks && *nruns) {
				__u32 k = *nruns - 1;
				__u64 *len = bpf_map_lookup_elem(&runs, &k);
				if (len)
					*len += 1;
			}
		}
	}
	if (sacks) {
		stat_add(3, 1);
		stat_add(4, blocks);
		if (!adv)
			stat_add(5, 1);
	}
	return TC_ACT_OK;
}

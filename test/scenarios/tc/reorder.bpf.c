/* Reordering without netem (not built here) and without fq: put it on the
 * sender's egress (clsact) in front of an htb root qdisc whose default class
 * is rate-limited (the queue) and which has a second, faster class of higher
 * priority. Every Nth new data segment is steered into that class through
 * skb->priority (htb takes skb->priority as a class id when one matches), so
 * it leaves before the segments already queued in the default class: the
 * receiver sees it out of order, the segments it overtook arrive late, and
 * nothing is lost.
 *
 * cfg[0] N: steer data segment number N, 2N, 3N, ... (0 = none)
 * cfg[1] the fast class id as skb->priority (major << 16 | minor)
 * cfg[2] only packets to this destination port (0 = any)
 * stats[0] new data segments seen (retransmissions excluded)
 * stats[1] segments steered into the fast class
 * stats[2] payload bytes steered
 * stats[3] retransmitted data segments (seq below the highest seen), passed unchanged
 * stats[4] highest end sequence seen + 1 (0 = none yet; internal)
 */
#include "common.h"

SEC("tc")
int reorder(struct __sk_buff *skb)
{
	struct pkt p = {};
	__u64 seen = new_data_segment(skb, &p), n = cfg_get(0);

	if (seen && n && seen % n == 0) {
		skb->priority = (__u32)cfg_get(1);
		stat_add(1, 1);
		stat_add(2, p.payload);
	}
	return TC_ACT_OK;
}

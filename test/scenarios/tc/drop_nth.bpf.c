/* Drop every Nth new TCP data segment (real loss for fast retransmit, SACK,
 * DSACK, out-of-order queues). Put it on the receiver's ingress.
 *
 * cfg[0] N: drop data segment number N, 2N, 3N, ... (0 = pass everything)
 * cfg[1] maximum number of drops (0 = no limit)
 * cfg[2] only packets to this destination port (0 = any)
 * stats[0] new data segments seen (retransmissions excluded)
 * stats[1] segments dropped
 * stats[2] payload bytes dropped
 * stats[3] retransmitted data segments passed (seq below the highest seen)
 * stats[4] highest end sequence seen + 1 (0 = none yet; internal)
 *
 * Retransmissions (seq before the highest end seen) are never dropped, so
 * every drop is repaired by exactly one retransmission and no RTO is needed.
 */
#include "common.h"

SEC("tc")
int drop_nth(struct __sk_buff *skb)
{
	struct pkt p = {};
	__u64 seen = new_data_segment(skb, &p), n = cfg_get(0), max = cfg_get(1);
	__u64 *dropped = stat_ptr(1);

	if (seen && n && seen % n == 0 && dropped && (!max || *dropped < max)) {
		*dropped += 1;
		stat_add(2, p.payload);
		return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

/* Set CE on every Mth ECN-capable TCP data segment (classic ECN signals).
 * Put it on the receiver's ingress.
 *
 * cfg[0] M: mark ECT data segment number M, 2M, 3M, ... (0 = never)
 * cfg[1] maximum number of marks (0 = no limit)
 * cfg[2] only packets to this destination port (0 = any)
 * stats[0] data segments seen
 * stats[1] ECT data segments seen
 * stats[2] segments marked CE
 * stats[3] segments that arrived already CE
 */
#include "common.h"

SEC("tc")
int ce_mark(struct __sk_buff *skb)
{
	struct pkt p = {};
	__u64 m, max, port, *ect, *marked;

	if (!parse_tcp(skb, &p) || p.payload == 0)
		return TC_ACT_OK;
	port = cfg_get(2);
	if (port && p.dport != port)
		return TC_ACT_OK;
	stat_add(0, 1);
	if (p.ecn == 3) {
		stat_add(3, 1);
		return TC_ACT_OK;
	}
	if (p.ecn == 0)
		return TC_ACT_OK;
	ect = stat_ptr(1);
	marked = stat_ptr(2);
	if (!ect || !marked)
		return TC_ACT_OK;
	*ect += 1;
	m = cfg_get(0);
	max = cfg_get(1);
	if (!m || *ect % m != 0 || (max && *marked >= max))
		return TC_ACT_OK;
	if (p.ipv6) {
		/* version(4) | traffic class(8) | flow label(20): ECN = bits 20-21 */
		__u8 b1;
		if (bpf_skb_load_bytes(skb, p.l3_off + 1, &b1, 1))
			return TC_ACT_OK;
		b1 |= 0x30;
		if (bpf_skb_store_bytes(skb, p.l3_off + 1, &b1, 1, 0))
			return TC_ACT_OK;
	} else {
		__u8 tos, ntos;
		if (bpf_skb_load_bytes(skb, p.l3_off + 1, &tos, 1))
			return TC_ACT_OK;
		ntos = tos | 3;
		/* checksum over 16-bit words: TOS is the low byte of the first word */
		if (bpf_l3_csum_replace(skb, p.l3_off + 10, bpf_htons(tos), bpf_htons(ntos), 2))
			return TC_ACT_OK;
		if (bpf_skb_store_bytes(skb, p.l3_off + 1, &ntos, 1, 0))
			return TC_ACT_OK;
	}
	*marked += 1;
	return TC_ACT_OK;
}

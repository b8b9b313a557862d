/* Black-hole all TCP for a time window that starts after a given number of
 * data segments (RTO, backed-off subsequent RTOs). The window is timed in
 * the program, so it does not depend on the test's scheduling.
 *
 * cfg[0] start after this many TCP data segments have passed (0 = never)
 * cfg[1] window length in ns
 * cfg[2] only packets to or from this port (0 = any)
 * cfg[3] 1 = drop everything now (manual toggle), independent of cfg[0]
 * stats[0] data segments seen
 * stats[1] packets dropped
 * stats[2] window start (bpf_ktime_get_ns), 0 = not started
 * stats[3] window end (ns)
 * stats[4] data segments dropped
 */
#include "common.h"

SEC("tc")
int blackhole(struct __sk_buff *skb)
{
	struct pkt p = {};
	__u64 after, len, port, now, *seen, *start, *end;

	if (!parse_tcp(skb, &p))
		return TC_ACT_OK;
	port = cfg_get(2);
	if (port && p.dport != port && p.sport != port)
		return TC_ACT_OK;
	if (cfg_get(3)) {
		stat_add(1, 1);
		if (p.payload)
			stat_add(4, 1);
		return TC_ACT_SHOT;
	}
	seen = stat_ptr(0);
	start = stat_ptr(2);
	end = stat_ptr(3);
	if (!seen || !start || !end)
		return TC_ACT_OK;
	now = bpf_ktime_get_ns();
	after = cfg_get(0);
	len = cfg_get(1);
	if (*start == 0) {
		if (p.payload)
			*seen += 1;
		if (!after || *seen < after)
			return TC_ACT_OK;
		*start = now;
		*end = now + len;
	}
	if (now < *end) {
		stat_add(1, 1);
		if (p.payload)
			stat_add(4, 1);
		return TC_ACT_SHOT;
	}
	if (p.payload)
		*seen += 1;
	return TC_ACT_OK;
}

"""getsockopt(TCP_INFO) decoded by field name (struct tcp_info of Linux 6.x),
shared by the test traffic helpers tcpx.py and nstcp.py. Field names are the
kernel's without the tcpi_ prefix."""
import socket, struct


def tcp_info(s):
    b = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    u8 = struct.unpack_from('8B', b, 0)
    u32 = struct.unpack_from('24I', b, 8)
    names32 = ['rto', 'ato', 'snd_mss', 'rcv_mss', 'unacked', 'sacked', 'lost', 'retrans', 'fackets',
               'last_data_sent', 'last_ack_sent', 'last_data_recv', 'last_ack_recv', 'pmtu', 'rcv_ssthresh',
               'rtt', 'rttvar', 'snd_ssthresh', 'snd_cwnd', 'advmss', 'reordering', 'rcv_rtt', 'rcv_space',
               'total_retrans']
    d = dict(zip(names32, u32))
    d.update(state=u8[0], ca_state=u8[1], retransmits=u8[2], probes=u8[3], backoff=u8[4], options=u8[5],
             snd_wscale=u8[6] & 15, rcv_wscale=u8[6] >> 4)
    d['pacing_rate'], d['max_pacing_rate'], d['bytes_acked'], d['bytes_received'] = struct.unpack_from('4Q', b, 104)
    (d['segs_out'], d['segs_in'], d['notsent_bytes'], d['min_rtt'], d['data_segs_in'],
     d['data_segs_out']) = struct.unpack_from('6I', b, 136)
    d['delivery_rate'] = struct.unpack_from('Q', b, 160)[0]
    d['busy_time'], d['rwnd_limited'], d['sndbuf_limited'] = struct.unpack_from('3Q', b, 168)
    d['delivered'], d['delivered_ce'] = struct.unpack_from('2I', b, 192)
    d['bytes_sent'], d['bytes_retrans'] = struct.unpack_from('2Q', b, 200)
    d['dsack_dups'], d['reord_seen'], d['rcv_ooopack'], d['snd_wnd'], d['rcv_wnd'] = struct.unpack_from('5I', b, 216)
    d['rehash'] = struct.unpack_from('I', b, 236)[0]
    d['total_rto'], d['total_rto_recoveries'] = struct.unpack_from('2H', b, 240)
    d['total_rto_time'] = struct.unpack_from('I', b, 244)[0]
    return d

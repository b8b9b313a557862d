#!/usr/bin/env python3
"""Real TCP traffic for the live tests, with the kernel's own account of it.

  tcpx.py transfer PORT NBYTES   connect to 127.0.0.1:PORT (a server in this
                                 process), send NBYTES, close both ends, then
                                 print the client's final TCP_INFO as JSON
  tcpx.py hold PORT NBYTES       same, but first print {"ready": ...} and wait
                                 for a line on stdin before sending
"""
import json, socket, struct, sys, threading, time

def tcp_info(s):
    b = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    u8 = struct.unpack_from('8B', b, 0)
    u32 = struct.unpack_from('24I', b, 8)
    names32 = ['rto', 'ato', 'snd_mss', 'rcv_mss', 'unacked', 'sacked', 'lost', 'retrans', 'fackets',
               'last_data_sent', 'last_ack_sent', 'last_data_recv', 'last_ack_recv', 'pmtu', 'rcv_ssthresh',
               'rtt', 'rttvar', 'snd_ssthresh', 'snd_cwnd', 'advmss', 'reordering', 'rcv_rtt', 'rcv_space',
               'total_retrans']
    d = dict(zip(names32, u32))
    d.update(state=u8[0], ca_state=u8[1], retransmits=u8[2], backoff=u8[4], options=u8[5],
             snd_wscale=u8[6] & 15, rcv_wscale=u8[6] >> 4)
    d['pacing_rate'], d['max_pacing_rate'], d['bytes_acked'], d['bytes_received'] = struct.unpack_from('4Q', b, 104)
    (d['segs_out'], d['segs_in'], d['notsent_bytes'], d['min_rtt'], d['data_segs_in'],
     d['data_segs_out']) = struct.unpack_from('6I', b, 136)
    d['busy_time'], d['rwnd_limited'], d['sndbuf_limited'] = struct.unpack_from('3Q', b, 168)
    d['delivered'], d['delivered_ce'] = struct.unpack_from('2I', b, 192)
    d['bytes_sent'], d['bytes_retrans'] = struct.unpack_from('2Q', b, 200)
    d['dsack_dups'], d['reord_seen'], d['rcv_ooopack'], d['snd_wnd'], d['rcv_wnd'] = struct.unpack_from('5I', b, 216)
    d['total_rto'], d['total_rto_recoveries'] = struct.unpack_from('2H', b, 240)
    return d

def main():
    mode, port, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', port))
    srv.listen(8)
    got = []
    def serve():
        c, _ = srv.accept()
        n = 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            n += len(d)
        got.append(n)
        c.close()
    t = threading.Thread(target=serve)
    t.start()
    cli = socket.create_connection(('127.0.0.1', port))
    lport = cli.getsockname()[1]
    if mode == 'hold':
        print(json.dumps({'ready': True, 'lport': lport}), flush=True)
        sys.stdin.readline()
    buf = b'x' * 65536
    left = nbytes
    while left > 0:
        left -= cli.send(buf[:min(left, len(buf))])
    cli.shutdown(socket.SHUT_WR)
    while cli.recv(4096):
        pass
    t.join()
    time.sleep(0.3)  # let FIN_WAIT2 -> TIME_WAIT finish in softirq
    info = tcp_info(cli)
    cli.close()
    srv.close()
    print(json.dumps({'lport': lport, 'received': got[0], 'info': info}), flush=True)

main()

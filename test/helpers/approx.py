#!/usr/bin/env python3
"""Traffic with a known construction for the approximate (class A) variables
(test/live/approx.test.js). Run each end in its own network namespace.

  approx.py bursts --addr A --port P --bursts N --size C --gap-ms G [--sndbuf B]
      client: connect, then N times: send C bytes, wait until every byte is
      acknowledged (tcpi_unacked == 0 and tcpi_notsent_bytes == 0), read
      TCP_INFO, sleep G ms. Then shutdown(SHUT_WR), read to EOF, wait for
      CLOSE. Prints {"role": "client", "gaps": [TCP_INFO before each sleep],
      "elapsed_us": connect() start → CLOSE seen, "info": final TCP_INFO}.
      The sender is idle (sender-limited) during every sleep, by construction.

  approx.py listen-overflow --addr A --port P --backlog K --connects N [--hold-ms MS]
      listen(K) without accept(), N non-blocking connect()s to it from the
      same process (same namespace), hold them MS ms (SYN retries included),
      close the clients (--rst: with a RST, SO_LINGER 0), wait 600 ms (the
      tool's last snapshots), print
      {"role": "overflow", "connected": n} and close the listener.

  approx.py replay --dev D --port P [--after N] [--copies K] [--delay-ms MS] [--spacing-ms MS]
      run in the SENDER's namespace: capture outgoing frames on veth D
      (AF_PACKET), keep the Nth TCP data segment to port P, and after MS ms
      send it again K times (SPACING ms apart) through the same veth, with a
      correct TCP checksum. The copies are old duplicates carrying an old
      TSval: the receiver's PAWS check rejects each one (TcpExtPAWSEstab,
      kfree_skb reason TCP_RFC7323_PAWS). Prints {"ready": true} once
      capturing, then {"role": "replay", "sent": K, "seq": s}.
      --seq-shift S --ts-bump T: move the copy's sequence number by S and its
      TSval forward by T: with S = 2^30 and T large enough to pass PAWS the
      copy lies beyond the receive window (TcpExtBeyondWindow, kfree_skb
      reason TCP_INVALID_SEQUENCE).
"""
import argparse, json, socket, struct, time

from tcpinfo import tcp_info  # noqa: E402 (test/helpers is the script's directory)

TCP_CLOSE = 7


def out(obj):
    print(json.dumps(obj), flush=True)


def wait_acked(s, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        i = tcp_info(s)
        if i['unacked'] == 0 and i['notsent_bytes'] == 0:
            return i
        time.sleep(0.001)
    raise SystemExit('data not acknowledged in time')


def bursts(a):
    s = socket.socket(socket.AF_INET6 if ':' in a.addr else socket.AF_INET, socket.SOCK_STREAM)
    if a.sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    t0 = time.monotonic()
    s.connect((a.addr, a.port))
    l, r = s.getsockname(), s.getpeername()
    buf = b'x' * a.size
    gaps = []
    for k in range(a.bursts):
        s.sendall(buf)
        i = wait_acked(s)
        gaps.append({k2: i[k2] for k2 in ('snd_cwnd', 'snd_ssthresh', 'rto', 'ca_state', 'busy_time',
                                          'rwnd_limited', 'sndbuf_limited', 'segs_in')})
        if k < a.bursts - 1 or a.trailing_gap:
            time.sleep(a.gap_ms / 1000)
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    end = time.monotonic() + 3
    while time.monotonic() < end and tcp_info(s)['state'] != TCP_CLOSE:
        time.sleep(0.002)
    elapsed = time.monotonic() - t0
    info = tcp_info(s)
    s.close()
    out({'role': 'client', 'laddr': l[0], 'lport': l[1], 'raddr': r[0], 'rport': r[1],
         'sent': a.bursts * a.size, 'gaps': gaps, 'elapsed_us': int(elapsed * 1e6), 'info': info})


def listen_overflow(a):
    fam = socket.AF_INET6 if ':' in a.addr else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.addr, a.port))
    srv.listen(a.backlog)
    out({'ready': True})
    cs = []
    for _ in range(a.connects):
        c = socket.socket(fam, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect((a.addr, a.port))
        except BlockingIOError:
            pass
        cs.append(c)
    time.sleep(a.hold_ms / 1000)
    connected = sum(1 for c in cs if tcp_info(c)['state'] == 1)
    for c in cs:
        if a.rst:  # abortive close: the queued children get a RST
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        c.close()  # no more SYN retries: the namespace's counters stop here
    time.sleep(0.6)  # two more snapshot ticks of the tool before the listener closes
    out({'role': 'overflow', 'connected': connected, 'queued': a.backlog})
    srv.close()


def csum(data):
    if len(data) % 2:
        data += b'\0'
    t = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff


def replay(a):
    ETH_P_ALL = 3
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((a.dev, ETH_P_ALL))
    s.settimeout(10)
    out({'ready': True})
    n = 0
    while True:
        frame, addr = s.recvfrom(65535)
        if addr[2] != socket.PACKET_OUTGOING or len(frame) < 54 or frame[12:14] != b'\x08\x00':
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            continue
        tot = struct.unpack('!H', ip[2:4])[0]
        tcp = bytearray(ip[ihl:tot])
        doff = (tcp[12] >> 4) * 4
        dport = struct.unpack('!H', tcp[2:4])[0]
        if dport != a.port or len(tcp) <= doff:
            continue
        n += 1
        if n == a.after:
            break
    seq = struct.unpack('!I', tcp[4:8])[0]
    if a.seq_shift:
        tcp[4:8] = struct.pack('!I', (seq + a.seq_shift) & 0xffffffff)
    if a.ts_bump:
        k = 20
        while k < doff:
            kind = tcp[k]
            if kind == 0:
                break
            if kind == 1:
                k += 1
                continue
            if kind == 8:
                tsval = struct.unpack('!I', tcp[k + 2:k + 6])[0]
                tcp[k + 2:k + 6] = struct.pack('!I', (tsval + a.ts_bump) & 0xffffffff)
            k += max(tcp[k + 1], 2)
    # the veth offloads the checksum (CHECKSUM_PARTIAL): compute it for the copy
    tcp[16:18] = b'\0\0'
    pseudo = ip[12:20] + struct.pack('!BBH', 0, 6, len(tcp))
    tcp[16:18] = struct.pack('!H', csum(pseudo + bytes(tcp)))
    copy = frame[:14] + ip[:ihl] + bytes(tcp)
    time.sleep(a.delay_ms / 1000)
    for _ in range(a.copies):
        s.send(copy)
        time.sleep(a.spacing_ms / 1000)
    out({'role': 'replay', 'sent': a.copies, 'seq': seq})


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['bursts', 'listen-overflow', 'replay'])
    p.add_argument('--addr', default='')
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--bursts', type=int, default=8)
    p.add_argument('--size', type=int, default=65536)
    p.add_argument('--gap-ms', type=float, default=300)
    p.add_argument('--trailing-gap', action='store_true')
    p.add_argument('--sndbuf', type=int, default=0)
    p.add_argument('--backlog', type=int, default=1)
    p.add_argument('--connects', type=int, default=5)
    p.add_argument('--hold-ms', type=int, default=1500)
    p.add_argument('--rst', action='store_true')
    p.add_argument('--dev')
    p.add_argument('--after', type=int, default=200)
    p.add_argument('--copies', type=int, default=3)
    p.add_argument('--delay-ms', type=int, default=100)
    p.add_argument('--spacing-ms', type=int, default=20)
    p.add_argument('--seq-shift', type=int, default=0)
    p.add_argument('--ts-bump', type=int, default=0)
    a = p.parse_args()
    {'bursts': bursts, 'listen-overflow': listen_overflow, 'replay': replay}[a.mode](a)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Traffic for the namespace scenarios (test/live/scenarios.test.js).

Run each end in its own network namespace (`ip netns exec NS python3 nstcp.py ...`):

  nstcp.py server --addr ADDR --port P [options]
      listen on ADDR:P, print {"ready": true} once listening, accept one
      connection, read until EOF, then shutdown(SHUT_WR), wait for the
      socket to reach CLOSE and print {"role": "server", "received": n,
      "info": TCP_INFO, ...}. The server is the passive closer: its final
      TCP_INFO includes its FIN and the ACK of it.
  nstcp.py client --addr ADDR --port P --bytes N [options]
      connect to ADDR:P, send N bytes, shutdown(SHUT_WR), read until EOF,
      wait for CLOSE and print {"role": "client", "info": TCP_INFO, ...}.

Options (either side):
  --rcvbuf N / --sndbuf N   SO_RCVBUF / SO_SNDBUF (set before listen/connect)
  --maxseg N                TCP_MAXSEG (set before listen/connect)
  --ttl N / --tos N         IP_TTL / IP_TOS (IPV6_UNICAST_HOPS / IPV6_TCLASS for IPv6)
  --nodelay                 TCP_NODELAY
Server only:
  --stall-after N --stall-ms MS   stop reading for MS ms once N bytes were read
  --recv-size N             bytes per recv() (default 65536)
Client only:
  --chunk N                 bytes per send() (default 65536)
  --gap-ms MS               sleep between send() calls
  --drain                   before shutdown(SHUT_WR), wait until every byte
                            sent was acknowledged (tcpi_unacked == 0), so all
                            data ACKs arrive while the socket is ESTABLISHED

The client polls TCP_INFO after every send() (and while draining) and prints
the extremes it saw as "polled": max_ss_cwnd / max_ca_cwnd (cwnd × mss,
split by cwnd < ssthresh as RFC 4898 MaxSsCwnd/MaxCaCwnd), max/min_ssthresh
(× mss, "infinite" left out, null until set), max_pipe ((unacked − sacked −
lost + retrans) × mss), max_retxq (SIOCOUTQ − SIOCOUTQNSD = snd_nxt −
snd_una; SIOCOUTQNSD read first, so it never exceeds a value the socket had),
max_notsent (tcpi_notsent_bytes) and n (number of polls). The server prints
max_inq, the largest SIOCINQ it saw before a recv(), and "times": time.time()
around listen(). The server listens with a backlog of 8 and accepts once.

TCP_INFO fields have the same names as in tcpx.py (tcpi_ without the prefix),
plus total_rto_time; "options" is the tcpi_options bit set (1 timestamps,
2 sack, 4 wscale, 8 ecn, 16 ecn_seen).
"""
import argparse, fcntl, json, socket, struct, sys, time

TCP_CLOSE = 7


from tcpinfo import tcp_info  # noqa: E402 (test/helpers is the script's directory)


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def set_opts(s, a, fam):
    if a.rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    if a.sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    if a.maxseg:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, a.maxseg)
    if a.nodelay:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if a.ttl is not None:
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, a.ttl)
        else:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
    if a.tos is not None:
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, a.tos)
        else:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, a.tos)


def wait_closed(s, timeout=3.0):
    """Wait until the kernel moved the socket to CLOSE (FIN exchange done);
    returns time.monotonic() when CLOSE was seen (or at the timeout)."""
    end = time.monotonic() + timeout
    while True:
        now = time.monotonic()
        if now >= end or tcp_info(s)['state'] == TCP_CLOSE:
            break
        time.sleep(0.01)
    time.sleep(0.05)
    return now


SIOCINQ, SIOCOUTQ, SIOCOUTQNSD = 0x541B, 0x5411, 0x894B
INFINITE_SSTHRESH = 0x7fffffff


class Poll:
    """Extremes of the sender's TCP_INFO over the polls (see the module doc)."""

    def __init__(self):
        self.d = {'n': 0, 'max_ss_cwnd': 0, 'max_ca_cwnd': 0, 'max_ssthresh': None, 'min_ssthresh': None,
                  'max_pipe': 0, 'max_retxq': 0}

    def __call__(self, s):
        i = tcp_info(s)
        d, mss = self.d, i['snd_mss']
        d['n'] += 1
        cwnd, ssth = i['snd_cwnd'], i['snd_ssthresh']
        key = 'max_ss_cwnd' if ssth >= INFINITE_SSTHRESH or cwnd < ssth else 'max_ca_cwnd'
        d[key] = max(d[key], cwnd * mss)
        if ssth < INFINITE_SSTHRESH:
            o = ssth * mss
            d['max_ssthresh'] = o if d['max_ssthresh'] is None else max(d['max_ssthresh'], o)
            d['min_ssthresh'] = o if d['min_ssthresh'] is None else min(d['min_ssthresh'], o)
        d['max_pipe'] = max(d['max_pipe'], (i['unacked'] - i['sacked'] - i['lost'] + i['retrans']) * mss)
        # two reads, not one snapshot: SIOCOUTQNSD (write_seq − snd_nxt) first, so an ACK
        # processed in between can only make the difference smaller, never invent a larger one
        nsd = struct.unpack('i', fcntl.ioctl(s.fileno(), SIOCOUTQNSD, b'\0' * 4))[0]
        outq = struct.unpack('i', fcntl.ioctl(s.fileno(), SIOCOUTQ, b'\0' * 4))[0]
        d['max_retxq'] = max(d['max_retxq'], outq - nsd)
        d['max_notsent'] = max(d.get('max_notsent', 0), i['notsent_bytes'])
        return i


def own_opts(s, fam):
    o = {'maxseg': s.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG),
         'window_clamp': s.getsockopt(socket.IPPROTO_TCP, socket.TCP_WINDOW_CLAMP),
         'rcvbuf': s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
         'sndbuf': s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)}
    if fam == socket.AF_INET:
        o['tos'] = s.getsockopt(socket.IPPROTO_IP, socket.IP_TOS)
        o['ttl'] = s.getsockopt(socket.IPPROTO_IP, socket.IP_TTL)
    return o


def ends(s):
    l, r = s.getsockname(), s.getpeername()
    return {'laddr': l[0], 'lport': l[1], 'raddr': r[0], 'rport': r[1]}


def out(obj):
    print(json.dumps(obj), flush=True)


def server(a):
    fam = family(a.addr)
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    set_opts(srv, a, fam)
    srv.bind((a.addr, a.port))
    times = {'wall_before_listen': time.time()}
    srv.listen(8)
    times['wall_listened'] = time.time()
    out({'ready': True, 'port': a.port})
    c, _ = srv.accept()
    e = ends(c)
    n, stalled, max_inq = 0, False, 0
    while True:
        if a.stall_after and not stalled and n >= a.stall_after:
            stalled = True
            time.sleep(a.stall_ms / 1000)
        inq = struct.unpack('i', fcntl.ioctl(c.fileno(), SIOCINQ, b'\0' * 4))[0]
        max_inq = max(max_inq, inq)
        d = c.recv(a.recv_size)
        if not d:
            break
        n += len(d)
    c.shutdown(socket.SHUT_WR)
    wait_closed(c)
    info = tcp_info(c)
    o = own_opts(c, fam)
    c.close()
    srv.close()
    out({'role': 'server', 'received': n, 'stalled': stalled, 'max_inq': max_inq, 'times': times, **e, 'opts': o, 'info': info})


def client(a):
    fam = family(a.addr)
    cli = socket.socket(fam, socket.SOCK_STREAM)
    set_opts(cli, a, fam)
    wall0, t0 = time.time(), time.monotonic()
    cli.connect((a.addr, a.port))
    times = {'before_connect': t0, 'wall_before_connect': wall0,
             'connected': time.monotonic(), 'wall_connected': time.time()}
    e = ends(cli)
    buf = b'x' * a.chunk
    left = a.bytes
    poll = Poll()
    while left > 0:
        left -= cli.send(buf[:min(left, len(buf))])
        poll(cli)
        if a.gap_ms:
            time.sleep(a.gap_ms / 1000)
    if a.drain:
        end = time.monotonic() + 10
        while time.monotonic() < end:
            i = poll(cli)
            if i['unacked'] == 0 and i['notsent_bytes'] == 0:
                break
            time.sleep(0.001)
    times['shutdown'] = time.monotonic()
    cli.shutdown(socket.SHUT_WR)
    while cli.recv(4096):
        pass
    times['closed'] = wait_closed(cli)
    info = tcp_info(cli)
    o = own_opts(cli, fam)
    cli.close()
    out({'role': 'client', 'sent': a.bytes, 'secs': time.monotonic() - t0, **e, 'opts': o, 'polled': poll.d, 'times': times, 'info': info})


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['server', 'client'])
    p.add_argument('--addr', required=True)
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--bytes', type=int, default=0)
    p.add_argument('--rcvbuf', type=int, default=0)
    p.add_argument('--sndbuf', type=int, default=0)
    p.add_argument('--maxseg', type=int, default=0)
    p.add_argument('--ttl', type=int)
    p.add_argument('--tos', type=lambda x: int(x, 0))
    p.add_argument('--nodelay', action='store_true')
    p.add_argument('--stall-after', type=int, default=0)
    p.add_argument('--stall-ms', type=int, default=0)
    p.add_argument('--recv-size', type=int, default=65536)
    p.add_argument('--chunk', type=int, default=65536)
    p.add_argument('--gap-ms', type=float, default=0)
    p.add_argument('--drain', action='store_true')
    a = p.parse_args()
    (server if a.mode == 'server' else client)(a)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Real TCP traffic for the live tests, with the kernel's own account of it.

  tcpx.py transfer PORT NBYTES   connect to 127.0.0.1:PORT (a server in this
                                 process), send NBYTES, close both ends, then
                                 print the client's final TCP_INFO as JSON
  tcpx.py hold PORT NBYTES       same, but first print {"ready": ...} and wait
                                 for a line on stdin before sending
"""
import json, socket, struct, sys, threading, time

from tcpinfo import tcp_info  # test/helpers is the script's directory

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

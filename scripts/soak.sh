#!/usr/bin/env bash
# Soak: run tcp-estats for a long time under connection churn and bulk
# traffic on loopback, and report its memory, the kernel maps' sizes and
# lost/unseen events every minute. Bounded: stops by itself after MINUTES.
#   sudo scripts/soak.sh [MINUTES=30] [PORT=9700]
# Pass: RSS and map sizes level off; no warnings on stderr other than lost
# events at the peaks (see the log it prints).
set -euo pipefail
cd "$(dirname "$0")/.."
MIN=${1:-30}; P=${2:-9700}
END=$(( $(date +%s) + MIN * 60 ))
LOG=$(mktemp -d)/soak
npm run build >/dev/null
node bin/tcp-estats.js -v -f json -e "every 10s where port in ($P, $((P+1))) print count(), sum(HCDataOctetsOut)" > "$LOG.out" 2> "$LOG.err" &
TOOL=$!
trap 'kill -INT $TOOL 2>/dev/null; wait $TOOL 2>/dev/null; echo "logs: $LOG.out $LOG.err"' EXIT
for _ in $(seq 100); do grep -q 'ready$' "$LOG.err" && break; sleep 0.1; done
# churn: short connections, bounded by the deadline
python3 - "$P" "$END" <<'PY' &
import socket, sys, threading, time
p, end = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); srv.bind(('127.0.0.1', p)); srv.listen(512)
def serve():
    while time.time() < end:
        c, _ = srv.accept(); c.recv(100); c.close()
threading.Thread(target=serve, daemon=True).start()
while time.time() < end:
    try:
        s = socket.create_connection(('127.0.0.1', p)); s.sendall(b'x' * 100); s.recv(10); s.close()
    except OSError:
        time.sleep(0.01)
PY
CHURN=$!
# bulk: one 200 MB transfer a minute
( while [ "$(date +%s)" -lt "$END" ]; do python3 test/helpers/tcpx.py transfer $((P+1)) 200000000 >/dev/null; sleep 60; done ) &
BULK=$!
while [ "$(date +%s)" -lt "$END" ]; do
  rss=$(awk '/VmRSS/ {print $2}' /proc/$TOOL/status)
  # entries in the newest tx_states / listeners maps (this instance's)
  maps=$(for n in tx_states listeners; do id=$(bpftool -j map show | python3 -c "import json,sys; ids=[m['id'] for m in json.load(sys.stdin) if m.get('name')=='$n']; print(max(ids) if ids else '')"); [ -n "$id" ] && printf '%s=%s ' "$n" "$(bpftool -j map dump id "$id" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"; done)
  echo "$(date +%T) rss_kib=$rss $maps warnings=$(grep -c warning "$LOG.err" || true)"
  sleep 60
done
wait $CHURN $BULK 2>/dev/null || true

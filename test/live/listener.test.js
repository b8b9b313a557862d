// The Listener table on a real listener: a tiny backlog and no accept(),
// then everything accepted. Checked against ss (Recv-Q / Send-Q of the
// LISTEN row) and the counts the test itself makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { needRoot, startTool, port, sleep } from './util.js';

const SERVER = `
import socket, sys, time
p, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', p)); srv.listen(1)
cs = []
for i in range(n):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('127.0.0.1', p))
    except BlockingIOError: pass
    cs.append(c)
time.sleep(1.5)
print('queued', flush=True)
sys.stdin.readline()
srv.setblocking(False)
acc = []
while True:
    try: acc.append(srv.accept()[0])
    except BlockingIOError: break
print('accepted', len(acc), flush=True)
sys.stdin.readline()
`;

function listenQueue(p) {
  // ss -ltn: Recv-Q = sk_ack_backlog, Send-Q = sk_max_ack_backlog on LISTEN rows
  const line = execFileSync('ss', ['-Hltn', `sport = :${p}`], { encoding: 'utf8' }).trim().split('\n')[0];
  const [, recvq, sendq] = line.trim().split(/\s+/);
  return { recvq: Number(recvq), sendq: Number(sendq) };
}

test('Listener table: tiny backlog without accept, then accept', { skip: needRoot, timeout: 60000 }, async t => {
  const p = port();
  const N = 2; // listen(1) queues backlog + 1 = 2: no SYN retries refill it after accept()
  const tool = startTool(['-f', 'json', '-e', `every 500ms where state == LISTEN and lport == ${p} print Listener.*`]);
  await tool.ready;
  const py = spawn('python3', ['-c', SERVER, String(p), String(N)], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => py.kill('SIGKILL'));
  const lines = [];
  const next = () => new Promise(res => { const i = setInterval(() => { if (lines.length) { clearInterval(i); res(lines.shift()); } }, 20); });
  createInterface({ input: py.stdout }).on('line', l => lines.push(l));
  assert.equal(await next(), 'queued');
  await sleep(1200); // two snapshot ticks
  const q = listenQueue(p);
  const atQueue = tool.stdout.split('\n').filter(Boolean).map(l => JSON.parse(l)).filter(r => r.type === 'row').at(-1);
  py.stdin.write('\n');
  const accepted = Number((await next()).split(' ')[1]);
  await sleep(1200); // CurConns is published by the next refresh pass
  const { rows } = await tool.stop();
  py.stdin.write('\n');
  await new Promise(r => py.on('exit', r));
  const last = rows.filter(r => r.type === 'row').at(-1);

  assert.equal(atQueue.MaxBacklog, 1, 'listen(1)');
  assert.equal(atQueue.MaxBacklog, q.sendq, 'ss Send-Q');
  assert.equal(atQueue.CurEstabBacklog, q.recvq, 'ss Recv-Q');
  assert.ok(atQueue.CurEstabBacklog >= 1 && atQueue.CurEstabBacklog <= 2, `queue ${atQueue.CurEstabBacklog}`);
  assert.equal(atQueue.Established, atQueue.CurEstabBacklog, 'every completed handshake is still queued');
  assert.equal(atQueue.Accepted, 0, 'nothing accepted yet');
  assert.ok(atQueue.CurBacklog >= atQueue.CurEstabBacklog);
  assert.ok(atQueue.SynRcvd >= atQueue.Established && atQueue.Initial >= atQueue.Established);
  assert.equal(atQueue.CurConns, 0);
  assert.ok(atQueue.StartTime > 0, 'listen() seen: StartTime set');

  assert.equal(accepted, q.recvq, 'the test accepted what was queued');
  assert.equal(last.CurEstabBacklog, 0);
  assert.equal(last.Accepted, accepted, 'Established − queue');
  assert.equal(last.CurConns, accepted, 'accepted and ESTABLISHED');
});

// The everyday command line on the real kernel (root): the live view when
// piped, -p, -4/-6, --cgroup, -v, and a closed output pipe. Traffic is
// loopback only, from this process (comm "node") or python3 in a cgroup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot, port, TCPX } from '../live/util.js';
import { BIN, lines, traffic } from './helpers.js';


/** run a shell command line; { code, stdout, stderr, ms } */
function sh(cmd, { timeout = 30000 } = {}) {
  const t0 = Date.now();
  const child = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', d => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', d => { stderr += d; });
  const kill = setTimeout(() => child.kill('SIGKILL'), timeout);
  return new Promise(res => child.on('exit', code => { clearTimeout(kill); res({ code, stdout, stderr, ms: Date.now() - t0 }); }));
}
const tool = args => `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args}`;

test('no program, piped: the live view as JSON batches; -p keeps this process\'s sockets; -4/-6', { skip: needRoot, timeout: 60000 }, async () => {
  const tr = await traffic();
  try {
    const r = await sh(`${tool(`-p ${process.pid} -4 --interval 300ms -d 1600ms`)}; echo "status $?" >&2`);
    assert.match(r.stderr, /status 0/);
    const rows = lines(r.stdout);
    assert.ok(rows.length >= 4, r.stdout);
    assert.ok(rows.every(o => o.type === 'row' && o.event === 'tick' && o.pid === process.pid && o.comm === 'node'), 'only sockets of this process');
    assert.ok(new Set(rows.map(o => o.time)).size >= 3, 'a batch per interval');
    const mine = rows.filter(o => o.lport === tr.lport && o.rport === tr.port);
    assert.ok(mine.length >= 3);
    assert.ok(mine.some(o => o.throughput > 100_000), 'throughput: the rate of HCThruOctetsAcked');
    assert.equal(mine[0].conn, `127.0.0.1:${tr.lport}>127.0.0.1:${tr.port}`);
    const v6 = await sh(tool(`-p ${process.pid} -6 --interval 300ms -d 1s`));
    assert.equal(v6.code, 0, v6.stderr);
    assert.equal(v6.stdout, '', 'no IPv6 sockets of ours');
  } finally { tr.stop(); }
});

test('| head -1: the tool ends at once, quietly, status 0', { skip: needRoot, timeout: 60000 }, async () => {
  const tr = await traffic();
  try {
    // the subshell reports the tool's own exit status
    const s = await sh(`( ${tool(`-p ${process.pid} --interval 200ms`)}; echo "tool $?" >&2 ) | head -1`);
    assert.equal(lines(s.stdout).length, 1);
    assert.doesNotMatch(s.stderr.replace('tool 0', ''), /\S/, 'nothing else on stderr (no "write EPIPE")');
    assert.ok(s.ms < 8000, `ended promptly (${s.ms} ms)`);
    assert.match(s.stderr, /tool 0/);
  } finally { tr.stop(); }
});

const ffi = needRoot ? {} : await import('../../dist/bpf/ffi.js').catch(() => ({}));
test('| head -1 on a quiet program: a closed pipe is noticed without writing', { skip: needRoot || (typeof ffi.outputGone !== 'function' && 'needs outputGone() in src/bpf/ffi.ts (poll for POLLERR/POLLHUP)'), timeout: 60000 }, async () => {
  const r = await sh(`( ${tool("-e 'on close where dport == 1 print raddr'")}; echo "tool $?" >&2 ) | (sleep 1; exit 0)`);
  assert.match(r.stderr, /tool 0/);
  assert.ok(r.ms < 6000, `${r.ms} ms`);
});

test('--cgroup PATH: only sockets of that cgroup v2 and the ones below it', { skip: needRoot, timeout: 60000 }, async () => {
  const mount = readFileSync('/proc/mounts', 'utf8').split('\n').map(l => l.split(' ')).find(f => f[2] === 'cgroup2')[1];
  const name = `tcp-estats-test-${process.pid}`;
  const cg = join(mount, name), child = join(cg, 'child');
  mkdirSync(child, { recursive: true });
  const tr = await traffic(); // outside the cgroup: must not show
  try {
    const p = port();
    const t = spawn(process.execPath, [BIN, '-v', '-f', 'json', '-d', '6s', '--cgroup', `/${name}`, '-e', 'on close print comm, cgroup'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    t.stdout.setEncoding('utf8').on('data', d => { out += d; });
    t.stderr.setEncoding('utf8').on('data', d => { err += d; });
    await new Promise((res, rej) => { const i = setInterval(() => { if (/; ready/.test(err)) { clearInterval(i); res(); } }, 50); t.on('exit', () => rej(new Error(err))); });
    const py = await sh(`echo $$ > ${child}/cgroup.procs && exec python3 ${TCPX} transfer ${p} 100000`);
    assert.equal(py.code, 0, py.stderr);
    tr.stop();
    const code = await new Promise(res => t.on('exit', res));
    assert.equal(code, 0, err);
    const rows = lines(out);
    assert.ok(rows.length >= 2, `client and server sockets closed: ${out}`);
    const id = Number(statSync(child).ino);
    for (const o of rows) {
      assert.equal(o.comm, 'python3');
      assert.equal(o.cgroup, id, 'the cgroup id is the inode number of the child directory');
    }
  } finally {
    tr.stop();
    rmdirSync(child); rmdirSync(cg);
  }
});

test('-vv: libbpf messages and progress on stderr, data only on stdout', { skip: needRoot, timeout: 60000 }, async () => {
  const r = await sh(tool("-vv -f json -d 500ms -e 'on close where dport == 1 print raddr'"));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^libbpf: /m);
  // raddr in per-socket rows: the owner hooks stay; nothing else optional is read
  assert.match(r.stderr, /^tcp-estats: attached \d+ programs \(events sent: close; not loaded, as nothing read needs them: tcp_retransmit_skb, tcp_cong_state_set, tcp_send_reset, tcp_receive_reset, net_dev_queue, kfree_skb; per-socket tracking off, as nothing read needs it\), seeded \d+ sockets; ready$/m);
});

// End to end on the real kernel: loopback transfers of a known size, the
// tool's close rows compared with the kernel's own TCP_INFO for the same
// socket, pre-existing connections, teardown, and record/replay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { needRoot, startTool, tcpx, port, ourKernelObjects, heldBy, sleep, BIN } from './util.js';

const VARS = 'SmoothedRTT, CurCwnd, CurMSS, SegsOut, SegsIn, HCDataOctetsOut, HCThruOctetsAcked, SegsRetrans';

test('close row equals TCP_INFO of the same socket', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const N = 3 * 1024 * 1024 + 17;
  const tool = startTool(['-f', 'json', '-e', `on close where dport == ${p} print ${VARS}`]);
  await tool.ready;
  const res = await tcpx('transfer', p, N);
  await sleep(300);
  const { code, rows } = await tool.stop();
  assert.equal(code, 0);
  assert.equal(res.received, N, 'server received everything');
  const mine = rows.filter(r => r.type === 'row' && r.lport === res.lport && r.rport === p);
  assert.equal(mine.length, 1, `one close row for the client socket, got ${JSON.stringify(rows)}`);
  const r = mine[0], i = res.info;
  assert.equal(r.event, 'close');
  assert.equal(r.laddr, '127.0.0.1');
  assert.equal(r.raddr, '127.0.0.1');
  assert.equal(r.comm, 'python3');
  assert.ok(r.pid > 0);
  // Final values: nothing moves after close, so these are exact.
  assert.equal(r.SmoothedRTT, i.rtt / 1000, 'SmoothedRTT = tcpi_rtt');
  assert.equal(r.CurMSS, i.snd_mss, 'CurMSS = tcpi_snd_mss');
  assert.equal(r.CurCwnd, i.snd_cwnd * i.snd_mss, 'CurCwnd = tcpi_snd_cwnd * tcpi_snd_mss');
  assert.equal(r.SegsOut, i.segs_out, 'SegsOut = tcpi_segs_out');
  assert.equal(r.SegsIn, i.segs_in, 'SegsIn = tcpi_segs_in');
  assert.equal(r.HCDataOctetsOut, i.bytes_sent, 'HCDataOctetsOut = tcpi_bytes_sent');
  assert.equal(r.HCDataOctetsOut, N, 'lossless loopback: every byte sent once');
  assert.equal(r.HCThruOctetsAcked, i.bytes_acked, 'HCThruOctetsAcked = tcpi_bytes_acked');
  assert.equal(r.HCThruOctetsAcked, N + 2, 'N bytes + SYN + FIN');
  assert.equal(r.SegsRetrans, i.total_retrans, 'SegsRetrans = tcpi_total_retrans');
});

test('a connection opened before the tool started is reported', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  let tool;
  const done = tcpx('hold', p, 200000, {
    onReady: async (_j, go) => {
      tool = startTool(['-f', 'json', '-e', `where dport == ${p} print SmoothedRTT, HCDataOctetsOut`]);
      await tool.ready;
      await sleep(200);
      go();
    },
  });
  const res = await done;
  await sleep(300);
  const { rows } = await tool.stop();
  const mine = rows.filter(r => r.type === 'row' && r.lport === res.lport);
  assert.ok(mine.length >= 2, `rows for the pre-existing socket: ${JSON.stringify(mine)}`);
  assert.equal(mine[0].event, 'seed', 'first seen by iter/tcp at start');
  assert.equal(mine[0].HCDataOctetsOut, 0, 'nothing sent before the tool started');
  assert.equal(mine.at(-1).HCDataOctetsOut, 200000);
  assert.equal(mine.at(-1).SmoothedRTT, res.info.rtt / 1000);
});

test('nothing of ours stays attached after an uncaught exception', { skip: needRoot, timeout: 60000 }, async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, '-v', '-f', 'json', '-e', 'print *'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TCP_ESTATS_FAULT: 'throw-after-ready' } });
  let held = null, stderr = '';
  child.stderr.setEncoding('utf8').on('data', d => { stderr += d; if (!held && /; ready\n/.test(stderr)) held = heldBy(child.pid); });
  const code = await new Promise(res => child.on('exit', c => res(c)));
  assert.notEqual(code, 0, 'the exception ends the run');
  assert.match(stderr, /injected fault/);
  assert.ok(held && held.progs.length >= 10, 'it was attached when it failed');
  let left;
  for (let i = 0; i < 50; i++) {
    const now = ourKernelObjects();
    left = { progs: held.progs.filter(id => now.progs.includes(id)), links: held.links.filter(id => now.links.includes(id)) };
    if (!left.progs.length && !left.links.length) break;
    await sleep(100);
  }
  assert.deepEqual(left, { progs: [], links: [] });
});

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGKILL']) {
  test(`nothing of ours stays attached after ${sig}`, { skip: needRoot, timeout: 60000 }, async () => {
    const tool = startTool(['-f', 'json', '-e', 'print *']); // every program loaded
    await tool.ready;
    // exactly this instance's objects (other instances may run at the same time)
    const held = heldBy(tool.child.pid);
    const all = ourKernelObjects();
    const mine = { progs: held.progs.filter(id => all.progs.includes(id)), links: held.links.filter(id => all.links.includes(id)) };
    assert.ok(mine.progs.length >= 10, `our programs are loaded while running (${mine.progs.length})`);
    assert.ok(mine.links.length >= 10, `our links exist while running (${mine.links.length})`);
    const { code, signal } = await tool.stop(sig);
    if (sig === 'SIGKILL') assert.equal(signal, 'SIGKILL');
    else assert.equal(code, 0, `graceful exit on ${sig}`);
    // the kernel frees fd-held objects asynchronously (RCU): give it a moment
    let left;
    for (let i = 0; i < 50; i++) {
      const now = ourKernelObjects();
      left = { progs: mine.progs.filter(id => now.progs.includes(id)), links: mine.links.filter(id => now.links.includes(id)) };
      if (!left.progs.length && !left.links.length) break;
      await sleep(100);
    }
    assert.deepEqual(left, { progs: [], links: [] });
  });
}

test('replay of a recording gives the rows of the live run that recorded it', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const dir = mkdtempSync(join(tmpdir(), 'tcp-estats-'));
  const file = join(dir, 'rec.tes');
  const prog = `where dport == ${p} or sport == ${p} print SmoothedRTT, CurCwnd, HCThruOctetsAcked`;
  const tool = startTool(['-f', 'json', '--record', file, '-e', prog]);
  await tool.ready;
  await tcpx('transfer', p, 1000000);
  await sleep(300);
  const live = await tool.stop();
  assert.ok(live.rows.length >= 4, 'the transfer produced rows');
  const out = execFileSync(process.execPath, [BIN, '-f', 'json', '--replay', file, '-e', prog], { encoding: 'utf8' });
  const replayed = out.split('\n').filter(Boolean).map(l => JSON.parse(l));
  assert.deepEqual(replayed, live.rows);
});

/** Two instances side by side over the same two transfers (2 MB, then 300 kB) on port p: their rows and stderr. */
async function sideBySide(p, argsA, argsB) {
  const ta = startTool(argsA), tb = startTool(argsB);
  await Promise.all([ta.ready, tb.ready]);
  await tcpx('transfer', p, 2000000);
  await tcpx('transfer', p, 300000);
  await sleep(500);
  const a = (await ta.stop()).rows.filter(r => r.type === 'row');
  const b = (await tb.stop()).rows.filter(r => r.type === 'row');
  return { a, b, aErr: ta.stderr, bErr: tb.stderr };
}

/** The close rows of sideBySide's two transfers (6: client, server, listener each), socket by socket: the columns cols equal. */
function sameColumns(a, b, cols, nameA, nameB) {
  assert.equal(a.length, 6, `close rows: ${JSON.stringify(a.map(r => [r.lport, r.rport]))}`);
  const bm = new Map(b.map(r => [r.cookie, r]));
  const diffs = [];
  for (const r of a) {
    const o = bm.get(r.cookie);
    assert.ok(o, `the ${nameB} run has the close row of socket ${r.cookie}`);
    for (const k of cols.split(', ')) if (JSON.stringify(r[k]) !== JSON.stringify(o[k])) diffs.push(`${k} of ${r.lport} → ${r.rport}: ${nameA} ${JSON.stringify(r[k])}, ${nameB} ${JSON.stringify(o[k])}`);
  }
  assert.deepEqual(diffs, []);
}

// The kernel sends only the event kinds the program needs (estats_config.kinds)
// and one event per state transition. Neither may change a value: the same
// close rows must come out of a program that gets only close events and of one
// that gets every event (no mask), run side by side on the same connections.
test('the event-kind mask changes which events are sent, not the values', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const sel = `(lport == ${p} or rport == ${p})`;
  const { a, b, aErr } = await sideBySide(p, ['-f', 'json', '-e', `on close where ${sel} print *`], ['-f', 'json', '-e', `where ${sel} and event == close print *`]);
  assert.match(aErr, /events sent: close\b/, 'the masked instance says what it asked the kernel for');
  const key = r => `${r.cookie}`;
  const bm = new Map(b.map(r => [key(r), r]));
  // 2 transfers: client, server child, listener (closed by the helper) each
  assert.equal(a.length, 6, `close rows of the masked run: ${JSON.stringify(a.map(r => [r.lport, r.rport]))}`);
  assert.equal(b.length, a.length, 'the same connections closed in both runs');
  // Each instance stamps its own hook runs (ts, and the row's start when its
  // SK_STORAGE entry was created): those differ by the microseconds between
  // the two instances' programs, and so does what is computed from elapsed
  // time (SndLimTimeSnd and the shares); a listener's StartTime is stamped
  // by each instance's own LISTEN callback; everything else must be equal.
  const TIMING = new Set(['time', 'mono', 'ElapsedSecs', 'ElapsedMicroSecs', 'StartTimeStamp', 'StartTimeSecs', 'StartTimeMicroSecs', 'StartTime',
    'SndLimTimeSnd', 'SndLimPctSender', 'SndLimPctRwin', 'SndLimPctCwnd']);
  let compared = 0;
  const diffs = [];
  for (const r of a) {
    const o = bm.get(key(r));
    assert.ok(o, `the unmasked run has the close row of socket ${r.cookie}`);
    if (r.DataSegsInUnseen || o.DataSegsInUnseen) continue; // a skipped hook run (reported): per-segment counters may differ
    for (const [k, v] of Object.entries(r)) {
      if (TIMING.has(k)) continue;
      if (JSON.stringify(v) !== JSON.stringify(o[k])) diffs.push(`${k} of socket ${r.cookie} (${r.lport} → ${r.rport}): masked ${JSON.stringify(v)}, unmasked ${JSON.stringify(o[k])}`);
    }
    compared++;
  }
  assert.deepEqual(diffs, []);
  assert.ok(compared >= 4, `compared ${compared} of ${a.length} rows (the others reported skipped hook runs)`);
});

// A query that reads nothing an optional program feeds does not load it
// (src/estats/hooks.ts hooksNeeded): what it does read is unchanged.
test('optional programs a query does not need are not loaded, and what it reads is unchanged', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const sel = `(lport == ${p} or rport == ${p})`;
  const cols = 'SmoothedRTT, SegsOut, SegsIn, HCDataOctetsOut, HCDataOctetsIn, CurCwnd, SegsRetrans, DataSegsIn';
  const { a, b, aErr, bErr } = await sideBySide(p, ['-v', '-f', 'json', '-e', `on close where ${sel} print ${cols}`], ['-v', '-f', 'json', '-e', `where ${sel} and event == close print *`]);
  const notLoaded = /not loaded, as nothing read needs them: ([^)]*)\)/.exec(aErr)?.[1] ?? '';
  for (const tp of ['net_dev_queue', 'kfree_skb', 'tcp_retransmit_skb', 'tcp_cong_state_set']) assert.ok(notLoaded.includes(tp), `${tp} left out: ${aErr}`);
  assert.doesNotMatch(bErr, /not loaded/, 'print * loads every program');
  sameColumns(a, b, cols, 'lean', 'full');
});

// A query that reads only plain kernel fields runs without the per-socket
// tracking (CFG.light: no per-segment counters, no sampled extremes): what
// it reads is unchanged, and it does not report unseen segments (the
// self-check needs the tracking).
test('without per-socket tracking, when nothing read needs it, what a query reads is unchanged', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const sel = `(lport == ${p} or rport == ${p})`;
  const cols = 'SmoothedRTT, SegsOut, SegsIn, DataSegsIn, HCDataOctetsOut, HCThruOctetsAcked, HCThruOctetsReceived, CurCwnd, CurMSS, SegsRetrans, SndUna, SndNxt, RcvNxt, RcvRTT';
  const { a, b, aErr, bErr } = await sideBySide(p, ['-v', '-f', 'json', '-e', `on close where ${sel} print ${cols}`], ['-v', '-f', 'json', '-e', `where ${sel} and event == close print *`]);
  assert.match(aErr, /per-socket tracking off/, 'the plain query runs without tracking');
  assert.doesNotMatch(bErr, /per-socket tracking off/, 'print * tracks');
  assert.doesNotMatch(aErr, /DataSegsInUnseen/, 'no self-check without tracking');
  sameColumns(a, b, cols, 'light', 'tracking');
});

// Snapshot statements (every D, no on) read the sockets of the tool's own
// network namespace from the refresh before each tick: the kernel sends no
// other events for them, and the tick rows are the same.
const SEND_THEN_IDLE = `
import socket, sys, threading, time
p, n, idle = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', p)); srv.listen(1)
def sink():
    c, _ = srv.accept()
    while c.recv(1 << 16): pass
    c.close()
t = threading.Thread(target=sink); t.start()
cli = socket.create_connection(('127.0.0.1', p))
left = n
while left > 0: left -= cli.send(b'x' * min(left, 65536))
time.sleep(idle)
cli.close(); t.join(); srv.close()
`;
test('snapshot statements need no events between ticks from sockets of the own namespace: the same tick rows', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const cols = 'HCDataOctetsOut, HCDataOctetsIn, SegsOut, SegsIn, DataSegsIn, SmoothedRTT, CurCwnd, MaxRTT, MaxSsCwnd, SndLimTransSnd';
  const stmt = `every 250ms where lport == ${p} or rport == ${p} print ${cols}`;
  const lean = startTool(['-v', '-f', 'json', '-e', stmt]);
  // a second statement that asks for every event keeps the first one's sockets fed by events
  const full = startTool(['-v', '-f', 'json', '-e', `${stmt}\nwhere lport == 1 print SmoothedRTT`]);
  await Promise.all([lean.ready, full.ready]);
  await new Promise((res, rej) => execFile('python3', ['-c', SEND_THEN_IDLE, String(p), '3000000', '1.5'], e => (e ? rej(e) : res())));
  await sleep(300);
  const a = (await lean.stop()).rows.filter(r => r.type === 'row');
  const b = (await full.stop()).rows.filter(r => r.type === 'row' && r.stmt === 1);
  assert.match(lean.stderr, /events sent: all; this network namespace: close[;)]/, 'the lean instance asks for close events only here');
  assert.doesNotMatch(full.stderr, /this network namespace/);
  // the last tick row of each end of the connection, taken while it was idle
  const last = rows => {
    const m = new Map();
    for (const r of rows) if (r.HCDataOctetsOut >= 3000000 || r.HCDataOctetsIn >= 3000000) m.set(`${r.lport}>${r.rport}`, r);
    return m;
  };
  const la = last(a), lb = last(b);
  assert.equal(la.size, 2, `both ends in the lean run: ${[...la.keys()]}`);
  assert.deepEqual([...la.keys()].sort(), [...lb.keys()].sort());
  const diffs = [];
  for (const [k, r] of la) for (const c of cols.split(', ')) if (JSON.stringify(r[c]) !== JSON.stringify(lb.get(k)[c])) diffs.push(`${c} of ${k}: lean ${JSON.stringify(r[c])}, full ${JSON.stringify(lb.get(k)[c])}`);
  assert.deepEqual(diffs, []);
});

// Reset events: an abortive close (SO_LINGER 0) sends a RST from the client
// (tcp_send_reset) that the server's end receives (tcp_receive_reset); the
// peer's recv() failing with ECONNRESET is the independent witness.
const ABORT = `
import socket, struct, sys, time
p = int(sys.argv[1])
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', p)); srv.listen(1)
cli = socket.create_connection(('127.0.0.1', p))
c, _ = srv.accept()
cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
lport = cli.getsockname()[1]
cli.close()
time.sleep(0.2)
try:
    c.recv(1)
    print('no reset')
except ConnectionResetError:
    print(lport)
srv.close()
`;
test('on reset: the RST an abortive close sends and the one its peer receives, one row each', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const tool = startTool(['-f', 'json', '-e', `on reset where port == ${p} print state`]);
  await tool.ready;
  const out = await new Promise((res, rej) => execFile('python3', ['-c', ABORT, String(p)], (e, so) => (e ? rej(e) : res(so.trim()))));
  await sleep(300);
  const rows = (await tool.stop()).rows.filter(r => r.type === 'row');
  assert.match(out, /^\d+$/, `the server's end saw ECONNRESET (script printed ${out})`);
  const cport = Number(out);
  const ends = rows.map(r => `${r.event} ${r.lport}>${r.rport}`).sort();
  assert.deepEqual(ends, [`reset ${cport}>${p}`, `reset ${p}>${cport}`].sort(), 'one reset row for the sender, one for the receiver');
});

// The owner of an accepted socket is the process seen doing I/O on it. The
// kernel keeps a per-CPU note of the owners it confirmed (so repeated writes
// skip the storage lookup); an owner change on another CPU must still be seen
// when the first owner writes again on its CPU.
const HANDOVER = `
import socket, os, sys, time, ctypes, json
P = int(sys.argv[1]); libc = ctypes.CDLL(None)
def name(n): libc.prctl(15, n.encode(), 0, 0, 0)
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', P)); srv.listen()
cli = socket.create_connection(('127.0.0.1', P)); a, _ = srv.accept()
os.sched_setaffinity(0, {0}); name('te-first')
def write(b):
    a.send(b); cli.recv(10); time.sleep(0.05)
write(b'1'); write(b'2'); write(b'3')
pid = os.fork()
if pid == 0:
    os.sched_setaffinity(0, {1}); name('te-second'); a.send(b'c'); time.sleep(0.1); os._exit(0)
cli.recv(10); os.waitpid(pid, 0); time.sleep(0.05)
write(b'4'); write(b'5')
print(json.dumps({'first': os.getpid(), 'second': pid, 'lport': P, 'cport': cli.getsockname()[1]}))
cli.close(); a.close()
`;

test('the owner follows the process doing I/O, also after a change on another CPU', { skip: needRoot, timeout: 60000 }, async () => {
  const p = port();
  const tool = startTool(['-f', 'json', '-e', `where lport == ${p} and rport != 0 print pid, comm`]);
  await tool.ready;
  const out = await new Promise((res, rej) => execFile('python3', ['-c', HANDOVER, String(p)], (e, so) => (e ? rej(e) : res(so.trim()))));
  await sleep(300);
  const rows = (await tool.stop()).rows.filter(r => r.type === 'row');
  const o = JSON.parse(out);
  const seq = rows.filter(r => r.rport === o.cport && r.pid).map(r => `${r.pid} ${r.comm}`);
  const changes = seq.filter((x, i) => i === 0 || x !== seq[i - 1]);
  assert.deepEqual(changes, [`${o.first} te-first`, `${o.second} te-second`, `${o.first} te-first`],
    `owner first → second (forked, other CPU) → first again; rows: ${JSON.stringify(rows.map(r => [r.event, r.pid, r.comm]))}`);
});

// Which tracepoints the kernel has is read from its BTF once per boot.
test('the tracepoints the kernel has are remembered until reboot', { skip: needRoot, timeout: 60000 }, async () => {
  const MEMO = '/run/tcp-estats/tracepoints.json';
  rmSync(MEMO, { force: true });
  const run = env => spawnSync(process.execPath, [BIN, '-d', '0.2', '-e', 'on close print count()'], { encoding: 'utf8', env: { ...process.env, ...env } });
  let r = run({});
  assert.equal(r.status, 0, r.stderr);
  const memo = JSON.parse(readFileSync(MEMO, 'utf8'));
  assert.equal(memo.boot.split(' ')[0], readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), 'keyed by this boot');
  assert.equal(memo.have.tcp_probe, true);
  assert.equal(memo.have.inet_sock_set_state, true);
  // a memo that says a tracepoint is missing is believed within the boot (the
  // tool then runs without that optional hook and says so)
  writeFileSync(MEMO, JSON.stringify({ ...memo, have: { ...memo.have, kfree_skb: false } }));
  r = spawnSync(process.execPath, [BIN, '-d', '0.2', '-e', 'on close print SoftErrors'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /kfree_skb/, 'the missing hook is reported');
  // from another boot it is not
  writeFileSync(MEMO, JSON.stringify({ ...memo, boot: 'another-boot', have: { ...memo.have, kfree_skb: false } }));
  r = spawnSync(process.execPath, [BIN, '-d', '0.2', '-e', 'on close print SoftErrors'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /kfree_skb/);
  assert.equal(JSON.parse(readFileSync(MEMO, 'utf8')).have.kfree_skb, true, 'rewritten from the BTF');
});

// Where the kernel refuses the optional fentry/fexit programs, the refusal is
// remembered for this boot (/run/tcp-estats/upgrades.json), so later starts
// skip the second load; where they load, nothing is remembered.
test('a refusal of the optional exact programs is remembered until reboot', { skip: needRoot, timeout: 60000 }, async () => {
  const MEMO = '/run/tcp-estats/upgrades.json';
  rmSync(MEMO, { force: true });
  const start = () => {
    const r = spawnSync(process.execPath, [BIN, '-v', '-d', '0.2', '-e', 'on close print count()'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return /exact upgrades \(fentry\/fexit\): (.*)$/m.exec(r.stderr)?.[1] ?? '';
  };
  const first = start();
  if (first === 'live') {
    assert.ok(!existsSync(MEMO), 'programs that load leave no memo');
    return;
  }
  assert.match(first, /^off: the kernel refused fentry\/fexit programs \(errno \d+\)$/, 'the first start tries them');
  const memo = JSON.parse(readFileSync(MEMO, 'utf8'));
  assert.equal(memo.boot.split(' ')[0], readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), 'keyed by this boot');
  assert.match(start(), /remembered for this boot in \/run\/tcp-estats\/upgrades\.json/, 'the second start skips them');
  // describe tries again, and a refusal it finds is remembered too
  rmSync(MEMO, { force: true });
  execFileSync(process.execPath, [BIN, 'describe', 'SlowStart'], { encoding: 'utf8' });
  assert.ok(existsSync(MEMO), 'describe remembered its refusal');
});

import { createServer, connect } from 'node:net';
// Helpers for the CLI tests: run the real CLI (node bin/tcp-estats.js) and
// build synthetic recordings with the Recorder and the generated event
// layout, so that most tests need no kernel and no root.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder } from '../../dist/stream/record.js';
import { EVENT_SIZE, OFF } from '../../dist/stream/layout.generated.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'tcp-estats.js');
export const TMP = mkdtempSync(join(tmpdir(), 'tcp-estats-cli-'));
process.on('exit', () => rmSync(TMP, { recursive: true, force: true }));

const KIND = { open: 1, established: 2, state: 3, ack: 4, rtt: 5, retransmit: 6, timeout: 7, congestion: 8, reset: 9, close: 10, seed: 11 };
const BOOT_OFFSET = 1_780_000_000_000_000_000n; // wall clock − monotonic: 2026-05-28T…

function ip4(s) { const b = new Uint8Array(16); s.split('.').forEach((x, i) => { b[i] = Number(x); }); return b; }
function ip6(s) {
  const b = new Uint8Array(16);
  const [h, t] = s.split('::');
  const hs = h ? h.split(':') : [], ts = t !== undefined && t ? t.split(':') : [];
  const groups = [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => { const v = parseInt(g, 16); b[2 * i] = v >> 8; b[2 * i + 1] = v & 255; });
  return b;
}

/**
 * One event's bytes. Times in ms from the recording's start; values in
 * friendly units: srtt in µs, cwnd in segments of mss bytes.
 */
export function event(e) {
  const b = new Uint8Array(EVENT_SIZE);
  const dv = new DataView(b.buffer);
  const fam = e.family ?? (String(e.laddr ?? '').includes(':') ? 6 : 4);
  const addr = a => (fam === 6 ? ip6(a) : ip4(a));
  const t0 = 1_000_000_000_000n; // monotonic ns at the start (~16 min after boot)
  const ns = ms => t0 + BigInt(Math.round(ms * 1e6));
  dv.setBigUint64(OFF.ts_ns, ns(e.t ?? 0), true);
  dv.setBigUint64(OFF.cookie, BigInt(e.cookie ?? 1), true);
  dv.setBigUint64(OFF.cgroup_id, BigInt(e.cgroup ?? 1), true);
  b.set(addr(e.laddr ?? '10.0.0.1'), OFF.saddr);
  b.set(addr(e.raddr ?? '10.0.0.2'), OFF.daddr);
  dv.setUint16(OFF.sport, e.lport ?? 40000, true);
  dv.setUint16(OFF.dport, e.rport ?? 443, true);
  if (OFF.saved_sport !== undefined) dv.setUint16(OFF.saved_sport, e.lport ?? 40000, true);
  b[OFF.kind] = KIND[e.event ?? 'ack'];
  b[OFF.family] = fam;
  b[OFF.state] = e.state ?? 1;
  dv.setUint32(OFF.netns, 4026531840, true);
  dv.setUint32(OFF.owner_pid, e.pid ?? 1234, true);
  const comm = new TextEncoder().encode(e.comm ?? 'curl');
  b.set(comm.subarray(0, 15), OFF.owner_comm);
  b.set(new TextEncoder().encode(e.cc ?? 'cubic'), OFF.cc);
  dv.setUint32(OFF.srtt_us, (e.srtt ?? 1000) << 3, true);
  dv.setUint32(OFF.mss_cache, e.mss ?? 1448, true);
  dv.setUint32(OFF.snd_cwnd, e.cwnd ?? 10, true);
  dv.setBigUint64(OFF.bytes_acked, BigInt(e.acked ?? 0), true);
  dv.setBigUint64(OFF.bytes_sent, BigInt(e.sent ?? e.acked ?? 0), true);
  dv.setUint32(OFF.total_retrans, e.retrans ?? 0, true);
  dv.setBigUint64(OFF.start_ns, ns(e.start ?? 0), true);
  dv.setBigUint64(OFF.tcp_mstamp_us, ns(e.t ?? 0) / 1000n, true);
  dv.setUint32(OFF.busy_us, e.busy_us ?? 0, true);
  dv.setUint32(OFF.rwnd_limited_us, e.rwnd_us ?? 0, true);
  dv.setUint32(OFF.sndbuf_limited_us, e.sndbuf_us ?? 0, true);
  return b;
}

/** Write a recording of these events (and ticks: { tick: ms }); returns its path. */
export function recording(name, items, { lost } = {}) {
  const path = join(TMP, name);
  const r = new Recorder(path, BOOT_OFFSET, { tool: 'test' });
  for (const it of items) {
    if ('tick' in it) r.tick(1_000_000_000_000n + BigInt(Math.round(it.tick * 1e6)));
    else r.event(event(it));
  }
  if (lost) r.lost(BigInt(lost));
  r.close();
  return path;
}

/** Run the CLI to the end; { code, stdout, stderr }. */
export function run(args, { env = {}, input, timeout = 20000 } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', ...env }, input, timeout });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** JSON lines of a string */
export const lines = s => s.split('\n').filter(Boolean).map(l => JSON.parse(l));

const sh = s => `'${s.replace(/'/g, `'\\''`)}'`;
/**
 * Run the CLI on a pseudo-terminal (util-linux script), with a terminal of
 * cols × rows; returns what reached the screen. `keys`: [delay ms, text] pairs
 * typed on the terminal (after `waitFor` matched the screen, if given);
 * `pipeTo`: a shell command the tool's stdout is piped into.
 */
export function onTty(args, { env = {}, cols = 100, rows = 30, keys = [], timeout = 20000, waitFor, pipeTo } = {}) {
  const tool = `${sh(process.execPath)} ${sh(BIN)} ${args.map(sh).join(' ')}`;
  const cmd = `stty cols ${cols} rows ${rows}; ${pipeTo ? `${tool} | ${pipeTo}` : `exec ${tool}`}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, NO_COLOR: '', TERM: 'xterm-256color', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', d => { screen += d; });
  child.stderr.setEncoding('utf8').on('data', d => { screen += d; });
  const timers = [];
  const typeKeys = () => {
    let at = 0;
    for (const [delay, text] of keys) { at += delay; timers.push(setTimeout(() => child.stdin.write(text), at)); }
  };
  if (waitFor) {
    const t = setInterval(() => { if (waitFor.test(screen)) { clearInterval(t); typeKeys(); } }, 50);
    timers.push(t);
  } else typeKeys();
  const kill = setTimeout(() => child.kill('SIGKILL'), timeout);
  return new Promise(res => child.on('exit', (code, signal) => {
    clearTimeout(kill);
    for (const t of timers) { clearTimeout(t); clearInterval(t); }
    child.stdin.destroy();
    res({ code, signal, screen });
  }));
}

/**
 * The shared synthetic recording: 3 s of four sockets, no ticks, 7 events lost.
 *   A cookie 1  10.0.0.1:40000 > 10.0.0.2:443  pid 100 curl    cgroup 11  1 MB acked per 100 ms, cwnd-limited
 *   B cookie 2  [::1]:5555 > [fe80::1]:22      pid 200 ssh,"x" cgroup 22  10 kB per 100 ms, 2 retransmits from 1 s, rwin-limited
 *   C cookie 3  0.0.0.0:80 listener            pid 300 nginx   cgroup 11  one seed event
 *   D cookie 4  10.0.0.1:40001 > 10.0.0.9:80   pid 400 comm with ESC and C1 CSI, closes at 2.5 s
 */
let fixturePath = null;
export const EVIL_COMM = 'e\u001b[2J\u009bx';
export function fixture() {
  if (fixturePath) return fixturePath;
  const items = [{ t: 0, cookie: 3, event: 'seed', state: 10, laddr: '0.0.0.0', raddr: '0.0.0.0', lport: 80, rport: 0, pid: 300, comm: 'nginx', cgroup: 11 }];
  for (let i = 0; i <= 30; i++) {
    const t = i * 100;
    items.push({ t, cookie: 1, event: i ? 'ack' : 'established', acked: i * 1_000_000, srtt: 1500 + i, cwnd: 20, busy_us: t * 800, comm: 'curl', pid: 100, cgroup: 11 });
    items.push({ t: t + 5, cookie: 2, event: 'ack', laddr: '::1', raddr: 'fe80::1', lport: 5555, rport: 22, acked: i * 10_000, srtt: 40000, comm: 'ssh,"x"', pid: 200, cgroup: 22, retrans: i >= 10 ? 2 : 0, rwnd_us: t * 900 });
    if (t <= 2400) items.push({ t: t + 7, cookie: 4, event: 'ack', laddr: '10.0.0.1', lport: 40001, raddr: '10.0.0.9', rport: 80, acked: i * 500, srtt: 300, comm: EVIL_COMM, pid: 400, cgroup: 33 });
  }
  items.push({ t: 2500, cookie: 4, event: 'close', state: 7, laddr: '10.0.0.1', lport: 40001, raddr: '10.0.0.9', rport: 80, acked: 24 * 500, sent: 12000, srtt: 300, comm: EVIL_COMM, pid: 400, cgroup: 33 });
  fixturePath = recording('fixture.tes', items, { lost: 7 });
  return fixturePath;
}

/** a loopback connection of this process that keeps sending */
export async function traffic() {
  const srv = createServer(s => s.on('data', () => {}));
  await new Promise(res => srv.listen(0, '127.0.0.1', res));
  const c = connect(srv.address().port, '127.0.0.1');
  await new Promise(res => c.on('connect', res));
  const buf = Buffer.alloc(64 * 1024);
  const t = setInterval(() => c.write(buf), 20);
  return { port: srv.address().port, lport: c.localPort, stop: () => { clearInterval(t); c.destroy(); srv.close(); } };
}

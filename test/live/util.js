// Helpers for the live tests: they need root to load BPF programs. Outside CI
// they skip with that reason; in CI (CI=true) a missing privilege is a failure.
import { spawn, execFileSync } from 'node:child_process';
import { after } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'tcp-estats.js');
export const TCPX = join(ROOT, 'test', 'helpers', 'tcpx.py');

const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI) throw new Error('live tests must run as root in CI (they load BPF programs)');
/** `skip` option for node:test: a reason string when the test cannot run here. */
export const needRoot = isRoot ? false : 'needs root to load BPF programs (CI runs it as root)';

/** A free-ish port per test run, away from the ephemeral range. */
let nextPort = 20000 + (process.pid % 5000) * 2;
export function port() { return nextPort++; }

// Every tool a test starts is killed when the file's tests are done, also
// when a test failed before stopping it (a live child would keep the test
// process, and CI, waiting).
const started = new Set();
after(() => { for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL'); });

/** Start the tool (prefix: a command line it runs under, e.g. ip netns exec NS); resolves when it is attached and seeded (its -v "ready" line). */
export function startTool(args, { timeoutMs = 20000, env, prefix = [] } = {}) {
  const argv = [...prefix, process.execPath, BIN, '-v', ...args];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
  started.add(child);
  let stdout = '', stderr = '';
  child.stdout.setEncoding('utf8').on('data', d => { stdout += d; });
  const exited = new Promise(res => child.on('exit', (code, signal) => res({ code, signal })));
  const ready = new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error(`tool not ready after ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
    createInterface({ input: child.stderr }).on('line', l => {
      stderr += l + '\n';
      if (/; ready$/.test(l)) { clearTimeout(t); res(); }
    });
    exited.then(({ code }) => { clearTimeout(t); rej(new Error(`tool exited (${code}) before ready; stderr:\n${stderr}`)); });
  });
  return {
    child, ready, exited,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    /** SIGINT, then wait for exit; returns parsed JSON lines of stdout */
    async stop(sig = 'SIGINT') {
      child.kill(sig);
      const r = await exited;
      return { ...r, rows: stdout.split('\n').filter(Boolean).map(l => JSON.parse(l)) };
    },
  };
}

/** Run the python traffic helper; resolves with its last JSON line. */
export function tcpx(mode, p, nbytes, { onReady, prefix = [] } = {}) {
  const argv = [...prefix, 'python3', TCPX, mode, String(p), String(nbytes)];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  started.add(child);
  const lines = [];
  createInterface({ input: child.stdout }).on('line', l => {
    const j = JSON.parse(l);
    lines.push(j);
    if (j.ready && onReady) onReady(j, () => child.stdin.write('go\n'));
  });
  return new Promise((res, rej) => child.on('exit', code => (code === 0 ? res(lines[lines.length - 1]) : rej(new Error(`tcpx exited ${code}`)))));
}

/** The BPF programs and links a process holds (from /proc/PID/fdinfo): exactly one instance's. */
export function heldBy(pid) {
  const progs = new Set(), links = new Set(), maps = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info;
    try { info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'); } catch { continue; }
    const l = /^link_id:\s*(\d+)/m.exec(info);
    if (l) { links.add(Number(l[1])); continue; }
    const p = /^prog_id:\s*(\d+)/m.exec(info);
    if (p) { progs.add(Number(p[1])); continue; }
    const m = /^map_id:\s*(\d+)/m.exec(info);
    if (m) maps.add(Number(m[1]));
  }
  return { progs: [...progs], links: [...links], maps: [...maps] };
}

/** recursion_misses of each BPF program the tool process `pid` holds, by program name ({} when it is gone: its exit status tells why). */
export function recursionMisses(pid) {
  let ids;
  try { ids = new Set(heldBy(pid).progs); } catch { return {}; }
  const out = {};
  for (const p of JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }) || '[]')) {
    if (ids.has(p.id)) out[p.name] = p.recursion_misses ?? 0;
  }
  return out;
}

/** Our programs and links currently in the kernel (names start with estats_). */
export function ourKernelObjects() {
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }) || '[]');
  const links = JSON.parse(execFileSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' }) || '[]');
  const ours = new Set(progs.filter(p => String(p.name ?? '').startsWith('estats_')).map(p => p.id));
  return { progs: [...ours], links: links.filter(l => ours.has(l.prog_id)).map(l => l.id) };
}

export const sleep = ms => new Promise(r => setTimeout(r, ms));

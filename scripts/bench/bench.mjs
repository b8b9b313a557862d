#!/usr/bin/env node
// The tcp-estats benchmark driver. Run it through scripts/bench/run.sh, which
// builds a snapshot of the tool and the C workloads first:
//
//   node bench.mjs --tool DIR --bin DIR --tmp DIR --out DIR [--quick] [--only b1,b2,...] [--scale-sizes 0,10000,100000]
//                  [--workload-cpu N|none]   (b1/b2 workloads pinned to CPU N; default the last CPU)
//   node bench.mjs --render RESULTS.json     (rewrite RESULTS.md from the JSON)
//
// Benchmarks (docs/BENCHMARKS.md explains each):
//   b1 traffic overhead (bulk 1 / 64 flows, churn): none vs tool vs default view vs bpftrace, interleaved
//   b2 kernel cost per hook (kernel.bpf_stats_enabled): ns per run of each estats_* program
//   b3 user-space pipeline: --replay of a >= 10 M-event recording on one core
//   b4 live loss: --sample 0 under small-message ping-pong, offered events/s vs lost
//   b5 filter pushdown: `where dport == P` with 1,000 other busy connections
//   b6 start-up: launch -> first row, vs bpftrace
//   b7 scale: 10k / 100k idle connections: snapshot time and RSS vs ss -tin
//
// Everything runs as root. Workloads run in network namespaces this script
// creates (tebench, tebench-*) and deletes; every process it starts is
// bounded in time and is stopped by its pid.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, openSync, closeSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';

// ---------------------------------------------------------------------------
// options

const argv = process.argv.slice(2);
const opt = (name, def) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : def; };
const QUICK = argv.includes('--quick');
const TOOL = resolve(opt('--tool', '.'));
const BIN = resolve(opt('--bin', '/tmp'));
const TMP = resolve(opt('--tmp', '/tmp'));
const OUT = resolve(opt('--out', 'docs/bench-results'));
const ONLY = opt('--only', 'b1,b2,b3,b4,b5,b6,b7').split(',');
const SRC = opt('--src', '');
const REVISION = opt('--rev', '');

const CFG = QUICK ? {
  bulk: { secs: 1.5, warm: 0.3, rounds: 3, flows: [1, 64] },
  churn: { secs: 1.5, warm: 0.3, rounds: 3, clients: 2 },
  kcost: { secs: 1.5, rounds: 1 },
  replay: { events: 10_000_000, seedSecs: 2, rounds: 1 },
  live: { secs: 3, levels: [[16, 1], [256, 2], [1000, 2]], synth: [[500_000, '16MiB'], [500_000, '64MiB'], [1_000_000, '64MiB']] },
  push: { secs: 3, others: 1000 },
  startup: { rounds: 3 },
  scale: { sizes: [0, 10_000], ssRounds: 3 },
} : {
  bulk: { secs: 5, warm: 1, rounds: 7, flows: [1, 64] },
  churn: { secs: 5, warm: 0.5, rounds: 7, clients: 2 },
  kcost: { secs: 3, rounds: 3 },
  replay: { events: 10_000_000, seedSecs: 3, rounds: 3 },
  live: { secs: 5, levels: [[16, 1], [64, 1], [256, 2], [1000, 2]], synth: [[250_000, '16MiB'], [500_000, '16MiB'], [500_000, '64MiB'], [750_000, '64MiB'], [1_000_000, '64MiB']] },
  push: { secs: 5, others: 1000 },
  startup: { rounds: 7 },
  scale: { sizes: [0, 10_000, 100_000], ssRounds: 5 },
};

if (opt('--kcost-rounds')) CFG.kcost.rounds = Number(opt('--kcost-rounds'));
if (opt('--scale-sizes')) CFG.scale.sizes = opt('--scale-sizes').split(',').map(Number);
const NS = 'tebench';
// b1/b2 pin every process of the workload to one CPU: loopback throughput
// depends on whether sender and receiver share a CPU (3.1 GB/s together,
// 1.2-2.1 GB/s apart on this VM), and unpinned runs flip between the two.
// The monitors stay unpinned (on a 2-CPU machine they get the other CPU).
const WL_CPU = opt('--workload-cpu', String(os.cpus().length - 1)) === 'none' ? null : Number(opt('--workload-cpu', String(os.cpus().length - 1)));
const TOOLJS = join(TOOL, 'bin/tcp-estats.js');
const RUSAGE = join(BIN, 'rusage');
const HZ = 100; // USER_HZ for /proc/PID/stat
const results = { started: new Date().toISOString(), mode: QUICK ? 'quick' : 'full', machine: {}, benchmarks: {}, notes: [] };
const log = (...a) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${a.join(' ')}\n`);
const note = s => { results.notes.push(s); log('NOTE', s); };

// ---------------------------------------------------------------------------
// small helpers

function sh(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, ...o });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}
const shOut = (cmd, args) => sh(cmd, args).out.trim();

const median = xs => { const s = [...xs].filter(x => Number.isFinite(x)).sort((a, b) => a - b); if (!s.length) return null; const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const quant = (xs, q) => { const s = [...xs].filter(x => Number.isFinite(x)).sort((a, b) => a - b); if (!s.length) return null; const i = (s.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i); return s[lo] + (s[hi] - s[lo]) * (i - lo); };
const spread = xs => ({ n: xs.length, median: r3(median(xs)), min: r3(Math.min(...xs)), max: r3(Math.max(...xs)), p25: r3(quant(xs, 0.25)), p75: r3(quant(xs, 0.75)) });
const r3 = x => x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000;
const pct = (a, b) => (a === null || b === null || !b) ? null : r3((a / b - 1) * 100);

function loadNow() {
  const la = readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).map(Number);
  const top = sh('top', ['-bn1', '-w', '200']).out.split('\n');
  const i = top.findIndex(l => /^\s*PID\s/.test(l));
  const procs = i >= 0 ? top.slice(i + 1, i + 6).map(l => l.trim().split(/\s+/)).filter(f => f.length >= 12 && Number(f[8]) > 0).map(f => `${f[11]} ${f[8]}%`) : [];
  return { loadavg: la, top: procs };
}

/** system-wide CPU jiffies from /proc/stat */
function procStat() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { user, nice, system, idle, iowait, irq, softirq, steal, total: f.slice(0, 8).reduce((a, b) => a + b, 0) };
}
function statDelta(a, b) {
  const t = b.total - a.total || 1;
  const p = k => r3(((b[k] - a[k]) / t) * 100);
  return { busy_pct: r3(100 - ((b.idle - a.idle + b.iowait - a.iowait) / t) * 100), steal_pct: p('steal'), softirq_pct: p('softirq'), sys_pct: p('system'), user_pct: p('user') };
}

/** utime+stime of a process (all threads), seconds; null when it is gone */
function procCpu(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / HZ;
  } catch { return null; }
}
function procRssKb(pid) {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN); } catch { return null; }
}
function childPid(pid) {
  try { return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null; } catch { return null; }
}

/** BPF object ids held open by a process (from /proc/PID/fdinfo) */
function bpfIds(pid) {
  const progs = new Set(), maps = new Set();
  let fds = [];
  try { fds = readdirSync(`/proc/${pid}/fdinfo`); } catch { return { progs, maps }; }
  for (const fd of fds) {
    let t = '';
    try { t = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'); } catch { continue; }
    const p = /^prog_id:\s*(\d+)/m.exec(t); if (p) progs.add(Number(p[1]));
    const m = /^map_id:\s*(\d+)/m.exec(t); if (m) maps.add(Number(m[1]));
  }
  return { progs, maps };
}
/** run_time_ns / run_cnt of the given program ids, by program name */
function progStats(ids) {
  const r = sh('bpftool', ['-j', 'prog', 'show']);
  const out = {};
  if (r.code !== 0) return out;
  for (const p of JSON.parse(r.out)) {
    if (!ids.has(p.id)) continue;
    out[p.name] = { id: p.id, run_time_ns: p.run_time_ns ?? 0, run_cnt: p.run_cnt ?? 0 };
  }
  return out;
}
function statsDelta(a, b) {
  const out = {};
  for (const [name, v] of Object.entries(b)) {
    const cnt = v.run_cnt - (a[name]?.run_cnt ?? 0), ns = v.run_time_ns - (a[name]?.run_time_ns ?? 0);
    out[name] = { runs: cnt, ns_total: ns, ns_per_run: cnt ? r3(ns / cnt) : null };
  }
  return out;
}
/** the tool's kernel counters: events sent and lost (PERCPU_ARRAY `counters`: [0] lost, [1] sent) */
function toolCounters(mapIds) {
  for (const id of mapIds) {
    const s = sh('bpftool', ['-j', 'map', 'show', 'id', String(id)]);
    if (s.code !== 0) continue;
    let info; try { info = JSON.parse(s.out); } catch { continue; }
    if (info.name !== 'counters') continue;
    const d = sh('bpftool', ['-j', 'map', 'dump', 'id', String(id)]);
    const v = { lost: 0, sent: 0 };
    for (const e of JSON.parse(d.out)) {
      const k = e.formatted?.key;
      const sum = (e.formatted?.values ?? []).reduce((a, x) => a + Number(x.value), 0);
      if (k === 0) v.lost = sum; else if (k === 1) v.sent = sum;
    }
    return v;
  }
  return null;
}

// ---------------------------------------------------------------------------
// namespaces and processes

const live = new Set(); // pids we started and have not reaped
const nsCreated = new Set();

function nsAdd(name) {
  sh('ip', ['netns', 'del', name]);
  const r = sh('ip', ['netns', 'add', name]);
  if (r.code !== 0) throw new Error(`ip netns add ${name}: ${r.err}`);
  nsCreated.add(name);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  // private to the namespace: wide ephemeral range, deep accept queues
  sh('nsenter', [`--net=/run/netns/${name}`, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65535', 'net.core.somaxconn=65535', 'net.ipv4.tcp_max_syn_backlog=65535']);
}
function nsDel(name) { sh('ip', ['netns', 'del', name]); nsCreated.delete(name); }
// nsenter --net only (not `ip netns exec`, which remounts /sys and hides the cgroup2 mount the tool needs)
const inNs = (ns, cmd, args) => ns ? ['nsenter', [`--net=/run/netns/${ns}`, cmd, ...args]] : [cmd, args];

/** run a workload to completion; returns its last stdout line as JSON */
async function workload(ns, name, args, timeoutS = 120, pin = null) {
  const [c, a] = pin === null ? inNs(ns, join(BIN, name), args) : inNs(ns, 'taskset', ['-c', String(pin), join(BIN, name), ...args]);
  const p = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(p.pid);
  let out = '', err = '';
  p.stdout.on('data', d => { out += d; });
  p.stderr.on('data', d => { err += d; });
  const t = setTimeout(() => { try { process.kill(p.pid, 'SIGKILL'); } catch {} }, timeoutS * 1000);
  const code = await new Promise(res => p.on('close', res));
  clearTimeout(t);
  live.delete(p.pid);
  const line = out.trim().split('\n').pop();
  try { return { ...JSON.parse(line), exit: code, ...(err.trim() ? { stderr: err.trim().slice(0, 500) } : {}) }; } catch { return { error: `${name} ${args.join(' ')}: exit ${code}: ${err.trim().slice(0, 500)}` }; }
}

/**
 * A monitor (the tool or bpftrace) under the rusage wrapper. Resolves once
 * it is ready: the tool's `-v` "ready" line, bpftrace's BEGIN touching a file.
 */
async function startMonitor(kind, args, o = {}) {
  const ru = join(TMP, `ru-${process.hrtime.bigint()}.json`);
  const ready = join(TMP, `ready-${process.hrtime.bigint()}`);
  let cmd, cargs;
  if (kind === 'tool') [cmd, cargs] = inNs(o.ns, 'node', [TOOLJS, '-v', ...args]);
  else {
    const prog = `BEGIN { system("touch ${ready}"); } ${args[0]}`;
    [cmd, cargs] = inNs(o.ns, 'bpftrace', ['--unsafe', ...(o.stdout === 'pipe' ? ['-B', 'none'] : []), '-e', prog]);
  }
  const outFd = o.stdout === 'pipe' ? 'pipe' : openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const p = spawn(RUSAGE, [ru, cmd, ...cargs], { stdio: ['ignore', outFd, 'pipe'], cwd: TMP });
  if (typeof outFd === 'number') closeSync(outFd);
  live.add(p.pid);
  const h = { kind, p, pid: p.pid, t0, err: '', lines: 0, firstLineMs: null, readyMs: null, rows: [], exited: null };
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  p.stderr.on('data', d => {
    h.err += d;
    if (h.readyMs === null && kind === 'tool' && /ready/.test(h.err)) h.readyMs = ms();
  });
  if (p.stdout) {
    let buf = '';
    p.stdout.on('data', d => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        if (kind === 'bpftrace' && /^Attaching|^$/.test(line)) continue;
        if (h.firstLineMs === null) h.firstLineMs = ms();
        h.lines++;
        if (h.rows.length < 50) h.rows.push({ ms: ms(), line, rssKb: h.nodePid ? procRssKb(h.nodePid) : null });
        o.onLine?.(line, ms());
      }
    });
  }
  h.closed = new Promise(res => p.on('close', code => { h.exited = code; live.delete(p.pid); res(code); }));
  if (o.wait !== false) {
    const deadline = Date.now() + (o.readyTimeoutMs ?? 30000);
    while (Date.now() < deadline && h.exited === null) {
      if (kind === 'tool' ? h.readyMs !== null : existsSync(ready)) break;
      await sleep(5);
    }
    if (kind === 'bpftrace' && existsSync(ready)) { h.readyMs = ms(); rmSync(ready, { force: true }); }
    if (h.readyMs === null) {
      await stopMonitor(h);
      throw new Error(`${kind} did not become ready: ${h.err.trim().slice(0, 800)}`);
    }
  }
  h.nodePid = childPid(p.pid);
  h.ru = ru;
  return h;
}
async function stopMonitor(h, sig = 'SIGINT') {
  if (h.exited === null) { try { process.kill(h.pid, sig); } catch {} }
  const t = setTimeout(() => { try { if (h.nodePid) process.kill(h.nodePid, 'SIGKILL'); process.kill(h.pid, 'SIGKILL'); } catch {} }, 15000);
  await h.closed;
  clearTimeout(t);
  let ru = null;
  try { ru = JSON.parse(readFileSync(h.ru ?? '', 'utf8')); rmSync(h.ru, { force: true }); } catch {}
  const lost = [...h.err.matchAll(/"lost":\s*(\d+)/g)].map(m => Number(m[1]));
  return { exit: h.exited, rusage: ru, lostReported: lost.length ? Math.max(...lost) : 0, stderrTail: h.err.trim().split('\n').filter(l => !/ready|attached|libbpf: /.test(l)).slice(-3).join(' | ').slice(0, 400) };
}

/** one monitored workload run: monitor CPU, kernel counters and bpf_stats over the workload window only */
async function monitored(mon, fn, { stats = false } = {}) {
  const pid = mon ? (mon.nodePid ?? mon.pid) : null;
  const ids = mon && mon.kind === 'tool' ? bpfIds(pid) : null;
  const c0 = pid ? procCpu(pid) : null;
  const k0 = ids ? toolCounters(ids.maps) : null;
  const s0 = stats && ids ? progStats(ids.progs) : null;
  const st0 = procStat();
  const w0 = process.hrtime.bigint();
  const res = await fn(mon);
  const wall = Number(process.hrtime.bigint() - w0) / 1e9;
  const sys = statDelta(st0, procStat());
  const s1 = stats && ids ? progStats(ids.progs) : null;
  const k1 = ids ? toolCounters(ids.maps) : null;
  const c1 = pid ? procCpu(pid) : null;
  const out = { ...res, window_s: r3(wall), system: sys };
  if (pid) out.monitor_cpu_s = r3(c1 - c0), out.monitor_cpu_pct = r3(((c1 - c0) / wall) * 100);
  if (k0 && k1) out.events = { sent: k1.sent - k0.sent, lost: k1.lost - k0.lost, per_s: Math.round((k1.sent - k0.sent + k1.lost - k0.lost) / wall) };
  if (s0 && s1) out.prog = statsDelta(s0, s1);
  return out;
}

// ---------------------------------------------------------------------------
// the monitors compared

const P_BULK = 5001, P_CHURN = 5002, P_PP = 5003, P_PUSH_OTHER = 5005, P_PUSH = 5006, P_START = 5007;
const Q = { agg: 'where dport != 0 print count(), avg(SmoothedRTT), max(SegsOut) by rport' };
const toolWhere = port => ['-f', 'json', '-e', `where dport == ${port} print SmoothedRTT`];
// one row per change of a socket's SRTT, like the tool's change mode (tcp_probe's srtt is tp->srtt_us >> 3, in us)
const btWhere = port => `tracepoint:tcp:tcp_probe /args->dport == ${port}/ { if (@last[args->sock_cookie] != args->srtt) { @last[args->sock_cookie] = args->srtt; printf("{\\"cookie\\":%llu,\\"SmoothedRTT\\":%u.%03u}\\n", args->sock_cookie, args->srtt / 1000, args->srtt % 1000); } } END { clear(@last); }`;
let HAVE_DEFAULT = false, HAVE_BPFTRACE = false;

// a per-connection summary (the brief's `on close … by comm`): the kernel then sends close events only
const toolOnClose = port => ['-f', 'json', '-e', `on close where dport == ${port} print SmoothedRTT, HCDataOctetsOut`];

function configs(port) {
  const c = [{ name: 'none' }, { name: 'tool-where', tool: toolWhere(port) }, { name: 'tool-on-close', tool: toolOnClose(port) }];
  if (HAVE_DEFAULT) c.push({ name: 'tool-default', tool: ['-f', 'json'] });
  if (HAVE_BPFTRACE) c.push({ name: 'bpftrace', bt: btWhere(port) });
  return c;
}
async function withConfig(cfg, fn, o = {}) {
  let mon = null;
  try {
    if (cfg.tool) mon = await startMonitor('tool', cfg.tool, o);
    else if (cfg.bt) mon = await startMonitor('bpftrace', [cfg.bt], o);
  } catch (e) { return { error: String(e.message ?? e) }; }
  const r = await monitored(mon, fn, o);
  if (mon) {
    const s = await stopMonitor(mon);
    r.monitor = { exit: s.exit, cpu_total_s: s.rusage?.cpu_s ?? null, maxrss_kb: s.rusage?.maxrss_kb ?? null, ready_ms: r3(mon.readyMs), lost_reported: s.lostReported, ...(s.stderrTail ? { stderr: s.stderrTail } : {}) };
  }
  return r;
}

// ---------------------------------------------------------------------------
// b1: traffic overhead (bulk 1 and 64 flows, churn)

function summarize(runs, metric, base = 'none', higherIsBetter = true) {
  const by = {};
  for (const r of runs) (by[r.config] ??= []).push(r);
  const out = {};
  const b = median((by[base] ?? []).map(r => r[metric]));
  for (const [k, rs] of Object.entries(by)) {
    const xs = rs.map(r => r[metric]).filter(Number.isFinite);
    const m = median(xs);
    out[k] = {
      [metric]: spread(xs), delta_pct: k === base ? 0 : pct(m, b),
      workload_cpu_per_unit: r3(median(rs.map(r => r.cpu_per_unit))),
      monitor_cpu_pct: r3(median(rs.map(r => r.monitor_cpu_pct))),
      events_per_s: r3(median(rs.map(r => r.events?.per_s))),
      lost: rs.reduce((a, r) => a + (r.events?.lost ?? 0), 0),
      steal_pct: r3(median(rs.map(r => r.system?.steal_pct))),
      errors: rs.filter(r => r.error).map(r => r.error).slice(0, 2),
    };
    if (!higherIsBetter) out[k].delta_pct = out[k].delta_pct === null ? null : -out[k].delta_pct;
  }
  return out;
}

async function b1() {
  const res = { load: loadNow(), bulk: {}, churn: {} };
  for (const flows of CFG.bulk.flows) {
    const runs = [];
    const cs = configs(P_BULK);
    for (let r = 0; r < CFG.bulk.rounds; r++) {
      for (let i = 0; i < cs.length; i++) {
        const cfg = cs[(i + r) % cs.length]; // rotate the order every round
        // the monitor runs in the workload's namespace, as a user runs it next to the workload
        // (the default view's refresh before each tick, iter/tcp, reads the tool's own namespace)
        const w = await withConfig(cfg, () => workload(NS, 'bulk', ['-p', P_BULK, '-n', flows, '-t', CFG.bulk.secs, '-W', CFG.bulk.warm].map(String), 120, WL_CPU), { ns: NS });
        runs.push({ config: cfg.name, round: r, ...w, cpu_per_unit: w.cpu_ns_per_kb });
        log(`b1 bulk ${flows} flow(s) ${cfg.name} r${r}: ${w.MBps ?? w.error} MB/s, monitor ${w.monitor_cpu_pct ?? '-'}% CPU, events/s ${w.events?.per_s ?? '-'}`);
      }
    }
    res.bulk[`${flows}`] = { runs, summary: summarize(runs, 'MBps') };
  }
  {
    const runs = [];
    const cs = configs(P_CHURN);
    for (let r = 0; r < CFG.churn.rounds; r++) {
      for (let i = 0; i < cs.length; i++) {
        const cfg = cs[(i + r) % cs.length];
        const ns = `${NS}-churn`;
        nsAdd(ns); // fresh namespace: no TIME_WAIT left from the previous run
        const w = await withConfig(cfg, () => workload(ns, 'churn', ['-p', P_CHURN, '-c', CFG.churn.clients, '-t', CFG.churn.secs, '-W', CFG.churn.warm].map(String), 120, WL_CPU), { ns });
        nsDel(ns);
        runs.push({ config: cfg.name, round: r, ...w, cpu_per_unit: w.cpu_us_per_conn });
        log(`b1 churn ${cfg.name} r${r}: ${w.cps ?? w.error} conn/s, monitor ${w.monitor_cpu_pct ?? '-'}% CPU, events/s ${w.events?.per_s ?? '-'}${w.monitor?.lost_reported ? ` lost ${w.monitor.lost_reported}` : ''}`);
      }
    }
    res.churn = { runs, summary: summarize(runs, 'cps') };
  }
  res.load_after = loadNow();
  return res;
}

// ---------------------------------------------------------------------------
// b2: kernel cost per hook

async function b2() {
  const res = { load: loadNow(), runs: {} };
  const prev = shOut('sysctl', ['-n', 'kernel.bpf_stats_enabled']);
  sh('sysctl', ['-qw', 'kernel.bpf_stats_enabled=1']);
  try {
    const cases = [
      ['bulk-1flow', NS, () => workload(NS, 'bulk', ['-p', P_BULK, '-n', '1', '-t', CFG.kcost.secs, '-W', '0.3'].map(String), 120, WL_CPU)],
      ['bulk-64flows', NS, () => workload(NS, 'bulk', ['-p', P_BULK, '-n', '64', '-t', CFG.kcost.secs, '-W', '0.3'].map(String), 120, WL_CPU)],
      ['churn', `${NS}-churn`, () => workload(`${NS}-churn`, 'churn', ['-p', P_CHURN, '-c', CFG.churn.clients, '-t', CFG.kcost.secs, '-W', '0.3'].map(String), 120, WL_CPU)],
      ['pingpong-64', NS, () => workload(NS, 'pingpong', ['-p', P_PP, '-n', '64', '-t', CFG.kcost.secs, '-W', '0.3'].map(String))],
    ];
    const all = {};
    for (let r = 0; r < CFG.kcost.rounds; r++) for (const sample of ['10ms', '0']) {
      for (const [name, ns, fn] of cases) {
        if (ns !== NS) nsAdd(ns);
        const w = await withConfig({ name: 'tool', tool: ['--sample', sample, '-f', 'json', '-e', Q.agg] }, fn, { stats: true });
        if (ns !== NS) nsDel(ns);
        if (w.prog && w.cpu_s) {
          // BPF run time per second against the workload's own CPU per second
          // (bulk counts its CPU over the measured window only; churn/pingpong over warm-up + window)
          const bpfNs = Object.values(w.prog).reduce((a, v) => a + v.ns_total, 0);
          const wlSecs = name.startsWith('bulk') ? w.secs : w.secs + 0.3;
          w.bpf_ns_per_s = Math.round(bpfNs / w.window_s);
          w.bpf_share_of_workload_cpu_pct = r3((bpfNs / 1e9 / w.window_s) / (w.cpu_s / wlSecs) * 100);
        }
        (all[`${name} --sample ${sample}`] ??= []).push(w);
        const pr = w.prog ? Object.entries(w.prog).filter(([, v]) => v.runs).map(([k, v]) => `${k.replace('estats_', '')}=${v.ns_per_run}ns×${v.runs}`).join(' ') : w.error;
        log(`b2 ${name} --sample ${sample} r${r}: ${pr}`);
      }
    }
    // medians over the rounds, per program
    for (const [key, ws] of Object.entries(all)) {
      const ok = ws.filter(w => w.prog);
      if (!ok.length) { res.runs[key] = ws[0]; continue; }
      const prog = {};
      for (const name of new Set(ok.flatMap(w => Object.keys(w.prog)))) {
        const xs = ok.map(w => w.prog[name]).filter(Boolean);
        prog[name] = { runs: median(xs.map(x => x.runs)), ns_total: median(xs.map(x => x.ns_total)), ns_per_run: r3(median(xs.map(x => x.ns_per_run))), ns_per_run_range: [r3(Math.min(...xs.map(x => x.ns_per_run ?? Infinity))), r3(Math.max(...xs.map(x => x.ns_per_run ?? 0)))] };
      }
      res.runs[key] = { rounds: ok.length, prog, bpf_share_of_workload_cpu_pct: r3(median(ok.map(w => w.bpf_share_of_workload_cpu_pct))), events: { per_s: median(ok.map(w => w.events?.per_s)) }, system: ok.map(w => w.system), load: ok.map(w => w.monitor?.ready_ms), raw: ok.map(w => ({ prog: w.prog, cpu_s: w.cpu_s, window_s: w.window_s, monitor_cpu_pct: w.monitor_cpu_pct })) };
    }
  } finally {
    sh('sysctl', ['-qw', `kernel.bpf_stats_enabled=${prev || 0}`]);
  }
  return res;
}

// ---------------------------------------------------------------------------
// b3: user-space pipeline (replay)

async function b3() {
  const res = { load: loadNow(), program: Q.agg };
  const seed = join(TMP, 'seed.tes'), big = join(TMP, 'big.tes');
  // 1. record real events: --sample 0 during a 64-flow bulk run
  const mon = await startMonitor('tool', ['--sample', '0', '--record', seed, '-f', 'json', '-e', Q.agg]);
  const w = await monitored(mon, () => workload(NS, 'bulk', ['-p', P_BULK, '-n', '64', '-t', CFG.replay.seedSecs, '-W', '0.2'].map(String)));
  const s = await stopMonitor(mon);
  res.seed_recording = { bulk: { MBps: w.MBps }, events: w.events, bytes: statSync(seed).size, lost_reported: s.lostReported };
  const cnt = sh('node', [join(import.meta.dirname, 'rectool.mjs'), TOOL, 'count', seed]);
  try { res.seed_recording.count = JSON.parse(cnt.out); } catch { res.seed_recording.count_error = cnt.err.slice(0, 300); }
  log(`b3 seed: ${res.seed_recording.count?.events} events, ${res.seed_recording.count?.sockets} sockets`);
  // 2. the big file
  const t0 = Date.now();
  const inf = sh('node', [join(import.meta.dirname, 'rectool.mjs'), TOOL, 'inflate', seed, big, String(CFG.replay.events)]);
  if (inf.code !== 0) { res.error = `inflate: ${inf.err.slice(0, 500)}`; return res; }
  res.file = { ...JSON.parse(inf.out), build_s: (Date.now() - t0) / 1000 };
  log(`b3 file: ${res.file.events} events, ${(res.file.bytes / 1e9).toFixed(2)} GB in ${res.file.build_s} s`);
  // 3. replay it with the CLI on one core (CPU 1), output to /dev/null
  res.cli = [];
  for (let r = 0; r < CFG.replay.rounds; r++) {
    sh('sh', ['-c', `cat ${big} > /dev/null`]); // page cache warm: the run measures CPU, not the disk
    const ru = join(TMP, 'ru-replay.json');
    const st0 = procStat();
    const x = sh(RUSAGE, [ru, 'taskset', '-c', '1', 'node', TOOLJS, '--replay', big, '-f', 'json', '-e', Q.agg], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sys = statDelta(st0, procStat());
    let u = null; try { u = JSON.parse(readFileSync(ru, 'utf8')); } catch {}
    const one = { exit: x.code, rusage: u, system: sys, stderr: x.err.trim().slice(0, 400) };
    if (u && x.code === 0) { one.events_per_cpu_s = Math.round(res.file.events / u.cpu_s); one.events_per_wall_s = Math.round(res.file.events / u.wall_s); one.ns_per_event_cpu = r3(u.cpu_s * 1e9 / res.file.events); }
    res.cli.push(one);
    log(`b3 cli replay r${r}: exit ${x.code}, ${one.events_per_cpu_s ?? '-'} events/CPU-s, ${one.events_per_wall_s ?? '-'} events/wall-s, RSS ${u?.maxrss_kb} KB ${x.code ? x.err.slice(0, 200) : ''}`);
    if (x.code !== 0) break;
  }
  // 4. when the CLI cannot read it: the same pipeline behind a streaming reader
  if (res.cli.some(c => c.exit !== 0)) {
    const ru = join(TMP, 'ru-replay.json');
    const x = sh(RUSAGE, [ru, 'taskset', '-c', '1', 'node', join(import.meta.dirname, 'replay-stream.mjs'), TOOL, big, Q.agg], { stdio: ['ignore', 'ignore', 'pipe'] });
    try { res.stream = { ...JSON.parse(x.err.trim().split('\n').pop()), rusage: JSON.parse(readFileSync(ru, 'utf8')) }; } catch { res.stream = { error: x.err.slice(0, 400) }; }
    log(`b3 streaming harness: ${JSON.stringify(res.stream).slice(0, 200)}`);
  }
  res.cli_median_events_per_cpu_s = median(res.cli.map(c => c.events_per_cpu_s));
  res.cli_median_events_per_wall_s = median(res.cli.map(c => c.events_per_wall_s));
  rmSync(big, { force: true });
  rmSync(seed, { force: true });
  res.load_after = loadNow();
  return res;
}

// ---------------------------------------------------------------------------
// b4: live loss at the highest event rate the machine offers

async function b4() {
  const res = { load: loadNow(), program: Q.agg, levels: [] };
  for (const [conns, procs] of CFG.live.levels) {
    const base = await workload(NS, 'pingpong', ['-p', P_PP, '-n', conns, '-P', procs, '-t', CFG.live.secs, '-W', '0.5'].map(String));
    const w = await withConfig({ name: 'tool', tool: ['--sample', '0', '-f', 'json', '-e', Q.agg] },
      () => workload(NS, 'pingpong', ['-p', P_PP, '-n', conns, '-P', procs, '-t', CFG.live.secs, '-W', '0.5'].map(String)));
    const one = { conns, procs, rtps_no_tool: base.rtps, rtps: w.rtps, offered_per_s: w.events?.per_s, sent: w.events?.sent, lost: w.events?.lost, lost_reported: w.monitor?.lost_reported, tool_cpu_pct: w.monitor_cpu_pct, tool_ns_per_event: w.events?.sent ? r3(w.monitor_cpu_s * 1e9 / w.events.sent) : null, steal_pct: w.system?.steal_pct, busy_pct: w.system?.busy_pct, error: w.error, monitor: w.monitor };
    res.levels.push(one);
    log(`b4 pingpong ${conns} conns/${procs} procs: offered ${one.offered_per_s} ev/s, lost ${one.lost}, tool ${one.tool_cpu_pct}% CPU, ${one.tool_ns_per_event} ns/event; rt/s ${base.rtps} → ${w.rtps}`);
  }
  // Synthetic: scripts/bench/gen (a BPF syscall program run with
  // BPF_PROG_TEST_RUN) writes exactly RATE ack events/s into the tool's own
  // ring buffer; the tool's count() says how many it processed.
  res.synthetic = [];
  if (existsSync(join(BIN, 'gen')) && existsSync(join(BIN, 'gen.bpf.o'))) {
    const prog = 'where dport == 5999 print count(), avg(SmoothedRTT), max(SegsOut) by dport';
    for (const [rate, ring] of CFG.live.synth) {
      let got = null;
      const w = await withConfig({ name: 'tool', tool: ['--ring', ring, '-f', 'json', '-e', prog] },
        mon => workload(null, 'gen', [String(mon.nodePid), String(rate), String(CFG.live.secs), '64']),
        { stdout: 'pipe', onLine: l => { try { const r = JSON.parse(l); if (r['count()'] !== undefined) got = r['count()']; } catch {} } });
      const one = { rate, ring, offered: w.offered, lost_at_generator: w.lost_at_generator, processed: got, lost: Number.isFinite(w.offered) && got !== null ? w.offered - got : null, tool_cpu_pct: w.monitor_cpu_pct, tool_ns_per_event: w.offered ? r3(w.monitor_cpu_s * 1e9 / w.offered) : null, error: w.error };
      res.synthetic.push(one);
      log(`b4 synthetic ${rate} ev/s, --ring ${ring}: offered ${one.offered}, processed ${one.processed}, lost ${one.lost} (ring full at the generator ${one.lost_at_generator}), tool ${one.tool_cpu_pct}% CPU, ${one.tool_ns_per_event} ns/event`);
    }
  } else {
    res.synthetic_note = 'scripts/bench/gen not built (needs clang and libbpf-dev)';
  }
  const best = res.levels.filter(l => Number.isFinite(l.offered_per_s)).sort((a, b) => b.offered_per_s - a.offered_per_s)[0];
  res.max_offered_per_s = best?.offered_per_s ?? null;
  res.lost_at_max = best?.lost ?? null;
  const nsev = median(res.levels.map(l => l.tool_ns_per_event));
  res.tool_ns_per_event_median = nsev;
  res.projected_capacity_per_core = nsev ? Math.round(1e9 / nsev) : null;
  res.load_after = loadNow();
  return res;
}

// ---------------------------------------------------------------------------
// b5: filter pushdown

async function b5() {
  const res = { load: loadNow(), port: P_PUSH, others: CFG.push.others, runs: {} };
  const prev = shOut('sysctl', ['-n', 'kernel.bpf_stats_enabled']);
  sh('sysctl', ['-qw', 'kernel.bpf_stats_enabled=1']);
  try {
    const cases = [
      ['none', null],
      ['where dport == P (pushed down)', ['-f', 'json', '-e', `where dport == ${P_PUSH} print SmoothedRTT`]],
      ['no filter (every socket)', ['-f', 'json', '-e', 'print SmoothedRTT']],
    ];
    for (const [name, args] of cases) {
      const rec = join(TMP, 'push.tes');
      rmSync(rec, { force: true });
      const both = async () => {
        const [o, p] = await Promise.all([
          workload(NS, 'pingpong', ['-p', P_PUSH_OTHER, '-n', CFG.push.others, '-P', '2', '-t', CFG.push.secs, '-W', '0.5', '-A', '8'].map(String)),
          workload(NS, 'pingpong', ['-p', P_PUSH, '-n', '1', '-t', CFG.push.secs, '-W', '0.5'].map(String)),
        ]);
        return { others_rtps: o.rtps, p_rtps: p.rtps, error: o.error ?? p.error };
      };
      const w = await withConfig(args ? { name, tool: ['--record', rec, ...args] } : { name }, both, { stats: true });
      if (args && existsSync(rec)) {
        const c = sh('node', [join(import.meta.dirname, 'rectool.mjs'), TOOL, 'count', rec]);
        try { w.recording = JSON.parse(c.out); } catch { w.recording = { error: c.err.slice(0, 300) }; }
        const byD = w.recording.by_dport ?? {};
        w.events_to_user = w.recording.events;
        w.events_not_P = Object.entries(byD).filter(([d]) => Number(d) !== P_PUSH).reduce((a, [, n]) => a + n, 0);
        rmSync(rec, { force: true });
      }
      res.runs[name] = w;
      const probe = w.prog?.estats_probe;
      log(`b5 ${name}: others ${w.others_rtps} rt/s, P ${w.p_rtps} rt/s; events to user ${w.events_to_user ?? '-'} (not P: ${w.events_not_P ?? '-'}); estats_probe ${probe?.ns_per_run ?? '-'} ns × ${probe?.runs ?? '-'}`);
    }
  } finally {
    sh('sysctl', ['-qw', `kernel.bpf_stats_enabled=${prev || 0}`]);
  }
  res.load_after = loadNow();
  return res;
}

// ---------------------------------------------------------------------------
// b6: start-up

async function b6() {
  const res = { load: loadNow(), runs: [] };
  // where the tool's start-up goes
  const time = (cmd, args) => { const t = process.hrtime.bigint(); const r = sh(cmd, args); return { ms: r3(Number(process.hrtime.bigint() - t) / 1e6), code: r.code }; };
  res.node_bare_ms = median([0, 1, 2].map(() => time('node', ['-e', '0']).ms));
  res.dry_run_ms = median([0, 1, 2].map(() => time('node', [TOOLJS, '--dry-run', '-e', `where dport == ${P_START} print SmoothedRTT`]).ms));
  const kinds = HAVE_BPFTRACE ? ['tool', 'bpftrace'] : ['tool'];
  for (let r = 0; r < CFG.startup.rounds; r++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(i + r) % kinds.length];
      // connections to P_START keep coming (200/s) while the monitor starts
      const gen = workload(NS, 'churn', ['-p', P_START, '-c', '1', '-r', '200', '-t', '2.5', '-W', '0'].map(String));
      await sleep(300);
      let h;
      try {
        h = await startMonitor(kind, kind === 'tool' ? toolWhere(P_START) : [`tracepoint:tcp:tcp_probe /args->dport == ${P_START}/ { printf("%u\\n", args->srtt); }`], { stdout: 'pipe', wait: false });
      } catch (e) { res.runs.push({ kind, error: String(e.message) }); await gen; continue; }
      const deadline = Date.now() + 2200;
      while (Date.now() < deadline && h.firstLineMs === null && h.exited === null) await sleep(2);
      const s = await stopMonitor(h);
      await gen;
      res.runs.push({ kind, round: r, first_row_ms: r3(h.firstLineMs), ready_ms: r3(h.readyMs), exit: s.exit, ...(h.firstLineMs === null ? { stderr: s.stderrTail } : {}) });
      log(`b6 ${kind} r${r}: first row after ${r3(h.firstLineMs)} ms (ready ${r3(h.readyMs)} ms)`);
    }
  }
  for (const k of kinds) {
    const xs = res.runs.filter(x => x.kind === k).map(x => x.first_row_ms);
    res[`${k}_first_row_ms`] = spread(xs.filter(Number.isFinite));
  }
  res.tool_ready_ms = spread(res.runs.filter(x => x.kind === 'tool').map(x => x.ready_ms).filter(Number.isFinite));
  return res;
}

// ---------------------------------------------------------------------------
// b7: scale

async function b7() {
  const res = { load: loadNow(), sizes: [] };
  for (const n of CFG.scale.sizes) {
    const ns = `${NS}-scale`;
    nsAdd(ns);
    const readyFile = join(TMP, `idle-${n}.ready`);
    rmSync(readyFile, { force: true });
    const one = { connections: n, sockets_expected: 2 * n };
    // n = 0: the tool's own baseline (an empty namespace, no process)
    let idle = null, idleClosed = Promise.resolve(), iout = '{"n":0,"workers":0}', ierr = '';
    if (n) {
      const [c, a] = inNs(ns, join(BIN, 'idle'), ['-n', String(n), '-t', '300', '-r', readyFile]);
      idle = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(idle.pid);
      iout = '';
      idle.stdout.on('data', d => { iout += d; });
      idle.stderr.on('data', d => { ierr += d; });
      idleClosed = new Promise(res => idle.on('close', () => { live.delete(idle.pid); res(); }));
      const deadline = Date.now() + 180000;
      while (!existsSync(readyFile) && Date.now() < deadline && idle.exitCode === null) await sleep(50);
    } else writeFileSync(readyFile, '0\n');
    try { one.idle = JSON.parse(iout.trim().split('\n').pop()); } catch { one.idle = { error: ierr.slice(0, 300) }; }
    if (!existsSync(readyFile)) { one.error = `idle did not get ready: ${ierr.slice(0, 300)}`; }
    else {
      one.sockets_listed_by_ss = Number(sh('nsenter', [`--net=/run/netns/${ns}`, 'ss', '-Htn']).out.split('\n').filter(Boolean).length);
      one.listeners = one.idle.workers ?? null;
      // ss -tin: time and RSS
      const ss = [];
      for (let r = 0; r < CFG.scale.ssRounds; r++) {
        const ru = join(TMP, 'ru-ss.json');
        sh('sh', ['-c', `${RUSAGE} ${ru} nsenter --net=/run/netns/${ns} ss -tin > /dev/null`]);
        try { ss.push(JSON.parse(readFileSync(ru, 'utf8'))); } catch {}
      }
      one.ss_tin = { wall_ms: spread(ss.map(x => x.wall_s * 1000)), cpu_ms: spread(ss.map(x => x.cpu_s * 1000)), maxrss_kb: median(ss.map(x => x.maxrss_kb)) };
      // the tool: start-up with seeding, then the first `every 1s` snapshot
      for (const ring of n ? [null, '512MiB'] : [null]) {
        const args = ['-f', 'json', '-d', '3.5s', ...(ring ? ['--ring', ring] : []), '-e', 'every 1s print count()'];
        let h;
        const t = { ring: ring ?? 'default (16MiB)' };
        try {
          h = await startMonitor('tool', args, { ns, stdout: 'pipe', readyTimeoutMs: 120000 });
          const d2 = Date.now() + 8000;
          while (h.rows.length < 2 && h.exited === null && Date.now() < d2) await sleep(10);
          const s = await stopMonitor(h);
          const ticks = h.rows.map(x => { try { return { ms: x.ms, rssKb: x.rssKb, ...JSON.parse(x.line) }; } catch { return null; } }).filter(x => x && x.type !== 'warning');
          Object.assign(t, {
            ready_ms: r3(h.readyMs), first_tick_ms: r3(ticks[0]?.ms), tick_count: ticks.map(x => x['count()']),
            // the first tick fires one interval after ready; what is left is the snapshot (iter/tcp refresh + fold + output)
            first_snapshot_ms: ticks[0] ? r3(Math.max(0, ticks[0].ms - h.readyMs - 1000)) : null,
            second_snapshot_ms: ticks[1] ? r3(Math.max(0, ticks[1].ms - h.readyMs - 2000)) : null,
            rss_at_first_tick_kb: ticks[0]?.rssKb ?? null, maxrss_kb: s.rusage?.maxrss_kb ?? null, cpu_total_s: s.rusage?.cpu_s ?? null,
            lost_reported: s.lostReported, exit: s.exit, ...(s.stderrTail ? { stderr: s.stderrTail } : {}),
          });
        } catch (e) { t.error = String(e.message ?? e).slice(0, 400); }
        (one.tool ??= []).push(t);
        log(`b7 ${n} conns, ring ${t.ring}: ready ${t.ready_ms} ms, snapshot ${t.first_snapshot_ms} ms, count ${t.tick_count}, RSS ${t.rss_at_first_tick_kb} KB, lost ${t.lost_reported}`);
      }
      log(`b7 ${n} conns: ss -tin ${one.ss_tin.wall_ms.median} ms, ${one.ss_tin.maxrss_kb} KB`);
    }
    if (idle) { try { process.kill(idle.pid, 'SIGTERM'); } catch {} }
    const guard = setTimeout(() => {}, 30000);
    await Promise.race([idleClosed, sleep(30000, null, { ref: false })]);
    clearTimeout(guard);
    nsDel(ns);
    rmSync(readyFile, { force: true });
    res.sizes.push(one);
  }
  return res;
}

// ---------------------------------------------------------------------------
// machine, summary, main

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpu_model: /model name\s*:\s*(.*)/.exec(cpu)?.[1] ?? os.cpus()[0]?.model,
    cpus: os.cpus().length,
    hypervisor: /hypervisor/.test(cpu) ? 'yes' : 'no',
    mem_gb: r3(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    bpftool: shOut('bpftool', ['version']).split('\n')[0],
    bpftrace: HAVE_BPFTRACE ? shOut('bpftrace', ['--version']) : 'not installed',
    tool_commit: !SRC ? null : REVISION ? `${REVISION} = ${shOut('git', ['-C', SRC, 'rev-parse', '--short', REVISION])}` : TOOL.startsWith(TMP) ? shOut('git', ['-C', SRC, 'rev-parse', '--short', 'HEAD']) + (shOut('git', ['-C', SRC, 'status', '--porcelain', 'src', 'bpf']) ? ' + uncommitted changes in src/ or bpf/' : '') : `prebuilt tree ${TOOL}`,
    load_at_start: loadNow(),
    workload_cpu: WL_CPU,
  };
}

const fmt = (x, d = 1) => x === null || x === undefined || !Number.isFinite(x) ? '–' : Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: 0 });

function markdown() {
  const B = results.benchmarks, L = [];
  const m = results.machine;
  L.push(`# tcp-estats benchmark results (${results.mode})`, '');
  L.push(`${results.started} · ${m.cpu_model}, ${m.cpus} vCPU, ${m.mem_gb} GiB · Linux ${m.kernel} · Node ${m.node} · ${m.bpftrace} · tool ${m.tool_commit ?? '?'}`);
  L.push(`load average at start ${m.load_at_start.loadavg.join(' ')}${m.load_at_start.top.length ? ` (top: ${m.load_at_start.top.join(', ')})` : ''}`, '');
  L.push('| # | benchmark | measured | target | verdict |', '|---|---|---|---|---|');
  const row = (...c) => L.push(`| ${c.join(' | ')} |`);
  const verdict = (ok, measurable = true) => !measurable ? 'not measurable here' : ok ? 'met' : 'not met';
  // throughput targets: decide only when the no-tool runs agree with each other well enough
  const tputVerdict = (delta, target, base) => {
    const noise = base ? (base.max - base.min) / base.median * 100 : Infinity;
    if (delta === null) return '';
    if (delta < -(target + noise)) return 'not met';
    if (delta >= -target && noise <= target) return 'met';
    return `inconclusive (no-tool runs spread ${fmt(noise, 0)} %)`;
  };
  if (B.b1 && !B.b1.error) {
    for (const [flows, v] of Object.entries(B.b1.bulk)) {
      for (const [cfg, s] of Object.entries(v.summary)) {
        const base = v.summary.none?.workload_cpu_per_unit;
        if (cfg === 'none') { row('1', `bulk ${flows} flow(s), no tool`, `${fmt(s.MBps.median, 0)} MB/s (min ${fmt(s.MBps.min, 0)}, max ${fmt(s.MBps.max, 0)}, n=${s.MBps.n}); workload CPU ${fmt(base, 0)} ns/KiB`, '', ''); continue; }
        const tgt = cfg.startsWith('tool') ? '≥ −2 %' : 'comparison';
        row('1', `bulk ${flows} flow(s), ${cfg}`, `${fmt(s.MBps.median, 0)} MB/s (${fmt(s.MBps.min, 0)}–${fmt(s.MBps.max, 0)}), Δ ${fmt(s.delta_pct)} %; workload CPU/KiB ${pct(s.workload_cpu_per_unit, base) >= 0 ? '+' : ''}${fmt(pct(s.workload_cpu_per_unit, base))} %; monitor ${fmt(s.monitor_cpu_pct)} % CPU${s.events_per_s ? `, ${fmt(s.events_per_s, 0)} ev/s` : ''}${s.lost ? `, lost ${s.lost}` : ''}`, tgt, cfg.startsWith('tool') ? tputVerdict(s.delta_pct, 2, v.summary.none?.MBps) : '');
      }
    }
    for (const [cfg, s] of Object.entries(B.b1.churn.summary)) {
      const base = B.b1.churn.summary.none?.workload_cpu_per_unit;
      if (cfg === 'none') { row('1', 'churn, no tool', `${fmt(s.cps.median, 0)} conn/s (min ${fmt(s.cps.min, 0)}, max ${fmt(s.cps.max, 0)}, n=${s.cps.n}); workload CPU ${fmt(base, 1)} µs/conn`, '', ''); continue; }
      const tgt = cfg.startsWith('tool') ? '≥ −5 %' : 'comparison';
      row('1', `churn, ${cfg}`, `${fmt(s.cps.median, 0)} conn/s (${fmt(s.cps.min, 0)}–${fmt(s.cps.max, 0)}), Δ ${fmt(s.delta_pct)} %; workload CPU/conn ${pct(s.workload_cpu_per_unit, base) >= 0 ? '+' : ''}${fmt(pct(s.workload_cpu_per_unit, base))} %; monitor ${fmt(s.monitor_cpu_pct)} % CPU${s.events_per_s ? `, ${fmt(s.events_per_s, 0)} ev/s` : ''}${s.lost ? `, lost ${s.lost}` : ''}`, tgt, cfg.startsWith('tool') ? tputVerdict(s.delta_pct, 5, B.b1.churn.summary.none?.cps) : '');
    }
    if (!HAVE_DEFAULT) row('1', 'default view (no program)', 'not run: `tcp-estats` without a program exits 2 in this build', '≥ −2 % / −5 %', 'not measurable here');
  }
  if (B.b2 && !B.b2.error) {
    for (const [name, w] of Object.entries(B.b2.runs)) {
      if (!w.prog) { row('2', name, w.error ?? '–', '', ''); continue; }
      const parts = Object.entries(w.prog).filter(([, v]) => v.runs).sort((a, b) => b[1].runs - a[1].runs).map(([k, v]) => `${k.replace('estats_', '')} ${fmt(v.ns_per_run, 0)}${w.rounds > 1 && v.ns_per_run_range ? ` (${fmt(v.ns_per_run_range[0], 0)}–${fmt(v.ns_per_run_range[1], 0)})` : ''} ns×${fmt(v.runs, 0)}`);
      const probe = w.prog.estats_probe?.ns_per_run;
      row('2', `ns per run, ${name}${w.rounds > 1 ? ` (median of ${w.rounds})` : ''}`, `${parts.join('; ')}${w.bpf_share_of_workload_cpu_pct !== undefined ? `; all BPF = ${fmt(w.bpf_share_of_workload_cpu_pct)} % of the workload's CPU` : ''}${w.events ? `; ${fmt(w.events.per_s, 0)} events/s` : ''}`, 'estats_probe < 300 ns', probe ? verdict(probe < 300) : '');
    }
  }
  if (B.b3) {
    const b = B.b3;
    const cli = b.cli?.[0];
    if (b.error) row('3', 'replay', b.error, '', '');
    else {
      row('3', `replay ${fmt(b.file?.events, 0)} events (${fmt(b.file?.bytes / 1e9, 2)} GB), CLI, 1 core`, cli?.exit === 0 ? `${fmt(b.cli_median_events_per_cpu_s, 0)} events/CPU-s, ${fmt(b.cli_median_events_per_wall_s, 0)} events/wall-s, ${fmt(cli.ns_per_event_cpu, 0)} ns/event, RSS ${fmt(cli.rusage?.maxrss_kb / 1024, 0)} MiB` : `failed (exit ${cli?.exit}): ${cli?.stderr}`, '≥ 2 M events/s', cli?.exit === 0 ? verdict(b.cli_median_events_per_cpu_s >= 2e6) : 'not met');
      if (b.stream) row('3', 'same pipeline, streaming reader (scripts/bench/replay-stream.mjs)', `${fmt(b.stream.events_per_cpu_s, 0)} events/CPU-s, RSS ${fmt(b.stream.rss_mb, 0)} MiB`, '≥ 2 M events/s', verdict(b.stream.events_per_cpu_s >= 2e6));
    }
  }
  if (B.b4 && !B.b4.error) {
    for (const l of B.b4.levels) row('4', `live, ping-pong ${l.conns} conns, --sample 0`, `offered ${fmt(l.offered_per_s, 0)} ev/s, lost ${fmt(l.lost, 0)}; tool ${fmt(l.tool_cpu_pct)} % CPU, ${fmt(l.tool_ns_per_event, 0)} ns/event`, '0 lost at 500 k/s', '');
    const b = B.b4;
    for (const l of b.synthetic ?? []) row('4', `live, synthetic generator ${fmt(l.rate, 0)} ev/s, --ring ${l.ring}`, `offered ${fmt(l.offered, 0)}, processed ${fmt(l.processed, 0)}, lost ${fmt(l.lost, 0)}; tool ${fmt(l.tool_cpu_pct)} % CPU, ${fmt(l.tool_ns_per_event, 0)} ns/event`, '0 lost at 500 k/s', l.rate === 500_000 ? verdict(l.lost === 0) : '');
    row('4', 'live, verdict', `max offered here ${fmt(b.max_offered_per_s, 0)} ev/s (lost ${fmt(b.lost_at_max, 0)}); tool CPU ${fmt(b.tool_ns_per_event_median, 0)} ns/event → ~${fmt(b.projected_capacity_per_core, 0)} ev/s per core`, '0 lost at 500 k/s', b.max_offered_per_s >= 5e5 ? verdict(b.lost_at_max === 0) : 'not measurable here (machine cannot offer 500 k/s)');
  }
  if (B.b5 && !B.b5.error) {
    for (const [name, w] of Object.entries(B.b5.runs)) {
      const pr = w.prog ? ['estats_probe', 'estats_xmit', 'estats_sockops', 'estats_send_length', 'estats_recv_length'].filter(k => w.prog[k]?.runs).map(k => `${k.replace('estats_', '')} ${fmt(w.prog[k].ns_per_run, 0)} ns×${fmt(w.prog[k].runs, 0)}`).join('; ') : '';
      row('5', `pushdown: ${name}`, `${w.events_to_user !== undefined ? `${fmt(w.events_to_user, 0)} events to user space, ${fmt(w.events_not_P, 0)} not port ${B.b5.port}; ` : ''}others ${fmt(w.others_rtps, 0)} rt/s${pr ? `; ${pr}` : ''}`, name.startsWith('where') ? 'only P\'s events; small kernel cost for others' : '', name.startsWith('where') ? verdict(w.events_not_P === 0) : '');
    }
  }
  if (B.b6 && !B.b6.error) {
    const b = B.b6;
    row('6', 'start-up: launch → first row', `tool ${fmt(b.tool_first_row_ms?.median, 0)} ms (${fmt(b.tool_first_row_ms?.min, 0)}–${fmt(b.tool_first_row_ms?.max, 0)}; ready ${fmt(b.tool_ready_ms?.median, 0)} ms; bare node ${fmt(b.node_bare_ms, 0)} ms, --dry-run ${fmt(b.dry_run_ms, 0)} ms)${b.bpftrace_first_row_ms ? `; bpftrace ${fmt(b.bpftrace_first_row_ms.median, 0)} ms (${fmt(b.bpftrace_first_row_ms.min, 0)}–${fmt(b.bpftrace_first_row_ms.max, 0)})` : ''}`, '< 300 ms', verdict(b.tool_first_row_ms?.median < 300));
  }
  if (B.b7 && !B.b7.error) {
    for (const s of B.b7.sizes) {
      if (s.error) { row('7', `scale ${fmt(s.connections, 0)} conns`, s.error, '', ''); continue; }
      row('7', `scale ${fmt(s.connections, 0)} conns: ss -tin`, `${fmt(s.ss_tin.wall_ms.median, 0)} ms, ${fmt(s.ss_tin.cpu_ms.median, 0)} ms CPU, RSS ${fmt(s.ss_tin.maxrss_kb / 1024, 1)} MiB (${fmt(s.sockets_listed_by_ss, 0)} sockets)`, 'comparison', '');
      for (const t of s.tool ?? []) row('7', `scale ${fmt(s.connections, 0)} conns: tool, ring ${t.ring}`, t.error ?? `ready ${fmt(t.ready_ms, 0)} ms (seed), snapshot ${fmt(t.first_snapshot_ms, 0)} ms, count() ${t.tick_count?.join('/')} of ${fmt(s.sockets_listed_by_ss, 0)}, RSS ${fmt(t.rss_at_first_tick_kb / 1024, 0)} MiB (max ${fmt(t.maxrss_kb / 1024, 0)}), lost ${fmt(t.lost_reported, 0)}`, 'all sockets; vs ss', t.error ? 'error' : t.tick_count?.[0] >= s.sockets_listed_by_ss ? 'complete' : 'INCOMPLETE (events lost)');
    }
  }
  L.push('');
  if (results.notes.length) { L.push('Notes:', ''); for (const n of results.notes) L.push(`- ${n}`); L.push(''); }
  return L.join('\n');
}

async function cleanup() {
  for (const pid of live) { try { process.kill(pid, 'SIGKILL'); } catch {} }
  for (const ns of [...nsCreated]) nsDel(ns);
}
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, async () => { log(`${s}: cleaning up`); await cleanup(); process.exit(130); });

async function main() {
  if (opt('--render')) {
    // re-render the Markdown table of an earlier results file
    Object.assign(results, JSON.parse(readFileSync(opt('--render'), 'utf8')));
    HAVE_DEFAULT = JSON.stringify(results.benchmarks.b1 ?? {}).includes('"tool-default"') || !results.notes.some(n => n.includes('default view does not exist'));
    const md = opt('--render').replace(/\.json$/, '.md');
    writeFileSync(md, markdown());
    process.stdout.write(`${md}\n`);
    return;
  }
  if (process.getuid() !== 0) { console.error('bench: run as root'); process.exit(1); }
  mkdirSync(OUT, { recursive: true });
  // bpftrace needs tracefs for tracepoint:… probes
  if (!readFileSync('/proc/mounts', 'utf8').includes(' /sys/kernel/tracing ')) {
    const r = sh('mount', ['-t', 'tracefs', 'nodev', '/sys/kernel/tracing']);
    note(`tracefs was not mounted; mounted it on /sys/kernel/tracing for bpftrace (${r.code === 0 ? 'ok' : r.err.trim()})`);
  }
  HAVE_BPFTRACE = sh('sh', ['-c', 'command -v bpftrace']).code === 0;
  if (HAVE_BPFTRACE) {
    const t = sh('timeout', ['15', 'bpftrace', '-e', 'tracepoint:tcp:tcp_probe { @n = count(); } BEGIN { exit(); }']);
    if (t.code !== 0) { HAVE_BPFTRACE = false; note(`bpftrace cannot attach tracepoint:tcp:tcp_probe here: ${t.err.trim().slice(0, 300)}`); }
  } else note('bpftrace not installed (apt-get install -y bpftrace): the bpftrace comparisons are skipped');
  const d = sh('node', [TOOLJS, '--dry-run']);
  HAVE_DEFAULT = d.code === 0;
  if (!HAVE_DEFAULT) note(`the no-argument default view does not exist in this build (\`tcp-estats --dry-run\` without a program exits ${d.code}: ${d.err.trim().split('\n')[0]}); its rows are skipped`);
  results.machine = machine();
  log(`machine: ${JSON.stringify(results.machine)}`);
  nsAdd(NS);
  const benches = { b1, b2, b3, b4, b5, b6, b7 };
  const stamp = results.started.replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const base = join(OUT, `${stamp}-${results.mode}`);
  try {
    for (const k of ONLY) {
      if (!benches[k]) continue;
      const t0 = Date.now();
      log(`=== ${k}`);
      try { results.benchmarks[k] = await benches[k](); } catch (e) { results.benchmarks[k] = { error: String(e.stack ?? e).slice(0, 1000) }; log(`${k} failed: ${e.stack ?? e}`); }
      results.benchmarks[k].duration_s = (Date.now() - t0) / 1000;
      writeFileSync(`${base}.json`, JSON.stringify(results, null, 1));
    }
  } finally {
    await cleanup();
  }
  results.finished = new Date().toISOString();
  results.load_at_end = loadNow();
  writeFileSync(`${base}.json`, JSON.stringify(results, null, 1));
  writeFileSync(`${base}.md`, markdown());
  process.stdout.write(markdown() + `\nresults: ${base}.json, ${base}.md\n`);
}

main().catch(async e => { console.error(e); await cleanup(); process.exit(1); });

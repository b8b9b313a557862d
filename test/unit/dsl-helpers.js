// Helpers for the query-language tests: synthetic Snapshots/Frames and a tiny host.
// A Snapshot here has every field of src/estats/snapshot.generated.ts (read from
// the source, so new fields appear automatically), all zero by default.
import { readFileSync } from 'node:fs';
import { compile, Runtime } from '../../dist/dsl/index.js';
import { CATALOG } from '../../dist/estats/catalog.js';

/** a catalog variable that is not available on this kernel (no getter), for W001 tests */
export const UNAVAIL = (CATALOG.find(v => !v.get && v.table !== 'Listener') ?? CATALOG.find(v => !v.get))?.name;

const src = readFileSync(new URL('../../src/estats/snapshot.generated.ts', import.meta.url), 'utf8');
const iface = src.slice(src.indexOf('export interface Snapshot'), src.indexOf('}', src.indexOf('export interface Snapshot')));
export const SNAPSHOT_TYPES = Object.fromEntries([...iface.matchAll(/readonly (\w+): ([\w.]+);/g)].map(m => [m[1], m[2]]));

export const EV = { open: 1, established: 2, state: 3, ack: 4, rtt: 5, retransmit: 6, timeout: 7, congestion: 8, reset: 9, close: 10, seed: 11 };

function addrBytes(s) {
  const b = new Uint8Array(16);
  if (s.includes(':')) {
    // small IPv6 parser for tests (supports ::)
    const [h, t] = s.split('::');
    const hs = h ? h.split(':') : [];
    const ts = t !== undefined ? (t ? t.split(':') : []) : [];
    const groups = t !== undefined ? [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts] : hs;
    groups.forEach((g, i) => { const n = parseInt(g, 16); b[2 * i] = n >> 8; b[2 * i + 1] = n & 255; });
  } else s.split('.').forEach((p, i) => { b[i] = Number(p); });
  return b;
}

/**
 * A Snapshot with every field zero, then the overrides. Conveniences:
 * saddr/daddr as strings ('10.0.0.1', '::1'), srtt_ms (SmoothedRTT in ms),
 * event as a name ('close'), and numbers for bigint fields.
 */
export function snap(over = {}) {
  const s = {};
  for (const [name, type] of Object.entries(SNAPSHOT_TYPES)) {
    s[name] = type === 'bigint' ? 0n : type === 'string' ? '' : type === 'Uint8Array' ? new Uint8Array(16) : 0;
  }
  s.family = 4;
  s.kind = EV.ack;
  s.state = 1;
  s.cookie = 1n;
  for (const [k, v] of Object.entries(over)) {
    if (k === 'srtt_ms') s.srtt_us = Math.round(v * 1000) * 8;
    else if (k === 'event') s.kind = EV[v];
    else if ((k === 'saddr' || k === 'daddr') && typeof v === 'string') { s[k] = addrBytes(v); if (v.includes(':')) s.family = over.family ?? 6; }
    else if (SNAPSHOT_TYPES[k] === 'bigint' && typeof v === 'number') s[k] = BigInt(v);
    else s[k] = v;
  }
  return s;
}

/** compile or throw with the rendered diagnostics */
export function mustCompile(text) {
  const r = compile(text);
  if (!r.program) throw new Error(`does not compile: ${text}\n${r.diagnostics.map(d => `${d.code} ${d.message}`).join('\n')}`);
  return r.program;
}

/**
 * A small host: a socket table like src/estats/table.ts, feeding a Runtime.
 * steps: {ev: {...}} (an event; cookie picks the socket), {tick: ms, live?}, {finish: ms}
 * Returns every Out the runtime emitted.
 */
export function runSteps(program, steps) {
  const prog = typeof program === 'string' ? mustCompile(program) : program;
  const outs = [];
  const rt = new Runtime(prog, o => outs.push(o));
  const table = new Map();
  for (const st of steps) {
    if (st.ev) {
      const ev = snap(st.ev);
      let e = table.get(ev.cookie);
      if (!e) { e = { cookie: ev.cookie, memo: new Map(), ev }; e.sock = e; table.set(ev.cookie, e); }
      e.ev = ev;
      rt.onEvent(e);
      if (ev.kind === EV.close) table.delete(ev.cookie);
    } else if (st.tick !== undefined) {
      rt.onTick(BigInt(Math.round(st.tick * 1e6)), () => table.values());
    } else if (st.finish !== undefined) {
      rt.finish(BigInt(Math.round(st.finish * 1e6)));
    }
  }
  return outs;
}

/** rows (values arrays) of the outs, by type */
export const rowsOf = outs => outs.filter(o => o.type === 'row').map(o => o.values);
export const aggsOf = outs => outs.filter(o => o.type === 'agg').map(o => o.values);
export const colsOf = outs => outs.find(o => o.type !== 'batch-end')?.columns.map(c => c.name);

/** diagnostic codes of a program (errors and warnings) */
export function codes(text) {
  return compile(text).diagnostics.map(d => d.code);
}

// Every example of the language page, exactly as written, on a recorded
// stream of real traffic (test/fixtures/examples.tes, made by
// scripts/record-examples.mjs: ports 443 and 80, curl, queueing delay,
// drops, a black-hole), through the real CLI with --replay (no root). Each
// result is checked against an oracle computed here from the raw events of
// the same recording, independently of the language runtime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openRecording } from '../../dist/stream/record.js';
import { findVar, varsOfTable } from '../../dist/estats/catalog.js';
import { findField, EVENT_NAMES } from '../../dist/estats/fields.js';

const FIX = fileURLToPath(new URL('../fixtures/examples.tes', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tcp-estats.js', import.meta.url));
// The kernel sends one event per state transition: an open/established/close
// event with flag 0x10 (ESTATS_F_STATE) also stands for that transition's
// state event, which the oracle expands here on its own (state event first).
const FLAG_STATE = 0x10, STATE = 3;
const items = [...openRecording(FIX).items()].flatMap(it =>
  it.type === 'event' && it.ev.flags & FLAG_STATE && it.ev.kind !== STATE
    ? [{ ...it, ev: Object.create(it.ev, { kind: { value: STATE } }) }, it]
    : [it]);
const events = items.filter(i => i.type === 'event').map(i => i.ev);

function run(program) {
  const out = execFileSync(process.execPath, [BIN, '--replay', FIX, '-f', 'json', '-e', program], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out.split('\n').filter(Boolean).map(l => JSON.parse(l)).filter(r => r.type !== 'meta');
}
const get = (name, ev) => {
  const v = findVar(name);
  if (v) return v.get ? v.get(ev) : null;
  return findField(name).get(ev);
};
const kind = ev => EVENT_NAMES[ev.kind];
const CLOSE = 10;
const pick = (r, cols) => Object.fromEntries(cols.map(c => [c, r[c]]));

/** Replays the recording the way the pipeline does: table of last events, ticks. */
function simulate({ onEvent, everyMs, onFire }) {
  const table = new Map();
  const E = everyMs === undefined ? null : BigInt(everyMs) * 1000000n;
  let due = null;
  for (const it of items) {
    if (it.type === 'event') {
      const ev = it.ev;
      table.set(ev.cookie, ev);
      onEvent?.(ev, table);
      if (ev.kind === CLOSE) table.delete(ev.cookie);
    } else if (it.type === 'tick' && E !== null) {
      const now = it.nowNs;
      if (due === null) due = now; // the first host tick is one interval after the start
      const early = E / 20n < 20000000n ? E / 20n : 20000000n;
      if (now + early >= due) {
        onFire(now, [...table.values()]);
        due += E;
        while (due <= now) due += E;
      }
    }
  }
}

test('recording has the traffic the examples need', () => {
  assert.ok(events.length > 300, `${events.length} events`);
  for (const k of ['open', 'established', 'ack', 'rtt', 'retransmit', 'timeout', 'congestion', 'close'])
    assert.ok(events.some(e => kind(e) === k), `a ${k} event`);
  assert.ok(events.some(e => e.dport === 443 && get('SmoothedRTT', e) > 50), 'SRTT above 50 ms on :443');
  assert.ok(events.some(e => e.kind === CLOSE && e.owner_comm === 'curl'), 'curl connections');
  assert.ok(items.filter(i => i.type === 'tick').length >= 5, 'live ticks');
});

/** change mode: a row when a printed value of the socket changed */
function changeRows(where, cols) {
  const memo = new Map(), rows = [];
  simulate({
    onEvent(ev) {
      if (!where(ev)) return;
      const vals = cols.map(c => get(c, ev));
      const key = JSON.stringify(vals);
      if (memo.get(ev.cookie) === key) return;
      memo.set(ev.cookie, key);
      rows.push({ cookie: String(ev.cookie), ...Object.fromEntries(cols.map((c, i) => [c, vals[i]])) });
    },
  });
  return rows;
}

test('where dport == 443 print SmoothedRTT', () => {
  const got = run('where dport == 443 print SmoothedRTT').map(r => pick(r, ['cookie', 'SmoothedRTT']));
  const want = changeRows(e => e.dport === 443, ['SmoothedRTT']);
  assert.ok(want.length > 10);
  assert.deepEqual(got, want);
});

test('where dport == 443 and SmoothedRTT > 50ms print raddr, SmoothedRTT, CurCwnd', () => {
  const cols = ['raddr', 'SmoothedRTT', 'CurCwnd'];
  const got = run('where dport == 443 and SmoothedRTT > 50ms print raddr, SmoothedRTT, CurCwnd').map(r => pick(r, ['cookie', ...cols]));
  const want = changeRows(e => e.dport === 443 && get('SmoothedRTT', e) > 50, cols);
  assert.ok(want.length > 0);
  assert.deepEqual(got, want);
});

test('every 1s print laddr, lport, raddr, rport, SmoothedRTT, CurCwnd, rate(HCThruOctetsAcked) as bps sort bps desc limit 10', () => {
  const cols = ['laddr', 'lport', 'raddr', 'rport', 'SmoothedRTT', 'CurCwnd', 'bps'];
  const got = run('every 1s print laddr, lport, raddr, rport, SmoothedRTT, CurCwnd, rate(HCThruOctetsAcked) as bps sort bps desc limit 10');
  const base = new Map(); // cookie → [value, ts]
  const want = [];
  simulate({
    everyMs: 1000,
    onFire(now, live) {
      const batch = live.map(ev => {
        const v = get('HCThruOctetsAcked', ev), ts = ev.ts_ns;
        const b = base.get(ev.cookie) ?? (ev.start_ns ? [0, ev.start_ns] : null);
        base.set(ev.cookie, [v, ts]);
        const bps = b === null ? null : ts === b[1] ? 0 : (v - b[0]) / (Number(ts - b[1]) / 1e9);
        return { mono: Math.floor(Number(now) / 1e3), cookie: String(ev.cookie), ...Object.fromEntries(cols.slice(0, 6).map(c => [c, get(c, ev)])), bps };
      });
      batch.sort((a, b) => (a.bps === null) - (b.bps === null) || (b.bps ?? 0) - (a.bps ?? 0));
      want.push(...batch.slice(0, 10));
    },
  });
  assert.ok(want.length > 10);
  assert.deepEqual(got.map(r => ({ mono: r.mono, cookie: r.cookie, ...pick(r, cols) })).map(r => ({ ...r, mono: Math.round(r.mono * 1e6) })),
    want);
});

/** event mode: one row per event of the kinds */
function eventRows(kinds, where, cols) {
  return events.filter(e => kinds.includes(kind(e)) && where(e))
    .map(e => ({ cookie: String(e.cookie), ...Object.fromEntries(cols.map(c => [c, get(c, e)])) }));
}

test('on retransmit print raddr, rport, SegsRetrans, CurRTO', () => {
  const cols = ['raddr', 'rport', 'SegsRetrans', 'CurRTO'];
  const want = eventRows(['retransmit'], () => true, cols);
  assert.ok(want.length > 5);
  assert.deepEqual(run('on retransmit print raddr, rport, SegsRetrans, CurRTO').map(r => pick(r, ['cookie', ...cols])), want);
});

test('on close where comm == "curl" print raddr, HCDataOctetsOut, SegsRetrans, ElapsedSecs', () => {
  const cols = ['raddr', 'HCDataOctetsOut', 'SegsRetrans', 'ElapsedSecs'];
  const want = eventRows(['close'], e => e.owner_comm === 'curl', cols);
  assert.equal(want.length, 3, 'three curl requests');
  assert.deepEqual(run('on close where comm == "curl" print raddr, HCDataOctetsOut, SegsRetrans, ElapsedSecs').map(r => pick(r, ['cookie', ...cols])), want);
});

test('on close print sum(HCDataOctetsOut), count() by comm', () => {
  const groups = new Map();
  for (const e of events.filter(e => e.kind === CLOSE)) {
    const g = groups.get(e.owner_comm) ?? { sum: 0, n: 0 };
    g.sum += get('HCDataOctetsOut', e); g.n++;
    groups.set(e.owner_comm, g);
  }
  const got = run('on close print sum(HCDataOctetsOut), count() by comm');
  assert.deepEqual(
    Object.fromEntries(got.map(r => [r.comm, [r['sum(HCDataOctetsOut)'], r['count()']]])),
    Object.fromEntries([...groups].map(([c, g]) => [c, [g.sum, g.n]])));
  assert.ok(groups.has('curl') && groups.has('python3'));
});

const nearestRank = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s[Math.max(0, Math.ceil((q / 100) * s.length) - 1)]; };

test('on rtt where raddr in 10.0.0.0/8 print p50(SampleRTT), p99(SampleRTT), hist(SampleRTT) every 10s', () => {
  const got = run('on rtt where raddr in 10.0.0.0/8 print p50(SampleRTT), p99(SampleRTT), hist(SampleRTT) every 10s');
  const windows = [];
  let cur = [];
  simulate({
    everyMs: 10000,
    onEvent(ev) { if (kind(ev) === 'rtt' && ev.family === 4 && ev.daddr[0] === 10) cur.push(get('SampleRTT', ev)); },
    onFire(now) { windows.push(cur); cur = []; },
  });
  windows.push(cur); // the end of the replay emits the last window
  assert.equal(got.length, windows.length);
  const all = windows.flat().filter(v => v !== null);
  assert.ok(all.length > 10, `${all.length} samples`);
  got.forEach((r, i) => {
    const vals = windows[i].filter(v => v !== null);
    assert.equal(r['p50(SampleRTT)'], vals.length ? nearestRank(vals, 50) : null);
    assert.equal(r['p99(SampleRTT)'], vals.length ? nearestRank(vals, 99) : null);
    const h = r['hist(SampleRTT)'];
    assert.equal(h.buckets.reduce((a, b) => a + b.count, 0), vals.length, 'every sample in one bucket');
    for (const v of vals) {
      const b = h.buckets.find(b => (b.lo === null || v >= b.lo) && (b.hi === null || v < b.hi));
      assert.ok(b && b.count > 0, `bucket for ${v}`);
      if (b.lo !== null && b.hi !== null && b.lo > 0) assert.equal(b.hi, b.lo * 2, 'power-of-two bucket');
    }
  });
});

test('every 5s where port in (80, 443) print avg(SmoothedRTT), max(SmoothedRTT) by raddr', () => {
  const got = run('every 5s where port in (80, 443) print avg(SmoothedRTT), max(SmoothedRTT) by raddr');
  const want = [];
  simulate({
    everyMs: 5000,
    onFire(now, live) {
      const g = new Map();
      for (const ev of live) {
        if (![80, 443].includes(ev.sport) && ![80, 443].includes(ev.dport)) continue;
        const k = get('raddr', ev), v = get('SmoothedRTT', ev);
        const x = g.get(k) ?? { sum: 0, n: 0, max: -Infinity };
        x.sum += v; x.n++; x.max = Math.max(x.max, v);
        g.set(k, x);
      }
      for (const [k, x] of g) want.push({ mono: Math.floor(Number(now) / 1e3), raddr: k, avg: x.sum / x.n, max: x.max });
    },
  });
  const norm = rows => rows.map(r => JSON.stringify(r)).sort();
  assert.ok(want.length >= 2);
  assert.deepEqual(norm(got.map(r => ({ mono: Math.round(r.mono * 1e6), raddr: r.raddr, avg: r['avg(SmoothedRTT)'], max: r['max(SmoothedRTT)'] }))), norm(want));
});

test('on timeout, congestion print conn, castate, CurCwnd, CurSsthresh', () => {
  const cols = ['conn', 'castate', 'CurCwnd', 'CurSsthresh'];
  const want = eventRows(['timeout', 'congestion'], () => true, cols);
  assert.ok(want.some(r => r.castate === 'Loss'), 'a Loss state');
  assert.deepEqual(run('on timeout, congestion print conn, castate, CurCwnd, CurSsthresh').map(r => pick(r, ['cookie', ...cols])), want);
});

test('every 2s print Perf.*', () => {
  const cols = varsOfTable('Perf').map(v => v.name);
  assert.equal(cols.length, 34);
  const got = run('every 2s print Perf.*');
  const want = [];
  simulate({
    everyMs: 2000,
    onFire(now, live) { for (const ev of live) want.push({ mono: Math.floor(Number(now) / 1e3), cookie: String(ev.cookie), ...Object.fromEntries(cols.map(c => [c, get(c, ev)])) }); },
  });
  assert.ok(want.length > 5);
  assert.deepEqual(got.map(r => ({ mono: Math.round(r.mono * 1e6), cookie: r.cookie, ...pick(r, cols) })), want);
});

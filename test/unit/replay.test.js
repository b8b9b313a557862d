// The replay reader views events in place in one reused read buffer
// (src/stream/record.ts replay) and moves the events the socket table keeps
// into per-socket homes before that buffer is overwritten (src/run.ts). With
// read buffers of a few events, every output must equal the one of a replay
// that copies every event (Recording.each).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, openRecording, RecordFormatError } from '../../dist/stream/record.js';
import { EVENT_SIZE, OFF } from '../../dist/stream/layout.generated.js';
import { compile } from '../../dist/dsl/index.js';
import { runReplay } from '../../dist/run.js';
import { JsonSink } from '../../dist/output/json.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-'));
const KIND = { open: 1, ack: 4, rtt: 5, close: 10 };

/** N events over S sockets: socket i sends events at its own pace; some close; a tick now and then */
function recording(name, n, sockets, { ticks = false, churn = false } = {}) {
  const p = join(dir, name);
  const r = new Recorder(p, 1000n, { tool: 'test' });
  const b = new Uint8Array(EVENT_SIZE);
  const dv = new DataView(b.buffer);
  let t = 1_000_000_000n;
  for (let i = 0; i < n; i++) {
    // socket 0 is idle after its first event: its latest event must survive many buffer reuses
    const s = i === 0 ? 0 : 1 + ((i * 7) % (sockets - 1));
    // some sockets close and come back as new ones; with churn, every socket but 0 closes after ~5 events
    const gen = churn ? Math.floor(i / (5 * (sockets - 1))) : i > n / 2 && s % 5 === 0 ? 1 : 0;
    const cookie = BigInt(s + 1) + 1000n * BigInt(gen);
    const closing = churn ? s !== 0 && Math.floor((i + sockets - 1) / (5 * (sockets - 1))) > gen : i === n / 2 && s % 5 === 0;
    b.fill(0);
    t += 1_000_000n * BigInt(1 + (i % 3));
    dv.setBigUint64(OFF.ts_ns, t, true);
    dv.setBigUint64(OFF.cookie, cookie, true);
    dv.setBigUint64(OFF.start_ns, 1_000_000_000n, true);
    dv.setUint16(OFF.sport, 40000 + s, true);
    dv.setUint16(OFF.dport, s % 4 === 0 ? 0 : 5000 + (s % 3), true);
    dv.setUint32(OFF.srtt_us, (i * 13) % 5000 << 3, true);
    dv.setUint32(OFF.segs_out, i, true);
    dv.setBigUint64(OFF.bytes_acked, BigInt(i) * 1448n, true);
    b[OFF.family] = 4;
    b[OFF.kind] = closing ? KIND.close : i % 2 ? KIND.ack : KIND.rtt;
    b.set([10, 0, 0, 1], OFF.saddr);
    b.set([10, 0, 0, 2 + s], OFF.daddr);
    b.set(Buffer.from(`app${s % 3}`), OFF.owner_comm);
    r.event(b);
    if (ticks && i % 50 === 49) r.tick(t);
    if (i === 77) r.lost(5n);
  }
  r.close();
  return p;
}

/** what runReplay prints, replaying `rec` (a path) through a Recording whose replay() is `via` */
function output(program, path, via) {
  const { program: prog, diagnostics } = compile(program);
  assert.ok(prog, JSON.stringify(diagnostics));
  const out = [], err = [];
  const rec = openRecording(path);
  const sink = new JsonSink({ write: s => out.push(s) }, { write: s => err.push(s) }, { bootOffsetNs: rec.bootOffsetNs },
    prog.statements.map(s => ({ mode: s.mode, everyMs: s.everyMs })));
  sink.notice = (level, message) => err.push(`${level}: ${message}\n`);
  const st = runReplay(prog, sink, via(rec));
  return { out: out.join(''), err: err.join(''), events: st.events, rows: st.rows };
}

/** the reference: every event a copy (Recording.each), nothing viewed in place */
const copying = rec => ({ ...rec, replay(h) { rec.each(it => (it.type === 'event' ? h.event(it.ev) : it.type === 'tick' ? h.tick(it.nowNs) : h.lost(it.total))); } });
const small = bytes => rec => ({ ...rec, replay: h => rec.replay(h, bytes) });

const PROGRAMS = [
  'where dport != 0 print count(), avg(SmoothedRTT), max(SegsOut) by rport',
  'print SmoothedRTT, raddr, comm',
  'every 50ms print SmoothedRTT, HCThruOctetsAcked',
  'on ack where SegsOut > 10 print delta(SegsOut), rate(HCThruOctetsAcked) sort SegsOut desc limit 5 every 20ms',
  'every 30ms print count(), sum(HCThruOctetsAcked) by comm',
  'on close print *',
];

for (const [what, opts] of [['no ticks', {}], ['recorded ticks', { ticks: true }], ['churn', { churn: true }]]) {
  const path = recording(`r-${what.replace(/ /g, '-')}.tes`, 2000, 40, opts);
  for (const program of PROGRAMS) {
    test(`in-place replay prints what a copying replay prints (${what}): ${program}`, () => {
      const ref = output(program, path, copying);
      assert.ok(ref.out.length > 0);
      // buffers of 1, 3 and 40 events (and the default), so views are overwritten all the time
      for (const bytes of [1, 3 * (8 + EVENT_SIZE) + 5, 40 * (8 + EVENT_SIZE)]) assert.deepEqual(output(program, path, small(bytes)), ref, `read buffer ${bytes} bytes`);
      assert.deepEqual(output(program, path, r => r), ref);
    });
  }
}

test('replay() hands out views into its buffer and releases the buffer before overwriting it', () => {
  const path = recording('views.tes', 300, 10);
  const rec = openRecording(path);
  const seen = [];
  let live = []; // views handed out since the last release
  let releases = 0;
  const want = [...openRecording(path).items()].filter(i => i.type === 'event').map(i => i.ev.segs_out);
  rec.replay({
    event(ev) {
      // every view handed out since the last release still reads its own event
      for (const [v, segs] of live) assert.equal(v.segs_out, segs);
      seen.push(ev.segs_out);
      live.push([ev, ev.segs_out]);
    },
    tick() {},
    lost() {},
    release(u8) { releases++; for (const [v] of live) assert.equal(v.u8, u8); live = []; },
  }, 10 * (8 + EVENT_SIZE));
  assert.deepEqual(seen, want);
  assert.ok(releases >= 29, `released ${releases} times`);
});

test('a truncated recording is refused by openRecording, before any record is replayed', () => {
  const good = readFileSync(recording('whole.tes', 200, 10));
  for (const cut of [10, 8 + EVENT_SIZE - 3, 8 + EVENT_SIZE + 4]) {
    const p = join(dir, `cut${cut}.tes`);
    writeFileSync(p, good.subarray(0, good.length - cut));
    assert.throws(() => openRecording(p), RecordFormatError);
  }
});

test('the check names the first bad record, also far past the first read (records across read boundaries)', () => {
  const good = readFileSync(recording('check.tes', 600, 10)); // ~470 KB: several reads
  const hlen = good.readUInt32LE(12);
  const starts = [];
  for (let o = hlen; o < good.length; o += 8 + good.readUInt32LE(o + 4)) starts.push(o);
  const at = k => starts[k];
  const cases = [
    [c => { c[at(300)] = 77; }, `corrupt record 300 at byte ${at(300)} (type 77, length ${EVENT_SIZE})`],
    [c => { c.writeUInt32LE(EVENT_SIZE - 1, at(167) + 4); }, `corrupt record 167 at byte ${at(167)} (type 1, length ${EVENT_SIZE - 1})`],
    [c => { c.writeUInt32LE(2 << 20, at(50) + 4); }, `corrupt record at byte ${at(50)} (length ${2 << 20})`],
  ];
  for (const [mutate, message] of cases) {
    const c = Buffer.from(good);
    mutate(c);
    const p = join(dir, 'bad.tes');
    writeFileSync(p, c);
    assert.throws(() => openRecording(p), e => e instanceof RecordFormatError && e.message === `${p}: ${message}`, message);
  }
  const p = join(dir, 'cut.tes');
  writeFileSync(p, good.subarray(0, good.length - 100));
  const last = starts[starts.length - 1];
  assert.throws(() => openRecording(p), e => e.message === `${p}: truncated record at byte ${last}`);
  writeFileSync(p, good.subarray(0, last + 5));
  assert.throws(() => openRecording(p), e => e.message === `${p}: truncated record header at byte ${last}`);
});

test('homes: a socket keeps its home; the home of a socket that left is reused', async () => {
  const { Homes } = await import('../../dist/stream/slab.js');
  const { EventView } = await import('../../dist/stream/layout.generated.js');
  const src = new Uint8Array(EVENT_SIZE * 2);
  const view = (i, segs) => { const v = new EventView(src, i * EVENT_SIZE); new DataView(src.buffer).setUint32(i * EVENT_SIZE + OFF.segs_out, segs, true); return v; };
  const homes = new Homes();
  const a = homes.put(view(0, 1), null);
  const b = homes.put(view(1, 2), null);
  assert.notEqual(a.o, b.o);
  assert.equal(homes.put(view(0, 3), a), a, 'the same home again');
  assert.equal(a.segs_out, 3);
  assert.equal(b.segs_out, 2);
  homes.release(b);
  assert.equal(homes.put(view(1, 4), null), b, 'a released home is reused');
  assert.equal(b.segs_out, 4);
  // many short-lived sockets (each released after use) need no new buffer
  for (let i = 0; i < 100000; i++) homes.release(homes.put(view(1, i), null));
  assert.equal(homes.buffers, 1);
});

// The live path reads events in place from the ring in the same way
// (src/run.ts runLive): a fake backend hands out the records of each drain
// in one reused buffer that it overwrites after the drain's release, as the
// kernel reuses the ring's space. The output must equal the one of a backend
// that hands out a fresh copy of every record. The first drain (at start)
// hands out everything, as many drains of `batch` records, so that a
// snapshot statement's first tick prints every socket's kept event.
function fakeBackend(events, batch, inPlace) {
  const ring = new Uint8Array(batch * EVENT_SIZE);
  const dv = new DataView(ring.buffer);
  let done;
  const drained = new Promise(res => { done = res; });
  return {
    drained,
    drain(fn, release) {
      for (let i = 0; i < events.length; i += batch) {
        const n = Math.min(batch, events.length - i);
        for (let k = 0; k < n; k++) {
          if (inPlace) {
            ring.set(events[i + k], k * EVENT_SIZE);
            fn(ring, dv, k * EVENT_SIZE, EVENT_SIZE);
          } else {
            const b = new Uint8Array(events[i + k]);
            fn(b, new DataView(b.buffer), 0, EVENT_SIZE);
          }
        }
        if (inPlace) { release?.(ring); ring.fill(0xab); }
      }
      const n = events.length;
      events = [];
      done('end');
      return n;
    },
    seed(between) { between?.(); },
    counters() { return { lost: 0n, sent: 0n, unreadable: 0n }; },
    recursionMisses() { return 0n; },
    detach() {},
  };
}

async function liveOutput(program, events, batch, inPlace) {
  const { runLive } = await import('../../dist/run.js');
  const { program: prog, diagnostics } = compile(program);
  assert.ok(prog, JSON.stringify(diagnostics));
  const out = [];
  const sink = new JsonSink({ write: s => out.push(s) }, { write: () => {} }, { bootOffsetNs: 0n },
    prog.statements.map(s => ({ mode: s.mode, everyMs: s.everyMs })));
  // a program with ticks stops after its first tick, others once everything is drained
  let ticked;
  const firstTick = new Promise(res => { ticked = res; });
  const write = sink.write.bind(sink);
  sink.write = o => { write(o); if (o.type === 'batch-end') ticked('end'); };
  const backend = fakeBackend(events, batch, inPlace);
  const hasTicks = prog.statements.some(s => s.everyMs != null);
  const st = await runLive({ program: prog, sink, backend, bootOffsetNs: 0n, durationMs: null, drainMs: 1, stopSignal: hasTicks ? firstTick : backend.drained });
  // aggregates and snapshots carry the (wall) time of the tick or the end
  const rows = out.join('').split('\n').filter(Boolean).map(l => JSON.parse(l)).map(r => (r.type === 'agg' || r.event === 'tick' ? { ...r, time: 0, mono: 0 } : r));
  return { rows, events: st.events };
}

const LIVE_PROGRAMS = [
  'where dport != 0 print count(), avg(SmoothedRTT), max(SegsOut) by rport',
  'every 20ms print SmoothedRTT, HCThruOctetsAcked, comm',
  'every 20ms print count(), sum(HCThruOctetsAcked) by comm',
  'print SmoothedRTT, raddr, comm',
  'on ack where SegsOut > 10 print delta(SegsOut), rate(HCThruOctetsAcked)',
  'on close print *',
];

for (const [what, opts] of [['steady', {}], ['churn', { churn: true }]]) {
  const events = [];
  // 660: socket 10 closes at event 330 (see recording())
  openRecording(recording(`live-${what}.tes`, 660, 40, opts)).each(it => { if (it.type === 'event') events.push(new Uint8Array(it.ev.bytes)); });
  for (const program of LIVE_PROGRAMS) {
    test(`live: in-place ring reads print what fresh copies print (${what}): ${program}`, async () => {
      const ref = await liveOutput(program, events, 7, false);
      assert.ok(ref.rows.length > 0);
      assert.equal(ref.events, events.length);
      for (const batch of [1, 7, 64]) assert.deepEqual(await liveOutput(program, events, batch, true), ref, `${batch} records per drain`);
    });
  }
}

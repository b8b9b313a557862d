#!/usr/bin/env node
// Helpers for tcp-estats recordings (docs/RECORD-FORMAT.md), used by the
// benchmarks. TOOL is a built tcp-estats tree (its dist/ gives the layout).
//
//   node rectool.mjs TOOL count FILE
//       → JSON: records, events, lost/tick records, events by kind and by dport
//   node rectool.mjs TOOL inflate SEED OUT N
//       → writes OUT with N events made by repeating the events of SEED:
//         copy k (k = 0, 1, …) of seed event e has
//           cookie = cookie(e) + k·2^40   (each copy is a new set of sockets)
//           ts_ns  = ts_ns(e) + k·(span + 1 ms), span = last ts − first ts of SEED
//         so time is monotonic and sockets of different copies never merge.
//         The header (layout hash, boot offset, metadata) is SEED's; lost and
//         tick records of SEED are dropped.
import { openSync, readSync, writeSync, closeSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [tool, cmd, ...args] = process.argv.slice(2);
if (!tool || !cmd) { console.error('usage: rectool.mjs TOOL count FILE | inflate SEED OUT N'); process.exit(2); }
const { OFF, EVENT_SIZE, EV } = await import(pathToFileURL(resolve(tool, 'dist/stream/layout.generated.js')).href);
const KIND = Object.fromEntries(Object.entries(EV).map(([k, v]) => [v, k.toLowerCase()]));

/** Iterate the records of a recording in chunks, without holding the whole file. */
function* records(path) {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  const head = Buffer.alloc(48);
  readSync(fd, head, 0, 48, 0);
  if (head.toString('latin1', 0, 8) !== 'TCPESTRC') throw new Error(`${path}: not a tcp-estats recording`);
  const hlen = head.readUInt32LE(12);
  const header = Buffer.alloc(hlen);
  readSync(fd, header, 0, hlen, 0);
  yield { type: 'header', header };
  const CH = 64 << 20;
  let buf = Buffer.alloc(CH), have = 0, pos = hlen;
  for (;;) {
    const n = pos < size ? readSync(fd, buf, have, CH - have, pos) : 0;
    pos += n; have += n;
    let o = 0;
    while (o + 8 <= have) {
      const len = buf.readUInt32LE(o + 4);
      if (o + 8 + len > have) break;
      yield { type: buf[o], payload: buf.subarray(o + 8, o + 8 + len) };
      o += 8 + len;
    }
    if (n === 0) { if (o !== have) throw new Error(`${path}: truncated at the end`); break; }
    buf.copy(buf, 0, o, have); have -= o;
  }
  closeSync(fd);
}

if (cmd === 'count') {
  const out = { records: 0, events: 0, lost_records: 0, last_lost_total: 0, ticks: 0, by_kind: {}, by_dport: {}, by_sport: {}, sockets: 0 };
  const cookies = new Set();
  for (const r of records(args[0])) {
    if (r.type === 'header') continue;
    out.records++;
    if (r.type === 1) {
      const p = r.payload;
      out.events++;
      const k = KIND[p[OFF.kind]] ?? String(p[OFF.kind]);
      out.by_kind[k] = (out.by_kind[k] ?? 0) + 1;
      const dp = p.readUInt16LE(OFF.dport), sp = p.readUInt16LE(OFF.sport);
      out.by_dport[dp] = (out.by_dport[dp] ?? 0) + 1;
      out.by_sport[sp] = (out.by_sport[sp] ?? 0) + 1;
      cookies.add(p.readBigUInt64LE(OFF.cookie));
    } else if (r.type === 2) { out.lost_records++; out.last_lost_total = Number(r.payload.readBigUInt64LE(0)); }
    else if (r.type === 3) out.ticks++;
  }
  out.sockets = cookies.size;
  // keep the port maps short: the 10 biggest
  for (const k of ['by_dport', 'by_sport']) out[k] = Object.fromEntries(Object.entries(out[k]).sort((a, b) => b[1] - a[1]).slice(0, 10));
  console.log(JSON.stringify(out));
} else if (cmd === 'inflate') {
  const [seed, dst, nStr] = args;
  const N = Number(nStr);
  let header = null;
  const evs = [];
  for (const r of records(seed)) {
    if (r.type === 'header') header = r.header;
    else if (r.type === 1) evs.push(Buffer.from(r.payload));
  }
  if (!evs.length) throw new Error(`${seed}: no events`);
  if (evs[0].length !== EVENT_SIZE) throw new Error(`${seed}: event size ${evs[0].length} != ${EVENT_SIZE}`);
  const REC = 8 + EVENT_SIZE;
  // one template block holding every seed event with its record header
  const tpl = Buffer.alloc(evs.length * REC);
  let t0 = null, t1 = 0n;
  evs.forEach((e, i) => {
    tpl[i * REC] = 1; tpl.writeUInt32LE(EVENT_SIZE, i * REC + 4); e.copy(tpl, i * REC + 8);
    const ts = e.readBigUInt64LE(OFF.ts_ns);
    if (t0 === null || ts < t0) t0 = ts;
    if (ts > t1) t1 = ts;
  });
  const span = t1 - t0 + 1000000n;
  const fd = openSync(dst, 'w');
  writeSync(fd, header);
  const blk = Buffer.alloc(tpl.length);
  let written = 0;
  for (let k = 0n; written < N; k++) {
    tpl.copy(blk);
    const n = Math.min(evs.length, N - written);
    const dc = k << 40n, dt = k * span;
    for (let i = 0; i < n; i++) {
      const o = i * REC + 8;
      blk.writeBigUInt64LE(blk.readBigUInt64LE(o + OFF.cookie) + dc, o + OFF.cookie);
      blk.writeBigUInt64LE(blk.readBigUInt64LE(o + OFF.ts_ns) + dt, o + OFF.ts_ns);
    }
    writeSync(fd, blk, 0, n * REC);
    written += n;
  }
  closeSync(fd);
  console.log(JSON.stringify({ seed_events: evs.length, events: written, bytes: header.length + written * REC, copies: Math.ceil(written / evs.length) }));
} else {
  console.error(`unknown command ${cmd}`); process.exit(2);
}

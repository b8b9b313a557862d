#!/usr/bin/env node
// The replay pipeline of tcp-estats (decode → per-socket table → compiled
// program → JSON sink) fed by a STREAMING reader, for recordings larger than
// the CLI's --replay can read (it reads the whole file into one Buffer, which
// Node limits to 2 GiB). It is what src/run.ts runReplay does per event, with
// each event copied out of a 64 MiB read buffer (as the live path copies it
// out of the ring) instead of a view into one whole-file Buffer.
//
//   node replay-stream.mjs TOOL FILE 'PROGRAM' > /dev/null
//
// Prints one JSON line on stderr: events, wall_s, cpu_s, events_per_s
// (per CPU second and per wall second), rss_mb.
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [tool, file, text] = process.argv.slice(2);
const imp = p => import(pathToFileURL(resolve(tool, 'dist', p)).href);
const { compile, Runtime } = await imp('dsl/index.js');
const { SocketTable } = await imp('estats/table.js');
const { JsonSink } = await imp('output/json.js');
const { decode } = await imp('stream/decode.js');

const { program, diagnostics } = compile(text);
if (!program) { console.error(JSON.stringify(diagnostics)); process.exit(2); }
const fd = openSync(file, 'r');
const size = fstatSync(fd).size;
const head = Buffer.alloc(48);
readSync(fd, head, 0, 48, 0);
const hlen = head.readUInt32LE(12);
const sink = new JsonSink(process.stdout, process.stderr, { bootOffsetNs: head.readBigInt64LE(36) }, program.statements);
const table = new SocketTable();
let rows = 0;
const runtime = new Runtime(program, o => { if (o.type !== 'batch-end') rows++; sink.write(o); });

const c0 = process.cpuUsage(), w0 = process.hrtime.bigint();
let events = 0, last = 0n;
const CH = 64 << 20;
const buf = Buffer.alloc(CH);
let have = 0, pos = hlen;
for (;;) {
  const n = pos < size ? readSync(fd, buf, have, CH - have, pos) : 0;
  pos += n; have += n;
  let o = 0;
  while (o + 8 <= have) {
    const len = buf.readUInt32LE(o + 4);
    if (o + 8 + len > have) break;
    if (buf[o] === 1) {
      const ev = decode(buf.subarray(o + 8, o + 8 + len));
      const ts = ev.ts_ns;
      if (ts > last) last = ts;
      events++;
      const fr = table.update(ev);
      runtime.onEvent(fr);
      table.settle(fr);
    }
    o += 8 + len;
  }
  if (n === 0) break;
  buf.copy(buf, 0, o, have); have -= o;
}
runtime.finish(last);
sink.flush();
closeSync(fd);
const cu = process.cpuUsage(c0), wall = Number(process.hrtime.bigint() - w0) / 1e9;
const cpu = (cu.user + cu.system) / 1e6;
process.stderr.write(JSON.stringify({ events, rows, wall_s: +wall.toFixed(3), cpu_s: +cpu.toFixed(3), events_per_cpu_s: Math.round(events / cpu), events_per_wall_s: Math.round(events / wall), rss_mb: Math.round(process.memoryUsage().rss / 1048576), table: table.size }) + '\n');

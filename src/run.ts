// Wires a source (the live kernel or a recording) → decoder → per-socket
// table → compiled program → sink; owns the timers, signals and teardown.
import { readlinkSync } from 'node:fs';
import { Runtime, type Program } from './dsl/index.js';
import type { Out } from './dsl/rows.js';
import { decode } from './stream/decode.js';
import { Recorder, openRecording } from './stream/record.js';
import { SocketTable } from './estats/table.js';
import type { Snapshot } from './estats/types.js';
import type { Sink } from './output/sink.js';
import type { Backend } from './bpf/loader.js';

export interface LiveOptions {
  program: Program;
  sink: Sink;
  backend: Backend;
  bootOffsetNs: bigint;
  durationMs: number | null;
  drainMs: number;
  record?: string;
  programText?: string;
  /** resolves when the run should stop (signal, closed stdout) */
  stopSignal: Promise<string>;
  /** called once the programs are attached and existing sockets are seeded */
  onReady?: (seeded: number) => void;
}

export interface RunStats { events: number; lost: bigint; rows: number }

function ownNetns(): number {
  try { return Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 0); } catch { return 0; }
}

/** Feeds events to the table and the program; shared by live and replay. */
class Pipeline {
  readonly table = new SocketTable();
  readonly runtime: Runtime;
  events = 0;
  rows = 0;
  constructor(program: Program, sink: Sink) {
    this.runtime = new Runtime(program, (o: Out) => { if (o.type !== 'batch-end') this.rows++; sink.write(o); });
  }
  event(ev: Snapshot): void {
    this.events++;
    const fr = this.table.update(ev);
    this.runtime.onEvent(fr);
    this.table.settle(fr);
  }
  tick(nowNs: bigint): void { this.runtime.onTick(nowNs, () => this.table.live()); }
  finish(nowNs: bigint): void { this.runtime.finish(nowNs); }
}

export async function runLive(o: LiveOptions): Promise<RunStats> {
  const p = new Pipeline(o.program, o.sink);
  const rec = o.record ? new Recorder(o.record, o.bootOffsetNs, { tool: 'tcp-estats', program: o.programText, started: new Date().toISOString() }) : null;
  const netns = ownNetns();
  let lostReported = 0n;

  const drain = () => {
    o.backend.drain(r => {
      const ev = decode(r);
      rec?.event(ev.bytes);
      p.event(ev);
    });
  };
  const checkLost = () => {
    const { lost } = o.backend.counters();
    if (lost > lostReported) {
      o.sink.notice('warning', `lost ${lost - lostReported} events (ring buffer full; total ${lost}): raise --sample or narrow the query`, { lost: Number(lost) });
      lostReported = lost;
      rec?.lost(lost);
    }
  };
  const refresh = () => {
    p.table.beginRefresh();
    o.backend.seed();
    drain();
    p.table.endRefresh(netns);
  };

  // Sockets that existed before we started enter the table first.
  refresh();
  o.sink.flush();
  o.onReady?.(p.table.size);

  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(() => { drain(); o.sink.flush(); }, o.drainMs));
  timers.push(setInterval(checkLost, 1000));
  if (p.runtime.tickMs !== null) {
    timers.push(setInterval(() => {
      refresh();
      const now = process.hrtime.bigint();
      rec?.tick(now);
      p.tick(now);
      o.sink.flush();
    }, p.runtime.tickMs));
  }
  const stops: Array<Promise<string>> = [o.stopSignal];
  if (o.durationMs !== null) stops.push(new Promise(res => timers.push(setTimeout(() => res('duration'), o.durationMs!))));
  try {
    await Promise.race(stops);
  } finally {
    for (const t of timers) clearInterval(t);
  }
  drain();
  checkLost();
  p.finish(process.hrtime.bigint());
  o.sink.flush();
  rec?.close();
  return { events: p.events, lost: lostReported, rows: p.rows };
}

export function runReplay(program: Program, sink: Sink, path: string): RunStats {
  const r = openRecording(path);
  const p = new Pipeline(program, sink);
  let lost = 0n, last = 0n;
  // Recordings made by a program without `every` carry no ticks: synthesize
  // them from event time so snapshot statements still work on replay.
  const tickNs = p.runtime.tickMs !== null && r.ticks === 0 ? BigInt(p.runtime.tickMs) * 1000000n : null;
  let nextTick: bigint | null = null;
  for (const it of r.items()) {
    if (it.type === 'event') {
      const ts = it.ev.ts_ns;
      if (tickNs !== null) {
        if (nextTick === null) nextTick = ts + tickNs;
        while (ts >= nextTick) { p.tick(nextTick); nextTick += tickNs; }
      }
      if (ts > last) last = ts;
      p.event(it.ev);
    } else if (it.type === 'tick') {
      if (it.nowNs > last) last = it.nowNs;
      p.tick(it.nowNs);
    } else if (it.total > lost) {
      sink.notice('warning', `the recording lost ${it.total - lost} events (total ${it.total})`, { lost: Number(it.total) });
      lost = it.total;
    }
  }
  p.finish(last);
  sink.flush();
  return { events: p.events, lost, rows: p.rows };
}

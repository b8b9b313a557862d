// Wires a source (the live kernel or a recording) → decoder → per-socket
// table → compiled program → sink; owns the timers and the teardown order.
import { readlinkSync } from 'node:fs';
import { Runtime, type Program } from './dsl/index.js';
import type { Out } from './dsl/rows.js';
import { decode, stateTwin, type EventView } from './stream/decode.js';
import { openRecording, type Recorder, type Recording } from './stream/record.js';
import { keepOut, retain } from './stream/slab.js';
import { EV, FLAG } from './stream/layout.generated.js';
import { SocketTable } from './estats/table.js';
import type { Snapshot } from './estats/types.js';
import type { Sink } from './output/sink.js';
import type { Backend } from './bpf/loader.js';

/** Which events the run keeps (-p, --cgroup, -4/-6 applied in user space); true = keep. */
export type EventFilter = (ev: Snapshot) => boolean;

export interface LiveOptions {
  program: Program;
  sink: Sink;
  backend: Backend;
  bootOffsetNs: bigint;
  durationMs: number | null;
  drainMs: number;
  /** an open recorder (the caller opens it before anything is loaded, so a bad path fails early) */
  recorder?: Recorder | null;
  filter?: EventFilter;
  /** resolves when the run should stop (signal, q, closed stdout) */
  stopSignal: Promise<string>;
  /** called once the programs are attached and existing sockets are seeded */
  onReady?: (seeded: number) => void;
}

export interface RunStats {
  events: number;
  lost: bigint;
  rows: number;
  why: string;
  /** events the kernel side sent (live runs): equals `events` unless the run was cut short */
  sent?: bigint;
  /** hook runs the kernel skipped (recursion_misses of our programs) */
  missed?: bigint;
  /** incoming segments whose TCP header the per-segment hook could not read */
  unreadable?: bigint;
  /** data segments closed connections received that the per-segment hooks did not see (DataSegsInUnseen), and how many connections */
  unseen: number;
  unseenConns: number;
}



/** inode number of this process's network namespace (the one iter/tcp walks), 0 if unknown */
export function ownNetns(): number {
  try { return Number(/\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 0); } catch { return 0; }
}

/** Feeds events to the table and the program; shared by live and replay. */
class Pipeline {
  readonly table = new SocketTable(keepOut as (ev: Snapshot) => Snapshot | null);
  readonly runtime: Runtime;
  events = 0;
  rows = 0;
  unseen = 0;
  unseenConns = 0;
  constructor(program: Program, sink: Sink, private readonly filter?: EventFilter) {
    this.runtime = new Runtime(program, (o: Out) => { if (o.type !== 'batch-end') this.rows++; sink.write(o); }, retain);
  }
  event(ev: Snapshot): void {
    this.events++;
    if (ev.kind === EV.CLOSE && ev.sk_flags & FLAG.BASELINE && ev.data_segs_in > ev.seen_data_segs) {
      this.unseen += ev.data_segs_in - ev.seen_data_segs;
      this.unseenConns++;
    }
    if (this.filter && !this.filter(ev)) return;
    // one kernel event per transition: its STATE event comes first (as it did when the kernel sent two)
    if (ev.flags & FLAG.STATE && ev.kind !== EV.STATE) this.deliver(stateTwin(ev as EventView));
    this.deliver(ev);
  }
  private deliver(ev: Snapshot): void {
    const fr = this.table.update(ev);
    this.runtime.onEvent(fr);
    this.table.settle(fr);
  }
  tick(nowNs: bigint): void { this.runtime.onTick(nowNs, () => this.table.live()); }
  finish(nowNs: bigint): void { this.runtime.finish(nowNs); }
}

export async function runLive(o: LiveOptions): Promise<RunStats> {
  const p = new Pipeline(o.program, o.sink, o.filter);
  const rec = o.recorder ?? null;
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
    o.backend.seed(drain);
    drain();
    p.table.endRefresh(netns);
  };

  const timers: NodeJS.Timeout[] = [];
  let why = 'end';
  try {
    // Sockets that existed before we started enter the table first.
    refresh();
    o.sink.flush();
    o.onReady?.(p.table.size);
    // fault injection for the tests (docs/SECURITY.md): an uncaught exception while attached
    if (process.env.TCP_ESTATS_FAULT === 'throw-after-ready') setTimeout(() => { throw new Error('injected fault (TCP_ESTATS_FAULT=throw-after-ready)'); }, 200);

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
    why = await Promise.race(stops);
  } finally {
    for (const t of timers) clearInterval(t);
  }
  let sent: bigint | undefined, missed: bigint | undefined, unreadable: bigint | undefined;
  try {
    if (why !== 'EPIPE') {
      // stop new events first, so the last drain sees everything the kernel sent
      o.backend.detach();
      drain();
      checkLost();
      ({ sent, unreadable } = o.backend.counters());
      missed = o.backend.recursionMisses();
      p.finish(process.hrtime.bigint());
      o.sink.flush();
    }
  } finally {
    rec?.close();
  }
  return { events: p.events, lost: lostReported, rows: p.rows, why, sent, missed, unreadable, unseen: p.unseen, unseenConns: p.unseenConns };
}

export interface ReplayOptions {
  filter?: EventFilter;
  /** replay only the first D ms of recorded time */
  durationMs?: number | null;
  /** polled between events: true stops the replay (e.g. stdout was closed) */
  stopped?: () => boolean;
}

export function runReplay(program: Program, sink: Sink, recording: string | Recording, opts: ReplayOptions = {}): RunStats {
  const r = typeof recording === 'string' ? openRecording(recording) : recording;
  const p = new Pipeline(program, sink, opts.filter);
  let lost = 0n, last = 0n, first: bigint | null = null, why = 'end';
  const endNs = (t0: bigint) => (opts.durationMs != null ? t0 + BigInt(Math.round(opts.durationMs * 1e6)) : null);
  let stopAt: bigint | null = null;
  // Recordings made by a program without `every` carry no ticks: synthesize
  // them from event time so snapshot statements still work on replay.
  const tickNs = p.runtime.tickMs !== null && r.ticks === 0 ? BigInt(p.runtime.tickMs) * 1000000n : null;
  let nextTick: bigint | null = null;
  const STOP = Symbol('stop');
  try {
    r.each(it => {
      if (opts.stopped?.()) { why = 'EPIPE'; throw STOP; }
      const ts = it.type === 'event' ? it.ev.ts_ns : it.type === 'tick' ? it.nowNs : null;
      if (ts !== null) {
        if (first === null) { first = ts; stopAt = endNs(ts); }
        if (stopAt !== null && ts > stopAt) { why = 'duration'; throw STOP; }
      }
      if (it.type === 'event') {
        const evTs = ts!;
        if (tickNs !== null) {
          if (nextTick === null) nextTick = evTs + tickNs;
          while (evTs >= nextTick) { p.tick(nextTick); nextTick += tickNs; }
        }
        if (evTs > last) last = evTs;
        p.event(it.ev);
      } else if (it.type === 'tick') {
        if (it.nowNs > last) last = it.nowNs;
        p.tick(it.nowNs);
      } else if (it.total > lost) {
        sink.notice('warning', `the recording lost ${it.total - lost} events (total ${it.total})`, { lost: Number(it.total) });
        lost = it.total;
      }
    });
  } catch (e) {
    if (e !== STOP) throw e;
  }
  if (why !== 'EPIPE' && !opts.stopped?.()) {
    p.finish(why === 'duration' && stopAt !== null ? stopAt : last);
    sink.flush();
  }
  return { events: p.events, lost, rows: p.rows, why, unseen: p.unseen, unseenConns: p.unseenConns };
}

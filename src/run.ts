// Wires a source (the live kernel or a recording) → decoder → per-socket
// table → compiled program → sink; owns the timers and the teardown order.
import { readlinkSync } from 'node:fs';
import { Runtime, type Program } from './dsl/index.js';
import type { Out } from './dsl/rows.js';
import { stateTwin, viewRecord } from './stream/decode.js';
import { openRecording, type Recorder, type Recording, type ReplayHandler } from './stream/record.js';
import { Homes, retain } from './stream/slab.js';
import { EV, EventView, FLAG, OFF } from './stream/layout.generated.js';
import { SocketTable, cookieKeyOfWords } from './estats/table.js';
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
  /** the kernel does not track sockets (BackendOptions.light): no self-check of unseen segments */
  light?: boolean;
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
  readonly table: SocketTable;
  readonly runtime: Runtime;
  private readonly homes = new Homes();
  events = 0;
  rows = 0;
  unseen = 0;
  unseenConns = 0;
  /** selfCheck: count the data segments closed sockets received that the per-segment hooks did not see (seen_data_segs) */
  constructor(program: Program, sink: Sink, private readonly filter?: EventFilter, private readonly selfCheck = true) {
    this.table = new SocketTable();
    this.table.tracking = true; // for release()
    this.runtime = new Runtime(program, (o: Out) => { if (o.type !== 'batch-end') this.rows++; sink.write(o); }, retain);
  }
  event(ev: Snapshot): void {
    this.events++;
    if (this.selfCheck && ev.kind === EV.CLOSE && ev.sk_flags & FLAG.BASELINE && ev.data_segs_in > ev.seen_data_segs) {
      this.unseen += ev.data_segs_in - ev.seen_data_segs;
      this.unseenConns++;
    }
    if (this.filter && !this.filter(ev)) return;
    // one kernel event per transition: its STATE event comes first (as it did when the kernel sent two)
    if (ev.flags & FLAG.STATE && ev.kind !== EV.STATE) this.deliver(stateTwin(ev as EventView));
    this.deliver(ev);
  }
  private deliver(ev: Snapshot): void {
    // the table's key straight from the event bytes: no BigInt per event
    const fr = ev instanceof EventView
      ? this.table.update(ev, cookieKeyOfWords(ev.dv.getUint32(ev.o + OFF.cookie, true), ev.dv.getUint32(ev.o + OFF.cookie + 4, true)))
      : this.table.update(ev);
    this.runtime.onEvent(fr);
    this.table.settle(fr);
  }
  /**
   * The buffer u8 (the ring, a replay's read buffer) is about to be reused:
   * the table's events in it move to their socket's home; the homes of
   * sockets that left are reused. Held rows have their own copies (retain).
   */
  release(u8: Uint8Array): void {
    const homes = this.homes;
    this.table.touched(e => {
      const ev = e.ev as EventView;
      if (ev.u8 === u8) e.ev = e.home = homes.put(ev, e.home as EventView | null);
    }, e => {
      if (e.home) { homes.release(e.home as EventView); e.home = null; }
    });
  }
  tick(nowNs: bigint): void { this.runtime.onTick(nowNs, () => this.table.live()); }
  finish(nowNs: bigint): void { this.runtime.finish(nowNs); }
}

export async function runLive(o: LiveOptions): Promise<RunStats> {
  // Events are read in place from the ring; before a drain gives the ring's
  // space back, the table's events move to their socket's home (as a replay
  // does with its read buffer): no copy or allocation per event.
  const p = new Pipeline(o.program, o.sink, o.filter, !o.light);
  const rec = o.recorder ?? null;
  const netns = ownNetns();
  let lostReported = 0n;

  const onRecord = (u8: Uint8Array, dv: DataView, off: number, len: number) => {
    const ev = viewRecord(u8, dv, off, len);
    rec?.event(ev.bytes);
    p.event(ev);
  };
  const release = (u8: Uint8Array) => p.release(u8);
  const drain = () => { o.backend.drain(onRecord, release); };
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

const STOP = Symbol('stop');

/** One replay: what runReplay does per record (a ReplayHandler: no closure or item object per event). */
class ReplayRun implements ReplayHandler {
  lostTotal = 0n;
  /** the latest time seen (ns), as its two 32-bit halves: no BigInt per event */
  private lastHi = 0;
  private lastLo = 0;
  first: bigint | null = null;
  why = 'end';
  stopAt: bigint | null = null;
  nextTick: bigint | null = null;
  private readonly stopped: (() => boolean) | undefined;
  private readonly durationNs: bigint | null;

  constructor(readonly p: Pipeline, private readonly sink: Sink, private readonly tickNs: bigint | null, opts: ReplayOptions) {
    this.stopped = opts.stopped;
    this.durationNs = opts.durationMs != null ? BigInt(Math.round(opts.durationMs * 1e6)) : null;
  }

  /** throws STOP when the output went away (EPIPE) */
  private checkStopped(): void {
    if (this.stopped?.()) { this.why = 'EPIPE'; throw STOP; }
  }

  /** a timed record (event or tick): throws STOP past -d */
  private timed(ts: bigint): void {
    if (this.first === null) { this.first = ts; this.stopAt = this.durationNs !== null ? ts + this.durationNs : null; }
    if (this.stopAt !== null && ts > this.stopAt) { this.why = 'duration'; throw STOP; }
  }

  get last(): bigint { return (BigInt(this.lastHi) << 32n) | BigInt(this.lastLo); }
  private setLast(ts: bigint): void { this.lastHi = Number(ts >> 32n); this.lastLo = Number(ts & 0xffffffffn); }

  event(ev: EventView): void {
    this.checkStopped();
    const tickNs = this.tickNs;
    if (this.first === null || this.stopAt !== null || tickNs !== null) {
      const ts = ev.ts_ns;
      this.timed(ts);
      if (tickNs !== null) {
        if (this.nextTick === null) this.nextTick = ts + tickNs;
        while (ts >= this.nextTick) { this.p.tick(this.nextTick); this.nextTick += tickNs; }
      }
      if (ts > this.last) this.setLast(ts);
    } else {
      // the common case (no -d, no synthesized ticks): only the latest time, compared as words
      const lo = ev.dv.getUint32(ev.o + OFF.ts_ns, true), hi = ev.dv.getUint32(ev.o + OFF.ts_ns + 4, true);
      if (hi > this.lastHi || (hi === this.lastHi && lo > this.lastLo)) { this.lastHi = hi; this.lastLo = lo; }
    }
    this.p.event(ev);
  }

  tick(nowNs: bigint): void {
    this.checkStopped();
    this.timed(nowNs);
    if (nowNs > this.last) this.setLast(nowNs);
    this.p.tick(nowNs);
  }

  lost(total: bigint): void {
    this.checkStopped();
    if (total > this.lostTotal) {
      this.sink.notice('warning', `the recording lost ${total - this.lostTotal} events (total ${total})`, { lost: Number(total) });
      this.lostTotal = total;
    }
  }

  /**
   * The read buffer u8 is about to be overwritten: the table's events in it
   * move to their socket's home; the homes of sockets that left are reused.
   */
  release(u8: Uint8Array): void { this.p.release(u8); }
}

export function runReplay(program: Program, sink: Sink, recording: string | Recording, opts: ReplayOptions = {}): RunStats {
  const r = typeof recording === 'string' ? openRecording(recording) : recording;
  const p = new Pipeline(program, sink, opts.filter);
  // Recordings made by a program without `every` carry no ticks: synthesize
  // them from event time so snapshot statements still work on replay.
  const tickNs = p.runtime.tickMs !== null && r.ticks === 0 ? BigInt(p.runtime.tickMs) * 1000000n : null;
  const run = new ReplayRun(p, sink, tickNs, opts);
  try {
    r.replay(run);
  } catch (e) {
    if (e !== STOP) throw e;
  }
  const why = run.why;
  if (why !== 'EPIPE' && !opts.stopped?.()) {
    p.finish(why === 'duration' && run.stopAt !== null ? run.stopAt : run.last);
    sink.flush();
  }
  return { events: p.events, lost: run.lostTotal, rows: p.rows, why, unseen: p.unseen, unseenConns: p.unseenConns };
}

// One output interface for every format. Sinks write data to `out` only;
// talk (warnings, errors, lost-event notices) goes to stderr through `notice`.
import { writeSync } from 'node:fs';
import type { Out, OutRow } from '../dsl/rows.js';

export interface Sink {
  write(o: Out): void;
  /** a warning or notice for stderr, in the sink's style (JSON line with -f json) */
  notice(level: 'warning' | 'error' | 'info', message: string, extra?: Record<string, unknown>): void;
  flush(): void;
}

export interface Clock {
  /** wall-clock minus CLOCK_MONOTONIC, ns (from the live run or the recording) */
  bootOffsetNs: bigint;
}

/** What a sink needs to know about each statement of the program. */
export interface StmtInfo {
  /** snapshot statements (every D without on): rows are stamped with the tick time */
  mode: 'event' | 'snapshot' | 'change';
  everyMs: number | null;
}

/** JSON key of the statement number; also a reserved column name. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['type', 'time', 'mono', 'stmt']);

/** A column's key in JSON/CSV: a name that would clash with an envelope key gets a trailing `_`. */
export function columnKey(name: string): string {
  let k = name;
  while (RESERVED_KEYS.has(k)) k += '_';
  return k;
}

/** the date and time to the second of the last rfc3339() call ("2026-11-25T10:00:00."), for that second */
let rfcSec = NaN;
let rfcPrefix = '';

/** RFC 3339 UTC with microseconds, from CLOCK_MONOTONIC ns + the boot offset. */
export function rfc3339(monoNs: bigint, clock: Clock): string {
  // µs since the epoch are exact in a double (< 2^53 until the year 2255)
  const us = Number((monoNs + clock.bootOffsetNs) / 1000n);
  const sec = Math.floor(us / 1e6);
  if (sec !== rfcSec) { rfcSec = sec; rfcPrefix = new Date(sec * 1000).toISOString().slice(0, 20); }
  const frac = us - sec * 1e6;
  return `${rfcPrefix}${frac < 100000 ? String(frac).padStart(6, '0') : frac}Z`;
}

/** CLOCK_MONOTONIC seconds with microsecond resolution (exact in a double for centuries of uptime). */
export function monoSeconds(monoNs: bigint): number {
  return Number(monoNs / 1000n) / 1e6;
}

/** Strip control characters from kernel-supplied strings (comm, cc) before they reach a terminal. */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * JSON.stringify, with DEL and the C1 controls (U+007F–U+009F) escaped too:
 * JSON.stringify leaves them raw, and U+009B is CSI on some terminals.
 */
export function jsonLine(v: unknown): string {
  const s = JSON.stringify(v);
  // eslint-disable-next-line no-control-regex
  return C1.test(s) ? s.replace(/[\u007f-\u009f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : s;
}
// eslint-disable-next-line no-control-regex
const C1 = /[\u007f-\u009f]/;

export interface Writer { write(s: string): unknown }

/**
 * Rows of snapshot statements are held until their batch ends, so that every
 * row of one tick carries the tick's time (the row's event is only the
 * socket's latest). Everything else passes straight through.
 */
export class SnapshotStamper {
  private pending = new Map<number, OutRow[]>();
  constructor(private readonly stmts: readonly StmtInfo[]) {}
  /** returns the rows to render now, with their time; [] while a snapshot batch is open */
  take(o: Out): Array<{ o: Exclude<Out, { type: 'batch-end' }>; timeNs: bigint; tick: boolean }> {
    if (o.type === 'batch-end') {
      const rows = this.pending.get(o.stmt);
      if (!rows) return [];
      this.pending.delete(o.stmt);
      return rows.map(r => ({ o: r, timeNs: o.timeNs, tick: true }));
    }
    if (o.type === 'agg') return [{ o, timeNs: o.timeNs, tick: false }];
    if (this.stmts[o.stmt]?.mode === 'snapshot') {
      let l = this.pending.get(o.stmt);
      if (!l) this.pending.set(o.stmt, (l = []));
      l.push(o);
      return [];
    }
    return [{ o, timeNs: o.ev.ts_ns, tick: false }];
  }
}

let sleeper: Int32Array | null = null;
function sleepMs(ms: number): void {
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * A synchronous writer on a file descriptor (stdout, stderr, an -o file).
 * A closed pipe (EPIPE) is seen at the write that hits it, not later as an
 * 'error' event: the writer marks itself closed, drops everything after and
 * calls onClose, so the run can stop at once, quietly.
 */
export class FdWriter implements Writer {
  closed = false;
  /** the error that closed it (EPIPE included); null while open */
  error: NodeJS.ErrnoException | null = null;
  onClose: ((e: NodeJS.ErrnoException) => void) | null = null;
  isTTY?: boolean;
  constructor(readonly fd: number) {}

  write(s: string): boolean {
    if (this.closed || s.length === 0) return !this.closed;
    const b = Buffer.from(s, 'utf8');
    let off = 0, spins = 0;
    while (off < b.length) {
      try {
        off += writeSync(this.fd, b, off, b.length - off);
        spins = 0;
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // a non-blocking descriptor shared with someone else: wait for room
        if (e.code === 'EAGAIN' && spins++ < 30000) { sleepMs(1); continue; }
        if (e.code === 'EINTR') continue;
        this.closed = true;
        this.error = e;
        this.onClose?.(e);
        return false;
      }
    }
    return true;
  }
}


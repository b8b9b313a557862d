// One output interface for every format. Sinks write data to `out` only;
// talk (warnings, errors, lost-event notices) goes to stderr through `notice`.
import type { Out } from '../dsl/rows.js';

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

/** RFC 3339 UTC with microseconds, from CLOCK_MONOTONIC ns + the boot offset. */
export function rfc3339(monoNs: bigint, clock: Clock): string {
  const wallNs = monoNs + clock.bootOffsetNs;
  const ms = Number(wallNs / 1000000n);
  const us = Number((wallNs / 1000n) % 1000n);
  const iso = new Date(ms).toISOString(); // 2026-11-25T10:00:00.123Z
  return `${iso.slice(0, 23)}${String(us).padStart(3, '0')}Z`;
}

/** Strip control characters from kernel-supplied strings (comm, cc) before they reach a terminal. */
export function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, c => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export interface Writer { write(s: string): unknown }

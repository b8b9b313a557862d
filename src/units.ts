// Command-line values with units (durations, sizes), and the human forms of
// times and sizes that the text outputs show (JSON and CSV keep exact numbers).
export class UsageError extends Error {}

const DUR: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
/** "10s", "250ms", "1m", "1.5s"; a bare number is seconds. Returns ms. */
export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new UsageError(`invalid ${what} '${s}': use a number with a unit, e.g. 10s, 500ms, 2m`);
  return Number(m[1]) * DUR[m[2] ?? 's']!;
}

const SIZE: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20, g: 1 << 30, gb: 1 << 30, gib: 1 << 30 };
export function parseSize(s: string, what: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(s.trim());
  const mul = m ? SIZE[m[2]!.toLowerCase()] : undefined;
  if (!m || mul === undefined) throw new UsageError(`invalid ${what} '${s}': use a size like 16MiB or 4096`);
  return Number(m[1]) * mul;
}

/** three significant digits, trailing zeros dropped: 1.5, 12.3, 123 */
function sig3(x: number): string {
  const a = Math.abs(x);
  const s = a >= 99.95 ? x.toFixed(0) : a >= 9.995 ? x.toFixed(1) : x.toFixed(2);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

const TIME_US: Readonly<Record<string, number>> = { us: 1, ms: 1000, s: 1e6 };

/**
 * A time for a person: 61us, 12.3ms, 1.5s, 2m03s, 1h05m. `unit` is the unit
 * the value is in (us, ms or s). The suffixes are the query language's own.
 */
export function humanDuration(v: number, unit: string): string {
  const us = v * (TIME_US[unit] ?? 1);
  if (us === 0) return '0';
  const sign = us < 0 ? '-' : '';
  const a = Math.abs(us);
  if (a < 999.5) return `${sign}${sig3(a)}us`;
  if (a < 999_500) return `${sign}${sig3(a / 1e3)}ms`;
  if (a < 59.95e6) return `${sign}${sig3(a / 1e6)}s`;
  const secs = Math.round(a / 1e6);
  if (secs < 3600) return `${sign}${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, '0')}s`;
  const mins = Math.round(secs / 60);
  return `${sign}${Math.floor(mins / 60)}h${String(mins % 60).padStart(2, '0')}m`;
}

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
/** A size for a person: 512B, 64KiB, 1.5MiB (binary prefixes, as the language's literals). */
export function humanSize(octets: number): string {
  const sign = octets < 0 ? '-' : '';
  let a = Math.abs(octets), i = 0;
  while (a >= 1023.5 && i < IEC.length - 1) { a /= 1024; i++; }
  return `${sign}${i === 0 && Number.isInteger(a) ? String(a) : sig3(a)}${IEC[i]}`;
}

/** A byte rate for a person: 1.5MiB/s. */
export function humanRate(octetsPerSec: number): string {
  return `${humanSize(octetsPerSec)}/s`;
}

// Units of literals and their conversion into a variable's unit.
import type { Unit } from '../estats/types.js';

/** nanoseconds per time unit (literal suffixes and variable units) */
const TIME_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
/** octets per size unit (SI for KB/MB/GB/TB, binary for KiB/MiB/GiB/TiB) */
const SIZE_B: Readonly<Record<string, number>> = {
  B: 1, KB: 1e3, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4,
};

export type LitDim = 'time' | 'size' | 'percent' | 'none';

export interface LitUnit { readonly dim: LitDim; readonly suffix: string }

export const LITERAL_UNITS: readonly string[] = [...Object.keys(TIME_NS), ...Object.keys(SIZE_B), '%'];

/** Classify a literal suffix; undefined if unknown. */
export function literalUnit(suffix: string): LitUnit | undefined {
  if (suffix === '') return { dim: 'none', suffix };
  if (suffix === '%') return { dim: 'percent', suffix };
  if (suffix in TIME_NS) return { dim: 'time', suffix };
  if (suffix in SIZE_B) return { dim: 'size', suffix };
  return undefined;
}

/** exact conversion of v from unit a to unit b (both of one scale table): divides when going coarser, so 100us → 0.1 ms */
function scale(v: number, a: number, b: number): number {
  if (a === b) return v;
  return a > b ? v * (a / b) : v / (b / a);
}

/** Factor to turn a value in unit `from` into unit `to` (same dimension), as [multiply, divide]. */
export function unitFactor(from: string, to: string): { mul: number; div: number } {
  const t = TIME_NS[from] !== undefined && TIME_NS[to] !== undefined ? TIME_NS : SIZE_B;
  const a = t[from === 'octets' ? 'B' : from] ?? 1;
  const b = t[to === 'octets' ? 'B' : to] ?? 1;
  if (a === b) return { mul: 1, div: 1 };
  return a > b ? { mul: a / b, div: 1 } : { mul: 1, div: b / a };
}

/** Convert a literal value with suffix into the given variable unit (time/size units only). */
export function convertLiteral(value: number, suffix: string, to: Unit): number {
  if (suffix in TIME_NS && to in TIME_NS) return scale(value, TIME_NS[suffix]!, TIME_NS[to]!);
  if (suffix in SIZE_B && to === 'octets') return scale(value, SIZE_B[suffix]!, 1);
  return value;
}



/** Duration literal → milliseconds. */
export function toMs(value: number, suffix: string): number {
  return scale(value, TIME_NS[suffix] ?? 1e6, 1e6);
}

/** parse a numeric literal: `1_000`, `2.5ms`, `10%` → value and suffix; error text on failure */
export function parseNumber(raw: string): { value: number; suffix: string } | { error: string; suffix: string } {
  const m = /^([0-9][0-9_]*(?:\.[0-9][0-9_]*)?)(.*)$/.exec(raw);
  if (!m) return { error: `invalid number '${raw}'`, suffix: '' };
  const digits = m[1]!;
  const suffix = m[2]!;
  if (/__|_$|_\.|\._/.test(digits)) return { error: `invalid number '${raw}': '_' may only separate digits`, suffix };
  const clean = digits.replace(/_/g, '');
  const value = Number(clean);
  if (!Number.isFinite(value) || value > Number.MAX_SAFE_INTEGER || (!clean.includes('.') && !Number.isSafeInteger(value))) {
    return { error: `number '${raw}' is too large (the limit is ${Number.MAX_SAFE_INTEGER})`, suffix };
  }
  return { value, suffix };
}

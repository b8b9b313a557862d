// Aggregate accumulators: count, sum, avg, min, max, stats, hist, lhist, percentiles.
// Percentiles are exact (all values are kept until the batch is emitted) and
// use the nearest-rank definition: pQ is the smallest value v such that at
// least Q% of the values are <= v.
import type { Value } from '../estats/types.js';
import type { CellValue, HistValue, StatsValue } from './rows.js';

export interface Acc {
  add(v: Value): void;
  result(): CellValue;
}

const num = (v: Value): number | null => (typeof v === 'number' && !Number.isNaN(v) ? v : typeof v === 'boolean' ? (v ? 1 : 0) : null);

export class CountAcc implements Acc {
  n = 0;
  constructor(private readonly all: boolean) {}
  add(v: Value): void { if (this.all || v !== null) this.n++; }
  result(): CellValue { return this.n; }
}

export class SumAcc implements Acc {
  s = 0; n = 0;
  add(v: Value): void { const x = num(v); if (x !== null) { this.s += x; this.n++; } }
  result(): CellValue { return this.n ? this.s : null; }
}

export class AvgAcc implements Acc {
  s = 0; n = 0;
  add(v: Value): void { const x = num(v); if (x !== null) { this.s += x; this.n++; } }
  result(): CellValue { return this.n ? this.s / this.n : null; }
}

export class MinAcc implements Acc {
  m: number | null = null;
  add(v: Value): void { const x = num(v); if (x !== null && (this.m === null || x < this.m)) this.m = x; }
  result(): CellValue { return this.m; }
}

export class MaxAcc implements Acc {
  m: number | null = null;
  add(v: Value): void { const x = num(v); if (x !== null && (this.m === null || x > this.m)) this.m = x; }
  result(): CellValue { return this.m; }
}

export class StatsAcc implements Acc {
  n = 0; s = 0; mn: number | null = null; mx: number | null = null;
  add(v: Value): void {
    const x = num(v);
    if (x === null) return;
    this.n++; this.s += x;
    if (this.mn === null || x < this.mn) this.mn = x;
    if (this.mx === null || x > this.mx) this.mx = x;
  }
  result(): StatsValue { return { count: this.n, avg: this.n ? this.s / this.n : null, min: this.mn, max: this.mx }; }
}

/** smallest power-of-two exponent kept separately; smaller positive values fall into it */
export const HIST_MIN_EXP = -30;
/** largest exponent (values are < 2^1024 anyway) */
const HIST_MAX_EXP = 1023;

/**
 * Power-of-two histogram: a positive value v falls into [2^k, 2^(k+1)) with
 * k = floor(log2 v); 0 falls into [0, 2^kmin) where kmin is the smallest
 * bucket in use (so integer data gives [0,1), [1,2), [2,4)…); negative
 * values share one bucket (-inf, 0).
 */
export class HistAcc implements Acc {
  readonly counts = new Map<number, number>();
  zero = 0; neg = 0;
  add(v: Value): void {
    const x = num(v);
    if (x === null) return;
    if (x < 0) { this.neg++; return; }
    if (x === 0) { this.zero++; return; }
    let k = Math.floor(Math.log2(x));
    // guard rounding at exact powers of two
    if (2 ** k > x) k--;
    else if (2 ** (k + 1) <= x) k++;
    k = Math.max(HIST_MIN_EXP, Math.min(HIST_MAX_EXP, k));
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  result(): HistValue {
    const buckets: Array<{ lo: number | null; hi: number | null; count: number }> = [];
    const ks = [...this.counts.keys()];
    const kmin = ks.length ? Math.min(...ks) : 0;
    const kmax = ks.length ? Math.max(...ks) : -1;
    if (this.neg) buckets.push({ lo: null, hi: 0, count: this.neg });
    if (this.zero) buckets.push({ lo: 0, hi: 2 ** Math.min(kmin, 0), count: this.zero });
    const start = this.zero && kmin > 0 ? 0 : kmin;
    for (let k = start; k <= kmax; k++) buckets.push({ lo: 2 ** k, hi: 2 ** (k + 1), count: this.counts.get(k) ?? 0 });
    return { kind: 'hist', buckets };
  }
}

const round12 = (x: number) => Number(x.toPrecision(12));

/** Linear histogram: (-inf, min), [min, min+step), … [max, +inf). Buckets between the first and last non-empty one are listed. */
export class LHistAcc implements Acc {
  readonly n: number;
  readonly counts: Uint32Array | number[];
  under = 0; over = 0;
  constructor(private readonly min: number, private readonly max: number, private readonly step: number) {
    this.n = Math.ceil((max - min) / step - 1e-9);
    this.counts = new Array<number>(this.n).fill(0);
  }
  add(v: Value): void {
    const x = num(v);
    if (x === null) return;
    if (x < this.min) { this.under++; return; }
    if (x >= this.max) { this.over++; return; }
    const i = Math.min(this.n - 1, Math.floor((x - this.min) / this.step));
    (this.counts as number[])[i]!++;
  }
  result(): HistValue {
    const buckets: Array<{ lo: number | null; hi: number | null; count: number }> = [];
    if (this.under) buckets.push({ lo: null, hi: this.min, count: this.under });
    let first = -1, last = -1;
    for (let i = 0; i < this.n; i++) if (this.counts[i]) { if (first < 0) first = i; last = i; }
    if (first >= 0) {
      for (let i = first; i <= last; i++) {
        const lo = round12(this.min + i * this.step);
        buckets.push({ lo, hi: round12(Math.min(this.max, this.min + (i + 1) * this.step)), count: this.counts[i]! });
      }
    }
    if (this.over) buckets.push({ lo: this.max, hi: null, count: this.over });
    return { kind: 'lhist', buckets };
  }
}

/** The values of one argument, shared by every percentile of that argument in a group. */
export class ValueBag {
  private buf = new Float64Array(64);
  private len = 0;
  private sorted = true;
  push(x: number): void {
    if (this.len === this.buf.length) {
      const nb = new Float64Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    if (this.len && x < this.buf[this.len - 1]!) this.sorted = false;
    this.buf[this.len++] = x;
  }
  get size(): number { return this.len; }
  quantile(q: number): number | null {
    if (!this.len) return null;
    if (!this.sorted) { this.buf.subarray(0, this.len).sort(); this.sorted = true; }
    // nearest rank; the epsilon keeps 99.9% of 1000 at rank 999 despite binary fractions
    const x = (q * this.len) / 100;
    const idx = Math.min(this.len - 1, Math.max(0, Math.ceil(x - 1e-9 * Math.max(1, x)) - 1));
    return this.buf[idx]!;
  }
}

export class PctAcc implements Acc {
  constructor(private readonly bag: ValueBag, private readonly q: number, private readonly owner: boolean) {}
  add(v: Value): void {
    if (!this.owner) return;
    const x = num(v);
    if (x !== null) this.bag.push(x);
  }
  result(): CellValue { return this.bag.quantile(this.q); }
}

// Typed tree → plain closures over a row environment. Nothing here evaluates
// user text as code: every operator is a fixed JavaScript function chosen by
// the checker's node kind.
import type { Frame, Value } from '../estats/types.js';
import type { CellValue } from './rows.js';
import type { TExpr, CheckedStatement, AggSlot } from './check.js';
import { inCidr, netOf, parseAddrValue, type Cidr } from './addr.js';
import { CountAcc, SumAcc, AvgAcc, MinAcc, MaxAcc, StatsAcc, HistAcc, LHistAcc, PctAcc, ValueBag, type Acc } from './aggregates.js';
import { UNAVAILABLE_THIS_RUN } from '../estats/catalog.js';

/** Per-socket, per-statement memory (kept in Frame.sock.memo under the statement index). */
export interface StmtMemo {
  /** rate/delta arguments at the socket's previous row of this statement */
  prev: Array<number | null>;
  /** event time (ns) of that row */
  prevTs: number;
  /** change mode: the values of the socket's last emitted row */
  last?: readonly CellValue[];
}

/** What a compiled expression reads. */
export interface Env {
  fr: Frame;
  /** rate/delta arguments of this row */
  cur: Array<number | null>;
  /** the previous row's memo (null: no baseline) */
  memo: StmtMemo | null;
  /** event time of this row, ns */
  ts: number;
  /** post-aggregation: group keys and aggregate results */
  keys: readonly Value[];
  aggs: readonly CellValue[];
}

export type Fn = (env: Env) => Value;

const ADDR_BYTES: Readonly<Record<string, 'saddr' | 'daddr'>> = { laddr: 'saddr', saddr: 'saddr', raddr: 'daddr', daddr: 'daddr' };

function addrBytesFn(t: TExpr): ((env: Env) => { bytes: Uint8Array; family: number } | null) {
  if (t.k === 'field' && ADDR_BYTES[t.def.name]) {
    const which = ADDR_BYTES[t.def.name]!;
    return env => ({ bytes: env.fr.ev[which], family: env.fr.ev.family });
  }
  const f = compileExpr(t);
  return env => {
    const v = f(env);
    return typeof v === 'string' ? parseAddrValue(v) : null;
  };
}

function cmpValues(op: string, a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    default: return a >= b;
  }
}

export function compileExpr(t: TExpr): Fn {
  switch (t.k) {
    case 'const': { const v = t.v; return () => v; }
    case 'var': {
      const get = t.def.get, name = t.def.name;
      if (!get) return () => null;
      const off = UNAVAILABLE_THIS_RUN;
      return env => (off.size && off.has(name) ? null : get(env.fr.ev));
    }
    case 'field': { const get = t.def.get; return env => get(env.fr.ev); }
    case 'scale': {
      const e = compileExpr(t.e), mul = t.mul, div = t.div;
      if (div === 1) return env => { const v = e(env); return typeof v === 'number' ? v * mul : null; };
      return env => { const v = e(env); return typeof v === 'number' ? v / div : null; };
    }
    case 'neg': { const e = compileExpr(t.e); return env => { const v = e(env); return typeof v === 'number' ? -v : null; }; }
    case 'arith': {
      const l = compileExpr(t.l), r = compileExpr(t.r);
      const num2 = (f: (a: number, b: number) => number | null): Fn => env => {
        const a = l(env);
        if (typeof a !== 'number') return null;
        const b = r(env);
        if (typeof b !== 'number') return null;
        return f(a, b);
      };
      switch (t.op) {
        case '+': return num2((a, b) => a + b);
        case '-': return num2((a, b) => a - b);
        case '*': return num2((a, b) => a * b);
        case '/': return num2((a, b) => (b === 0 ? null : a / b));
        case '%': return num2((a, b) => (b === 0 ? null : a % b));
      }
      break;
    }
    case 'cmp': {
      const op = t.op;
      // an address field against an address literal: compare bytes (IPv4-mapped IPv6 matches IPv4)
      const lit = t.r.k === 'const' && t.r.cidr ? t.r.cidr : t.l.k === 'const' && t.l.cidr ? t.l.cidr : undefined;
      if (lit && t.l.ty.t === 'addr' && t.r.ty.t === 'addr') {
        const other = addrBytesFn(t.r.k === 'const' && t.r.cidr ? t.l : t.r);
        const eq = op === '==';
        return env => {
          const a = other(env);
          if (!a) return null;
          const hit = inCidr(a.bytes, a.family, lit);
          return eq ? hit : !hit;
        };
      }
      const l = compileExpr(t.l);
      // against a constant (the common case): one closure per operator, no dispatch per row
      if (t.r.k === 'const' && t.r.v !== null) {
        const b = t.r.v;
        switch (op) {
          case '==': return env => { const a = l(env); return a === null ? null : a === b; };
          case '!=': return env => { const a = l(env); return a === null ? null : a !== b; };
          case '<': return env => { const a = l(env); return a === null ? null : a < b; };
          case '<=': return env => { const a = l(env); return a === null ? null : a <= b; };
          case '>': return env => { const a = l(env); return a === null ? null : a > b; };
          default: return env => { const a = l(env); return a === null ? null : a >= b; };
        }
      }
      const r = compileExpr(t.r);
      return env => cmpValues(op, l(env), r(env));
    }
    case 'and': {
      const l = compileExpr(t.l), r = compileExpr(t.r);
      return env => {
        const a = l(env);
        if (a === false) return false;
        const b = r(env);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    }
    case 'or': {
      const l = compileExpr(t.l), r = compileExpr(t.r);
      return env => {
        const a = l(env);
        if (a === true) return true;
        const b = r(env);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    }
    case 'not': { const e = compileExpr(t.e); return env => { const v = e(env); return v === null ? null : !v; }; }
    case 'in': {
      if (t.cidrs.length) {
        const cidrs: readonly Cidr[] = t.cidrs;
        const bytes = addrBytesFn(t.l);
        return env => {
          const a = bytes(env);
          if (!a) return null;
          for (const c of cidrs) if (inCidr(a.bytes, a.family, c)) return true;
          return false;
        };
      }
      const l = compileExpr(t.l);
      if (t.items.every(i => i.k === 'const')) {
        const set = new Set<Value>(t.items.map(i => (i as { v: Value }).v));
        return env => { const v = l(env); return v === null ? null : set.has(v); };
      }
      const items = t.items.map(compileExpr);
      return env => {
        const v = l(env);
        if (v === null) return null;
        let unknown = false;
        for (const f of items) { const x = f(env); if (x === v) return true; if (x === null) unknown = true; }
        return unknown ? null : false;
      };
    }
    case 'match': {
      const l = compileExpr(t.l), re = t.re;
      return env => { const v = l(env); return v === null ? null : re.test(String(v)); };
    }
    case 'rate': case 'delta': {
      const slot = t.slot;
      const isRate = t.k === 'rate';
      return env => {
        const cur = env.cur[slot];
        const m = env.memo;
        if (cur === null || cur === undefined || !m) return null;
        const prev = m.prev[slot];
        if (prev === null || prev === undefined) return null;
        const d = cur - prev;
        if (!isRate) return d;
        const dt = (env.ts - m.prevTs) / 1e9;
        if (dt <= 0) return d === 0 ? 0 : null;
        return d / dt;
      };
    }
    case 'net': {
      const bytes = addrBytesFn(t.arg), p4 = t.p4, p6 = t.p6;
      return env => { const a = bytes(env); return a ? netOf(a.bytes, a.family, p4, p6) : null; };
    }
    case 'key': { const i = t.index; return env => env.keys[i] ?? null; }
    case 'agg': {
      const i = t.slot;
      return env => {
        const v = env.aggs[i];
        return v === undefined || (typeof v === 'object' && v !== null) ? null : (v as Value);
      };
    }
    case 'error': return () => null;
  }
  return () => null;
}

/** A cell of a print column: like compileExpr, but aggregate slots may hold hist/stats values. */
export function compileCell(t: TExpr): (env: Env) => CellValue {
  if (t.k === 'agg') { const i = t.slot; return env => env.aggs[i] ?? null; }
  return compileExpr(t);
}

export interface CompiledStatement {
  readonly checked: CheckedStatement;
  readonly where: Fn | null;
  /** one per column (row values for plain statements, post-aggregation for aggregate ones) */
  readonly cells: ReadonlyArray<(env: Env) => CellValue>;
  readonly keys: readonly Fn[];
  /** aggregate argument per slot (null for count()) */
  readonly aggArgs: ReadonlyArray<Fn | null>;
  readonly newAccs: () => Acc[];
  readonly rateArgs: readonly Fn[];
  /** hidden sort key, if the sort is not a column */
  readonly sortFn: ((env: Env) => CellValue) | null;
}

function accFactory(aggs: readonly AggSlot[]): () => Acc[] {
  return () => {
    const bags = new Map<string, ValueBag>();
    return aggs.map(s => {
      switch (s.fn) {
        case 'count': return new CountAcc(s.arg === null);
        case 'sum': return new SumAcc();
        case 'avg': return new AvgAcc();
        case 'min': return new MinAcc();
        case 'max': return new MaxAcc();
        case 'stats': return new StatsAcc();
        case 'hist': return new HistAcc();
        case 'lhist': return new LHistAcc(s.lh!.min, s.lh!.max, s.lh!.step);
        case 'pct': {
          const key = s.arg!.canon;
          let bag = bags.get(key);
          const owner = !bag;
          if (!bag) { bag = new ValueBag(); bags.set(key, bag); }
          return new PctAcc(bag, s.q!, owner);
        }
      }
    });
  };
}

export function compileStatement(c: CheckedStatement): CompiledStatement {
  return {
    checked: c,
    where: c.where ? compileExpr(c.where) : null,
    cells: c.values.map(compileCell),
    keys: c.keys.map(compileExpr),
    aggArgs: c.aggs.map(a => (a.arg ? compileExpr(a.arg) : null)),
    newAccs: accFactory(c.aggs),
    rateArgs: c.rates.map(r => compileExpr(r.arg)),
    sortFn: c.sort && 'expr' in c.sort ? compileCell(c.sort.expr) : null,
  };
}

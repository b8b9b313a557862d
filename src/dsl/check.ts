// Name resolution, type and unit checking. Turns each statement's AST into a
// typed tree (TExpr) that compile.ts turns into closures. Every error of the
// program is collected; checking never stops at the first one.
import type { Unit, VarDef, Value, Dimension, RfcTable } from '../estats/types.js';
import { dimensionOf } from '../estats/types.js';
import { CATALOG, TABLES, findVar, varsOfTable } from '../estats/catalog.js';
import { FIELDS, findField, TCP_STATES, CA_STATES, EVENT_NAMES, type FieldDef } from '../estats/fields.js';
import type { Column } from './rows.js';
import type { Expr, Span, StatementAst, NameRef, Call, BinaryOp, PrintItem } from './ast.js';
import { mkDiag, suggest, type Diagnostic } from './diagnostics.js';
import { parseNumber, literalUnit, unitFactor, toMs } from './units.js';
import { parseCidr, type Cidr } from './addr.js';

// ---------------------------------------------------------------------------
// types

export type SymDomain = 'state' | 'castate' | 'event';

export type Ty =
  | { readonly t: 'num'; readonly unit?: Unit; readonly dim: Dimension;
      /** a bare number literal: takes the unit of what it meets */
      readonly flex?: boolean;
      /** a percentage literal: a plain ratio */
      readonly pct?: boolean;
      /** a literal with a unit (50ms, 1MiB) */
      readonly lit?: boolean;
      /** rate(): per second */
      readonly perSec?: boolean;
      /** an RFC enumeration variable */
      readonly enumDef?: VarDef;
      /** a variable whose values are percentages (0..100): 50% compares as 50 */
      readonly percentUnit?: boolean }
  | { readonly t: 'str'; readonly col?: 'addr' }
  | { readonly t: 'addr' }
  | { readonly t: 'bool' }
  | { readonly t: 'sym'; readonly domain: SymDomain }
  | { readonly t: 'hist'; readonly unit?: Unit }
  | { readonly t: 'stats' }
  | { readonly t: 'error' };

export type NumTy = Extract<Ty, { t: 'num' }>;

export type AggFn = 'count' | 'sum' | 'avg' | 'min' | 'max' | 'stats' | 'hist' | 'lhist' | 'pct';

interface Base { readonly ty: Ty; readonly text: string; readonly canon: string; readonly prec: number; readonly span: Span }

export type TExpr =
  | (Base & { readonly k: 'const'; readonly v: Value; readonly cidr?: Cidr; readonly lit?: { value: number; suffix: string } })
  | (Base & { readonly k: 'var'; readonly def: VarDef })
  | (Base & { readonly k: 'field'; readonly def: FieldDef })
  | (Base & { readonly k: 'scale'; readonly e: TExpr; readonly mul: number; readonly div: number })
  | (Base & { readonly k: 'neg'; readonly e: TExpr })
  | (Base & { readonly k: 'arith'; readonly op: '+' | '-' | '*' | '/' | '%'; readonly l: TExpr; readonly r: TExpr })
  | (Base & { readonly k: 'cmp'; readonly op: '==' | '!=' | '<' | '<=' | '>' | '>='; readonly l: TExpr; readonly r: TExpr })
  | (Base & { readonly k: 'and' | 'or'; readonly l: TExpr; readonly r: TExpr })
  | (Base & { readonly k: 'not'; readonly e: TExpr })
  | (Base & { readonly k: 'in'; readonly l: TExpr; readonly items: readonly TExpr[]; readonly cidrs: readonly Cidr[] })
  | (Base & { readonly k: 'match'; readonly l: TExpr; readonly re: RegExp })
  | (Base & { readonly k: 'rate' | 'delta'; readonly arg: TExpr; readonly slot: number })
  | (Base & { readonly k: 'net'; readonly arg: TExpr; readonly p4: number; readonly p6: number })
  | (Base & { readonly k: 'agg'; readonly fn: AggFn; readonly arg: TExpr | null; readonly slot: number;
      readonly q?: number; readonly lh?: { min: number; max: number; step: number } })
  | (Base & { readonly k: 'key'; readonly index: number })
  | (Base & { readonly k: 'error' });

export interface AggSlot { readonly fn: AggFn; readonly arg: TExpr | null; readonly q?: number; readonly lh?: { min: number; max: number; step: number }; readonly canon: string }
export interface RateSlot { readonly kind: 'rate' | 'delta'; readonly arg: TExpr; readonly canon: string }

export type Mode = 'event' | 'snapshot' | 'change';

export interface CheckedStatement {
  readonly index: number;
  readonly ast: StatementAst;
  readonly mode: Mode;
  readonly everyMs: number | null;
  readonly text: string;
  /** event kinds (numbers) of `on`, or null (all events) */
  readonly kinds: ReadonlySet<number> | null;
  readonly eventNames: readonly string[] | null;
  readonly where: TExpr | null;
  readonly agg: boolean;
  readonly columns: readonly Column[];
  /** one per column: row expression (non-aggregate), or post-aggregation expression over keys/aggregate slots */
  readonly values: readonly TExpr[];
  /** by keys (row expressions) */
  readonly keys: readonly TExpr[];
  readonly aggs: readonly AggSlot[];
  readonly rates: readonly RateSlot[];
  readonly sort: { readonly col: number; readonly desc: boolean } | { readonly expr: TExpr; readonly desc: boolean } | null;
  readonly limit: number | null;
}

// ---------------------------------------------------------------------------
// names

export const EVENT_KIND: ReadonlyMap<string, number> = new Map(Object.entries(EVENT_NAMES).map(([k, v]) => [v, Number(k)]));
/** events a statement may name in `on` (seed is not one) */
export const ON_EVENTS = Object.values(EVENT_NAMES).filter(n => n !== 'seed');

const DOMAIN_NAMES: Readonly<Record<SymDomain, readonly string[]>> = {
  state: Object.values(TCP_STATES),
  castate: Object.values(CA_STATES),
  event: Object.values(EVENT_NAMES),
};

/** aliases of connection fields, for matching by keys with print items */
const FIELD_CANON: Readonly<Record<string, string>> = { saddr: 'laddr', sport: 'lport', daddr: 'raddr', dport: 'rport' };

const AGG_FNS = ['count', 'sum', 'avg', 'min', 'max', 'stats', 'hist', 'lhist'] as const;
const ROW_FNS = ['rate', 'delta', 'net'] as const;
export const FUNCTIONS: readonly string[] = [...AGG_FNS, ...ROW_FNS, 'p50', 'p90', 'p99', 'p999'];

/** pNN → quantile in percent: p50 = 50, p99 = 99, p999 = 99.9, p9999 = 99.99, p5 = 5, p100 = 100 */
export function percentileOf(name: string): number | undefined {
  const m = /^p([0-9]+)$/i.exec(name);
  if (!m) return undefined;
  const d = m[1]!;
  if (d === '100') return 100;
  if (d.length <= 2) return Number(d);
  return Number(`${d.slice(0, 2)}.${d.slice(2)}`);
}

const PREC = { or: 1, and: 2, not: 3, cmp: 4, add: 5, mul: 6, unary: 7, atom: 8 } as const;

const tyNum = (unit: Unit | undefined, extra: Partial<Extract<Ty, { t: 'num' }>> = {}): Ty =>
  ({ t: 'num', unit, dim: unit ? dimensionOf(unit) : 'none', ...extra });
const ERR: Ty = { t: 'error' };
const BOOL: Ty = { t: 'bool' };

function tyName(ty: Ty): string {
  switch (ty.t) {
    case 'num':
      if (ty.pct) return 'a percentage';
      if (ty.dim === 'time') return 'a time';
      if (ty.dim === 'size') return 'a size';
      if (ty.enumDef) return `an enumeration (${ty.enumDef.name})`;
      return 'a number';
    case 'str': return 'a string';
    case 'addr': return 'an address';
    case 'bool': return 'a condition';
    case 'sym': return ty.domain === 'state' ? 'a TCP state' : ty.domain === 'castate' ? 'a congestion state' : 'an event name';
    case 'hist': return 'a histogram';
    case 'stats': return 'a stats value';
    case 'error': return 'an invalid value';
  }
}

function dimWord(ty: Ty): string {
  if (ty.t !== 'num') return tyName(ty);
  if (ty.dim === 'time') return 'a time';
  if (ty.dim === 'size') return 'a size';
  if (ty.pct) return 'a percentage';
  if (ty.enumDef) return 'an enumeration';
  if (ty.unit === 'timestamp') return 'a timestamp';
  if (ty.unit === 'seq') return 'a sequence number';
  return ty.unit === 'segments' ? 'a count of segments' : ty.unit === undefined || ty.unit === 'count' ? 'a count' : `a plain number (${ty.unit})`;
}

// ---------------------------------------------------------------------------
// the checker

interface Ctx {
  /** aggregates allowed here (print / sort of a statement) */
  readonly aggOk: boolean;
  /** where we are, for messages ("in where") */
  readonly where: string;
  /** inside an aggregate's argument */
  readonly inAgg?: boolean;
  /** inside rate()/delta() */
  readonly inRate?: boolean;
}

export class StatementChecker {
  readonly diags: Diagnostic[] = [];
  readonly aggs: AggSlot[] = [];
  readonly rates: RateSlot[] = [];
  private readonly warnedVars = new Set<string>();

  constructor(private readonly ast: StatementAst, private readonly index: number) {}

  private err(code: string, msg: string, span: Span, hint?: string): TExpr {
    this.diags.push(mkDiag('error', code, msg, span, hint));
    return { k: 'error', ty: ERR, text: '?', canon: '?', prec: PREC.atom, span };
  }
  private warn(code: string, msg: string, span: Span, hint?: string): void {
    this.diags.push(mkDiag('warning', code, msg, span, hint));
  }

  // ---- leaves ----

  private num(e: Extract<Expr, { kind: 'num' }>): TExpr {
    const p = parseNumber(e.raw);
    if ('error' in p) return this.err('E205', p.error, e.span);
    const u = literalUnit(p.suffix);
    if (!u) {
      const known = ['ns', 'us', 'ms', 's', 'm', 'h', 'B', 'KB', 'MB', 'GB', 'TB', 'KiB', 'MiB', 'GiB', 'TiB'];
      const s = known.find(k => k.toLowerCase() === p.suffix.toLowerCase()) ?? suggest(p.suffix, known);
      const hint = /^e[0-9]+$/i.test(p.suffix) ? 'exponent notation is not supported; write the digits (1_000_000)'
        : s ? `did you mean '${s}'? units are us ms s m h (time), B KB MB GB KiB MiB GiB (size) and %`
        : 'units are us ms s m h (time), B KB MB GB KiB MiB GiB (size) and %';
      return this.err('E204', `unknown unit '${p.suffix}' in '${e.raw}'`, e.span, hint);
    }
    const base = { text: e.raw, canon: e.raw.replace(/_/g, ''), prec: PREC.atom, span: e.span };
    if (u.dim === 'none') return { k: 'const', v: p.value, ty: tyNum(undefined, { flex: true }), ...base };
    if (u.dim === 'percent') return { k: 'const', v: p.value / 100, ty: tyNum(undefined, { pct: true }), ...base };
    const unit: Unit = u.dim === 'time' ? 'ms' : 'octets';
    const f = unitFactor(p.suffix, unit === 'ms' ? 'ms' : 'B');
    const v = f.div === 1 ? p.value * f.mul : p.value / f.div;
    if (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) return this.err('E205', `'${e.raw}' is too large`, e.span);
    return { k: 'const', v, ty: tyNum(unit, { lit: true }), lit: { value: p.value, suffix: p.suffix }, ...base };
  }

  private constOf(v: Value, ty: Ty, text: string, span: Span): TExpr {
    return { k: 'const', v, ty, text, canon: text, prec: PREC.atom, span };
  }

  /** resolve a name; domain: the enumeration it is compared with, if any */
  private name(e: NameRef, ctx: Ctx, domain?: Ty): TExpr {
    if (e.table !== null) return this.qualified(e);
    const lower = e.name.toLowerCase();
    const dc = domain ? this.inDomain(e.name, domain, e.span) : undefined;
    if (dc) return dc;
    if (lower === 'port') {
      return this.err('E106', "'port' matches either end of a connection and has no single value", e.span,
        'use it in a comparison (port == 443, port in (80, 443)), or use lport / rport');
    }
    if (domain && domainNames(domain).length && !findField(e.name) && !findVar(e.name)) {
      const names = domainNames(domain);
      const s = suggest(e.name, names);
      return this.err('E105', `'${e.name}' is not ${tyName(domain)}${s ? `; did you mean '${s}'?` : ''}`, e.span, `one of: ${names.join(', ')}`);
    }
    const f = findField(e.name);
    if (f) {
      const canon = `f:${FIELD_CANON[f.name] ?? f.name}`;
      return { k: 'field', def: f, ty: fieldTy(f), text: f.name, canon, prec: PREC.atom, span: e.span };
    }
    const v = findVar(e.name);
    if (v) return this.varRef(v, e.span);
    if (FUNCTIONS.includes(lower) || percentileOf(lower) !== undefined) {
      return this.err('E107', `'${e.name}' is a function`, e.span, `call it: ${lower}(${lower === 'count' ? '' : 'X'})`);
    }
    for (const d of ['state', 'castate', 'event'] as const) {
      const hit = DOMAIN_NAMES[d].find(n => n.toLowerCase() === lower);
      if (hit) {
        const field = d === 'state' ? 'state' : d === 'castate' ? 'castate' : 'event';
        return this.err('E101', `unknown variable '${e.name}'`, e.span, `'${hit}' is ${d === 'event' ? 'an event' : d === 'state' ? 'a TCP state' : 'a congestion state'} name; compare it with ${field}: ${field} == ${hit}`);
      }
    }
    const alias = this.ast.print?.items.find(it => it.kind === 'expr' && it.alias !== null && it.alias.toLowerCase() === lower);
    if (alias && alias.kind === 'expr') {
      return this.err('E101', `unknown variable '${e.name}'`, e.span, `'${alias.alias}' names a print column; only sort can use column names; write the expression ${exprText(alias.expr)} here`);
    }
    const cands = [...FIELDS.map(x => x.name), 'port', ...CATALOG.map(x => x.name)];
    if (domain) cands.push(...domainNames(domain));
    const s = suggest(e.name, cands);
    return this.err('E101', `unknown variable '${e.name}'${s ? `; did you mean '${s}'?` : ''}`, e.span,
      s ? undefined : 'run `tcp-estats --list` for the RFC 4898 variables; connection fields are laddr lport raddr rport port family conn cookie state castate pid comm cgroup cc event time');
  }

  private qualified(e: NameRef): TExpr {
    const table = TABLES.find(t => t.toLowerCase() === e.table!.toLowerCase());
    if (!table) {
      const s = suggest(e.table!, TABLES);
      return this.err('E104', `unknown table '${e.table}'${s ? `; did you mean '${s}'?` : ''}`, e.tableSpan ?? e.span,
        `the RFC 4898 tables are ${TABLES.join(', ')}`);
    }
    const v = findVar(`${table}.${e.name}`);
    if (v) return this.varRef(v, e.span);
    const other = findVar(e.name);
    if (other) return this.err('E110', `'${other.name}' is in the ${other.table} table, not ${table}`, e.span, `write ${other.table}.${other.name} or just ${other.name}`);
    const s = suggest(e.name, varsOfTable(table).map(x => x.name));
    return this.err('E101', `unknown variable '${e.name}' in table ${table}${s ? `; did you mean '${s}'?` : ''}`, e.nameSpan);
  }

  private varRef(v: VarDef, span: Span, quiet = false): TExpr {
    if (!v.get && !quiet && !this.warnedVars.has(v.name)) {
      this.warnedVars.add(v.name);
      this.warn('W001', `'${v.name}' is not available on this kernel; its value is always null`, span, v.caveat);
    }
    const ty: Ty = v.unit === 'enum' && v.enumNames ? tyNum(undefined, { enumDef: v })
      : /^percent/i.test(v.meaning) ? tyNum(v.unit, { percentUnit: true }) : tyNum(v.unit);
    return { k: 'var', def: v, ty, text: v.name, canon: `v:${v.name}`, prec: PREC.atom, span };
  }

  /** a bare name or string taken as a member of the enumeration `domain` */
  private inDomain(name: string, domain: Ty, span: Span): TExpr | undefined {
    const lower = name.toLowerCase();
    if (domain.t === 'sym') {
      const hit = DOMAIN_NAMES[domain.domain].find(n => n.toLowerCase() === lower);
      return hit ? this.constOf(hit, domain, hit, span) : undefined;
    }
    if (domain.t === 'num' && domain.enumDef?.enumNames) {
      for (const [k, n] of Object.entries(domain.enumDef.enumNames)) {
        if (n.toLowerCase() === lower) return this.constOf(Number(k), domain, n, span);
      }
    }
    return undefined;
  }

  // ---- expressions ----

  expr(e: Expr, ctx: Ctx, domain?: Ty): TExpr {
    switch (e.kind) {
      case 'num': return this.num(e);
      case 'str': {
        if (domain) {
          const dc = this.inDomain(e.value, domain, e.span);
          if (dc) return dc;
          if (domain.t === 'sym' || (domain.t === 'num' && domain.enumDef)) {
            const names = domainNames(domain);
            const s = suggest(e.value, names);
            return this.err('E105', `'${e.value}' is not ${tyName(domain)}${s ? `; did you mean '${s}'?` : ''}`, e.span, `one of: ${names.join(', ')}`);
          }
        }
        return this.constOf(e.value, { t: 'str' }, JSON.stringify(e.value), e.span);
      }
      case 'addr': {
        const c = parseCidr(e.raw);
        if ('error' in c) return this.err('E206', c.error, e.span);
        return { k: 'const', v: c.text, cidr: c, ty: { t: 'addr' }, text: c.text, canon: c.text, prec: PREC.atom, span: e.span };
      }
      case 'name': return this.name(e, ctx, domain);
      case 'tablestar':
        return this.err('E109', `'${e.table}.*' can only be a whole item of a print list`, e.span, `print ${e.table}.* on its own, e.g. print raddr, ${e.table}.*`);
      case 'paren': {
        const inner = this.expr(e.inner, ctx, domain);
        return { ...inner, span: e.span, prec: PREC.atom, text: inner.prec < PREC.atom ? `(${inner.text})` : inner.text };
      }
      case 'unary': {
        const a = this.expr(e.arg, ctx);
        if (a.k === 'error') return a;
        if (e.op === 'not') {
          if (a.ty.t !== 'bool') return this.err('E201', `'not' needs a condition, found ${tyName(a.ty)}`, e.arg.span, 'write a comparison, e.g. not SegsRetrans > 0');
          return { k: 'not', e: a, ty: BOOL, text: `not ${paren(a, PREC.not)}`, canon: `not(${a.canon})`, prec: PREC.not, span: e.span };
        }
        if (a.ty.t !== 'num') return this.err('E209', `'-' needs a number, found ${tyName(a.ty)}`, e.arg.span);
        if (a.k === 'const' && typeof a.v === 'number') {
          return { ...a, v: -a.v, text: `-${a.text}`, canon: `-${a.canon}`, span: e.span, ...(a.lit ? { lit: { ...a.lit, value: -a.lit.value } } : {}) };
        }
        return { k: 'neg', e: a, ty: a.ty, text: `-${paren(a, PREC.unary)}`, canon: `neg(${a.canon})`, prec: PREC.unary, span: e.span };
      }
      case 'binary': return this.binary(e, ctx);
      case 'match': return this.match(e, ctx);
      case 'in': return this.inExpr(e, ctx);
      case 'call': return this.call(e, ctx);
    }
  }

  private isPort(e: Expr): boolean {
    let x = e;
    while (x.kind === 'paren') x = x.inner;
    return x.kind === 'name' && x.table === null && x.name.toLowerCase() === 'port';
  }

  private portField(which: 'lport' | 'rport', span: Span): TExpr {
    const def = findField(which)!;
    return { k: 'field', def, ty: fieldTy(def), text: which, canon: `f:${which}`, prec: PREC.atom, span };
  }

  private binary(e: Extract<Expr, { kind: 'binary' }>, ctx: Ctx): TExpr {
    const op = e.op;
    if (op === 'and' || op === 'or') {
      const l = this.expr(e.left, ctx);
      const r = this.expr(e.right, ctx);
      if (l.k === 'error' || r.k === 'error') return l.k === 'error' ? l : r;
      for (const [x, src] of [[l, e.left], [r, e.right]] as const) {
        if (x.ty.t !== 'bool') return this.err('E201', `'${op}' needs conditions on both sides, found ${tyName(x.ty)}`, src.span, 'write a comparison, e.g. SegsRetrans > 0');
      }
      const prec = op === 'and' ? PREC.and : PREC.or;
      return { k: op, l, r, ty: BOOL, text: `${paren(l, prec)} ${op} ${paren(r, prec + 0.5)}`, canon: `${op}(${l.canon},${r.canon})`, prec, span: e.span };
    }
    if (isCmp(op)) {
      // `port OP x`: true when either end matches (`!=`: neither end equals x)
      if (this.isPort(e.left) || this.isPort(e.right)) {
        const portLeft = this.isPort(e.left);
        const other = portLeft ? e.right : e.left;
        const mk = (which: 'lport' | 'rport') => {
          const pf = this.portField(which, portLeft ? e.left.span : e.right.span);
          const o = this.expr(other, ctx, pf.ty);
          return portLeft ? this.compare(op === '!=' ? '==' : op, pf, o, e) : this.compare(op === '!=' ? '==' : op, o, pf, e);
        };
        const a = mk('lport');
        if (a.k === 'error') return a;
        const b = this.quietly(() => mk('rport'));
        const text = portLeft ? `port ${op} ${b.k === 'error' ? exprText(other) : (b as Extract<TExpr, { k: 'cmp' }>).r.text}` : `${exprText(other)} ${op} port`;
        const either: TExpr = { k: 'or', l: a, r: b, ty: BOOL, text, canon: `port(${a.canon})`, prec: PREC.cmp, span: e.span };
        return op === '!=' ? { k: 'not', e: either, ty: BOOL, text, canon: `not(${either.canon})`, prec: PREC.cmp, span: e.span } : either;
      }
      const [l, r] = this.operands(e.left, e.right, ctx);
      return this.compare(op, l, r, e);
    }
    // arithmetic
    const l = this.expr(e.left, ctx);
    const r = this.expr(e.right, ctx);
    if (l.k === 'error' || r.k === 'error') return l.k === 'error' ? l : r;
    return this.arith(op as '+' | '-' | '*' | '/' | '%', l, r, e);
  }

  /** run a check whose diagnostics duplicate ones already reported */
  private quietly<T>(f: () => T): T {
    const n = this.diags.length;
    const r = f();
    this.diags.length = n;
    return r;
  }

  /** check two operands of a comparison; a bare name or string on one side may be a member of the other side's enumeration */
  private operands(le: Expr, re: Expr, ctx: Ctx): [TExpr, TExpr] {
    const isName = (x: Expr) => x.kind === 'name' && x.table === null;
    const bare = (x: Expr) => isName(x) || x.kind === 'str';
    const resolves = (x: Expr) => x.kind === 'name' && x.table === null && (findField(x.name) !== undefined || findVar(x.name) !== undefined);
    // the side that is not a bare name/string anchors the enumeration of the other side
    const rightFirst = (bare(le) && !bare(re)) || (isName(le) && isName(re) && !resolves(le) && resolves(re)) || (le.kind === 'str' && isName(re));
    if (rightFirst) {
      const r = this.expr(re, ctx);
      const l = this.expr(le, ctx, r.ty);
      return [l, r];
    }
    const l = this.expr(le, ctx);
    const r = this.expr(re, ctx, l.ty);
    return [l, r];
  }

  /** make a and b comparable: returns converted operands or an error */
  private unify(a: TExpr, b: TExpr, what: string, span: Span, opSpan: Span): [TExpr, TExpr] | TExpr {
    const ta = a.ty, tb = b.ty;
    if (ta.t === 'error' || tb.t === 'error') return a.k === 'error' ? a : b;
    if (ta.t === 'hist' || ta.t === 'stats' || tb.t === 'hist' || tb.t === 'stats') {
      return this.err('E307', `${tyName(ta.t === 'hist' || ta.t === 'stats' ? ta : tb)} cannot be ${what}`, (ta.t === 'hist' || ta.t === 'stats' ? a : b).span, 'use count, sum, avg, min, max or a percentile instead');
    }
    if (ta.t === 'num' && tb.t === 'num') {
      const da = ta.dim, db = tb.dim;
      if (da !== 'none' && db !== 'none' && da !== db) {
        return this.err('E202', `cannot ${what === 'compared' ? 'compare' : 'combine'} ${dimWord(ta)} (${a.text}) with ${dimWord(tb)} (${b.text})`, span,
          da === 'time' ? `${a.text} is in ${ta.unit}; compare it with a duration like 50ms` : `${a.text} is in ${ta.unit}; compare it with a size like 1MiB`);
      }
      // a unit (or %) meeting a plain value: only a bare number adapts
      const clash = (x: NumTy, xe: TExpr, y: NumTy, ye: TExpr): TExpr | null => {
        if (x.lit && x.dim !== 'none' && y.dim === 'none' && !y.flex) {
          return this.err('E203', `${xe.text} is ${dimWord(x)} but ${ye.text} is ${dimWord(y)}`, xe.span,
            `write a bare number to compare in ${ye.text}'s own unit${y.unit ? ` (${y.unit})` : ''}`);
        }
        if (x.pct && y.dim !== 'none') {
          return this.err('E203', `${xe.text} is a percentage but ${ye.text} is ${dimWord(y)}`, xe.span, `write a ${y.dim === 'time' ? 'duration like 50ms' : 'size like 1MiB'}`);
        }
        return null;
      };
      const c1 = clash(ta, a, tb, b) ?? clash(tb, b, ta, a);
      if (c1) return c1;
      // a percentage literal against a variable that holds percent values (0..100)
      if (ta.pct && tb.percentUnit && a.k === 'const' && typeof a.v === 'number') return [{ ...a, v: a.v * 100, ty: tb }, b];
      if (tb.pct && ta.percentUnit && b.k === 'const' && typeof b.v === 'number') return [a, { ...b, v: b.v * 100, ty: ta }];
      // same dimension, different units: convert the literal (or the right side) into the other's unit
      if (da !== 'none' && da === db && ta.unit && tb.unit && ta.unit !== tb.unit) {
        if (b.k === 'const' && (tb.lit || !(a.k === 'const'))) return [a, this.convert(b, ta.unit)];
        if (a.k === 'const') return [this.convert(a, tb.unit), b];
        return [a, this.convert(b, ta.unit)];
      }
      // a bare number adopts the other side's unit
      if (ta.flex && !tb.flex && a.k === 'const') return [{ ...a, ty: { ...tb, flex: false, lit: false } as Ty }, b];
      if (tb.flex && !ta.flex && b.k === 'const') return [a, { ...b, ty: { ...ta, flex: false, lit: false } as Ty }];
      return [a, b];
    }
    if (ta.t === tb.t) {
      if (ta.t === 'sym' && tb.t === 'sym' && ta.domain !== tb.domain) {
        return this.err('E201', `cannot compare ${tyName(ta)} (${a.text}) with ${tyName(tb)} (${b.text})`, span);
      }
      return [a, b];
    }
    // an address and a string: the string must be an address
    if ((ta.t === 'addr' && tb.t === 'str') || (ta.t === 'str' && tb.t === 'addr')) {
      const [s, other] = ta.t === 'str' ? [a, b] : [b, a];
      if (s.k === 'const' && typeof s.v === 'string') {
        const c = parseCidr(s.v);
        if ('error' in c) return this.err('E206', c.error, s.span);
        const lit: TExpr = { k: 'const', v: c.text, cidr: c, ty: { t: 'addr' }, text: c.text, canon: c.text, prec: PREC.atom, span: s.span };
        return ta.t === 'str' ? [lit, other] : [other, lit];
      }
      if (ta.t === 'str' && ta.col === 'addr') return [a, b];
      if (tb.t === 'str' && tb.col === 'addr') return [a, b];
    }
    // cookie (a string of digits) against an integer literal
    if (ta.t === 'str' && tb.t === 'num' && b.k === 'const' && tb.flex && a.k === 'field' && a.def.name === 'cookie' && Number.isInteger(b.v)) {
      return [a, this.constOf(String(b.v), { t: 'str' }, String(b.v), b.span)];
    }
    if (tb.t === 'str' && ta.t === 'num' && a.k === 'const' && ta.flex && b.k === 'field' && b.def.name === 'cookie' && Number.isInteger(a.v)) {
      return [this.constOf(String(a.v), { t: 'str' }, String(a.v), a.span), b];
    }
    let hint: string | undefined;
    if ((ta.t === 'sym' || tb.t === 'sym') && (tb.t === 'num' || ta.t === 'num')) {
      const d = ta.t === 'sym' ? ta : (tb as Extract<Ty, { t: 'sym' }>);
      hint = `compare with a name: ${DOMAIN_NAMES[d.domain].slice(0, 5).join(', ')}…`;
    } else if ((ta.t === 'str' && tb.t === 'num') || (ta.t === 'num' && tb.t === 'str')) {
      hint = 'quote numbers only when the other side is a string; a number compares with numbers';
    }
    return this.err('E201', `cannot ${what === 'compared' ? 'compare' : 'combine'} ${tyName(ta)} (${a.text}) with ${tyName(tb)} (${b.text})`, opSpan, hint);
  }

  private convert(e: TExpr, to: Unit): TExpr {
    const from = (e.ty as Extract<Ty, { t: 'num' }>).unit!;
    if (e.k === 'const' && typeof e.v === 'number') {
      let v: number;
      if (e.lit) {
        const f = unitFactor(e.lit.suffix, to === 'octets' ? 'B' : to);
        v = f.div === 1 ? e.lit.value * f.mul : e.lit.value / f.div;
      } else {
        const f = unitFactor(from === 'octets' ? 'B' : from, to === 'octets' ? 'B' : to);
        v = f.div === 1 ? e.v * f.mul : e.v / f.div;
      }
      return { ...e, v, ty: tyNum(to, { lit: (e.ty as { lit?: boolean }).lit ?? false }) };
    }
    const f = unitFactor(from === 'octets' ? 'B' : from, to === 'octets' ? 'B' : to);
    const ty: Ty = { ...(e.ty as Extract<Ty, { t: 'num' }>), unit: to };
    return { k: 'scale', e, mul: f.mul, div: f.div, ty, text: e.text, canon: e.canon, prec: e.prec, span: e.span };
  }

  private compare(op: BinaryOp, l: TExpr, r: TExpr, e: { span: Span; opSpan: Span }): TExpr {
    if (l.k === 'error' || r.k === 'error') return l.k === 'error' ? l : r;
    const u = this.unify(l, r, 'compared', e.span, e.opSpan);
    if (!Array.isArray(u)) return u;
    const [a, b] = u;
    const t = a.ty.t;
    if (op !== '==' && op !== '!=') {
      if (t === 'addr' || t === 'sym' || t === 'bool' || (a.ty.t === 'num' && a.ty.enumDef)) {
        return this.err('E209', `'${op}' is not defined for ${tyName(a.ty)}`, e.opSpan, t === 'addr' ? "use == or 'in' with a prefix, e.g. raddr in 10.0.0.0/8" : 'use == or !=');
      }
    }
    if (t === 'addr') {
      for (const x of [a, b]) {
        if (x.k === 'const' && x.cidr && x.cidr.prefix !== (x.cidr.family === 4 ? 32 : 128) && x.text.includes('/')) {
          return this.err('E210', `${x.text} is a prefix; '${op}' compares single addresses`, x.span, `use in: ${a === x ? b.text : a.text} ${op === '!=' ? 'not in' : 'in'} ${x.text}`);
        }
      }
    }
    const cop = op as '==' | '!=' | '<' | '<=' | '>' | '>=';
    return { k: 'cmp', op: cop, l: a, r: b, ty: BOOL, text: `${paren(a, PREC.cmp + 0.5)} ${op} ${paren(b, PREC.cmp + 0.5)}`, canon: `${op}(${a.canon},${b.canon})`, prec: PREC.cmp, span: e.span };
  }

  private arith(op: '+' | '-' | '*' | '/' | '%', l: TExpr, r: TExpr, e: { span: Span; opSpan: Span }): TExpr {
    for (const x of [l, r]) {
      if (x.ty.t === 'hist' || x.ty.t === 'stats') return this.err('E307', `${tyName(x.ty)} cannot be used in arithmetic`, x.span);
      if (x.ty.t !== 'num') return this.err('E209', `'${op}' needs numbers, found ${tyName(x.ty)} (${x.text})`, x.span);
    }
    let a = l, b = r;
    const ta = l.ty as Extract<Ty, { t: 'num' }>, tb = r.ty as Extract<Ty, { t: 'num' }>;
    let ty: Ty;
    if (op === '+' || op === '-' || op === '%') {
      const u = this.unify(l, r, 'combined', e.span, e.opSpan);
      if (!Array.isArray(u)) return u;
      [a, b] = u;
      const na = a.ty as Extract<Ty, { t: 'num' }>, nb = b.ty as Extract<Ty, { t: 'num' }>;
      const src = na.flex ? nb : na;
      ty = { t: 'num', dim: src.dim, unit: src.unit, flex: !!(na.flex && nb.flex), lit: !!(na.lit && nb.lit), pct: !!(na.pct && nb.pct) };
    } else if (op === '*') {
      if (ta.dim !== 'none' && tb.dim !== 'none') ty = tyNum(undefined);
      else {
        const src = ta.dim !== 'none' ? ta : tb.dim !== 'none' ? tb : ta.flex ? tb : ta;
        ty = { t: 'num', dim: src.dim, unit: src.unit, flex: !!(ta.flex && tb.flex), lit: !!(ta.lit || tb.lit) && !(ta.dim !== 'none' && tb.dim !== 'none') && (ta.flex || tb.flex) };
      }
    } else {
      // '/'
      if (tb.dim === 'none') ty = { t: 'num', dim: ta.dim, unit: ta.unit, flex: !!(ta.flex && tb.flex), lit: !!(ta.lit && tb.flex) };
      else if (ta.dim === tb.dim) {
        const u = this.unify(l, r, 'combined', e.span, e.opSpan);
        if (!Array.isArray(u)) return u;
        [a, b] = u;
        ty = tyNum(undefined);
      } else if (ta.dim === 'size' && tb.dim === 'time' && !ta.perSec && tb.unit) {
        // size / time is a throughput: per second, like rate(), so `X / ElapsedSecs > 1MB` works
        const perS = unitFactor('s', tb.unit);
        const q: TExpr = { k: 'arith', op, l, r, ty: tyNum(undefined), text: `${paren(l, PREC.mul)} / ${paren(r, PREC.mul + 0.5)}`, canon: `/(${l.canon},${r.canon})`, prec: PREC.mul, span: e.span };
        const tput: Ty = { t: 'num', dim: 'size', unit: ta.unit, perSec: true };
        if (perS.mul === 1 && perS.div === 1) return { ...q, ty: tput };
        return { k: 'scale', e: q, mul: perS.mul, div: perS.div, ty: tput, text: q.text, canon: q.canon, prec: q.prec, span: e.span };
      } else ty = tyNum(undefined);
    }
    const prec = op === '+' || op === '-' ? PREC.add : PREC.mul;
    const node: TExpr = { k: 'arith', op, l: a, r: b, ty, text: `${paren(a, prec)} ${op} ${paren(b, prec + 0.5)}`, canon: `${op}(${a.canon},${b.canon})`, prec, span: e.span };
    // fold constants (so that `1s + 500ms` stays a literal)
    if (a.k === 'const' && b.k === 'const' && typeof a.v === 'number' && typeof b.v === 'number') {
      const v = op === '+' ? a.v + b.v : op === '-' ? a.v - b.v : op === '*' ? a.v * b.v : op === '/' ? (b.v === 0 ? null : a.v / b.v) : (b.v === 0 ? null : a.v % b.v);
      return { k: 'const', v, ty: ty.t === 'num' ? { ...ty, lit: ty.dim !== 'none' } : ty, text: node.text, canon: node.canon, prec, span: e.span };
    }
    return node;
  }

  private match(e: Extract<Expr, { kind: 'match' }>, ctx: Ctx): TExpr {
    const l = this.expr(e.left, ctx);
    if (l.k === 'error') return l;
    if (l.ty.t !== 'str' && l.ty.t !== 'sym' && l.ty.t !== 'addr') {
      return this.err('E208', `'${e.negated ? '!~' : '=~'}' matches strings, but ${l.text} is ${tyName(l.ty)}`, e.opSpan, 'compare numbers with == < > instead');
    }
    let rx = e.right;
    while (rx.kind === 'paren') rx = rx.inner;
    if (rx.kind !== 'str') return this.err('E208', `the right side of '${e.negated ? '!~' : '=~'}' must be a string with a regular expression`, e.right.span, 'e.g. comm =~ "^nginx"');
    let re: RegExp;
    try {
      re = new RegExp(rx.value);
    } catch (err) {
      return this.err('E208', `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, rx.span);
    }
    const m: TExpr = { k: 'match', l, re, ty: BOOL, text: `${paren(l, PREC.cmp + 0.5)} =~ ${JSON.stringify(rx.value)}`, canon: `match(${l.canon},${rx.value})`, prec: PREC.cmp, span: e.span };
    return e.negated ? { k: 'not', e: m, ty: BOOL, text: m.text.replace(' =~ ', ' !~ '), canon: `not(${m.canon})`, prec: PREC.cmp, span: e.span } : m;
  }

  private inExpr(e: Extract<Expr, { kind: 'in' }>, ctx: Ctx): TExpr {
    if (this.isPort(e.left)) {
      const mk = (which: 'lport' | 'rport') => this.inList(this.portField(which, e.left.span), e, ctx);
      const a = mk('lport');
      if (a.k === 'error') return a;
      const b = this.quietly(() => mk('rport'));
      const text = `port ${e.negated ? 'not in' : 'in'} ${a.text.slice(a.text.indexOf(' in ') + 4)}`;
      const either: TExpr = { k: 'or', l: a, r: b, ty: BOOL, text, canon: `portin(${a.canon})`, prec: PREC.cmp, span: e.span };
      return e.negated ? { k: 'not', e: either, ty: BOOL, text, canon: `not(${either.canon})`, prec: PREC.cmp, span: e.span } : either;
    }
    const l = this.expr(e.left, ctx);
    if (l.k === 'error') return l;
    const r = this.inList(l, e, ctx);
    if (r.k === 'error' || !e.negated) return r;
    return { k: 'not', e: r, ty: BOOL, text: r.text.replace(' in ', ' not in '), canon: `not(${r.canon})`, prec: PREC.cmp, span: e.span };
  }

  private inList(l: TExpr, e: Extract<Expr, { kind: 'in' }>, ctx: Ctx): TExpr {
    if (l.ty.t === 'hist' || l.ty.t === 'stats') return this.err('E307', `${tyName(l.ty)} cannot be compared`, l.span);
    if (l.ty.t === 'bool') return this.err('E209', "'in' is not defined for conditions", e.opSpan);
    const items: TExpr[] = [];
    const cidrs: Cidr[] = [];
    let bad = false;
    for (const it of e.list) {
      let x = this.expr(it, ctx, l.ty);
      if (x.k === 'error') { bad = true; continue; }
      if (l.ty.t === 'addr' || (l.ty.t === 'str' && l.ty.col === 'addr')) {
        if (x.ty.t === 'str' && x.k === 'const' && typeof x.v === 'string') {
          const c = parseCidr(x.v);
          if ('error' in c) { this.err('E206', c.error, x.span); bad = true; continue; }
          x = { k: 'const', v: c.text, cidr: c, ty: { t: 'addr' }, text: c.text, canon: c.text, prec: PREC.atom, span: x.span };
        }
        if (x.k === 'const' && x.cidr && l.ty.t === 'addr') { cidrs.push(x.cidr); items.push(x); continue; }
        if (x.ty.t !== 'addr' && !(x.ty.t === 'str' && l.ty.t === 'str')) {
          this.err('E201', `cannot compare ${tyName(l.ty)} (${l.text}) with ${tyName(x.ty)} (${x.text})`, x.span, 'list addresses or prefixes, e.g. raddr in (10.0.0.0/8, 192.168.0.0/16)');
          bad = true; continue;
        }
        items.push(x);
        continue;
      }
      if (x.ty.t === 'addr') {
        this.err('E206', `${x.text} is an address, but ${l.text} is ${tyName(l.ty)}`, x.span, "only addresses (laddr, raddr) can be 'in' a prefix");
        bad = true; continue;
      }
      const u = this.unify(l, x, 'compared', x.span, x.span);
      if (!Array.isArray(u)) { bad = true; continue; }
      items.push(u[1]);
    }
    if (bad) return { k: 'error', ty: ERR, text: '?', canon: '?', prec: PREC.atom, span: e.span };
    const listText = e.parens ? `(${items.map(i => i.text).join(', ')})` : items[0]!.text;
    const cidrOnly = l.ty.t === 'addr' && cidrs.length === items.length;
    return { k: 'in', l, items: cidrOnly ? [] : items, cidrs: cidrOnly ? cidrs : [], ty: BOOL, text: `${paren(l, PREC.cmp + 0.5)} in ${listText}`, canon: `in(${l.canon},${items.map(i => i.canon).join(',')})`, prec: PREC.cmp, span: e.span };
  }

  private call(e: Call, ctx: Ctx): TExpr {
    const name = e.name.toLowerCase();
    const q = percentileOf(name);
    const arity = (min: number, max: number): boolean => {
      if (e.args.length < min || e.args.length > max) {
        const want = min === max ? `${min}` : `${min} to ${max}`;
        this.err('E108', `${name}() takes ${want} argument${max === 1 ? '' : 's'}, found ${e.args.length}`, e.span,
          name === 'lhist' ? 'lhist(X, min, max, step), e.g. lhist(SampleRTT, 0, 100ms, 10ms)' : name === 'net' ? 'net(raddr, 24) or net(raddr, 24, 64)' : undefined);
        return false;
      }
      return true;
    };
    if ((AGG_FNS as readonly string[]).includes(name) || q !== undefined) {
      if (ctx.inAgg) return this.err('E302', `aggregate ${name}() inside another aggregate`, e.span);
      if (!ctx.aggOk) {
        return this.err('E302', `aggregate ${name}() is not allowed in ${ctx.where}`, e.span,
          ctx.where === 'where' ? 'where filters input rows before they are aggregated; to filter groups, sort and limit them' : 'aggregates belong in print (and sort)');
      }
      if (ctx.inRate) return this.err('E302', `aggregate ${name}() inside rate() or delta()`, e.span);
      const fn: AggFn = q !== undefined ? 'pct' : (name as AggFn);
      if (fn === 'count') {
        if (!arity(0, 1)) return this.bad(e);
      } else if (fn === 'lhist') {
        if (!arity(4, 4)) return this.bad(e);
      } else if (!arity(1, 1)) return this.bad(e);
      if (q !== undefined && (q < 0 || q > 100)) return this.err('E211', `percentile ${e.name} is out of range`, e.nameSpan, 'use p0 to p100, e.g. p50, p99, p999');
      const inner: Ctx = { aggOk: false, where: `an argument of ${name}()`, inAgg: true };
      const arg = e.args.length ? this.expr(e.args[0]!, inner) : null;
      if (arg && arg.k === 'error') return arg;
      if (arg && fn !== 'count' && arg.ty.t !== 'num') {
        return this.err('E201', `${name}() needs numbers, but ${arg.text} is ${tyName(arg.ty)}`, arg.span, fn === 'min' || fn === 'max' ? undefined : 'use it as a by key instead, e.g. print count() by comm');
      }
      let lh: { min: number; max: number; step: number } | undefined;
      if (fn === 'lhist') {
        const vals: number[] = [];
        for (const a of e.args.slice(1)) {
          const t = this.expr(a, inner);
          if (t.k === 'error') return t;
          if (t.k !== 'const' || typeof t.v !== 'number' || t.ty.t !== 'num') return this.err('E211', `lhist() bounds must be numbers, found ${t.text}`, a.span, 'e.g. lhist(SampleRTT, 0, 100ms, 10ms)');
          const u = this.unify(arg!, t, 'compared', a.span, a.span);
          if (!Array.isArray(u)) return this.bad(e);
          const c = u[1];
          vals.push((c as { v: number }).v);
        }
        const [mn, mx, st] = vals as [number, number, number];
        if (!(st > 0)) return this.err('E211', 'lhist() step must be greater than 0', e.args[3]!.span);
        if (!(mx > mn)) return this.err('E211', 'lhist() max must be greater than min', e.args[2]!.span);
        if ((mx - mn) / st > 10000) return this.err('E211', `lhist() would have ${Math.ceil((mx - mn) / st)} buckets (the limit is 10000)`, e.args[3]!.span, 'use a larger step');
        lh = { min: mn, max: mx, step: st };
      }
      const fname = q !== undefined ? name : name;
      const text = `${fname}(${e.args.map((a, i) => (i === 0 ? arg!.text : exprText(a))).join(', ')})`;
      const canon = `${fname}(${arg ? arg.canon : ''}${lh ? `,${lh.min},${lh.max},${lh.step}` : ''})`;
      let slot = this.aggs.findIndex(s => s.canon === canon);
      if (slot < 0) {
        slot = this.aggs.length;
        this.aggs.push({ fn, arg, canon, ...(q !== undefined ? { q } : {}), ...(lh ? { lh } : {}) });
      }
      const at = arg?.ty.t === 'num' ? arg.ty : undefined;
      const keepUnit = at && !at.perSec ? at.unit : undefined;
      const ty: Ty = fn === 'count' ? tyNum('count') : fn === 'stats' ? { t: 'stats' } : fn === 'hist' || fn === 'lhist' ? (keepUnit ? { t: 'hist', unit: keepUnit } : { t: 'hist' })
        : { t: 'num', dim: at?.dim ?? 'none', unit: keepUnit, ...(at?.perSec ? { perSec: true } : {}), ...(at?.enumDef && (fn === 'min' || fn === 'max') ? {} : {}) };
      return { k: 'agg', fn, arg, slot, ty, text, canon, prec: PREC.atom, span: e.span, ...(q !== undefined ? { q } : {}), ...(lh ? { lh } : {}) };
    }
    if (name === 'rate' || name === 'delta') {
      if (!arity(1, 1)) return this.bad(e);
      if (ctx.inRate) return this.err('E302', `${name}() inside rate() or delta()`, e.span);
      const arg = this.expr(e.args[0]!, { ...ctx, aggOk: false, inRate: true, where: `an argument of ${name}()` });
      if (arg.k === 'error') return arg;
      if (arg.ty.t !== 'num') return this.err('E201', `${name}() needs a number, but ${arg.text} is ${tyName(arg.ty)}`, arg.span);
      const canon = `${name}(${arg.canon})`;
      let slot = this.rates.findIndex(s => s.canon === arg.canon);
      if (slot < 0) { slot = this.rates.length; this.rates.push({ kind: name, arg, canon: arg.canon }); }
      const at = arg.ty;
      const ty: Ty = name === 'rate' ? { t: 'num', dim: at.dim, unit: at.unit, perSec: true } : { t: 'num', dim: at.dim, unit: at.unit, ...(at.perSec ? { perSec: true } : {}) };
      return { k: name, arg, slot, ty, text: `${name}(${arg.text})`, canon, prec: PREC.atom, span: e.span };
    }
    if (name === 'net') {
      if (!arity(2, 3)) return this.bad(e);
      const arg = this.expr(e.args[0]!, ctx);
      if (arg.k === 'error') return arg;
      if (arg.ty.t !== 'addr' || arg.k !== 'field') return this.err('E211', `net() needs an address field (laddr, raddr), found ${arg.text}`, arg.span);
      const ps: number[] = [];
      for (const [i, a] of e.args.slice(1).entries()) {
        const p = a.kind === 'num' ? parseNumber(a.raw) : null;
        const max = i === 0 && e.args.length === 2 ? 128 : i === 0 ? 32 : 128;
        if (!p || 'error' in p || p.suffix !== '' || !Number.isInteger(p.value) || p.value > max) {
          return this.err('E211', `net() prefix length must be a whole number from 0 to ${max}`, a.span, 'e.g. net(raddr, 24) or net(raddr, 24, 64) for IPv4 and IPv6');
        }
        ps.push(p.value);
      }
      const p4 = ps[0]!, p6 = ps[1] ?? ps[0]!;
      const text = `net(${arg.text}, ${ps.join(', ')})`;
      return { k: 'net', arg, p4, p6, ty: { t: 'str', col: 'addr' }, text, canon: `net(${arg.canon},${p4},${p6})`, prec: PREC.atom, span: e.span };
    }
    const v = findVar(e.name) ?? findField(e.name);
    if (v) return this.err('E102', `'${e.name}' is a ${'table' in v ? 'variable' : 'connection field'}, not a function`, e.nameSpan, `write ${v.name} without parentheses`);
    const s = suggest(name, FUNCTIONS);
    return this.err('E102', `unknown function '${e.name}'${s ? `; did you mean '${s}'?` : ''}`, e.nameSpan,
      `functions: ${FUNCTIONS.join(', ')}, and pNN percentiles`);
  }

  private bad(e: Call): TExpr { return { k: 'error', ty: ERR, text: '?', canon: '?', prec: PREC.atom, span: e.span }; }

  // ---- statement ----

  check(): CheckedStatement | null {
    const ast = this.ast;
    const nErr0 = this.diags.filter(d => d.severity === 'error').length;
    // on
    let kinds: Set<number> | null = null;
    let eventNames: string[] | null = null;
    if (ast.on) {
      kinds = new Set();
      eventNames = [];
      for (const ev of ast.on.events) {
        const n = ev.name.toLowerCase();
        const k = EVENT_KIND.get(n);
        if (k === undefined || n === 'seed') {
          const s = suggest(ev.name, ON_EVENTS);
          this.err('E103', `unknown event '${ev.name}'${s ? `; did you mean '${s}'?` : ''}`, ev.span,
            n === 'seed' ? 'connections open before the start are seen by statements without on' : `events: ${ON_EVENTS.join(', ')}`);
          continue;
        }
        if (kinds.has(k)) { this.warn('W003', `event '${n}' is named twice`, ev.span); continue; }
        kinds.add(k);
        eventNames.push(n);
      }
    }
    // where
    let where: TExpr | null = null;
    if (ast.where) {
      const w = this.expr(ast.where.expr, { aggOk: false, where: 'where' });
      if (w.k !== 'error' && w.ty.t !== 'bool') {
        this.err('E207', `where needs a condition, but ${w.text} is ${tyName(w.ty)}`, ast.where.expr.span, `compare it, e.g. where ${w.text} > 0`);
      } else if (w.k !== 'error') where = w;
    }
    // every
    let everyMs: number | null = null;
    if (ast.every) {
      let x = ast.every.expr;
      while (x.kind === 'paren') x = x.inner;
      const p = x.kind === 'num' ? parseNumber(x.raw) : null;
      const u = p && !('error' in p) ? literalUnit(p.suffix) : undefined;
      if (!p || 'error' in p || !u || u.dim !== 'time') {
        const hint = p && !('error' in p) && p.suffix === '' ? `add a unit: every ${p.value}s` : 'e.g. every 1s, every 500ms, every 5m';
        this.err('E304', `every needs a duration, found '${exprText(ast.every.expr)}'`, ast.every.expr.span, hint);
      } else {
        const ms = toMs(p.value, p.suffix);
        if (ms < 1 || ms > 86_400_000) this.err('E304', `every ${exprText(x)} is out of range (1ms to 24h)`, ast.every.expr.span);
        else everyMs = ms;
      }
    }
    // limit
    let limit: number | null = null;
    if (ast.limit) {
      const x = ast.limit.expr;
      const p = x.kind === 'num' ? parseNumber(x.raw) : null;
      if (!p || 'error' in p || p.suffix !== '' || !Number.isInteger(p.value) || p.value > 1e9) {
        this.err('E305', `limit needs a whole number of rows, found '${exprText(x)}'`, x.span, 'e.g. limit 10');
      } else limit = p.value;
    }
    // by keys
    const keys: TExpr[] = [];
    if (ast.by) {
      for (const k of ast.by.keys) {
        const t = this.expr(k, { aggOk: false, where: 'by' });
        if (t.k === 'error') continue;
        if (t.ty.t === 'bool' || t.ty.t === 'hist' || t.ty.t === 'stats') { /* a condition is a fine key (true/false groups) */ }
        keys.push(t);
      }
    }
    // print
    const items: Array<{ t: TExpr; alias: string | null; item: PrintItem; fromStar: boolean; aliasSpan: Span | null }> = [];
    for (const it of ast.print!.items) {
      if (it.kind === 'star') {
        for (const v of CATALOG) items.push({ t: this.varRef(v, it.span, true), alias: null, item: it, fromStar: true, aliasSpan: null });
        continue;
      }
      if (it.expr.kind === 'tablestar') {
        const table = TABLES.find(t => t.toLowerCase() === (it.expr as { table: string }).table.toLowerCase());
        if (!table) {
          const s = suggest(it.expr.table, TABLES);
          this.err('E104', `unknown table '${it.expr.table}'${s ? `; did you mean '${s}'?` : ''}`, it.expr.span, `the RFC 4898 tables are ${TABLES.join(', ')}`);
          continue;
        }
        if (it.alias !== null) this.err('E109', `'${table}.*' expands to many columns and cannot be named with as`, it.aliasSpan!);
        for (const v of varsOfTable(table as RfcTable)) items.push({ t: this.varRef(v, it.span, true), alias: null, item: it, fromStar: true, aliasSpan: null });
        continue;
      }
      const t = this.expr(it.expr, { aggOk: true, where: 'print' });
      if (t.k === 'error') continue;
      items.push({ t, alias: it.alias, item: it, fromStar: false, aliasSpan: it.aliasSpan });
    }
    const agg = this.aggs.length > 0;
    if (ast.by && !agg) {
      this.err('E303', 'by groups aggregates, but print has none', ast.by.span, 'add an aggregate, e.g. print count() by comm; or drop by and print the key');
    }
    // columns
    const columns: Column[] = [];
    const values: TExpr[] = [];
    const colCanon: string[] = [];
    const names = new Map<string, { fromStar: boolean; canon: string }>();
    const addCol = (name: string, t: TExpr, span: Span, fromStar: boolean): boolean => {
      const prev = names.get(name.toLowerCase());
      if (prev) {
        // an expansion (Perf.*, *) never duplicates a column; an explicit item equal to an expanded column is dropped
        if (fromStar || (prev.fromStar && prev.canon === t.canon)) return false;
        this.err('E308', `two columns are named '${name}'`, span, `rename one with as, e.g. ${t.text} as ${name}2`);
        return false;
      }
      names.set(name.toLowerCase(), { fromStar, canon: t.canon });
      columns.push(column(name, t.ty));
      values.push(t);
      colCanon.push(t.canon);
      return true;
    };
    const colName = (t: TExpr, alias: string | null) => alias ?? t.text;
    if (agg) {
      // key columns first: named by a print item that is the same expression (with its alias), else by its text
      const keyCanon = keys.map(k => k.canon);
      keys.forEach((k, i) => {
        const same = items.find(x => !x.fromStar && x.t.canon === k.canon);
        addCol(colName(k, same?.alias ?? null), { ...k, k: 'key', index: i } as TExpr, k.span, false);
      });
      const starReported = new Set<PrintItem>();
      for (const x of items) {
        if (x.fromStar) {
          if (!starReported.has(x.item)) {
            starReported.add(x.item);
            this.err('E301', `'${x.item.kind === 'star' ? '*' : exprText((x.item as { expr: Expr }).expr)}' cannot be printed with aggregates`, x.item.span, 'print aggregates of single variables, e.g. avg(SmoothedRTT)');
          }
          continue;
        }
        if (keyCanon.includes(x.t.canon)) continue;
        const post = this.postAgg(x.t, keyCanon, 'E301');
        if (!post) continue;
        addCol(colName(x.t, x.alias), post, x.aliasSpan ?? x.t.span, x.fromStar);
      }
    } else {
      for (const x of items) addCol(colName(x.t, x.alias), x.t, x.aliasSpan ?? x.t.span, x.fromStar);
    }
    // sort
    let sort: CheckedStatement['sort'] = null;
    if (ast.sort) {
      const desc = ast.sort.desc;
      const se = ast.sort.expr;
      let col = -1;
      if (se.kind === 'name' && se.table === null) col = columns.findIndex(c => c.name.toLowerCase() === se.name.toLowerCase());
      if (col < 0 && se.kind === 'str') col = columns.findIndex(c => c.name === se.value);
      if (col >= 0) {
        const c = columns[col]!;
        if (c.kind === 'hist' || c.kind === 'stats') this.err('E307', `cannot sort by ${c.kind === 'hist' ? 'a histogram' : 'a stats value'}`, se.span, 'sort by count(), avg() or a percentile');
        else sort = { col, desc };
      } else {
        const t = this.expr(se, agg ? { aggOk: true, where: 'sort' } : { aggOk: false, where: 'sort (of a statement without aggregates)' });
        if (t.k !== 'error') {
          if (t.ty.t === 'hist' || t.ty.t === 'stats') this.err('E307', `cannot sort by ${tyName(t.ty)}`, se.span, 'sort by count(), avg() or a percentile');
          else {
            const same = colCanon.indexOf(t.canon);
            if (same >= 0) sort = { col: same, desc };
            else if (agg) {
              const post = this.postAgg(t, keys.map(k => k.canon), 'E306');
              if (post) sort = { expr: post, desc };
            } else sort = { expr: t, desc };
          }
        }
      }
      if (!agg && !ast.every && sort) this.warn('W002', 'sort without every keeps every row in memory and prints them when the program ends', ast.sort.span, 'add every 1s to sort each second\'s rows');
    }
    const nErr = this.diags.filter(d => d.severity === 'error').length;
    if (nErr > nErr0) return null;
    const mode: Mode = ast.on ? 'event' : ast.every ? 'snapshot' : agg ? 'event' : 'change';
    return {
      index: this.index, ast, mode, everyMs, text: ast.text, kinds, eventNames, where, agg, columns, values, keys,
      aggs: this.aggs, rates: this.rates, sort, limit,
    };
  }

  /** rewrite a print item of an aggregate statement over keys and aggregate slots; errors for row values */
  private postAgg(t: TExpr, keyCanon: readonly string[], code: 'E301' | 'E306'): TExpr | null {
    const ki = keyCanon.indexOf(t.canon);
    if (ki >= 0) return { ...t, k: 'key', index: ki } as TExpr;
    switch (t.k) {
      case 'agg': case 'const': return t;
      case 'var': case 'field': case 'rate': case 'delta': case 'net': {
        const msg = code === 'E301'
          ? `${t.text} is neither an aggregate nor a by key`
          : `cannot sort the groups by ${t.text}: it is neither an aggregate nor a by key`;
        this.err(code, msg, t.span, t.ty.t === 'num' ? `add it to by (by ${t.text}), or aggregate it (max(${t.text}))` : `add it to by (by ${t.text})`);
        return null;
      }
      case 'scale': case 'neg': case 'not': {
        const e = this.postAgg(t.e, keyCanon, code);
        return e ? { ...t, e } : null;
      }
      case 'arith': case 'cmp': case 'and': case 'or': {
        const l = this.postAgg(t.l, keyCanon, code);
        const r = this.postAgg(t.r, keyCanon, code);
        return l && r ? { ...t, l, r } : null;
      }
      case 'in': {
        const l = this.postAgg(t.l, keyCanon, code);
        return l ? { ...t, l } : null;
      }
      case 'match': {
        const l = this.postAgg(t.l, keyCanon, code);
        return l ? { ...t, l } : null;
      }
      default: return t;
    }
  }
}

function isCmp(op: BinaryOp): boolean {
  return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

function paren(e: TExpr, prec: number): string {
  return e.prec < prec ? `(${e.text})` : e.text;
}

/** source-ish text of an unchecked expression (for messages) */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'num': return e.raw;
    case 'str': return e.raw;
    case 'addr': return e.raw;
    case 'name': return e.table ? `${e.table}.${e.name}` : e.name;
    case 'tablestar': return `${e.table}.*`;
    case 'paren': return `(${exprText(e.inner)})`;
    case 'unary': return e.op === 'not' ? `not ${exprText(e.arg)}` : `-${exprText(e.arg)}`;
    case 'binary': return `${exprText(e.left)} ${e.op} ${exprText(e.right)}`;
    case 'match': return `${exprText(e.left)} ${e.negated ? '!~' : '=~'} ${exprText(e.right)}`;
    case 'in': return `${exprText(e.left)} ${e.negated ? 'not in' : 'in'} ${e.parens ? `(${e.list.map(exprText).join(', ')})` : exprText(e.list[0]!)}`;
    case 'call': return `${e.name}(${e.args.map(exprText).join(', ')})`;
  }
}

function domainNames(ty: Ty): string[] {
  if (ty.t === 'sym') return [...DOMAIN_NAMES[ty.domain]];
  if (ty.t === 'num' && ty.enumDef?.enumNames) return Object.values(ty.enumDef.enumNames);
  return [];
}

export function fieldTy(f: FieldDef): Ty {
  switch (f.type) {
    case 'addr': return { t: 'addr' };
    case 'port': case 'number': case 'time': return tyNum(undefined);
    case 'string': return { t: 'str' };
    case 'state': return { t: 'sym', domain: 'state' };
    case 'castate': return { t: 'sym', domain: 'castate' };
    case 'event': return { t: 'sym', domain: 'event' };
  }
}

function column(name: string, ty: Ty): Column {
  switch (ty.t) {
    case 'num': {
      if (ty.perSec) return ty.unit ? { name, unit: ty.unit, perSec: true, kind: 'number' } : { name, perSec: true, kind: 'number' };
      return ty.unit ? { name, unit: ty.unit, kind: 'number' } : ty.enumDef ? { name, unit: 'enum', kind: 'number' } : { name, kind: 'number' };
    }
    case 'str': return { name, kind: ty.col === 'addr' ? 'addr' : 'string' };
    case 'addr': return { name, kind: 'addr' };
    case 'bool': return { name, kind: 'bool' };
    case 'sym': return { name, kind: 'string' };
    case 'hist': return ty.unit ? { name, unit: ty.unit, kind: 'hist' } : { name, kind: 'hist' };
    case 'stats': return { name, kind: 'stats' };
    case 'error': return { name, kind: 'string' };
  }
}

/** Check every statement of a parsed program. */
export function checkStatements(stmts: readonly StatementAst[]): { checked: CheckedStatement[]; diagnostics: Diagnostic[] } {
  const checked: CheckedStatement[] = [];
  const diagnostics: Diagnostic[] = [];
  stmts.forEach((s, i) => {
    const c = new StatementChecker(s, i);
    const r = c.check();
    diagnostics.push(...c.diags);
    if (r) checked.push(r);
  });
  return { checked, diagnostics };
}

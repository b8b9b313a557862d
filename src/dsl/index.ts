// Public API of the query language.
import type { Frame } from '../estats/types.js';
import type { Emit } from './rows.js';
import { parse } from './parser.js';
import { checkStatements, exprText, EVENT_KIND, type CheckedStatement, type TExpr } from './check.js';
import { compileStatement, type CompiledStatement } from './compile.js';
import { RuntimeCore, type Retain } from './runtime.js';
import { render, toJSON, type Diagnostic } from './diagnostics.js';
import { EVENT_NAMES } from '../estats/fields.js';
import type { StatementAst } from './ast.js';
import { hooksNotNeeded, needsTracking, type ProgramUses } from '../estats/hooks.js';
import type { VarDef } from '../estats/types.js';

export type { Diagnostic } from './diagnostics.js';
export { CODES, toJSON as diagnosticsToJSON } from './diagnostics.js';

export interface CompileOptions { file?: string }

export interface Pushdown {
  lports: number[] | null;
  rports: number[] | null;
  ports: number[] | null;
  family: 4 | 6 | null;
}

export interface Program {
  statements: Statement[];
  /** kernel event kinds any statement needs; null = all events */
  events: Set<string> | null;
  /** the same as a bit mask (1 << kind) for the kernel side; 0 = all events */
  eventMask: number;
  /**
   * the event kinds needed for sockets of the tool's own network namespace,
   * as a mask (close and seed are always sent), or null for all: snapshot
   * statements (every D, no on) get those sockets from the refresh before
   * each tick, so only the other statements' kinds count
   */
  ownNetnsEventMask: number | null;
  /** port/family conjuncts of `where` that hold for EVERY statement, safe to push to the kernel filter */
  pushdown: Pushdown;
  /** what the program reads: the loader leaves out the optional BPF programs it does not need (src/estats/hooks.ts hooksNeeded) */
  uses: ProgramUses;
  /** human-readable plan for --dry-run (which events each statement needs, which conjuncts go to the kernel) */
  plan(): string;
}

export interface Statement { index: number; mode: 'event' | 'snapshot' | 'change'; everyMs: number | null; text: string }

const compiledOf = new WeakMap<Program, CompiledStatement[]>();

/** Parse, check and compile a program. program is null when there is any error (warnings alone keep it). */
export function compile(source: string, opts: CompileOptions = {}): { program: Program | null; diagnostics: Diagnostic[] } {
  void opts;
  const parsed = parse(source);
  const checked = checkStatements(parsed.program.statements);
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics].sort((a, b) => a.span.offset - b.span.offset);
  if (diagnostics.some(d => d.severity === 'error')) return { program: null, diagnostics };
  const compiled = checked.checked.map(compileStatement);
  const program = buildProgram(checked.checked, compiled);
  compiledOf.set(program, compiled);
  return { program, diagnostics };
}

export function renderDiagnostics(diags: Diagnostic[], source: string, file: string, color?: boolean): string {
  return render(diags, source, file, color);
}

/** JSON form of diagnostics (one object per diagnostic). */
export function diagnosticsJSON(diags: Diagnostic[], source: string, file: string): object[] {
  return toJSON(diags, source, file);
}

export class Runtime {
  private readonly core: RuntimeCore;
  /** retain: how a row held until its batch ends keeps its event (see RuntimeCore) */
  constructor(program: Program, emit: Emit, retain?: Retain) {
    const compiled = compiledOf.get(program);
    if (!compiled) throw new Error('Runtime: program was not made by compile()');
    this.core = new RuntimeCore(compiled, emit, retain);
  }
  /** every decoded event, after the per-socket table was updated */
  onEvent(fr: Frame): void { this.core.onEvent(fr); }
  /** called by the host on a timer with all live sockets; due `every` ticks run at nowNs */
  onTick(nowNs: bigint, live: () => Iterable<Frame>): void { this.core.onTick(nowNs, live); }
  /** the smallest `every` of the program in ms, or null */
  get tickMs(): number | null { return this.core.tickMs; }
  /** end of input: emit final aggregates and pending batches */
  finish(nowNs: bigint): void { this.core.finish(nowNs); }
}

// ---------------------------------------------------------------------------
// kernel pushdown

interface StmtPush { lports: Set<number> | null; rports: Set<number> | null; ports: Set<number> | null; family: 4 | 6 | null }

function conjuncts(t: TExpr | null): TExpr[] {
  if (!t) return [];
  if (t.k === 'and') return [...conjuncts(t.l), ...conjuncts(t.r)];
  return [t];
}

const PORT_FIELD: Readonly<Record<string, 'lports' | 'rports'>> = { lport: 'lports', sport: 'lports', rport: 'rports', dport: 'rports' };
const isPortNum = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;

/** port values a conjunct allows for one field kind, or null if it is not a pushable port test */
function portTest(t: TExpr): { kind: 'lports' | 'rports'; vals: number[] } | null {
  if (t.k === 'cmp' && t.op === '==') {
    const [f, c] = t.l.k === 'field' ? [t.l, t.r] : [t.r, t.l];
    if (f.k === 'field' && PORT_FIELD[f.def.name] && c.k === 'const' && isPortNum(c.v)) return { kind: PORT_FIELD[f.def.name]!, vals: [c.v] };
  }
  if (t.k === 'in' && t.l.k === 'field' && PORT_FIELD[t.l.def.name] && t.items.length && t.items.every(i => i.k === 'const' && isPortNum(i.v))) {
    return { kind: PORT_FIELD[t.l.def.name]!, vals: t.items.map(i => (i as { v: number }).v) };
  }
  return null;
}

/**
 * Port values a conjunct allows, also through `or`: the kernel filter is a
 * pre-filter (the full `where` still runs in user space), so a superset is
 * safe. `dport == a or dport == b` gives rports {a, b}; a mix of local and
 * remote tests (`dport == a or sport == b`, and `port == N`) gives ports
 * (either end) {a, b}.
 */
function portSet(t: TExpr): { kind: 'lports' | 'rports' | 'ports'; vals: number[] } | null {
  const one = portTest(t);
  if (one) return one;
  if (t.k !== 'or') return null;
  const a = portSet(t.l), b = portSet(t.r);
  if (!a || !b) return null;
  return { kind: a.kind === b.kind ? a.kind : 'ports', vals: [...new Set([...a.vals, ...b.vals])] };
}

function stmtPushdown(c: CheckedStatement): StmtPush {
  const p: StmtPush = { lports: null, rports: null, ports: null, family: null };
  const narrow = (cur: Set<number> | null, vals: number[]) => (cur === null ? new Set(vals) : new Set(vals.filter(v => cur.has(v))));
  for (const t of conjuncts(c.where)) {
    // `port == N` / `port in (…)` were checked into (lport … or rport …)
    const pt = portSet(t);
    if (pt) { p[pt.kind] = narrow(p[pt.kind], pt.vals); continue; }
    if (t.k === 'cmp' && t.op === '==') {
      const [f, k] = t.l.k === 'field' ? [t.l, t.r] : [t.r, t.l];
      if (f.k === 'field' && f.def.name === 'family' && k.k === 'const' && (k.v === 4 || k.v === 6)) {
        if (p.family !== null && p.family !== k.v) p.family = null; // contradictory: keep it simple, push nothing
        else p.family = k.v;
      }
    }
  }
  return p;
}

function buildPushdown(checked: readonly CheckedStatement[]): Pushdown {
  const per = checked.map(stmtPushdown);
  const union = (k: 'lports' | 'rports' | 'ports'): number[] | null => {
    if (!per.length || per.some(p => p[k] === null)) return null;
    const s = new Set<number>();
    for (const p of per) for (const v of p[k]!) s.add(v);
    return [...s].sort((a, b) => a - b);
  };
  const fams = new Set(per.map(p => p.family));
  const family = fams.size === 1 ? [...fams][0]! : null;
  const out: Pushdown = { lports: union('lports'), rports: union('rports'), ports: union('ports'), family };
  // Statements constrained on different ends (one on lport, another on
  // rport): any port of either still bounds what the program can use, so
  // push their union as "either end" (a superset; user space re-checks).
  if (!out.lports && !out.rports && !out.ports && per.length && per.every(p => p.lports || p.rports || p.ports)) {
    const s = new Set<number>();
    for (const p of per) {
      const sets = [p.lports, p.rports, p.ports].filter((x): x is Set<number> => x !== null);
      const smallest = sets.reduce((a, b) => (b.size < a.size ? b : a));
      for (const v of smallest) s.add(v);
    }
    out.ports = [...s].sort((a, b) => a - b);
  }
  return out;
}

function pushText(p: { lports: Iterable<number> | null; rports: Iterable<number> | null; ports: Iterable<number> | null; family: 4 | 6 | null }): string {
  const parts: string[] = [];
  const list = (xs: Iterable<number>) => [...xs].join(', ');
  if (p.lports) parts.push(`lport in (${list(p.lports)})`);
  if (p.rports) parts.push(`rport in (${list(p.rports)})`);
  if (p.ports) parts.push(`port in (${list(p.ports)})`);
  if (p.family) parts.push(`family == ${p.family}`);
  return parts.length ? parts.join(' and ') : 'none (every socket)';
}

/** the statement in canonical clause order */
export function canonicalText(s: StatementAst): string {
  const parts: string[] = [];
  if (s.on) parts.push(`on ${s.on.events.map(e => e.name.toLowerCase()).join(', ')}`);
  if (s.where) parts.push(`where ${exprText(s.where.expr)}`);
  if (s.print) parts.push(`print ${s.print.items.map(i => (i.kind === 'star' ? '*' : exprText(i.expr) + (i.alias !== null ? ` as ${i.alias}` : ''))).join(', ')}`);
  if (s.by) parts.push(`by ${s.by.keys.map(exprText).join(', ')}`);
  if (s.every) parts.push(`every ${exprText(s.every.expr)}`);
  if (s.sort) parts.push(`sort ${exprText(s.sort.expr)}${s.sort.desc ? ' desc' : ''}`);
  if (s.limit) parts.push(`limit ${exprText(s.limit.expr)}`);
  return parts.join(' ');
}

function buildProgram(checked: readonly CheckedStatement[], compiled: readonly CompiledStatement[]): Program {
  void compiled;
  const statements: Statement[] = checked.map(c => ({ index: c.index, mode: c.mode, everyMs: c.everyMs, text: c.text }));
  let events: Set<string> | null = new Set();
  for (const c of checked) {
    if (c.eventNames === null) { events = null; break; }
    for (const n of c.eventNames) events.add(n);
  }
  const pushdown = buildPushdown(checked);
  const uses = programUses(checked, events);
  const eventMask = maskOf(events ?? []);
  const ownNetnsEventMask = ownMask(checked);
  const plan = (): string => {
    const out: string[] = [];
    for (const c of checked) {
      const p = stmtPushdown(c);
      out.push(`statement ${c.index + 1} (line ${c.ast.span.line}): ${canonicalText(c.ast)}`);
      const mode = c.mode === 'event'
        ? `event: one row per ${c.eventNames ? c.eventNames.join(', ') : 'event (all kinds)'} event${c.agg ? (c.everyMs !== null ? `, aggregated and emitted every ${fmtMs(c.everyMs)}` : ', aggregated and emitted at the end') : c.everyMs !== null ? `, in batches every ${fmtMs(c.everyMs)}` : ''}`
        : c.mode === 'snapshot'
          ? `snapshot: every ${fmtMs(c.everyMs!)}, one row per live socket${c.agg ? ', aggregated' : ''}`
          : 'change: every event; a row when a printed value of the socket changed';
      out.push(`  mode:    ${mode}`);
      out.push(`  events:  ${c.eventNames ? c.eventNames.join(', ') : 'all'}`);
      out.push(`  where:   ${c.where ? c.where.text : '-'}`);
      out.push(`  columns: ${c.columns.map(col => `${col.name}${col.unit ? ` [${col.unit}]` : ''}`).join(', ')}`);
      if (c.keys.length) out.push(`  by:      ${c.keys.map(k => k.text).join(', ')}`);
      if (c.sort) out.push(`  sort:    ${'col' in c.sort ? c.columns[c.sort.col]!.name : c.sort.expr.text} ${c.sort.desc ? 'desc' : 'asc'}${c.limit !== null ? `, limit ${c.limit}` : ''}`);
      else if (c.limit !== null) out.push(`  limit:   ${c.limit}`);
      out.push(`  kernel filter (this statement): ${pushText(p)}`);
    }
    const own = ownNetnsEvents(ownNetnsEventMask, eventMask);
    out.push(`program: events ${events ? [...events].join(', ') : 'all'}${own ? ` (sockets of this network namespace: ${own}, as snapshot statements refresh them before each tick)` : ''}; kernel filter: ${pushText(pushdown)}`);
    const off = hooksNotNeeded(uses);
    out.push(`programs not loaded (nothing read needs them): ${off.length ? off.join(', ') : 'none'}`);
    out.push(`per-socket tracking (per-segment counters, sampled extremes): ${needsTracking(uses) ? 'on' : 'off, as nothing read needs it'}`);
    return out.join('\n') + '\n';
  };
  return { statements, events, eventMask, ownNetnsEventMask, pushdown, uses, plan };
}

/** The event kinds sent for sockets of the tool's network namespace, as text, when they differ from the program's events (else null). */
export function ownNetnsEvents(own: number | null, eventMask: number): string | null {
  if (own === null || (own === eventMask && eventMask !== 0)) return null; // eventMask 0 = all kinds
  return Object.entries(EVENT_NAMES).filter(([k, n]) => n === 'close' || (own & (1 << Number(k)))).map(([, n]) => n).join(', ');
}

/** Event names as a kernel mask (bit 1 << kind). */
function maskOf(names: Iterable<string>): number {
  let m = 0;
  for (const n of names) m |= 1 << EVENT_KIND.get(n)!;
  return m >>> 0;
}

/** Program.ownNetnsEventMask: the kinds the statements other than snapshot ones need (null = all). */
function ownMask(checked: readonly CheckedStatement[]): number | null {
  const others = checked.filter(c => c.mode !== 'snapshot');
  if (others.some(c => c.eventNames === null)) return null;
  return maskOf(others.flatMap(c => c.eventNames!));
}

/**
 * The variables every statement names (in any clause), and whether the owner
 * is shown: named (pid, comm) or in the identity columns of per-socket rows
 * (a statement without aggregates).
 */
function programUses(checked: readonly CheckedStatement[], events: Set<string> | null): ProgramUses {
  const vars = new Set<VarDef>();
  let owner = false;
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (Array.isArray(x)) { for (const y of x) walk(y); return; }
    const e = x as Partial<TExpr> & Record<string, unknown>;
    if (e.k === 'var') { vars.add((e as { def: VarDef }).def); return; }
    if (e.k === 'field') { const n = (e as { def: { name: string } }).def.name; if (n === 'pid' || n === 'comm') owner = true; return; }
    for (const [key, v] of Object.entries(e)) if (key !== 'ast' && key !== 'def' && key !== 'ty') walk(v);
  };
  for (const c of checked) {
    if (!c.agg) owner = true;
    walk([c.where, c.values, c.keys, c.aggs, c.rates, c.sort, c.columns]);
  }
  return { vars: [...vars], owner, events };
}

function fmtMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** event names a statement may use in `on` */
export const EVENTS: readonly string[] = Object.values(EVENT_NAMES).filter(n => n !== 'seed');

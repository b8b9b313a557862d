// Runs compiled statements over the event stream and the host's ticks.
import type { Frame, Value } from '../estats/types.js';
import type { CellValue, Emit, Column } from './rows.js';
import type { Acc } from './aggregates.js';
import type { CompiledStatement, Env, StmtMemo } from './compile.js';

interface Group { keys: Value[]; accs: Acc[] }
interface Pending { values: CellValue[]; ev: Frame['ev']; sortKey: CellValue }

/** Order for sort: numbers, then strings, then booleans; null always last. */
export function compareCells(a: CellValue, b: CellValue): number {
  const rank = (v: CellValue) => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : 3);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  if (ra === 1) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ra === 2) return Number(a) - Number(b);
  return 0;
}

function sortRows<T>(rows: T[], key: (r: T) => CellValue, desc: boolean): T[] {
  return rows.sort((x, y) => {
    const a = key(x), b = key(y);
    const an = a === null || typeof a === 'object', bn = b === null || typeof b === 'object';
    if (an || bn) return an === bn ? 0 : an ? 1 : -1; // nulls last in both directions
    const c = compareCells(a, b);
    return desc ? -c : c;
  });
}

/** State of one statement while it runs. */
export type Retain = (ev: Frame['ev']) => Frame['ev'];

export class StatementRun {
  readonly index: number;
  readonly columns: readonly Column[];
  readonly everyNs: number | null;
  private groups = new Map<unknown, Group>();
  private rows: Pending[] = [];
  private emitted = 0;
  /** input since the last batch */
  private dirty = false;
  nextDueNs: number | null = null;
  private readonly batched: boolean;
  private readonly env: Env;

  /**
   * retain: the event a held row keeps until its batch ends, copied by the
   * host out of the buffer it arrived in (src/stream/slab.ts retain) so a
   * held row does not keep that whole buffer alive; identity by default.
   */
  constructor(readonly cs: CompiledStatement, private readonly emit: Emit, private readonly retain: Retain = ev => ev) {
    const c = cs.checked;
    this.index = c.index;
    this.columns = c.columns;
    this.everyNs = c.everyMs === null ? null : c.everyMs * 1e6;
    this.batched = !c.agg && (c.everyMs !== null || c.sort !== null);
    this.env = { fr: undefined as unknown as Frame, cur: [], memo: null, ts: 0, keys: [], aggs: [] };
  }

  get mode() { return this.cs.checked.mode; }

  /** one input row */
  row(fr: Frame): void {
    const cs = this.cs;
    const c = cs.checked;
    const env = this.env;
    env.fr = fr;
    // rate/delta: this row's arguments and the socket's previous row (the
    // event time is a BigInt read: only statements that use it pay for it)
    const nr = cs.rateArgs.length;
    const ts = nr || c.mode === 'change' ? Number(fr.ev.ts_ns) : 0;
    env.ts = ts;
    let memo = nr || c.mode === 'change' ? fr.sock.memo.get(this.index) as StmtMemo | undefined : undefined;
    if (nr) {
      const cur: Array<number | null> = new Array(nr);
      for (let i = 0; i < nr; i++) { const v = cs.rateArgs[i]!(env); cur[i] = typeof v === 'number' ? v : null; }
      env.cur = cur;
      if (!memo) {
        // first row of this socket: the baseline is zero at the socket's start, if known
        const start = Number(fr.ev.start_ns);
        memo = start > 0 && start <= ts ? { prev: new Array<number | null>(nr).fill(0), prevTs: start } : { prev: new Array<number | null>(nr).fill(null), prevTs: ts };
        fr.sock.memo.set(this.index, memo);
      }
      env.memo = memo;
    } else {
      env.memo = memo ?? null;
    }
    try {
      if (cs.where && cs.where(env) !== true) return;
      this.dirty = true;
      if (c.agg) { this.accumulate(env); return; }
      const values = cs.cells.map(f => f(env));
      if (c.mode === 'change') {
        if (!memo) { memo = { prev: [], prevTs: ts }; fr.sock.memo.set(this.index, memo); }
        const last = memo.last;
        if (last && last.length === values.length && last.every((v, i) => v === values[i])) return;
        memo.last = values;
      }
      if (this.batched) {
        this.rows.push({ values, ev: this.retain(fr.ev), sortKey: this.sortKeyOf(values, env) });
        return;
      }
      if (c.limit !== null && this.emitted >= c.limit) return;
      this.emitted++;
      this.emit({ type: 'row', stmt: this.index, columns: this.columns, values, ev: fr.ev });
    } finally {
      if (nr && memo) { memo.prev = env.cur; memo.prevTs = ts; }
    }
  }

  private sortKeyOf(values: CellValue[], env: Env): CellValue {
    const s = this.cs.checked.sort;
    if (!s) return null;
    if ('col' in s) return values[s.col] ?? null;
    return this.cs.sortFn ? this.cs.sortFn(env) : null;
  }

  private accumulate(env: Env): void {
    const cs = this.cs;
    const kf = cs.keys;
    let g: Group | undefined;
    if (kf.length === 1) {
      // one primitive key (the common case) is its own id, and no array is made unless the group is new
      const k = kf[0]!(env);
      const id = typeof k !== 'object' || k === null ? k : JSON.stringify([k]);
      g = this.groups.get(id);
      if (!g) { g = { keys: [k], accs: cs.newAccs() }; this.groups.set(id, g); }
    } else {
      const keys = kf.map(k => k(env));
      // several keys go through JSON
      const id = keys.length ? JSON.stringify(keys) : '';
      g = this.groups.get(id);
      if (!g) { g = { keys, accs: cs.newAccs() }; this.groups.set(id, g); }
    }
    const accs = g.accs, args = cs.aggArgs;
    for (let i = 0; i < accs.length; i++) {
      const f = args[i];
      accs[i]!.add(f ? f(env) : true);
    }
  }

  /** emit the current batch (aggregate groups or buffered rows) and a batch end */
  flush(nowNs: bigint): void {
    const c = this.cs.checked;
    if (c.agg) {
      let groups = [...this.groups.values()];
      if (!groups.length && c.keys.length === 0) groups = [{ keys: [], accs: this.cs.newAccs() }];
      this.groups = new Map();
      const env = this.env;
      let out = groups.map(g => {
        env.keys = g.keys;
        env.aggs = g.accs.map(a => a.result());
        const values = this.cs.cells.map(f => f(env));
        const sortKey = c.sort ? ('col' in c.sort ? values[c.sort.col] ?? null : this.cs.sortFn!(env)) : null;
        return { values, sortKey };
      });
      if (c.sort) out = sortRows(out, r => r.sortKey, c.sort.desc);
      if (c.limit !== null) out = out.slice(0, c.limit);
      for (const r of out) this.emit({ type: 'agg', stmt: this.index, columns: this.columns, values: r.values, timeNs: nowNs });
    } else {
      let rows = this.rows;
      this.rows = [];
      if (c.sort) rows = sortRows(rows, r => r.sortKey, c.sort.desc);
      if (c.limit !== null) rows = rows.slice(0, c.limit);
      for (const r of rows) this.emit({ type: 'row', stmt: this.index, columns: this.columns, values: r.values, ev: r.ev });
    }
    this.dirty = false;
    this.emit({ type: 'batch-end', stmt: this.index, timeNs: nowNs });
  }

  /** at the end of input: what is still pending */
  finish(nowNs: bigint): void {
    const c = this.cs.checked;
    if (c.agg) {
      // without every: the one final batch; with every: the partial last interval, if it saw input
      if (c.everyMs === null || (this.dirty && c.mode === 'event')) this.flush(nowNs);
    } else if (this.batched && (c.everyMs === null || this.rows.length)) {
      this.flush(nowNs);
    }
  }
}

export class RuntimeCore {
  readonly runs: StatementRun[];
  readonly tickMs: number | null;
  private t0: number | null = null;
  private finished = false;

  constructor(stmts: readonly CompiledStatement[], emit: Emit, retain?: Retain) {
    this.runs = stmts.map(s => new StatementRun(s, emit, retain));
    const ev = stmts.map(s => s.checked.everyMs).filter((x): x is number => x !== null);
    this.tickMs = ev.length ? Math.min(...ev) : null;
  }

  onEvent(fr: Frame): void {
    if (this.finished) return;
    const kind = fr.ev.kind;
    for (const r of this.runs) {
      const c = r.cs.checked;
      if (c.mode === 'snapshot') continue;
      if (c.kinds !== null && !c.kinds.has(kind)) continue;
      r.row(fr);
    }
  }

  onTick(nowNs: bigint, live: () => Iterable<Frame>): void {
    if (this.finished || this.tickMs === null) return;
    const now = Number(nowNs);
    // the host's timer starts with the program: its first call comes one interval after the start
    if (this.t0 === null) this.t0 = now - this.tickMs * 1e6;
    let frames: Frame[] | null = null;
    for (const r of this.runs) {
      if (r.everyNs === null) continue;
      if (r.nextDueNs === null) r.nextDueNs = this.t0 + r.everyNs;
      const slack = Math.min(r.everyNs * 0.05, 20e6);
      if (now < r.nextDueNs - slack) continue;
      // next tick on the grid, skipping intervals the host missed
      r.nextDueNs += r.everyNs;
      if (r.nextDueNs <= now) r.nextDueNs += Math.ceil((now - r.nextDueNs + 1) / r.everyNs) * r.everyNs;
      if (r.mode === 'snapshot') {
        frames ??= [...live()];
        for (const fr of frames) r.row(fr);
      }
      r.flush(nowNs);
    }
  }

  finish(nowNs: bigint): void {
    if (this.finished) return;
    this.finished = true;
    for (const r of this.runs) r.finish(nowNs);
  }
}

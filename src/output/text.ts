// Aligned columns for a person. The header names each column with its unit,
// unless the cells carry their own (times and sizes are shown human: 61us,
// 12.3ms, 1.5MiB); it is printed again when another statement's rows
// interleave and, on a terminal, every screenful so it never scrolls away.
// Histograms are bar charts. Colour only through the Style the caller passes.
import type { Out, CellValue, Column, HistValue, StatsValue } from '../dsl/rows.js';
import { formatAddr, EVENT_NAMES } from '../estats/fields.js';
import { humanDuration, humanRate, humanSize } from '../units.js';
import { sanitize, SnapshotStamper, type Clock, type Sink, type StmtInfo, type Writer } from './sink.js';

export interface Style { header(s: string): string; dim(s: string): string; warn(s: string): string; bad(s: string): string }
export const PLAIN: Style = { header: s => s, dim: s => s, warn: s => s, bad: s => s };

function isHist(v: CellValue): v is HistValue { return typeof v === 'object' && v !== null && 'buckets' in v; }
function isStats(v: CellValue): v is StatsValue { return typeof v === 'object' && v !== null && 'count' in v && 'avg' in v; }

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3).replace(/\.?0+$/, '') : String(Number(v.toPrecision(4)));
}

const HUMAN_UNITS = new Set(['ms', 'us', 's', 'octets', 'timestamp']);

/** One number in its column's unit, the way a person reads it. */
export function fmtValue(v: number, unit: string | undefined): string {
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case 'ms': case 'us': case 's': return humanDuration(v, unit);
    case 'octets': return humanSize(v);
    case 'timestamp': return new Date(v / 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    default: return fmtNum(v);
  }
}

export function fmtCell(v: CellValue, unit?: string): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return fmtValue(v, unit);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return sanitize(v);
  if (isStats(v)) {
    const f = (x: number | null) => (x === null ? '-' : fmtValue(x, unit));
    return `n=${v.count} avg=${f(v.avg)} min=${f(v.min)} max=${f(v.max)}`;
  }
  return '(hist)';
}

/** a per-second column (rate(), size/time): Column.perSec when the language marks it */
function perSec(c: Column): boolean { return c.perSec === true; }

/** header of a column: the unit in brackets when the cells do not carry it */
export function colTitle(c: Column): string {
  if (perSec(c)) return c.unit === 'octets' ? c.name : `${c.name}(${c.unit ?? ''}/s)`;
  return c.unit && !HUMAN_UNITS.has(c.unit) && c.unit !== 'count' && c.unit !== 'enum' && c.unit !== 'seq' ? `${c.name}(${c.unit})` : c.name;
}

/** bpftrace-style histogram: [lo, hi)  count |@@@@@   | */
export function renderHist(h: HistValue, width = 40, unit?: string): string {
  const max = Math.max(1, ...h.buckets.map(b => b.count));
  const label = (b: { lo: number | null; hi: number | null }) => `[${b.lo === null ? '-inf' : fmtValue(b.lo, unit)}, ${b.hi === null ? 'inf' : fmtValue(b.hi, unit)})`;
  const lw = Math.max(0, ...h.buckets.map(b => label(b).length));
  const cw = Math.max(1, ...h.buckets.map(b => String(b.count).length));
  if (!h.buckets.length) return '(no samples)';
  return h.buckets.map(b => `${label(b).padEnd(lw)} ${String(b.count).padStart(cw)} |${'@'.repeat(Math.round((b.count / max) * width)).padEnd(width)}|`).join('\n');
}

/** HH:MM:SS.mmm local time */
export function clockTime(wallMs: number): string {
  const d = new Date(wallMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export interface TextOptions {
  style?: Style;
  stmts?: readonly StmtInfo[];
  /** terminal height: the header is repeated every screenful; undefined off a terminal */
  termRows?: () => number | undefined;
}

interface Layout { titles: string[]; right: boolean[]; widths: number[]; ctx: string[] }

export class TextSink implements Sink {
  private lastHeaderStmt = -1;
  private sinceHeader = 0;
  private layouts = new Map<number, Layout>();
  private lines: string[] = [];
  private readonly style: Style;
  private readonly stmts: readonly StmtInfo[];
  private readonly stamper: SnapshotStamper;

  constructor(private readonly out: Writer, private readonly err: Writer, private readonly clock: Clock, opts: TextOptions | Style = {}) {
    const o: TextOptions = 'header' in opts ? { style: opts } : opts;
    this.style = o.style ?? PLAIN;
    this.stmts = o.stmts ?? [];
    this.termRows = o.termRows ?? (() => undefined);
    this.stamper = new SnapshotStamper(this.stmts);
  }
  private readonly termRows: () => number | undefined;

  private layoutOf(o: Exclude<Out, { type: 'batch-end' }>): Layout {
    let l = this.layouts.get(o.stmt);
    if (l) return l;
    const printed = new Set(o.columns.map(c => c.name.toLowerCase()));
    const ctx: string[] = [];
    const info = this.stmts[o.stmt];
    if (o.type === 'row') {
      ctx.push('TIME');
      if (info?.mode !== 'snapshot' && !printed.has('event')) ctx.push('EVENT');
      if (!printed.has('comm')) ctx.push('COMM');
      if (!printed.has('pid')) ctx.push('PID');
      if (!printed.has('conn')) ctx.push('CONN');
    } else if (info?.everyMs != null) {
      ctx.push('TIME');
    }
    const cols = o.columns.filter((_c, i) => !isHist(o.values[i]!) && o.columns[i]!.kind !== 'hist');
    const titles = [...ctx, ...cols.map(colTitle)];
    const right = [...ctx.map(t => t === 'PID'), ...cols.map(c => c.kind === 'number')];
    l = { titles, right, ctx, widths: titles.map(t => Math.max(t.length, 4)) };
    this.layouts.set(o.stmt, l);
    return l;
  }

  /** the cells of one output line (context first), and its histograms */
  private cellsOf(r: Exclude<Out, { type: 'batch-end' }>, l: Layout, timeNs: bigint): { cells: string[]; hists: Array<[Column, HistValue]> } {
    const wallMs = Number((timeNs + this.clock.bootOffsetNs) / 1000000n);
    const cells: string[] = [];
    if (r.type === 'row') {
      const ev = r.ev;
      for (const t of l.ctx) {
        if (t === 'TIME') cells.push(clockTime(wallMs));
        else if (t === 'EVENT') cells.push(EVENT_NAMES[ev.kind] ?? String(ev.kind));
        else if (t === 'COMM') cells.push(sanitize(ev.owner_comm) || '-');
        else if (t === 'PID') cells.push(ev.owner_pid ? String(ev.owner_pid) : '-');
        else {
          const b = (a: string) => (ev.family === 6 ? `[${a}]` : a);
          cells.push(`${b(formatAddr(ev.saddr, ev.family))}:${ev.sport}>${b(formatAddr(ev.daddr, ev.family))}:${ev.dport}`);
        }
      }
    } else if (l.ctx.length) {
      cells.push(clockTime(wallMs));
    }
    const hists: Array<[Column, HistValue]> = [];
    r.columns.forEach((c, i) => {
      const v = r.values[i]!;
      if (isHist(v) || c.kind === 'hist') { if (isHist(v)) hists.push([c, v]); return; }
      cells.push(perSec(c) && typeof v === 'number' && c.unit === 'octets' ? humanRate(v) : fmtCell(v, perSec(c) ? undefined : c.unit));
    });
    return { cells, hists };
  }

  write(o: Out): void {
    const st = this.style;
    // a whole batch (a tick's rows) is measured before it is printed, so it lines up
    const group = this.stamper.take(o).map(({ o: r, timeNs }) => {
      const l = this.layoutOf(r);
      const { cells, hists } = this.cellsOf(r, l, timeNs);
      for (let i = 0; i < cells.length && i < l.widths.length; i++) l.widths[i] = Math.max(l.widths[i]!, cells[i]!.length);
      return { r, l, cells, hists };
    });
    for (const { r, l, cells, hists } of group) {
      const w = l.widths;
      const rows = this.termRows();
      const screenful = rows !== undefined && rows > 3 && this.sinceHeader >= rows - 2; // header + rows + the cursor line
      if (cells.length && (this.lastHeaderStmt !== r.stmt || screenful)) {
        this.lines.push(st.header(l.titles.map((t, i) => (l.right[i] ? t.padStart(w[i]!) : t.padEnd(w[i]!))).join('  ').trimEnd()));
        this.lastHeaderStmt = r.stmt;
        this.sinceHeader = 0;
      }
      if (cells.length) {
        const nctx = l.ctx.length;
        const last = cells.length - 1;
        this.lines.push(cells.map((s, i) => {
          const padded = l.right[i] ? s.padStart(w[i]!) : i === last ? s : s.padEnd(w[i]!);
          return i < nctx || s === '-' ? st.dim(padded) : padded;
        }).join('  '));
        this.sinceHeader++;
      }
      for (const [c, h] of hists) {
        const text = `${c.name}:\n${renderHist(h, 40, c.unit)}`;
        this.lines.push(text);
        this.sinceHeader += text.split('\n').length;
        this.lastHeaderStmt = -1;
      }
    }
    if (o.type === 'batch-end' || this.lines.length >= 64) this.flush();
  }

  notice(level: string, message: string): void {
    this.err.write(`tcp-estats: ${level === 'info' ? '' : level + ': '}${message}\n`);
  }

  flush(): void {
    if (this.lines.length) this.out.write(this.lines.join('\n') + '\n');
    this.lines = [];
  }
}

// Aligned columns with a header (repeated when another statement's rows
// interleave), histograms as bar charts, colour only when asked.
import type { Out, CellValue, Column, HistValue, StatsValue } from '../dsl/rows.js';
import { formatAddr, EVENT_NAMES } from '../estats/fields.js';
import { rfc3339, sanitize, type Clock, type Sink, type Writer } from './sink.js';

export interface Style { header(s: string): string; dim(s: string): string; warn(s: string): string }
export const PLAIN: Style = { header: s => s, dim: s => s, warn: s => s };

function isHist(v: CellValue): v is HistValue { return typeof v === 'object' && v !== null && 'buckets' in v; }
function isStats(v: CellValue): v is StatsValue { return typeof v === 'object' && v !== null && 'count' in v && 'avg' in v; }

export function fmtNum(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(3).replace(/\.?0+$/, '') : String(Number(v.toPrecision(4)));
}

export function fmtCell(v: CellValue): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return sanitize(v);
  if (isStats(v)) return `count ${v.count} avg ${v.avg === null ? '-' : fmtNum(v.avg)} min ${v.min === null ? '-' : fmtNum(v.min)} max ${v.max === null ? '-' : fmtNum(v.max)}`;
  return '(hist)';
}

function colTitle(c: Column): string { return c.unit && c.unit !== 'count' && c.unit !== 'enum' ? `${c.name}(${c.unit})` : c.name; }

/** bpftrace-style histogram: [lo, hi)  count |@@@@@   | */
export function renderHist(h: HistValue, width = 40): string {
  const max = Math.max(1, ...h.buckets.map(b => b.count));
  const label = (b: { lo: number | null; hi: number | null }) => `[${b.lo === null ? '-inf' : fmtNum(b.lo)}, ${b.hi === null ? 'inf' : fmtNum(b.hi)})`;
  const lw = Math.max(0, ...h.buckets.map(b => label(b).length));
  const cw = Math.max(1, ...h.buckets.map(b => String(b.count).length));
  return h.buckets.map(b => `${label(b).padEnd(lw)} ${String(b.count).padStart(cw)} |${'@'.repeat(Math.round((b.count / max) * width)).padEnd(width)}|`).join('\n');
}

export class TextSink implements Sink {
  private lastHeaderStmt = -1;
  private widths = new Map<number, number[]>();
  private lines: string[] = [];

  constructor(private readonly out: Writer, private readonly err: Writer, private readonly clock: Clock, private readonly style: Style = PLAIN) {}

  write(o: Out): void {
    if (o.type === 'batch-end') { this.flush(); return; }
    const ctx: string[] = [];
    const ctxTitles: string[] = [];
    if (o.type === 'row') {
      const ev = o.ev;
      ctxTitles.push('TIME', 'EVENT', 'COMM', 'PID', 'CONN');
      const l = formatAddr(ev.saddr, ev.family), r = formatAddr(ev.daddr, ev.family);
      const b = (a: string) => (ev.family === 6 ? `[${a}]` : a);
      ctx.push(rfc3339(ev.ts_ns, this.clock).slice(11, 23), EVENT_NAMES[ev.kind] ?? String(ev.kind), sanitize(ev.owner_comm) || '-', String(ev.owner_pid || '-'), `${b(l)}:${ev.sport}>${b(r)}:${ev.dport}`);
    }
    const hists: Array<[string, HistValue]> = [];
    const cells: string[] = [];
    const titles: string[] = [];
    o.columns.forEach((c, i) => {
      const v = o.values[i]!;
      if (isHist(v)) { hists.push([c.name, v]); return; }
      titles.push(colTitle(c));
      cells.push(fmtCell(v));
    });
    const allTitles = [...ctxTitles, ...titles];
    const all = [...ctx, ...cells];
    let w = this.widths.get(o.stmt);
    if (!w || w.length !== all.length) { w = allTitles.map(t => Math.max(t.length, 4)); this.widths.set(o.stmt, w); this.lastHeaderStmt = -1; }
    for (let i = 0; i < all.length; i++) w[i] = Math.max(w[i]!, all[i]!.length);
    if (allTitles.length && this.lastHeaderStmt !== o.stmt) {
      this.lines.push(this.style.header(allTitles.map((t, i) => t.padEnd(w![i]!)).join('  ').trimEnd()));
      this.lastHeaderStmt = o.stmt;
    }
    if (all.length) this.lines.push(all.map((s, i) => (i < ctx.length || isNaN(Number(s)) ? s.padEnd(w![i]!) : s.padStart(w![i]!))).join('  ').trimEnd());
    for (const [name, h] of hists) { this.lines.push(`${name}:`, renderHist(h)); this.lastHeaderStmt = -1; }
    if (this.lines.length >= 64) this.flush();
  }

  notice(level: string, message: string): void {
    this.err.write(`tcp-estats: ${level === 'info' ? '' : level + ': '}${message}\n`);
  }

  flush(): void {
    if (this.lines.length) this.out.write(this.lines.join('\n') + '\n');
    this.lines = [];
  }
}

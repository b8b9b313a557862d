// The no-argument view: a full screen, redrawn after every tick's batch, one
// line per connection, fitted to the terminal (like top). It renders the
// rows of the built-in program (TOP_PROGRAM) and nothing else. The terminal
// is put back by leave(), which is idempotent and safe from an 'exit' hook.
import type { Out, OutRow, CellValue } from '../dsl/rows.js';
import { humanDuration, humanRate, humanSize } from '../units.js';
import { sanitize, type Clock, type Sink, type Writer } from './sink.js';
import { clockTime, fmtNum } from './text.js';

/** The built-in program behind the no-argument view (JSON/CSV/text when not on a terminal). */
export function topProgram(intervalMs: number): string {
  const every = intervalMs % 60000 === 0 ? `${intervalMs / 60000}m` : intervalMs % 1000 === 0 ? `${intervalMs / 1000}s` : `${intervalMs}ms`;
  return `every ${every} where state != LISTEN print conn, state, comm, pid, SmoothedRTT, CurCwnd, ` +
    `rate(HCThruOctetsAcked) as throughput, SegsRetrans, SndLimPctSender, SndLimPctRwin, SndLimPctCwnd sort throughput desc`;
}

export interface TopStyle { title(s: string): string; header(s: string): string; dim(s: string): string; warn(s: string): string; bad(s: string): string }
export const TOP_PLAIN: TopStyle = { title: s => s, header: s => s, dim: s => s, warn: s => s, bad: s => s };

export interface Screen extends Writer {
  columns(): number;
  rows(): number;
}

type Row = Record<string, CellValue>;
interface Col { title: string; right: boolean; cell(r: Row): string; max?: number; paint?: (text: string, r: Row) => string }

const num = (v: CellValue): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** what limits the sender most: "cwnd 87%", "rwin 40%", "sender 99%" */
export function limitOf(r: Row): { what: string; pct: number } | null {
  const c: Array<[string, number | null]> = [['sender', num(r.SndLimPctSender ?? null)], ['rwin', num(r.SndLimPctRwin ?? null)], ['cwnd', num(r.SndLimPctCwnd ?? null)]];
  let best: [string, number] | null = null;
  for (const [k, v] of c) if (v !== null && (best === null || v > best[1])) best = [k, v];
  return best ? { what: best[0], pct: best[1] } : null;
}

/** cut a string to n columns, keeping both ends: 10.0.0.1:443>10.…:5 */
export function fit(s: string, n: number): string {
  if (s.length <= n) return s;
  if (n <= 1) return s.slice(0, n);
  const head = Math.ceil((n - 1) / 2), tail = n - 1 - head;
  return `${s.slice(0, head)}…${tail ? s.slice(s.length - tail) : ''}`;
}

export class TopSink implements Sink {
  private batch: OutRow[] = [];
  private last: { rows: OutRow[]; timeNs: bigint } | null = null;
  private active = false;
  private status = '';
  /** notices shown on the status line; printed on stderr again after the screen is left */
  readonly notices: string[] = [];
  private readonly cols: Record<string, Col>;

  constructor(private readonly screen: Screen, private readonly clock: Clock, private readonly opts: { style?: TopStyle; intervalMs: number; filter?: string; keys?: boolean }) {
    const st = opts.style ?? TOP_PLAIN;
    this.cols = {
      conn: { title: 'CONNECTION', right: false, cell: r => sanitize(String(r.conn ?? '-')) },
      state: { title: 'STATE', right: false, cell: r => String(r.state ?? '-'), paint: (t, r) => (r.state === 'ESTABLISHED' ? t : st.dim(t)) },
      comm: { title: 'COMM', right: false, max: 16, cell: r => (r.comm ? sanitize(String(r.comm)) : '-') },
      pid: { title: 'PID', right: true, cell: r => (r.pid ? String(r.pid) : '-') },
      srtt: { title: 'SRTT', right: true, cell: r => (num(r.SmoothedRTT ?? null) === null ? '-' : humanDuration(r.SmoothedRTT as number, 'ms')) },
      cwnd: { title: 'CWND', right: true, cell: r => (num(r.CurCwnd ?? null) === null ? '-' : humanSize(r.CurCwnd as number)) },
      thru: { title: 'THROUGHPUT', right: true, cell: r => (num(r.throughput ?? null) === null ? '-' : humanRate(r.throughput as number)) },
      retx: { title: 'RETRANS', right: true, cell: r => (num(r.SegsRetrans ?? null) === null ? '-' : fmtNum(r.SegsRetrans as number)), paint: (t, r) => ((num(r.SegsRetrans ?? null) ?? 0) > 0 ? st.bad(t) : t) },
      limit: {
        title: 'LIMITED BY', right: false,
        cell: r => { const l = limitOf(r); return l ? `${l.what} ${Math.round(l.pct)}%` : '-'; },
        paint: (t, r) => { const l = limitOf(r); return l && l.what !== 'sender' && l.pct >= 50 ? st.warn(t) : t; },
      },
    };
  }

  /** enter the alternate screen, hide the cursor, draw the waiting screen */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.screen.write('\u001b[?1049h\u001b[?25l\u001b[H\u001b[2J');
    this.draw();
  }

  /** put the terminal back (idempotent) */
  leave(): void {
    if (!this.active) return;
    this.active = false;
    this.screen.write('\u001b[?25h\u001b[?1049l');
  }

  get isActive(): boolean { return this.active; }

  write(o: Out): void {
    if (o.type === 'row') { this.batch.push(o); return; }
    if (o.type === 'batch-end') {
      this.last = { rows: this.batch, timeNs: o.timeNs };
      this.batch = [];
      this.draw();
    }
  }

  notice(level: string, message: string): void {
    const line = `tcp-estats: ${level === 'info' ? '' : level + ': '}${message}`;
    this.notices.push(line);
    if (this.notices.length > 100) this.notices.shift();
    this.status = line;
    this.draw();
  }

  flush(): void { /* the screen is drawn per batch */ }

  /** the current screen as lines of at most w columns (escapes only from the style), at most h lines */
  lines(w: number, h: number, style: TopStyle = TOP_PLAIN): string[] {
    const st = style;
    const out: string[] = [];
    const when = this.last ? clockTime(Number((this.last.timeNs + this.clock.bootOffsetNs) / 1000000n)).slice(0, 8) : '--:--:--';
    const n = this.last ? this.last.rows.length : 0;
    const every = humanDuration(this.opts.intervalMs, 'ms');
    // title parts by importance; shown in this order, as many as fit
    const parts: Array<[number, string]> = [
      [0, 'tcp-estats'], [1, when], [2, this.last ? `${n} connection${n === 1 ? '' : 's'}` : 'waiting for the first sample'],
      ...(this.opts.filter ? [[4, `[${this.opts.filter}]`] as [number, string]] : []),
      [5, `sorted by throughput, every ${every}`], [3, `(${this.opts.keys === false ? 'Ctrl-C' : 'q'} quits)`],
    ];
    let shownParts = parts;
    for (let drop = 5; drop > 0 && shownParts.map(p => p[1]).join('  ').length > w; drop--) shownParts = shownParts.filter(p => p[0] !== drop);
    out.push(st.title(fit(shownParts.map(p => p[1]).join('  '), w).padEnd(w)));
    out.push(this.status ? st.warn(fit(this.status, w)) : '');
    const rows = (this.last?.rows ?? []).map(r => {
      const o: Row = {};
      r.columns.forEach((c, i) => { o[c.name] = r.values[i]!; });
      return o;
    });
    // widths from this screen's content; drop the least important columns
    // until the line fits with an IPv4 4-tuple in full, then cut CONNECTION
    let keys = ['conn', 'state', 'comm', 'pid', 'srtt', 'cwnd', 'thru', 'retx', 'limit'];
    const avail = Math.max(0, h - 3);
    const shown = rows.length > avail ? rows.slice(0, Math.max(0, avail - 1)) : rows;
    const cells = (k: string) => shown.map(r => this.cols[k]!.cell(r));
    const width = (k: string) => { const c = this.cols[k]!; return Math.min(c.max ?? 1e9, Math.max(c.title.length, ...cells(k).map(s => s.length))); };
    const W: Record<string, number> = {};
    for (const k of keys) W[k] = width(k);
    const total = (ks: string[], connW: number) => ks.reduce((a, k) => a + (k === 'conn' ? connW : W[k]!), 0) + 2 * (ks.length - 1);
    const connWanted = Math.min(W.conn!, 47); // 255.255.255.255:65535>255.255.255.255:65535
    for (const drop of ['pid', 'comm', 'cwnd', 'state', 'retx', 'limit', 'srtt']) {
      if (total(keys, connWanted) <= w) break;
      keys = keys.filter(k => k !== drop);
    }
    W.conn = Math.max(4, Math.min(W.conn!, w - total(keys.filter(k => k !== 'conn'), 0) - 2));
    const line = (texts: string[]) => texts.join('  ');
    const pad = (k: string, t: string) => { const c = this.cols[k]!; const f = fit(t, W[k]!); return c.right ? f.padStart(W[k]!) : f.padEnd(W[k]!); };
    out.push(st.header(fit(line(keys.map(k => pad(k, this.cols[k]!.title))), w).padEnd(w)));
    for (const r of shown) {
      out.push(keys.map(k => { const c = this.cols[k]!; const t = pad(k, c.cell(r)); return c.paint ? c.paint(t, r) : t; }).join('  '));
    }
    if (shown.length < rows.length) out.push(st.dim(fit(`… ${rows.length - shown.length} more (a taller terminal shows more; -f json prints them all)`, w)));
    if (!rows.length && this.last) out.push(st.dim('no connections'));
    return out.slice(0, Math.max(1, h));
  }

  /** redraw the whole screen from the last batch (also on terminal resize) */
  draw(): void {
    if (!this.active) return;
    const w = Math.max(20, this.screen.columns()), h = Math.max(3, this.screen.rows());
    const text = this.lines(w, h, this.opts.style ?? TOP_PLAIN);
    // each line is cleared before it is written (not after: a line of exactly w
    // columns leaves the cursor on its last column, where an erase would eat it)
    let s = '\u001b[H';
    text.forEach((l, i) => { s += `${i ? '\r\n' : ''}\u001b[2K${l}`; });
    if (text.length < h) s += '\r\n\u001b[J';
    this.screen.write(s);
  }
}

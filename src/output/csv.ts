// CSV: the same fields as JSON (docs/JSON-SCHEMA.md), one header line per
// statement before its first line, RFC 4180 quoting, LF line ends.
import type { Out, CellValue } from '../dsl/rows.js';
import { formatAddr, EVENT_NAMES } from '../estats/fields.js';
import { columnKey, jsonLine, monoSeconds, rfc3339, sanitize, SnapshotStamper, type Clock, type Sink, type StmtInfo, type Writer } from './sink.js';

/** RFC 4180: a field with a comma, a double quote or a line break is quoted, quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvCell(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return csvField(sanitize(v));
  // hist / stats: their JSON form, in one quoted field
  return csvField(jsonLine('buckets' in v ? { kind: v.kind, buckets: v.buckets } : v));
}

const ROW_FIELDS = ['event', 'laddr', 'lport', 'raddr', 'rport', 'pid', 'comm', 'cookie'];

export class CsvSink implements Sink {
  private lines: string[] = [];
  private readonly stamper: SnapshotStamper;
  private readonly multi: boolean;
  private headed = new Set<number>();
  private envKeep = new Map<number, boolean[]>();

  constructor(private readonly out: Writer, private readonly err: Writer, private readonly clock: Clock, stmts: readonly StmtInfo[] = []) {
    this.stamper = new SnapshotStamper(stmts);
    this.multi = stmts.length > 1;
  }

  write(o: Out): void {
    for (const { o: r, timeNs, tick } of this.stamper.take(o)) {
      if (!this.headed.has(r.stmt)) {
        this.headed.add(r.stmt);
        const keys = r.columns.map(c => columnKey(c.name));
        // an envelope field the statement prints itself (comm, pid, …) appears once, as the column
        const env = r.type === 'row' ? ROW_FIELDS.map(f => !keys.includes(f)) : [];
        this.envKeep.set(r.stmt, env);
        const head = [...(this.multi ? ['stmt'] : []), 'type', 'time', 'mono', ...ROW_FIELDS.filter((_f, i) => env[i]), ...keys];
        this.lines.push(head.map(csvField).join(','));
      }
      const f: string[] = [];
      if (this.multi) f.push(String(r.stmt + 1));
      f.push(r.type, rfc3339(timeNs, this.clock), String(monoSeconds(timeNs)));
      if (r.type === 'row') {
        const ev = r.ev;
        const keep = this.envKeep.get(r.stmt)!;
        const env = [tick ? 'tick' : EVENT_NAMES[ev.kind] ?? String(ev.kind), formatAddr(ev.saddr, ev.family), String(ev.sport),
          formatAddr(ev.daddr, ev.family), String(ev.dport), String(ev.owner_pid), csvField(sanitize(ev.owner_comm)), ev.cookie.toString()];
        for (let i = 0; i < env.length; i++) if (keep[i]) f.push(env[i]!);
      }
      for (const v of r.values) f.push(csvCell(v));
      this.lines.push(f.join(','));
    }
    if (this.lines.length >= 256) this.flush();
  }

  notice(level: string, message: string): void {
    this.err.write(`tcp-estats: ${level === 'info' ? '' : level + ': '}${message}\n`);
  }

  flush(): void {
    if (this.lines.length) this.out.write(this.lines.join('\n') + '\n');
    this.lines = [];
  }
}

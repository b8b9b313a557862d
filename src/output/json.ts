// NDJSON, schema 1 (docs/JSON-SCHEMA.md): one flat object per line, every
// line with a `type` ("row" or "agg"); hist/lhist values are bucket arrays
// inside their agg line.
import type { Out, CellValue } from '../dsl/rows.js';
import { formatAddr, EVENT_NAMES } from '../estats/fields.js';
import { columnKey, jsonLine, monoSeconds, rfc3339, SnapshotStamper, type Clock, type Sink, type StmtInfo, type Writer } from './sink.js';

export const JSON_SCHEMA_VERSION = 1;

function cell(v: CellValue): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  if ('buckets' in v) return { kind: v.kind, buckets: v.buckets.map(b => ({ lo: b.lo, hi: b.hi, count: b.count })) };
  return { count: v.count, avg: v.avg, min: v.min, max: v.max };
}

export class JsonSink implements Sink {
  private buf: string[] = [];
  private readonly stamper: SnapshotStamper;
  private readonly multi: boolean;
  private keys = new Map<number, string[]>();

  constructor(private readonly out: Writer, private readonly err: Writer, private readonly clock: Clock, stmts: readonly StmtInfo[] = []) {
    this.stamper = new SnapshotStamper(stmts);
    this.multi = stmts.length > 1;
  }

  write(o: Out): void {
    for (const { o: r, timeNs, tick } of this.stamper.take(o)) {
      const rec: Record<string, unknown> = { type: r.type };
      if (this.multi) rec.stmt = r.stmt + 1;
      rec.time = rfc3339(timeNs, this.clock);
      rec.mono = monoSeconds(timeNs);
      if (r.type === 'row') {
        const ev = r.ev;
        rec.event = tick ? 'tick' : EVENT_NAMES[ev.kind] ?? String(ev.kind);
        rec.laddr = formatAddr(ev.saddr, ev.family);
        rec.lport = ev.sport;
        rec.raddr = formatAddr(ev.daddr, ev.family);
        rec.rport = ev.dport;
        rec.pid = ev.owner_pid;
        rec.comm = ev.owner_comm;
        rec.cookie = ev.cookie.toString();
      }
      let keys = this.keys.get(r.stmt);
      if (!keys) this.keys.set(r.stmt, (keys = r.columns.map(c => columnKey(c.name))));
      for (let i = 0; i < keys.length; i++) rec[keys[i]!] = cell(r.values[i]!);
      this.buf.push(jsonLine(rec));
    }
    if (this.buf.length >= 256) this.flush();
  }

  notice(level: string, message: string, extra?: Record<string, unknown>): void {
    this.err.write(jsonLine({ type: level, message, ...extra }) + '\n');
  }

  flush(): void {
    if (this.buf.length) this.out.write(this.buf.join('\n') + '\n');
    this.buf = [];
  }
}

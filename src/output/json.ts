// NDJSON: one flat object per line, every line with a `type`.
import type { Out, CellValue } from '../dsl/rows.js';
import { formatAddr, EVENT_NAMES } from '../estats/fields.js';
import { rfc3339, type Clock, type Sink, type Writer } from './sink.js';

function cell(v: CellValue): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? null : v;
  return v; // hist / stats objects serialise as they are
}

export class JsonSink implements Sink {
  private buf: string[] = [];
  constructor(private readonly out: Writer, private readonly err: Writer, private readonly clock: Clock) {}

  write(o: Out): void {
    if (o.type === 'batch-end') return;
    const rec: Record<string, unknown> = { type: o.type };
    if (o.type === 'row') {
      const ev = o.ev;
      rec.time = rfc3339(ev.ts_ns, this.clock);
      rec.mono = Number(ev.ts_ns) / 1e9;
      rec.event = EVENT_NAMES[ev.kind] ?? String(ev.kind);
      rec.laddr = formatAddr(ev.saddr, ev.family);
      rec.lport = ev.sport;
      rec.raddr = formatAddr(ev.daddr, ev.family);
      rec.rport = ev.dport;
      rec.pid = ev.owner_pid;
      rec.comm = ev.owner_comm;
    } else {
      rec.time = rfc3339(o.timeNs, this.clock);
      rec.mono = Number(o.timeNs) / 1e9;
    }
    if (o.stmt > 0) rec.stmt = o.stmt;
    for (let i = 0; i < o.columns.length; i++) rec[o.columns[i]!.name] = cell(o.values[i]!);
    this.buf.push(JSON.stringify(rec));
    if (this.buf.length >= 256) this.flush();
  }

  notice(level: string, message: string, extra?: Record<string, unknown>): void {
    this.err.write(JSON.stringify({ type: level, message, ...extra }) + '\n');
  }

  flush(): void {
    if (this.buf.length) this.out.write(this.buf.join('\n') + '\n');
    this.buf = [];
  }
}

// Record/replay of the raw event stream (format: docs/RECORD-FORMAT.md).
//
//   header: "TCPESTRC" | u32 version | u32 header length | 16 bytes layout hash (ASCII hex)
//           | u32 event size | i64 wall-clock minus CLOCK_MONOTONIC, ns | u32 JSON length | JSON metadata
//   then records: u8 type | u8 0 | u16 0 | u32 payload length | payload
//     type 1 event  payload = struct estats_event bytes
//     type 2 lost   payload = u64 total events lost so far (kernel counter)
//     type 3 tick   payload = u64 CLOCK_MONOTONIC ns of a live timer tick
import { openSync, writeSync, closeSync, readSync, fstatSync } from 'node:fs';
import { LAYOUT_HASH, EVENT_SIZE, FIELDS } from './layout.generated.js';
import { EventView } from './decode.js';
import { Slab } from './slab.js';

export const MAGIC = 'TCPESTRC';
export const FORMAT_VERSION = 1;
export const REC_EVENT = 1, REC_LOST = 2, REC_TICK = 3;

export class RecordFormatError extends Error {}

export interface RecordMeta {
  tool: string;
  /** the event layout of the recording: [name, C type, count, offset] per field (added by the Recorder) */
  layout?: ReadonlyArray<readonly [string, string, number, number]>;
  kernel?: string;
  host?: string;
  program?: string;
  started?: string;
}

export class Recorder {
  private fd: number;
  private buf = Buffer.alloc(1 << 20);
  private used = 0;

  constructor(path: string, bootOffsetNs: bigint, meta: RecordMeta) {
    this.fd = openSync(path, 'w');
    const json = Buffer.from(JSON.stringify({ ...meta, layout: FIELDS }), 'utf8');
    const h = Buffer.alloc(8 + 4 + 4 + 16 + 4 + 8 + 4);
    h.write(MAGIC, 0, 'latin1');
    h.writeUInt32LE(FORMAT_VERSION, 8);
    h.writeUInt32LE(h.length + json.length, 12);
    h.write(LAYOUT_HASH, 16, 'latin1');
    h.writeUInt32LE(EVENT_SIZE, 32);
    h.writeBigInt64LE(bootOffsetNs, 36);
    h.writeUInt32LE(json.length, 44);
    writeSync(this.fd, Buffer.concat([h, json]));
  }

  private put(type: number, payload: Uint8Array): void {
    if (this.used + 8 + payload.length > this.buf.length) this.flush();
    const b = this.buf;
    b[this.used] = type; b[this.used + 1] = 0; b.writeUInt16LE(0, this.used + 2);
    b.writeUInt32LE(payload.length, this.used + 4);
    b.set(payload, this.used + 8);
    this.used += 8 + payload.length;
  }

  event(bytes: Uint8Array): void { this.put(REC_EVENT, bytes); }
  lost(total: bigint): void { const p = Buffer.alloc(8); p.writeBigUInt64LE(total); this.put(REC_LOST, p); }
  tick(nowNs: bigint): void { const p = Buffer.alloc(8); p.writeBigUInt64LE(nowNs); this.put(REC_TICK, p); }

  flush(): void {
    if (this.used) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}

export type ReplayItem =
  | { type: 'event'; ev: EventView }
  | { type: 'lost'; total: bigint }
  | { type: 'tick'; nowNs: bigint };

/**
 * What replay() feeds. Events are views INTO the reader's buffer, valid until
 * release(u8) is called with that buffer: then the buffer is about to be
 * overwritten, and whatever still holds a view into it must copy it out
 * first (src/run.ts moves the table's events into per-socket homes).
 */
export interface ReplayHandler {
  event(ev: EventView): void;
  tick(nowNs: bigint): void;
  lost(total: bigint): void;
  release(u8: Uint8Array): void;
}

export interface Recording {
  meta: RecordMeta;
  /** number of live timer ticks recorded */
  ticks: number;
  /** every record in order (streamed; events are copies the caller may keep) */
  each(fn: (it: ReplayItem) => void): void;
  /** every record in order, events viewed in place (the fast way: see ReplayHandler); chunkBytes: the read buffer (tests use small ones) */
  replay(h: ReplayHandler, chunkBytes?: number): void;
  bootOffsetNs: bigint;
  items(): Generator<ReplayItem>;
}

const CHUNK = 8 << 20;
/**
 * Bytes per read(): reads of 64-128 KiB into a buffer that stays in the CPU
 * cache cost the kernel's copy 25-40 % less than 8 MiB reads (measured
 * reading a 2.3 GB recording from the page cache), and the records are
 * parsed while still in the cache.
 */
const READ = 128 << 10;

/**
 * Calls fn for every record of a recording body, read in chunks (files can be
 * many GB): (type, chunk, offset of the payload in chunk, payload length,
 * file offset of the record). No allocation per record; the chunk is reused.
 */
function scan(fd: number, start: number, size: number, fn: (type: number, buf: Buffer, off: number, len: number, at: number) => void): void {
  let buf = Buffer.alloc(CHUNK);
  let bufStart = start, bufLen = 0, pos = 0; // pos: offset in buf of the next record
  const need = (n: number): boolean => {
    if (pos + n <= bufLen) return true;
    const tail = bufLen - pos;
    if (n > buf.length) { const nb = Buffer.alloc(n + CHUNK); buf.copy(nb, 0, pos, bufLen); buf = nb; } else buf.copy(buf, 0, pos, bufLen);
    bufStart += pos; bufLen = tail; pos = 0;
    while (bufLen < n) {
      const r = readSync(fd, buf, bufLen, buf.length - bufLen, bufStart + bufLen);
      if (r === 0) return false;
      bufLen += r;
    }
    return true;
  };
  while (bufStart + pos < size) {
    const at = bufStart + pos;
    if (!need(8)) throw new RecordFormatError(`truncated record header at byte ${at}`);
    const type = buf[pos]!, len = buf.readUInt32LE(pos + 4);
    if (len > 1 << 20) throw new RecordFormatError(`corrupt record at byte ${at} (length ${len})`);
    if (!need(8 + len)) throw new RecordFormatError(`truncated record at byte ${at}`);
    fn(type, buf, pos + 8, len, at);
    pos += 8 + len;
  }
}

/**
 * The check of every record of a recording body (what scan() would find, in
 * the same order, with the same messages), in one loop over the record
 * headers, read READ bytes at a time. Returns the number of ticks.
 */
function validate(fd: number, start: number, size: number, evSize: number): number {
  const buf = Buffer.allocUnsafeSlow(READ);
  let n = 0, ticks = 0;
  let at = start; // file offset of the next record
  let bufAt = start, bufLen = 0; // buf holds the file's bytes [bufAt, bufAt + bufLen)
  while (at < size) {
    let p = at - bufAt;
    if (p < 0 || p + 8 > bufLen) {
      // the header is not (entirely) in buf: read from it on
      bufAt = at; p = 0;
      bufLen = 0;
      while (bufLen < 8) {
        const r = readSync(fd, buf, bufLen, READ - bufLen, bufAt + bufLen);
        if (r === 0) throw new RecordFormatError(`truncated record header at byte ${at}`);
        bufLen += r;
      }
    }
    const type = buf[p]!, len = buf.readUInt32LE(p + 4);
    if (len > 1 << 20) throw new RecordFormatError(`corrupt record at byte ${at} (length ${len})`);
    if (at + 8 + len > size) throw new RecordFormatError(`truncated record at byte ${at}`);
    if (type === REC_EVENT ? len !== evSize : type === REC_LOST || type === REC_TICK ? len !== 8 : true)
      throw new RecordFormatError(`corrupt record ${n} at byte ${at} (type ${type}, length ${len})`);
    if (type === REC_TICK) ticks++;
    n++;
    at += 8 + len;
  }
  return ticks;
}

/**
 * Open and validate a recording: the header, then every record (a streaming
 * pass), so a corrupt file never half-prints. Every structural problem is a
 * RecordFormatError naming it. items() then streams the events again.
 */
export function openRecording(path: string): Recording {
  let fd: number, size: number;
  try { fd = openSync(path, 'r'); size = fstatSync(fd).size; } catch (e) { throw new RecordFormatError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  try {
    const head = Buffer.alloc(48);
    const got = readSync(fd, head, 0, 48, 0);
    if (got < 48 || head.toString('latin1', 0, 8) !== MAGIC)
      throw new RecordFormatError(`${path} is not a tcp-estats recording (bad magic); make one with --record FILE`);
    const version = head.readUInt32LE(8);
    if (version !== FORMAT_VERSION) throw new RecordFormatError(`${path} has format version ${version}; this tcp-estats reads version ${FORMAT_VERSION}`);
    const hlen = head.readUInt32LE(12);
    const hash = head.toString('latin1', 16, 32);
    const evSize = head.readUInt32LE(32);
    const bootOffsetNs = head.readBigInt64LE(36);
    const jlen = head.readUInt32LE(44);
    if (48 + jlen !== hlen || hlen > size || jlen > 16 << 20) throw new RecordFormatError(`${path}: corrupt header (lengths disagree)`);
    const jbuf = Buffer.alloc(jlen);
    readSync(fd, jbuf, 0, jlen, 48);
    let meta: RecordMeta;
    try { meta = JSON.parse(jbuf.toString('utf8')) as RecordMeta; } catch { throw new RecordFormatError(`${path}: corrupt header (metadata is not JSON)`); }
    const convert = hash === LAYOUT_HASH && evSize === EVENT_SIZE ? null : migration(path, hash, evSize, meta.layout);
    let ticks: number;
    try {
      ticks = validate(fd, hlen, size, evSize);
    } catch (e) {
      if (e instanceof RecordFormatError) throw new RecordFormatError(`${path}: ${e.message}`);
      throw e;
    }
    const fdItems = fd;
    return {
      meta, bootOffsetNs, ticks,
      each(fn: (it: ReplayItem) => void) {
        const slab = new Slab();
        try {
          scan(fdItems, hlen, size, (type, buf, off, len) => {
            // copy: the chunk is reused, and the table keeps events
            if (type === REC_EVENT) fn({ type: 'event', ev: convert ? slab.fill(dst => convert(buf, off, dst.buf, dst.at)) : slab.copy(buf, off) });
            else if (type === REC_LOST) fn({ type: 'lost', total: buf.readBigUInt64LE(off) });
            else fn({ type: 'tick', nowNs: buf.readBigUInt64LE(off) });
          });
        } finally { closeSync(fdItems); }
      },
      replay(h: ReplayHandler, chunkBytes = CHUNK) {
        // the buffer holds at least one whole record (records were checked: events evSize, others 8)
        try { replayBody(fdItems, hlen, size, convert, h, Math.max(chunkBytes, 8 + Math.max(evSize, 8))); } finally { closeSync(fdItems); }
      },
      *items() {
        const all: ReplayItem[] = [];
        this.each(it => all.push(it));
        yield* all;
      },
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The replay pass (the file was validated by openRecording): records are read
 * into one reused chunk and events handed out as views into it, no copy and
 * no allocation but the view. Before the chunk is overwritten (or, for a
 * converted layout, the buffer of converted events), h.release(it).
 */
function replayBody(fd: number, start: number, size: number, convert: ((p: Buffer, off: number, out: Buffer, at: number) => void) | null, h: ReplayHandler, chunk: number): void {
  const buf = Buffer.allocUnsafeSlow(chunk);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  // events converted from another layout go into a buffer of about the chunk's size, reused (released) when full
  const CONVERTED = Math.max(1, Math.floor(chunk / EVENT_SIZE));
  const cbuf = convert ? Buffer.allocUnsafeSlow(CONVERTED * EVENT_SIZE) : buf;
  const cdv = convert ? new DataView(cbuf.buffer, cbuf.byteOffset, cbuf.length) : dv;
  let cn = 0; // converted events in cbuf
  let fileAt = start, len = 0, pos = 0; // buf[0] is at file offset fileAt; buf[pos…len) is unparsed
  for (;;) {
    while (pos + 8 <= len) {
      const type = buf[pos]!, plen = dv.getUint32(pos + 4, true), off = pos + 8;
      if (off + plen > len) break;
      if (type === REC_EVENT) {
        if (convert) {
          if (cn === CONVERTED) { h.release(cbuf); cn = 0; }
          const at = cn++ * EVENT_SIZE;
          convert(buf, off, cbuf, at);
          h.event(new EventView(cbuf, at, cdv));
        } else h.event(new EventView(buf, off, dv));
      } else if (type === REC_LOST) h.lost(dv.getBigUint64(off, true));
      else h.tick(dv.getBigUint64(off, true));
      pos = off + plen;
    }
    if (fileAt + pos >= size) return;
    if (len + READ > buf.length || len === buf.length) {
      // the chunk is full: start it again with the unparsed tail
      if (!convert) h.release(buf);
      buf.copy(buf, 0, pos, len);
      fileAt += pos; len -= pos; pos = 0;
    }
    const r = len < buf.length ? readSync(fd, buf, len, Math.min(READ, buf.length - len), fileAt + len) : 0;
    // the file changed since it was checked
    if (r === 0) throw new RecordFormatError(`truncated record at byte ${fileAt}`);
    len += r;
  }
}

/**
 * A recording made with another event layout is converted field by field,
 * by name: fields the recording lacks read as 0, fields this version dropped
 * are ignored. Without the recorded layout (or with a field whose type
 * changed) the recording cannot be read.
 */
function migration(path: string, hash: string, size: number, layout: RecordMeta['layout']): (p: Buffer, off: number, out: Buffer, at: number) => void {
  const why = `${path} was recorded with event layout ${hash} (${size} bytes); this tcp-estats uses ${LAYOUT_HASH} (${EVENT_SIZE} bytes)`;
  if (!Array.isArray(layout)) throw new RecordFormatError(`${why}, and the file does not describe its layout: replay it with the version that recorded it`);
  const old = new Map(layout.map(f => [f[0], f]));
  const copies: Array<[number, number, number]> = []; // [from, to, bytes]
  for (const [name, type, count, off] of FIELDS) {
    if (/^pad\d*$/.test(name)) continue; // padding carries nothing (and is renamed freely)
    const o = old.get(name);
    if (!o) continue;
    if (o[1] !== type || o[2] !== count) throw new RecordFormatError(`${why}: field ${name} changed type (${o[1]}[${o[2]}] → ${type}[${count}]): replay it with the version that recorded it`);
    const bytes = ({ __u8: 1, char: 1, __u16: 2, __u32: 4, __u64: 8 } as Record<string, number>)[type]! * count;
    if (o[3] + bytes > size) throw new RecordFormatError(`${why}: corrupt layout (field ${name} beyond the event)`);
    copies.push([o[3], off, bytes]);
  }
  // fields that stay next to each other move as one run
  copies.sort((a, b) => a[0] - b[0]);
  const runs: Array<[number, number, number]> = [];
  for (const c of copies) {
    const r = runs[runs.length - 1];
    if (r && r[0] + r[2] === c[0] && r[1] + r[2] === c[1]) r[2] += c[2];
    else runs.push([...c]);
  }
  return (p, off, out, at) => {
    out.fill(0, at, at + EVENT_SIZE);
    for (const [from, to, n] of runs) p.copy(out, at + to, off + from, off + from + n);
  };
}

// Reads a BPF ring buffer from user space through mmap, in plain JS: no FFI
// call and no callback per record (see design.md: ~80 ns/event).
//
// Layout (kernel ABI, as libbpf's ringbuf.c relies on it): page 0 holds the
// consumer position (read-write), page 1 the producer position (read-only),
// then the data pages, mapped twice in a row so a record that wraps is
// contiguous. Each record: u32 length (bit 31 BUSY, bit 30 DISCARD), u32
// page offset, then the data, 8-byte aligned.
//
// Memory ordering: this relies on x86-64 (TSO). The reader never spins on a
// value; it stops at a BUSY record and resumes on the next drain.
import { c, view, pageSize, errno, BpfError, MAP_SHARED, PROT_READ, PROT_WRITE, MAP_FAILED, type Ptr } from './ffi.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const HDR = 8;

export class RingReader {
  private readonly cons: DataView;
  private readonly prod: DataView;
  private readonly data: Uint8Array;
  private readonly dataView: DataView;
  private readonly mask: number;
  private consPtr: Ptr | null;
  private prodPtr: Ptr | null;
  private readonly page: number;
  private closed = false;
  /** consecutive drains that stopped at an empty header */
  private zeroSeen = 0;

  constructor(fd: number, readonly size: number) {
    this.page = pageSize();
    this.mask = size - 1;
    const cp = c.mmap(null, this.page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) as Ptr;
    if (cp === MAP_FAILED || cp === null) throw new BpfError(`mmap of the ring buffer consumer page failed (errno ${errno()})`, errno());
    const pp = c.mmap(null, this.page + 2 * size, PROT_READ, MAP_SHARED, fd, this.page) as Ptr;
    if (pp === MAP_FAILED || pp === null) {
      c.munmap(cp, this.page);
      throw new BpfError(`mmap of the ring buffer data failed (errno ${errno()})`, errno());
    }
    this.consPtr = cp;
    this.prodPtr = pp;
    this.cons = new DataView(view(cp, this.page));
    const pbuf = view(pp, this.page + 2 * size);
    this.prod = new DataView(pbuf, 0, 8);
    this.data = new Uint8Array(pbuf, this.page, 2 * size);
    this.dataView = new DataView(pbuf, this.page, 2 * size);
  }

  /**
   * Hand every complete record to `fn`, in place: `data` (with its view `dv`)
   * maps the whole ring, the record is `len` bytes at `off`, valid until the
   * records are released to the kernel at the end of the drain. `release`,
   * if given, runs just before that (with `data`): whatever still views a
   * record must copy it out then. Returns the number of records read.
   * `max` bounds one drain so the event loop is never blocked for long.
   */
  drain(fn: (data: Uint8Array, dv: DataView, off: number, len: number) => void, release?: (data: Uint8Array) => void, max = 1 << 20): number {
    if (this.closed) return 0;
    let cons = Number(this.cons.getBigUint64(0, true));
    const prod = Number(this.prod.getBigUint64(0, true));
    let n = 0;
    try {
      while (cons < prod && n < max) {
        const off = cons & this.mask;
        const len = this.dataView.getUint32(off, true);
        const dlen = len & 0x3fffffff;
        // BUSY: still being written. A zero length is never a committed
        // record of ours: seen once under a flood of a 64 KiB ring (a header
        // not yet visible); treat it as BUSY and read it again next drain.
        if (len & BUSY || dlen === 0) {
          if (dlen === 0 && ++this.zeroSeen > 1000) throw new BpfError(`the ring buffer header at position ${cons} stayed empty for 1000 reads: reader and kernel are out of step`);
          break;
        }
        this.zeroSeen = 0;
        if (!(len & DISCARD)) {
          fn(this.data, this.dataView, off + HDR, dlen);
          n++;
        }
        cons += (dlen + HDR + 7) & ~7;
      }
    } finally {
      if (n) release?.(this.data);
      this.cons.setBigUint64(0, BigInt(cons), true);
    }
    return n;
  }

  /** Bytes written by the kernel and not yet read. */
  pending(): number {
    if (this.closed) return 0;
    return Number(this.prod.getBigUint64(0, true) - this.cons.getBigUint64(0, true));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.consPtr !== null) c.munmap(this.consPtr, this.page);
    if (this.prodPtr !== null) c.munmap(this.prodPtr, this.page + 2 * this.size);
    this.consPtr = this.prodPtr = null;
  }
}

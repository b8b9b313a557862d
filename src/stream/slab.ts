// Event bytes outlive the buffer they arrive in (the ring is reused, replay
// chunks are reused) because the per-socket table keeps each socket's last
// event. Copying each event into its own ArrayBuffer costs an allocation and
// a DataView per event; a slab packs many events into one 1 MiB buffer with
// one DataView. A slab is freed when no event in it is referenced.
//
// The table keeps each socket's last event, so one idle socket would keep
// its whole slab alive (measured: 200 idle connections among busy ones held
// 232 MiB). keepOut() moves such an event into a slab of kept events; the
// table offers it one entry per update (src/estats/table.ts), so what the
// table holds is at most RECENT_SLABS + 1 slabs and 3 × EVENT_SIZE per
// socket (its kept copy, and old event and kept slabs until the sweep
// reaches their entries: one round of the table, as many events as it has
// entries).
import { EVENT_SIZE, EventView } from './layout.generated.js';

const SLAB = 1 << 20;

/**
 * The last buffers any slab started filling: events in them are recent;
 * events elsewhere sit in a slab only old references hold. 8 (~11,500
 * events): a socket with an event at least that often is never copied.
 */
export const RECENT_SLABS = 8;
const RECENT = RECENT_SLABS;
const recent: Uint8Array[] = [];
function started(u8: Uint8Array): void {
  recent.unshift(u8);
  if (recent.length > RECENT) recent.pop();
}
const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;

export class Slab {
  private u8 = Buffer.allocUnsafeSlow(SLAB);
  private dv = new DataView(this.u8.buffer, this.u8.byteOffset, SLAB);
  private pos = 0;
  /** buffers started so far */
  buffers = 1;
  /** tracked: its buffers count among the recent ones keepOut() leaves alone (live events) */
  constructor(private readonly tracked = true) { if (tracked) started(this.u8); }
  /** the buffer being filled */
  get current(): Uint8Array { return this.u8; }

  /** Let `write` fill the next EVENT_SIZE bytes (e.g. a layout conversion) and view them. */
  fill(write: (dst: { buf: Buffer; at: number }) => void): EventView {
    const v = this.place();
    write({ buf: this.u8, at: v.o });
    return v;
  }

  /** A place for one event, its bytes not written yet. */
  place(): EventView {
    if (this.pos + EVENT_SIZE > SLAB) {
      this.u8 = Buffer.allocUnsafeSlow(SLAB);
      this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, SLAB);
      this.pos = 0;
      this.buffers++;
      if (this.tracked) started(this.u8);
    }
    const at = this.pos;
    this.pos = at + ((EVENT_SIZE + 7) & ~7);
    return new EventView(this.u8, at, this.dv);
  }

  /** Copy one event (EVENT_SIZE bytes at src[off…]) and view it. */
  copy(src: Uint8Array, off: number): EventView {
    const v = this.place();
    // native memcpy, no view object (Buffer#subarray would build a Buffer per event)
    copyBytes.call(src, this.u8, v.o, off, off + EVENT_SIZE);
    return v;
  }
}

const kept = new Slab();

/**
 * A copy of an event that outlives the table's sweep (a row a sorted or
 * batched statement holds until its batch ends): out of any buffer, so the
 * row does not keep a whole slab or replay chunk alive.
 */
export function retain<T>(ev: T): T {
  return ev instanceof EventView ? kept.copy(ev.u8, ev.o) as T : ev;
}
/**
 * An event the table keeps, moved out of an old slab (a copy in the slab of
 * kept events), or null when it is in a recent one and can stay.
 */
export function keepOut(ev: EventView): EventView | null {
  if (!(ev instanceof EventView)) return null;
  const u8 = ev.u8;
  if (u8 === kept.current) return null; // kept already (and the slab of kept events is not always among the recent ones)
  for (let i = 0; i < recent.length; i++) if (recent[i] === u8) return null;
  return kept.copy(u8, ev.o);
}

/**
 * Per-socket homes (replay): a socket's latest event, copied out of a read
 * buffer that is about to be overwritten, into the one place kept for that
 * socket and reused for its later events (its earlier copy is no longer
 * referenced: the table holds one event per socket, held rows hold their own
 * retain() copies). The home of a socket that left is reused for another.
 */
export class Homes {
  private readonly slab = new Slab(false);
  private readonly free: EventView[] = [];
  /** buffers of homes made so far */
  get buffers(): number { return this.slab.buffers; }
  /** ev's bytes in home (a view put() returned before for this socket), or in a new home */
  put(ev: EventView, home: EventView | null): EventView {
    if (!home) home = this.free.pop() ?? this.slab.place();
    copyBytes.call(ev.u8, home.u8, home.o, ev.o, ev.o + EVENT_SIZE);
    return home;
  }
  /** the home of a socket that left the table (nothing else views it) */
  release(home: EventView): void { this.free.push(home); }
}

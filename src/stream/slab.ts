// Event bytes outlive the buffer they arrive in: the live ring's space and
// a replay's read buffer are reused, while the per-socket table keeps each
// socket's last event and a held row (sorted or batched statements) keeps
// its own. Events are read in place (src/run.ts); before a buffer is reused,
// the table's events in it move to their socket's home (Homes: one place per
// socket, reused for its later events and, once it left, for another
// socket's). Held rows copy their event out (retain). Copies pack many
// events into one 1 MiB slab with one DataView; a slab is freed when no
// event in it is referenced.
import { EVENT_SIZE, EventView } from './layout.generated.js';

const SLAB = 1 << 20;
const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;

export class Slab {
  private u8 = Buffer.allocUnsafeSlow(SLAB);
  private dv = new DataView(this.u8.buffer, this.u8.byteOffset, SLAB);
  private pos = 0;
  /** buffers started so far */
  buffers = 1;

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
 * Per-socket homes: a socket's latest event, copied out of a buffer (the
 * ring, a replay's read buffer) that is about to be overwritten, into the
 * one place kept for that socket and reused for its later events (its
 * earlier copy is no longer referenced: the table holds one event per
 * socket, held rows hold their own retain() copies). The home of a socket
 * that left is reused for another.
 */
export class Homes {
  private readonly slab = new Slab();
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

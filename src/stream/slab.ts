// Event bytes outlive the buffer they arrive in (the ring is reused, replay
// chunks are reused) because the per-socket table keeps each socket's last
// event. Copying each event into its own ArrayBuffer costs an allocation and
// a DataView per event; a slab packs many events into one 1 MiB buffer with
// one DataView. A slab is freed when no event in it is referenced.
import { EVENT_SIZE, EventView } from './layout.generated.js';

const SLAB = 1 << 20;
const copyBytes = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;

export class Slab {
  private u8 = Buffer.allocUnsafeSlow(SLAB);
  private dv = new DataView(this.u8.buffer, this.u8.byteOffset, SLAB);
  private pos = 0;

  /** Let `write` fill the next EVENT_SIZE bytes (e.g. a layout conversion) and view them. */
  fill(write: (dst: { buf: Buffer; at: number }) => void): EventView {
    const at = this.reserve();
    write({ buf: this.u8, at });
    return new EventView(this.u8, at, this.dv);
  }

  private reserve(): number {
    if (this.pos + EVENT_SIZE > SLAB) {
      this.u8 = Buffer.allocUnsafeSlow(SLAB);
      this.dv = new DataView(this.u8.buffer, this.u8.byteOffset, SLAB);
      this.pos = 0;
    }
    const at = this.pos;
    this.pos = at + ((EVENT_SIZE + 7) & ~7);
    return at;
  }

  /** Copy one event (EVENT_SIZE bytes at src[off…]) and view it. */
  copy(src: Uint8Array, off: number): EventView {
    const at = this.reserve();
    // native memcpy, no view object (Buffer#subarray would build a Buffer per event)
    copyBytes.call(src, this.u8, at, off, off + EVENT_SIZE);
    return new EventView(this.u8, at, this.dv);
  }
}

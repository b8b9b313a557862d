// Bytes → Event. Decoding is lazy: an EventView reads a field only when a
// query (or the table) asks for it, in place (src/run.ts). Records shorter
// than the layout are rejected rather than read past their end.
import { EV, EVENT_SIZE, EventView, FLAG, OFF } from './layout.generated.js';
import { Slab } from './slab.js';

export { EventView };

export class ShortRecordError extends Error {}

const slab = new Slab();

/** A ring-buffer record of len bytes at off in u8 (dv: its view), viewed in place. */
export function viewRecord(u8: Uint8Array, dv: DataView, off: number, len: number): EventView {
  if (len < EVENT_SIZE) throw new ShortRecordError(`short event record: ${len} bytes, expected ${EVENT_SIZE}`);
  return new EventView(u8, off, dv);
}

/**
 * The kernel sends one event per state transition: OPEN, ESTABLISHED or CLOSE
 * with FLAG.STATE set stands for the STATE event of the same transition too.
 * This is that STATE event (same snapshot; the kind byte and flag changed).
 */
export function stateTwin(ev: EventView): EventView {
  const twin = slab.copy(ev.u8, ev.o);
  twin.u8[twin.o + OFF.kind] = EV.STATE;
  twin.u8[twin.o + OFF.flags] = ev.u8[ev.o + OFF.flags]! & ~FLAG.STATE;
  return twin;
}

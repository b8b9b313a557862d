// Bytes → Event. Decoding is lazy: an EventView reads a field only when a
// query (or the table) asks for it. Records shorter than the layout are
// rejected rather than read past their end.
import { EV, EVENT_SIZE, EventView, FLAG, OFF } from './layout.generated.js';
import { Slab } from './slab.js';

export { EventView };

export class ShortRecordError extends Error {}

const slab = new Slab();

/** Copy one ring-buffer record (whose memory the kernel will reuse) into an Event. */
export function decode(rec: Uint8Array): EventView {
  if (rec.length < EVENT_SIZE) throw new ShortRecordError(`short event record: ${rec.length} bytes, expected ${EVENT_SIZE}`);
  return slab.copy(rec, 0);
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

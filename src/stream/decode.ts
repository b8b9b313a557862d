// Bytes → Event. Decoding is lazy: an EventView reads a field only when a
// query (or the table) asks for it. Records shorter than the layout are
// rejected rather than read past their end.
import { EVENT_SIZE, EventView } from './layout.generated.js';
import { Slab } from './slab.js';

export { EventView };

export class ShortRecordError extends Error {}

const slab = new Slab();

/** Copy one ring-buffer record (whose memory the kernel will reuse) into an Event. */
export function decode(rec: Uint8Array): EventView {
  if (rec.length < EVENT_SIZE) throw new ShortRecordError(`short event record: ${rec.length} bytes, expected ${EVENT_SIZE}`);
  return slab.copy(rec, 0);
}

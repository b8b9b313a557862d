// The per-socket table: the latest event of every live socket, keyed by the
// kernel's socket cookie, with per-statement memo for rate/delta/changes.
// A socket leaves the table after its close row (or when a full refresh no
// longer finds it), so the table stays bounded under churn.
import type { Frame, SockCtx, Snapshot } from './types.js';

const EV_CLOSE = 10;

/**
 * The table's key of a socket cookie: the cookie as a number when that is
 * exact (below 2^53: a map of numbers hashes no BigInt, and the owner can
 * compute the key from the event bytes without making one), else the BigInt.
 */
export type CookieKey = number | bigint;
const EXACT = BigInt(Number.MAX_SAFE_INTEGER);
export function cookieKey(cookie: bigint): CookieKey { return cookie <= EXACT ? Number(cookie) : cookie; }
/** the same key from the cookie's two 32-bit halves (little-endian words of the event) */
export function cookieKeyOfWords(lo: number, hi: number): CookieKey {
  return hi < 0x200000 ? hi * 4294967296 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

export class SockEntry implements SockCtx, Frame {
  readonly memo = new Map<number, unknown>();
  seenGen = 0;
  /** the table's touch round in which this entry was last updated (see SocketTable.touched) */
  touch = 0;
  /** left the table (closed) */
  gone = false;
  /** the owner's per-socket copy of an event (src/run.ts: the socket's home), if any */
  home: Snapshot | null = null;
  constructor(readonly cookie: bigint, readonly key: CookieKey, public ev: Snapshot) {}
  get sock(): SockCtx { return this; }
}

export class SocketTable {
  private readonly map = new Map<CookieKey, SockEntry>();
  private gen = 0;
  private touchRound = 1;
  private touchedList: SockEntry[] = [];
  /** keep the list of touched() entries (off unless an owner calls touched()) */
  tracking = false;

  /** Fold one event into the table; returns the frame the queries see. key: cookieKey(ev.cookie), if the caller has it cheaper */
  update(ev: Snapshot, key: CookieKey = cookieKey(ev.cookie)): SockEntry {
    let e = this.map.get(key);
    if (!e) {
      e = new SockEntry(ev.cookie, key, ev);
      this.map.set(key, e);
    } else {
      e.ev = ev;
    }
    e.seenGen = this.gen;
    if (this.tracking && e.touch !== this.touchRound) { e.touch = this.touchRound; this.touchedList.push(e); }
    return e;
  }

  /** After the queries saw an event: drop closed sockets. */
  settle(e: SockEntry): void {
    if (e.ev.kind === EV_CLOSE) { this.map.delete(e.key); e.gone = true; }
  }

  /**
   * The entries updated since the last call (each once), then start a new
   * round: fn(entry) for those still in the table, left(entry) for those
   * that left it since (closed, or not found by a full refresh). The run
   * moves their events out of the ring or the read buffer before it is
   * reused (src/run.ts Pipeline.release). Entries not passed still hold what they held
   * at the last call.
   */
  touched(fn: (e: SockEntry) => void, left?: (e: SockEntry) => void): void {
    const l = this.touchedList;
    for (let i = 0; i < l.length; i++) {
      const e = l[i]!;
      if (!e.gone) fn(e);
      else left?.(e);
    }
    l.length = 0;
    this.touchRound++;
  }

  /**
   * Start a full refresh (iter/tcp, which sees only the network namespace
   * `netns`): sockets of that namespace not seen again before endRefresh()
   * are gone. Sockets of other namespaces leave only with their close event.
   */
  beginRefresh(): void { this.gen++; }
  endRefresh(netns: number): number {
    let n = 0;
    for (const [k, e] of this.map) {
      if (e.seenGen === this.gen || e.ev.netns !== netns) continue;
      this.map.delete(k);
      e.gone = true;
      n++;
      // touched() reports it as left, so the owner can reuse its home
      if (this.tracking && e.touch !== this.touchRound) { e.touch = this.touchRound; this.touchedList.push(e); }
    }
    return n;
  }

  get size(): number { return this.map.size; }
  *live(): Iterable<Frame> { yield* this.map.values(); }
}

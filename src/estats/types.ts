// Types shared by the variable catalog, the per-socket table and the query
// compiler. The catalog imports nothing but these and the generated Snapshot.
import type { Snapshot } from './snapshot.generated.js';
export type { Snapshot };

/** RFC 4898 tables (plus the connection identity, which is not an RFC table). */
export type RfcTable = 'Perf' | 'Path' | 'Stack' | 'App' | 'Tune' | 'Listener' | 'ConnectId';

/**
 * The unit a value is reported in. Dimensioned units convert into each other
 * inside their dimension (see `dimensionOf`); the others are plain numbers.
 */
export type Unit =
  | 'ms' | 'us' | 's'           // time
  | 'octets'                    // size
  | 'count' | 'segments'        // counts
  | 'seq'                       // a TCP sequence number (mod 2^32)
  | 'enum'                      // an RFC enumeration (see VarDef.enumNames)
  | 'timestamp';                // wall-clock time, µs since the Unix epoch

export type Dimension = 'time' | 'size' | 'none';
export function dimensionOf(u: Unit): Dimension {
  if (u === 'ms' || u === 'us' || u === 's') return 'time';
  if (u === 'octets') return 'size';
  return 'none';
}

/**
 * How a variable is obtained on this kernel (the "floor"):
 * F a kernel field, E exact from events + per-socket state,
 * A approximate (the description says by how much), N unavailable.
 */
export type VarClass = 'F' | 'E' | 'A' | 'N';

/** A value a query can see. null = unavailable / unknown. */
export type Value = number | string | boolean | null;

export interface VarDef {
  /** RFC 4898 spelling, e.g. SmoothedRTT */
  readonly name: string;
  readonly table: RfcTable;
  /** column number within the RFC table (OID sub-identifier) */
  readonly oid: number;
  /** SMI type as the RFC gives it, e.g. Gauge32, ZeroBasedCounter64 */
  readonly smi: string;
  readonly unit: Unit;
  readonly cls: VarClass;
  /** one line, the RFC's sense */
  readonly meaning: string;
  /** where the value comes from on this kernel */
  readonly source: string;
  /** how it is validated (test name / ground truth) */
  readonly validation: string;
  /** for A: what is approximate and by how much; for N: why it is unavailable */
  readonly caveat?: string;
  /** for enum-valued variables: value -> name */
  readonly enumNames?: Readonly<Record<number, string>>;
  /**
   * for A variables that an optional fentry/fexit program makes exact: the
   * ESTATS_UPG_* bit and the kernel function; an event says which source was
   * live in its `upgrades` field
   */
  readonly exactWith?: { readonly bit: number; readonly hook: string };
  /** compute the value from one event's snapshot; absent for N */
  readonly get?: (s: Snapshot) => number | null;
}

/** Per-socket context kept by the table, visible to the query (rate/delta). */
export interface SockCtx {
  readonly cookie: bigint;
  /** slot for per-statement state (previous values for rate/delta/change detection) */
  readonly memo: Map<number, unknown>;
}

/** One input row for a query: an event and its socket. */
export interface Frame {
  readonly ev: Snapshot;
  readonly sock: SockCtx;
}

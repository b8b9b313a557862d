// What a compiled program emits. The output sinks (src/output/) render these;
// nothing here knows about formats.
import type { Snapshot, Unit, Value } from '../estats/types.js';

/** One printed column. */
export interface Column {
  /** header / JSON key: the `as` name, the RFC spelling of a variable, or the expression text */
  readonly name: string;
  /** unit of the values (RFC unit of a variable, or the unit an expression yields); undefined = plain */
  readonly unit?: Unit;
  /** what kind of value it holds */
  readonly kind: 'number' | 'string' | 'addr' | 'bool' | 'hist' | 'stats';
  /** rate(): `unit` per second */
  readonly perSec?: boolean;
}

/** A histogram value (hist: power-of-two buckets; lhist: linear buckets). */
export interface HistValue {
  readonly kind: 'hist' | 'lhist';
  /** buckets in ascending order; lo inclusive, hi exclusive; hi null = +inf, lo null = -inf */
  readonly buckets: ReadonlyArray<{ lo: number | null; hi: number | null; count: number }>;
}

/** stats(): count, avg, min, max together. */
export interface StatsValue {
  readonly count: number;
  readonly avg: number | null;
  readonly min: number | null;
  readonly max: number | null;
}

export type CellValue = Value | HistValue | StatsValue;

/** A row of a statement without aggregates: one per input row (or per change). */
export interface OutRow {
  readonly type: 'row';
  /** index of the statement in the program (0-based) */
  readonly stmt: number;
  readonly columns: readonly Column[];
  readonly values: readonly CellValue[];
  /** the event the row came from: the sink adds time, event and the connection identity */
  readonly ev: Snapshot;
}

/** One group of an aggregate statement, emitted each `every` tick or at the end. */
export interface OutAgg {
  readonly type: 'agg';
  readonly stmt: number;
  readonly columns: readonly Column[];
  readonly values: readonly CellValue[];
  /** CLOCK_MONOTONIC ns of the tick (or of the end) */
  readonly timeNs: bigint;
}

/** A batch boundary: all rows of one tick (or the final aggregates) of a statement were emitted. */
export interface OutBatchEnd {
  readonly type: 'batch-end';
  readonly stmt: number;
  readonly timeNs: bigint;
}

export type Out = OutRow | OutAgg | OutBatchEnd;
export type Emit = (o: Out) => void;

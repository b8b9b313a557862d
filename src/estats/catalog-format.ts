// Human and machine renderings of the variable catalog (`--list`, `--describe`).
// Plain strings; colour only through a function the caller passes in.
import type { VarDef } from './types.js';
import { availability, oidOf } from './catalog.js';

/** What a piece of text is, for an optional colouring function. */
export type Style = 'header' | 'name' | 'table' | 'dim' | 'exact' | 'approximate' | 'unavailable' | 'label';
export type Paint = (style: Style, text: string) => string;

export interface ListOptions {
  /** colour the output (with `paint`, or plain ANSI SGR codes when none is given) */
  readonly color: boolean;
  /** colouring function; only used when color is true */
  readonly paint?: Paint;
  /** line width to fit (default 100); the MEANING column is cut to fit */
  readonly width?: number;
}

const ANSI: Readonly<Record<Style, [number, number]>> = {
  header: [1, 22], name: [1, 22], table: [36, 39], dim: [2, 22], label: [2, 22],
  exact: [32, 39], approximate: [33, 39], unavailable: [31, 39],
};
const ansiPaint: Paint = (style, text) => `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m`;
const noPaint: Paint = (_style, text) => text;
function painter(color: boolean, paint?: Paint): Paint {
  return color ? (paint ?? ansiPaint) : noPaint;
}

const CLASS_WORD = { F: 'kernel field', E: 'events + per-socket state', A: 'approximation', N: 'no Linux equivalent' } as const;

function cut(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** Aligned table: NAME TABLE TYPE UNIT CLASS MEANING, fitted to `width`. */
export function formatList(vars: readonly VarDef[], opts: ListOptions): string {
  const p = painter(opts.color, opts.paint);
  const width = opts.width ?? 100;
  const head = ['NAME', 'TABLE', 'TYPE', 'UNIT', 'CLASS', 'MEANING'] as const;
  const rows = vars.map(v => [v.name, v.table, v.smi, v.unit, availability(v), v.meaning] as const);
  const w = [0, 1, 2, 3, 4].map(i => Math.max(head[i]!.length, ...rows.map(r => r[i]!.length)));
  const fixed = w.reduce((a, b) => a + b + 2, 0);
  const meaningWidth = Math.max(10, width - fixed);
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));
  const lines: string[] = [];
  lines.push(p('header', head.slice(0, 5).map((h, i) => pad(h, w[i]! + 2)).join('') + head[5]));
  for (const r of rows) {
    const avail = r[4];
    lines.push(
      p('name', pad(r[0], w[0]! + 2)) +
      p('table', pad(r[1], w[1]! + 2)) +
      pad(r[2], w[2]! + 2) +
      pad(r[3], w[3]! + 2) +
      p(avail, pad(avail, w[4]! + 2)) +
      cut(r[5], meaningWidth),
    );
  }
  return lines.join('\n') + '\n';
}

/** Every field of one entry, one per line. */
/**
 * `probe`: whether the optional exact programs load on this machine
 * (src/bpf/loader.ts probeUpgrades), or null when it could not be checked.
 */
export function formatDescribe(v: VarDef, opts: { color?: boolean; paint?: Paint; probe?: { live: boolean; reason: string } | null } = {}): string {
  const p = painter(opts.color ?? false, opts.paint);
  const oid = oidOf(v);
  const avail = availability(v, opts.probe?.live && v.exactWith ? v.exactWith.bit : 0);
  const rows: Array<[string, string]> = [
    ['table', oid === null ? `${v.table} (derived diagnostic, not an RFC 4898 object)` : `tcpEStats${v.table}Table, column ${v.oid}`],
  ];
  if (oid !== null) rows.push(['OID', oid]);
  rows.push(
    ['SMI type', v.smi],
    ['unit', v.unit],
    ['class', `${v.cls} (${CLASS_WORD[v.cls]}) — ${p(avail, avail)}`],
    ['meaning', v.meaning],
    ['source', v.source],
  );
  if (v.caveat !== undefined) rows.push(['caveat', v.caveat]);
  if (v.exactWith) {
    rows.push(['exact with', `${v.exactWith.hook} (optional program, loaded only where the kernel allows it)`]);
    const live = opts.probe === undefined ? null : opts.probe === null
      ? 'not checked: run as root to probe this kernel'
      : opts.probe.live ? `${v.exactWith.hook} (exact): ${opts.probe.reason}` : `the floor heuristic (approximate): ${opts.probe.reason}`;
    if (live !== null) rows.push(['live source', live]);
  }
  rows.push(['validation', v.validation]);
  if (v.enumNames !== undefined) {
    rows.push(['values', Object.entries(v.enumNames).map(([k, n]) => `${k} ${n}`).join(', ')]);
  }
  const title = `${p('name', v.name)}  ${p('dim', oid === null ? `(${v.table}, derived)` : `(${v.table}.${v.name})`)}`;
  const lw = Math.max(...rows.map(r => r[0].length));
  return [title, ...rows.map(([k, t]) => `  ${p('label', k.padEnd(lw))}  ${t}`)].join('\n') + '\n';
}

/** Plain objects for JSON output. */
export function listJson(vars: readonly VarDef[]): Array<Record<string, unknown>> {
  return vars.map(v => {
    const o: Record<string, unknown> = {
      name: v.name,
      table: v.table,
      column: v.oid,
      oid: oidOf(v),
      smi: v.smi,
      unit: v.unit,
      class: v.cls,
      availability: availability(v),
      meaning: v.meaning,
      source: v.source,
      validation: v.validation,
    };
    if (v.caveat !== undefined) o.caveat = v.caveat;
    if (v.enumNames !== undefined) o.enumNames = { ...v.enumNames };
    return o;
  });
}

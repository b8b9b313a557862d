// Human and machine renderings of the variable catalog (`--list`, `--describe`).
// Plain strings; colour only through a function the caller passes in.
import type { VarDef } from './types.js';
import { availability, oidOf } from './catalog.js';
import { degradation, depsOf, HOOKS, SNAPSHOT_HOOKS, type Degradation } from './hooks.js';

/**
 * What this machine's kernel lacks: the optional hooks that are missing
 * (src/bpf/loader.ts probeHooks; null when it could not be checked) and the
 * exact upgrades that are live (ESTATS_UPG_* bits).
 */
export interface Here {
  readonly missing: readonly string[] | null;
  readonly upgradesLive?: number;
  /** why missing is null */
  readonly unchecked?: string;
}

/** The hooks a variable's value comes from, for people: "tp_btf/tcp_probe, sockops, and any event's snapshot". */
export function hooksText(v: VarDef): string {
  const named: string[] = [];
  let snapshot = false;
  for (const d of depsOf(v)) {
    if (d.hook === 'snapshot') { snapshot = true; continue; }
    const h = HOOKS[d.hook];
    const s = h.kind === 'upgrade' ? `${h.section} (exact upgrade)` : h.section;
    if (!named.includes(s)) named.push(s);
  }
  const snap = `the snapshot every event takes (${SNAPSHOT_HOOKS.map(k => HOOKS[k].section).join(', ')})`;
  if (!named.length) return `read at ${snap}`;
  return named.join(', ') + (snapshot ? `; read at ${snap}` : '');
}

function degradedText(d: Degradation): string {
  return `hook ${d.hooks.join(', ')} ${d.hooks.length > 1 ? 'are' : 'is'} missing on this kernel: ${d.level === 'unavailable' ? 'unavailable' : 'degraded'}, ${d.effect}`;
}

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
export function formatList(vars: readonly VarDef[], opts: ListOptions & { here?: Here }): string {
  const p = painter(opts.color, opts.paint);
  const width = opts.width ?? 100;
  const head = ['NAME', 'TABLE', 'TYPE', 'UNIT', 'CLASS', 'MEANING'] as const;
  const missing = opts.here?.missing ?? [];
  const degr = new Map(vars.map(v => [v.name, degradation(v, missing, opts.here?.upgradesLive ?? 0)] as const));
  // "!": a hook this variable needs is missing on this kernel (footnote below the table)
  const rows = vars.map(v => [v.name, v.table, v.smi, v.unit, availability(v, opts.here?.upgradesLive ?? 0) + (degr.get(v.name) ? '!' : ''), v.meaning] as const);
  const w = [0, 1, 2, 3, 4].map(i => Math.max(head[i]!.length, ...rows.map(r => r[i]!.length)));
  const fixed = w.reduce((a, b) => a + b + 2, 0);
  const meaningWidth = Math.max(10, width - fixed);
  const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length));
  const lines: string[] = [];
  lines.push(p('header', head.slice(0, 5).map((h, i) => pad(h, w[i]! + 2)).join('') + head[5]));
  for (const r of rows) {
    const avail = r[4].replace(/!$/, '') as 'exact' | 'approximate' | 'unavailable';
    lines.push(
      p('name', pad(r[0], w[0]! + 2)) +
      p('table', pad(r[1], w[1]! + 2)) +
      pad(r[2], w[2]! + 2) +
      pad(r[3], w[3]! + 2) +
      p(r[4].endsWith('!') ? 'unavailable' : avail, pad(r[4], w[4]! + 2)) +
      cut(r[5], meaningWidth),
    );
  }
  for (const sec of missing) {
    const hit = vars.filter(v => degr.get(v.name)?.hooks.includes(sec)).map(v => v.name);
    if (hit.length) lines.push(`! hook ${sec} is missing on this kernel: ${hit.join(', ')} ${hit.length > 1 ? 'are' : 'is'} degraded or unavailable (tcp-estats describe NAME says how)`);
  }
  if (opts.here && opts.here.missing === null) lines.push(`(whether this kernel has every optional hook was not checked: ${opts.here.unchecked ?? 'its BTF could not be read'})`);
  return lines.join('\n') + '\n';
}

/** Every field of one entry, one per line. */
/**
 * `probe`: whether the optional exact programs load on this machine
 * (src/bpf/loader.ts probeUpgrades), or null when it could not be checked.
 */
export function formatDescribe(v: VarDef, opts: { color?: boolean; paint?: Paint; probe?: { live: boolean; reason: string } | null; here?: Here } = {}): string {
  const p = painter(opts.color ?? false, opts.paint);
  const oid = oidOf(v);
  const up = opts.probe?.live && v.exactWith ? v.exactWith.bit : 0;
  const avail = availability(v, up);
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
    ['hooks', hooksText(v)],
  );
  const lostSnapshots = opts.here?.missing?.filter(sec => SNAPSHOT_HOOKS.some(k => HOOKS[k].section === sec)) ?? [];
  if (lostSnapshots.length && depsOf(v).some(d => d.hook === 'snapshot'))
    rows[rows.length - 1]![1] += ` — missing on this kernel: ${lostSnapshots.join(', ')} (fewer snapshots; the value is read at every other one)`;
  if (opts.here) {
    const d = opts.here.missing === null ? null : degradation(v, opts.here.missing, up);
    if (opts.here.missing === null) rows.push(['this kernel', `missing hooks not checked: ${opts.here.unchecked ?? 'its BTF could not be read'}`]);
    else if (d) rows.push(['degraded', p(d.level === 'unavailable' ? 'unavailable' : 'approximate', degradedText(d))]);
  }
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
export function listJson(vars: readonly VarDef[], here?: Here): Array<Record<string, unknown>> {
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
    // the programs whose runs write its inputs, and whether it is read at every event's snapshot
    o.hooks = [...new Set(depsOf(v).flatMap(d => (d.hook === 'snapshot' ? [] : [HOOKS[d.hook].section])))];
    o.snapshot = depsOf(v).some(d => d.hook === 'snapshot');
    // on this kernel: null = every hook it needs is there; absent = not checked
    if (here && here.missing !== null) {
      const d = degradation(v, here.missing, here.upgradesLive ?? 0);
      o.degraded = d && { level: d.level, missing_hooks: d.hooks, effect: d.effect };
    }
    return o;
  });
}

// Diagnostics: errors and warnings with a stable code, a place, and a hint.
import type { Span } from './ast.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  /** stable code, e.g. E101 (errors) or W001 (warnings); see CODES */
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
}

/** Every diagnostic code with a one-line description (docs/LANGUAGE.md has the same table). */
export const CODES: Readonly<Record<string, string>> = {
  // lexical and syntax
  E001: 'unexpected character',
  E002: 'unterminated string',
  E003: 'program too long (more than 1 MiB of text or 1000 statements)',
  E004: 'nesting too deep (more than 64 levels of parentheses or an expression deeper than 200)',
  E010: 'syntax error',
  E011: 'a statement has no print clause',
  E012: 'a clause appears twice in one statement',
  E013: 'empty program',
  // names
  E101: 'unknown name (variable or connection field)',
  E102: 'unknown function',
  E103: 'unknown event name in on',
  E104: 'unknown RFC 4898 table',
  E105: 'unknown state, congestion state, event or enumeration name',
  E106: '`port` used where one value is needed (it matches either end)',
  E107: 'a function name used without parentheses',
  E108: 'wrong number of arguments',
  E109: '`*` or `TABLE.*` used outside a print list',
  E110: 'variable is in another table than the one named',
  // types and units
  E201: 'type mismatch',
  E202: 'a time compared with or added to a size',
  E203: 'a unit on a value that has no dimension (e.g. a count compared with 5ms)',
  E204: 'unknown unit',
  E205: 'invalid or too large number',
  E206: 'invalid address or prefix',
  E207: 'where is not a condition',
  E208: 'invalid regular expression or =~ on a non-string',
  E209: 'operator not defined for this type',
  E210: 'equality with a prefix (use in)',
  E211: 'invalid function argument',
  // clauses and aggregates
  E301: 'print mixes aggregates with values that are not by keys',
  E302: 'aggregate or per-socket function not allowed here',
  E303: 'by without an aggregate in print',
  E304: 'every needs a duration between 1ms and 1 day',
  E305: 'limit needs a whole number',
  E306: 'sort key of an aggregate statement is not a by key, an aggregate or a column',
  E307: 'a histogram or stats value used inside an expression',
  E308: 'two columns with the same name',
  // warnings
  W001: 'variable not available on this kernel (always null)',
  W002: 'sort without every keeps all rows until the end',
  W003: 'event named twice in on',
};

export function mkDiag(severity: Severity, code: string, message: string, span: Span, hint?: string): Diagnostic {
  return hint === undefined ? { severity, code, message, span } : { severity, code, message, span, hint };
}

const useColor = (color: boolean | undefined) => color === true;

function paint(on: boolean, code: string, s: string): string {
  return on ? `\x1b[${code}m${s}\x1b[0m` : s;
}

/** Expand tabs so that the caret lines up with the source line. */
function expandTabs(s: string): string { return s.replace(/\t/g, '    '); }
function visualCol(line: string, col0: number): number {
  let v = 0;
  for (let i = 0; i < col0 && i < line.length; i++) v += line[i] === '\t' ? 4 : 1;
  return v + Math.max(0, col0 - line.length);
}

/**
 * Render diagnostics as text:
 *   file:line:col: error[E101]: message
 *      |
 *    3 | where dprt == 443 print SmoothedRTT
 *      |       ^^^^
 *      = hint: did you mean 'dport'?
 */
export function render(diags: readonly Diagnostic[], source: string, file: string, color?: boolean): string {
  const c = useColor(color);
  const lines = source.split('\n');
  const out: string[] = [];
  const sorted = [...diags].sort((a, b) => a.span.offset - b.span.offset || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  for (const d of sorted) {
    const sevColor = d.severity === 'error' ? '1;31' : '1;33';
    out.push(`${paint(c, '1', `${file}:${d.span.line}:${d.span.col}:`)} ${paint(c, sevColor, `${d.severity}[${d.code}]`)}: ${paint(c, '1', d.message)}`);
    const raw = (lines[d.span.line - 1] ?? '').replace(/\r$/, '');
    const num = String(d.span.line);
    const pad = ' '.repeat(num.length);
    out.push(`${pad} |`);
    out.push(`${num} | ${expandTabs(raw)}`);
    const startV = visualCol(raw, d.span.col - 1);
    const endCol0 = d.span.endLine === d.span.line ? d.span.endCol - 1 : raw.length;
    const endV = Math.max(startV + 1, visualCol(raw, endCol0));
    out.push(`${pad} | ${' '.repeat(startV)}${paint(c, sevColor, '^'.repeat(endV - startV))}`);
    if (d.hint) out.push(`${pad} = ${paint(c, '1;36', 'hint')}: ${d.hint}`);
  }
  const errs = diags.filter(d => d.severity === 'error').length;
  const warns = diags.length - errs;
  if (diags.length) {
    const parts: string[] = [];
    if (errs) parts.push(`${errs} error${errs > 1 ? 's' : ''}`);
    if (warns) parts.push(`${warns} warning${warns > 1 ? 's' : ''}`);
    out.push(parts.join(', '));
  }
  return out.join('\n') + (out.length ? '\n' : '');
}

/** JSON form: one object per diagnostic (file, line, col, endLine, endCol, severity, code, message, hint, source line). */
export function toJSON(diags: readonly Diagnostic[], source: string, file: string): object[] {
  const lines = source.split('\n');
  return diags.map(d => ({
    type: 'diagnostic',
    file,
    severity: d.severity,
    code: d.code,
    message: d.message,
    line: d.span.line,
    col: d.span.col,
    endLine: d.span.endLine,
    endCol: d.span.endCol,
    offset: d.span.offset,
    endOffset: d.span.endOffset,
    ...(d.hint ? { hint: d.hint } : {}),
    source: (lines[d.span.line - 1] ?? '').replace(/\r$/, ''),
  }));
}

/** Levenshtein distance (case-insensitive), for "did you mean". */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase(); b = b.toLowerCase();
  if (a === b) return 0;
  const m = a.length, n = b.length;
  if (!m) return n;
  if (!n) return m;
  // optimal string alignment distance (Levenshtein plus adjacent transpositions)
  const d: number[][] = [];
  for (let i = 0; i <= m; i++) { d.push(new Array<number>(n + 1).fill(0)); d[i]![0] = i; }
  for (let j = 0; j <= n; j++) d[0]![j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[m]![n]!;
}

/** The closest candidate within a distance that scales with the word's length, or undefined. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - word.length) > limit) continue;
    const d = editDistance(word, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return bestD <= limit ? best : undefined;
}

// Nothing the user types or the kernel reports is ever executed: the source
// tree has no eval, no Function constructor, no shell, no child processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
function* files(dir) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts')) yield p;
  }
}
const FORBIDDEN = [
  [/\beval\s*\(/, 'eval('],
  [/\bnew\s+Function\b/, 'new Function'],
  [/\bFunction\s*\(\s*['"`]/, 'Function("…")'],
  [/from\s+['"](node:)?child_process['"]/, 'child_process'],
  [/from\s+['"](node:)?vm['"]/, 'vm'],
  [/\bsetTimeout\s*\(\s*['"`]/, 'setTimeout(string)'],
];

test('src/ never evaluates text as code', () => {
  let n = 0;
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
    for (const [re, what] of FORBIDDEN) assert.doesNotMatch(text, re, `${f} uses ${what}`);
    n++;
  }
  assert.ok(n > 20, `scanned ${n} files`);
});

// chevrotain's own checks of the lexer and the grammar (ambiguities, left
// recursion, unreachable token patterns) are skipped at start-up to save
// ~15 ms per run (src/dsl/tokens.ts SKIP_VALIDATIONS); here they run, so a
// grammar mistake fails CI instead of passing unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const DSL = join(import.meta.dirname, '..', '..', 'dist', 'dsl', 'index.js');

test('the lexer and grammar pass chevrotain\'s definition checks', () => {
  const src = `const m = await import(${JSON.stringify(DSL)});
const t = await import(${JSON.stringify(join(import.meta.dirname, '..', '..', 'dist', 'dsl', 'tokens.js'))});
if (t.SKIP_VALIDATIONS) throw new Error('checks were skipped');
const r = m.compile('on close where dport == 443 and SmoothedRTT > 1ms print sum(HCDataOctetsOut), count() by comm every 1s sort count() desc limit 3');
if (!r.program) throw new Error(JSON.stringify(r.diagnostics));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { encoding: 'utf8', env: { ...process.env, TCP_ESTATS_GRAMMAR_CHECK: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});

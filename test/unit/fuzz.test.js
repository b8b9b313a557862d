// Hostile programs: random and mutated programs through the lexer, parser,
// checker and compiler. Never a crash or a hang; every rejected program has
// at least one error with a position inside the source; rendering works.
// FUZZ_CASES sets the count (CI default 3000; scripts/fuzz.sh runs 100,000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { compile, renderDiagnostics } from '../../dist/dsl/index.js';

const N = Number(process.env.FUZZ_CASES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2147483647);

function prng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}
const rnd = prng(SEED);
const pick = a => a[Math.floor(rnd() * a.length)];
const int = n => Math.floor(rnd() * n);

const exDir = new URL('../../grammar/examples/', import.meta.url);
const SEEDS = [
  'where dport == 443 print SmoothedRTT',
  'where dport == 443 and SmoothedRTT > 50ms print raddr, SmoothedRTT, CurCwnd',
  'every 1s print laddr, lport, raddr, rport, SmoothedRTT, CurCwnd, rate(HCThruOctetsAcked) as bps sort bps desc limit 10',
  'on retransmit print raddr, rport, SegsRetrans, CurRTO',
  'on close where comm == "curl" print raddr, HCDataOctetsOut, SegsRetrans, ElapsedSecs',
  'on close print sum(HCDataOctetsOut), count() by comm',
  'on rtt where raddr in 10.0.0.0/8 print p50(SampleRTT), p99(SampleRTT), hist(SampleRTT) every 10s',
  'every 5s where port in (80, 443) print avg(SmoothedRTT), max(SmoothedRTT) by raddr',
  'on timeout, congestion print conn, castate, CurCwnd, CurSsthresh',
  'every 2s print Perf.*',
  ...readdirSync(exDir).filter(f => f.endsWith('.te')).map(f => readFileSync(new URL(f, exDir), 'utf8')),
];
const TOKENS = ['where', 'print', 'on', 'by', 'every', 'sort', 'limit', 'asc', 'desc', 'as', 'and', 'or', 'not', 'in',
  '&&', '||', '!', '==', '=', '!=', '<', '<=', '>', '>=', '=~', '+', '-', '*', '/', '%', '(', ')', ',', ';', '.', '\n', '#',
  'SmoothedRTT', 'CurCwnd', 'Perf.*', '*', 'dport', 'raddr', 'comm', 'count()', 'sum(', 'p99(', 'hist(', 'lhist(', 'rate(', 'net(',
  '10.0.0.0/8', '::1', 'fe80::/10', '"x"', '"', '50ms', '1MiB', '5%', '1_000', '0x10', '1e9', '99999999999999999999999', '-1',
  'ESTABLISHED', 'Loss', 'close', 'ack', 'retransmit', 'ç', '\u0000', '\u202e', '\t', '`', '$', '{', '}', '[', ']', '@'];

function mutate(src) {
  const s = [...src];
  const k = 1 + int(4);
  for (let i = 0; i < k; i++) {
    const at = int(s.length + 1);
    switch (int(5)) {
      case 0: s.splice(at, 1 + int(3)); break;
      case 1: s.splice(at, 0, ...pick(TOKENS)); break;
      case 2: s.splice(at, 1, String.fromCharCode(int(0x3000))); break;
      case 3: { const b = int(s.length + 1); s.splice(at, 0, ...s.slice(Math.min(at, b), Math.max(at, b))); break; }
      default: s.splice(at, 0, ' ', ...pick(TOKENS), ' '); break;
    }
  }
  return s.join('');
}
function randomProgram() {
  const n = 1 + int(30);
  return Array.from({ length: n }, () => pick(TOKENS)).join(pick([' ', '', ' ', '\n']));
}

function check(src) {
  let r;
  try { r = compile(src, { file: 'fuzz.te' }); } catch (e) {
    assert.fail(`compile threw on ${JSON.stringify(src.slice(0, 200))} (seed ${SEED}): ${e && e.stack}`);
  }
  const errors = r.diagnostics.filter(d => d.severity === 'error');
  if (!r.program) {
    assert.ok(errors.length > 0, `rejected without an error: ${JSON.stringify(src.slice(0, 200))}`);
  } else {
    assert.equal(errors.length, 0, 'a compiled program has no errors');
  }
  const lines = src.split('\n').length;
  for (const d of r.diagnostics) {
    assert.match(d.code, /^[EW]\d{3}$/, 'stable code');
    assert.ok(d.span.line >= 1 && d.span.line <= lines + 1 && d.span.col >= 1, `position inside the source: ${JSON.stringify(d.span)} for ${JSON.stringify(src.slice(0, 120))}`);
  }
  if (r.diagnostics.length) {
    const text = renderDiagnostics(r.diagnostics, src, 'fuzz.te', false);
    assert.match(text, /fuzz\.te:\d+:\d+/);
  }
  return !!r.program;
}

test(`${N} mutated and random programs (seed ${SEED})`, { timeout: 600000 }, () => {
  let ok = 0;
  for (let i = 0; i < N; i++) if (check(i % 3 === 2 ? randomProgram() : mutate(pick(SEEDS)))) ok++;
  assert.ok(ok > 0 && ok < N, `some mutants compile (${ok}/${N}), most do not`);
});

test('deep nesting, long programs and huge numbers are errors, not crashes', { timeout: 60000 }, () => {
  const deep = n => `where ${'('.repeat(n)}dport == 1${')'.repeat(n)} print SmoothedRTT`;
  assert.equal(check(deep(20)), true, 'modest nesting is fine');
  for (const src of [
    deep(100000),
    `where ${'not '.repeat(100000)}dport == 1 print SmoothedRTT`,
    `where ${'-'.repeat(100000)}1 == 1 print SmoothedRTT`,
    `print ${Array.from({ length: 20000 }, () => 'SmoothedRTT').join(' + ')}`,
    `where dport == 1${'0'.repeat(400)} print SmoothedRTT`,
    'where SmoothedRTT > 1e400ms print SmoothedRTT',
    `print ${'x'.repeat(1 << 20)}`,
    'where dport == 443 print SmoothedRTT\n'.repeat(50000),
  ]) {
    const r = compile(src, { file: 'big.te' });
    assert.ok(r.diagnostics.some(d => d.severity === 'error'), `error for ${src.slice(0, 60)}…`);
    assert.equal(r.program, null);
  }
});

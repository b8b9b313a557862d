// Diagnostics: every code, its place, the rendering, and "all errors at once".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNAVAIL } from './dsl-helpers.js';
import { compile, renderDiagnostics, CODES, diagnosticsJSON } from '../../dist/dsl/index.js';

// [program, expected code, expected message fragment (optional), expected col (optional)]
const CASES = [
  ['where dport == 443 print SmoothedRTT @', 'E001', "unexpected character '@'"],
  ['print comm;'.repeat(1001), 'E003', 'too many statements'],
  ['where comm == "curl print x', 'E002', 'unterminated string'],
  ['where ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))) print x', 'E004'],
  ['print ' + Array(300).fill('SegsOut').join(' + '), 'E004', 'nested too deeply'],
  ['print - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - SegsOut', 'E004'],
  ['where dport == print x', 'E010', "expected an expression, found 'print'"],
  ['print SmoothedRTT CurCwnd', 'E010', "unexpected 'CurCwnd'"],
  ['print (SmoothedRTT', 'E010', "expected ')'"],
  ['where dport == 443', 'E011', 'no print clause'],
  ['on close\non ack print comm', 'E011', 'no print clause'],
  ['where dport == 443 print x where dport == 80', 'E012', "'where' appears twice"],
  ['# only a comment', 'E013'],
  ['where dprt == 443 print SmoothedRTT', 'E101', "unknown variable 'dprt'; did you mean 'dport'?", 7],
  ['print SmothedRTT', 'E101', "unknown variable 'SmothedRTT'; did you mean 'SmoothedRTT'?", 7],
  ['print Perf.SmothedRTT', 'E101', "did you mean 'SmoothedRTT'"],
  ['print TIME_WAIT', 'E101', 'TCP state'],
  ['print foo(SmoothedRTT)', 'E102', "unknown function 'foo'"],
  ['print sumx(SmoothedRTT)', 'E102', "did you mean 'sum'"],
  ['print SmoothedRTT(1)', 'E102', 'not a function'],
  ['on retransmt print x', 'E103', "did you mean 'retransmit'"],
  ['on seed print comm', 'E103'],
  ['print Perff.SmoothedRTT', 'E104', "did you mean 'Perf'"],
  ['print Foo.*', 'E104'],
  ['where state == ESTABLSHED print comm', 'E105', "did you mean 'ESTABLISHED'"],
  ['where castate == "Lost" print comm', 'E105', "did you mean 'Loss'"],
  ['print port', 'E106'],
  ['print count', 'E107'],
  ['print rate(SmoothedRTT, 1)', 'E108'],
  ['print count() , lhist(SampleRTT, 1)', 'E108'],
  ['print net(raddr)', 'E108'],
  ['where Perf.* == 1 print comm', 'E109'],
  ['print Path.SmoothedRTT', 'E110', "'SmoothedRTT' is in the Perf table, not Path"],
  ['where comm == 1 print comm', 'E201', 'cannot compare a string'],
  ['where state == 1 print comm', 'E201'],
  ['where state == castate print comm', 'E201'],
  ['where (dport == 1) and 5 print comm', 'E201'],
  ['where SmoothedRTT > 1MiB print comm', 'E202', 'cannot compare a time'],
  ['print SmoothedRTT + HCDataOctetsOut', 'E202'],
  ['where SegsRetrans > 5ms print comm', 'E203'],
  ['where SmoothedRTT > 5% print comm', 'E203'],
  ['where SmoothedRTT > 50msec print comm', 'E204', "unknown unit 'msec'"],
  ['where HCDataOctetsOut > 1mb print comm', 'E204', "did you mean 'MB'"],
  ['where HCDataOctetsOut > 99999999999999999999 print comm', 'E205', 'too large'],
  ['where raddr in 10.0.0.256/8 print comm', 'E206'],
  ['where raddr in 10.0.0.0/33 print comm', 'E206'],
  ['where raddr == "not an address" print comm', 'E206'],
  ['where dport in (10.0.0.0/8) print comm', 'E206'],
  ['where SmoothedRTT print comm', 'E207', 'where needs a condition'],
  ['where comm =~ "(" print comm', 'E208', 'invalid regular expression'],
  ['where SegsOut =~ "1" print comm', 'E208'],
  ['where comm =~ comm print comm', 'E208'],
  ['where raddr < 10.0.0.1 print comm', 'E209'],
  ['print comm + 1', 'E209'],
  ['where raddr == 10.0.0.0/8 print comm', 'E210', 'use', undefined],
  ['print net(raddr, 33, 200)', 'E211'],
  ['print net(comm, 24)', 'E211'],
  ['print lhist(SampleRTT, 10, 0, 1)', 'E211'],
  ['print lhist(SampleRTT, 0, 10, 0)', 'E211'],
  ['print lhist(SampleRTT, 0, 1s, 1us)', 'E211'],
  ['print raddr, count()', 'E301', 'neither an aggregate nor a by key'],
  ['print rport, count() by raddr', 'E301'],
  ['print *, count()', 'E301'],
  ['where count() > 1 print comm', 'E302', 'not allowed in where'],
  ['print sum(max(SmoothedRTT))', 'E302', 'inside another aggregate'],
  ['print count() by sum(SegsOut)', 'E302'],
  ['print rate(rate(SegsOut))', 'E302'],
  ['print rate(sum(SegsOut))', 'E302'],
  ['print comm by comm', 'E303'],
  ['every 5 print comm', 'E304', 'every needs a duration'],
  ['every 1MiB print comm', 'E304'],
  ['every 0.1us print comm', 'E304'],
  ['every 2d print comm', 'E304'],
  ['print comm limit 1.5', 'E305'],
  ['print comm limit -1', 'E305'],
  ['print comm limit x', 'E305'],
  ['print count() by comm sort SmoothedRTT', 'E306'],
  ['print hist(SampleRTT) + 1', 'E307'],
  ['print hist(SampleRTT) as h sort h', 'E307'],
  ['print stats(SampleRTT) sort stats(SampleRTT)', 'E307'],
  ['print SmoothedRTT, Perf.SmoothedRTT', 'E308', "two columns are named 'SmoothedRTT'"],
  ['print comm as x, dport as x', 'E308'],
  [`print ${UNAVAIL}`, 'W001', 'not available'],
  ['print comm sort comm', 'W002'],
  ['on close, close print comm', 'W003'],
];

for (const [program, code, fragment, col] of CASES) {
  test(`diagnostic ${code}: ${program.slice(0, 60)}`, () => {
    const r = compile(program);
    const d = r.diagnostics.find(x => x.code === code);
    assert.ok(d, `expected ${code}, got ${r.diagnostics.map(x => `${x.code} ${x.message}`).join('; ') || 'nothing'}`);
    if (fragment) assert.ok(d.message.includes(fragment) || (d.hint ?? '').includes(fragment), `${d.message} / ${d.hint}`);
    if (col !== undefined) assert.equal(d.span.col, col);
    if (code.startsWith('E')) assert.equal(r.program, null);
    else assert.ok(r.program, 'a warning keeps the program');
  });
}

test('every code in CODES is covered by a case above', () => {
  const covered = new Set(CASES.map(c => c[1]));
  for (const code of Object.keys(CODES)) assert.ok(covered.has(code), `no test for ${code}`);
});

test('all errors of a program are reported at once', () => {
  const src = 'where dprt == 443 print SmothedRTT, foo(x)\nwhere SegsRetrans > 5ms print comm\nprint (\non bogus print comm';
  const r = compile(src);
  assert.equal(r.program, null);
  assert.deepEqual(r.diagnostics.map(d => [d.code, d.span.line]), [['E101', 1], ['E101', 1], ['E102', 1], ['E203', 2], ['E010', 3], ['E103', 4]]);
});

test('render: file:line:col, source line, caret under the span, hint', () => {
  const src = 'on close print raddr\nwhere dprt == 443 print SmoothedRTT';
  const r = compile(src);
  const text = renderDiagnostics(r.diagnostics, src, 'q.te');
  assert.equal(text, [
    "q.te:2:7: error[E101]: unknown variable 'dprt'; did you mean 'dport'?",
    '  |',
    '2 | where dprt == 443 print SmoothedRTT',
    '  |       ^^^^',
    '1 error',
    '',
  ].join('\n'));
});

test('render: hint line and colour only when asked', () => {
  const src = 'where SmoothedRTT > 1MiB print comm';
  const r = compile(src);
  const plain = renderDiagnostics(r.diagnostics, src, '<expr>');
  assert.match(plain, /= hint: /);
  assert.doesNotMatch(plain, /\x1b\[/);
  assert.match(renderDiagnostics(r.diagnostics, src, '<expr>', true), /\x1b\[/);
});

test('render: tabs keep the caret aligned', () => {
  const src = '\twhere\tdprt == 1 print comm';
  const text = renderDiagnostics(compile(src).diagnostics, src, 'f');
  const lines = text.split('\n');
  const srcLine = lines[2], caret = lines[3];
  assert.equal(caret.indexOf('^'), srcLine.indexOf('dprt'));
});

test('JSON form of diagnostics', () => {
  const src = 'print SmothedRTT';
  const j = diagnosticsJSON(compile(src).diagnostics, src, 'x.te');
  assert.deepEqual(j, [{
    type: 'diagnostic', file: 'x.te', severity: 'error', code: 'E101', message: "unknown variable 'SmothedRTT'; did you mean 'SmoothedRTT'?",
    line: 1, col: 7, endLine: 1, endCol: 17, offset: 6, endOffset: 16, source: src,
  }]);
});

test('spans: multi-line program points at the right line and column', () => {
  const src = 'print comm\n\nwhere    SegsRetrans > 5ms print comm';
  const d = compile(src).diagnostics[0];
  assert.deepEqual([d.code, d.span.line, d.span.col, d.span.endCol], ['E203', 3, 24, 27]);
});

test('a huge program is refused without parsing', () => {
  const r = compile('print comm\n'.repeat(120000));
  assert.equal(r.diagnostics[0].code, 'E003');
  const many = compile('print comm;'.repeat(1001));
  assert.equal(many.diagnostics[0].code, 'E003');
});

test('deep nesting is an error, not a stack overflow', () => {
  const r = compile('where ' + '('.repeat(100000) + '1' + ')'.repeat(100000) + ' print comm');
  assert.equal(r.diagnostics[0].code, 'E004');
  const r2 = compile('where ' + 'not '.repeat(100000) + 'SegsOut > 1 print comm');
  assert.equal(r2.diagnostics[0].code, 'E004');
});

// Program-level API: statements, events, kernel pushdown, plan(), examples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { compile } from '../../dist/dsl/index.js';
import { mustCompile, UNAVAIL } from './dsl-helpers.js';

const EXAMPLES = new URL('../../grammar/examples/', import.meta.url);

test('every grammar/examples/*.te compiles without errors or warnings', () => {
  const files = readdirSync(EXAMPLES).filter(f => f.endsWith('.te'));
  assert.ok(files.length >= 14);
  for (const f of files) {
    const src = readFileSync(new URL(f, EXAMPLES), 'utf8');
    const r = compile(src, { file: f });
    assert.deepEqual(r.diagnostics.map(d => `${d.code} ${d.message}`), [], f);
    assert.ok(r.program, f);
  }
});

const STMT = [
  // [program, [{mode, everyMs}…]]
  ['where dport == 443 print SmoothedRTT', [{ mode: 'change', everyMs: null }]],
  ['every 1s print comm', [{ mode: 'snapshot', everyMs: 1000 }]],
  ['every 500ms print count()', [{ mode: 'snapshot', everyMs: 500 }]],
  ['on close print comm', [{ mode: 'event', everyMs: null }]],
  ['on rtt print count() every 10s', [{ mode: 'event', everyMs: 10000 }]],
  ['print count() by comm', [{ mode: 'event', everyMs: null }]],
  ['print comm every 1.5m; on close print comm', [{ mode: 'snapshot', everyMs: 90000 }, { mode: 'event', everyMs: null }]],
];
for (const [src, want] of STMT) {
  test(`statements: ${src}`, () => {
    const p = mustCompile(src);
    assert.deepEqual(p.statements.map(s => ({ mode: s.mode, everyMs: s.everyMs })), want);
    p.statements.forEach((s, i) => assert.equal(s.index, i));
  });
}

test('Statement.text is the statement source without comments', () => {
  const p = mustCompile('on close   # closing\n    print comm ; every 1s print count()');
  assert.deepEqual(p.statements.map(s => s.text), ['on close print comm', 'every 1s print count()']);
});

const EVENTS = [
  ['on close print comm', ['close']],
  ['on timeout, congestion print comm\non close print comm', ['timeout', 'congestion', 'close']],
  ['on close print comm\nwhere dport == 1 print comm', null],
  ['on close print comm\nevery 1s print comm', null],
  ['print count()', null],
  ['on open, established, state, ack, rtt, retransmit, timeout, congestion, reset, close print comm',
    ['open', 'established', 'state', 'ack', 'rtt', 'retransmit', 'timeout', 'congestion', 'reset', 'close']],
  ['ON Close, RESET print comm', ['close', 'reset']],
];
for (const [src, want] of EVENTS) {
  test(`events: ${src.replace(/\n/g, ' / ')}`, () => {
    const e = mustCompile(src).events;
    assert.deepEqual(e === null ? null : [...e], want);
  });
}

const PUSH = [
  // [program, pushdown]
  ['where dport == 443 print comm', { lports: null, rports: [443], ports: null, family: null }],
  ['where sport == 22 print comm', { lports: [22], rports: null, ports: null, family: null }],
  ['where lport in (80, 443) and rport == 5 print comm', { lports: [80, 443], rports: [5], ports: null, family: null }],
  ['where port in (80, 443) print comm', { lports: null, rports: null, ports: [80, 443], family: null }],
  ['where port == 80 and family == 6 print comm', { lports: null, rports: null, ports: [80], family: 6 }],
  ['where 443 == dport print comm', { lports: null, rports: [443], ports: null, family: null }],
  ['where dport in (80, 443) and dport in (443, 8443) print comm', { lports: null, rports: [443], ports: null, family: null }],
  ['where dport == 443 or dport == 80 print comm', { lports: null, rports: [80, 443], ports: null, family: null }],
  ['where dport == 443 or sport == 80 print comm', { lports: null, rports: null, ports: [80, 443], family: null }],
  ['where dport == 443 or SmoothedRTT > 5 print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where not dport == 443 print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where dport != 443 print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where port != 443 print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where dport == 70000 print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where dport == 443 print comm\non close where dport == 80 print comm', { lports: null, rports: [80, 443], ports: null, family: null }],
  ['where dport == 443 print comm\non close where lport == 80 print comm', { lports: null, rports: null, ports: [80, 443], family: null }],
  ['where dport == 443 print comm\non close print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where family == 4 print comm\nwhere family == 6 print comm', { lports: null, rports: null, ports: null, family: null }],
  ['where family == 4 and dport == 1 print comm\nwhere family == 4 print comm', { lports: null, rports: null, ports: null, family: 4 }],
];
for (const [src, want] of PUSH) {
  test(`pushdown: ${src.replace(/\n/g, ' / ')}`, () => {
    assert.deepEqual(mustCompile(src).pushdown, want);
  });
}

test('plan() names each statement, its mode, events, columns and kernel filter', () => {
  const p = mustCompile('print count() as n, max(CurRTO) by comm every 10s sort n desc limit 5 on retransmit where dport == 443\nevery 2s print Perf.SmoothedRTT');
  const plan = p.plan();
  assert.match(plan, /^statement 1 \(line 1\): on retransmit where dport == 443 print count\(\) as n, max\(CurRTO\) by comm every 10s sort n desc limit 5$/m);
  assert.match(plan, /mode: +event: one row per retransmit event, aggregated and emitted every 10s/);
  assert.match(plan, /columns: comm, n \[count\], max\(CurRTO\) \[ms\]/);
  assert.match(plan, /sort: +n desc, limit 5/);
  assert.match(plan, /kernel filter \(this statement\): rport in \(443\)/);
  assert.match(plan, /^statement 2 \(line 2\): print Perf.SmoothedRTT every 2s$/m);
  assert.match(plan, /snapshot: every 2s, one row per live socket/);
  // the snapshot statement needs no events from sockets of the own namespace: only the retransmits of statement 1
  assert.match(plan, /^program: events all \(sockets of this network namespace: retransmit, close, as snapshot statements refresh them before each tick\); kernel filter: none \(every socket\)$/m);
  assert.equal(p.ownNetnsEventMask, 1 << 6, 'retransmit (close and seed are added by the loader)');
  assert.equal(mustCompile('every 1s print SmoothedRTT').ownNetnsEventMask, 0, 'snapshot statements alone: close only');
  assert.equal(mustCompile('every 1s print SmoothedRTT\nprint SegsOut').ownNetnsEventMask, null, 'a statement that sees every event: all');
  assert.equal(mustCompile('on close print SegsOut').ownNetnsEventMask, mustCompile('on close print SegsOut').eventMask, 'no snapshot statement: the same mask');
});

test('warnings keep the program, errors drop it', () => {
  const w = compile(`print ${UNAVAIL}`);
  assert.ok(w.program);
  assert.deepEqual(w.diagnostics.map(d => [d.severity, d.code]), [['warning', 'W001']]);
  const e = compile(`print ${UNAVAIL}, nope`);
  assert.equal(e.program, null);
  assert.deepEqual(e.diagnostics.map(d => d.code), ['W001', 'E101']);
});

test('compile never throws on odd input', () => {
  const odd = ['', ' ', ';;;', '\n\n', '#', 'print', 'print ,', 'print ()', 'on', 'where (', ')', 'print "', "print '",
    'print 1.2.3.4.5', 'print ::', 'print 1::2::3', 'print a.b.c', 'print Perf.', 'print .5', 'print 5.', 'print 1__0',
    'print 0x10', 'print 1e5', 'print -', 'print !', 'print not', 'print in', 'print as', 'print x as', 'print x as 5',
    'print sort', 'print limit', 'every', 'limit 5 print comm limit 6', 'print comm\u0000', 'print \u00e9t\u00e9',
    'print count() by', 'print p(x)', 'print p1x(SampleRTT)', 'sort x desc asc print comm', 'print lhist(SampleRTT,0,1,"a")',
    'where raddr in () print comm', 'where raddr in (1) print comm', 'print net(raddr, -1)', 'print rate()', 'print hist()',
    'where port print comm', 'where port in port print comm', 'print comm where comm =~ ""', 'print "a" == "a"'];
  for (const src of odd) {
    const r = compile(src);
    assert.ok(Array.isArray(r.diagnostics), src);
    assert.ok(r.program !== null || r.diagnostics.some(d => d.severity === 'error'), `no program and no error: ${src}`);
  }
});

test('compile never throws on random token soup', () => {
  const words = ['on', 'where', 'print', 'by', 'every', 'sort', 'limit', 'asc', 'desc', 'as', 'and', 'or', 'not', 'in', '(', ')', ',', ';', '\n',
    '==', '=', '!=', '<', '>=', '=~', '!', '&&', '||', '+', '-', '*', '/', '%', '.', 'SmoothedRTT', 'comm', 'port', 'raddr', 'Perf', 'count', 'sum',
    'rate', 'net', 'p99', 'hist', 'lhist', '1', '50ms', '1MiB', '10%', '"x"', '10.0.0.0/8', '::1', 'close', 'ESTABLISHED', 'Loss', '1s'];
  let seed = 12345;
  const rnd = n => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  for (let i = 0; i < 1500; i++) {
    const len = 1 + rnd(14);
    const src = Array.from({ length: len }, () => words[rnd(words.length)]).join(' ');
    const r = compile(src);
    assert.ok(r.program !== null || r.diagnostics.some(d => d.severity === 'error'), src);
  }
});

test('docs/LANGUAGE.md lists every diagnostic code', async () => {
  const { CODES } = await import('../../dist/dsl/index.js');
  const doc = readFileSync(new URL('../../docs/LANGUAGE.md', import.meta.url), 'utf8');
  for (const [code, text] of Object.entries(CODES)) assert.ok(doc.includes(`| ${code} | ${code[0] === 'E' ? 'error' : 'warning'} | ${text} |`), code);
});

test('expansions never duplicate a column', () => {
  const cols = p => mustCompile(p) && compile(p).program.statements.length;
  assert.equal(cols('print SmoothedRTT, Perf.*'), 1);
  assert.equal(cols('print Perf.*, SmoothedRTT'), 1);
  assert.equal(cols('print Perf.*, Path.*, *'), 1);
  assert.equal(compile('print Perf.*, comm as SmoothedRTT').diagnostics[0].code, 'E308');
});

test('grammar/railroad.html is generated from the current parser', async () => {
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, [new URL('../../grammar/gen-railroad.mjs', import.meta.url).pathname, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const html = readFileSync(new URL('../../grammar/railroad.html', import.meta.url), 'utf8');
  assert.match(html, /GENERATED by grammar\/gen-railroad\.mjs.*DO NOT EDIT/);
  assert.doesNotMatch(html, /https?:\/\/unpkg/);
});

// The kernel side sends only the event kinds in eventMask (bit 1 << kind; 0 = all).
test('eventMask: the kinds every statement needs; 0 (all) when one statement takes every event', async () => {
  const { EV } = await import('../../dist/stream/layout.generated.js');
  const mask = src => mustCompile(src).eventMask;
  assert.equal(mask('on close print count()'), 1 << EV.CLOSE);
  assert.equal(mask('on open, close print count()'), (1 << EV.OPEN) | (1 << EV.CLOSE));
  assert.equal(mask('on retransmit print SegsRetrans\non timeout print Timeouts'), (1 << EV.RETRANSMIT) | (1 << EV.TIMEOUT));
  assert.equal(mask('on close print count()\nwhere dport == 443 print SmoothedRTT'), 0, 'a statement without on takes every event');
  assert.equal(mask('every 1s print SmoothedRTT'), 0, 'snapshots read the table, which other namespaces keep current only through events');
});

// Output formats through the real CLI on a synthetic recording (no kernel, no
// root): JSON schema 1 (docs/JSON-SCHEMA.md), CSV, text; data on stdout only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fixture, recording, run, lines, TMP, EVIL_COMM, BIN } from './helpers.js';

const REC = fixture();
const RFC3339_US = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const BOOT_OFFSET_S = 1_780_000_000; // helpers.js BOOT_OFFSET, in s

test('json: every line has a type; rows are flat with numbers, addresses as strings, RFC 3339 µs time and mono', () => {
  const r = run(['--replay', REC, '-e', 'where cookie == "1" or cookie == "2" print SmoothedRTT, CurCwnd, raddr, state']);
  assert.equal(r.code, 0, r.stderr);
  const rows = lines(r.stdout);
  assert.ok(rows.length > 10);
  for (const o of rows) {
    assert.equal(o.type, 'row');
    assert.match(o.time, RFC3339_US);
    assert.equal(typeof o.mono, 'number');
    // the two clocks name the same instant (to the µs)
    assert.ok(Math.abs(Date.parse(o.time) / 1000 - (o.mono + BOOT_OFFSET_S)) < 0.002, `${o.time} vs ${o.mono}`);
    for (const k of ['laddr', 'raddr', 'comm', 'cookie', 'event', 'state']) assert.equal(typeof o[k], 'string', k);
    for (const k of ['lport', 'rport', 'pid', 'SmoothedRTT', 'CurCwnd']) assert.equal(typeof o[k], 'number', k);
    assert.ok(!('stmt' in o), 'no stmt key with one statement');
  }
  const v6 = rows.find(o => o.cookie === '2');
  assert.equal(v6.laddr, '::1');
  assert.equal(v6.raddr, 'fe80::1');
  assert.equal(v6.SmoothedRTT, 40, 'exact value in the RFC unit (ms)');
  const a = rows.find(o => o.cookie === '1' && o.event === 'ack');
  assert.equal(a.laddr, '10.0.0.1');
  assert.equal(a.CurCwnd, 20 * 1448, 'octets, not KiB');
});

test('json: snapshot rows of one tick share the tick time and say event "tick"', () => {
  const r = run(['--replay', REC, '-e', 'every 1s print conn, HCThruOctetsAcked']);
  assert.equal(r.code, 0, r.stderr);
  const rows = lines(r.stdout);
  const times = [...new Set(rows.map(o => o.time))];
  assert.equal(times.length, 3, `three ticks in 3 s: ${times}`);
  for (const t of times) assert.match(t, /:2[123]\.000000Z$/, 'on the 1 s grid');
  assert.ok(rows.every(o => o.event === 'tick'));
});

test('json: agg lines, hist as bucket arrays, stats as objects, stmt numbers with several statements', () => {
  const r = run(['--replay', REC, '-e', 'on ack print count(), hist(SmoothedRTT), stats(CurCwnd) by comm', '-e', 'on close print raddr']);
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const aggs = out.filter(o => o.type === 'agg');
  assert.equal(aggs.length, 3, 'one group per comm (the listener has no ack)');
  for (const g of aggs) {
    assert.equal(g.stmt, 1);
    assert.match(g.time, RFC3339_US);
    assert.equal(g['hist(SmoothedRTT)'].kind, 'hist');
    assert.ok(Array.isArray(g['hist(SmoothedRTT)'].buckets));
    for (const b of g['hist(SmoothedRTT)'].buckets) assert.deepEqual(Object.keys(b), ['lo', 'hi', 'count']);
    assert.deepEqual(Object.keys(g['stats(CurCwnd)']), ['count', 'avg', 'min', 'max']);
  }
  const curl = aggs.find(g => g.comm === 'curl');
  assert.equal(curl['count()'], 30);
  assert.deepEqual(curl['hist(SmoothedRTT)'].buckets.map(b => [b.lo, b.hi, b.count]), [[1, 2, 30]]);
  const close = out.filter(o => o.type === 'row');
  assert.equal(close.length, 1);
  assert.equal(close[0].stmt, 2);
  assert.equal(close[0].event, 'close');
});

test('json: a column named like an envelope key keeps both (time_); kernel strings are exact but terminal-safe', () => {
  const r = run(['--replay', REC, '-e', 'on close print time, comm']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!/[\u0000-\u001f\u007f-\u009f]/.test(r.stdout.replace(/\n/g, '')), 'no raw control character in the output');
  assert.ok(r.stdout.includes('\\u001b') && r.stdout.includes('\\u009b'), 'escaped by JSON');
  const [o] = lines(r.stdout);
  assert.match(o.time, RFC3339_US);
  assert.equal(typeof o.time_, 'number');
  assert.equal(o.comm, EVIL_COMM, 'exact after parsing');
});

test('csv: one header per statement, RFC 4180 quoting, same columns on every line', () => {
  const r = run(['--replay', REC, '-f', 'csv', '-e', 'every 1s where comm != "curl" print conn, comm, SegsRetrans']);
  assert.equal(r.code, 0, r.stderr);
  const ls = r.stdout.trimEnd().split('\n');
  assert.equal(ls[0], 'type,time,mono,event,laddr,lport,raddr,rport,pid,cookie,conn,comm,SegsRetrans', 'comm printed once, as the column');
  assert.equal(ls.filter(l => l.startsWith('type,')).length, 1);
  const ssh = ls.filter(l => l.includes('fe80::1'));
  assert.equal(ssh.length, 3);
  assert.ok(ssh[0].includes(',"ssh,""x""",'), `quoted: ${ssh[0]}`);
  assert.ok(ls.some(l => l.includes(',e\\x1b[2J\\x9bx,')), 'control characters escaped');
  // a tiny RFC 4180 reader: every line has as many fields as the header
  const fields = l => { const out = []; let cur = '', q = false; for (let i = 0; i < l.length; i++) { const c = l[i]; if (q) { if (c === '"' && l[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') q = false; else cur += c; } else if (c === '"') q = true; else if (c === ',') { out.push(cur); cur = ''; } else cur += c; } out.push(cur); return out; };
  const n = fields(ls[0]).length;
  for (const l of ls) assert.equal(fields(l).length, n, l);
  assert.equal(fields(ssh[0])[11], 'ssh,"x"');
});

test('csv: several statements get a stmt column and a header each', () => {
  const r = run(['--replay', REC, '-f', 'csv', '-e', 'on close print raddr', '-e', 'on ack print count()']);
  assert.equal(r.code, 0, r.stderr);
  const ls = r.stdout.trimEnd().split('\n');
  assert.deepEqual(ls.filter(l => l.startsWith('stmt,')), ['stmt,type,time,mono,event,laddr,lport,rport,pid,comm,cookie,raddr', 'stmt,type,time,mono,count()']);
  assert.equal(ls.filter(l => l.startsWith('stmt,')).length, 2);
  assert.ok(ls.some(l => /^1,row,/.test(l)));
  assert.ok(ls.some(l => /^2,agg,.*,86$/.test(l)), r.stdout);
});

test('text: aligned columns, units in the header, human times and sizes, no colour when piped', () => {
  const r = run(['--replay', REC, '-f', 'text', '-e', 'where cookie == "1" print SmoothedRTT, CurCwnd, HCThruOctetsAcked, SegsRetrans, SndLimPctCwnd']);
  assert.equal(r.code, 0, r.stderr);
  const ls = r.stdout.trimEnd().split('\n');
  assert.match(ls[0], /^TIME +EVENT +COMM +PID +CONN +SmoothedRTT +CurCwnd +HCThruOctetsAcked +SegsRetrans\(segments\) +SndLimPctCwnd$/);
  assert.match(r.stdout, / 1\.5ms /);
  assert.match(r.stdout, / 28\.3KiB /);
  assert.match(r.stdout, / 28\.6MiB /, 'HCThruOctetsAcked 30 MB');
  const col = ls[0].indexOf('CurCwnd') + 'CurCwnd'.length;
  for (const l of ls.slice(1)) assert.equal(l.slice(col - 7, col), '28.3KiB', `right-aligned under its header: ${l}`);
  assert.ok(!r.stdout.includes('\u001b'), 'no escape codes when piped');
});

test('text: kernel strings cannot reach the terminal raw; --color forces colour, --no-color and NO_COLOR remove it', () => {
  const plain = run(['--replay', REC, '-f', 'text', '-e', 'on close print comm']);
  assert.ok(plain.stdout.includes('e\\x1b[2J\\x9bx'));
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(plain.stdout));
  const forced = run(['--replay', REC, '-f', 'text', '--color', '-e', 'on close print comm']);
  assert.ok(forced.stdout.includes('\u001b[1m'), 'bold header');
  assert.ok(forced.stdout.includes('e\\x1b[2J\\x9bx'), 'still escaped');
  const noenv = run(['--replay', REC, '-f', 'text', '--color', '-e', 'on close print comm'], { env: { NO_COLOR: '1' } });
  assert.ok(noenv.stdout.includes('\u001b[1m'), '--color wins over NO_COLOR');
  const off = run(['--replay', REC, '-f', 'text', '--no-color', '-e', 'on close print comm']);
  assert.ok(!off.stdout.includes('\u001b'));
});

test('text: hist as a bar chart, stats on one line', () => {
  const r = run(['--replay', REC, '-f', 'text', '-e', 'on ack where comm == "curl" print hist(SmoothedRTT), stats(SmoothedRTT)']);
  assert.equal(r.code, 0, r.stderr);
  // (humanised as 1.52ms / [1ms, 2ms) once the language gives hist/stats columns their unit)
  assert.match(r.stdout, /\nn=30 avg=1\.52?\d*(ms)? min=1\.50?1?(ms)? max=1\.53(ms)?\n/);
  assert.match(r.stdout, /hist\(SmoothedRTT\):\n\[1(ms)?, 2(ms)?\) 30 \|@{40}\|/);
});

test('stdout carries data only: warnings and the lost-event summary go to stderr (JSON lines with -f json)', () => {
  const t = run(['--replay', REC, '-e', 'on close print raddr']);
  assert.equal(t.code, 0);
  assert.equal(lines(t.stdout).length, 1);
  assert.match(t.stderr, /^tcp-estats: warning: the recording lost 7 events/m);
  assert.match(t.stderr, /^tcp-estats: warning: saw 89 events, lost 7/m);
  const j = run(['--replay', REC, '-f', 'json', '-e', 'on close print raddr']);
  const msgs = lines(j.stderr);
  assert.ok(msgs.length >= 2);
  assert.ok(msgs.every(m => m.type === 'warning' && typeof m.message === 'string'));
  assert.deepEqual(msgs.at(-1), { type: 'warning', message: msgs.at(-1).message, events: 89, lost: 7 });
});

test('-o FILE: data to the file (json by default), nothing on stdout', () => {
  const file = join(TMP, 'out.json');
  const r = run(['--replay', REC, '-o', file, '-e', 'on close print raddr']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const rows = lines(readFileSync(file, 'utf8'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].raddr, '10.0.0.9');
  const csv = join(TMP, 'out.csv');
  assert.equal(run(['--replay', REC, '-o', csv, '-f', 'csv', '-e', 'on close print raddr']).code, 0);
  assert.match(readFileSync(csv, 'utf8'), /^type,time,/);
});

test('-o into a full device: exit 1, says so', () => {
  const r = run(['--replay', REC, '-o', '/dev/full', '-e', 'print SmoothedRTT']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot write the output: no space left on the device \(ENOSPC\)/);
});

test('-d with --replay: only the first part of the recording', () => {
  const all = lines(run(['--replay', REC, '-e', 'where cookie == "1" print HCThruOctetsAcked']).stdout);
  const part = lines(run(['--replay', REC, '-d', '1s', '-e', 'where cookie == "1" print HCThruOctetsAcked']).stdout);
  assert.equal(all.length, 31);
  assert.equal(part.length, 11, '0 … 1000 ms');
  assert.equal(part.at(-1).HCThruOctetsAcked, 10_000_000);
});

test('-p, --cgroup (id), -4 and -6 select sockets (in user space on replay)', () => {
  const cookies = args => [...new Set(lines(run(['--replay', REC, ...args, '-e', 'print cookie']).stdout).map(o => o.cookie))].sort();
  assert.deepEqual(cookies([]), ['1', '2', '3', '4']);
  assert.deepEqual(cookies(['-p', '200']), ['2']);
  assert.deepEqual(cookies(['-p', '100,400']), ['1', '4']);
  assert.deepEqual(cookies(['-p', '100', '-p', '300']), ['1', '3']);
  assert.deepEqual(cookies(['--cgroup', '11']), ['1', '3']);
  assert.deepEqual(cookies(['--cgroup', '11', '--cgroup', '33']), ['1', '3', '4']);
  assert.deepEqual(cookies(['-6']), ['2']);
  assert.deepEqual(cookies(['-4', '-p', '200']), []);
});

test('no program, not a terminal: the built-in view as JSON rows, one batch per interval, sorted by throughput', () => {
  const r = run(['--replay', REC, '--interval', '500ms']);
  assert.equal(r.code, 0, r.stderr);
  const rows = lines(r.stdout);
  const batches = Map.groupBy ? Map.groupBy(rows, o => o.time) : rows.reduce((m, o) => m.set(o.time, [...(m.get(o.time) ?? []), o]), new Map());
  assert.equal(batches.size, 6, '3 s / 500 ms');
  for (const b of batches.values()) {
    const t = b.map(o => o.throughput);
    assert.deepEqual(t, [...t].sort((x, y) => y - x), 'sorted by throughput, descending');
    assert.ok(b.every(o => o.state !== 'LISTEN'), 'listeners are not connections');
  }
  assert.deepEqual(Object.keys(rows[0]).slice(11), ['conn', 'state', 'SmoothedRTT', 'CurCwnd', 'throughput', 'SegsRetrans', 'SndLimPctSender', 'SndLimPctRwin', 'SndLimPctCwnd']);
  assert.equal(rows[0].comm, 'curl');
  assert.equal(rows[0].throughput, 10_000_000, '1 MB per 100 ms');
  const b1 = rows.find(o => o.cookie === '2');
  assert.ok(b1.SndLimPctRwin > 80, 'the receive window limits B');
});

test('--dry-run without a program prints the built-in program and loads nothing', () => {
  const r = run(['--dry-run', '--interval', '2s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^built-in live view: tcp-estats -e 'every 2s where state != LISTEN print conn, state, comm, pid, SmoothedRTT, CurCwnd, rate\(HCThruOctetsAcked\) as throughput, SegsRetrans, SndLimPctSender, SndLimPctRwin, SndLimPctCwnd sort throughput desc'/);
  assert.match(r.stdout, /snapshot: every 2s/);
});

test('| head -1 on a replay: ends at once, status 0, no "write EPIPE"', () => {
  // 5000 rows: more than a pipe holds, so the tool does write into the closed pipe
  const big = recording('big.tes', Array.from({ length: 5000 }, (_, i) => ({ t: i, cookie: 1 + (i % 50), acked: i })), { lost: 1 });
  const r = spawnSync('sh', ['-c', `( "${process.execPath}" "${BIN}" --replay "${big}" -e 'print HCThruOctetsAcked'; echo "tool $?" >&2 ) | head -1`], { encoding: 'utf8', timeout: 20000 });
  assert.equal(lines(r.stdout).length, 1);
  assert.equal(r.stderr, 'tool 0\n', 'nothing but the status: no EPIPE, no lost-event summary of a cut-short run');
});

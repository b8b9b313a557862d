// where, print and change mode: (program, input events, expected rows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps, rowsOf, colsOf, EV, UNAVAIL } from './dsl-helpers.js';

const A = { cookie: 1, saddr: '10.0.0.1', sport: 40000, daddr: '10.1.2.3', dport: 443, owner_comm: 'curl' };
const B = { cookie: 2, saddr: '10.0.0.1', sport: 40001, daddr: '192.168.1.9', dport: 80, owner_comm: 'wget' };
const C = { cookie: 3, family: 6, saddr: '::1', sport: 5000, daddr: 'fe80::1', dport: 8443, owner_comm: 'nginx' };

const ev = (base, extra = {}) => ({ ev: { ...base, ...extra } });

const CASES = [
  // [name, program, steps, expected rows]
  ['example 1: where dport == 443 print SmoothedRTT (each new SRTT once)', 'where dport == 443 print SmoothedRTT',
    [ev(A, { srtt_ms: 10 }), ev(A, { srtt_ms: 10 }), ev(B, { srtt_ms: 10 }), ev(A, { srtt_ms: 12 }), ev(A, { srtt_ms: 12 })],
    [[10], [12]]],
  ['example 2: and with a unit', 'where dport == 443 and SmoothedRTT > 50ms print raddr, SmoothedRTT, CurCwnd',
    [ev(A, { srtt_ms: 40, snd_cwnd: 10, mss_cache: 1448 }), ev(A, { srtt_ms: 60, snd_cwnd: 10, mss_cache: 1448 }), ev(B, { srtt_ms: 90 })],
    [['10.1.2.3', 60, 14480]]],
  ['= is ==', 'where dport = 80 print comm', [ev(A), ev(B)], [['wget']]],
  ['!=', 'where dport != 80 print comm', [ev(A), ev(B), ev(C)], [['curl'], ['nginx']]],
  ['< <= > >=', 'where lport >= 40001 and lport <= 40001 and dport < 81 and dport > 79 print comm', [ev(A), ev(B)], [['wget']]],
  ['or', 'where dport == 80 or comm == "nginx" print comm', [ev(A), ev(B), ev(C)], [['wget'], ['nginx']]],
  ['|| && !', 'where !(dport == 80) && (comm == "curl" || comm == "nginx") print comm', [ev(A), ev(B), ev(C)], [['curl'], ['nginx']]],
  ['not binds looser than ==', 'where not dport == 80 print comm', [ev(A), ev(B)], [['curl']]],
  ['and binds tighter than or', 'where comm == "wget" or comm == "curl" and dport == 80 print comm', [ev(A), ev(B)], [['wget']]],
  ['parentheses', 'where (comm == "wget" or comm == "curl") and dport == 80 print comm', [ev(A), ev(B)], [['wget']]],
  ['aliases saddr/sport/daddr/dport', 'where saddr == 10.0.0.1 and sport == 40000 print daddr, dport', [ev(A), ev(B)], [['10.1.2.3', 443]]],
  ['laddr/lport/raddr/rport', 'where raddr == 192.168.1.9 print laddr, lport, raddr, rport', [ev(A), ev(B)], [['10.0.0.1', 40001, '192.168.1.9', 80]]],
  ['IPv6 literal', 'where raddr == fe80::1 print comm, family', [ev(A), ev(C)], [['nginx', 6]]],
  ['address as a string', 'where raddr == "10.1.2.3" print comm', [ev(A), ev(B)], [['curl']]],
  ['family', 'where family == 6 print laddr', [ev(A), ev(C)], [['::1']]],
  ['conn', 'where comm == "curl" or comm == "nginx" print conn', [ev(A), ev(C)], [['10.0.0.1:40000>10.1.2.3:443'], ['[::1]:5000>[fe80::1]:8443']]],
  ['port matches either end', 'where port == 5000 print comm', [ev(A), ev(B), ev(C)], [['nginx']]],
  ['port on the right', 'where 443 == port print comm', [ev(A), ev(B)], [['curl']]],
  ['port != means neither end', 'where port != 443 print comm', [ev(A), ev(B)], [['wget']]],
  ['port < (either end)', 'where port < 1000 print comm', [ev(A), ev(B), ev(C)], [['curl'], ['wget']]],
  ['state name', 'where state == ESTABLISHED print comm', [ev(A, { state: 1 }), ev(B, { state: 8 })], [['curl']]],
  ['state name on the left, case-insensitive', 'where close_wait == state print comm, state', [ev(A, { state: 1 }), ev(B, { state: 8 })], [['wget', 'CLOSE_WAIT']]],
  ['state name as a string', 'where state == "time_wait" print comm', [ev(A, { state: 6 }), ev(B, { state: 1 })], [['curl']]],
  ['castate', 'where castate == Recovery print comm, castate', [ev(A, { castate: 3 }), ev(B, { castate: 0 })], [['curl', 'Recovery']]],
  ['event field', 'where event == close print comm', [ev(A, { event: 'ack' }), ev(A, { event: 'close' })], [['curl']]],
  ['event field: state is an event name there', 'where event == state print oldstate, state', [ev(A, { event: 'state', oldstate: 2, state: 1 })], [['SYN_SENT', 'ESTABLISHED']]],
  ['pid, comm, cgroup, cc', 'where pid == 42 print comm, cgroup, cc', [ev(A, { owner_pid: 42, cgroup_id: 7, cc: 'cubic' }), ev(B)], [['curl', 7, 'cubic']]],
  ['cookie with a number', 'where cookie == 2 print comm', [ev(A), ev(B)], [['wget']]],
  ['time', 'where time > 1000 print comm', [ev(A, { ts_ns: 500 }), ev(B, { ts_ns: 5000 })], [['wget']]],
  ['bare number in the variable unit', 'where SmoothedRTT > 50 print comm', [ev(A, { srtt_ms: 40 }), ev(B, { srtt_ms: 60 })], [['wget']]],
  ['us literal against ms', 'where SmoothedRTT < 100us print comm, SmoothedRTT', [ev(A, { srtt_ms: 0.061 }), ev(B, { srtt_ms: 0.2 })], [['curl', 0.061]]],
  ['s literal against ms', 'where SmoothedRTT >= 1.5s print comm', [ev(A, { srtt_ms: 1499 }), ev(B, { srtt_ms: 1500 })], [['wget']]],
  ['size literal', 'where HCDataOctetsOut > 1MiB print comm', [ev(A, { bytes_sent: 1048576 }), ev(B, { bytes_sent: 1048577 })], [['wget']]],
  ['KB is 1000', 'where HCDataOctetsOut >= 2KB print comm', [ev(A, { bytes_sent: 1999 }), ev(B, { bytes_sent: 2000 })], [['wget']]],
  ['underscores', 'where HCDataOctetsOut >= 1_000_000 print comm', [ev(A, { bytes_sent: 999999 }), ev(B, { bytes_sent: 1000000 })], [['wget']]],
  ['table prefix, case-insensitive name', 'where perf.smoothedrtt > 5 print Perf.SmoothedRTT', [ev(A, { srtt_ms: 6 })], [[6]]],
  ['column names: RFC spelling and as', 'where comm == "curl" print smoothedrtt, dport as port_, comm as "who"', [ev(A, { srtt_ms: 1 })], [[1, 443, 'curl']]],
  ['arithmetic', 'where comm == "curl" print SegsOut + 1, SegsOut - 1, SegsOut * 2, SegsOut / 4, SegsOut % 3, -SegsOut', [ev(A, { segs_out: 10 })], [[11, 9, 20, 2.5, 1, -10]]],
  ['division by zero is null', 'where comm == "curl" print SegsOut / SegsIn', [ev(A, { segs_out: 10 })], [[null]]],
  ['precedence * over +', 'where comm == "curl" print 1 + SegsOut * 2', [ev(A, { segs_out: 10 })], [[21]]],
  ['ms + us converts', 'where comm == "curl" print SmoothedRTT + 500us', [ev(A, { srtt_ms: 1 })], [[1.5]]],
  ['size / time is per second', 'where HCDataOctetsOut / ElapsedMicroSecs > 1MB print comm, HCDataOctetsOut / ElapsedMicroSecs as bps',
    [ev(A, { bytes_sent: 3000, start_ns: 1e9, tcp_mstamp_us: 1e6 + 1000 }), ev(B, { bytes_sent: 500, start_ns: 1e9, tcp_mstamp_us: 1e6 + 1000 })], [['curl', 3000000]]],
  ['a condition as a column', 'where comm == "curl" print SegsOut > 5 as big', [ev(A, { segs_out: 10 })], [[true]]],
  ['in list of numbers', 'where dport in (80, 8443) print comm', [ev(A), ev(B), ev(C)], [['wget'], ['nginx']]],
  ['not in', 'where dport not in (80, 8443) print comm', [ev(A), ev(B), ev(C)], [['curl']]],
  ['in list of strings', 'where comm in ("curl", "nginx") print dport', [ev(A), ev(B), ev(C)], [[443], [8443]]],
  ['in CIDR', 'where raddr in 10.0.0.0/8 print comm', [ev(A), ev(B), ev(C)], [['curl']]],
  ['in list of CIDRs', 'where raddr in (10.0.0.0/8, 192.168.0.0/16) print comm', [ev(A), ev(B), ev(C)], [['curl'], ['wget']]],
  ['IPv6 CIDR', 'where raddr in fe80::/10 print comm', [ev(A), ev(C)], [['nginx']]],
  ['IPv4-mapped IPv6 matches an IPv4 prefix', 'where raddr in 10.0.0.0/8 print comm', [ev({ ...C, daddr: '::ffff:a01:203' })], [['nginx']]],
  ['not in CIDR', 'where raddr not in 10.0.0.0/8 print comm', [ev(A), ev(B)], [['wget']]],
  ['port in', 'where port in (80, 5000) print comm', [ev(A), ev(B), ev(C)], [['wget'], ['nginx']]],
  ['port not in', 'where port not in (80, 5000) print comm', [ev(A), ev(B), ev(C)], [['curl']]],
  ['=~ regex', 'where comm =~ "^ng" print comm', [ev(A), ev(B), ev(C)], [['nginx']]],
  ['!~ regex', 'where comm !~ "^ng" print comm', [ev(A), ev(B), ev(C)], [['curl'], ['wget']]],
  ['=~ on an address', 'where raddr =~ "^192\\\\." print comm', [ev(A), ev(B)], [['wget']]],
  ['single-quoted string', "where comm == 'curl' print dport", [ev(A), ev(B)], [[443]]],
  ['net()', 'where comm != "" print net(raddr, 24), net(raddr, 16, 64)', [ev(A), ev(C)], [['10.1.2.0/24', '10.1.0.0/16'], ['fe80::/24', 'fe80::/64']]],
  ['change mode: a row per socket per change', 'print comm, SegsRetrans',
    [ev(A, { total_retrans: 0 }), ev(B, { total_retrans: 0 }), ev(A, { total_retrans: 0 }), ev(A, { total_retrans: 1 }), ev(B, { total_retrans: 0 })],
    [['curl', 0], ['wget', 0], ['curl', 1]]],
  ['change mode sees seed rows', 'print comm', [ev(A, { event: 'seed' }), ev(A)], [['curl']]],
  ['on excludes seed', 'on ack print comm', [ev(A, { event: 'seed' }), ev(B)], [['wget']]],
  ['unavailable variable prints null and where on it is false', `where ${UNAVAIL} > 0 or comm == "wget" print comm, ${UNAVAIL}`, [ev(A), ev(B)], [['wget', null]]],
  ['not of null is null (row filtered)', 'where not (SampleRTT > 1) print comm', [ev(A), ev(B)], []],
  ['enum variable compared with a name', 'where Stack.State == established print comm, Stack.State', [ev(A, { state: 1 }), ev(B, { state: 8 })], [['curl', 5]]],
  ['statements separated by ;', 'where comm == "curl" print dport; where comm == "wget" print lport', [ev(A), ev(B)], [[443], [40001]]],
  ['statements separated by newlines, comments, shebang', '#!/usr/bin/env tcp-estats\n# first\nwhere comm == "curl" print dport # trailing\n\nwhere comm == "wget" print lport\n', [ev(A), ev(B)], [[443], [40001]]],
  ['a statement continues after a trailing operator or comma', 'where comm == "curl" and\n  dport == 443 print dport,\nlport', [ev(A)], [[443, 40000]]],
  ['an indented line continues the statement', 'where comm == "curl"\n    print dport\n  # comment\n    limit 1', [ev(A), ev(A, { dport: 1 })], [[443]]],
  ['a statement without print goes on at the next clause line', 'on ack\nwhere comm == "curl"\nprint dport\nprint lport', [ev(A)], [[443], [40000]]],
  ['a newline inside parentheses continues', 'where (comm == "curl"\n or comm == "x") print dport', [ev(A)], [[443]]],
  ['a backslash joins lines', 'where comm == "curl" \\\nprint dport', [ev(A)], [[443]]],
  ['clauses in any order', 'print comm where dport == 80', [ev(A), ev(B)], [['wget']]],
  ['keywords are case-insensitive', 'WHERE dport == 80 AND comm == "wget" PRINT comm', [ev(A), ev(B)], [['wget']]],
  ['limit without sort stops after N rows', 'on ack print comm limit 2', [ev(A), ev(B), ev(C), ev(A)], [['curl'], ['wget']]],
];

for (const [name, program, steps, expected] of CASES) {
  test(`where/print: ${name}`, () => {
    const outs = runSteps(program, steps);
    assert.deepEqual(rowsOf(outs), expected, program);
  });
}

test('row shape: type, stmt, columns with units, ev', () => {
  const outs = runSteps('where dport == 443 print raddr, SmoothedRTT, CurCwnd, comm, SegsRetrans > 0 as r', [ev(A, { srtt_ms: 3 })]);
  assert.equal(outs.length, 1);
  const o = outs[0];
  assert.equal(o.type, 'row');
  assert.equal(o.stmt, 0);
  assert.equal(o.ev.kind, EV.ack);
  assert.deepEqual(o.columns, [
    { name: 'raddr', kind: 'addr' },
    { name: 'SmoothedRTT', unit: 'ms', kind: 'number' },
    { name: 'CurCwnd', unit: 'octets', kind: 'number' },
    { name: 'comm', kind: 'string' },
    { name: 'r', kind: 'bool' },
  ]);
});

test('column names use the function text', () => {
  const outs = runSteps('where comm == "curl" print  delta( segsout ), rate(HCThruOctetsAcked), SegsOut*2', [ev(A)]);
  assert.deepEqual(colsOf(outs), ['delta(SegsOut)', 'rate(HCThruOctetsAcked)', 'SegsOut * 2']);
});

test('Perf.* and * expand in catalog order', async () => {
  const { varsOfTable, CATALOG } = await import('../../dist/estats/catalog.js');
  const outs = runSteps('where comm == "curl" print comm, Perf.*', [ev(A)]);
  assert.deepEqual(colsOf(outs), ['comm', ...varsOfTable('Perf').map(v => v.name)]);
  const all = runSteps('where comm == "curl" print *', [ev(A)]);
  assert.deepEqual(colsOf(all), CATALOG.map(v => v.name));
});

test('statement index in rows', () => {
  const outs = runSteps('where comm == "curl" print dport\nwhere comm == "curl" print lport', [ev(A)]);
  assert.deepEqual(outs.map(o => [o.stmt, o.values]), [[0, [443]], [1, [40000]]]);
});

test('an explicit column equal to an expanded one appears once', () => {
  const outs = runSteps('where comm == "curl" print SmoothedRTT, Perf.*', [ev(A)]);
  const names = colsOf(outs);
  assert.equal(names.filter(n => n === 'SmoothedRTT').length, 1);
  assert.equal(names[0], 'SmoothedRTT');
});

// Event, snapshot and change modes; aggregates; every ticks; rate/delta; sort/limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps, rowsOf, aggsOf, colsOf, mustCompile } from './dsl-helpers.js';

const A = { cookie: 1, saddr: '10.0.0.1', sport: 40000, daddr: '10.1.2.3', dport: 443, owner_comm: 'curl' };
const B = { cookie: 2, saddr: '10.0.0.1', sport: 40001, daddr: '192.168.1.9', dport: 80, owner_comm: 'wget' };
const C = { cookie: 3, saddr: '10.0.0.1', sport: 40002, daddr: '10.1.2.3', dport: 80, owner_comm: 'curl' };
const ev = (base, extra = {}) => ({ ev: { ...base, ...extra } });
const S = 1000; // ms
const at = (ms) => ({ ts_ns: ms * 1e6 });

/** outs as compact tuples: rows, aggs and batch ends */
const shape = outs => outs.map(o => (o.type === 'batch-end' ? ['end', o.stmt] : [o.type, o.stmt, o.values]));

const CASES = [
  // [name, program, steps, expected outs (shape)]
  ['example 4: on retransmit', 'on retransmit print raddr, rport, SegsRetrans, CurRTO',
    [ev(A, { event: 'ack' }), ev(A, { event: 'retransmit', total_retrans: 1, rto_us: 204000 }), ev(B, { event: 'retransmit', total_retrans: 3, rto_us: 408000 })],
    [['row', 0, ['10.1.2.3', 443, 1, 204]], ['row', 0, ['192.168.1.9', 80, 3, 408]]]],
  ['example 5: on close where comm', 'on close where comm == "curl" print raddr, HCDataOctetsOut, SegsRetrans, ElapsedSecs',
    [ev(A, { event: 'ack' }), ev(A, { event: 'close', bytes_sent: 5000, total_retrans: 2, start_ns: 1e9, tcp_mstamp_us: 4.5e6 }), ev(B, { event: 'close' })],
    [['row', 0, ['10.1.2.3', 5000, 2, 3]]]],
  ['example 6: on close sum/count by comm, at the end', 'on close print sum(HCDataOctetsOut), count() by comm',
    [ev(A, { event: 'close', bytes_sent: 100 }), ev(B, { event: 'close', bytes_sent: 7 }), ev(C, { event: 'close', bytes_sent: 50 }), ev(A, { event: 'ack', bytes_sent: 1e6 }), { finish: 10 * S }],
    [['agg', 0, ['curl', 150, 2]], ['agg', 0, ['wget', 7, 1]], ['end', 0]]],
  ['example 9: on timeout, congestion', 'on timeout, congestion print conn, castate, CurCwnd, CurSsthresh',
    [ev(A, { event: 'timeout', castate: 4, snd_cwnd: 1, mss_cache: 1000, snd_ssthresh: 5 }), ev(A, { event: 'rtt' }), ev(B, { event: 'congestion', castate: 3, snd_cwnd: 10, mss_cache: 1000, snd_ssthresh: 0x7fffffff })],
    [['row', 0, ['10.0.0.1:40000>10.1.2.3:443', 'Loss', 1000, 5000]], ['row', 0, ['10.0.0.1:40001>192.168.1.9:80', 'Recovery', 10000, 4294967295]]]],
  ['aggregates without by and without input: one row at the end', 'on close print count(), sum(SegsOut), avg(SegsOut), min(SegsOut), max(SegsOut)',
    [{ finish: S }], [['agg', 0, [0, null, null, null, null]], ['end', 0]]],
  ['aggregates with by and without input: no rows', 'on close print count() by comm', [{ finish: S }], [['end', 0]]],
  ['count(x) counts non-null values', 'print count(SampleRTT), count()',
    [ev(A, { count_rtt: 1, sample_rtt_us: 1000 }), ev(B), { finish: S }], [['agg', 0, [1, 2]], ['end', 0]]],
  ['avg/min/max/sum', 'on ack print sum(SegsOut), avg(SegsOut), min(SegsOut), max(SegsOut)',
    [ev(A, { segs_out: 1 }), ev(A, { segs_out: 2 }), ev(B, { segs_out: 6 }), { finish: S }], [['agg', 0, [9, 3, 1, 6]], ['end', 0]]],
  ['stats', 'on ack print stats(SegsOut)',
    [ev(A, { segs_out: 1 }), ev(A, { segs_out: 2 }), ev(B, { segs_out: 6 }), { finish: S }], [['agg', 0, [{ count: 3, avg: 3, min: 1, max: 6 }]], ['end', 0]]],
  ['expression over aggregates and keys', 'on ack print dport, sum(SegsOut) / count() as mean, max(SegsOut) - min(SegsOut) by dport',
    [ev(A, { segs_out: 1 }), ev(A, { segs_out: 5 }), ev(B, { segs_out: 6 }), { finish: S }], [['agg', 0, [443, 3, 4]], ['agg', 0, [80, 6, 0]], ['end', 0]]],
  ['several by keys', 'on ack print count() by raddr, dport',
    [ev(A), ev(B), ev(C), ev(A), { finish: S }], [['agg', 0, ['10.1.2.3', 443, 2]], ['agg', 0, ['192.168.1.9', 80, 1]], ['agg', 0, ['10.1.2.3', 80, 1]], ['end', 0]]],
  ['by net()', 'on ack print count() by net(raddr, 8)',
    [ev(A), ev(B), ev(C), { finish: S }], [['agg', 0, ['10.0.0.0/8', 2]], ['agg', 0, ['192.0.0.0/8', 1]], ['end', 0]]],
  ['aggregates with every: emitted and reset each tick', 'on ack print count() by comm every 1s',
    [ev(A, at(100)), ev(B, at(200)), ev(A, at(900)), { tick: 1000 }, ev(A, at(1500)), { tick: 2000 }, { tick: 3000 }],
    [['agg', 0, ['curl', 2]], ['agg', 0, ['wget', 1]], ['end', 0], ['agg', 0, ['curl', 1]], ['end', 0], ['end', 0]]],
  ['every with no by emits a zero count on a quiet tick', 'on retransmit print count() every 1s',
    [ev(A, { event: 'ack', ...at(100) }), { tick: 1000 }], [['agg', 0, [0]], ['end', 0]]],
  ['every: the partial last interval is emitted at the end', 'on ack print count() every 1s',
    [ev(A, at(100)), { tick: 1000 }, ev(A, at(1100)), { finish: 1500 }], [['agg', 0, [1]], ['end', 0], ['agg', 0, [1]], ['end', 0]]],
  ['snapshot mode: every live socket matching where at each tick', 'every 1s where dport == 80 print comm, SegsOut',
    [ev(A, at(0)), ev(B, { ...at(10), segs_out: 3 }), ev(C, { ...at(20), segs_out: 5 }), { tick: 1000 }, ev(C, { event: 'close', ...at(1500), segs_out: 9 }), { tick: 2000 }],
    [['row', 0, ['wget', 3]], ['row', 0, ['curl', 5]], ['end', 0], ['row', 0, ['wget', 3]], ['end', 0]]],
  ['snapshot mode ignores events between ticks', 'every 1s print comm', [ev(A, at(0)), ev(A, at(10)), { tick: 1000 }], [['row', 0, ['curl']], ['end', 0]]],
  ['example 3: rate, sort desc, limit', 'every 1s print laddr, lport, raddr, rport, SmoothedRTT, CurCwnd, rate(HCThruOctetsAcked) as bps sort bps desc limit 2',
    [ev(A, { ...at(0), bytes_acked: 0, start_ns: 0 }), ev(B, { ...at(0), bytes_acked: 0 }), ev(C, { ...at(0), bytes_acked: 0 }), { tick: 1000 },
      ev(A, { ...at(1000), bytes_acked: 1000 }), ev(B, { ...at(1000), bytes_acked: 3000 }), ev(C, { ...at(1000), bytes_acked: 2000 }), { tick: 2000 }],
    [['row', 0, ['10.0.0.1', 40000, '10.1.2.3', 443, 0, 0, null]], ['row', 0, ['10.0.0.1', 40001, '192.168.1.9', 80, 0, 0, null]], ['end', 0],
      ['row', 0, ['10.0.0.1', 40001, '192.168.1.9', 80, 0, 0, 3000]], ['row', 0, ['10.0.0.1', 40002, '10.1.2.3', 80, 0, 0, 2000]], ['end', 0]]],
  ['rate: first row measures from the socket start', 'on close print rate(HCDataOctetsOut), delta(HCDataOctetsOut)',
    [ev(A, { event: 'close', start_ns: 1e9, ts_ns: 3e9, bytes_sent: 4000 })], [['row', 0, [2000, 4000]]]],
  ['rate/delta between rows of one socket, per socket', 'on ack print comm, delta(SegsOut), rate(SegsOut)',
    [ev(A, { ...at(0), segs_out: 10 }), ev(B, { ...at(0), segs_out: 1 }), ev(A, { ...at(500), segs_out: 20 }), ev(A, { ...at(500), segs_out: 20 }), ev(B, { ...at(2000), segs_out: 5 })],
    [['row', 0, ['curl', null, null]], ['row', 0, ['wget', null, null]], ['row', 0, ['curl', 10, 20]], ['row', 0, ['curl', 0, 0]], ['row', 0, ['wget', 4, 2]]]],
  ['rate in where: baseline moves on every input row', 'on ack where delta(SegsOut) > 5 print comm, SegsOut',
    [ev(A, { ...at(0), segs_out: 10 }), ev(A, { ...at(1), segs_out: 12 }), ev(A, { ...at(2), segs_out: 20 }), ev(A, { ...at(3), segs_out: 21 })],
    [['row', 0, ['curl', 20]]]],
  ['rate per statement: two statements keep their own baselines', 'on ack print delta(SegsOut)\non ack where comm == "curl" and SegsOut > 15 print delta(SegsOut)',
    [ev(A, { ...at(0), segs_out: 10 }), ev(A, { ...at(1), segs_out: 20 })],
    [['row', 0, [null]], ['row', 0, [10]], ['row', 1, [10]]]],
  ['sort asc by an expression that is not printed, per tick', 'every 1s print comm sort lport',
    [ev(C, at(0)), ev(A, at(0)), ev(B, at(0)), { tick: 1000 }],
    [['row', 0, ['curl']], ['row', 0, ['wget']], ['row', 0, ['curl']], ['end', 0]]],
  ['sort nulls last (asc and desc)', 'every 1s print comm, SampleRTT sort SampleRTT desc',
    [ev(A, { ...at(0) }), ev(B, { ...at(0), count_rtt: 1, sample_rtt_us: 1000 }), ev(C, { ...at(0), count_rtt: 1, sample_rtt_us: 3000 }), { tick: 1000 }],
    [['row', 0, ['curl', 3]], ['row', 0, ['wget', 1]], ['row', 0, ['curl', null]], ['end', 0]]],
  ['sort asc explicitly', 'every 1s print comm, lport sort lport asc', [ev(B, at(0)), ev(A, at(0)), { tick: 1000 }], [['row', 0, ['curl', 40000]], ['row', 0, ['wget', 40001]], ['end', 0]]],
  ['sort strings', 'every 1s print comm sort comm desc limit 1', [ev(A, at(0)), ev(B, at(0)), { tick: 1000 }], [['row', 0, ['wget']], ['end', 0]]],
  ['sort aggregates by an aggregate not printed', 'on ack print comm, count() by comm sort sum(SegsOut) desc',
    [ev(A, { segs_out: 1 }), ev(A, { segs_out: 1 }), ev(B, { segs_out: 50 }), { finish: S }],
    [['agg', 0, ['wget', 1]], ['agg', 0, ['curl', 2]], ['end', 0]]],
  ['sort aggregates by column and limit', 'on ack print count() as n by comm sort n desc limit 1',
    [ev(A), ev(B), ev(B), { finish: S }], [['agg', 0, ['wget', 2]], ['end', 0]]],
  ['sort aggregates by key', 'on ack print count() by dport sort dport',
    [ev(A), ev(B), { finish: S }], [['agg', 0, [80, 1]], ['agg', 0, [443, 1]], ['end', 0]]],
  ['event mode with every: rows batched per tick (sorted)', 'on ack print SegsOut every 1s sort SegsOut',
    [ev(A, { ...at(0), segs_out: 5 }), ev(A, { ...at(1), segs_out: 2 }), { tick: 1000 }, ev(A, { ...at(1001), segs_out: 1 }), { finish: 1200 }],
    [['row', 0, [2]], ['row', 0, [5]], ['end', 0], ['row', 0, [1]], ['end', 0]]],
  ['sort without every: all rows at the end', 'on ack print SegsOut sort SegsOut desc limit 2',
    [ev(A, { segs_out: 5 }), ev(A, { segs_out: 7 }), ev(A, { segs_out: 1 }), { finish: S }],
    [['row', 0, [7]], ['row', 0, [5]], ['end', 0]]],
  ['aggregates in change mode (no on, no every): all events, at the end', 'print max(SegsOut) by comm',
    [ev(A, { event: 'seed', segs_out: 5 }), ev(A, { segs_out: 3 }), ev(B, { segs_out: 1 }), { finish: S }],
    [['agg', 0, ['curl', 5]], ['agg', 0, ['wget', 1]], ['end', 0]]],
  ['several statements side by side', 'on close print comm\nevery 1s print count()\nprint comm where dport == 80',
    [ev(A, at(0)), ev(B, at(10)), ev(A, { event: 'close', ...at(20) }), { tick: 1000 }],
    [['row', 2, ['wget']], ['row', 0, ['curl']], ['agg', 1, [1]], ['end', 1]]],
  ['finish twice emits once; events after finish are ignored', 'on ack print count()',
    [ev(A), { finish: S }, { finish: S }, ev(A)], [['agg', 0, [1]], ['end', 0]]],
];

for (const [name, program, steps, expected] of CASES) {
  test(`modes: ${name}`, () => {
    assert.deepEqual(shape(runSteps(program, steps)), expected, program);
  });
}

// rtt events carry the kernel's sample (sock_ops RTT_CB args[0]) in arg0: SampleRTT there
test('percentiles are exact (nearest rank)', () => {
  const steps = [];
  for (let i = 1; i <= 1000; i++) steps.push(ev(A, { event: 'rtt', count_rtt: 1, arg0: i * 1000 }));
  steps.push({ finish: S });
  const [row] = aggsOf(runSteps('on rtt print p50(SampleRTT), p90(SampleRTT), p99(SampleRTT), p999(SampleRTT), p0(SampleRTT), p100(SampleRTT), p25(SampleRTT)', steps));
  assert.deepEqual(row, [500, 900, 990, 999, 1, 1000, 250]);
});

test('example 7: p50, p99 and hist of SampleRTT every 10s, only 10/8', () => {
  const vals = [1, 2, 2, 3, 5, 8, 13, 100];
  const steps = vals.map((v, i) => ev(A, { event: 'rtt', count_rtt: 1, arg0: v * 1000, ...at(i) }));
  steps.push(ev(B, { event: 'rtt', count_rtt: 1, arg0: 1e6, ...at(9) }));
  steps.push({ tick: 10 * S });
  const outs = runSteps('on rtt where raddr in 10.0.0.0/8 print p50(SampleRTT), p99(SampleRTT), hist(SampleRTT) every 10s', steps);
  assert.deepEqual(colsOf(outs), ['p50(SampleRTT)', 'p99(SampleRTT)', 'hist(SampleRTT)']);
  assert.deepEqual(outs[0].columns.map(c => c.kind), ['number', 'number', 'hist']);
  const [p50, p99, h] = outs[0].values;
  assert.equal(p50, 3);
  assert.equal(p99, 100);
  assert.deepEqual(h, { kind: 'hist', buckets: [
    { lo: 1, hi: 2, count: 1 }, { lo: 2, hi: 4, count: 3 }, { lo: 4, hi: 8, count: 1 }, { lo: 8, hi: 16, count: 2 },
    { lo: 16, hi: 32, count: 0 }, { lo: 32, hi: 64, count: 0 }, { lo: 64, hi: 128, count: 1 }] });
  assert.equal(outs[1].type, 'batch-end');
});

test('hist: zero, fractions and negative values', () => {
  const steps = [0, 0.061, 0.07, 0.3, -1].map(v => ev(A, { segs_out: 0, srtt_ms: Math.max(0, v) }));
  const outs = runSteps('on ack print hist(SmoothedRTT), hist(SegsOut - 1)', [...steps, { finish: S }]);
  const [h, neg] = aggsOf(outs)[0];
  assert.deepEqual(h.buckets, [
    { lo: 0, hi: 2 ** -5, count: 2 }, { lo: 2 ** -5, hi: 2 ** -4, count: 1 }, { lo: 2 ** -4, hi: 2 ** -3, count: 1 },
    { lo: 2 ** -3, hi: 2 ** -2, count: 0 }, { lo: 2 ** -2, hi: 2 ** -1, count: 1 }]);
  assert.deepEqual(neg.buckets, [{ lo: null, hi: 0, count: 5 }]);
});

test('lhist with units converted to the variable unit', () => {
  const vals = [0.5, 12, 15, 35, 150, -1];
  const steps = vals.map(v => ev(A, { event: 'rtt', count_rtt: 1, arg0: v * 1000 }));
  const outs = runSteps('on rtt print lhist(SampleRTT, 0, 100ms, 10ms)', [...steps, { finish: S }]);
  assert.deepEqual(aggsOf(outs)[0][0], { kind: 'lhist', buckets: [
    { lo: null, hi: 0, count: 1 }, { lo: 0, hi: 10, count: 1 }, { lo: 10, hi: 20, count: 2 }, { lo: 20, hi: 30, count: 0 },
    { lo: 30, hi: 40, count: 1 }, { lo: 100, hi: null, count: 1 }] });
});

test('example 8: every 5s where port in (80, 443) avg/max by raddr', () => {
  const outs = runSteps('every 5s where port in (80, 443) print avg(SmoothedRTT), max(SmoothedRTT) by raddr', [
    ev(A, { srtt_ms: 10 }), ev(B, { srtt_ms: 30 }), ev(C, { srtt_ms: 20 }), ev({ ...C, cookie: 9, dport: 22 }, { srtt_ms: 99 }), { tick: 5 * S },
  ]);
  assert.deepEqual(shape(outs), [['agg', 0, ['10.1.2.3', 15, 20]], ['agg', 0, ['192.168.1.9', 30, 30]], ['end', 0]]);
  assert.deepEqual(outs[0].columns, [{ name: 'raddr', kind: 'addr' }, { name: 'avg(SmoothedRTT)', unit: 'ms', kind: 'number' }, { name: 'max(SmoothedRTT)', unit: 'ms', kind: 'number' }]);
  assert.equal(outs[0].timeNs, 5000000000n);
});

test('example 10: every 2s print Perf.* (snapshot rows with every Perf column)', () => {
  const outs = runSteps('every 2s print Perf.*', [ev(A, { srtt_ms: 7 }), { tick: 1000 }, { tick: 2000 }]);
  assert.equal(outs.length, 2);
  const i = outs[0].columns.findIndex(c => c.name === 'SmoothedRTT');
  assert.equal(outs[0].values[i], 7);
});

test('every ticks: statements with different every fire on their own schedule', () => {
  const prog = mustCompile('every 1s print count()\nevery 2s print count()');
  const steps = [ev(A, at(0)), { tick: 1000 }, { tick: 2000 }, { tick: 3000 }, { tick: 4000 }];
  const ends = runSteps(prog, steps).filter(o => o.type === 'batch-end').map(o => [o.stmt, Number(o.timeNs / 1000000n)]);
  assert.deepEqual(ends, [[0, 1000], [0, 2000], [1, 2000], [0, 3000], [0, 4000], [1, 4000]]);
});

test('every ticks: late host ticks still fire, missed intervals are skipped', () => {
  const steps = [ev(A, at(0)), { tick: 1003 }, { tick: 3500 }, { tick: 3999 }, { tick: 4010 }];
  const ends = runSteps('every 1s print count()', steps).filter(o => o.type === 'batch-end').map(o => Number(o.timeNs / 1000000n));
  assert.deepEqual(ends, [1003, 3500, 3999]);
});

test('every ticks: with no event the first tick is one host interval after the start', () => {
  const ends = runSteps('every 1s print count()', [{ tick: 1000 }, { tick: 2000 }]).filter(o => o.type === 'batch-end');
  assert.equal(ends.length, 2);
});

test('Runtime.tickMs is the smallest every, null without every', async () => {
  const { Runtime } = await import('../../dist/dsl/index.js');
  assert.equal(new Runtime(mustCompile('every 2s print count()\nevery 500ms print comm'), () => {}).tickMs, 500);
  assert.equal(new Runtime(mustCompile('print comm'), () => {}).tickMs, null);
  assert.equal(new Runtime(mustCompile('every 1m print comm'), () => {}).tickMs, 60000);
});

test('change mode memo is per statement and per socket', () => {
  const outs = runSteps('print SegsOut\nprint SegsOut, comm', [ev(A, { segs_out: 1 }), ev(B, { segs_out: 1 }), ev(A, { segs_out: 1 }), ev(A, { segs_out: 2 })]);
  assert.deepEqual(shape(outs), [['row', 0, [1]], ['row', 1, [1, 'curl']], ['row', 0, [1]], ['row', 1, [1, 'wget']], ['row', 0, [2]], ['row', 1, [2, 'curl']]]);
});

test('aggregate column names: keys first, then the print items', () => {
  const outs = runSteps('on close print sum(HCDataOctetsOut), count(), comm as who by comm', [ev(A, { event: 'close' }), { finish: S }]);
  assert.deepEqual(colsOf(outs), ['who', 'sum(HCDataOctetsOut)', 'count()']);
  assert.deepEqual(outs[0].columns[2], { name: 'count()', unit: 'count', kind: 'number' });
});

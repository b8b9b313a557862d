// Literal units converted into the unit of what they meet; constant folding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSteps, rowsOf } from './dsl-helpers.js';

const A = { cookie: 1, owner_comm: 'a' };
const one = (program, ev) => rowsOf(runSteps(program, [{ ev: { ...A, ...ev } }]))[0];

const CASES = [
  // [print expression, event fields, expected value]
  ['50ms', {}, 50],
  ['100us', {}, 0.1],
  ['1.5s', {}, 1500],
  ['2m', {}, 120000],
  ['1h', {}, 3600000],
  ['2000000ns', {}, 2],
  ['1s + 500ms', {}, 1500],
  ['1KiB', {}, 1024],
  ['1MiB', {}, 1048576],
  ['1GiB', {}, 1073741824],
  ['1TiB', {}, 1099511627776],
  ['1kB + 1KB + 1MB', {}, 1002000],
  ['2GB', {}, 2e9],
  ['1TB', {}, 1e12],
  ['64B', {}, 64],
  ['10%', {}, 0.1],
  ['SmoothedRTT + 1s', { srtt_ms: 2 }, 1002],
  ['RcvRTT + 1ms', { rcv_rtt_us: 800 }, 1100],
  ['RcvRTT > 0.05ms', { rcv_rtt_us: 800 }, true],
  ['SmoothedRTT > RcvRTT', { srtt_ms: 0.2, rcv_rtt_us: 8 * 150 }, true],
  ['ElapsedSecs >= 1m', { start_ns: 1e9, tcp_mstamp_us: 61e6 }, true],
  ['ElapsedSecs < 1m', { start_ns: 1e9, tcp_mstamp_us: 61e6 }, false],
  ['HCDataOctetsOut >= 1MiB', { bytes_sent: 1048576 }, true],
  ['HCDataOctetsOut * 2 > 1MB', { bytes_sent: 500001 }, true],
  ['SmoothedRTT / 2 < 1ms', { srtt_ms: 1.5 }, true],
  ['SegsRetrans / SegsOut > 1%', { total_retrans: 2, segs_out: 100 }, true],
  ['SegsRetrans / SegsOut > 5%', { total_retrans: 2, segs_out: 100 }, false],
  ['SmoothedRTT / CurRTO', { srtt_ms: 50, rto_us: 200000 }, 0.25],
  ['-5ms', {}, -5],
  ['1_000_000', {}, 1000000],
  ['7 % 4', {}, 3],
  ['7 / 0', {}, null],
];

for (const [expr, evf, want] of CASES) {
  test(`units: print ${expr}`, () => {
    assert.deepEqual(one(`print ${expr} as v`, evf), [want]);
  });
}

test('units: a percentage against a percent-valued variable means percent points', async () => {
  const { findVar } = await import('../../dist/estats/catalog.js');
  const v = findVar('SndLimPctRwin');
  if (!v) return; // derived variables not in this catalog
  const ev = { start_ns: 1e9, tcp_mstamp_us: 1e6 + 1e6, rwnd_limited_us: 600000 };
  assert.deepEqual(one('where SndLimPctRwin > 50% print comm', ev), ['a']);
  assert.deepEqual(rowsOf(runSteps('where SndLimPctRwin > 70% print comm', [{ ev: { ...A, ...ev } }])), []);
});

test('units: columns carry the unit of the expression', () => {
  const outs = runSteps('print SmoothedRTT * 2 as a, SmoothedRTT / CurRTO as b, rate(HCDataOctetsOut) as c, delta(HCDataOctetsOut) as d, RcvRTT + 1ms as e, 1ms + RcvRTT as f', [{ ev: A }]);
  assert.deepEqual(outs[0].columns.map(c => c.unit), ['ms', undefined, 'octets', 'octets', 'us', 'us']);
  assert.deepEqual(outs[0].columns.map(c => c.perSec === true), [false, false, true, false, false, false], 'rate() is octets per second');
});

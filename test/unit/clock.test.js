// The wall-clock offset behind StartTimeStamp and row times
// (CLOCK_REALTIME − CLOCK_MONOTONIC, src/cli.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { wallMinusMonotonicNs } from '../../dist/cli.js';

test('wall-clock offset: µs-exact, not truncated to the ms by Date.now()', () => {
  // python3 reads both clocks with ns resolution (time_ns, monotonic_ns); the middle of three reads
  const py = BigInt(execFileSync('python3', ['-c', 'import time\nfor i in range(3): print(time.time_ns() - time.monotonic_ns())'],
    { encoding: 'utf8' }).trim().split('\n')[1]);
  const errs = [0, 1, 2].map(() => Number(wallMinusMonotonicNs() - py) / 1000);
  // the Date.now()-based offset was 0–1000 µs early; allow 50 µs for reads that straddle a pause
  assert.ok(errs.filter(e => Math.abs(e) <= 50).length >= 2, `offset error vs python (µs): ${errs.join(', ')}`);
});

test('rfc3339: microseconds, the same as Date.toISOString to the millisecond for any time (the per-second prefix is cached)', async () => {
  const { rfc3339 } = await import('../../dist/output/sink.js');
  const clock = { bootOffsetNs: 1764064800123456789n };
  let x = 12345n;
  for (let i = 0; i < 2000; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & ((1n << 62n) - 1n);
    const mono = i % 2 ? x % 100000000000000n : BigInt(i) * 999999n; // far apart, and within one second
    const wall = mono + clock.bootOffsetNs;
    const want = `${new Date(Number(wall / 1000000n)).toISOString().slice(0, 23)}${String(Number((wall / 1000n) % 1000n)).padStart(3, '0')}Z`;
    assert.equal(rfc3339(mono, clock), want);
  }
});

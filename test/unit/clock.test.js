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

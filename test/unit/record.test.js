// The recording format: round trip, and every way a file can be wrong is a
// RecordFormatError naming the problem (never a crash, never partial output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder, openRecording, RecordFormatError } from '../../dist/stream/record.js';
import { EVENT_SIZE, OFF, LAYOUT_HASH } from '../../dist/stream/layout.generated.js';

const dir = mkdtempSync(join(tmpdir(), 'rec-'));
function event(cookie, srtt) {
  const b = new Uint8Array(EVENT_SIZE);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(OFF.cookie, BigInt(cookie), true);
  dv.setUint32(OFF.srtt_us, srtt, true);
  b[OFF.kind] = 4;
  return b;
}
function write(name) {
  const p = join(dir, name);
  const r = new Recorder(p, 123456789n, { tool: 'test' });
  r.event(event(1, 800));
  r.tick(5000000n);
  r.event(event(2, 1600));
  r.lost(3n);
  r.close();
  return p;
}

test('round trip keeps events, ticks, lost counts and the clock offset', () => {
  const rec = openRecording(write('ok.tes'));
  assert.equal(rec.bootOffsetNs, 123456789n);
  assert.equal(rec.ticks, 1);
  const items = [...rec.items()];
  assert.deepEqual(items.map(i => i.type), ['event', 'tick', 'event', 'lost']);
  assert.equal(items[0].ev.cookie, 1n);
  assert.equal(items[0].ev.srtt_us, 800);
  assert.equal(items[1].nowNs, 5000000n);
  assert.equal(items[2].ev.cookie, 2n);
  assert.equal(items[3].total, 3n);
});

const bad = [
  ['not a recording', b => Buffer.from('hello world, this is not a recording at all.........')],
  ['wrong version', b => { const c = Buffer.from(b); c.writeUInt32LE(99, 8); return c; }],
  ['truncated record', b => b.subarray(0, b.length - 10)],
  ['truncated header', b => b.subarray(0, 20)],
  ['corrupt record type', b => { const c = Buffer.from(b); const hlen = c.readUInt32LE(12); c[hlen] = 77; return c; }],
  ['corrupt metadata length', b => { const c = Buffer.from(b); c.writeUInt32LE(1 << 30, 44); return c; }],
];
for (const [name, mutate] of bad) {
  test(`rejected: ${name}`, () => {
    const p = join(dir, name.replace(/ /g, '_') + '.tes');
    writeFileSync(p, mutate(readFileSync(write('src.tes'))));
    assert.throws(() => openRecording(p), RecordFormatError);
  });
}

// Rewrite the header: another layout hash and metadata (the body stays).
function withHeader(b, hash, meta) {
  const hlen = b.readUInt32LE(12);
  const json = Buffer.from(JSON.stringify(meta), 'utf8');
  const h = Buffer.from(b.subarray(0, 48));
  h.write(hash, 16, 'latin1');
  h.writeUInt32LE(48 + json.length, 12);
  h.writeUInt32LE(json.length, 44);
  return Buffer.concat([h, json, b.subarray(hlen)]);
}

test('a recording of another layout is converted field by field, by name', () => {
  const src = readFileSync(write('mig.tes'));
  const meta = JSON.parse(src.toString('utf8', 48, src.readUInt32LE(12)));
  // pretend the recorder's layout had srtt_us and cookie swapped in place… by moving srtt_us to another offset
  const layout = meta.layout.map(f => (f[0] === 'srtt_us' ? [f[0], f[1], f[2], OFF.mdev_us] : f[0] === 'mdev_us' ? [f[0], f[1], f[2], OFF.srtt_us] : f));
  const p = join(dir, 'migrated.tes');
  writeFileSync(p, withHeader(src, 'ffffffffffffffff', { ...meta, layout }));
  const items = [...openRecording(p).items()];
  assert.equal(items[0].ev.cookie, 1n);
  assert.equal(items[0].ev.srtt_us, 0, 'srtt_us read from where that layout kept it (mdev_us there = 0)');
  assert.equal(items[0].ev.mdev_us, 800);
});

test('rejected: another layout that does not describe itself', () => {
  const src = readFileSync(write('nolayout.tes'));
  const p = join(dir, 'nolayout2.tes');
  writeFileSync(p, withHeader(src, 'ffffffffffffffff', { tool: 'old' }));
  assert.throws(() => openRecording(p), e => e instanceof RecordFormatError && /does not describe its layout/.test(e.message));
});

test('rejected: a field whose type changed', () => {
  const src = readFileSync(write('typechg.tes'));
  const meta = JSON.parse(src.toString('utf8', 48, src.readUInt32LE(12)));
  const layout = meta.layout.map(f => (f[0] === 'srtt_us' ? [f[0], '__u64', 1, f[3]] : f));
  const p = join(dir, 'typechg2.tes');
  writeFileSync(p, withHeader(src, 'ffffffffffffffff', { ...meta, layout }));
  assert.throws(() => openRecording(p), e => e instanceof RecordFormatError && /srtt_us changed type/.test(e.message));
});

test('missing file is a RecordFormatError naming the file', () => {
  assert.throws(() => openRecording(join(dir, 'nope.tes')), e => e instanceof RecordFormatError && /nope\.tes/.test(e.message));
});

test('layout hash is the one of bpf/estats.h', () => {
  assert.match(LAYOUT_HASH, /^[0-9a-f]{16}$/);
});

test('padding fields may change between layouts', () => {
  const src = readFileSync(write('pad.tes'));
  const meta = JSON.parse(src.toString('utf8', 48, src.readUInt32LE(12)));
  const layout = meta.layout.map(f => (/^pad/.test(f[0]) ? [f[0], '__u8', 99, f[3]] : f));
  const p = join(dir, 'pad2.tes');
  writeFileSync(p, withHeader(src, 'ffffffffffffffff', { ...meta, layout }));
  assert.equal([...openRecording(p).items()][0].ev.srtt_us, 800);
});

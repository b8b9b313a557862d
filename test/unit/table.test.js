// The per-socket table stays bounded: a socket leaves after its close row,
// and a refresh drops sockets of the tool's namespace that no longer exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SocketTable } from '../../dist/estats/table.js';

const ev = (cookie, kind = 4, netns = 1) => ({ cookie: BigInt(cookie), kind, netns });

test('churn: every closed socket leaves the table', () => {
  const t = new SocketTable();
  for (let i = 0; i < 100000; i++) {
    t.settle(t.update(ev(i, 1)));
    t.settle(t.update(ev(i, 4)));
    t.settle(t.update(ev(i, 10)));
  }
  assert.equal(t.size, 0);
});

test('refresh: sockets of our namespace not seen again leave; other namespaces stay', () => {
  const t = new SocketTable();
  t.update(ev(1, 4, 1)); t.update(ev(2, 4, 1)); t.update(ev(3, 4, 2));
  t.beginRefresh();
  t.update(ev(1, 11, 1)); // seen by iter/tcp
  assert.equal(t.endRefresh(1), 1, 'socket 2 is gone');
  assert.deepEqual([...t.live()].map(f => Number(f.ev.cookie)).sort(), [1, 3]);
});

test('touched(): updated entries once each, and as left those that closed or a refresh no longer found', () => {
  const t = new SocketTable();
  t.tracking = true;
  t.update(ev(1, 4, 1)); t.update(ev(2, 4, 1)); t.update(ev(3, 4, 1));
  const round = () => { const seen = [], left = []; t.touched(e => seen.push(Number(e.cookie)), e => left.push(Number(e.cookie))); return { seen: seen.sort(), left: left.sort() }; };
  assert.deepEqual(round(), { seen: [1, 2, 3], left: [] });
  assert.deepEqual(round(), { seen: [], left: [] }, 'a new round starts empty');
  t.update(ev(1, 4, 1)); t.update(ev(1, 4, 1));
  t.settle(t.update(ev(2, 10, 1))); // closed
  assert.deepEqual(round(), { seen: [1], left: [2] });
  t.beginRefresh();
  t.update(ev(1, 11, 1)); // socket 3 is not found again
  assert.equal(t.endRefresh(1), 1);
  assert.deepEqual(round(), { seen: [1], left: [3] }, 'a socket the refresh removed is reported as left (its home is reused)');
});

test('rows a sorted statement holds keep copies of their events, not the buffers they arrived in', async () => {
  const { compile, Runtime } = await import('../../dist/dsl/index.js');
  const { retain } = await import('../../dist/stream/slab.js');
  const { EventView, EVENT_SIZE, OFF } = await import('../../dist/stream/layout.generated.js');
  const { program } = compile('on ack print SegsOut sort SegsOut desc');
  assert.ok(program);
  const out = [];
  const rt = new Runtime(program, o => out.push(o), retain);
  // one reused buffer, as a ring or a read chunk would be
  const buf = new Uint8Array(EVENT_SIZE);
  const dv = new DataView(buf.buffer);
  const table = new SocketTable();
  for (let i = 1; i <= 3; i++) {
    buf.fill(0);
    dv.setBigUint64(OFF.cookie, BigInt(i), true);
    buf[OFF.kind] = 4;
    dv.setUint32(OFF.segs_out, i * 10, true);
    const fr = table.update(new EventView(buf, 0, dv));
    rt.onEvent(fr);
  }
  buf.fill(0xff); // the buffer is reused before the batch ends
  rt.finish(0n);
  const rows = out.filter(o => o.type === 'row');
  assert.deepEqual(rows.map(r => r.values[0]), [30, 20, 10], 'sorted values');
  assert.deepEqual(rows.map(r => Number(r.ev.cookie)), [3, 2, 1], 'each held row still has its own event');
  assert.ok(rows.every(r => r.ev.u8 !== buf), 'copies, not views into the reused buffer');
});

test('cookie keys: from the BigInt or from the two 32-bit words, the same key; cookies beyond 2^53 stay apart', async () => {
  const { cookieKey, cookieKeyOfWords } = await import('../../dist/estats/table.js');
  for (const c of [0n, 1n, 4095n, (1n << 32n) - 1n, 1n << 32n, 3n << 40n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (1n << 64n) - 1n]) {
    const k = cookieKeyOfWords(Number(c & 0xffffffffn), Number(c >> 32n));
    assert.equal(k, cookieKey(c), `cookie ${c}`);
    assert.equal(BigInt(k), c);
  }
  const t = new SocketTable();
  const big = 1n << 53n;
  t.update(ev(big)); t.update(ev(big + 1n)); t.update(ev(big, 5));
  assert.equal(t.size, 2);
  t.settle(t.update(ev(big + 1n, 10)));
  assert.deepEqual([...t.live()].map(f => f.ev.cookie), [big]);
});

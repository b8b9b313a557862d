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

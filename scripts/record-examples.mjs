#!/usr/bin/env node
// Records test/fixtures/examples.tes: real traffic that exercises every
// example of the language page (ports 443 and 80, a `curl` client, queueing
// delay > 50 ms, retransmissions, timeouts, 10.x addresses). Run as root:
//   npm run build && node scripts/record-examples.mjs
// The traffic runs between two network namespaces of our own (10.200.X.0/24,
// see test/scenarios/netns.js); nothing leaves the machine.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';
import { createPair } from '../test/scenarios/netns.js';
import { transfer } from '../test/scenarios/traffic.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'test/fixtures/examples.tes');
const sleep = ms => new Promise(r => setTimeout(r, ms));

const pair = await createPair();
let tool;
try {
  // client → server data crosses a 20 Mbit/s tbf with a deep queue: SRTT well above 50 ms
  await pair.tbf('a', { rate: '20mbit', burst: '32kb', latency: '300ms' });
  const drop = await pair.attachTc('b', 'drop_nth', { cfg: { 0: 60 } });

  tool = spawn(process.execPath, [join(root, 'bin/tcp-estats.js'), '-v', '-f', 'json', '--sample', '5ms',
    '--record', out, '-e', 'every 1s where port in (80, 443) print count()'], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise((res, rej) => {
    createInterface({ input: tool.stderr }).on('line', l => { if (/; ready$/.test(l)) res(); });
    tool.on('exit', c => rej(new Error(`tool exited ${c}`)));
  });

  // an HTTP server on :80 in b, fetched by curl from a (comm == "curl")
  const http = pair.spawn('b', 'python3', ['-m', 'http.server', '80', '--bind', pair.v4.b, '--directory', join(root, 'bpf')], { stdio: 'ignore' });
  await sleep(800);
  for (let i = 0; i < 3; i++) await pair.exec('a', 'curl', ['-s', '-o', '/dev/null', `http://${pair.v4.b}:80/estats.bpf.o`]);

  // bulk transfers to :443 (the last one over IPv6), with drops (retransmit, congestion)
  await transfer(pair, { port: 443, bytes: 1500000 });
  await transfer(pair, { port: 443, bytes: 800000, v6: true });
  console.error('drops injected:', JSON.stringify(await drop.stats()));

  // a black-hole while data is in flight: timeouts
  // (cfg[0]: start after 100 data segments; cfg[1]: for 1.5 s)
  await pair.attachTc('b', 'blackhole', { cfg: { 0: 100, 1: 1500000000 } });
  await transfer(pair, { port: 443, bytes: 400000, timeoutMs: 30000 });
  http.kill();
  await sleep(1500);
} finally {
  if (tool) { tool.kill('SIGINT'); await new Promise(r => tool.on('exit', r)); }
  await pair.destroy();
}
console.error(`wrote ${out}`);

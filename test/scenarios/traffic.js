// One TCP connection across a namespace pair: the server (test/helpers/nstcp.py
// server) in side 'b', the client in side 'a'; resolves with both ends' final
// TCP_INFO. See nstcp.py for the per-side options.
import { createInterface } from 'node:readline';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NSTCP = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'nstcp.py');

const FLAGS = {
  rcvbuf: '--rcvbuf', sndbuf: '--sndbuf', maxseg: '--maxseg', ttl: '--ttl', tos: '--tos',
  stallAfter: '--stall-after', stallMs: '--stall-ms', recvSize: '--recv-size', chunk: '--chunk', gapMs: '--gap-ms',
};

function optArgs(o = {}) {
  const args = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'nodelay') { if (v) args.push('--nodelay'); continue; }
    if (k === 'drain') { if (v) args.push('--drain'); continue; }
    if (!FLAGS[k]) throw new Error(`unknown nstcp option ${k}`);
    if (v !== undefined && v !== null) args.push(FLAGS[k], String(v));
  }
  return args;
}

/** Run a python helper (`script`) in a namespace; `done` resolves with its JSON lines, onLine sees each. */
export function runPy(pair, side, script, args, { onLine, timeoutMs = 20000 } = {}) {
  const name = basename(script, '.py');
  const child = pair.spawn(side, 'python3', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', d => { stderr += d; });
  createInterface({ input: child.stdout }).on('line', l => {
    let j;
    try { j = JSON.parse(l); } catch { stderr += `(not JSON) ${l}\n`; return; }
    lines.push(j);
    onLine?.(j);
  });
  const done = new Promise((res, rej) => {
    const t = setTimeout(() => { child.kill('SIGKILL'); rej(new Error(`${name} ${args[0]} in ${pair.ns[side]} timed out after ${timeoutMs} ms; stderr: ${stderr}`)); }, timeoutMs);
    child.on('exit', code => {
      clearTimeout(t);
      if (code === 0) res(lines); else rej(new Error(`${name} ${args.join(' ')} in ${pair.ns[side]} exited ${code}: ${stderr}`));
    });
  });
  return { child, done };
}

/** Run nstcp.py in a namespace; resolves with its JSON lines, calls onLine for each. */
function run(pair, side, args, onLine, timeoutMs) {
  return runPy(pair, side, NSTCP, args, { onLine, timeoutMs });
}

/**
 * Transfer `bytes` from side a to side b on `port`.
 *   v6: use the IPv6 addresses
 *   server / client: nstcp options ({ rcvbuf, maxseg, ttl, tos, stallAfter, stallMs, ... })
 * Resolves with { server, client } (the final JSON line of each end).
 */
export async function transfer(pair, { port, bytes, v6 = false, server = {}, client = {}, timeoutMs = 20000 }) {
  const addr = v6 ? pair.v6.b : pair.v4.b;
  let ready;
  const isReady = new Promise(r => { ready = r; });
  const srv = run(pair, 'b', ['server', '--addr', addr, '--port', String(port), ...optArgs(server)],
    j => { if (j.ready) ready(); }, timeoutMs);
  let cli;
  try {
    await Promise.race([isReady, srv.done.then(() => { throw new Error('server exited before ready'); })]);
    cli = run(pair, 'a', ['client', '--addr', addr, '--port', String(port), '--bytes', String(bytes), ...optArgs(client)],
      null, timeoutMs);
    const [s, c] = await Promise.all([srv.done, cli.done]);
    return { server: s.at(-1), client: c.at(-1) };
  } catch (e) {
    // one end failed: do not leave the other one waiting
    srv.child.kill('SIGKILL');
    cli?.child.kill('SIGKILL');
    throw e;
  }
}

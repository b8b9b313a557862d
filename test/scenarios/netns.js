// Network-namespace fixtures for the live scenarios: a pair of namespaces
// joined by one veth, per-namespace sysctls and nstat counters, tbf, and the
// scenario tc-bpf programs (test/scenarios/tc) with their cfg/stats maps.
//
//   const pair = await createPair();        // te-<pid>-<n>-a / -b
//   t.after(() => pair.destroy());           // or usePair(t), which does both
//   await pair.sysctl('a', 'net.ipv4.tcp_ecn', 1);
//   const prog = await pair.attachTc('b', 'drop_nth', { cfg: { 0: 40 } });
//   ... traffic from pair.v4.a to pair.v4.b ...
//   (await prog.stats())[1]                  // segments the program dropped
//   (await pair.nstat('a')).TcpOutSegs
//
// Everything the pair creates lives inside its two namespaces, so deleting
// them (destroy(), also on process exit) removes the veth, the qdiscs and the
// tc programs; the programs' maps go with the last reference.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));

/** Run a command; resolves with stdout, rejects with the command and stderr. */
export async function sh(cmd, args, { allowFail = false } = {}) {
  try {
    const { stdout } = await execFileP(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    if (allowFail) return null;
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr || e.message || '').trim()}`);
  }
}

// ---------------------------------------------------------------------------
// the scenario tc programs, compiled once per process into a temp dir

let built = null;
/** Compile test/scenarios/tc/*.bpf.c (build-tc.sh); resolves with { name: path.o }. */
export function buildTc() {
  if (!built) {
    built = (async () => {
      const dir = mkdtempSync(join(tmpdir(), 'te-tc-'));
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      const out = await sh('bash', [join(HERE, 'build-tc.sh'), dir]);
      const objs = {};
      for (const line of out.split('\n').filter(Boolean)) {
        const [name, path] = line.split(' ');
        objs[name] = path;
      }
      return objs;
    })();
  }
  return built;
}

// ---------------------------------------------------------------------------
// namespace pairs

const live = new Set(); // namespaces not yet deleted, removed on process exit
function deleteLive() {
  for (const ns of live) {
    try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* already gone */ }
  }
  live.clear();
}
process.once('exit', deleteLive);
// a test run stopped with Ctrl-C / kill still removes its namespaces
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => { deleteLive(); process.kill(process.pid, sig); });
}

let serial = 0;

/** little-endian u32 / u64 as bpftool byte arguments */
const leBytes = (n, size) => {
  const b = Buffer.alloc(size);
  if (size === 8) b.writeBigUInt64LE(BigInt(n)); else b.writeUInt32LE(Number(n));
  return [...b].map(String);
};

/** A value from `bpftool -j map dump`: formatted (BTF) or raw hex bytes. */
function entryOf(e) {
  if (e.formatted) return { key: Number(e.formatted.key), value: Number(e.formatted.value) };
  const num = bytes => {
    let v = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(parseInt(bytes[i], 16));
    return Number(v);
  };
  return { key: num(e.key), value: num(e.value) };
}

/**
 * Create two namespaces joined by a veth. Side 'a' gets .1, side 'b' .2:
 * 10.200.X.0/24 and fd00:200:X::/64, X chosen per pair. Options:
 *   gso: false (default) sets gso_max_segs 1 on both veth ends so every
 *        packet on the wire is one MSS-sized segment (the tc programs count
 *        and drop real segments, not 64 KB GSO super-packets)
 */
export async function createPair({ gso = false } = {}) {
  const n = serial++;
  const tag = `${process.pid}-${n}`;
  const X = ((process.pid * 7 + n) % 250) + 1;
  const ns = { a: `te-${tag}-a`, b: `te-${tag}-b` };
  const dev = { a: `te${process.pid % 1000000}${n % 100}a`, b: `te${process.pid % 1000000}${n % 100}b` };
  const v4 = { a: `10.200.${X}.1`, b: `10.200.${X}.2` };
  const v6 = { a: `fd00:200:${X.toString(16)}::1`, b: `fd00:200:${X.toString(16)}::2` };

  const pair = {
    ns, dev, v4, v6, X,
    destroyed: false,

    /** netns inode of side s (the `netns` of the tool's events) */
    inode(s) { return statSync(`/run/netns/${ns[s]}`).ino; },

    /** argv prefix that runs a command inside side s's namespace */
    argv(s, cmd, args = []) { return ['ip', ['netns', 'exec', ns[s], cmd, ...args]]; },
    /** run a command inside side s's namespace; resolves with stdout */
    exec(s, cmd, args = [], o) { return sh('ip', ['netns', 'exec', ns[s], cmd, ...args], o); },
    /** spawn a long-running command inside side s's namespace */
    spawn(s, cmd, args = [], o = {}) { return spawn('ip', ['netns', 'exec', ns[s], cmd, ...args], o); },

    /** set a sysctl in side s's namespace (`net.ipv4.tcp_ecn`, 1) */
    async sysctl(s, key, value) {
      const path = `/proc/sys/${key.replace(/\./g, '/')}`;
      await this.exec(s, 'sh', ['-c', `echo ${Number(value)} > ${path}`]);
      const got = (await this.exec(s, 'cat', [path])).trim();
      if (got !== String(value)) throw new Error(`${key} in ${ns[s]}: wrote ${value}, reads ${got}`);
    },
    async getSysctl(s, key) {
      return Number((await this.exec(s, 'cat', [`/proc/sys/${key.replace(/\./g, '/')}`])).trim());
    },

    /** nstat -az of side s's namespace (absolute values, history untouched) as { TcpOutSegs: n, ... } */
    async nstat(s) {
      const out = await this.exec(s, 'nstat', ['-azs', '--json']);
      return JSON.parse(out).kernel;
    },

    /** replace the root qdisc of side s's veth with tbf (rate like '50mbit') */
    async tbf(s, { rate = '100mbit', burst = '32kb', latency = '50ms' } = {}) {
      await sh('tc', ['-n', ns[s], 'qdisc', 'replace', 'dev', dev[s], 'root', 'tbf',
        'rate', rate, 'burst', burst, 'latency', latency]);
    },

    /**
     * Replace the root qdisc of side s's veth with htb and two leaf classes:
     * 1:10, the default, at `rate` (the queue), and 1:20 at `fastRate` with
     * a higher priority (htb serves it first). A packet whose skb->priority
     * is 0x10020 goes to 1:20 and overtakes what waits in 1:10. Resolves
     * with the fast class id as an skb->priority value.
     */
    async htbTwoClass(s, { rate = '100mbit', fastRate = '1gbit' } = {}) {
      const tcx = args => sh('tc', ['-n', ns[s], ...args]);
      await tcx(['qdisc', 'replace', 'dev', dev[s], 'root', 'handle', '1:', 'htb', 'default', '10']);
      await tcx(['class', 'add', 'dev', dev[s], 'parent', '1:', 'classid', '1:10', 'htb', 'rate', rate, 'ceil', rate,
        'prio', '1', 'quantum', '1514']);
      await tcx(['class', 'add', 'dev', dev[s], 'parent', '1:', 'classid', '1:20', 'htb', 'rate', fastRate, 'ceil', fastRate,
        'prio', '0', 'quantum', '1514']);
      return 0x10020;
    },

    /** `tc -s qdisc show` of side s's veth as JSON */
    async qdiscStats(s) {
      return JSON.parse(await sh('tc', ['-n', ns[s], '-s', '-j', 'qdisc', 'show', 'dev', dev[s]]));
    },

    /**
     * Attach scenario program `name` (tc/<name>.bpf.c) to side s's veth,
     * direction 'ingress' (default) or 'egress'; cfg slots are written before
     * resolving. Resolves with { progId, maps, set(slot, v), stats() }.
     */
    async attachTc(s, name, { dir = 'ingress', cfg = {} } = {}) {
      const objs = await buildTc();
      if (!objs[name]) throw new Error(`no tc program ${name} (have ${Object.keys(objs).join(', ')})`);
      await sh('tc', ['-n', ns[s], 'qdisc', 'replace', 'dev', dev[s], 'clsact']);
      await sh('tc', ['-n', ns[s], 'filter', 'add', 'dev', dev[s], dir, 'bpf', 'direct-action',
        'obj', objs[name], 'sec', 'tc']);
      const filters = JSON.parse(await sh('tc', ['-n', ns[s], '-j', 'filter', 'show', 'dev', dev[s], dir]));
      const f = filters.find(x => x.options?.prog?.name === name);
      if (!f) throw new Error(`${name} not attached: ${JSON.stringify(filters)}`);
      const progId = f.options.prog.id;
      const prog = [JSON.parse(await sh('bpftool', ['-j', 'prog', 'show', 'id', String(progId)]))].flat()[0];
      const maps = {};
      for (const id of prog.map_ids ?? []) {
        const m = JSON.parse(await sh('bpftool', ['-j', 'map', 'show', 'id', String(id)]));
        maps[m.name] = id;
      }
      if (maps.cfg === undefined || maps.stats === undefined) throw new Error(`${name}: maps ${JSON.stringify(maps)}`);
      const tcp = {
        name, progId, maps,
        async set(slot, value) {
          await sh('bpftool', ['map', 'update', 'id', String(maps.cfg), 'key', ...leBytes(slot, 4),
            'value', ...leBytes(value, 8)]);
        },
        async dump(map) {
          const rows = JSON.parse(await sh('bpftool', ['-j', 'map', 'dump', 'id', String(maps[map])]));
          const out = [];
          for (const e of rows) { const { key, value } = entryOf(e); out[key] = value; }
          return out;
        },
        /** the stats array (slot → count) */
        stats() { return this.dump('stats'); },
        cfg() { return this.dump('cfg'); },
      };
      for (const [slot, value] of Object.entries(cfg)) await tcp.set(Number(slot), value);
      return tcp;
    },

    /** delete both namespaces (and with them the veth, qdiscs, tc programs); idempotent */
    async destroy() {
      if (this.destroyed) return;
      this.destroyed = true;
      for (const s of ['a', 'b']) {
        await sh('ip', ['netns', 'del', ns[s]], { allowFail: true });
        live.delete(ns[s]);
      }
    },
  };

  try {
    for (const s of ['a', 'b']) {
      await sh('ip', ['netns', 'add', ns[s]]);
      live.add(ns[s]);
    }
    await sh('ip', ['link', 'add', dev.a, 'netns', ns.a, 'type', 'veth', 'peer', 'name', dev.b, 'netns', ns.b]);
    for (const s of ['a', 'b']) {
      const ipn = args => sh('ip', ['-n', ns[s], ...args]);
      if (!gso) await ipn(['link', 'set', 'dev', dev[s], 'gso_max_segs', '1']);
      await ipn(['addr', 'add', `${v4[s]}/24`, 'dev', dev[s]]);
      await ipn(['-6', 'addr', 'add', `${v6[s]}/64`, 'dev', dev[s], 'nodad']);
      await ipn(['link', 'set', 'dev', dev[s], 'up']);
      await ipn(['link', 'set', 'dev', 'lo', 'up']);
    }
  } catch (e) {
    await pair.destroy();
    throw e;
  }
  return pair;
}

/** createPair() whose destroy() runs when test context t ends, pass or fail. */
export async function usePair(t, opts) {
  const pair = await createPair(opts);
  t.after(() => pair.destroy());
  return pair;
}

/** Namespaces of this process still alive (for a leak check). */
export function liveNamespaces() { return [...live]; }

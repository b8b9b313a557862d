// What the tool says when it cannot run: each missing capability by name,
// missing libbpf, missing kernel BTF, cgroup v1 only. Each is a one-line error
// naming the fix, exit status 1, and nothing is left attached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { needRoot, BIN, startTool, tcpx, port, sleep } from './util.js';

const PROG = ['-f', 'json', '-d', '1s', '-e', 'print SmoothedRTT'];

function run(prefix, env = {}) {
  const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, BIN, ...PROG], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

const cases = [
  ['CAP_BPF', ['setpriv', '--inh-caps=-all', '--bounding-set=-bpf,-sys_admin'], /missing capability CAP_BPF\b/],
  ['CAP_PERFMON', ['setpriv', '--inh-caps=-all', '--bounding-set=-perfmon,-sys_admin'], /missing capability CAP_PERFMON\b/],
  ['CAP_NET_ADMIN', ['setpriv', '--inh-caps=-all', '--bounding-set=-net_admin'], /missing capability CAP_NET_ADMIN\b/],
  ['any capability (uid nobody)', ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], /missing capabilities CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN: run as root/],
];
for (const [name, prefix, re] of cases) {
  test(`without ${name}: names it and exits 1`, { skip: needRoot, timeout: 30000 }, () => {
    const r = run(prefix);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(r.stdout, '', 'no data');
  });
}

// A private mount namespace hides one file system object from the tool only.
function inMountNs(setup) {
  return ['unshare', '-m', 'sh', '-c', `${setup} && exec "$0" "$@"`];
}

test('without libbpf.so.1: names the package to install, exit 1', { skip: needRoot, timeout: 30000 }, () => {
  const lib = spawnSync('sh', ['-c', 'ldconfig -p | sed -n "s/.*libbpf.so.1 .*=> //p" | head -1'], { encoding: 'utf8' }).stdout.trim();
  assert.ok(lib, 'libbpf.so.1 is installed here');
  const r = run(inMountNs(`mount --bind /dev/null ${lib}`));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot load libbpf\.so\.1: .*apt-get install libbpf1/);
  // list and describe still work; they say the missing hooks could not be checked, and why
  const l = spawnSync('unshare', ['-m', 'sh', '-c', `mount --bind /dev/null ${lib} && exec "$0" "$@"`, process.execPath, BIN, 'list', '-f', 'text'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, /\(whether this kernel has every optional hook was not checked: cannot load libbpf\.so\.1: .*apt-get install libbpf1\)\)\n$/);
});

test('without kernel BTF: names CONFIG_DEBUG_INFO_BTF, exit 1', { skip: needRoot, timeout: 30000 }, () => {
  const r = run(inMountNs('mount -t tmpfs none /sys/kernel/btf'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /kernel BTF not found .*CONFIG_DEBUG_INFO_BTF=y/);
  const d = spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"', process.execPath, BIN, 'describe', 'SoftErrors'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(d.status, 0, d.stderr);
  assert.equal(d.stderr, '');
  assert.match(d.stdout, /this kernel +missing hooks not checked: the kernel BTF .*CONFIG_DEBUG_INFO_BTF=y/);
});

test('with cgroup v1 only: says how to mount cgroup v2, exit 1', { skip: needRoot, timeout: 30000 }, () => {
  const mounts = spawnSync('sh', ['-c', "awk '$3==\"cgroup2\"{print $2}' /proc/mounts"], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  assert.ok(mounts.length > 0, 'this machine has cgroup v2');
  const r = run(inMountNs(mounts.map(m => `umount -l ${m}`).join(' && ')));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /no cgroup v2 mount found .*mount -t cgroup2/);
});

test('a kernel without an optional hook: the tool runs; its warning, describe and list name the same degraded variables', { skip: needRoot, timeout: 60000 }, async () => {
  const env = { TCP_ESTATS_FAULT: 'hide-hook:kfree_skb,tcp_cong_state_set' };
  const p = port();
  const tool = startTool(['-f', 'json', '-e', `on close where dport == ${p} print SegsOut, HCDataOctetsOut, SoftErrors, SendStall`], { env });
  await tool.ready;
  const res = await tcpx('transfer', p, 1000000);
  await sleep(300);
  const { code, rows } = await tool.stop();
  assert.equal(code, 0, tool.stderr);
  // it kept running: the connection's close row is there and exact
  const row = rows.find(r => r.type === 'row' && r.rport === p);
  assert.ok(row, `close row; stderr:\n${tool.stderr}`);
  assert.equal(row.SegsOut, res.info.segs_out);
  assert.equal(row.HCDataOctetsOut, res.info.bytes_sent);
  // what the missing hook leaves unmeasured is null, not a made-up 0
  assert.equal(row.SendStall, null, 'SendStall needs tcp_cong_state_set');
  // one JSON warning per missing hook, naming the problem, the variables and the fix
  const warnings = tool.stderr.split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l)).filter(w => w.type === 'warning');
  assert.deepEqual(warnings.map(w => w.missing_hook).sort(), ['tp_btf/kfree_skb', 'tp_btf/tcp_cong_state_set']);
  const named = new Set();
  for (const w of warnings) {
    assert.match(w.message, /^this kernel has no tracepoint (kfree_skb|tcp_cong_state_set), so the program .* is off: .*a kernel that has this tracepoint restores them$/);
    for (const m of w.message.matchAll(/(?:unavailable \(reported as null\)|degraded): ([A-Za-z, ]+?)(?:;| \()/g)) for (const n of m[1].split(', ')) named.add(n);
  }
  assert.ok(named.has('SoftErrors') && named.has('ExceedBacklog') && named.has('SendStall') && named.has('CongSignals'), [...named].join(' '));
  // list -f json and describe, on the same (simulated) kernel, say the same
  const list = JSON.parse(spawnSync(process.execPath, [BIN, 'list', '-f', 'json'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout);
  assert.deepEqual(list.filter(v => v.degraded).map(v => v.name).sort(), [...named].sort());
  const d = spawnSync(process.execPath, [BIN, 'describe', 'SendStall'], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(d.status, 0, d.stderr);
  assert.match(d.stdout, /degraded +hook tp_btf\/tcp_cong_state_set is missing on this kernel: unavailable, null \(would stay 0\)/);
  const plain = spawnSync(process.execPath, [BIN, 'describe', 'SendStall'], { encoding: 'utf8' });
  assert.doesNotMatch(plain.stdout, /degraded/, 'this kernel has every hook');
});

test('a kernel without a required hook: names it, exit 1', { skip: needRoot, timeout: 30000 }, () => {
  const r = spawnSync(process.execPath, [BIN, ...PROG], { encoding: 'utf8', env: { ...process.env, TCP_ESTATS_FAULT: 'hide-hook:tcp_probe' }, timeout: 20000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /no tracepoint tcp_probe, which tcp-estats needs/);
});

test('under ip netns exec (which remounts /sys and hides cgroup v2): the tool finds cgroup v2 and runs', { skip: needRoot, timeout: 60000 }, async t => {
  const ns = `te-${process.pid}-exec`;
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => { try { execFileSync('ip', ['netns', 'del', ns]); } catch { /* gone */ } });
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const inNs = ['ip', 'netns', 'exec', ns];
  // the namespace really hides it: nothing of type cgroup2 in its mount table
  assert.doesNotMatch(execFileSync(inNs[0], [...inNs.slice(1), 'cat', '/proc/self/mounts'], { encoding: 'utf8' }), / cgroup2 /);
  const p = port();
  const tool = startTool(['-f', 'json', '-e', `on close where dport == ${p} print SegsOut, HCDataOctetsOut`], { prefix: inNs });
  await tool.ready;
  const res = await tcpx('transfer', p, 200000, { prefix: inNs });
  await sleep(300);
  const { code, rows } = await tool.stop();
  assert.equal(code, 0, tool.stderr);
  const row = rows.find(r => r.type === 'row' && r.rport === p);
  assert.ok(row, `a close row for the connection in the namespace; stderr:\n${tool.stderr}`);
  assert.equal(row.SegsOut, res.info.segs_out);
  assert.equal(row.HCDataOctetsOut, res.info.bytes_sent);
});

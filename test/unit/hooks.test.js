// The variable → hook table (src/estats/hooks.ts) against the BPF program
// itself (bpf/estats.bpf.c): every hook is a section of the object, every
// counter field is written by the program named for it, the snapshot hooks
// are exactly the programs that send events, and the catalog's own text names
// no optional hook the table leaves out. A change of the BPF program that the
// table does not follow fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, DERIVED, findVar } from '../../dist/estats/catalog.js';
import { HOOKS, SNAPSHOT_HOOKS, DEP_NAMES, depsOf, hooksOf, degradation, hookOfSection, missingHookSummary } from '../../dist/estats/hooks.js';
import { formatDescribe, formatList, listJson } from '../../dist/estats/catalog-format.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = readFileSync(join(ROOT, 'bpf', 'estats.bpf.c'), 'utf8');
const VARS = [...CATALOG, ...DERIVED];

/** Program sections of the object: SEC("…") of functions (not maps, not the license), "?" stripped. */
function programSections() {
  return [...SRC.matchAll(/^SEC\("([^"]+)"\)\s*\n\s*int\b/gm)].map(m => m[1].replace(/^\?/, ''));
}

/** name → body of every function (static helpers and programs), and section → program function name. */
function functions() {
  const bodies = new Map(), bySection = new Map();
  const re = /^(?:SEC\("([^"]+)"\)\s*\n)?(?:static\s+(?:__always_inline\s+)?)?(?:int|void|bool|long|__u8|__u64|struct \w+ \*)\s*(?:BPF_PROG\((\w+)|(\w+)\s*\()/gm;
  for (const m of SRC.matchAll(re)) {
    const name = m[2] ?? m[3];
    const open = SRC.indexOf('{', m.index);
    let depth = 0, i = open;
    for (; i < SRC.length; i++) { if (SRC[i] === '{') depth++; else if (SRC[i] === '}' && --depth === 0) break; }
    bodies.set(name, SRC.slice(open, i + 1));
    if (m[1]) bySection.set(m[1].replace(/^\?/, ''), name);
  }
  // macros that call functions (emit → emit_c)
  for (const m of SRC.matchAll(/^#define (\w+)\([^)]*\)\s+(.*)$/gm)) bodies.set(m[1], m[2]);
  return { bodies, bySection };
}
const { bodies, bySection } = functions();

/** A function's body with the bodies of everything it calls, transitively. */
function reach(name, seen = new Set()) {
  if (seen.has(name) || !bodies.has(name)) return '';
  seen.add(name);
  const body = bodies.get(name);
  let text = body;
  for (const m of body.matchAll(/\b(\w+)\s*\(/g)) if (m[1] !== name) text += '\n' + reach(m[1], seen);
  return text;
}

/** Does this code write the field (a counter, an assignment, an atomic add, a flag set)? */
function writes(code, field) {
  if (/^ESTATS_F_/.test(field)) return new RegExp(`sk_flags\\s*\\|=[^;]*\\b${field}\\b`).test(code);
  return new RegExp(`(?:->|\\.)${field}\\s*(?:\\+\\+|\\+=|\\|=|=(?!=))|\\+\\+\\s*\\w+->${field}\\b|__sync_fetch_and_add\\(&\\w+->${field}\\b`).test(code);
}

test('the hooks of the table are exactly the programs of bpf/estats.bpf.c', () => {
  const secs = programSections();
  assert.ok(secs.length >= 18, `found ${secs.length} programs`);
  assert.deepEqual(Object.values(HOOKS).map(h => h.section).sort(), [...secs].sort());
  for (const s of secs) assert.ok(hookOfSection(s) && hookOfSection(`?${s}`), s);
  // upgrades are the optional (autoload-off) fentry/fexit programs
  for (const h of Object.values(HOOKS)) {
    assert.equal(h.kind === 'upgrade', SRC.includes(`SEC("?${h.section}")`), h.section);
    if (h.kind === 'optional') assert.match(h.section, /^tp_btf\//, 'only tracepoints can be missing on a kernel with BTF');
  }
});

test('snapshot hooks are exactly the programs that send events (reach emit_c)', () => {
  const sending = Object.keys(HOOKS).filter(k => /\bemit_c\s*\(/.test(reach(bySection.get(HOOKS[k].section))));
  assert.deepEqual([...SNAPSHOT_HOOKS].sort(), sending.sort());
  assert.ok(SNAPSHOT_HOOKS.includes('probe') && !SNAPSHOT_HOOKS.includes('drop'));
});

test('every variable maps to hooks of the object, and each named field is written by that program', () => {
  const names = new Set(VARS.map(v => v.name));
  for (const n of DEP_NAMES) assert.ok(names.has(n), `table entry ${n} is a variable`);
  const snapshotCode = reach('emit_c');
  let checked = 0;
  for (const v of VARS) {
    const deps = depsOf(v);
    assert.ok(deps.length > 0, v.name);
    for (const d of deps) {
      if (d.hook === 'snapshot') {
        if (d.field) { assert.ok(writes(snapshotCode, d.field), `${v.name}: ${d.field} is written at every snapshot (emit_c)`); checked++; }
        continue;
      }
      const h = HOOKS[d.hook];
      assert.ok(h, `${v.name}: hook ${d.hook}`);
      const fn = bySection.get(h.section);
      assert.ok(fn, `${v.name}: ${h.section} is a program of the object`);
      assert.ok(d.field, `${v.name}: a dependency on ${h.section} names the field it writes`);
      assert.ok(writes(reach(fn), d.field), `${v.name}: ${h.section} (${fn}) writes ${d.field}`);
      checked++;
      // optional hooks say what their absence does; the others cannot be absent
      assert.equal(!!d.ifMissing, h.kind === 'optional', `${v.name}: ${h.section} ifMissing`);
      if (d.floor || h.kind === 'upgrade') assert.ok(v.exactWith, `${v.name}: floor/upgrade inputs only for variables with an exact upgrade`);
      if (h.kind === 'upgrade') assert.equal(v.exactWith.hook, h.section.replace('/', ' '), `${v.name}: its exactWith hook`);
    }
    for (const s of hooksOf(v)) assert.ok(programSections().includes(s), `${v.name}: ${s}`);
  }
  assert.ok(checked >= 90, `${checked} fields checked against the BPF source`);
});

test("the catalog's text names no optional hook the table leaves out, and names every one it has", () => {
  const textOf = v => {
    let t = `${v.source} ${v.caveat ?? ''} ${v.exactWith?.hook ?? ''}`;
    for (const m of t.matchAll(/\bas (\w+)\b/g)) { const o = findVar(m[1]); if (o && o !== v) t += ` ${o.source} ${o.caveat ?? ''} ${o.exactWith?.hook ?? ''}`; }
    return t;
  };
  for (const v of VARS) {
    const t = textOf(v);
    for (const [k, h] of Object.entries(HOOKS)) {
      if (h.kind === 'required') continue;
      const fn = h.section.split('/')[1];
      const named = new RegExp(`\\b${fn}\\b`).test(t);
      const dep = depsOf(v).some(d => d.hook === k);
      assert.equal(dep, named, `${v.name}: ${h.section} ${dep ? 'is an input but its text does not name it' : 'is named in its text but not an input'}`);
    }
  }
});

test('degradation: only the variables that need a missing hook, with their effect', () => {
  for (const v of VARS) assert.equal(degradation(v, []), null, v.name);
  const drop = ['tp_btf/kfree_skb'];
  assert.deepEqual(VARS.filter(v => degradation(v, drop)).map(v => [v.name, degradation(v, drop).level]),
    [['SoftErrors', 'degraded'], ['SoftErrorReason', 'degraded'], ['ExceedBacklog', 'unavailable'], ['HCExceedBacklog', 'unavailable']]);
  assert.match(degradation(findVar('ZeroRwinSent'), ['tp_btf/net_dev_queue']).effect, /null \(would stay 0\)/);
  assert.equal(degradation(findVar('SegsRetrans'), ['tp_btf/tcp_retransmit_skb']), null, 'a kernel field, read at every other snapshot');
  // a live exact upgrade replaces the floor heuristic that needed the missing hook
  const sp = findVar('SpuriousFrDetected'), cong = ['tp_btf/tcp_cong_state_set'];
  assert.equal(degradation(sp, cong).level, 'unavailable');
  assert.equal(degradation(sp, cong, sp.exactWith.bit), null);
  assert.equal(degradation(findVar('CongSignals'), cong).level, 'degraded', 'inferred at the next snapshot');
  const or = findVar('OtherReductions');
  assert.equal(degradation(or, cong).level, 'degraded');
  assert.equal(degradation(or, cong, or.exactWith.bit), null, 'fentry tcp_cwnd_restart counts it then');
  assert.deepEqual(hooksOf(or, or.exactWith.bit), ['fentry/tcp_cwnd_restart'], 'the floor inputs are not inputs while the upgrade is live');
  assert.ok(hooksOf(or).includes('tp_btf/tcp_cong_state_set') && !hooksOf(or).includes('fentry/tcp_cwnd_restart'));
  // every optional hook's summary names what is lost
  for (const h of Object.values(HOOKS).filter(x => x.kind === 'optional')) {
    const s = missingHookSummary(h.section, VARS);
    assert.ok(s.text.length > 10, h.section);
    assert.equal(s.variables, VARS.filter(v => degradation(v, [h.section])).length);
  }
});

test('describe, list and list -f json say the same about a missing hook', () => {
  const here = { missing: ['tp_btf/kfree_skb'] };
  const d = formatDescribe(findVar('ExceedBacklog'), { here });
  assert.match(d, /degraded +hook tp_btf\/kfree_skb is missing on this kernel: unavailable, null \(would stay 0\)/);
  assert.match(d, /hooks +tp_btf\/kfree_skb; read at the snapshot/);
  assert.doesNotMatch(formatDescribe(findVar('SmoothedRTT'), { here }), /degraded/);
  const l = formatList(VARS, { color: false, here });
  assert.match(l, /^ExceedBacklog +Listener .* approximate! /m);
  assert.match(l, /^SmoothedRTT +Perf .* exact {2}/m);
  assert.match(l, /^! hook tp_btf\/kfree_skb is missing on this kernel: SoftErrors, SoftErrorReason, ExceedBacklog, HCExceedBacklog are degraded/m);
  const j = listJson(VARS, here);
  assert.deepEqual(j.filter(o => o.degraded).map(o => o.name), ['SoftErrors', 'SoftErrorReason', 'ExceedBacklog', 'HCExceedBacklog']);
  assert.equal(j.find(o => o.name === 'SmoothedRTT').degraded, null);
  assert.deepEqual(j.find(o => o.name === 'SoftErrors').hooks, ['tp_btf/tcp_probe', 'tp_btf/kfree_skb']);
  assert.equal('degraded' in listJson(VARS, { missing: null })[0], false, 'not checked: no claim');
});

// ---------------------------------------------------------------------------
// Which optional programs a query needs (the loader leaves the others out).
import { hooksNeeded, hooksNotNeeded } from '../../dist/estats/hooks.js';
import { compile } from '../../dist/dsl/index.js';

const notLoaded = src => {
  const { program, diagnostics } = compile(src);
  assert.ok(program, JSON.stringify(diagnostics));
  return hooksNotNeeded(program.uses).map(s => s.replace(/^tp_btf\//, '')).sort();
};

test('a query loads only the optional programs whose data it reads', () => {
  // every event kind is sent (no on): the event-sending hooks stay; rows show pid/comm
  assert.deepEqual(notLoaded('where dport == 443 print SmoothedRTT'), ['kfree_skb', 'net_dev_queue']);
  // close rows of a plain kernel field: only the owner hooks stay
  assert.deepEqual(notLoaded('on close where dport == 443 print SmoothedRTT'),
    ['kfree_skb', 'net_dev_queue', 'tcp_cong_state_set', 'tcp_receive_reset', 'tcp_retransmit_skb', 'tcp_send_reset']);
  // aggregate rows carry no owner; named in by, it is needed again
  assert.deepEqual(notLoaded('on close print count() by rport'),
    ['kfree_skb', 'net_dev_queue', 'sock_recv_length', 'sock_send_length', 'tcp_cong_state_set', 'tcp_receive_reset', 'tcp_retransmit_skb', 'tcp_send_reset']);
  assert.ok(!notLoaded('on close print count() by comm').includes('sock_send_length'));
  assert.ok(!notLoaded('on close where pid == 1 print count()').includes('sock_recv_length'));
  // a variable fed by an optional hook, in any clause
  assert.ok(!notLoaded('on close where ZeroRwinSent > 0 print count()').includes('net_dev_queue'));
  assert.ok(!notLoaded('on close print sum(SoftErrors)').includes('kfree_skb'));
  assert.ok(!notLoaded('on close print count() by CongSignals').includes('tcp_cong_state_set'));
  assert.ok(!notLoaded('on close print SmoothedRTT sort MaxRwinSent desc').includes('net_dev_queue'));
  // an extreme is sampled at every snapshot: every snapshot hook stays
  assert.deepEqual(notLoaded('on close print MaxRTT'), ['kfree_skb', 'net_dev_queue']);
  // an event kind asked for loads the hook that sends it
  assert.ok(!notLoaded('on retransmit print count() by rport').includes('tcp_retransmit_skb'));
  assert.ok(!notLoaded('on reset print count() by rport').includes('tcp_send_reset'));
  assert.ok(!notLoaded('on congestion print count() by rport').includes('tcp_cong_state_set'));
  // everything read: everything loaded
  assert.deepEqual(notLoaded('on close print *'), []);
  assert.deepEqual(notLoaded('every 1s print Perf.*, Path.*, Stack.*, App.*, Tune.*'), []);
});

test('a variable that a missing hook would degrade always loads that hook', () => {
  // hooksNeeded and degradation() read the same table: whatever a missing hook
  // would cost a variable, reading the variable keeps the hook
  const optional = Object.keys(HOOKS).filter(k => HOOKS[k].kind === 'optional');
  let pairs = 0;
  for (const v of VARS) {
    const need = hooksNeeded({ vars: [v], owner: false, events: new Set(['close']) });
    for (const k of optional) {
      if (degradation(v, [HOOKS[k].section])) { assert.ok(need.has(k), `${v.name} needs ${k}`); pairs++; }
    }
  }
  assert.ok(pairs >= 15, `checked ${pairs} variable/hook pairs`);
});

// CFG.light: a program that reads only plain kernel fields (needsTracking
// false) runs without the per-socket tracking. Its variables must then read
// no field that tracking writes: every getter of such a variable, run on
// events of several byte patterns, touches none of them.
test('light mode: the variables that need no tracking read no field the tracking writes', async () => {
  const { needsTracking } = await import('../../dist/estats/hooks.js');
  const { EventView, EVENT_SIZE } = await import('../../dist/stream/layout.generated.js');
  const h = readFileSync(join(ROOT, 'bpf', 'estats.h'), 'utf8');
  const stBody = h.slice(h.indexOf('struct estats_sk {'), h.indexOf('};', h.indexOf('struct estats_sk {')));
  const stFields = [...stBody.matchAll(/\b(\w+)(?:\[\w+\])?;/g)].map(m => m[1]);
  const tracking = ['on_segment', 'track_extremes', 'fold_tx', 'rtt_cb_sync', 'count_payload'].map(f => reach(f)).join('\n');
  assert.ok(tracking.length > 1000, 'the tracking functions were found');
  const tracked = new Set(stFields.filter(f => writes(tracking, f)));
  for (const f of ['max_pipe', 'seen_data_segs', 'data_octets_in', 'sample_rtt_us', 'last_ca']) assert.ok(tracked.has(f), `${f} is tracked`);
  for (const f of ['owner_pid', 'start_ns', 'saved_sport']) assert.ok(!tracked.has(f), `${f} is not tracked (light mode keeps it)`);
  let plain = 0;
  for (const v of VARS) {
    if (!v.get || needsTracking({ vars: [v], owner: false, events: null })) continue;
    plain++;
    for (const byte of [0x00, 0x01, 0x7f, 0xff]) {
      const buf = new Uint8Array(EVENT_SIZE).fill(byte);
      const seen = new Set();
      const ev = new Proxy(new EventView(buf, 0), { get: (t, k, r) => { if (typeof k === 'string') seen.add(k); return Reflect.get(t, k, t); } });
      try { v.get(ev); } catch { /* a value the kernel never sends; the fields read so far still count */ }
      const bad = [...seen].filter(k => tracked.has(k));
      assert.deepEqual(bad, [], `${v.name} reads tracked fields with bytes 0x${byte.toString(16)}`);
    }
  }
  assert.ok(plain > 40, `${plain} plain variables checked`);
  assert.equal(needsTracking({ vars: [findVar('SmoothedRTT'), findVar('HCThruOctetsAcked')], owner: true, events: null }), false);
  assert.equal(needsTracking({ vars: [findVar('SmoothedRTT'), findVar('MaxRTT')], owner: true, events: null }), true);
  assert.equal(needsTracking({ vars: [findVar('DataSegsInUnseen')], owner: false, events: null }), true);
});

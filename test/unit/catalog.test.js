// Unit tests of the RFC 4898 variable catalog (src/estats/catalog.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOG, DERIVED, TABLES, findVar, varsOfTable, availability, oidOf } from '../../dist/estats/catalog.js';
import { formatList, formatDescribe, listJson } from '../../dist/estats/catalog-format.js';

const BIG = ['ts_ns', 'cookie', 'cgroup_id', 'bytes_sent', 'bytes_retrans', 'bytes_acked', 'bytes_received',
  'tcp_mstamp_us', 'start_ns', 'last_sample_ns', 'data_octets_in'];

/** A snapshot with every field zero, overridden by `o`. */
function snap(o = {}) {
  const s = { saddr: new Uint8Array(16), daddr: new Uint8Array(16), cc: 'cubic', owner_comm: 'test' };
  for (const k of BIG) s[k] = 0n;
  return new Proxy({ ...s, ...o }, { get: (t, k) => (k in t ? t[k] : 0) });
}
const val = (name, s) => findVar(name).get(s);

test('133 columns, per-table counts, RFC order', () => {
  assert.equal(CATALOG.length, 133);
  const want = { Perf: 34, Path: 26, Stack: 41, App: 12, Tune: 4, Listener: 15, ConnectId: 1 };
  assert.deepEqual([...TABLES], Object.keys(want));
  for (const [t, n] of Object.entries(want)) assert.equal(varsOfTable(t).length, n, t);
  // table order, then OID order inside a table
  let ti = 0, last = 0;
  for (const v of CATALOG) {
    const i = TABLES.indexOf(v.table);
    if (i !== ti) { assert.ok(i > ti, `${v.name} out of table order`); ti = i; last = 0; }
    assert.ok(v.oid > last, `${v.name} out of OID order`);
    last = v.oid;
  }
});

test('class counts match the reference (F 56, E 53, A 23, N 1)', () => {
  const n = { F: 0, E: 0, A: 0, N: 0 };
  for (const v of CATALOG) n[v.cls]++;
  assert.deepEqual(n, { F: 56, E: 53, A: 23, N: 1 });
});

test('names unique (catalog + derived), case-insensitively', () => {
  const names = [...CATALOG, ...DERIVED].map(v => v.name.toLowerCase());
  assert.equal(new Set(names).size, names.length);
});

test('findVar: case, table prefix, MIB name, derived', () => {
  assert.equal(findVar('SmoothedRTT')?.name, 'SmoothedRTT');
  assert.equal(findVar('smoothedrtt')?.name, 'SmoothedRTT');
  assert.equal(findVar('SMOOTHEDRTT')?.name, 'SmoothedRTT');
  assert.equal(findVar('Perf.SmoothedRTT')?.name, 'SmoothedRTT');
  assert.equal(findVar('perf.smoothedrtt')?.name, 'SmoothedRTT');
  assert.equal(findVar('Path.SmoothedRTT'), undefined);
  assert.equal(findVar('Nope.SmoothedRTT'), undefined);
  assert.equal(findVar('SmothedRTT'), undefined);
  assert.equal(findVar('stack.state')?.table, 'Stack');
  assert.equal(findVar('Listener.MaxBacklog')?.oid, 13);
  assert.equal(findVar('connectid.connectindex')?.name, 'ConnectIndex');
  assert.equal(findVar('tcpEStatsPerfSmoothedRTT')?.name, 'SmoothedRTT');
  assert.equal(findVar('tcpEStatsConnectIndex')?.name, 'ConnectIndex');
  assert.equal(findVar('tcpEStatsPathSmoothedRTT'), undefined);
  assert.equal(findVar('SndLimPctRwin')?.name, 'SndLimPctRwin');
  assert.equal(findVar('perf.sndlimpctcwnd')?.name, 'SndLimPctCwnd');
  assert.ok(!CATALOG.includes(findVar('SndLimPctSender')));
});

test('every variable without get has a caveat; N has none', () => {
  for (const v of CATALOG) {
    if (v.get === undefined) {
      assert.ok(v.caveat && v.caveat.length > 10, `${v.name} needs a caveat`);
      if (v.cls !== 'N') assert.match(v.caveat, /not implemented yet/, v.name);
    }
    if (v.cls === 'N') assert.equal(v.get, undefined);
    assert.ok(v.meaning && v.source && v.validation && v.smi, v.name);
  }
  assert.equal(availability(findVar('LimSsthresh')), 'unavailable');
  assert.equal(availability(findVar('SmoothedRTT')), 'exact');
  assert.equal(availability(findVar('MSSRcvd')), 'approximate');
  assert.equal(availability(findVar('SndLimPctCwnd')), 'approximate');
  assert.equal(availability(findVar('SampleRTT')), 'exact');
  assert.equal(availability(findVar('SoftErrors')), 'approximate');
  assert.equal(availability(findVar('CurConns')), 'approximate');
});

test('get: reconstructed RTT samples and other per-socket state', () => {
  const s = snap({ count_rtt: 3, sample_rtt_us: 250, max_rtt_us: 900, min_rtt_us: 40, sum_rtt_us: 1190n,
    max_rto_us: 204000, min_rto_us: 201000, flags: 0x02, state: 1, snd_una: 1000, bytes_acked: 11n });
  assert.equal(val('SampleRTT', s), 0.25);
  assert.equal(val('MaxRTT', s), 0.9);
  assert.equal(val('MinRTT', s), 0.04);
  assert.equal(val('HCSumRTT', s), 1.19);
  assert.equal(val('CountRTT', s), 3);
  assert.equal(val('MaxRTO', s), 204);
  assert.equal(val('MinRTO', s), 201);
  assert.equal(val('SampleRTT', snap({})), null, 'no sample yet');
  // an rtt event (sock_ops RTT_CB) carries the kernel's own sample in arg0; the reconstruction takes it in later
  assert.equal(val('SampleRTT', { ...s, kind: 5, arg0: 1234 }), 1.234, 'rtt event: RTT_CB args[0]');
  assert.equal(val('SampleRTT', { ...s, kind: 4, arg0: 1234 }), 0.25, 'other events: the reconstructed sample');
  assert.equal(val('SndInitial', s), 989, 'active: snd_una − bytes_acked');
  assert.equal(val('SndInitial', { ...s, flags: 0 }), 988, 'passive: one less');
  assert.equal(val('SndInitial', { ...s, flags: 0x01 }), null, 'seeded: unknown');
});

test('get: RTT, RTO, windows', () => {
  const s = snap({ srtt_us: 488, rttvar_us: 400, rto_us: 204000, rcv_rtt_us: 800,
    snd_cwnd: 10, mss_cache: 1448, snd_ssthresh: 0x7fffffff, rcv_wnd: 65483, snd_wnd: 1000, max_window: 2000 });
  assert.equal(val('SmoothedRTT', s), 0.061);
  // srtt_us >> 3, as tcpi_rtt and ss report it: the 1/8 µs fraction is dropped
  assert.equal(val('SmoothedRTT', snap({ srtt_us: 489 })), 0.061);
  assert.equal(val('SmoothedRTT', snap({ srtt_us: 8 * 61537 })), 61.537);
  assert.equal(val('RTTVar', s), 0.1);
  assert.equal(val('CurRTO', s), 204);
  assert.equal(val('RcvRTT', s), 100);
  assert.equal(val('CurCwnd', s), 14480);
  assert.equal(val('CurSsthresh', s), 4294967295);
  assert.equal(val('CurSsthresh', snap({ snd_ssthresh: 0xffffffff, mss_cache: 1448 })), 4294967295);
  assert.equal(val('CurSsthresh', snap({ snd_ssthresh: 7, mss_cache: 1448 })), 10136);
  assert.equal(val('CurRwinSent', s), 65483);
  assert.equal(val('CurRwinRcvd', s), 1000);
  assert.equal(val('MaxRwinRcvd', s), 2000);
  assert.equal(val('PipeSize', snap({ packets_out: 10, sacked_out: 3, lost_out: 2, retrans_out: 1, mss_cache: 1000 })), 6000);
  assert.equal(val('LimCwnd', snap({ snd_cwnd_clamp: 0xffffffff, mss_cache: 1448 })), 4294967295);
});

test('get: counters and 32-bit wrap', () => {
  const s = snap({ bytes_sent: (1n << 32n) + 5n, bytes_acked: 12345n, bytes_received: (3n << 32n) + 7n,
    data_octets_in: (1n << 32n) + 9n, segs_out: 11, total_retrans: 4 });
  assert.equal(val('DataOctetsOut', s), 5);
  assert.equal(val('HCDataOctetsOut', s), 2 ** 32 + 5);
  assert.equal(val('ThruOctetsAcked', s), 12345);
  assert.equal(val('ThruOctetsReceived', s), 7);
  assert.equal(val('HCThruOctetsReceived', s), 3 * 2 ** 32 + 7);
  assert.equal(val('DataOctetsIn', s), 9);
  assert.equal(val('HCDataOctetsIn', s), 2 ** 32 + 9);
  assert.equal(val('SegsOut', s), 11);
  assert.equal(val('SegsRetrans', s), 4);
});

test('get: sequence arithmetic mod 2^32', () => {
  const s = snap({ state: 1, snd_una: 0xfffffff0, snd_nxt: 0x10, write_seq: 0x30, rcv_nxt: 5, copied_seq: 0xfffffffe,
    bytes_received: 10n });
  assert.equal(val('CurRetxQueue', s), 0x20);
  assert.equal(val('CurAppWQueue', s), 0x20);
  assert.equal(val('CurAppRQueue', s), 7);
  assert.equal(val('RecInitial', s), (5 - 10 - 1) >>> 0);
  assert.equal(val('SndMax', s), 0x10);
  assert.equal(val('RecInitial', snap({ state: 2, rcv_nxt: 0 })), null);
});

test('get: options, enums, state', () => {
  const on = snap({ tstamp_ok: 1, sack_ok: 1, wscale_ok: 1, rcv_wscale: 7, snd_wscale: 9, advmss: 65483, ecn_flags: 1, mss_clamp: 65495 });
  assert.equal(val('MSSSent', on), 65495);
  assert.equal(val('MSSRcvd', on), 65495);
  assert.equal(val('WinScaleSent', on), 7);
  assert.equal(val('WinScaleRcvd', on), 9);
  assert.equal(val('TimeStamps', on), 1);
  assert.equal(val('ECN', on), 1);
  assert.equal(val('WillSendSACK', on), 1);
  const off = snap({ advmss: 1448, sysctl_timestamps: 1, sysctl_sack: 0, sysctl_ecn: 2 });
  assert.equal(val('MSSSent', off), 1448);
  assert.equal(val('WinScaleSent', off), -1);
  assert.equal(val('TimeStamps', off), 3);
  assert.equal(val('WillUseSACK', off), 2);
  assert.equal(val('ECN', off), 3); // passive, tcp_ecn=2 accepts → the peer did not ask
  assert.equal(val('ECN', snap({ flags: 2, sysctl_ecn: 2 })), 2); // active, tcp_ecn=2 does not request
  assert.equal(val('ECN', snap({ flags: 2, sysctl_ecn: 1 })), 3);
  const st = findVar('State');
  for (const [linux, rfc] of [[1, 5], [2, 3], [3, 4], [4, 6], [5, 7], [6, 11], [7, 1], [8, 8], [9, 9], [10, 2], [11, 10], [12, 4]]) {
    assert.equal(st.get(snap({ state: linux })), rfc, `linux state ${linux}`);
  }
  assert.equal(st.enumNames[5], 'established');
  assert.equal(val('Nagle', snap({ nonagle: 1 })), 2);
  assert.equal(val('Nagle', snap({ nonagle: 2 })), 1);
  const ir = findVar('InRecovery');
  assert.deepEqual([0, 1, 2, 3, 4].map(c => ir.get(snap({ castate: c }))), [1, 2, 1, 3, 3]);
  assert.equal(val('ActiveOpen', snap({ flags: 2, start_ns: 1n })), 1);
  assert.equal(val('ActiveOpen', snap({ flags: 0, start_ns: 1n })), 2);
  assert.equal(val('ActiveOpen', snap({ flags: 1, start_ns: 1n })), null);
  assert.deepEqual(findVar('TimeStamps').enumNames, { 1: 'enabled', 2: 'selfDisabled', 3: 'peerDisabled' });
});

test('get: per-socket state, elapsed, listener, index', () => {
  const s = snap({ start_ns: 1_000_000_000n, tcp_mstamp_us: 1_000_000n + 2_345_678n, min_ssthresh: 0, min_mss: 0,
    max_ssthresh: 0, cong_signals: 3, max_pipe: 9000 });
  assert.equal(val('ElapsedSecs', s), 2);
  assert.equal(val('ElapsedMicroSecs', s), 345_678);
  assert.equal(val('ElapsedSecs', snap({ start_ns: 5_000_000_000n, tcp_mstamp_us: 1n })), 0);
  assert.equal(val('ElapsedSecs', snap({ tcp_mstamp_us: 5n })), null);
  assert.equal(val('MinSsthresh', s), null);
  assert.equal(val('MinMSS', s), null);
  assert.equal(val('MinSsthresh', snap({ min_ssthresh: 2896 })), 2896);
  assert.equal(val('CongSignals', s), 3);
  assert.equal(val('MaxPipeSize', s), 9000);
  assert.equal(val('MaxBacklog', snap({ state: 10, sk_max_ack_backlog: 128 })), 128);
  assert.equal(val('MaxBacklog', snap({ state: 1, sk_max_ack_backlog: 128 })), null);
  assert.equal(val('CurEstabBacklog', snap({ state: 10, sk_ack_backlog: 3 })), 3);
  assert.equal(val('ConnectIndex', snap({ cookie: (7n << 32n) + 42n })), 42);
  assert.equal(val('ConnectIndex', snap({ cookie: 7n << 32n })), 1);
  assert.equal(val('LimMSS', snap({ user_mss: 1000, mss_clamp: 1460 })), 1000);
  assert.equal(val('LimMSS', snap({ mss_clamp: 1460 })), 1460);
});

test('derived send-limit shares sum to 100', () => {
  // elapsed 10 s: 5 s busy, 2 s rwnd-limited, 1 s sndbuf-limited → sender = 10 − 5 − 2 = 3 s
  const s = snap({ start_ns: 1_000_000n, tcp_mstamp_us: 1_000n + 10_000_000n,
    busy_us: 5_000_000, rwnd_limited_us: 2_000_000, sndbuf_limited_us: 1_000_000 });
  assert.equal(val('SndLimPctCwnd', s), 50);
  assert.equal(val('SndLimPctRwin', s), 20);
  assert.equal(val('SndLimPctSender', s), 30);
  const t = snap({ start_ns: 1_000n, tcp_mstamp_us: 2n, busy_us: 3000, rwnd_limited_us: 1000 });
  assert.equal(val('SndLimPctCwnd', t) + val('SndLimPctRwin', t) + val('SndLimPctSender', t), 100);
  assert.equal(val('SndLimPctCwnd', snap({})), null);
  for (const d of DERIVED) assert.equal(d.oid, 0);
});

test('formatting', () => {
  const list = formatList(CATALOG, { color: false, width: 120 });
  const lines = list.trimEnd().split('\n');
  assert.equal(lines.length, 134);
  assert.match(lines[0], /^NAME\s+TABLE\s+TYPE\s+UNIT\s+CLASS\s+MEANING$/);
  for (const l of lines) assert.ok(l.length <= 120, l);
  assert.ok(!list.includes('\u001b['));
  assert.ok(formatList(CATALOG.slice(0, 2), { color: true }).includes('\u001b['));
  const painted = formatList(CATALOG.slice(0, 1), { color: true, paint: (st, t) => `<${st}>${t}</>` });
  assert.match(painted, /<exact>exact/);
  const d = formatDescribe(findVar('SmoothedRTT'));
  assert.match(d, /1\.3\.6\.1\.2\.1\.156\.1\.1\.3\.1\.17/);
  assert.match(d, /Gauge32/);
  assert.match(d, /srtt_us/);
  assert.match(formatDescribe(findVar('ConnectIndex')), /1\.3\.6\.1\.2\.1\.156\.1\.1\.2\.1\.1\b/);
  assert.match(formatDescribe(findVar('State')), /5 established/);
  assert.match(formatDescribe(findVar('SndLimPctRwin')), /derived/);
  assert.equal(oidOf(findVar('MaxBacklog')), '1.3.6.1.2.1.156.1.1.1.1.13');
  const j = listJson(CATALOG);
  assert.equal(j.length, 133);
  assert.equal(JSON.parse(JSON.stringify(j))[0].name, 'SegsOut');
  assert.equal(j.find(o => o.name === 'LimSsthresh').availability, 'unavailable');
});

test('upgrade bits match bpf/estats.h, and each exact-with variable names its hook', async () => {
  const { UPG } = await import('../../dist/stream/layout.generated.js');
  const { UPG_BITS } = await import('../../dist/estats/catalog.js');
  assert.deepEqual({ ...UPG_BITS }, { ...UPG });
  const withUp = CATALOG.filter(v => v.exactWith);
  assert.ok(withUp.length >= 8);
  for (const v of withUp) {
    assert.equal(v.cls, 'A', v.name);
    assert.match(v.exactWith.hook, /^(fentry|fexit) [a-z_]+$/);
    assert.equal(availability(v), 'approximate');
    assert.equal(availability(v, v.exactWith.bit), 'exact');
  }
  const acc = findVar('Accepted');
  const s = snap({ state: 10, l_established: 10n, sk_ack_backlog: 3, l_accepted: 6n });
  assert.equal(acc.get(s), 7, 'floor: established − queued');
  assert.equal(acc.get({ ...s, upgrades: UPG.ACCEPT }), 6, 'exact: counted at inet_csk_accept');
});

test('get: listener variables on a listener and on its close row, null elsewhere', () => {
  const est = findVar('Listener.Established'), backlog = findVar('Listener.MaxBacklog');
  const l = snap({ state: 10, l_established: 4n, sk_max_ack_backlog: 8 });
  assert.equal(est.get(l), 4);
  assert.equal(est.get({ ...l, state: 7, oldstate: 10 }), 4, 'LISTEN → CLOSE: the final counts');
  assert.equal(backlog.get({ ...l, state: 7, oldstate: 10 }), 8);
  assert.equal(est.get({ ...l, state: 7, oldstate: 1 }), null, 'an ordinary connection closing');
  assert.equal(est.get({ ...l, state: 1 }), null);
});

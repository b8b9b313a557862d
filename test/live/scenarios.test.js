// Deterministic live scenarios (estats-vars.md §4): one TCP connection per
// scenario between two fresh network namespaces joined by a veth, with loss,
// black-holes and CE marks injected by small tc-bpf programs
// (test/scenarios/tc). The tool runs in the root namespace (its tp_btf and
// sock_ops hooks see every namespace) and prints each end's final values at
// close; they are compared with the kernel's own account: TCP_INFO of both
// sockets, the namespace's nstat counters and the injectors' own counts.
//
// Every check is collected (not thrown at the first one) so a failing run
// lists every discrepancy. Set SCENARIO_REPORT=/path/file.ndjson to get one
// JSON line per check (scenario, side, variable, tool value, expected).
//
// Each scenario records its event stream; once its checks pass the recording
// is copied to test/fixtures/<scenario>.tes when that file does not exist yet
// or UPDATE_FIXTURES=1 (fixtures for the language tests; the recording format
// is tied to the event layout, so re-record after a layout change).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFileSync } from 'node:child_process';
import { needRoot, startTool, port, sleep, recursionMisses, BIN, ROOT } from './util.js';
import { usePair } from '../scenarios/netns.js';
import { transfer } from '../scenarios/traffic.js';
import { narrowRecording } from '../scenarios/fixture.js';

const FIXTURES = join(ROOT, 'test', 'fixtures');
const REPORT = process.env.SCENARIO_REPORT;
const MAX_FIXTURE = 2 << 20;
const U32 = 2 ** 32;

// ---------------------------------------------------------------------------
// which variables the catalog implements (a null from one of those is a bug)

let availability = null;
function available(name) {
  if (!availability) {
    const list = JSON.parse(execFileSync(process.execPath, [BIN, 'list', '-f', 'json'], { encoding: 'utf8' }));
    availability = new Map(list.map(v => [v.name, v.availability]));
  }
  const a = availability.get(name);
  if (a === undefined) throw new Error(`${name} is not in the catalog`);
  return a !== 'unavailable';
}

// ---------------------------------------------------------------------------
// the kernel's account (TCP_INFO as printed by test/helpers/nstcp.py)

const TCPI_OPT_TIMESTAMPS = 1, TCPI_OPT_SACK = 2, TCPI_OPT_WSCALE = 4, TCPI_OPT_ECN = 8;
const CA_TO_INRECOVERY = { 0: 1, 1: 2, 2: 1, 3: 3, 4: 3 };
const LINUX_TO_RFC_STATE = { 1: 5, 2: 3, 3: 4, 4: 6, 5: 7, 6: 11, 7: 1, 8: 8, 9: 9, 10: 2, 11: 10 };

/** Variables that equal a TCP_INFO expression at close, for either end. */
const FROM_TCP_INFO = {
  SegsOut: i => i.segs_out,
  DataSegsOut: i => i.data_segs_out,
  DataOctetsOut: i => i.bytes_sent % U32,
  HCDataOctetsOut: i => i.bytes_sent,
  SegsRetrans: i => i.total_retrans,
  OctetsRetrans: i => i.bytes_retrans % U32,
  SegsIn: i => i.segs_in,
  DataSegsIn: i => i.data_segs_in,
  CurMSS: i => i.snd_mss,
  PipeSize: i => (i.unacked - i.sacked - i.lost + i.retrans) * i.snd_mss,
  SmoothedRTT: i => i.rtt / 1000,
  CurRTO: i => i.rto / 1000,
  CurCwnd: i => i.snd_cwnd * i.snd_mss,
  CurSsthresh: i => (i.snd_ssthresh >= 0x7fffffff ? U32 - 1 : i.snd_ssthresh * i.snd_mss),
  CurRwinSent: i => i.rcv_wnd,
  CurRwinRcvd: i => i.snd_wnd,
  SndLimTimeRwin: i => i.rwnd_limited / 1000,
  RetranThresh: i => i.reordering,
  RcvRTT: i => i.rcv_rtt,
  DupAcksOut: i => i.rcv_ooopack,
  State: i => LINUX_TO_RFC_STATE[i.state],
  InRecovery: i => CA_TO_INRECOVERY[i.ca_state],
  CurTimeoutCount: i => i.retransmits,
  DSACKDups: i => i.dsack_dups,
  MSSSent: i => i.advmss + (i.options & TCPI_OPT_TIMESTAMPS ? 12 : 0),
  WinScaleSent: i => (i.options & TCPI_OPT_WSCALE ? i.rcv_wscale : -1),
  WinScaleRcvd: i => (i.options & TCPI_OPT_WSCALE ? i.snd_wscale : -1),
  ThruOctetsAcked: i => i.bytes_acked % U32,
  HCThruOctetsAcked: i => i.bytes_acked,
  ThruOctetsReceived: i => i.bytes_received % U32,
  HCThruOctetsReceived: i => i.bytes_received,
  CurAppWQueue: i => i.notsent_bytes,
};
/** negotiation variables: enabled(1) exactly when TCP_INFO says so */
const NEGOTIATED = { TimeStamps: TCPI_OPT_TIMESTAMPS, ECN: TCPI_OPT_ECN, WillSendSACK: TCPI_OPT_SACK, WillUseSACK: TCPI_OPT_SACK };
const EXTRA = ['Timeouts', 'SubsequentTimeouts', 'AbruptTimeouts', 'HCDataOctetsIn', 'DataOctetsIn', 'MaxRwinRcvd',
  'MaxRwinSent', 'MaxMSS', 'MinMSS', 'MSSRcvd', 'SndInitial', 'RecInitial', 'ActiveOpen', 'Nagle', 'IpTtl', 'IpTosIn',
  'IpTosOut', 'MinRTO', 'MaxRTO', 'CongSignals', 'FastRetran', 'DupAcksIn', 'SACKsRcvd', 'SACKBlocksRcvd',
  'DupAckEpisodes', 'MaxReasmQueue', 'ECNsignals', 'CERcvd', 'ECESent', 'ZeroRwinRcvd', 'ZeroRwinSent', 'LimMSS',
  'MaxPipeSize', 'CountRTT', 'SendStall', 'DataSegsInUnseen', 'SampleRTT', 'MaxRTT', 'MinRTT', 'SumRTT', 'HCSumRTT',
  'NonRecovDAEpisodes', 'NonRecovDA', 'SumOctetsReordered', 'MaxSsCwnd', 'MaxCaCwnd', 'MaxSsthresh', 'MinSsthresh',
  'MaxRetxQueue', 'CurReasmQueue', 'PreCongSumCwnd', 'PreCongSumRTT', 'PostCongSumRTT', 'PostCongCountRTT',
  'ElapsedSecs', 'ElapsedMicroSecs', 'StartTimeStamp', 'SpuriousFrDetected', 'CongOverCount', 'RTTVar',
  'SpuriousRtoDetected', 'SndUna', 'SndNxt', 'SndMax', 'RcvNxt', 'CurRetxQueue', 'CurAppRQueue', 'LimRwin', 'LimCwnd', 'MaxAppWQueue', 'MaxAppRQueue'];
/**
 * Counted per incoming segment at tp_btf/tcp_probe. The kernel skips a
 * tp_btf program that is already running on the same CPU (an invocation in
 * process context interrupted by softirq, or preempted): those segments are
 * lost to the tool and show as recursion_misses of its estats_probe program.
 * An undercount within that many misses is tolerated (and reported).
 */
const PROBE_VARS = new Set(['HCDataOctetsIn', 'DataOctetsIn', 'MaxAppRQueue', 'CERcvd', 'ECESent', 'ECNsignals', 'DupAcksIn', 'SACKsRcvd',
  'SACKBlocksRcvd', 'ZeroRwinRcvd', 'DupAckEpisodes']);
const OCTET_VARS = new Set(['HCDataOctetsIn', 'DataOctetsIn', 'MaxAppRQueue']);
/** counted at tp_btf hooks other than tcp_probe (tcp_cong_state_set, tcp_retransmit_skb) */
const EVENT_VARS = new Set(['FastRetran', 'CongSignals', 'NonRecovDAEpisodes']);

/** the listener's own close row (LISTEN → CLOSE) carries the listener table */
const LISTENER_VARS = ['StartTime', 'SynRcvd', 'HCSynRcvd', 'Initial', 'HCInitial', 'Established', 'HCEstablished',
  'Accepted', 'HCAccepted', 'ExceedBacklog', 'HCExceedBacklog', 'MaxBacklog', 'CurBacklog', 'CurEstabBacklog'];

/** everything a close row prints */
const CLOSE_VARS = [...Object.keys(FROM_TCP_INFO), ...Object.keys(NEGOTIATED), ...EXTRA, ...LISTENER_VARS];
// `State` alone names the connection field `state` (the Linux state name): qualify the RFC variable
const PRINT_VARS = CLOSE_VARS.map(v => (v === 'State' ? 'Stack.State' : LISTENER_VARS.includes(v) ? `Listener.${v}` : v));

// ---------------------------------------------------------------------------
// checks, collected

/**
 * The injected condition (side 'tc': what the tc programs did or saw on the
 * wire) did not happen as the scenario needs, so this run cannot judge the
 * tool: scenarioTest runs the scenario once more.
 */
class PreconditionError extends Error {}

class Checks {
  constructor(t, scenario) {
    this.t = t; this.scenario = scenario; this.fails = []; this.nulls = new Set(); this.n = 0;
    this.probeMisses = 0; this.progMisses = {}; this.tolerated = [];
    // data segments the tool's self-check says its hooks missed on either end of the
    // connection: the skipped tracepoint runs are not per socket (see cmp), and a socket that
    // receives only ACKs has no self-check of its own
    this.pairUnseen = 0;
  }
  /** segments the hooks are known to have missed around this row (recursion misses + self-check) */
  missedFor(row) {
    const own = row && typeof row.DataSegsInUnseen === 'number' ? row.DataSegsInUnseen : 0;
    return this.probeMisses + Math.max(own, this.pairUnseen);
  }
  /** lo <= v <= hi; below lo is tolerated (and reported) when hooks missed segments */
  range(side, row, label, v, lo, hi, note) {
    if (v === undefined) return;
    let ok = v >= lo && v <= hi;
    const missed = this.missedFor(row);
    if (!ok && v < lo && missed > 0) {
      ok = true;
      note = `${note}; tolerated: ${lo - v} short, ${missed} segments missed by the hooks`;
      this.tolerated.push(`${side}: ${label} tool=${v} expected=[${lo}, ${hi}]`);
    }
    this.record(side, label, v, lo === hi ? hi : [lo, hi], 'within', ok, note);
  }
  record(side, name, tool, expected, rel, ok, note) {
    this.n++;
    const line = { scenario: this.scenario, side, var: name, rel, tool, expected, ok, ...(note ? { note } : {}) };
    if (REPORT) appendFileSync(REPORT, JSON.stringify(line) + '\n');
    if (!ok) {
      const msg = `${side}: ${name} tool=${JSON.stringify(tool)} ${rel} expected=${JSON.stringify(expected)}${note ? ` (${note})` : ''}`;
      this.fails.push(msg);
      this.t.diagnostic(`FAIL ${msg}`);
    }
    return ok;
  }
  /** the row's value; undefined (and noted) when the variable is not implemented */
  value(side, row, name) {
    if (!row) return undefined; // no row: already a failed 'close rows' check
    const v = row[name];
    if (v === undefined) { this.record(side, name, v, 'a value', 'present', false, 'missing from the row'); return undefined; }
    if (v === null) {
      if (available(name)) this.record(side, name, null, 'a value', 'non-null', false, 'null although the catalog implements it');
      else this.nulls.add(name);
      return undefined;
    }
    return v;
  }
  cmp(side, row, name, rel, expected, note) {
    const v = this.value(side, row, name);
    if (v === undefined) return;
    let ok = rel === '==' ? v === expected : rel === '>=' ? v >= expected : rel === '<=' ? v <= expected
      : rel === '>' ? v > expected : rel === '!=' ? v !== expected : rel === '<' ? v < expected : false;
    // runs of the per-segment hook the kernel skipped (recursion on a CPU,
    // counted), and segments the tool's own self-check says its hooks missed
    // (DataSegsInUnseen of either end; see runScenario for what explains it)
    const unseen = Math.max(typeof row.DataSegsInUnseen === 'number' ? row.DataSegsInUnseen : 0, this.pairUnseen);
    const missed = this.probeMisses + unseen;
    // When the tool's self-check reports unseen segments, its tracepoints were
    // skipped for this connection; counters of the other per-event hooks
    // (congestion state, retransmit) can undercount by a few then too.
    const eventVar = EVENT_VARS.has(name) && unseen > 0;
    if (!ok && (PROBE_VARS.has(name) || eventVar) && missed > 0 && (rel === '==' || rel === '>=') && v < expected) {
      const tol = missed * (OCTET_VARS.has(name) ? 65536 : 1);
      if (expected - v <= tol) {
        ok = true;
        note = `${note ? `${note}; ` : ''}tolerated: ${expected - v} short, ${this.probeMisses} tcp_probe recursion misses, ${unseen} unseen data segments`;
        this.tolerated.push(`${side}: ${name} tool=${v} expected=${expected}`);
      }
    }
    this.record(side, name, v, expected, rel, ok, note);
  }
  eq(side, row, name, expected, note) { this.cmp(side, row, name, '==', expected, note); }
  ge(side, row, name, bound, note) { this.cmp(side, row, name, '>=', bound, note); }
  /** a relation between values that are not one row variable */
  that(side, label, ok, tool, expected, note) { this.record(side, label, tool, expected, 'holds', !!ok, note); }
  /** informational value (in the report, never a failure) */
  info(side, label, tool, expected, note) {
    if (REPORT) appendFileSync(REPORT, JSON.stringify({ scenario: this.scenario, side, var: label, rel: 'info', tool, expected, ...(note ? { note } : {}) }) + '\n');
  }
  done() {
    if (this.nulls.size) this.t.diagnostic(`not implemented (null): ${[...this.nulls].join(', ')}`);
    if (this.tolerated.length) this.t.diagnostic(`tolerated (${this.probeMisses} tcp_probe recursion misses): ${this.tolerated.join('; ')}`);
    this.t.diagnostic(`${this.n} checks, ${this.fails.length} failed`);
    if (this.fails.some(m => m.startsWith('tc: '))) throw new PreconditionError(`${this.scenario}: the injected condition did not happen: ${this.fails.join('; ')}`);
    assert.deepEqual(this.fails, [], `${this.scenario}: ${this.fails.length} of ${this.n} checks failed`);
  }
}

let hz = null;
/** CONFIG_HZ of the running kernel (/proc/config.gz) */
function kernelHz() {
  if (hz === null) hz = Number(/^CONFIG_HZ=(\d+)$/m.exec(execFileSync('sh', ['-c', 'zcat /proc/config.gz'], { encoding: 'utf8', maxBuffer: 64 << 20 }))[1]);
  return hz;
}

/**
 * Each end's row equals its own TCP_INFO; the two ends agree with each other.
 * set: what the test set on the sockets ({ serverMaxseg }).
 */
function compareEnds(chk, rows, res, set = {}) {
  for (const side of ['client', 'server']) {
    const r = rows[side], i = res[side].info;
    if (!r) continue;
    for (const [name, f] of Object.entries(FROM_TCP_INFO)) chk.eq(side, r, name, f(i), 'TCP_INFO');
    for (const [name, bit] of Object.entries(NEGOTIATED)) {
      if (i.options & bit) chk.eq(side, r, name, 1, 'tcpi_options: negotiated');
      else chk.cmp(side, r, name, '!=', 1, 'tcpi_options: not negotiated');
    }
    const t = chk.value(side, r, 'Timeouts'), st = chk.value(side, r, 'SubsequentTimeouts');
    if (t !== undefined && st !== undefined) chk.that(side, 'Timeouts+SubsequentTimeouts', t + st === i.total_rto, t + st, i.total_rto, '== tcpi_total_rto');
    chk.ge(side, r, 'MaxRwinRcvd', i.snd_wnd, '>= tcpi_snd_wnd');
    chk.ge(side, r, 'MaxRwinSent', i.rcv_wnd, '>= tcpi_rcv_wnd');
    chk.ge(side, r, 'MaxMSS', i.snd_mss, '>= tcpi_snd_mss');
    chk.cmp(side, r, 'MinMSS', '<=', i.snd_mss, '<= tcpi_snd_mss');
    // payload received, duplicates included; bytes_received counts the FIN too
    chk.ge(side, r, 'HCDataOctetsIn', i.bytes_received - 1, '>= tcpi_bytes_received − FIN');
    chk.eq(side, r, 'Nagle', 1, 'no TCP_NODELAY');
    // tcp_set_rto() after every RTT sample: icsk_rto = usecs_to_jiffies(srtt_us/8 + rttvar_us) (rounded
    // up to a jiffy), and only a valid RTT sample resets the backoff: with tcpi_backoff 0, tcpi_rto
    // holds exactly that (the RTT sample of the handshake is enough)
    const rv = chk.value(side, r, 'RTTVar');
    if (rv !== undefined && i.backoff === 0 && i.rtt > 0) {
      const rttvarUs = Math.round(rv * 4000), j = 1e6 / kernelHz();
      const rto = Math.ceil((i.rtt + rttvarUs) / j) * j;
      chk.that(side, 'RTTVar: jiffies(tcpi_rtt + 4·RTTVar) == tcpi_rto', rto === i.rto, rto, i.rto, `µs, HZ=${kernelHz()}`);
    }
    if (res[side].opts.window_clamp !== undefined) chk.eq(side, r, 'LimRwin', res[side].opts.window_clamp, 'getsockopt(TCP_WINDOW_CLAMP)');
    chk.eq(side, r, 'LimCwnd', U32 - 1, 'no clamp set: snd_cwnd_clamp is ~0 (tcp_init_sock), latched at 2^32−1');
    // both applications read until EOF. The server read the client's FIN before its own close;
    // the client's row is taken while the server's FIN is processed (FIN_WAIT2 → CLOSE in
    // softirq), before recv() returns 0: rcv_nxt − copied_seq still counts that FIN
    chk.eq(side, r, 'CurAppRQueue', side === 'client' ? 1 : 0, side === 'client'
      ? "all data read; the peer's FIN not yet (documented: SIOCINQ would subtract it)" : 'read until EOF');
    if (i.unacked === 0) {
      chk.eq(side, r, 'CurRetxQueue', 0, 'tcpi_unacked == 0');
      const una = chk.value(side, r, 'SndUna');
      if (una !== undefined) chk.eq(side, r, 'SndNxt', una, 'tcpi_unacked == 0: SND.NXT == SND.UNA');
    }
    const ipTos = res[side].opts.tos;
    if (ipTos !== undefined) chk.eq(side, r, 'IpTosOut', ipTos, 'getsockopt(IP_TOS)');
  }
  const c = rows.client, s = rows.server;
  checkElapsed(chk, c, res.client);
  // The reader saw SIOCINQ = P before a recv(); nothing was read since the last segment that
  // made it P arrived, and tcp_probe sampled the queue just before that segment was queued:
  // MaxAppRQueue ≥ P − one segment (≤ the sender's MSS). Only without out-of-order data: a
  // segment that fills a hole moves the whole out-of-order queue in at once.
  if (s && res.server.max_inq !== undefined) {
    if (res.server.info.rcv_ooopack === 0) chk.ge('server', s, 'MaxAppRQueue', res.server.max_inq - res.client.info.snd_mss, 'max SIOCINQ the reader saw before a recv() − 1 MSS (no out-of-order data)');
    else chk.info('server', 'MaxAppRQueue vs max SIOCINQ before a recv()', s.MaxAppRQueue, res.server.max_inq, `${res.server.info.rcv_ooopack} out-of-order segments: no bound`);
  }
  if (c) chk.eq('client', c, 'HCDataOctetsIn', 0, 'the server sends no data');
  if (!c || !s) return;
  chk.eq('client', c, 'ActiveOpen', 1, 'called connect()');
  chk.eq('server', s, 'ActiveOpen', 2, 'accepted');
  chk.eq('client', c, 'SndInitial', s.RecInitial, "peer's RecInitial");
  // at close each end has received everything the other sent, its FIN included
  chk.eq('server', s, 'RcvNxt', c.SndNxt, "peer's SndNxt (its kernel's snd_nxt)");
  chk.eq('client', c, 'RcvNxt', s.SndNxt, "peer's SndNxt (its kernel's snd_nxt)");
  chk.eq('client', c, 'SndMax', s.RcvNxt, "peer's RcvNxt: the highest sequence number sent was received");
  chk.eq('server', s, 'SndMax', c.RcvNxt, "peer's RcvNxt: the highest sequence number sent was received");
  chk.eq('server', s, 'SndInitial', c.RecInitial, "peer's RecInitial");
  chk.eq('client', c, 'MSSRcvd', s.MSSSent, "peer's MSSSent");
  // documented approximation: MSSRcvd is mss_clamp, lowered by this side's own TCP_MAXSEG
  if (set.serverMaxseg) chk.info('server', 'MSSRcvd vs peer MSSSent', s.MSSRcvd, c.MSSSent, 'own TCP_MAXSEG set: mss_clamp (documented approximation)');
  else chk.eq('server', s, 'MSSRcvd', c.MSSSent, "peer's MSSSent");
}

/** nstat of the client's namespace: it carried this one connection only. */
function compareClientNstat(chk, c, ns) {
  const so = chk.value('client', c, 'SegsOut'), sr = chk.value('client', c, 'SegsRetrans'), si = chk.value('client', c, 'SegsIn');
  if (so !== undefined && sr !== undefined) {
    // TcpOutSegs leaves out segments that only carry retransmitted data (RFC 1213), SegsOut does not
    chk.that('client', 'SegsOut − SegsRetrans', so - sr === ns.TcpOutSegs, so - sr, ns.TcpOutSegs, '== netns TcpOutSegs');
    chk.eq('client', c, 'SegsRetrans', ns.TcpRetransSegs, 'netns TcpRetransSegs');
    if (sr === 0) chk.eq('client', c, 'SegsOut', ns.TcpOutSegs, 'lossless: netns TcpOutSegs');
  }
  if (si !== undefined) chk.eq('client', c, 'SegsIn', ns.TcpInSegs, 'netns TcpInSegs');
}

// ---------------------------------------------------------------------------
// running one scenario

/** The tool's program: close rows of both ends (+ extra statements), narrowed to the port. */
function toolArgs(p, { where = `port == ${p}`, extra = [], sample, record } = {}) {
  // debugging aid: a disjunct on comm cannot be pushed into the kernel's port filter
  if (process.env.SCENARIO_UNFILTERED === '1') where = `(${where}) or comm == "-no-such-comm-"`;
  const args = ['-f', 'json', '-e', `on close where ${where} print ${PRINT_VARS.join(', ')}`];
  for (const e of extra) args.push('-e', e);
  if (sample !== undefined) args.push('--sample', sample);
  if (record) args.push('--record', record);
  return args;
}

/**
 * Start the tool, run `traffic()`, stop the tool; returns { res, rows, close }
 * where close = { client, server } are the two close rows of this connection
 * (a missing one is a failed check and undefined here).
 */
async function runScenario(t, chk, p, name, traffic, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'te-rec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rec = join(dir, `${name}.tes`);
  const args = toolArgs(p, { ...opts, record: rec });
  const tool = startTool(args);
  t.after(() => { if (tool.child.exitCode === null) tool.child.kill('SIGKILL'); });
  await tool.ready;
  const res = await traffic();
  await sleep(300);
  const progs = recursionMisses(tool.child.pid);
  chk.probeMisses = progs.estats_probe ?? 0;
  chk.progMisses = progs;
  chk.info('tool', 'recursion_misses', progs, null, 'per program of this tool instance');
  const { code, rows } = await tool.stop();
  assert.equal(code, 0, `tool exit status; stderr:\n${tool.stderr}`);
  const mine = rows.filter(r => r.type === 'row');
  const close = closeRows(chk, mine, res, p);
  // What explains the self-check: a data segment the per-segment hooks did
  // not see is usually one of the hook runs the kernel counted as skipped
  // (recursion misses; one run can be a GSO skb of up to 64 KiB, so at most
  // ⌈65536 / MSS⌉ segments per miss). Measured after the listener-flags fix:
  // a residue of a few segments without a counted miss in about 1 of 10 loss
  // runs, cause unknown: reported here (and in CI's log), tolerated above.
  for (const side of ['client', 'server']) {
    const r = close[side];
    if (r && typeof r.DataSegsInUnseen === 'number' && typeof r.CurMSS === 'number' && r.CurMSS > 0) {
      const bound = chk.probeMisses * Math.ceil(65536 / r.CurMSS);
      chk.info(side, 'DataSegsInUnseen vs skipped tcp_probe runs × segments per skb', r.DataSegsInUnseen, `≤ ${bound}`);
      if (r.DataSegsInUnseen > bound) t.diagnostic(`${name} ${side}: ${r.DataSegsInUnseen} unseen data segments, only ${chk.probeMisses} counted tcp_probe misses explain ≤ ${bound}`);
    }
  }
  for (const r of [close.client, close.server]) if (r && typeof r.DataSegsInUnseen === 'number') chk.pairUnseen += r.DataSegsInUnseen;
  return { res, rows: mine, close, rec, args, dir };
}

/** the close rows of the client and the server socket of one transfer */
function closeRows(chk, rows, res, p) {
  const c = res.client, s = res.server;
  const client = rows.filter(r => r.event === 'close' && r.lport === c.lport && r.rport === p && r.laddr === c.laddr);
  const server = rows.filter(r => r.event === 'close' && r.lport === p && r.rport === c.lport && r.laddr === s.laddr);
  chk.that('client', 'close rows', client.length === 1, client.length, 1, `where port == ${p}`);
  chk.that('server', 'close rows', server.length === 1, server.length, 1,
    `where port == ${p} (kernel port filter): the passive closer's LAST_ACK → CLOSE`);
  return { client: client[0], server: server[0] };
}

/**
 * Narrow the recording to this scenario's sockets (ports, namespaces), replay
 * it with the same program (it must give the live rows), and keep it as
 * test/fixtures/<name>.tes when that file is missing or UPDATE_FIXTURES=1.
 */
async function keepRecording(t, chk, run, name, { ports, pairs }) {
  const { rec, args, dir } = run;
  const narrow = join(dir, `${name}.narrow.tes`);
  const netns = pairs.flatMap(p => [p.inode('a'), p.inode('b')]);
  const { kept, dropped, bytes } = await narrowRecording(ROOT, rec, narrow, { ports, netns });
  chk.info('replay', 'recording', { raw: statSync(rec).size, bytes, kept, dropped }, MAX_FIXTURE, 'events of this scenario kept / others dropped');
  const replayArgs = args.filter((a, k) => !['--record', '--sample'].includes(a) && !['--record', '--sample'].includes(args[k - 1]));
  const out = execFileSync(process.execPath, [BIN, ...replayArgs, '--replay', narrow], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // other tests on the machine may use the same port numbers: compare the rows of our namespaces
  const addrs = new Set(pairs.flatMap(p => [p.v4.a, p.v4.b, p.v6.a, p.v6.b]));
  const ours = rows => rows.filter(r => r.type === 'row' && addrs.has(r.laddr));
  const replayed = ours(out.split('\n').filter(Boolean).map(l => JSON.parse(l)));
  const live = ours(run.rows);
  const same = JSON.stringify(replayed) === JSON.stringify(live);
  let note = 'replay of the narrowed recording == live rows';
  if (!same) {
    const k = live.findIndex((r, j) => JSON.stringify(r) !== JSON.stringify(replayed[j]));
    note += `; first difference at row ${k}: live ${JSON.stringify(live[k])} replay ${JSON.stringify(replayed[k])}`;
  }
  chk.that('replay', 'replayed rows', same, replayed.length, live.length, note);
  const dest = join(FIXTURES, `${name}.tes`);
  if (!same) return;
  if (bytes > MAX_FIXTURE) { t.diagnostic(`recording is ${bytes} bytes (> ${MAX_FIXTURE}): not kept as a fixture`); return; }
  if (!existsSync(dest) || process.env.UPDATE_FIXTURES === '1') {
    mkdirSync(FIXTURES, { recursive: true });
    copyFileSync(narrow, dest);
    t.diagnostic(`recorded ${dest} (${bytes} bytes, ${kept} events)`);
  }
}

/** event kinds (bpf/estats.h ESTATS_EV_*) */
const EV = { RTT: 5, CONGESTION: 8, CLOSE: 10 };

/**
 * The recorded events of one socket (local port lport, remote port rport),
 * in order, as plain objects with the fields the RTT checks need.
 */
async function socketEvents(recPath, lport, rport) {
  const { openRecording } = await import(pathToFileURL(join(ROOT, 'dist', 'stream', 'record.js')).href);
  const out = [];
  for (const it of openRecording(recPath).items()) {
    if (it.type !== 'event') continue;
    const e = it.ev;
    if (e.sport !== lport || e.dport !== rport) continue;
    out.push({
      kind: e.kind, arg0: e.arg0, arg1: e.arg1, castate: e.castate, oldcastate: e.oldcastate, srtt: e.srtt_us, mdev: e.mdev_us,
      count: e.count_rtt, sample: e.sample_rtt_us, cwnd: e.snd_cwnd, mss: e.mss_cache, priorCwnd: e.prior_cwnd,
    });
  }
  return out;
}

/**
 * The kernel's tcp_rtt_estimator() (net/ipv4/tcp_input.c) on a sequence of
 * samples (µs): the srtt_us (×8) and mdev_us (×4) it ends with.
 */
function rttEstimator(samples) {
  let srtt = 0, mdev = 0;
  for (const mrtt of samples) {
    let m = mrtt;
    if (srtt !== 0) {
      m -= srtt >>> 3;
      srtt += m;
      if (m < 0) {
        m = -m;
        m -= mdev >>> 2;
        if (m > 0) m >>= 3;
      } else {
        m -= mdev >>> 2;
      }
      mdev += m;
    } else {
      srtt = m * 8;
      mdev = m * 2;
    }
    srtt = Math.max(1, srtt >>> 0);
    mdev >>>= 0;
  }
  return { srtt, mdev };
}

/**
 * The RTT sample family of one end against the kernel's own samples. The
 * tool reconstructs every sample from consecutive srtt_us values; the
 * kernel reports one sample per RTT window exactly, through sock_ops
 * RTT_CB (args[0] = mrtt, the tool's `rtt` events, all of them with
 * --sample 0), and TCP_INFO holds the estimator's end state.
 */
function checkRttFamily(chk, side, row, events, info) {
  const rtts = events.filter(e => e.kind === EV.RTT).map(e => e.arg0);
  const samples = [];
  let prev = 0, merged = 0;
  for (const e of events) {
    if (e.count > prev) {
      if (e.count - prev === 1) samples.push(e.sample); else merged += e.count - prev;
      prev = e.count;
    }
  }
  chk.info(side, 'RTT samples (tool) / RTT_CB calls', samples.length, rtts.length);
  chk.that(side, 'RTT_CB events', rtts.length >= 1, rtts.length, '>= 1', 'scenario sanity (--sample 0: every callback is an event)');
  chk.that(side, 'samples one per snapshot', merged === 0, merged, 0, 'CountRTT never grows by more than 1 between two events');
  chk.eq(side, row, 'CountRTT', prev, 'the last event\'s count');
  // every sample the kernel reported through RTT_CB is the tool's next one: RTT_CB runs while the
  // ACK is processed, and the tool reads that sample at its next snapshot (or at the rtt event
  // itself when the sample leaves srtt unchanged)
  // a skipped tcp_probe run (recursion miss) merges two samples into one value: tolerated, reported
  const missed = chk.missedFor(row);
  const tolerate = (label, ok, tool, expected, note) => {
    if (!ok && missed > 0) { chk.tolerated.push(`${side}: ${label}`); note += `; tolerated: ${missed} tcp_probe runs missed`; ok = true; }
    chk.that(side, label, ok, tool, expected, note);
  };
  const wrong = [];
  let before = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.kind === EV.RTT) {
      const j = events.findIndex((x, k) => k >= i && x.count > before);
      if (j < 0 || events[j].sample !== e.arg0) wrong.push([e.arg0, j < 0 ? null : events[j].sample]);
    }
    before = e.count;
  }
  tolerate('RTT_CB sample == next SampleRTT', wrong.length === 0, wrong.slice(0, 5), `${rtts.length} of ${rtts.length}`,
    'sock_ops RTT_CB args[0], the kernel\'s own sample ([kernel, tool] pairs that differ)');
  // replaying the kernel's estimator over the tool's samples ends where the kernel ended
  const est = rttEstimator(samples);
  tolerate('estimator(SampleRTT…) srtt_us>>3', (est.srtt >>> 3) === info.rtt, est.srtt >>> 3, info.rtt, '== tcpi_rtt');
  tolerate('estimator(SampleRTT…) mdev_us>>2', (est.mdev >>> 2) === info.rttvar, est.mdev >>> 2, info.rttvar,
    '== tcpi_rttvar (mdev_us>>2): a missing, merged or invented sample changes it');
  if (samples.length) {
    const sum = samples.reduce((a, b) => a + b, 0);
    chk.eq(side, row, 'SampleRTT', samples.at(-1) / 1000, 'the last sample');
    chk.eq(side, row, 'HCSumRTT', sum / 1000, 'Σ samples of the event stream');
    chk.eq(side, row, 'SumRTT', (sum % (U32 * 1000)) / 1000, 'Σ samples of the event stream');
    chk.eq(side, row, 'MaxRTT', Math.max(...samples) / 1000, 'max of the samples');
    chk.eq(side, row, 'MinRTT', Math.min(...samples) / 1000, 'min of the samples');
  }
  if (rtts.length) {
    chk.ge(side, row, 'MaxRTT', Math.max(...rtts) / 1000, '>= every RTT_CB sample');
    chk.cmp(side, row, 'MinRTT', '<=', Math.min(...rtts) / 1000, '<= every RTT_CB sample');
  }
  // tcp_update_rtt_min() takes ca_rtt_us (the newest segment acked), never above seq_rtt_us (the oldest), at every sample
  chk.ge(side, row, 'MinRTT', info.min_rtt / 1000, '>= tcpi_min_rtt (windowed min of ca_rtt ≤ each sample)');
}

/**
 * Extremes against the sender's own polls of TCP_INFO (nstcp.py "polled",
 * after every send() and while draining) and its final TCP_INFO. The tool
 * samples at every incoming segment before it is processed (tcp_probe) and
 * at every state, congestion and timeout event: cwnd and ssthresh change
 * only while an ACK is processed or at a timeout, so every value a poll sees
 * is still there at the tool's next sample; the pipe and the retransmit
 * queue grow only by sending and shrink only while an ACK is processed (or
 * at a timeout), so the next sample sees at least what a poll saw.
 */
function checkExtremes(chk, side, row, end, { pipe: checkPipe = true } = {}) {
  const pl = end.polled, i = end.info;
  if (!row || !pl) return;
  chk.that(side, 'TCP_INFO polls', pl.n >= 2, pl.n, '>= 2', 'scenario sanity');
  chk.ge(side, row, 'MaxSsCwnd', pl.max_ss_cwnd, '>= polled cwnd × mss while cwnd < ssthresh');
  chk.ge(side, row, 'MaxCaCwnd', pl.max_ca_cwnd, '>= polled cwnd × mss while cwnd ≥ ssthresh');
  if (checkPipe) chk.ge(side, row, 'MaxPipeSize', pl.max_pipe, '>= polled (unacked − sacked − lost + retrans) × mss');
  chk.ge(side, row, 'MaxRetxQueue', pl.max_retxq, '>= polled SIOCOUTQ − SIOCOUTQNSD');
  const ss = i.snd_ssthresh < 0x7fffffff ? i.snd_ssthresh * i.snd_mss : null;
  if (pl.max_ssthresh !== null) {
    chk.ge(side, row, 'MaxSsthresh', Math.max(pl.max_ssthresh, ss ?? 0), '>= polled and final ssthresh × mss');
    chk.cmp(side, row, 'MinSsthresh', '<=', Math.min(pl.min_ssthresh, ss ?? Infinity), '<= polled and final ssthresh × mss');
  } else if (ss !== null) {
    chk.ge(side, row, 'MaxSsthresh', ss, '>= final ssthresh × mss');
    chk.cmp(side, row, 'MinSsthresh', '<=', ss, '<= final ssthresh × mss');
  } else {
    chk.eq(side, row, 'MaxSsthresh', 0, 'ssthresh never left its initial (infinite) value');
  }
  // The write queue only holds what the send buffer admitted: tcp_sendmsg() waits while
  // sk_wmem_queued (truesize, ≥ payload) ≥ SO_SNDBUF, and overshoots by at most one skb (64 KiB);
  // the send buffer only grows (autotuning), so its final size bounds every sample.
  chk.cmp(side, row, 'MaxAppWQueue', '<=', end.opts.sndbuf + 65536, 'final SO_SNDBUF + one 64 KiB skb');
  // not a check: the queue also drains when TCP small queues release a segment (no hook), so a
  // peak a poll saw can in principle be missed (measured: the tool ≥ the polled max in every run)
  chk.info(side, 'MaxAppWQueue vs polled max tcpi_notsent_bytes', row.MaxAppWQueue, pl.max_notsent);
  const ssc = chk.value(side, row, 'MaxSsCwnd'), cac = chk.value(side, row, 'MaxCaCwnd'), pipe = chk.value(side, row, 'MaxPipeSize');
  if (ssc !== undefined && cac !== undefined) {
    const maxCwnd = Math.max(ssc, cac);
    chk.that(side, 'max(MaxSsCwnd, MaxCaCwnd) >= final cwnd', maxCwnd >= i.snd_cwnd * i.snd_mss, maxCwnd, i.snd_cwnd * i.snd_mss, 'tcpi_snd_cwnd × tcpi_snd_mss');
    // the pipe grows only when tcp_write_xmit sends, which it does while in flight < cwnd
    // (a tail-loss probe may send one segment beyond it)
    if (pipe !== undefined) chk.that(side, 'MaxPipeSize <= max cwnd + 1 MSS', pipe <= maxCwnd + i.snd_mss, pipe, maxCwnd + i.snd_mss, 'sending is cwnd-limited');
  }
}

/**
 * Sums over congestion signals (PreCong*, PostCong*): each term is one RTT
 * sample (PreCongSumRTT: the last sample before the signal, PostCong: the
 * first after it) or one cwnd (PreCongSumCwnd), so the sums are bounded by
 * the count of terms times the extremes the tool and the kernel agree on.
 */
function checkCongestionSums(chk, side, row) {
  const v = n => chk.value(side, row, n);
  const cs = v('CongSignals'), pcc = v('PostCongCountRTT'), pcs = v('PostCongSumRTT'), prs = v('PreCongSumRTT'),
    pcw = v('PreCongSumCwnd'), min = v('MinRTT'), max = v('MaxRTT'), ssc = v('MaxSsCwnd'), cac = v('MaxCaCwnd'), mss = v('CurMSS');
  if ([cs, pcc, pcs, prs, pcw, min, max, ssc, cac, mss].includes(undefined)) return;
  const eps = 1e-6;
  chk.that(side, 'PostCongCountRTT <= CongSignals', pcc <= cs, pcc, cs, 'one first sample per signal at most');
  chk.that(side, 'PostCongCountRTT >= 1', cs === 0 || pcc >= 1, pcc, cs ? '>= 1' : 0, 'samples follow the signals (the client drains)');
  chk.that(side, 'PostCongSumRTT within count × [MinRTT, MaxRTT]', pcs >= pcc * min - eps && pcs <= pcc * max + eps, pcs, [pcc * min, pcc * max]);
  chk.that(side, 'PreCongSumRTT within CongSignals × [MinRTT, MaxRTT]', prs >= cs * min - eps && prs <= cs * max + eps, prs, [cs * min, cs * max], 'a sample exists before every signal (after the handshake)');
  chk.that(side, 'PreCongSumCwnd within CongSignals × [MSS, max cwnd]', pcw >= cs * mss && pcw <= cs * Math.max(ssc, cac), pcw, [cs * mss, cs * Math.max(ssc, cac)]);
}

/**
 * Row start and elapsed time of the client (active opener) against its own
 * clocks: the row starts inside connect() (sock_ops TCP_CONNECT_CB) and
 * ElapsedSecs/MicroSecs run to the last segment sent or received
 * (tp->tcp_mstamp, CLOCK_MONOTONIC like Python's time.monotonic()), which is
 * the FIN exchange: after shutdown() was called, before CLOSE was seen.
 * StartTimeStamp is the start on the wall clock (the tool measures the
 * CLOCK_REALTIME − CLOCK_MONOTONIC offset once at start, to a few µs).
 */
function checkElapsed(chk, row, end) {
  const tm = end.times;
  if (!row || !tm) return;
  const s = chk.value('client', row, 'ElapsedSecs'), us = chk.value('client', row, 'ElapsedMicroSecs');
  if (s !== undefined && us !== undefined) {
    const el = s + us / 1e6, lo = tm.shutdown - tm.connected, hi = tm.closed - tm.before_connect;
    chk.that('client', 'ElapsedSecs + ElapsedMicroSecs/1e6', el >= lo && el <= hi, el, [lo, hi],
      '[shutdown() − connect() returned, CLOSE seen − before connect()] on CLOCK_MONOTONIC');
    chk.that('client', 'ElapsedMicroSecs < 1e6', us < 1e6, us, '< 1000000');
  }
  const st = chk.value('client', row, 'StartTimeStamp');
  if (st !== undefined) {
    const lo = tm.wall_before_connect * 1e6 - 500, hi = tm.wall_connected * 1e6 + 500;
    chk.that('client', 'StartTimeStamp', st >= lo && st <= hi, st, [lo, hi], 'time.time() around connect() (µs), ± 0.5 ms for the offset the tool measured at start');
    chk.info('client', 'StartTimeStamp − time.time() before connect() (µs)', st - tm.wall_before_connect * 1e6, null);
  }
}

/**
 * The server's listener, from its own close row (LISTEN → CLOSE, after the
 * one connection): the server namespace carried this connection only, the
 * server accepted it once and listened with a backlog of 8.
 */
function checkListener(chk, rows, res, p, nb) {
  const ls = rows.filter(r => r.event === 'close' && r.lport === p && r.rport === 0 && r.laddr === res.server.laddr);
  chk.that('listener', 'close rows', ls.length === 1, ls.length, 1, 'srv.close() after the connection');
  const l = ls[0];
  if (!l) return;
  const opens = nb.TcpPassiveOpens;
  chk.that('server', 'netns TcpPassiveOpens', opens === 1, opens, 1, 'scenario sanity');
  for (const n of ['Established', 'HCEstablished']) chk.eq('listener', l, n, opens, 'netns TcpPassiveOpens');
  // no syncookies here (the queue never fills): every request that completed was hashed first
  for (const n of ['Initial', 'HCInitial']) chk.eq('listener', l, n, opens, 'netns TcpPassiveOpens (no syncookies)');
  // one SYN per connect(), plus any SYN the client retransmitted (its total_retrans counts them)
  for (const n of ['SynRcvd', 'HCSynRcvd']) chk.range('listener', l, n, chk.value('listener', l, n), opens, opens + res.client.info.total_retrans, "connect()s, + the client's retransmissions");
  for (const n of ['Accepted', 'HCAccepted']) chk.eq('listener', l, n, 1, 'the server accepted once');
  for (const n of ['ExceedBacklog', 'HCExceedBacklog']) chk.eq('listener', l, n, nb.TcpExtListenOverflows, 'netns TcpExtListenOverflows');
  chk.eq('listener', l, 'MaxBacklog', 8, 'listen(8)');
  chk.eq('listener', l, 'CurBacklog', 0, 'nothing pending at close');
  chk.eq('listener', l, 'CurEstabBacklog', 0, 'nothing pending at close');
  const st = chk.value('listener', l, 'StartTime'), tm = res.server.times;
  if (st !== undefined && tm) {
    const lo = tm.wall_before_listen * 1e6 - 500, hi = tm.wall_listened * 1e6 + 500;
    chk.that('listener', 'StartTime', st >= lo && st <= hi, st, [lo, hi], 'time.time() around listen() (µs) ± 0.5 ms');
  }
}

const T = { skip: needRoot, timeout: 60000 };

/**
 * A scenario whose checks include what the tc programs injected: when that
 * did not happen (a noisy host can keep the reorderer from overtaking, or
 * lose a segment of its own), every other check of the run is moot; it runs
 * once more, on a fresh pair and port, and that run counts.
 */
function scenarioTest(name, body) {
  test(name, { ...T, timeout: 2 * T.timeout }, async t => {
    try {
      await body(t);
    } catch (e) {
      if (!(e instanceof PreconditionError)) throw e;
      t.diagnostic(`run again: ${e.message}`);
      await body(t);
    }
  });
}

/**
 * A namespace pair whose client side sends through tbf: without a rate limit
 * a single flow over a GSO-less veth overruns the receiving CPU's backlog
 * (netdev_max_backlog) and loses packets the scenario did not inject.
 * TCP small queues keep the tbf queue short, so tbf itself drops nothing.
 */
async function scenarioPair(t) {
  const pair = await usePair(t);
  await pair.tbf('a', { rate: '200mbit', burst: '64kb', latency: '100ms' });
  return pair;
}

// ---------------------------------------------------------------------------
// the scenarios

test('lossless transfer: every counter equals TCP_INFO and the namespace MIB', T, async t => {
  const t0 = Date.now();
  const pair = await scenarioPair(t);
  const p = port();
  const N = 4 * 1024 * 1024 + 13;
  const chk = new Checks(t, 'lossless');
  const run = await runScenario(t, chk, p, 'lossless', () => transfer(pair, { port: p, bytes: N, client: { drain: true } }),
    { extra: [`where port == ${p} print SegsOut, SegsIn`], sample: '0' });
  const { res, close } = run;
  chk.that('server', 'received', res.server.received === N, res.server.received, N, 'application bytes');
  compareEnds(chk, close, res);
  const c = close.client, s = close.server;
  chk.eq('client', c, 'HCThruOctetsAcked', N + 2, 'N + SYN + FIN');
  chk.eq('server', s, 'HCThruOctetsReceived', N + 1, 'N + FIN');
  // nothing is injected, but a loaded machine can still delay an ACK past the tail-loss-probe
  // timer: the kernel's own count decides whether this run was lossless
  const rtx = res.client.info.total_retrans;
  chk.info('client', 'tcpi_total_retrans', rtx, 0, 'lossless run?');
  if (rtx === 0) {
    chk.eq('client', c, 'HCDataOctetsOut', N, 'every byte sent once');
    chk.eq('client', c, 'SegsRetrans', 0, 'lossless');
    chk.eq('server', s, 'HCDataOctetsIn', N, 'lossless: payload received == N');
    // the self-check is exact: what it says was unseen is exactly what is missing
    // each unseen segment carried 1..MSS octets (not all are full-sized: a 64 KiB send() that
    // finds the queue empty ends in a short segment)
    if (s && typeof s.DataSegsInUnseen === 'number' && typeof s.HCDataOctetsIn === 'number' && typeof s.CurMSS === 'number') {
      const u = s.DataSegsInUnseen, missing = N - s.HCDataOctetsIn;
      chk.that('server', 'N − HCDataOctetsIn within DataSegsInUnseen × [1, MSS]', missing >= u && missing <= u * s.CurMSS,
        missing, [u, u * s.CurMSS], 'the self-check accounts for every missing octet');
    }
    chk.eq('server', s, 'DataOctetsIn', N % U32, 'lossless: payload received == N');
  } else {
    t.diagnostic(`the kernel retransmitted ${rtx} segments (nothing was injected): lossless-only checks skipped`);
  }
  for (const [side, r] of [['client', c], ['server', s]]) {
    const mss = res[side].info.snd_mss;
    chk.eq(side, r, 'MinMSS', mss, 'the MSS never changed after the handshake (tcpi_snd_mss)');
    chk.eq(side, r, 'MaxMSS', mss, 'the MSS never changed after the handshake (tcpi_snd_mss)');
  }
  chk.eq('client', c, 'ECN', 2, 'tcp_ecn=2 (default): the active side does not request ECN → selfDisabled');
  chk.eq('server', s, 'ECN', 3, 'tcp_ecn=2 (default): the passive side would accept → peerDisabled');
  chk.eq('client', c, 'IpTtl', 64, "server's default TTL");
  chk.eq('server', s, 'IpTtl', 64, "client's default TTL");
  // every ACK reaches the draining client while ESTABLISHED; --sample 0 puts every sample in the stream
  const ev = await socketEvents(run.rec, res.client.lport, p);
  if (c) checkRttFamily(chk, 'client', c, ev, res.client.info);
  checkExtremes(chk, 'client', c, res.client);
  // nothing is injected, yet a late ACK can make a tail-loss probe end in CWR: bounds, not zeros
  checkCongestionSums(chk, 'client', c);
  checkListener(chk, run.rows, res, p, await pair.nstat('b'));
  compareClientNstat(chk, c, await pair.nstat('a'));
  const nb = await pair.nstat('b');
  chk.info('server', 'netns TcpOutSegs', s?.SegsOut, nb.TcpOutSegs, 'server netns (also carries the SYN-ACK)');
  chk.info('server', 'netns TcpInSegs', s?.SegsIn, nb.TcpInSegs, 'server netns (also carries the SYN)');
  await keepRecording(t, chk, run, 'lossless', { ports: [p], pairs: [pair] });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

scenarioTest('loss: drop every Nth data segment on the receiver ingress', async t => {
  const t0 = Date.now();
  const pair = await scenarioPair(t);
  const p = port();
  const N = 2 * 1024 * 1024;
  const drop = await pair.attachTc('b', 'drop_nth', { cfg: { 0: 60, 1: 8, 2: p } });
  const chk = new Checks(t, 'loss');
  const run = await runScenario(t, chk, p, 'loss', () => transfer(pair, { port: p, bytes: N, client: { drain: true } }),
    { extra: [`where port == ${p} print SegsRetrans, FastRetran, CongSignals, castate`], sample: '0' });
  const { res, close } = run;
  const st = await drop.stats();
  const drops = st[1];
  chk.that('tc', 'drops injected', drops >= 1, drops, '>= 1', 'drop_nth stats[1]');
  chk.that('server', 'received', res.server.received === N, res.server.received, N, 'application bytes');
  compareEnds(chk, close, res);
  const c = close.client, s = close.server, ci = res.client.info;
  const na = await pair.nstat('a'), nb = await pair.nstat('b');
  chk.eq('client', c, 'SegsRetrans', ci.total_retrans, 'tcpi_total_retrans');
  chk.eq('client', c, 'OctetsRetrans', ci.bytes_retrans, 'tcpi_bytes_retrans');
  chk.ge('client', c, 'SegsRetrans', drops, '>= drops injected');
  chk.eq('client', c, 'FastRetran', na.TcpExtTCPSackRecovery + na.TcpExtTCPRenoRecovery, 'netns TCPSackRecovery + TCPRenoRecovery');
  const fr = chk.value('client', c, 'FastRetran');
  if (fr !== undefined) chk.ge('client', c, 'CongSignals', fr, '>= FastRetran');
  chk.ge('client', c, 'CongSignals', 1, 'a loss was signalled');
  chk.ge('client', c, 'SACKsRcvd', 1, 'SACK is on: the receiver reported the holes');
  chk.ge('client', c, 'SACKBlocksRcvd', c?.SACKsRcvd ?? 0, '>= SACKsRcvd');
  chk.ge('client', c, 'DupAcksIn', 1, 'dup ACKs for each hole');
  chk.ge('server', s, 'DupAcksOut', 1, 'out-of-order segments received');
  chk.ge('server', s, 'DupAckEpisodes', 1, 'one reassembly episode per hole');
  chk.info('server', 'DupAckEpisodes vs drops injected', s?.DupAckEpisodes, drops, '≈ (reference: drop every Nth → ≈ drops)');
  chk.ge('server', s, 'MaxReasmQueue', 1, 'the OFO queue was used');
  chk.ge('server', s, 'HCDataOctetsIn', N, 'payload received, duplicates included');
  chk.info('client', 'DupAcksIn vs peer DupAcksOut', c?.DupAcksIn, s?.DupAcksOut, "≈ peer's rcv_ooopack");
  chk.info('server', 'DupAckEpisodes vs netns TCPOFOQueue', s?.DupAckEpisodes, nb.TcpExtTCPOFOQueue);
  chk.info('client', 'CongSignals vs recoveries + RTOs', c?.CongSignals, na.TcpExtTCPSackRecovery + na.TcpExtTCPRenoRecovery + ci.total_rto);
  chk.info('tc', 'drop_nth stats', st, null, '[new data segs, dropped, bytes dropped, retransmissions passed]');
  const ev = await socketEvents(run.rec, res.client.lport, p);
  if (c) checkRttFamily(chk, 'client', c, ev, ci);
  // a RACK reordering timer can mark segments lost (the pipe shrinks) with no hook in between: no pipe bound here
  checkExtremes(chk, 'client', c, res.client, { pipe: false });
  checkCongestionSums(chk, 'client', c);
  checkListener(chk, run.rows, res, p, await pair.nstat('b'));
  compareClientNstat(chk, c, na);
  await keepRecording(t, chk, run, 'loss', { ports: [p], pairs: [pair] });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

/**
 * Reordering without loss. The client's veth has an htb root (no netem, no
 * fq on this kernel): the default class at 100 Mbit is the bottleneck where
 * segments queue, a faster class of higher priority is served first.
 * tc/reorder.bpf.c (client egress) steers every Nth new data segment into
 * the fast class, so it overtakes the segments queued before it: nothing is
 * lost, segments only arrive late. tc/ofo_watch.bpf.c (server ingress) and
 * tc/ack_watch.bpf.c (client ingress) count what each TCP received, in the
 * order it received it. The client waits for every byte to be acknowledged
 * before it closes, so all ACKs reach it while ESTABLISHED (tcp_probe).
 *
 * Each reordering episode of the receiver is one dup-ACK episode of the
 * sender; the kernel ends it either without a retransmission (Disorder →
 * Open) or by entering Recovery (it does so now and then even without
 * retransmitting anything: RACK judges the overtaken segments against the
 * µs RTT of the veth). The kernel counts the recoveries (TCPSackRecovery);
 * its congestion-state tracepoint says which episodes they were.
 */
scenarioTest('reordering: every Nth data segment overtakes the queue', async t => {
  const t0 = Date.now();
  const pair = await usePair(t);
  const p = port();
  const N = 2 * 1024 * 1024;
  const EVERY = 79; // > the ~55 segments the default class queues at most: episodes never overlap
  const fast = await pair.htbTwoClass('a', { rate: '100mbit', fastRate: '1gbit' });
  const ro = await pair.attachTc('a', 'reorder', { dir: 'egress', cfg: { 0: EVERY, 1: fast, 2: p } });
  const ofo = await pair.attachTc('b', 'ofo_watch', { cfg: { 0: p } });
  const acks = await pair.attachTc('a', 'ack_watch', { cfg: { 0: p } });
  const chk = new Checks(t, 'reorder');
  const run = await runScenario(t, chk, p, 'reorder', () => transfer(pair, { port: p, bytes: N, client: { drain: true } }),
    { extra: [`on congestion where port == ${p} print castate, oldcastate, NonRecovDAEpisodes, NonRecovDA, SumOctetsReordered`], sample: '0' });
  const { res, close } = run;
  const rs = await ro.stats(), os = await ofo.stats(), as = await acks.stats();
  const spans = await ofo.dump('spans'), runs = await acks.dump('runs');
  chk.info('tc', 'reorder stats', rs, null, '[new data segs, steered, bytes steered, retransmissions, -]');
  chk.info('tc', 'ofo_watch stats', os, null, '[data segs, OFO arrivals, episodes, Σ span, max span, not followed, duplicates, synced]');
  chk.info('tc', 'ack_watch stats', as, null, '[acks, advancing, dup, with SACK, SACK blocks, SACK not advancing, -, SACK runs]');
  const c = close.client, s = close.server, ci = res.client.info;
  const na = await pair.nstat('a'), nb = await pair.nstat('b');
  const episodes = os[2], recoveries = na.TcpExtTCPSackRecovery + na.TcpExtTCPRenoRecovery;
  const coalesced = na.TcpExtTCPBacklogCoalesce; // ACKs merged in the client's socket backlog: the tool sees one
  chk.that('tc', 'segments steered', rs[1] >= 3, rs[1], '>= 3', 'reorder stats[1]');
  chk.that('tc', 'reordering episodes at the receiver', episodes >= 3, episodes, '>= 3', 'ofo_watch stats[2]');
  chk.that('client', 'tcpi_reord_seen', ci.reord_seen >= 1, ci.reord_seen, '>= 1', 'the kernel saw the reordering');
  // Now and then RACK retransmits an overtaken segment (spuriously: a D-SACK comes back). The
  // kernel's own count decides whether this run was reordering only; the checks that rest on
  // that (one SACK run per episode, one RTT sample per ACK) are skipped otherwise.
  const pure = ci.total_retrans === 0 && os[5] === 0 && os[6] === 0;
  chk.info('client', 'reordering only?', { total_retrans: ci.total_retrans, notFollowed: os[5], duplicates: os[6] }, 'all 0');
  if (!pure) t.diagnostic(`the kernel retransmitted ${ci.total_retrans} segment(s): checks that assume reordering only are skipped`);
  if (pure) {
    chk.that('server', 'netns TCPOFOQueue', nb.TcpExtTCPOFOQueue === os[1], nb.TcpExtTCPOFOQueue, os[1], '== out-of-order arrivals (ofo_watch)');
    chk.that('tc', 'SACK runs at the sender', as[7] === episodes, as[7], episodes, 'one run of SACK-bearing ACKs per receiver episode');
  }
  compareEnds(chk, close, res);
  // the receiver: counted per arriving segment at tcp_probe, the same segments in the same order as ofo_watch.
  // Not when a (spurious RACK) retransmission arrived as a duplicate of a held segment: tcp_probe
  // sees it beyond rcv_nxt (an out-of-order arrival, with its dup ACK) where ofo_watch counts a
  // duplicate (seen once: 17 and 18 against 16 and 17, with 3 retransmissions)
  if (os[5] === 0 && os[6] === 0) {
    chk.eq('server', s, 'DupAckEpisodes', episodes, 'ofo_watch: out-of-order arrivals while nothing was held');
    chk.eq('server', s, 'DupAcksOut', os[1], 'ofo_watch: out-of-order arrivals (each forces an immediate dup ACK)');
    chk.eq('server', s, 'MaxReasmQueue', os[4], 'ofo_watch: max (end − next expected) of out-of-order arrivals');
  }
  chk.eq('server', s, 'CurReasmQueue', 0, 'all data in order at close');
  // the sender's episodes, in order, from its congestion-state changes (kernel tracepoint)
  const ev = await socketEvents(run.rec, res.client.lport, p);
  const eps = [];
  for (const e of ev.filter(x => x.kind === EV.CONGESTION)) {
    if (e.oldcastate === 0 && e.castate !== 0) eps.push([e.castate]);
    else if (eps.length && e.oldcastate !== 0) eps.at(-1).push(e.castate);
  }
  const clean = eps.map(x => x.length === 2 && x[0] === 1 && x[1] === 0); // Open → Disorder → Open
  const throughRecovery = eps.filter(x => x.some(st => st >= 3)).length;
  // (the tool's congestion events relay tcp_cong_state_set; skipped tracepoint runs can drop some)
  if (pure) {
    chk.range('client', c, "sender's dup-ACK episodes", eps.length, episodes, episodes,
      'one per receiver episode (Open → Disorder/Recovery … → Open, tcp_cong_state_set)');
    chk.range('client', c, 'episodes through Recovery', throughRecovery, recoveries, recoveries, '== netns TCPSackRecovery');
  }
  if (pure) chk.eq('client', c, 'NonRecovDAEpisodes', episodes - recoveries, 'receiver episodes (ofo_watch) − netns TCPSackRecovery');
  chk.eq('client', c, 'FastRetran', recoveries, 'netns TCPSackRecovery');
  if (pure && eps.length === episodes && as[7] === episodes) {
    // per clean episode: SND.UNA advances from the first hole byte (the receiver's next expected
    // byte when the overtaking segment arrived) to past that segment; its SACK-bearing ACKs are
    // the dubious ACKs that did not lead to a retransmission
    let octets = 0, dubious = 0, maxSpan = 0;
    for (let k = 0; k < episodes; k++) {
      if (!clean[k]) continue;
      octets += spans[k] ?? 0; dubious += runs[k] ?? 0; maxSpan = Math.max(maxSpan, spans[k] ?? 0);
    }
    chk.info('client', 'clean episodes', clean.filter(Boolean).length, episodes, `${coalesced} ACKs coalesced in the backlog`);
    // a coalesced pair of ACKs is one to the tool: it can only lose, at most one episode's advance or one ACK per merge
    chk.range('client', c, 'SumOctetsReordered', chk.value('client', c, 'SumOctetsReordered'), octets - coalesced * maxSpan, octets,
      'Σ receiver spans (ofo_watch) of the episodes that ended without Recovery, − what coalesced ACKs hid');
    chk.range('client', c, 'NonRecovDA', chk.value('client', c, 'NonRecovDA'), dubious - coalesced, dubious,
      'Σ SACK-bearing ACKs (ack_watch) of the episodes that ended without Recovery, − coalesced ACKs');
  }
  const between2 = (name, hi, loss, note) => chk.range('client', c, name, chk.value('client', c, name), hi - loss, hi, note);
  between2('SACKsRcvd', as[3], coalesced, 'ack_watch: ACKs with a SACK option, − coalesced ACKs');
  between2('SACKBlocksRcvd', as[4], 3 * coalesced, 'ack_watch: SACK blocks, − 3 per coalesced ACK');
  between2('DupAcksIn', as[2], coalesced, 'ack_watch: pure ACKs repeating the highest ACK, − coalesced ACKs');
  // the RTT samples: one per ACK that acknowledged new data (all of it sent once) or SACKed new data
  if (pure) between2('CountRTT', as[1] + as[5], coalesced, 'ack_watch: advancing ACKs (SYN-ACK and FIN ACK included) + SACK-only ACKs, − coalesced ACKs');
  if (c) checkRttFamily(chk, 'client', c, ev, ci);
  checkExtremes(chk, 'client', c, res.client);
  checkCongestionSums(chk, 'client', c);
  chk.info('client', 'nstat', Object.fromEntries(Object.entries(na).filter(([k, v]) => v && /^TcpExt|^IpExt/.test(k))));
  chk.info('client', 'tcp_info', { reordering: ci.reordering, reord_seen: ci.reord_seen, rtt: ci.rtt, rttvar: ci.rttvar, min_rtt: ci.min_rtt }, null);
  // The kernel undoes a recovery it finds spurious (timestamps show the segments were only
  // delayed): the floor heuristic (Recovery → Open/Disorder with undo_marker cleared) against the
  // kernel's undo counters. Only in reordering-only runs: a D-SACK undo from Disorder
  // (tcp_try_undo_dsack) is no Recovery exit and is not what the heuristic sees.
  const undos = na.TcpExtTCPFullUndo + na.TcpExtTCPPartialUndo + na.TcpExtTCPDSACKUndo;
  if (pure) {
    chk.eq('client', c, 'SpuriousFrDetected', undos, 'netns TCPFullUndo + TCPPartialUndo + TCPDSACKUndo');
    chk.eq('client', c, 'CongOverCount', undos + na.TcpExtTCPLossUndo, 'netns undo counters (+ TCPLossUndo)');
  } else {
    chk.info('client', 'SpuriousFrDetected vs netns FullUndo + PartialUndo + DSACKUndo', c?.SpuriousFrDetected, undos, `CongOverCount ${c?.CongOverCount}`);
  }
  chk.info('client', 'episodes (castates after Open)', eps.map(x => x.join('')).join(' '), null);
  checkListener(chk, run.rows, res, p, await pair.nstat('b'));
  compareClientNstat(chk, c, na);
  await keepRecording(t, chk, run, 'reorder', { ports: [p], pairs: [pair] });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

scenarioTest('black-hole mid-transfer: RTOs, backed-off subsequent RTOs', async t => {
  const t0 = Date.now();
  const pair = await scenarioPair(t);
  const p = port();
  const N = 1024 * 1024;
  const WINDOW_MS = 1700;
  const bh = await pair.attachTc('b', 'blackhole', { cfg: { 0: 200, 1: WINDOW_MS * 1e6, 2: p } });
  const chk = new Checks(t, 'blackhole');
  const run = await runScenario(t, chk, p, 'blackhole', () => transfer(pair, { port: p, bytes: N, timeoutMs: 15000 }),
    { extra: [`on timeout where port == ${p} print CurRTO, CurTimeoutCount, Timeouts, SubsequentTimeouts, AbruptTimeouts, MinRTO, MaxRTO, castate`] });
  const { res, close, rows } = run;
  const st = await bh.stats();
  chk.that('tc', 'packets black-holed', st[1] >= 1, st[1], '>= 1', `window ${WINDOW_MS} ms`);
  chk.that('server', 'received', res.server.received === N, res.server.received, N, 'application bytes');
  compareEnds(chk, close, res);
  const c = close.client, ci = res.client.info;
  const na = await pair.nstat('a');
  chk.ge('client', c, 'Timeouts', 1, 'the first RTO of the episode');
  chk.ge('client', c, 'SubsequentTimeouts', 1, `a ${WINDOW_MS} ms hole outlasts the first RTO`);
  chk.that('client', 'tcpi_total_rto', ci.total_rto >= 2, ci.total_rto, '>= 2', 'scenario sanity');
  chk.ge('client', c, 'CongSignals', ci.total_rto, 'every RTO enters Loss');
  chk.ge('client', c, 'AbruptTimeouts', 1, 'RTO from Open');
  chk.info('client', 'Timeouts vs tcpi_total_rto_recoveries', c?.Timeouts, ci.total_rto_recoveries);
  // a real black-hole: the kernel finds no RTO spurious, and the floor heuristic (Loss → Open with
  // undo_marker cleared) must not either (the kernel's counters decide; when they are not 0 the
  // two counts need not map one to one, and only the comparison is reported)
  const spur = na.TcpExtTCPSpuriousRTOs + na.TcpExtTCPLossUndo;
  const allUndo = spur + na.TcpExtTCPFullUndo + na.TcpExtTCPPartialUndo + na.TcpExtTCPDSACKUndo;
  if (spur === 0) chk.eq('client', c, 'SpuriousRtoDetected', 0, 'netns TCPSpuriousRTOs + TCPLossUndo == 0');
  else chk.info('client', 'SpuriousRtoDetected vs netns TCPSpuriousRTOs + TCPLossUndo', c?.SpuriousRtoDetected, spur);
  if (allUndo === 0) chk.eq('client', c, 'CongOverCount', 0, 'netns undo counters all 0');
  chk.info('client', 'Timeouts+Subsequent vs netns TCPTimeouts', (c?.Timeouts ?? 0) + (c?.SubsequentTimeouts ?? 0), na.TcpExtTCPTimeouts);
  const to = rows.filter(r => r.event === 'timeout' && r.lport === res.client.lport && r.rport === p);
  chk.that('client', 'timeout rows', to.length === ci.total_rto, to.length, ci.total_rto, 'one on-timeout row per RTO');
  const rtos = to.map(r => r.CurRTO);
  chk.info('client', 'CurRTO at the timeout events', rtos);
  const minRto = chk.value('client', c, 'MinRTO'), maxRto = chk.value('client', c, 'MaxRTO');
  if (minRto !== undefined) {
    chk.that('client', 'some CurRTO at a timeout > MinRTO', rtos.some(x => x > minRto), Math.max(...rtos), minRto, 'backoff');
    chk.that('client', 'MinRTO >= 200 ms', minRto >= 200, minRto, 200, 'rto_min');
  }
  if (maxRto !== undefined && minRto !== undefined) chk.that('client', 'MaxRTO >= MinRTO', maxRto >= minRto, maxRto, minRto);
  for (let k = 1; k < rtos.length; k++) chk.that('client', `CurRTO doubles (timeout ${k + 1})`, rtos[k] === 2 * rtos[k - 1], rtos[k], 2 * rtos[k - 1], 'exponential backoff');
  if (to.length) {
    chk.that('client', 'first timeout: CurTimeoutCount', to[0].CurTimeoutCount === 0, to[0].CurTimeoutCount, 0, 'icsk_retransmits before the first RTO');
    chk.that('client', 'last timeout row: Timeouts+SubsequentTimeouts', to.at(-1).Timeouts + to.at(-1).SubsequentTimeouts >= to.length - 1, to.at(-1).Timeouts + to.at(-1).SubsequentTimeouts, `${to.length - 1} or ${to.length}`, 'counted at the event (before or after this RTO)');
  }
  checkListener(chk, run.rows, res, p, await pair.nstat('b'));
  compareClientNstat(chk, c, na);
  await keepRecording(t, chk, run, 'blackhole', { ports: [p], pairs: [pair] });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

scenarioTest('CE marks with tcp_ecn=1 on both sides: CERcvd, ECNsignals, ECN enabled', async t => {
  const t0 = Date.now();
  const pair = await scenarioPair(t);
  const p = port();
  const N = 2 * 1024 * 1024;
  for (const s of ['a', 'b']) await pair.sysctl(s, 'net.ipv4.tcp_ecn', 1);
  const ce = await pair.attachTc('b', 'ce_mark', { cfg: { 0: 150, 1: 8, 2: p } });
  const chk = new Checks(t, 'ecn');
  const run = await runScenario(t, chk, p, 'ecn', () => transfer(pair, { port: p, bytes: N }),
    { extra: [`where port == ${p} print ECNsignals, CERcvd, ECESent, CongSignals`] });
  const { res, close } = run;
  const st = await ce.stats();
  const marks = st[2];
  chk.that('tc', 'CE marks injected', marks >= 1, marks, '>= 1', 'ce_mark stats[2]');
  chk.that('tc', 'no CE before the marker', st[3] === 0, st[3], 0);
  compareEnds(chk, close, res);
  const c = close.client, s = close.server;
  chk.eq('client', c, 'ECN', 1, 'negotiated');
  chk.eq('server', s, 'ECN', 1, 'negotiated');
  chk.eq('server', s, 'CERcvd', marks, 'marks injected on segments received in ESTABLISHED');
  chk.ge('server', s, 'ECESent', 1, 'ECE switched on');
  chk.cmp('server', s, 'ECESent', '<=', marks, '<= marks');
  chk.ge('client', c, 'ECNsignals', 1, 'ECE received');
  chk.cmp('client', c, 'ECNsignals', '<=', marks, '<= marks');
  const es = chk.value('client', c, 'ECNsignals');
  if (es !== undefined) chk.ge('client', c, 'CongSignals', es, '>= ECNsignals');
  chk.info('client', 'tcpi_total_retrans', res.client.info.total_retrans, 0, 'ECN marks, no loss injected');
  chk.that('client', 'tcpi_delivered_ce', res.client.info.delivered_ce > 0, res.client.info.delivered_ce, '> 0', 'scenario sanity');
  chk.info('tc', 'ce_mark stats', st, null, '[data segs, ECT data segs, marked, already CE]');
  checkListener(chk, run.rows, res, p, await pair.nstat('b'));
  compareClientNstat(chk, c, await pair.nstat('a'));
  await keepRecording(t, chk, run, 'ecn', { ports: [p], pairs: [pair] });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

test('slow receiver, small SO_RCVBUF, 1 s without reading: zero windows', T, async t => {
  const t0 = Date.now();
  const pair = await scenarioPair(t);
  const p = port();
  const N = 1024 * 1024;
  const chk = new Checks(t, 'zerowindow');
  const run = await runScenario(t, chk, p, 'zerowindow', () => transfer(pair, {
    port: p, bytes: N, server: { rcvbuf: 16384, stallAfter: 65536, stallMs: 1000, recvSize: 4096 },
  }), { extra: [`where port == ${p} print CurRwinRcvd, ZeroRwinRcvd, ZeroRwinSent`] });
  const { res, close } = run;
  const na = await pair.nstat('a'), nb = await pair.nstat('b');
  chk.that('server', 'stalled', res.server.stalled === true, res.server.stalled, true);
  chk.info('server', 'netns TCPFromZeroWindowAdv', nb.TcpExtTCPFromZeroWindowAdv, null);
  chk.that('server', 'netns TCPToZeroWindowAdv', nb.TcpExtTCPToZeroWindowAdv >= 1, nb.TcpExtTCPToZeroWindowAdv, '>= 1', 'scenario sanity');
  chk.that('server', 'received', res.server.received === N, res.server.received, N, 'application bytes');
  compareEnds(chk, close, res);
  const c = close.client, s = close.server;
  const toZero = nb.TcpExtTCPToZeroWindowAdv;
  chk.ge('client', c, 'ZeroRwinRcvd', 1, 'zero window received');
  chk.ge('server', s, 'ZeroRwinSent', 1, 'zero window advertised');
  // The kernel counts a zero advertisement only when the window still open at that moment was
  // non-zero; the RFC (and the tool) whenever the previous advertisement was non-zero: the tool
  // can count more, never fewer (short of net_dev_queue recursion misses).
  chk.ge('server', s, 'ZeroRwinSent', toZero - (chk.progMisses.estats_xmit ?? 0), 'netns TCPToZeroWindowAdv (− estats_xmit recursion misses)');
  // A sender busy in sendmsg() gets its ACKs through the socket backlog, where the kernel
  // coalesces pure ACKs (TCPBacklogCoalesce): tcp_probe then sees only the last window of a
  // merged run, so the sender can see fewer zero windows than the receiver advertised.
  if (s && s.ZeroRwinSent != null) chk.cmp('client', c, 'ZeroRwinRcvd', '<=', s.ZeroRwinSent, "<= the peer's ZeroRwinSent");
  chk.info('client', 'ZeroRwinRcvd vs peer TCPToZeroWindowAdv', c?.ZeroRwinRcvd, toZero, `client netns TCPBacklogCoalesce ${na.TcpExtTCPBacklogCoalesce}`);
  chk.info('server', 'ZeroRwinSent vs netns TCPToZeroWindowAdv', s?.ZeroRwinSent, toZero);
  chk.ge('client', c, 'MaxRwinRcvd', c?.CurRwinRcvd ?? 0, '>= CurRwinRcvd');
  chk.cmp('client', c, 'SndLimTimeRwin', '>', 0, 'receiver-limited for a while');
  chk.info('client', 'netns TCPWinProbe', na.TcpExtTCPWinProbe, null);
  checkListener(chk, run.rows, res, p, await pair.nstat('b'));
  compareClientNstat(chk, c, na);
  await keepRecording(t, chk, run, 'zerowindow', { ports: [p], pairs: [pair] });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

/** option toggles: one short connection per case, each in its own pair */
const TOGGLES = [
  {
    name: 'tcp_timestamps=0 on the server', sysctl: { b: { 'net.ipv4.tcp_timestamps': 0 } },
    expect(chk, c, s, res) {
      chk.that('client', 'tcpi_options timestamps', !(res.client.info.options & TCPI_OPT_TIMESTAMPS), res.client.info.options, 'no TS bit', 'scenario sanity');
      chk.cmp('client', c, 'TimeStamps', '!=', 1, 'not negotiated');
      chk.eq('client', c, 'TimeStamps', 3, 'we offered it: peerDisabled');
      chk.eq('server', s, 'TimeStamps', 2, 'sysctl off here: selfDisabled');
      chk.eq('client', c, 'MSSSent', res.client.info.advmss, 'no timestamp bytes to add back');
    },
  },
  {
    name: 'tcp_window_scaling=0 on the client', sysctl: { a: { 'net.ipv4.tcp_window_scaling': 0 } },
    expect(chk, c, s, res) {
      chk.that('client', 'tcpi_options wscale', !(res.client.info.options & TCPI_OPT_WSCALE), res.client.info.options, 'no WS bit', 'scenario sanity');
      for (const [side, r] of [['client', c], ['server', s]]) {
        chk.eq(side, r, 'WinScaleSent', -1, 'window scaling off');
        chk.eq(side, r, 'WinScaleRcvd', -1, 'window scaling off');
        chk.cmp(side, r, 'MaxRwinRcvd', '<=', 65535, 'unscaled window');
      }
    },
  },
  {
    name: 'tcp_sack=0 on the server', sysctl: { b: { 'net.ipv4.tcp_sack': 0 } },
    expect(chk, c, s, res) {
      chk.that('client', 'tcpi_options sack', !(res.client.info.options & TCPI_OPT_SACK), res.client.info.options, 'no SACK bit', 'scenario sanity');
      for (const name of ['WillSendSACK', 'WillUseSACK']) {
        chk.cmp('client', c, name, '!=', 1, 'not negotiated');
        chk.eq('client', c, name, 3, 'we offered it: peerDisabled');
        chk.eq('server', s, name, 2, 'sysctl off here: selfDisabled');
      }
    },
  },
  {
    name: 'TCP_MAXSEG 1000 on the server', server: { maxseg: 1000 },
    expect(chk, c, s, res) {
      chk.cmp('client', c, 'CurMSS', '<=', 1000, 'peer MSS 1000');
      chk.eq('client', c, 'CurMSS', res.client.info.snd_mss, 'tcpi_snd_mss');
      chk.eq('client', c, 'MSSRcvd', 1000, "the server's MSS option");
      chk.eq('server', s, 'MSSSent', 1000, 'TCP_MAXSEG 1000');
      chk.eq('server', s, 'LimMSS', 1000, 'user_mss');
      chk.cmp('client', c, 'MaxMSS', '<=', 1000, 'never above the peer MSS');
    },
  },
  {
    name: 'IP_TTL 33 / IP_TOS 0x20 on the client', client: { ttl: 33, tos: 0x20 },
    expect(chk, c, s) {
      chk.eq('server', s, 'IpTtl', 33, "client's IP_TTL");
      chk.eq('server', s, 'IpTosIn', 0x20, "client's IP_TOS (no ECN)");
      chk.eq('client', c, 'IpTosOut', 0x20, 'own IP_TOS');
      chk.eq('client', c, 'IpTtl', 64, "server's default TTL");
    },
  },
  {
    name: 'IPv6 with hop limit 33 / traffic class 0x20 on the client', v6: true, client: { ttl: 33, tos: 0x20 },
    expect(chk, c, s) {
      chk.eq('server', s, 'IpTtl', 33, "client's IPV6_UNICAST_HOPS");
      chk.eq('server', s, 'IpTosIn', 0x20, "client's IPV6_TCLASS (no ECN)");
      chk.eq('client', c, 'IpTtl', 64, "server's default hop limit");
    },
  },
];

test('option toggles per namespace: timestamps, window scaling, SACK, MSS, TTL/TOS, IPv6', T, async t => {
  const t0 = Date.now();
  const chk = new Checks(t, 'options');
  const p0 = port();
  const ports = TOGGLES.map((_, k) => (k === 0 ? p0 : port()));
  const pairs = [];
  for (const tg of TOGGLES) {
    const pair = await scenarioPair(t);
    for (const [s, ctl] of Object.entries(tg.sysctl ?? {})) for (const [k, v] of Object.entries(ctl)) await pair.sysctl(s, k, v);
    pairs.push(pair);
  }
  const where = `port in (${ports.join(', ')})`;
  const run = await runScenario(t, chk, p0, 'options', async () => {
    const out = [];
    for (const [k, tg] of TOGGLES.entries()) {
      out.push(await transfer(pairs[k], { port: ports[k], bytes: 256 * 1024, v6: tg.v6, server: tg.server, client: tg.client }));
    }
    return { ...out[0], all: out };
  }, { where });
  for (const [k, tg] of TOGGLES.entries()) {
    const res = run.res.all[k], p = ports[k];
    const sub = new Checks({ diagnostic: m => t.diagnostic(`[${tg.name}] ${m}`) }, `options: ${tg.name}`);
    const { client, server } = k === 0 ? run.close : closeRows(sub, run.rows, res, p);
    sub.that('server', 'received', res.server.received === 256 * 1024, res.server.received, 256 * 1024);
    sub.probeMisses = chk.probeMisses;
    for (const r of [client, server]) if (r && typeof r.DataSegsInUnseen === 'number') sub.pairUnseen += r.DataSegsInUnseen;
    compareEnds(sub, { client, server }, res, { serverMaxseg: tg.server?.maxseg });
    if (client && server) tg.expect(sub, client, server, res);
    chk.tolerated.push(...sub.tolerated);
    chk.fails.push(...sub.fails.map(f => `[${tg.name}] ${f}`));
    chk.n += sub.n;
    for (const x of sub.nulls) chk.nulls.add(x);
  }
  await keepRecording(t, chk, run, 'options', { ports, pairs });
  chk.info('-', 'seconds', (Date.now() - t0) / 1000);
  chk.done();
});

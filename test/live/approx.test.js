// The approximate (class A) variables against a ground truth: the kernel's
// own account (TCP_INFO, the namespace's nstat MIBs, the injectors' counts)
// or the construction of the traffic (bursts and sleeps). Each scenario is
// in test/scenarios/approx.js; test/scenarios/approx-measure.js runs them
// many times to measure the error (tool − truth) that the catalog's caveats
// quote. The bounds asserted here are those measurements plus a margin, and
// each one can fail: a heuristic that regresses leaves its bound.
//
// Every check is collected and reported (t.diagnostic), then asserted
// together. APPROX_REPORT=/path/file.ndjson appends one JSON line per check.
//
// Run as root, under the shared lock:
//   flock /tmp/tcp-estats-live.lock node --test --test-concurrency=1 test/live/approx.test.js
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { needRoot, port } from './util.js';
import { usePair } from '../scenarios/netns.js';
import * as A from '../scenarios/approx.js';

const REPORT = process.env.APPROX_REPORT;
const T = { skip: needRoot, timeout: 60000 };
const U32_INF = 0x7fffffff;

class Checks {
  constructor(t, scenario) { this.t = t; this.scenario = scenario; this.fails = []; this.n = 0; }
  /** ok: the bound holds; what: the variable; tool/truth: the values; bound: text */
  check(what, ok, tool, truth, bound) {
    this.n++;
    const line = { scenario: this.scenario, var: what, tool, truth, err: typeof tool === 'number' && typeof truth === 'number' ? tool - truth : null, bound, ok };
    if (REPORT) appendFileSync(REPORT, JSON.stringify(line) + '\n');
    const msg = `${what}: tool=${JSON.stringify(tool)} truth=${JSON.stringify(truth)} (${bound})`;
    this.t.diagnostic(`${ok ? 'ok' : 'FAIL'} ${msg}`);
    if (!ok) this.fails.push(msg);
  }
  /** |tool − truth| ≤ tol */
  near(what, x, tol, why) {
    const ok = typeof x.tool === 'number' && typeof x.truth === 'number' && Math.abs(x.tool - x.truth) <= tol;
    this.check(what, ok, x.tool, x.truth, `|tool − truth| ≤ ${tol}: ${why}`);
  }
  /** lo ≤ tool − truth ≤ hi */
  within(what, x, lo, hi, why) {
    const e = typeof x.tool === 'number' && typeof x.truth === 'number' ? x.tool - x.truth : NaN;
    this.check(what, e >= lo && e <= hi, x.tool, x.truth, `${lo} ≤ tool − truth ≤ ${hi}: ${why}`);
  }
  /** a scenario precondition: without it the truth does not hold */
  sanity(what, ok, value) { this.check(`scenario: ${what}`, !!ok, value, null, 'precondition'); }
  info(what, value) {
    if (REPORT) appendFileSync(REPORT, JSON.stringify({ scenario: this.scenario, var: what, info: value }) + '\n');
    this.t.diagnostic(`info ${what}: ${JSON.stringify(value)}`);
  }
  done() { assert.deepEqual(this.fails, [], `${this.scenario}: ${this.fails.length} of ${this.n} checks failed`); }
}

/** tbf on the sender's veth: a GSO-less veth flow otherwise overruns the receiving CPU's backlog */
async function pairWithTbf(t, rate) {
  const pair = await usePair(t);
  await pair.tbf('a', { rate, burst: '64kb', latency: '100ms' });
  return pair;
}

test('bursts and sleeps (reno): SndLimTime*/SndLimPct*, SndLimTrans*, OtherReductions, SlowStart, CongAvoid', T, async t => {
  const chk = new Checks(t, 'bursts');
  const pair = await pairWithTbf(t, '200mbit');
  const BURSTS = 8, GAP = 260;
  const r = await A.burstsScenario(pair, port(), { cc: 'reno', bursts: BURSTS, size: 96 * 1024, gapMs: GAP });
  const v = r.vars, i = r.info;
  chk.sanity('no rwnd/sndbuf-limited time, no retransmission, Open at the end', r.clean, { rwnd: i.rwnd_limited, sndbuf: i.sndbuf_limited, retrans: i.total_retrans, ca: i.ca_state });
  chk.sanity('every sleep restarted a window above 10 segments (RTO < sleep)', r.gaps.slice(0, -1).every(g => g.snd_cwnd > 10 && g.rto < GAP * 1000), r.gaps.map(g => g.snd_cwnd));
  chk.sanity('reno never left slow start (no loss: ssthresh infinite)', i.snd_ssthresh >= U32_INF, i.snd_ssthresh);
  // chrono times: the kernel's own buckets, read at close (jiffies → µs in BPF, µs → ms)
  chk.near('SndLimTimeCwnd', v.SndLimTimeCwnd, 0.001, 'busy_us = chrono_stat[BUSY]: measured 0 (12 runs)');
  chk.near('SndLimTimeRwin', v.SndLimTimeRwin, 0.001, 'tcpi_rwnd_limited (F)');
  // elapsed: the tool's ends at the last segment, the client's when it saw CLOSE (polled every 2 ms)
  chk.within('SndLimTimeSnd', v.SndLimTimeSnd, -8, 1, 'elapsed(open → last segment) − busy vs client clock(connect → CLOSE seen) − tcpi_busy_time: measured −0.25..−0.08 ms; CLOSE is polled every 2 ms, the scheduler may add a few');
  chk.near('SndLimPctCwnd', v.SndLimPctCwnd, 0.5, 'measured < 0.001 points');
  chk.near('SndLimPctRwin', v.SndLimPctRwin, 0.5, 'measured 0');
  chk.near('SndLimPctSender', v.SndLimPctSender, 0.5, 'measured < 0.001 points');
  // transitions: Linux keeps none; the heuristic sees only what its snapshots (ACKs) catch, and
  // an idle period between the last ACK of a burst and the first ACK of the next one is not caught
  // an idle period between two snapshots shows as a new chrono_start in the same state (a hidden round trip)
  // (+1, +2: a burst's write queue can empty between two send() calls, a real idle the construction does not count)
  chk.within('SndLimTransCwnd', v.SndLimTransCwnd, -1, 2, 'measured −1..+2 of 9 (default --sample 10ms, 24 runs: 8..10 in 23, 11 once; −8 before hidden round trips were counted)');
  chk.within('SndLimTransSnd', v.SndLimTransSnd, -1, 2, 'measured −1..+2 of 9: same');
  chk.within('SndLimTransRwin', v.SndLimTransRwin, 0, 0, 'never window-limited (tcpi_rwnd_limited == 0)');
  // restarts after idle: the first ACK after the sleep shows the halved window
  chk.near('OtherReductions', v.OtherReductions, 1, 'one tcp_cwnd_restart per sleep: measured 0 with 96 KiB bursts (6 runs); a restart smaller than the last ACK\'s growth is missed');
  chk.within('CongAvoid', v.CongAvoid, 0, 0, 'ssthresh infinite: no congestion avoidance (construction)');
  const ss = v.SlowStart;
  chk.check('SlowStart', ss.tool >= 1 && ss.tool <= Math.min(ss.growthSegs, ss.acks), ss.tool, `1..min(${ss.growthSegs}, ${ss.acks})`,
    'reno model (no truth on this kernel): cwnd grew, and each counted increase is ≥ 1 segment on one ACK, so ≤ the slow-start growth in segments and ≤ the ACKs received; measured 0.05–0.16 of the growth (7 runs)');
  chk.info('elapsed ms (client, tool)', [r.elapsedMs, r.toolElapsedMs]);
  chk.done();
});

test('listen(1) without accept(), 5 connects: ExceedBacklog, SynRcvd, Initial and the HC twins vs the namespace MIB', T, async t => {
  const chk = new Checks(t, 'listen-overflow');
  const pair = await usePair(t);
  // the clients then close with a RST: the queued children are closed by their peer, never accepted
  const r = await A.listenOverflowScenario(pair, port(), { backlog: 1, connects: 5, holdMs: 1500, rst: true });
  const l = r.last, mib = r.mib, backlogPlusOne = 2;
  chk.info('netns MIB deltas', mib);
  chk.sanity('the accept queue overflowed (TcpExtListenOverflows > 0)', mib.ListenOverflows > 0, mib.ListenOverflows);
  chk.check('Established', l.Established === mib.PassiveOpens, l.Established, mib.PassiveOpens, '== TcpPassiveOpens');
  chk.check('Initial', l.Initial === mib.PassiveOpens, l.Initial, mib.PassiveOpens, 'every request that was hashed completed (no SYN-ACK lost): == TcpPassiveOpens');
  // SYNs dropped at the SYN for a full accept queue (TcpExtListenOverflows at tcp_conn_request) never get a request socket
  chk.within('SynRcvd', { tool: l.SynRcvd, truth: l.Initial + mib.ListenDrops }, -mib.ListenDrops, 0,
    'truth = requests + SYNs the listener dropped (ListenDrops); measured −6 of 8 / −9 of 11 (8 runs): SYN-time drops are invisible on the floor');
  // iter/tcp publishes the listener's sk_drops (its own ListenDrops) at each refresh: the SYN-time
  // overflows, freed without a drop reason, are in it
  chk.near('ExceedBacklog', { tool: l.ExceedBacklog, truth: mib.ListenOverflows }, 0,
    'TcpExtListenOverflows (one listener in the namespace): measured 0 (5 runs); before sk_drops was read, −9 of 9');
  chk.check('ExceedBacklog vs ListenDrops', l.ExceedBacklog === mib.ListenDrops, l.ExceedBacklog, mib.ListenDrops, '== TcpExtListenDrops: the listener\'s sk_drops');
  for (const [hc, lo] of [['HCSynRcvd', 'SynRcvd'], ['HCInitial', 'Initial'], ['HCAccepted', 'Accepted'], ['HCExceedBacklog', 'ExceedBacklog']])
    chk.check(hc, l[hc] === l[lo], l[hc], l[lo], `== ${lo} below 2^32`);
  chk.check('Accepted', l.Accepted === 0, l.Accepted, 0, 'no accept() (construction), although the queued children were reset by their peers: they stay queued');
  chk.check('CurEstabBacklog', l.CurEstabBacklog === backlogPlusOne, l.CurEstabBacklog, backlogPlusOne, 'listen(1) queues 2; reset children stay in the queue');
  chk.check('CurConns', l.CurConns === 0, l.CurConns, 0, 'no accept() (construction)');
  chk.done();
});

test('replayed segments (PAWS, beyond the window): SoftErrors, SoftErrorReason vs TcpExtPAWSEstab + TcpExtBeyondWindow', T, async t => {
  const chk = new Checks(t, 'soft-errors');
  const pair = await pairWithTbf(t, '100mbit');
  const r = await A.softErrorsScenario(pair, port(), { paws: 3, beyond: 2 });
  chk.info('netns MIB deltas (receiver)', r.mib);
  chk.sanity('both replays were sent', r.replays.length === 2 && r.replays.every(x => x.sent > 0), r.replays);
  chk.sanity('the receiver rejected copies (PAWSEstab, BeyondWindow > 0)', r.mib.PAWSEstab > 0 && r.mib.BeyondWindow > 0, r.mib);
  // a drop whose kfree_skb run the kernel skipped (recursion on a CPU, counted in the
  // estats_drop program's recursion_misses) is not counted: that many short is tolerated,
  // and the reason after the PAWS copies is then not known (seen once in ~20 runs: 4 of 5,
  // the program's misses not kept then)
  chk.info('runs of estats_drop the kernel skipped (recursion_misses)', r.dropMisses);
  const short = r.vars.SoftErrors.truth - r.vars.SoftErrors.tool;
  if (short > 0 && short <= r.dropMisses) {
    chk.within('SoftErrors', r.vars.SoftErrors, -r.dropMisses, 0, `tolerated: the kernel skipped ${r.dropMisses} runs of estats_drop`);
  } else {
    chk.near('SoftErrors', r.vars.SoftErrors, 0, 'kfree_skb reasons PAWS / INVALID_SEQUENCE: measured 0 (5 runs)');
    chk.check('SoftErrorReason after the PAWS copies', r.vars.SoftErrorReason.afterPaws === 5, r.vars.SoftErrorReason.afterPaws, 5, 'belowTSWindow');
  }
  chk.check('SoftErrorReason at close', r.vars.SoftErrorReason.tool === r.vars.SoftErrorReason.truth, r.vars.SoftErrorReason.tool, r.vars.SoftErrorReason.truth, 'aboveDataWindow (the last copies)');
  chk.check('client SoftErrors', r.clientSoftErrors === 0, r.clientSoftErrors, 0, 'nothing was injected towards the client');
  // tcp_probe runs before the stack validates a segment: the dropped copies reach the E counters
  chk.info('side effects on the receiver (tcp_probe counts segments the stack then drops)', r.sideEffects);
  chk.done();
});

test('local drops on the sender\'s egress: SendStall vs the drops', T, async t => {
  const chk = new Checks(t, 'send-stall');
  const pair = await pairWithTbf(t, '200mbit');
  await A.setCc(pair, 'a', 'reno');
  const r = await A.sendStallScenario(pair, port(), { every: 400 });
  chk.info('other counters', r.other);
  chk.sanity('drops made (drop_nth on egress)', r.drops > 0, r.drops);
  chk.sanity('nothing lost on the wire (no retransmission)', r.info.total_retrans === 0, r.info.total_retrans);
  // 400 segments at 200 Mbit/s are ~23 ms apart, a CWR episode lasts one RTT (~1 ms): one episode per drop
  chk.within('SendStall', r.vars.SendStall, -1, 0, 'each drop enters CWR (NET_XMIT_DROP) unless already in CWR: measured 0 (3 runs); −1 allows one drop inside an episode stretched by scheduling');
  chk.done();
});

test('ACKs black-holed for longer than the RTO: SpuriousRtoDetected, CongOverCount, SpuriousFrDetected vs the undo MIBs', T, async t => {
  const chk = new Checks(t, 'spurious-rto');
  const pair = await pairWithTbf(t, '20mbit');
  await A.setCc(pair, 'a', 'reno');
  const r = await A.spuriousRtoScenario(pair, port(), { holeMs: 700, atMs: 250 });
  chk.info('undo MIBs', r.undo);
  chk.info('other counters', r.other);
  chk.sanity('the timer fired (TcpExtTCPTimeouts > 0) and was undone (TCPLossUndo > 0)', r.undo.timeouts > 0 && r.undo.loss > 0, r.undo);
  chk.near('SpuriousRtoDetected', r.vars.SpuriousRtoDetected, 0, 'TcpExtTCPLossUndo: measured 0 (3 runs)');
  chk.near('CongOverCount', r.vars.CongOverCount, 0, 'FullUndo + PartialUndo + DSACKUndo + LossUndo: measured 0 (3 runs)');
  chk.near('SpuriousFrDetected', r.vars.SpuriousFrDetected, 0, 'FullUndo + PartialUndo + DSACKUndo (0 here: no fast retransmit)');
  chk.done();
});

test('one drop + the original replayed (D-SACK): SpuriousFrDetected, CongOverCount vs TCPFullUndo/PartialUndo/DSACKUndo', T, async t => {
  const chk = new Checks(t, 'spurious-fr');
  const pair = await pairWithTbf(t, '100mbit');
  await A.setCc(pair, 'a', 'reno');
  const r = await A.spuriousFrScenario(pair, port(), { n: 300, delayMs: 0 });
  chk.info('undo MIBs', r.undo);
  chk.info('congestion states', r.states);
  const undos = r.undo.full + r.undo.partial + r.undo.dsack;
  chk.sanity('one drop, one fast recovery, one undo', r.drops === 1 && r.undo.sackRecovery === 1 && undos === 1, { drops: r.drops, undo: r.undo });
  // undone inside the recovery: Recovery → Open with undo_marker 0 (seen); undone by a D-SACK
  // that arrives after the recovery ended: the state stays Open (not seen on the floor)
  chk.within('SpuriousFrDetected', r.vars.SpuriousFrDetected, -1, 0, 'measured −1 in 11 of 13 runs (every TCPDSACKUndo), 0 in 2 (TCPFullUndo inside the recovery): an undo in the Open state has no congestion-state change to see');
  chk.within('CongOverCount', r.vars.CongOverCount, -1, 0, 'same undo');
  chk.near('SpuriousRtoDetected', r.vars.SpuriousRtoDetected, 0, 'no RTO');
  chk.done();
});

test('reno, one loss, cwnd-limited through a routed queue: CongAvoid vs cwnd − ssthresh; no false undo', T, async t => {
  const chk = new Checks(t, 'reno-loss');
  const pair = await usePair(t);
  const r = await A.renoLossScenario(pair, port(), { dropAt: 150 });
  chk.info('undo MIBs', r.undo);
  chk.info('at the last ACK', r.acked);
  chk.sanity('one drop, one fast recovery, no RTO', r.drops === 1 && r.undo.sackRecovery === 1 && r.undo.timeouts === 0, { drops: r.drops, undo: r.undo });
  chk.sanity('congestion avoidance grew cwnd', r.vars.CongAvoid.truth > 0, r.vars.CongAvoid.truth);
  chk.within('CongAvoid', r.vars.CongAvoid, -2, 0, 'reno: one segment per increase, cwnd = ssthresh after recovery: measured 0 (5 runs); −2 allows stretch ACKs (+2 in one increase) or a skipped tcp_probe run');
  chk.near('SpuriousFrDetected', r.vars.SpuriousFrDetected, 0, 'a real loss is not undone (undo MIBs 0)');
  chk.near('SpuriousRtoDetected', r.vars.SpuriousRtoDetected, 0, 'undo MIBs 0');
  chk.near('CongOverCount', r.vars.CongOverCount, 0, 'undo MIBs 0');
  chk.done();
});

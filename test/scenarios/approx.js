// Scenarios with a known ground truth for the approximate (class A)
// variables: each runs the tool on one namespace pair, builds the traffic,
// and returns { truth, tool, err } per variable (err = tool − truth), so that
// test/live/approx.test.js can assert bounds and
// test/scenarios/approx-measure.js can measure the error over many runs.
//
// Ground truth comes from the kernel (TCP_INFO, the namespace's nstat MIBs,
// tc counters) or from the construction of the traffic (bursts and sleeps).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTool, sleep, recursionMisses } from '../live/util.js';
import { NSTCP, runPy } from './traffic.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const APPROX_PY = join(HERE, '..', 'helpers', 'approx.py');


/** nstcp.py server in side b + a client built by `clientArgs` in side a */
async function serverAndClient(pair, p, script, clientArgs, { server = [], timeoutMs = 20000, during } = {}) {
  let ready;
  const isReady = new Promise(r => { ready = r; });
  const srv = runPy(pair, 'b', NSTCP, ['server', '--addr', pair.v4.b, '--port', String(p), ...server],
    { onLine: j => { if (j.ready) ready(); }, timeoutMs });
  let cli;
  try {
    await Promise.race([isReady, srv.done.then(() => { throw new Error('server exited before ready'); })]);
    cli = runPy(pair, 'a', script, clientArgs, { timeoutMs });
    const [s, c] = await Promise.all([srv.done, cli.done, during?.()]);
    return { server: s.at(-1), client: c.at(-1) };
  } catch (e) {
    srv.child.kill('SIGKILL');
    cli?.child.kill('SIGKILL');
    throw e;
  }
}

/**
 * The tool started inside side s's network namespace: its iter/tcp
 * refresh walks the sockets of its own namespace only, and the Listener
 * counters of a listener are published by that refresh.
 */
function startToolIn(pair, s, args) {
  // nsenter --net only: `ip netns exec` would also remount /sys, hiding the cgroup-v2 mount
  return startTool(args, { prefix: ['nsenter', `--net=/run/netns/${pair.ns[s]}`] });
}

/** Start the tool with `program` (in side `inNs` when given), run traffic(), stop it; resolves with { res, rows, misses } (misses: recursion_misses per program). */
export async function withTool(args, traffic, { pair, inNs } = {}) {
  const tool = inNs ? startToolIn(pair, inNs, args) : startTool(args);
  try {
    await tool.ready;
    const res = await traffic();
    await sleep(300);
    const misses = recursionMisses(tool.child.pid);
    const { code, rows } = await tool.stop();
    if (code !== 0) throw new Error(`tool exited ${code}: ${tool.stderr}`);
    return { res, rows: rows.filter(r => r.type === 'row'), misses };
  } finally {
    if (tool.child.exitCode === null) tool.child.kill('SIGKILL');
  }
}

const m = (tool, truth, extra = {}) => ({ tool, truth, err: tool == null || truth == null ? null : tool - truth, ...extra });

// ---------------------------------------------------------------------------
// bursts: N bursts of C bytes, each fully acknowledged, then a sleep of G ms

export const BURST_VARS = ['SndLimTransRwin', 'SndLimTransCwnd', 'SndLimTransSnd', 'SndLimTimeRwin', 'SndLimTimeCwnd',
  'SndLimTimeSnd', 'SndLimPctSender', 'SndLimPctRwin', 'SndLimPctCwnd', 'OtherReductions', 'SlowStart', 'CongAvoid',
  'ElapsedSecs', 'ElapsedMicroSecs', 'CurCwnd', 'CurMSS', 'CongSignals'];

/**
 * The sender (client, side a) alternates bursts and sleeps. Construction:
 * the send queue is empty during each sleep, so the kernel's chrono is idle
 * (UNSPEC = sender-limited) there and BUSY from the first byte of each
 * burst until its last ACK; the FIN is one more short BUSY period. With
 * tcpi_rwnd_limited == tcpi_sndbuf_limited == 0 (checked) there are no other
 * states: exactly bursts+1 transitions into Cwnd (BUSY) and bursts+1 into
 * Snd (idle), none into Rwin.
 * With net.ipv4.tcp_slow_start_after_idle=1 (default) every sleep longer than
 * the RTO restarts the window (tcp_cwnd_restart) at the next write: a cwnd
 * reduction that is not congestion (OtherReductions) whenever the cwnd before
 * the sleep was above the restart window (tcp_init_cwnd, 10).
 */
export async function burstsScenario(pair, p, { bursts = 8, size = 96 * 1024, gapMs = 260, cc, sample } = {}) {
  if (cc) await setCc(pair, 'a', cc);
  const where = `port == ${p}`;
  const args = ['-f', 'json', '-e', `on close where ${where} print ${BURST_VARS.join(', ')}`];
  if (sample !== undefined) args.push('--sample', sample);
  const { res, rows } = await withTool(args,
    () => serverAndClient(pair, p, APPROX_PY, ['bursts', '--addr', pair.v4.b, '--port', String(p), '--bursts', String(bursts),
      '--size', String(size), '--gap-ms', String(gapMs), '--sndbuf', String(4 << 20)]));
  const c = res.client;
  const row = rows.find(r => r.event === 'close' && r.lport === c.lport && r.rport === p);
  if (!row) throw new Error(`no close row for the client ${c.lport} → ${p}`);
  const i = c.info;
  const busyCwnd = (i.busy_time - i.rwnd_limited - i.sndbuf_limited) / 1000;
  const elapsedMs = c.elapsed_us / 1000;
  // the tool's elapsed ends at the last segment (tcp_mstamp): the client's ends when it saw CLOSE
  const toolElapsedMs = row.ElapsedSecs * 1000 + row.ElapsedMicroSecs / 1000;
  const sndMs = elapsedMs - i.busy_time / 1000 + i.sndbuf_limited / 1000;
  const INIT_CWND = 10;
  // restarts: a sleep longer than the RTO with cwnd above the restart window before it
  const restarts = c.gaps.slice(0, -1).filter(g => g.snd_cwnd > INIT_CWND && gapMs * 1000 > g.rto).length;
  const clean = i.rwnd_limited === 0 && i.sndbuf_limited === 0 && i.total_retrans === 0 && i.ca_state === 0;
  const D = Math.max(elapsedMs, i.busy_time / 1000);
  return {
    clean, row, info: i, gaps: c.gaps, elapsedMs, toolElapsedMs,
    vars: {
      SndLimTransCwnd: m(row.SndLimTransCwnd, bursts + 1),
      SndLimTransSnd: m(row.SndLimTransSnd, bursts + 1),
      SndLimTransRwin: m(row.SndLimTransRwin, 0),
      SndLimTimeRwin: m(row.SndLimTimeRwin, i.rwnd_limited / 1000),
      SndLimTimeCwnd: m(row.SndLimTimeCwnd, busyCwnd),
      SndLimTimeSnd: m(row.SndLimTimeSnd, sndMs, { elapsedMs, toolElapsedMs, sleptMs: (bursts - 1) * gapMs }),
      SndLimPctCwnd: m(row.SndLimPctCwnd, (100 * busyCwnd) / D),
      SndLimPctRwin: m(row.SndLimPctRwin, (100 * i.rwnd_limited / 1000) / D),
      SndLimPctSender: m(row.SndLimPctSender, (100 * (D - busyCwnd - i.rwnd_limited / 1000)) / D),
      OtherReductions: m(row.OtherReductions, restarts),
      // reno, no loss: ssthresh stays infinite, every increase is slow start
      SlowStart: m(row.SlowStart, null, { growthSegs: ssGrowth(c.gaps), acks: c.gaps.at(-1).segs_in - 1 }),
      CongAvoid: m(row.CongAvoid, i.snd_ssthresh >= 0x7fffffff ? 0 : null),
    },
  };
}

/**
 * Segments of slow-start growth over the bursts (reno, ssthresh infinite):
 * 10 → cwnd before the first sleep, then from the restart window (one halving
 * per RTO of idle, not below 10) to the cwnd before the next sleep. Each
 * counted increase is at least one segment: an upper bound for SlowStart.
 */
function ssGrowth(gaps, init = 10) {
  let g = 0, start = init;
  for (const x of gaps) {
    g += Math.max(0, x.snd_cwnd - start);
    start = Math.max(x.snd_cwnd >> 1, init);
  }
  return g;
}

// ---------------------------------------------------------------------------
// listen overflow: listen(K), no accept(), N connects

export const LISTENER_VARS = ['SynRcvd', 'HCSynRcvd', 'Initial', 'HCInitial', 'Established', 'HCEstablished', 'Accepted',
  'HCAccepted', 'ExceedBacklog', 'HCExceedBacklog', 'CurConns', 'CurEstabBacklog', 'MaxBacklog'];

/**
 * Listener and clients in side b (one namespace: its nstat counts only this
 * listener); the tool runs in side b too (see startToolIn). listen(backlog) with no accept() and `connects` connections:
 * backlog+1 complete the handshake and are queued, every later handshake
 * overflows the accept queue (the kernel counts TcpExtListenOverflows and
 * ListenDrops for it, at the SYN or at the final ACK) and the clients retry.
 * Then the clients close (rst: abortively), so the queued children are
 * closed by their peer while still in the accept queue, never accepted.
 */
export async function listenOverflowScenario(pair, p, { backlog = 1, connects = 5, holdMs = 1500, rst = false } = {}) {
  const before = await pair.nstat('b');
  const prog = `every 250ms where state == LISTEN and lport == ${p} print ${LISTENER_VARS.join(', ')}`;
  const { res, rows } = await withTool(['-f', 'json', '-e', prog], async () => {
    const run = runPy(pair, 'b', APPROX_PY, ['listen-overflow', '--addr', pair.v4.b, '--port', String(p), '--backlog', String(backlog),
      '--connects', String(connects), '--hold-ms', String(holdMs), ...(rst ? ['--rst'] : [])]);
    const lines = await run.done;
    return lines.at(-1);
  }, { pair, inNs: 'b' });
  const after = await pair.nstat('b');
  const d = k => (after[k] ?? 0) - (before[k] ?? 0);
  const listenRows = rows.filter(r => r.lport === p && r.laddr === pair.v4.b);
  const last = listenRows.at(-1);
  if (!last) throw new Error('no listener row');
  return {
    res, last, rows: listenRows,
    mib: { ListenOverflows: d('TcpExtListenOverflows'), ListenDrops: d('TcpExtListenDrops'), PassiveOpens: d('TcpPassiveOpens'),
      ReqQFullDrop: d('TcpExtTCPReqQFullDrop'), SyncookiesSent: d('TcpExtSyncookiesSent') },
  };
}

// ---------------------------------------------------------------------------
// one connection, client in side a sending `bytes` and waiting for every ACK
// before its FIN (tcp_probe sees ACKs only in ESTABLISHED: a client that
// closes with data in flight would hide the rest of the transfer)

/** cwnd/ssthresh/RTO of the client once all data was acknowledged, before the FIN */
async function oneTransfer(pair, p, bytes, vars, { during, timeoutMs = 20000, extra = [], sample } = {}) {
  const args = ['-f', 'json', '-e', `on close where port == ${p} print ${vars.join(', ')}`];
  for (const e of extra) args.push('-e', e);
  if (sample !== undefined) args.push('--sample', sample);
  const { res, rows, misses } = await withTool(args,
    () => serverAndClient(pair, p, APPROX_PY, ['bursts', '--addr', pair.v4.b, '--port', String(p), '--bursts', '1',
      '--size', String(bytes), '--gap-ms', '0', '--sndbuf', String(4 << 20)], { during, timeoutMs }));
  const c = res.client;
  const client = rows.find(r => r.event === 'close' && r.lport === c.lport && r.rport === p);
  const server = rows.find(r => r.event === 'close' && r.lport === p && r.rport === c.lport);
  if (!client || !server) throw new Error(`close rows missing: client ${!!client} server ${!!server}`);
  return { res, rows, client, server, acked: c.gaps[0], misses };
}

export const setCc = (pair, side, cc) => pair.exec(side, 'sysctl', ['-qw', `net.ipv4.tcp_congestion_control=${cc}`]);
const delta = (a, b, k) => (b[k] ?? 0) - (a[k] ?? 0);

/**
 * SoftErrors / SoftErrorReason: copies of one data segment replayed from the
 * sender's veth (approx.py replay). First `paws` old duplicates 60 ms after
 * the original (old TSval: the receiver's PAWS check rejects each,
 * TcpExtPAWSEstab, drop reason TCP_RFC7323_PAWS → belowTSWindow), then
 * (about 150 ms later) `beyond` copies moved 2^30 forward in sequence space with a TSval that
 * passes PAWS (TcpExtBeyondWindow, TCP_INVALID_SEQUENCE → aboveDataWindow).
 * The receiver's namespace carries this one connection.
 */
export async function softErrorsScenario(pair, p, { paws = 3, beyond = 2, bytes = 6 << 20 } = {}) {
  const nb0 = await pair.nstat('b');
  const replays = [];
  const r = await oneTransfer(pair, p, bytes, ['SoftErrors', 'SoftErrorReason', 'MaxReasmQueue', 'DupAckEpisodes'], {
    during: async () => {
      const a = runPy(pair, 'a', APPROX_PY, ['replay', '--dev', pair.dev.a, '--port', String(p), '--after', '200',
        '--copies', String(paws), '--delay-ms', '60', '--spacing-ms', '15']);
      const b = runPy(pair, 'a', APPROX_PY, ['replay', '--dev', pair.dev.a, '--port', String(p), '--after', '300',
        '--copies', String(beyond), '--delay-ms', '200', '--spacing-ms', '15', '--seq-shift', String(2 ** 30), '--ts-bump', '100000']);
      for (const x of [a, b]) replays.push((await x.done).at(-1));
    },
    extra: [`where lport == ${p} print SoftErrors, SoftErrorReason`], sample: '0',
  });
  const nb = await pair.nstat('b');
  const pawsMib = delta(nb0, nb, 'TcpExtPAWSEstab'), beyondMib = delta(nb0, nb, 'TcpExtBeyondWindow');
  // the reason right after the PAWS copies: the last row before the count passes the PAWS count
  const seq = r.rows.filter(x => x.lport === p && x.event !== 'close' && typeof x.SoftErrors === 'number');
  const afterPaws = seq.filter(x => x.SoftErrors > 0 && x.SoftErrors <= pawsMib).at(-1);
  return {
    replays, mib: { PAWSEstab: pawsMib, BeyondWindow: beyondMib, TcpInErrs: delta(nb0, nb, 'TcpInErrs') },
    sideEffects: { MaxReasmQueue: r.server.MaxReasmQueue, DupAckEpisodes: r.server.DupAckEpisodes },
    vars: {
      SoftErrors: m(r.server.SoftErrors, pawsMib + beyondMib, { paws, beyond }),
      SoftErrorReason: m(r.server.SoftErrorReason, beyondMib > 0 ? 2 : pawsMib > 0 ? 5 : null, { afterPaws: afterPaws?.SoftErrorReason }),
    },
    clientSoftErrors: r.client.SoftErrors,
    dropMisses: r.misses.estats_drop ?? 0,
  };
}

/**
 * SendStall: drop_nth on the sender's own egress (clsact, before the qdisc):
 * TC_ACT_SHOT there returns NET_XMIT_DROP to TCP, which enters CWR without
 * any loss on the wire (a local stall). Ground truth: the drops the program
 * made; every drop enters CWR unless the connection is already in CWR, so
 * SendStall ≤ drops, == when the drops are more than one round trip apart.
 */
export async function sendStallScenario(pair, p, { every = 400, bytes = 6 << 20 } = {}) {
  const drop = await pair.attachTc('a', 'drop_nth', { dir: 'egress', cfg: { 0: every, 2: p } });
  const na0 = await pair.nstat('a');
  const r = await oneTransfer(pair, p, bytes, ['SendStall', 'CongSignals', 'FastRetran', 'Timeouts', 'ECNsignals', 'SegsRetrans']);
  const st = await drop.stats();
  const na = await pair.nstat('a');
  const drops = st[1];
  const c = r.client;
  return {
    drops, stats: st, info: r.res.client.info,
    mib: { TCPLossProbes: delta(na0, na, 'TcpExtTCPLossProbes'), TcpRetransSegs: delta(na0, na, 'TcpRetransSegs') },
    other: { CongSignals: c.CongSignals, FastRetran: c.FastRetran, Timeouts: c.Timeouts, ECNsignals: c.ECNsignals, SegsRetrans: c.SegsRetrans },
    vars: { SendStall: m(c.SendStall, drops) },
  };
}

const UNDO_VARS = ['SpuriousFrDetected', 'SpuriousRtoDetected', 'CongOverCount', 'CongSignals', 'FastRetran', 'Timeouts',
  'SubsequentTimeouts', 'SlowStart', 'CongAvoid', 'OtherReductions', 'SegsRetrans'];
function undoTruth(a, b) {
  const full = delta(a, b, 'TcpExtTCPFullUndo'), partial = delta(a, b, 'TcpExtTCPPartialUndo');
  const dsack = delta(a, b, 'TcpExtTCPDSACKUndo'), loss = delta(a, b, 'TcpExtTCPLossUndo');
  return { full, partial, dsack, loss, spuriousRtos: delta(a, b, 'TcpExtTCPSpuriousRTOs'),
    sackRecovery: delta(a, b, 'TcpExtTCPSackRecovery'), timeouts: delta(a, b, 'TcpExtTCPTimeouts') };
}

/**
 * SpuriousRtoDetected / CongOverCount: the ACKs are black-holed (blackhole
 * on the sender's ingress, manual toggle) for `holeMs` while the data still
 * arrives: the retransmission timer fires although nothing was lost, and
 * when the ACKs come back F-RTO / the timestamps show the timeout was
 * spurious and the kernel undoes it (TcpExtTCPLossUndo; TCPSpuriousRTOs for
 * F-RTO). Ground truth: the namespace's undo MIBs (it carries this one connection).
 */
export async function spuriousRtoScenario(pair, p, { holeMs = 700, atMs = 250, bytes = 3 << 20 } = {}) {
  const bh = await pair.attachTc('a', 'blackhole', { cfg: { 2: p } });
  const na0 = await pair.nstat('a');
  const r = await oneTransfer(pair, p, bytes, UNDO_VARS, {
    during: async () => { await sleep(atMs); await bh.set(3, 1); await sleep(holeMs); await bh.set(3, 0); },
  });
  const na = await pair.nstat('a');
  const u = undoTruth(na0, na);
  const st = await bh.stats();
  const c = r.client;
  return {
    undo: u, dropped: st[1], info: r.res.client.info, other: { CongSignals: c.CongSignals, Timeouts: c.Timeouts, SubsequentTimeouts: c.SubsequentTimeouts, FastRetran: c.FastRetran, SegsRetrans: c.SegsRetrans },
    vars: {
      SpuriousRtoDetected: m(c.SpuriousRtoDetected, u.loss),
      SpuriousFrDetected: m(c.SpuriousFrDetected, u.full + u.partial + u.dsack),
      CongOverCount: m(c.CongOverCount, u.full + u.partial + u.dsack + u.loss),
    },
  };
}

/**
 * A third namespace routing between the pair: a ↔ r ↔ b, with tbf on r's
 * veth towards b. The queue is in another namespace, so TCP small queues
 * (which count the sender's own qdisc) do not hold the sender back: it is
 * cwnd-limited, and reno's congestion avoidance grows by one per round trip
 * while the queue (and the RTT) grows. Returns { ns, destroy() }; the pair's
 * own veth stays as it is (unused). Addresses 10.201.X.0/24 (a side) and
 * 10.202.X.0/24 (b side).
 */
export async function routed(pair, { rate = '50mbit', latency = '500ms', burst = '32kb' } = {}) {
  const X = pair.X;
  const r = `${pair.ns.a.slice(0, -2)}-r`;
  const dev = { ar: `ra${X}a`, ra: `ra${X}r`, rb: `rb${X}r`, br: `rb${X}b` };
  const run = a => new Promise((res, rej) => {
    const c = spawn(a[0], a.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let e = '';
    c.stderr.on('data', d => { e += d; });
    c.on('exit', code => (code === 0 ? res() : rej(new Error(`${a.join(' ')}: ${e}`))));
  });
  await run(['ip', 'netns', 'add', r]);
  const destroy = () => run(['ip', 'netns', 'del', r]).catch(() => {});
  process.once('exit', () => { try { spawn('ip', ['netns', 'del', r]); } catch { /* gone */ } });
  try {
    await run(['ip', 'link', 'add', dev.ar, 'netns', pair.ns.a, 'type', 'veth', 'peer', 'name', dev.ra, 'netns', r]);
    await run(['ip', 'link', 'add', dev.br, 'netns', pair.ns.b, 'type', 'veth', 'peer', 'name', dev.rb, 'netns', r]);
    const A = `10.201.${X}`, B = `10.202.${X}`;
    const cfg = [
      [pair.ns.a, dev.ar, `${A}.1/24`, `${A}.2`], [r, dev.ra, `${A}.2/24`], [r, dev.rb, `${B}.2/24`], [pair.ns.b, dev.br, `${B}.1/24`, `${B}.2`],
    ];
    for (const [ns, d, addr] of cfg) {
      await run(['ip', '-n', ns, 'link', 'set', 'dev', d, 'gso_max_segs', '1']);
      await run(['ip', '-n', ns, 'addr', 'add', addr, 'dev', d]);
      await run(['ip', '-n', ns, 'link', 'set', 'dev', d, 'up']);
    }
    await run(['ip', '-n', r, 'link', 'set', 'dev', 'lo', 'up']);
    await run(['ip', 'netns', 'exec', r, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await run(['ip', '-n', pair.ns.a, 'route', 'add', `${B}.0/24`, 'via', `${A}.2`]);
    await run(['ip', '-n', pair.ns.b, 'route', 'add', `${A}.0/24`, 'via', `${B}.2`]);
    await run(['tc', '-n', r, 'qdisc', 'replace', 'dev', dev.rb, 'root', 'tbf', 'rate', rate, 'burst', burst, 'latency', latency]);
    return { ns: r, dev, a: `${A}.1`, b: `${B}.1`, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}

/**
 * Reno with one real loss (drop_nth on the receiver's ingress, at most one
 * drop) through the routed path (see routed()): slow start, one fast
 * recovery, then congestion avoidance to the end, cwnd-limited throughout.
 * Reno's congestion avoidance raises cwnd by one segment per increase
 * (tcp_cong_avoid_ai; more only when one ACK covers more than a window),
 * and recovery ends with cwnd = ssthresh: the increases after it are
 * cwnd − ssthresh at the end (TCP_INFO once all data is acknowledged).
 * Nothing is undone: SpuriousFr/Rto and CongOverCount are 0 by the undo MIBs.
 */
export async function renoLossScenario(pair, p, { dropAt = 150, bytes = 3 << 20, rate = '50mbit' } = {}) {
  await setCc(pair, 'a', 'reno');
  const rt = await routed(pair, { rate });
  try {
    // attachTc works on pair.dev[side]: point it at b's routed veth for the attach
    const own = pair.dev.b;
    pair.dev.b = rt.dev.br;
    let drop;
    try { drop = await pair.attachTc('b', 'drop_nth', { cfg: { 0: dropAt, 1: 1, 2: p } }); } finally { pair.dev.b = own; }
    const na0 = await pair.nstat('a');
    const r = await oneTransfer({ ...pair, v4: { a: rt.a, b: rt.b } }, p, bytes, UNDO_VARS);
    const na = await pair.nstat('a');
    const u = undoTruth(na0, na);
    const st = await drop.stats();
    const c = r.client, g = r.acked;
    const caIncreases = g.snd_ssthresh < 0x7fffffff ? g.snd_cwnd - g.snd_ssthresh : null;
    return {
      undo: u, drops: st[1], acked: g, info: r.res.client.info,
      other: { CongSignals: c.CongSignals, FastRetran: c.FastRetran, Timeouts: c.Timeouts, SlowStart: c.SlowStart, SegsRetrans: c.SegsRetrans },
      vars: {
        CongAvoid: m(c.CongAvoid, caIncreases),
        SpuriousFrDetected: m(c.SpuriousFrDetected, u.full + u.partial + u.dsack),
        SpuriousRtoDetected: m(c.SpuriousRtoDetected, u.loss),
        CongOverCount: m(c.CongOverCount, u.full + u.partial + u.dsack + u.loss),
      },
    };
  } finally {
    await rt.destroy();
  }
}

/**
 * SpuriousFrDetected: a fast retransmit made unnecessary after the fact.
 * drop_nth on the receiver's ingress drops data segment N once (fast
 * retransmit), and approx.py replay sends the original segment N again from
 * the sender's veth `delayMs` after it first went out. Whichever copy
 * arrives second is a duplicate, which the receiver reports with a D-SACK:
 * the sender sees its only retransmission D-SACKed and undoes the reduction
 * (TcpExtTCPDSACKUndo; TCPFullUndo/TCPPartialUndo for other undo paths).
 */
export async function spuriousFrScenario(pair, p, { n = 300, delayMs = 0, bytes = 4 << 20 } = {}) {
  const drop = await pair.attachTc('b', 'drop_nth', { cfg: { 0: n, 1: 1, 2: p } });
  const na0 = await pair.nstat('a');
  let replayed;
  const r = await oneTransfer(pair, p, bytes, UNDO_VARS, {
    during: async () => {
      const rp = runPy(pair, 'a', APPROX_PY, ['replay', '--dev', pair.dev.a, '--port', String(p), '--after', String(n),
        '--copies', '1', '--delay-ms', String(delayMs), '--spacing-ms', '0']);
      replayed = (await rp.done).at(-1);
    },
    extra: [`where port == ${p} and lport != ${p} print castate, SpuriousFrDetected, CongOverCount`], sample: '0',
  });
  const na = await pair.nstat('a');
  const u = undoTruth(na0, na);
  const st = await drop.stats();
  const c = r.client;
  const states = r.rows.filter(x => x.event === 'congestion' && x.lport === r.res.client.lport).map(x => x.castate);
  return {
    undo: u, drops: st[1], replayed, states, dsackDups: r.res.client.info.dsack_dups,
    other: { CongSignals: c.CongSignals, FastRetran: c.FastRetran, Timeouts: c.Timeouts, SegsRetrans: c.SegsRetrans },
    vars: {
      SpuriousFrDetected: m(c.SpuriousFrDetected, u.full + u.partial + u.dsack),
      SpuriousRtoDetected: m(c.SpuriousRtoDetected, u.loss),
      CongOverCount: m(c.CongOverCount, u.full + u.partial + u.dsack + u.loss),
    },
  };
}

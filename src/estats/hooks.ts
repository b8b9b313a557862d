// Which BPF programs (hooks) each variable's value depends on, and what a
// missing optional hook does to it. One table, read from bpf/estats.bpf.c:
// test/unit/hooks.test.js checks every hook against the object's section
// names and every counter field against the body of the program that writes
// it, so the table fails a test when the BPF program drifts.
//
// The loader (src/bpf/loader.ts) takes the optional hooks from here; the
// start-up warning, `describe` and `list` all describe a missing hook through
// degradation() below, so they cannot disagree.
//
// Imports nothing but the shared types (as the catalog).
import type { VarDef } from './types.js';

/** The programs of bpf/estats.bpf.o, by a short key. */
export type HookKey =
  | 'state' | 'probe' | 'retransmit' | 'cong' | 'send_reset' | 'receive_reset'
  | 'send_length' | 'recv_length' | 'xmit' | 'drop' | 'sockops' | 'iter'
  | 'upg_slow_start' | 'upg_cong_avoid' | 'upg_undo' | 'upg_restart' | 'upg_accept' | 'upg_syn';

export interface HookDef {
  /** ELF section of the program, without libbpf's "?" (autoload off) prefix */
  readonly section: string;
  /**
   * required: the tool does not run without it; optional: switched off when
   * the kernel lacks its tracepoint; upgrade: an optional exact fentry/fexit
   * program (src/bpf/loader.ts loads them where the kernel allows)
   */
  readonly kind: 'required' | 'optional' | 'upgrade';
  /** its runs send events, each with a full snapshot of the socket (emit in the BPF program) */
  readonly snapshot: boolean;
  /** the `on EVENT` kinds only this hook sends */
  readonly events?: readonly string[];
  /** what else is lost without it (not a variable), for the warning */
  readonly other?: string;
}

export const HOOKS: Readonly<Record<HookKey, HookDef>> = {
  state: { section: 'tp_btf/inet_sock_set_state', kind: 'required', snapshot: true },
  probe: { section: 'tp_btf/tcp_probe', kind: 'required', snapshot: true },
  retransmit: { section: 'tp_btf/tcp_retransmit_skb', kind: 'optional', snapshot: true, events: ['retransmit'] },
  cong: { section: 'tp_btf/tcp_cong_state_set', kind: 'optional', snapshot: true, events: ['congestion'] },
  send_reset: { section: 'tp_btf/tcp_send_reset', kind: 'optional', snapshot: true, other: 'reset events for resets sent' },
  receive_reset: { section: 'tp_btf/tcp_receive_reset', kind: 'optional', snapshot: true, other: 'reset events for resets received' },
  send_length: { section: 'tp_btf/sock_send_length', kind: 'optional', snapshot: false, other: 'pid/comm of sockets the tool did not see open are learned only at their first receive' },
  recv_length: { section: 'tp_btf/sock_recv_length', kind: 'optional', snapshot: false, other: 'pid/comm of sockets the tool did not see open are learned only at their first send' },
  xmit: { section: 'tp_btf/net_dev_queue', kind: 'optional', snapshot: false },
  drop: { section: 'tp_btf/kfree_skb', kind: 'optional', snapshot: false },
  sockops: { section: 'sockops', kind: 'required', snapshot: true },
  iter: { section: 'iter/tcp', kind: 'required', snapshot: true },
  upg_slow_start: { section: 'fentry/tcp_slow_start', kind: 'upgrade', snapshot: false },
  upg_cong_avoid: { section: 'fentry/tcp_cong_avoid_ai', kind: 'upgrade', snapshot: false },
  upg_undo: { section: 'fentry/tcp_undo_cwnd_reduction', kind: 'upgrade', snapshot: false },
  upg_restart: { section: 'fentry/tcp_cwnd_restart', kind: 'upgrade', snapshot: false },
  upg_accept: { section: 'fexit/inet_csk_accept', kind: 'upgrade', snapshot: false },
  upg_syn: { section: 'fentry/tcp_conn_request', kind: 'upgrade', snapshot: false },
};

/** A section name as libbpf reports it ("?fentry/…" for autoload-off programs) → its hook. */
export function hookOfSection(sec: string): HookKey | undefined {
  const s = sec.replace(/^\?/, '');
  return (Object.keys(HOOKS) as HookKey[]).find(k => HOOKS[k].section === s);
}
/** tp_btf/NAME → NAME */
export const tracepointOf = (sec: string): string => sec.replace(/^tp_btf\//, '');

/** The hooks whose runs take a snapshot (send an event). */
export const SNAPSHOT_HOOKS: readonly HookKey[] = (Object.keys(HOOKS) as HookKey[]).filter(k => HOOKS[k].snapshot);

/** What a missing optional hook does to a variable. */
export interface IfMissing {
  /** unavailable: nothing else updates the value (the run reports it as null); degraded: the value loses part of its input */
  readonly level: 'unavailable' | 'degraded';
  /** what the value then is, in one clause */
  readonly effect: string;
}

/**
 * One input of a variable: `hook` is the program whose runs write `field`
 * (of struct estats_sk, struct estats_listener or the transmit state; the
 * unit test finds the field in that program's body), or 'snapshot': the
 * value is read or sampled at every snapshot, whichever hook takes it.
 */
export interface Dep {
  readonly hook: HookKey | 'snapshot';
  readonly field?: string;
  /** the floor source of a variable with an exact upgrade (VarDef.exactWith): not an input while the upgrade is live */
  readonly floor?: true;
  /** for optional hooks */
  readonly ifMissing?: IfMissing;
}

const snap = (field?: string, floor?: true): Dep => ({ hook: 'snapshot', ...(field === undefined ? {} : { field }), ...(floor ? { floor } : {}) });
const at = (hook: HookKey, field: string, ifMissing?: IfMissing, floor?: true): Dep => ({ hook, field, ...(ifMissing ? { ifMissing } : {}), ...(floor ? { floor } : {}) });
const gone = (effect: string): IfMissing => ({ level: 'unavailable', effect });
const less = (effect: string): IfMissing => ({ level: 'degraded', effect });

// recurring inputs
const OPEN_TIME = [at('state', 'start_ns'), at('sockops', 'start_ns'), at('iter', 'start_ns'), snap()];
const CA_INFERRED = less('changes are inferred from the congestion state seen at the next snapshot: an episode that ends before the next snapshot, and repeated RTOs (Loss → Loss), are missed');
const COMMIT_DA = gone('null (would stay 0): dubious ACKs are committed only when tcp_cong_state_set reports Disorder → Open');
const CONG_CTX = gone('null (would stay 0): it is added only when tcp_cong_state_set reports a congestion signal');
const UNDO = gone('null (would stay 0): the floor heuristic runs only at tcp_cong_state_set (exact fentry tcp_undo_cwnd_reduction is not live)');
const SOFT_DROPS = less('drops with a PAWS, sequence, window, checksum or flags reason are not counted: only out-of-window ACKs seen at tcp_probe');
const BACKLOG = gone('null (would stay 0): accept-queue overflows are seen only at kfree_skb');
const rtt = (field: string): Dep[] => [snap(field)];

/**
 * Inputs of every variable that is not a plain kernel field read at each
 * snapshot (those, the F class mostly, default to [snapshot]).
 */
const DEPS: Readonly<Record<string, readonly Dep[]>> = {
  // Perf
  DataOctetsIn: [at('probe', 'data_octets_in'), at('sockops', 'data_octets_in')],
  HCDataOctetsIn: [at('probe', 'data_octets_in'), at('sockops', 'data_octets_in')],
  ElapsedSecs: OPEN_TIME,
  ElapsedMicroSecs: OPEN_TIME,
  StartTimeStamp: [at('state', 'start_wall_ns'), at('sockops', 'start_wall_ns'), snap()],
  MaxPipeSize: [snap('max_pipe')],
  CongSignals: [at('cong', 'cong_signals', CA_INFERRED), snap('cong_signals')],
  Timeouts: [at('sockops', 'timeouts')],
  MaxRwinSent: [at('xmit', 'max_rwin_sent', less('only the receive window (tp->rcv_wnd) at each snapshot: a larger window advertised between two snapshots is missed')), snap('max_rwin_sent')],
  ZeroRwinSent: [at('xmit', 'zero_rwin_sent', gone('null (would stay 0): zero-window advertisements are seen only at net_dev_queue'))],
  ZeroRwinRcvd: [at('probe', 'zero_rwin_rcvd')],
  SndLimTransRwin: [snap('snd_lim_trans_rwin')],
  SndLimTransCwnd: [snap('snd_lim_trans_cwnd')],
  SndLimTransSnd: [snap('snd_lim_trans_snd')],
  // Path
  NonRecovDAEpisodes: [at('cong', 'nonrecov_da_episodes', gone('null (would stay 0): episodes are counted only when tcp_cong_state_set reports Disorder → Open'))],
  SumOctetsReordered: [at('probe', 'sum_octets_reordered')],
  NonRecovDA: [at('probe', 'nonrecov_da_pending'), at('cong', 'nonrecov_da', COMMIT_DA)],
  SampleRTT: rtt('sample_rtt_us'),
  MaxRTT: rtt('max_rtt_us'),
  MinRTT: rtt('min_rtt_us'),
  SumRTT: rtt('sum_rtt_us'),
  HCSumRTT: rtt('sum_rtt_us'),
  CountRTT: rtt('count_rtt'),
  MaxRTO: [snap('max_rto_us')],
  MinRTO: [snap('min_rto_us')],
  IpTtl: [at('probe', 'ip_ttl')],
  IpTosIn: [at('probe', 'ip_tos_in')],
  PreCongSumCwnd: [at('cong', 'precong_sum_cwnd', CONG_CTX)],
  PreCongSumRTT: [at('cong', 'precong_sum_rtt_us', CONG_CTX)],
  PostCongSumRTT: [at('cong', 'postcong_armed', gone('null (would stay 0): a sample is armed only when tcp_cong_state_set reports a congestion signal')), snap('postcong_sum_rtt_us')],
  PostCongCountRTT: [at('cong', 'postcong_armed', gone('null (would stay 0): a sample is armed only when tcp_cong_state_set reports a congestion signal')), snap('postcong_count_rtt')],
  ECNsignals: [at('probe', 'ecn_signals')],
  DupAckEpisodes: [at('probe', 'dup_ack_episodes')],
  CERcvd: [at('probe', 'ce_rcvd')],
  ECESent: [at('probe', 'ece_sent')],
  // Stack
  ActiveOpen: [at('sockops', 'ESTATS_F_ACTIVE'), at('iter', 'ESTATS_F_SEEDED'), snap()],
  MaxSsCwnd: [snap('max_ss_cwnd')],
  MaxCaCwnd: [snap('max_ca_cwnd')],
  MaxSsthresh: [snap('max_ssthresh')],
  MinSsthresh: [snap('min_ssthresh')],
  DupAcksIn: [at('probe', 'dup_acks_in')],
  SpuriousFrDetected: [at('cong', 'spurious_fr', UNDO, true), at('upg_undo', 'spurious_fr')],
  SpuriousRtoDetected: [at('cong', 'spurious_rto', UNDO, true), at('upg_undo', 'spurious_rto')],
  SoftErrors: [at('probe', 'soft_errors'), at('drop', 'soft_errors', SOFT_DROPS)],
  SoftErrorReason: [at('probe', 'soft_error_reason'), at('drop', 'soft_error_reason', less('only belowAckWindow(3) and aboveAckWindow(4), from the ACK check at tcp_probe: the drop reasons (1, 2, 5, 7, 8) never appear'))],
  SlowStart: [snap('slow_start', true), at('upg_slow_start', 'slow_start')],
  CongAvoid: [snap('cong_avoid', true), at('upg_cong_avoid', 'cong_avoid')],
  OtherReductions: [snap('other_reductions', true), at('cong', 'cong_entered', less('cwnd cuts of a congestion episode that no snapshot saw (seen only afterwards, in the Open state) count as other reductions'), true), at('upg_restart', 'other_reductions')],
  CongOverCount: [at('cong', 'cong_over_count', UNDO, true), at('upg_undo', 'cong_over_count')],
  FastRetran: [at('cong', 'fast_retran', CA_INFERRED), snap('fast_retran')],
  SubsequentTimeouts: [at('sockops', 'subsequent_timeouts')],
  AbruptTimeouts: [at('sockops', 'abrupt_timeouts')],
  SACKsRcvd: [at('probe', 'sacks_rcvd')],
  SACKBlocksRcvd: [at('probe', 'sack_blocks_rcvd')],
  SendStall: [at('cong', 'send_stall', gone('null (would stay 0): it is counted only when tcp_cong_state_set reports entering CWR'))],
  MaxMSS: [snap('max_mss')],
  MinMSS: [snap('min_mss')],
  SndInitial: [at('sockops', 'ESTATS_F_ACTIVE'), at('iter', 'ESTATS_F_SEEDED'), snap()],
  MaxRetxQueue: [snap('max_retx_queue')],
  MaxReasmQueue: [at('probe', 'max_reasm_queue'), snap('ooo_span')],
  // App
  MaxAppWQueue: [snap('max_app_wqueue')],
  MaxAppRQueue: [snap('max_app_rqueue')],
  // Listener
  StartTime: [at('sockops', 'l_start_wall_ns'), snap()],
  SynRcvd: [at('sockops', 'l_syn_rcvd', undefined, true), at('upg_syn', 'l_syn_rcvd'), snap()],
  HCSynRcvd: [at('sockops', 'l_syn_rcvd', undefined, true), at('upg_syn', 'l_syn_rcvd'), snap()],
  Initial: [at('sockops', 'l_initial'), snap()],
  HCInitial: [at('sockops', 'l_initial'), snap()],
  Established: [at('sockops', 'l_established'), snap()],
  HCEstablished: [at('sockops', 'l_established'), snap()],
  Accepted: [at('sockops', 'l_established', undefined, true), at('upg_accept', 'l_accepted'), snap()],
  HCAccepted: [at('sockops', 'l_established', undefined, true), at('upg_accept', 'l_accepted'), snap()],
  ExceedBacklog: [at('drop', 'l_exceed_backlog', BACKLOG), snap()],
  HCExceedBacklog: [at('drop', 'l_exceed_backlog', BACKLOG), snap()],
  CurConns: [at('iter', 'l_cur_conns'), snap()],
  // derived
  DataSegsInUnseen: [at('probe', 'seen_data_segs'), at('sockops', 'seen_data_segs'), at('iter', 'seen_data_segs'), at('state', 'ESTATS_F_BASELINE'), snap()],
};

/** The inputs of a variable (a plain kernel field read at each snapshot when the table has no entry). */
export function depsOf(v: VarDef | string): readonly Dep[] {
  const name = typeof v === 'string' ? v : v.name;
  return DEPS[name] ?? [snap()];
}
/** The names the table has an entry for (the unit test checks each is a variable). */
export const DEP_NAMES: readonly string[] = Object.keys(DEPS);

/** The hooks a variable depends on, as section names; 'snapshot' expands to every hook that takes one. */
export function hooksOf(v: VarDef, upgradesLive = 0): string[] {
  const out = new Set<string>();
  for (const d of liveDeps(v, upgradesLive)) {
    if (d.hook === 'snapshot') for (const k of SNAPSHOT_HOOKS) out.add(HOOKS[k].section);
    else out.add(HOOKS[d.hook].section);
  }
  return [...out];
}

/** Inputs while the given upgrades are live: a live exact upgrade replaces the floor inputs, an upgrade not live is none. */
function liveDeps(v: VarDef, upgradesLive: number): Dep[] {
  const exact = !!(v.exactWith && (upgradesLive & v.exactWith.bit));
  return depsOf(v).filter(d => {
    if (d.floor) return !exact;
    if (d.hook !== 'snapshot' && HOOKS[d.hook].kind === 'upgrade') return exact;
    return true;
  });
}

export interface Degradation {
  readonly level: 'unavailable' | 'degraded';
  /** the missing hooks that cause it (section names) */
  readonly hooks: readonly string[];
  /** what the value is then, one clause per missing hook */
  readonly effect: string;
}

/**
 * What the missing optional hooks (section names) do to a variable, or null
 * when they do not affect it. A variable that only loses some snapshots is
 * not degraded: its value is read (or sampled) at every remaining one.
 */
export function degradation(v: VarDef, missing: ReadonlySet<string> | readonly string[], upgradesLive = 0): Degradation | null {
  const m = new Set([...missing].map(s => s.replace(/^\?/, '')));
  if (!m.size) return null;
  const hit = liveDeps(v, upgradesLive).filter(d => d.hook !== 'snapshot' && d.ifMissing && m.has(HOOKS[d.hook].section));
  if (!hit.length) return null;
  const level = hit.some(d => d.ifMissing!.level === 'unavailable') ? 'unavailable' : 'degraded';
  const hooks = [...new Set(hit.map(d => HOOKS[d.hook as HookKey].section))];
  const effect = [...new Set(hit.map(d => d.ifMissing!.effect))].join('; ');
  return { level, hooks, effect };
}

/**
 * What a missing optional hook costs (events, other data, variables), in
 * clauses; `variables` counts the variables it degrades. Used by the start-up
 * warning (src/cli.ts missingHookWarning).
 */
export function missingHookSummary(sec: string, vars: readonly VarDef[], upgradesLive = 0): { text: string; variables: number } {
  const k = hookOfSection(sec);
  const def = k ? HOOKS[k] : undefined;
  const parts: string[] = [];
  if (def?.events?.length) parts.push(def.events.map(e => `'on ${e}'`).join(', ') + ' never fire' + (def.events.length === 1 ? 's' : ''));
  if (def?.other) parts.push(def.other);
  const unavailable: string[] = [], degraded: string[] = [];
  for (const v of vars) {
    const d = degradation(v, [sec], upgradesLive);
    if (d) (d.level === 'unavailable' ? unavailable : degraded).push(v.name);
  }
  if (unavailable.length) parts.push(`unavailable (reported as null): ${unavailable.join(', ')}`);
  if (degraded.length) parts.push(`degraded: ${degraded.join(', ')}`);
  if (!unavailable.length && !degraded.length) parts.push('no variable is affected');
  return { text: parts.join('; '), variables: unavailable.length + degraded.length };
}

/** What a user's program reads, for hooksNeeded(). */
export interface ProgramUses {
  /** every variable a statement names (where, print, by, sort, aggregates, rate/delta) */
  readonly vars: readonly VarDef[];
  /** the owner (pid, comm) is shown: named in the program, or in the identity columns of per-socket rows */
  readonly owner: boolean;
  /** the event kinds the kernel sends (`on` names); null = every kind */
  readonly events: ReadonlySet<string> | null;
}

/**
 * Whether the program reads anything the per-socket tracking computes: the
 * BPF program's on_segment (per incoming segment), track_extremes (at every
 * snapshot), the transmit fold and the header parsing at sock_ops, i.e. any
 * input other than a plain kernel field read from the socket at each event
 * (a Dep with a hook, or a snapshot Dep with a field). Without it the kernel
 * skips that work (CFG.light); the values the program reads are the same,
 * as they do not come from it (test/unit/hooks.test.js checks that the
 * plain variables read no tracked field).
 */
export function needsTracking(u: ProgramUses): boolean {
  return u.vars.some(v => depsOf(v).some(d => d.hook !== 'snapshot' || d.field !== undefined));
}

/** The optional hooks whose runs send events of a kind (the others come from required hooks). */
const EVENT_HOOKS: Readonly<Record<string, readonly HookKey[]>> = {
  retransmit: ['retransmit'],
  congestion: ['cong'],
  reset: ['send_reset', 'receive_reset'],
};
/** The hooks that learn the owner of sockets the tool did not see open (connect() and listen() are seen by sockops). */
const OWNER_HOOKS: readonly HookKey[] = ['send_length', 'recv_length'];

/**
 * The optional hooks a program needs; the loader leaves the others unloaded
 * (fewer runs per segment and connection, less verification at start).
 * A hook is needed when
 * - a variable the program reads has it as an input (its Dep table entry);
 * - it sends an event kind the program asks for (every kind without `on`):
 *   which events exist decides which rows there are;
 * - a variable the program reads is sampled at every snapshot (snapshot deps
 *   with a field, the extremes): every snapshot hook then takes part, as its
 *   runs are sampling points even when the event is not sent;
 * - the owner is shown (pid, comm): the send/recv hooks learn it for sockets
 *   the tool did not see open (accepted or older ones).
 * The values of what the program reads are then the same as with every hook
 * attached: the event-kind mask already keeps the per-socket state
 * independent of which events are sent. A recording needs every hook.
 */
export function hooksNeeded(u: ProgramUses, upgradesLive = 0): Set<HookKey> {
  const out = new Set<HookKey>();
  const optional = (k: HookKey) => HOOKS[k].kind === 'optional';
  let sampled = false;
  for (const v of u.vars) {
    for (const d of liveDeps(v, upgradesLive)) {
      if (d.hook === 'snapshot') { if (d.field !== undefined) sampled = true; continue; }
      if (optional(d.hook)) out.add(d.hook);
    }
  }
  if (sampled) for (const k of SNAPSHOT_HOOKS) if (optional(k)) out.add(k);
  for (const [ev, hooks] of Object.entries(EVENT_HOOKS))
    if (u.events === null || u.events.has(ev)) for (const k of hooks) out.add(k);
  if (u.owner) for (const k of OWNER_HOOKS) out.add(k);
  return out;
}

/** The optional hooks a program does not need, as section names (see hooksNeeded). */
export function hooksNotNeeded(u: ProgramUses, upgradesLive = 0): string[] {
  const need = hooksNeeded(u, upgradesLive);
  return (Object.keys(HOOKS) as HookKey[]).filter(k => HOOKS[k].kind === 'optional' && !need.has(k)).map(k => HOOKS[k].section);
}

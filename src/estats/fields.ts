// Connection fields: the names a query can use besides the RFC variables.
import type { Snapshot, Value } from './types.js';

export const TCP_STATES: Readonly<Record<number, string>> = {
  1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
  7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'NEW_SYN_RECV',
};
export const CA_STATES: Readonly<Record<number, string>> = { 0: 'Open', 1: 'Disorder', 2: 'CWR', 3: 'Recovery', 4: 'Loss' };
export const EVENT_NAMES: Readonly<Record<number, string>> = {
  1: 'open', 2: 'established', 3: 'state', 4: 'ack', 5: 'rtt', 6: 'retransmit', 7: 'timeout',
  8: 'congestion', 9: 'reset', 10: 'close', 11: 'seed',
};

export function formatAddr(b: Uint8Array, family: number): string {
  if (family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  // RFC 5952: compress the longest run of zero groups (length >= 2)
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (parts[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && parts[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return parts.join(':');
  return `${parts.slice(0, best).join(':')}::${parts.slice(best + bestLen).join(':')}`;
}

export type FieldType = 'addr' | 'port' | 'number' | 'string' | 'state' | 'castate' | 'event' | 'time';

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly meaning: string;
  readonly get: (s: Snapshot) => Value;
}

const f = (name: string, type: FieldType, meaning: string, get: (s: Snapshot) => Value): FieldDef => ({ name, type, meaning, get });
const laddr = (s: Snapshot) => formatAddr(s.saddr, s.family);
const raddr = (s: Snapshot) => formatAddr(s.daddr, s.family);

/** Connection fields by name. Aliases (saddr, dport…) point at the same getter. */
export const FIELDS: readonly FieldDef[] = [
  f('laddr', 'addr', 'local address', laddr),
  f('lport', 'port', 'local port', s => s.sport),
  f('raddr', 'addr', 'remote address', raddr),
  f('rport', 'port', 'remote port', s => s.dport),
  f('saddr', 'addr', 'local address (alias of laddr)', laddr),
  f('sport', 'port', 'local port (alias of lport)', s => s.sport),
  f('daddr', 'addr', 'remote address (alias of raddr)', raddr),
  f('dport', 'port', 'remote port (alias of rport)', s => s.dport),
  f('family', 'number', 'address family: 4 or 6', s => s.family),
  f('conn', 'string', 'the 4-tuple as one value', s => `${bracket(laddr(s), s.family)}:${s.sport}>${bracket(raddr(s), s.family)}:${s.dport}`),
  f('cookie', 'string', "the kernel's socket cookie", s => s.cookie.toString()),
  f('state', 'state', 'TCP state', s => TCP_STATES[s.state] ?? String(s.state)),
  f('oldstate', 'state', 'TCP state before a state event', s => TCP_STATES[s.oldstate] ?? String(s.oldstate)),
  f('castate', 'castate', 'congestion state', s => CA_STATES[s.castate] ?? String(s.castate)),
  f('oldcastate', 'castate', 'congestion state before a congestion event', s => CA_STATES[s.oldcastate] ?? String(s.oldcastate)),
  f('pid', 'number', 'process id of the socket owner (0 if not known yet)', s => s.owner_pid),
  f('comm', 'string', 'command name of the socket owner', s => s.owner_comm),
  f('cgroup', 'number', 'cgroup v2 id of the socket owner', s => Number(s.cgroup_id)),
  f('cc', 'string', 'congestion control algorithm', s => s.cc),
  f('event', 'event', 'event name', s => EVENT_NAMES[s.kind] ?? String(s.kind)),
  f('time', 'time', 'event time, ns since boot (CLOCK_MONOTONIC)', s => Number(s.ts_ns)),
];

function bracket(a: string, family: number): string { return family === 6 ? `[${a}]` : a; }

const byName = new Map(FIELDS.map(x => [x.name.toLowerCase(), x]));
export function findField(name: string): FieldDef | undefined { return byName.get(name.toLowerCase()); }

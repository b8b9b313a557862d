// IPv4/IPv6 addresses and prefixes for `addr in CIDR`, `addr == literal` and net().
import { formatAddr } from '../estats/fields.js';

export interface Cidr {
  readonly family: 4 | 6;
  /** 4 or 16 bytes */
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** canonical text, e.g. 10.0.0.0/8 or fe80::/10 (host bits kept as written) */
  readonly text: string;
}

function parseV4(s: string): Uint8Array | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    b[i] = n;
  }
  return b;
}

function parseV6(s: string): Uint8Array | null {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  let tail4: Uint8Array | null = null;
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.indexOf('.', lastColon) > 0) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (!tail4) return null;
    body = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = body.split('::');
  if (dbl.length > 2) return null;
  const toGroups = (x: string) => (x === '' ? [] : x.split(':'));
  const head = toGroups(dbl[0]!);
  const tail = dbl.length === 2 ? toGroups(dbl[1]!) : [];
  const groups: string[] = dbl.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8 || (dbl.length === 2 && head.length + tail.length > 7)) return null;
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    b[2 * i] = n >> 8;
    b[2 * i + 1] = n & 0xff;
  }
  if (tail4) b.set(tail4, 12);
  return b;
}

/** Parse `10.0.0.0/8`, `10.1.2.3`, `fe80::/10`, `::1`. Error text on failure. */
export function parseCidr(raw: string): Cidr | { error: string } {
  const slash = raw.indexOf('/');
  const addr = slash >= 0 ? raw.slice(0, slash) : raw;
  const v4 = parseV4(addr);
  const bytes = v4 ?? parseV6(addr);
  if (!bytes) return { error: `'${addr}' is not a valid IPv4 or IPv6 address` };
  const family: 4 | 6 = v4 ? 4 : 6;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = raw.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) return { error: `'/${p}' is not a valid prefix length for IPv${family} (0 to ${max})` };
    prefix = Number(p);
  }
  const text = formatAddr(bytes, family) + (slash >= 0 ? `/${prefix}` : '');
  return { family, bytes, prefix, text };
}

function prefixEq(a: Uint8Array, aOff: number, b: Uint8Array, bits: number): boolean {
  let i = 0;
  for (; bits >= 8; bits -= 8, i++) if (a[aOff + i] !== b[i]) return false;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((a[aOff + i]! ^ b[i]!) & mask) === 0;
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** Does the socket address (bytes as in the event, family 4 or 6) lie in the prefix? IPv4-mapped IPv6 addresses match IPv4 prefixes. */
export function inCidr(bytes: Uint8Array, family: number, c: Cidr): boolean {
  if (c.family === 4) {
    if (family === 4) return prefixEq(bytes, 0, c.bytes, c.prefix);
    if (family === 6 && isV4Mapped(bytes)) return prefixEq(bytes, 12, c.bytes, c.prefix);
    return false;
  }
  if (family !== 6) return false;
  return prefixEq(bytes, 0, c.bytes, c.prefix);
}

/** Parse an address string as printed by formatAddr back to bytes (slow path for non-field operands). */
export function parseAddrValue(s: string): { bytes: Uint8Array; family: 4 | 6 } | null {
  const c = parseCidr(s);
  if ('error' in c) return null;
  return { bytes: c.bytes, family: c.family };
}

/** net(addr, prefix): the network containing addr, as text `a.b.c.0/24`. IPv4-mapped IPv6 addresses are treated as IPv4. */
export function netOf(bytes: Uint8Array, family: number, p4: number, p6: number): string {
  let fam = family;
  let src = bytes;
  if (family === 6 && isV4Mapped(bytes)) { fam = 4; src = bytes.subarray(12, 16); }
  const n = fam === 4 ? 4 : 16;
  const p = fam === 4 ? Math.min(p4, 32) : Math.min(p6, 128);
  const out = new Uint8Array(n);
  let bits = p;
  for (let i = 0; i < n; i++) {
    if (bits >= 8) { out[i] = src[i]!; bits -= 8; }
    else if (bits > 0) { out[i] = src[i]! & ((0xff << (8 - bits)) & 0xff); bits = 0; }
    else out[i] = 0;
  }
  return `${formatAddr(out, fam)}/${p}`;
}

// Command-line values with units (durations, sizes).
export class UsageError extends Error {}

const DUR: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
/** "10s", "250ms", "1m", "1.5s"; a bare number is seconds. Returns ms. */
export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new UsageError(`invalid ${what} '${s}': use a number with a unit, e.g. 10s, 500ms, 2m`);
  return Number(m[1]) * DUR[m[2] ?? 's']!;
}

const SIZE: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20, g: 1 << 30, gb: 1 << 30, gib: 1 << 30 };
export function parseSize(s: string, what: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(s.trim());
  const mul = m ? SIZE[m[2]!.toLowerCase()] : undefined;
  if (!m || mul === undefined) throw new UsageError(`invalid ${what} '${s}': use a size like 16MiB or 4096`);
  return Number(m[1]) * mul;
}

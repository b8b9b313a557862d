// Opens, configures, loads and attaches bpf/estats.bpf.o; owns every kernel
// object it creates and releases them in one place (close). Everything is
// fd-based (links, not pins), so even a kill -9 leaves nothing attached.
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bpf, c, errno, setPrint, withProfilerSignalBlocked, BpfError, O_RDONLY, O_DIRECTORY, type Ptr } from './ffi.js';
import { RingReader } from './ringbuf.js';
import { CONFIG_OFF, CONFIG_SIZE, EV, FILTER, HOOK_OFF, PORTS, UPG } from '../stream/layout.generated.js';
import { HOOKS, tracepointOf } from '../estats/hooks.js';

const UPG_ALL = Object.values(UPG).reduce((a, b) => a | b, 0);

/** The optional exact programs (fentry/fexit/kprobe sections, autoload off by "?"). */
const isUpgrade = (sec: string): boolean => /^\??(fentry|fexit|kprobe|kretprobe)\//.test(sec);

/** The programs of an opened object, in order. */
function* programsOf(obj: Ptr): Generator<Ptr> {
  for (let p = bpf.object_next_program(obj, null) as Ptr | null; p; p = bpf.object_next_program(obj, p) as Ptr | null) yield p;
}
/** The maps of an opened object, in order. */
function* mapsOf(obj: Ptr): Generator<Ptr> {
  for (let m = bpf.object_next_map(obj, null) as Ptr | null; m; m = bpf.object_next_map(obj, m) as Ptr | null) yield m;
}
/** Why the optional exact programs are off, when the kernel refused them. */
const refusal = (e: number): string => `the kernel refused fentry/fexit programs (errno ${e})`;

/** Where a refusal of the optional exact programs is remembered until the next boot (a tmpfs; docs/SECURITY.md). */
export const UPGRADE_MEMO = '/run/tcp-estats/upgrades.json';

/** This boot and kernel: a memo from another boot or kernel does not count. */
function bootKey(): string {
  let boot = '';
  try { boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(); } catch { /* no procfs: never matches */ }
  let release = '';
  try { release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(); } catch { /* idem */ }
  return `${boot} ${release}`;
}

/** A memo file's content if it was written in this boot of this kernel, else null. */
function readMemo(file: string): Record<string, unknown> | null {
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return m.boot === bootKey() ? m : null;
  } catch { return null; }
}

/** Write a memo for this boot (root only: /run/tcp-estats is 0700). Best effort: a read-only /run only costs the work again. */
function writeMemo(file: string, content: Record<string, unknown>): void {
  try {
    mkdirSync('/run/tcp-estats', { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify({ boot: bootKey(), ...content, at: new Date().toISOString() })}\n`, { mode: 0o600 });
  } catch { /* not fatal */ }
}

/** The refusal remembered for this boot, or null. */
function upgradesRefusedThisBoot(): string | null {
  const refused = readMemo(UPGRADE_MEMO)?.refused;
  return typeof refused === 'string' && refused ? refused : null;
}

/** Remember a refusal (or forget it: null). */
function rememberUpgrades(refused: string | null): void {
  if (refused !== null) writeMemo(UPGRADE_MEMO, { refused });
  else try { rmSync(UPGRADE_MEMO, { force: true }); } catch { /* not fatal */ }
}

/** Which tracepoints this boot's kernel has, from its BTF (parsing it costs ~16 ms per start; the answer holds until reboot). */
export const TRACEPOINT_MEMO = '/run/tcp-estats/tracepoints.json';

/** bpf/estats.bpf.o of the package, from dist/bpf/loader.js or from the bundle dist/tcp-estats.mjs */
export const DEFAULT_OBJECT = ((): string => {
  const candidates = ['../../bpf/estats.bpf.o', '../bpf/estats.bpf.o'].map(r => fileURLToPath(new URL(r, import.meta.url)));
  return candidates.find(p => existsSync(p)) ?? candidates[0]!;
})();

export interface BackendOptions {
  objectPath?: string;
  /** minimum gap between ack/rtt events of one socket, ns; 0 = every one */
  sampleNs: bigint;
  /** 0 = both */
  family: 0 | 4 | 6;
  /** CLOCK_REALTIME − CLOCK_MONOTONIC, ns: the kernel stamps StartTimeStamp with it */
  wallOffsetNs: bigint;
  /** ring buffer size in bytes (power of two, multiple of the page size) */
  ringBytes: number;
  /** kernel-side port filter (null = no constraint) */
  lports: number[] | null;
  rports: number[] | null;
  ports: number[] | null;
  /** event kinds to send, bit 1 << EV.*; 0 = all (the kernel keeps every counter either way) */
  kinds?: number;
  /**
   * event kinds to send for sockets of the network namespace ownNetns (null
   * or absent: the same as kinds; 0 here means close and seed only): snapshot
   * statements refresh those sockets through iter/tcp before each tick
   */
  kindsOwnNetns?: number | null;
  /** inode number of the tool's network namespace */
  ownNetns?: number;
  /**
   * optional programs (section names) to leave unloaded: the user's program
   * reads nothing they feed (src/estats/hooks.ts hooksNeeded); required ones are never left out
   */
  skipHooks?: readonly string[];
  /** the program reads nothing the per-socket tracking computes (src/estats/hooks.ts needsTracking): the kernel skips it */
  light?: boolean;
  /** try the optional fentry/fexit programs (default true) */
  upgrades?: boolean;
  /** libbpf messages and the verifier log (-v) */
  log?: (level: number, msg: string) => void;
}

/** The first cgroup2 mount point in a mounts file (/proc/PID/mounts), or null. */
function cgroup2In(file: string): string | null {
  let mounts = '';
  try { mounts = readFileSync(file, 'utf8'); } catch { return null; }
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[2] === 'cgroup2' && f[1]) return f[1].replace(/\\040/g, ' ');
  }
  return null;
}

/**
 * `ip netns exec NS` runs its command in a new mount namespace with a fresh
 * sysfs on /sys (its source is the namespace's name, /run/netns/NS), which
 * hides the cgroup2 mount below /sys/fs/cgroup. True when that is the case.
 */
function underIpNetnsExec(): boolean {
  let mounts = '';
  try { mounts = readFileSync('/proc/self/mounts', 'utf8'); } catch { return false; }
  return mounts.split('\n').some(line => {
    const f = line.split(' ');
    return f[1] === '/sys' && f[2] === 'sysfs' && !!f[0] && f[0] !== 'sysfs' && !f[0].includes('/') && existsSync(`/run/netns/${f[0]}`);
  });
}

/** Process ids from this one's parent up to 1. */
function ancestors(): number[] {
  const out: number[] = [];
  let pid = process.ppid;
  while (pid > 1 && out.length < 64) {
    out.push(pid);
    try { pid = Number(/^\d+ \(.*\) \S+ (\d+)/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] ?? 0); } catch { break; }
  }
  return out;
}

/**
 * The cgroup-v2 mount point, from /proc/mounts. Under `ip netns exec`, whose
 * /sys remount hides it, the same mount seen through the root of a process
 * in the mount namespace it started from (/proc/PID/root/…: init, else the
 * nearest ancestor, e.g. the shell that ran ip netns exec). A mount namespace
 * that lacks cgroup v2 for any other reason (cgroup v1 only) has none.
 */
export function findCgroup2(): string | null {
  const own = cgroup2In('/proc/self/mounts');
  if (own || !underIpNetnsExec()) return own;
  const mine = nsOf('self');
  for (const pid of [1, ...ancestors()]) {
    const ns = nsOf(String(pid));
    if (ns === null || ns === mine) continue;
    const mp = cgroup2In(`/proc/${pid}/mounts`);
    if (!mp) continue;
    const path = `/proc/${pid}/root${mp}`;
    try { if (statSync(path).isDirectory()) return path; } catch { /* not allowed to look: the next one */ }
  }
  return null;
}
function nsOf(pid: string): string | null {
  try { return readlinkSync(`/proc/${pid}/ns/mnt`); } catch { return null; }
}

/** Linux capability numbers (include/uapi/linux/capability.h). */
const CAP = { NET_ADMIN: 12, SYS_ADMIN: 21, PERFMON: 38, BPF: 39 } as const;

/** Effective capabilities of this process, from /proc/self/status. */
export function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt('0x' + m[1]) : 0n;
  } catch { return 0n; }
}

/**
 * The capabilities the backend needs that this process lacks, by name:
 * CAP_BPF (load programs and maps), CAP_PERFMON (tracing programs, reading
 * kernel memory), CAP_NET_ADMIN (attach sock_ops to a cgroup). CAP_SYS_ADMIN
 * stands in for the first two, as the kernel allows.
 */
export function missingCaps(eff = effectiveCaps()): string[] {
  const has = (c: number) => (eff >> BigInt(c)) & 1n ? true : false;
  const out: string[] = [];
  if (!has(CAP.BPF) && !has(CAP.SYS_ADMIN)) out.push('CAP_BPF');
  if (!has(CAP.PERFMON) && !has(CAP.SYS_ADMIN)) out.push('CAP_PERFMON');
  if (!has(CAP.NET_ADMIN)) out.push('CAP_NET_ADMIN');
  return out;
}

/**
 * Programs the tool can run without (src/estats/hooks.ts): when the running
 * kernel lacks their tracepoint, they are switched off (autoload) and the
 * variables they feed are reported as degraded instead of stopping the tool.
 */
export const OPTIONAL_SECTIONS: ReadonlySet<string> = new Set(Object.values(HOOKS).filter(h => h.kind === 'optional').map(h => h.section));

/** Tracepoints hidden by fault injection: TCP_ESTATS_FAULT=hide-hook:NAME[,NAME] (tests only, docs/SECURITY.md). */
function hiddenByFault(): string[] {
  return /^hide-hook:(.*)$/.exec(process.env.TCP_ESTATS_FAULT ?? '')?.[1]?.split(',').filter(Boolean) ?? [];
}

/**
 * Which of these sections' tracepoints (tp_btf/NAME) the running kernel
 * lacks, from its BTF (a btf_trace_NAME typedef per tracepoint); other
 * sections are never missing. Needs no privilege. null when the kernel BTF
 * cannot be read (libbpf reports that at load).
 */
export function missingTracepoints(sections: Iterable<string>): string[] | null {
  const secs = [...sections].filter(sec => sec.startsWith('tp_btf/'));
  // the memo stands for the BTF: not where the BTF cannot be read now
  const memo = existsSync('/sys/kernel/btf/vmlinux') ? readMemo(TRACEPOINT_MEMO)?.have as Record<string, boolean> | undefined : undefined;
  let have: Record<string, boolean>;
  if (memo && typeof memo === 'object' && secs.every(sec => typeof memo[tracepointOf(sec)] === 'boolean')) {
    have = memo;
  } else {
    const btf = bpf.btf_load_vmlinux() as Ptr | null;
    if (!btf) return null;
    have = {};
    try {
      const BTF_KIND_TYPEDEF = 8;
      for (const sec of secs) have[tracepointOf(sec)] = (bpf.btf_find_by_name_kind(btf, `btf_trace_${tracepointOf(sec)}`, BTF_KIND_TYPEDEF) as number) >= 0;
    } finally { bpf.btf_free(btf); }
    writeMemo(TRACEPOINT_MEMO, { have: { ...memo, ...have } });
  }
  const hidden = hiddenByFault();
  return secs.filter(sec => hidden.includes(tracepointOf(sec)) || !have[tracepointOf(sec)]);
}

/**
 * The optional hooks this kernel lacks, for list and describe (a run finds
 * the same ones when it opens the object: Backend.disabled). null when it
 * cannot be told (no kernel BTF readable).
 */
export function probeHooks(): string[] | null {
  setPrint(() => {}); // a missing BTF is the answer (null), not a libbpf message
  return missingTracepoints(OPTIONAL_SECTIONS);
}

/** Checks that need no privilege, each naming its fix. */
export function preflight(): void {
  if (!existsSync('/sys/kernel/btf/vmlinux'))
    throw new BpfError('kernel BTF not found (/sys/kernel/btf/vmlinux): tcp-estats needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.x)');
  if (!findCgroup2()) {
    if (underIpNetnsExec())
      throw new BpfError('no cgroup v2 mount found: ip netns exec remounted /sys, which hid it, and no process of the original mount namespace could be looked through (/proc/PID/root): run tcp-estats outside ip netns exec (it sees every network namespace), or mount cgroup2 in this one, e.g. mount -t cgroup2 none /sys/fs/cgroup');
    throw new BpfError('no cgroup v2 mount found in /proc/mounts (cgroup v1 only?): tcp-estats attaches its sock_ops program to the cgroup-v2 root; mount one, e.g. mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 none /sys/fs/cgroup/unified');
  }
  const missing = missingCaps();
  if (missing.length)
    throw new BpfError(`missing capabilit${missing.length > 1 ? 'ies' : 'y'} ${missing.join(', ')}: run as root (sudo), or grant ${missing.join(' + ')} (e.g. setcap cap_bpf,cap_perfmon,cap_net_admin+ep on the node binary)`);
}

function privilegeHint(): string {
  const missing = missingCaps();
  return missing.length
    ? `missing ${missing.join(', ')}: run as root (sudo), or grant them`
    : 'the kernel refused although the capabilities are there: check kernel lockdown (LSM), seccomp, or a container that filters bpf()';
}

export class Backend {
  private obj: Ptr | null = null;
  private links: Ptr[] = [];
  private ring: RingReader | null = null;
  private iterProg: Ptr | null = null;
  private countersFd = -1;
  private cgroupFd = -1;
  private readonly logLines: string[] = [];
  readonly attached: string[] = [];

  constructor(private readonly opts: BackendOptions) {}

  open(): this {
    preflight();
    const log = this.opts.log;
    setPrint((level, msg) => {
      this.logLines.push(msg);
      if (this.logLines.length > 4000) this.logLines.splice(0, 1000);
      if (log) log(level, msg.replace(/\n$/, ''));
    });
    const path = this.opts.objectPath ?? DEFAULT_OBJECT;
    if (!existsSync(path)) throw new BpfError(`BPF object not found: ${path}; run npm run build:bpf (needs clang) or reinstall tcp-estats`);
    // First try with the optional exact programs (fentry/fexit); where the
    // kernel refuses them, load again without: the floor heuristics then count.
    // A refusal is remembered until the next boot, so later starts skip the
    // attempt (it costs a second load, 50-70 ms measured).
    let tryUpgrades = this.opts.upgrades !== false;
    const memo = tryUpgrades ? upgradesRefusedThisBoot() : null;
    if (memo) {
      tryUpgrades = false;
      this.upgradeError = `${memo} (remembered for this boot in ${UPGRADE_MEMO}; tcp-estats describe tries again)`;
    }
    let { obj, err } = this.load(path, tryUpgrades);
    if (err && !this.upgradesLive) this.loadFailed(err);
    if (!err && this.upgradesLive) rememberUpgrades(null);
    if (err) {
      this.upgradeError = refusal(err);
      rememberUpgrades(this.upgradeError);
      bpf.object_close(obj);
      this.obj = null;
      ({ obj, err } = this.load(path, false));
      if (err) this.loadFailed(err);
    } else if (!this.upgradesLive && this.opts.upgrades === false) {
      this.upgradeError = 'switched off (--no-upgrades)';
    }
    this.attach(obj);
    const events = this.findMap(obj, 'events');
    this.ring = new RingReader(bpf.map_fd(events) as number, this.opts.ringBytes);
    this.countersFd = bpf.map_fd(this.findMap(obj, 'counters')) as number;
    return this;
  }

  /** Optional programs whose tracepoint this kernel lacks (src/estats/hooks.ts says what each costs). */
  readonly disabled: string[] = [];
  /** Optional programs left unloaded because the user's program does not need them (BackendOptions.skipHooks). */
  readonly skipped: string[] = [];
  /** ESTATS_UPG_* bits of the optional exact programs that loaded */
  upgradesLive = 0;
  /** why the optional exact programs are not live (null when they are) */
  upgradeError: string | null = null;

  /** Programs of the object that are optional exact upgrades (fentry/fexit/kprobe). */
  private upgradeProgs(obj: Ptr): Ptr[] {
    const out: Ptr[] = [];
    for (const p of programsOf(obj))
      if (isUpgrade(bpf.program_section_name(p) as string)) out.push(p);
    return out;
  }

  private openObject(path: string, upgrades: boolean): Ptr {
    const obj = bpf.object_open_file(path, null) as Ptr | null;
    if (!obj) throw new BpfError(`cannot open BPF object ${path} (errno ${errno()})`, errno(), this.logLines);
    this.obj = obj;
    const ups = this.upgradeProgs(obj);
    for (const p of ups) bpf.program_set_autoload(p, upgrades);
    this.upgradesLive = upgrades && ups.length ? UPG_ALL : 0;
    this.disableHooks(obj);
    this.configure(obj);
    return obj;
  }

  /**
   * Open and load the object (0 = loaded, else the errno). The verifier
   * stops with EAGAIN when a signal is pending: a profiler's SIGPROF is
   * blocked meanwhile, and a load cut short by any other signal is tried
   * again, LOAD_ATTEMPTS times in all.
   */
  private load(path: string, upgrades: boolean): { obj: Ptr; err: number } {
    const LOAD_ATTEMPTS = 5, EAGAIN = 11;
    for (let attempt = 1; ; attempt++) {
      const obj = this.openObject(path, upgrades);
      const err = withProfilerSignalBlocked(() => (bpf.object_load(obj) === 0 ? 0 : errno() || -1));
      if (err !== EAGAIN || attempt >= LOAD_ATTEMPTS) return { obj, err };
      bpf.object_close(obj);
      this.obj = null;
    }
  }

  private loadFailed(e: number): never {
    const verifier = this.logLines.join('').includes('BEGIN PROG LOAD LOG');
    if (e === 1 || e === 13)
      throw new BpfError(`permission denied loading the BPF programs: ${privilegeHint()}`, e, this.logLines);
    if (e === 11)
      throw new BpfError(`the kernel kept interrupting the BPF verifier (errno 11, EAGAIN: a signal arrived during each of 5 loads): stop what signals tcp-estats this often (a profiler, a timer) and run it again`, e, this.logLines);
    throw new BpfError(`the kernel rejected the BPF programs (errno ${e})${verifier ? '; run with -v for the verifier log' : ''}`, e, this.logLines);
  }

  /** Switch off the optional programs the kernel lacks (disabled) and those the user's program does not need (skipped). */
  private disableHooks(obj: Ptr): void {
    this.disabled.length = 0; // the object may be opened twice (upgrade retry)
    this.skipped.length = 0;
    const progs = new Map<string, Ptr>();
    for (const p of programsOf(obj))
      progs.set(bpf.program_section_name(p) as string, p);
    for (const sec of this.opts.skipHooks ?? []) {
      const p = progs.get(sec);
      if (!p || !OPTIONAL_SECTIONS.has(sec)) continue; // only optional programs may be left out
      bpf.program_set_autoload(p, false);
      this.skipped.push(sec);
    }
    // every section, skipped or not: the answer is remembered for the boot, whatever the next query needs
    const missing = missingTracepoints(progs.keys());
    if (!missing) return; // libbpf reports the missing BTF at load
    for (const sec of missing) {
      if (this.skipped.includes(sec)) continue;
      if (!OPTIONAL_SECTIONS.has(sec))
        throw new BpfError(`this kernel has no tracepoint ${tracepointOf(sec)}, which tcp-estats needs: run it on a Linux 6.x kernel built with BTF (CONFIG_DEBUG_INFO_BTF=y) that has this tracepoint`);
      bpf.program_set_autoload(progs.get(sec)!, false);
      this.disabled.push(sec);
    }
  }

  private findMap(obj: Ptr, name: string): Ptr {
    for (const m of mapsOf(obj)) {
      const n = bpf.map_name(m) as string;
      if (n === name || (name.startsWith('.') && n.endsWith(name))) return m;
    }
    throw new BpfError(`map ${name} not found in the BPF object (object and tool versions differ?)`);
  }

  private configure(obj: Ptr): void {
    const o = this.opts;
    const rodata = this.findMap(obj, '.rodata');
    const size = bpf.map_value_size(rodata) as number;
    if (size < CONFIG_SIZE) throw new BpfError(`.rodata is ${size} bytes, struct estats_config needs ${CONFIG_SIZE}: rebuild the BPF object`);
    const buf = Buffer.alloc(size);
    buf.writeBigUInt64LE(o.sampleNs, CONFIG_OFF.sample_ns);
    let flags = 0;
    if (o.lports) flags |= FILTER.LPORT;
    if (o.rports) flags |= FILTER.RPORT;
    if (o.ports) flags |= FILTER.PORT;
    buf.writeUInt32LE(flags, CONFIG_OFF.filter_flags);
    buf.writeUInt32LE(o.family, CONFIG_OFF.family);
    buf.writeBigUInt64LE(o.wallOffsetNs, CONFIG_OFF.wall_offset_ns);
    buf.writeUInt32LE(this.upgradesLive, CONFIG_OFF.upgrades);
    // CLOSE and SEED always: the table evicts on close, and sockets that existed before the start enter by seed
    const always = (1 << EV.CLOSE) | (1 << EV.SEED);
    const kinds = o.kinds ? (o.kinds | always) >>> 0 : 0;
    buf.writeUInt32LE(kinds, CONFIG_OFF.kinds);
    buf.writeUInt32LE(o.kindsOwnNetns === null || o.kindsOwnNetns === undefined || !o.ownNetns ? kinds : (o.kindsOwnNetns | always) >>> 0, CONFIG_OFF.kinds_own);
    buf.writeUInt32LE(o.ownNetns ?? 0, CONFIG_OFF.own_netns);
    buf.writeUInt32LE(o.light ? 1 : 0, CONFIG_OFF.light);
    buf.writeBigUInt64LE(BigInt(o.ringBytes), CONFIG_OFF.ring_size);
    if (this.skipped.includes(HOOKS.xmit.section) || this.disabled.includes(HOOKS.xmit.section)) buf.writeUInt32LE(HOOK_OFF.XMIT, CONFIG_OFF.hooks_off);
    // the port filter: one bit per port in each of the three maps (local, remote, either end)
    const mark = (list: number[] | null, which: number) => {
      for (const p of list ?? []) { const at = CONFIG_OFF.port_map + which + (p >> 3); buf[at] = buf[at]! | (1 << (p & 7)); }
    };
    mark(o.lports, PORTS.LOCAL); mark(o.rports, PORTS.REMOTE); mark(o.ports, PORTS.EITHER);
    if (bpf.map_set_initial_value(rodata, buf, size) !== 0) throw new BpfError(`cannot set the BPF configuration (errno ${errno()})`);
    if (bpf.map_set_max_entries(this.findMap(obj, 'events'), o.ringBytes) !== 0)
      throw new BpfError(`cannot size the ring buffer to ${o.ringBytes} bytes (errno ${errno()})`);
  }

  private attach(obj: Ptr): void {
    for (const p of programsOf(obj)) {
      const sec = bpf.program_section_name(p) as string;
      const name = bpf.program_name(p) as string;
      if (sec.startsWith('iter/')) { this.iterProg = p; continue; }
      if (this.disabled.includes(sec) || this.skipped.includes(sec)) continue;
      if (isUpgrade(sec) && !this.upgradesLive) continue;
      let link: Ptr | null;
      if (sec === 'sockops') {
        const cg = findCgroup2()!;
        this.cgroupFd = c.open(cg, O_RDONLY | O_DIRECTORY) as number;
        if (this.cgroupFd < 0) throw new BpfError(`cannot open the cgroup v2 root ${cg} (errno ${errno()})`);
        link = bpf.program_attach_cgroup(p, this.cgroupFd) as Ptr | null;
      } else {
        link = bpf.program_attach(p) as Ptr | null;
      }
      if (!link) {
        const e = errno();
        if (e === 1 || e === 13) throw new BpfError(`permission denied attaching ${sec}: ${privilegeHint()}`, e);
        throw new BpfError(`cannot attach ${name} (${sec}): errno ${e}; this kernel may lack the hook`, e);
      }
      this.links.push(link);
      this.attached.push(sec);
      this.progFds.push(bpf.program_fd(p) as number);
    }
  }

  /**
   * Run iter/tcp once: every existing TCP socket becomes a seed event in the
   * ring. The iterator writes one byte per socket; reading it in batches of
   * SEED_BATCH bytes lets `between` (a drain) empty the ring after each batch.
   */
  seed(between?: () => void): void {
    if (!this.iterProg) throw new BpfError('iter/tcp program missing from the BPF object');
    const link = bpf.program_attach_iter(this.iterProg, null) as Ptr | null;
    if (!link) throw new BpfError(`cannot create the iter/tcp link (errno ${errno()})`, errno());
    try {
      const fd = bpf.iter_create(bpf.link_fd(link) as number) as number;
      if (fd < 0) throw new BpfError(`bpf_iter_create failed (errno ${errno()})`, errno());
      const SEED_BATCH = Math.max(64, Math.floor(this.opts.ringBytes / 4 / 1024)); // a quarter of the ring per batch
      const buf = Buffer.alloc(SEED_BATCH);
      try {
        for (;;) {
          const n = Number(c.read(fd, buf, buf.length));
          if (n === 0) break;
          if (n < 0) { const e = errno(); if (e === 4 || e === 11) continue; throw new BpfError(`reading iter/tcp failed (errno ${e})`, e); }
          between?.();
        }
      } finally { c.close(fd); }
    } finally { bpf.link_destroy(link); }
  }

  /** the ring's records, in place (see RingReader.drain) */
  drain(fn: (data: Uint8Array, dv: DataView, off: number, len: number) => void, release?: (data: Uint8Array) => void, max?: number): number {
    return this.ring ? this.ring.drain(fn, release, max) : 0;
  }

  private readonly progFds: number[] = [];

  /**
   * Hook runs the kernel skipped because the same program was already running
   * on that CPU (a softirq interrupting it): bpf_prog_info.recursion_misses,
   * summed over our programs. Counters those runs would have updated miss them.
   */
  recursionMisses(): bigint {
    const RECURSION_MISSES = 208, INFO_LEN = 232; // offsets in struct bpf_prog_info (UAPI)
    const info = Buffer.alloc(INFO_LEN), len = [INFO_LEN];
    let sum = 0n;
    for (const fd of this.progFds) {
      info.fill(0); len[0] = INFO_LEN;
      if (bpf.obj_get_info_by_fd(fd, info, len) === 0 && len[0]! >= RECURSION_MISSES + 8) sum += info.readBigUInt64LE(RECURSION_MISSES);
    }
    return sum;
  }

  /** Events sent and lost (ring buffer full), and segments whose header could not be read, summed over CPUs. */
  counters(): { sent: bigint; lost: bigint; unreadable: bigint } {
    if (this.countersFd < 0) return { sent: 0n, lost: 0n, unreadable: 0n };
    const ncpu = bpf.num_possible_cpus() as number;
    const v = Buffer.alloc(8 * ncpu), k = Buffer.alloc(4);
    const sum = (idx: number) => {
      k.writeUInt32LE(idx);
      if (bpf.map_lookup_elem(this.countersFd, k, v) !== 0) return 0n;
      let s = 0n;
      for (let i = 0; i < ncpu; i++) s += v.readBigUInt64LE(i * 8);
      return s;
    };
    return { lost: sum(0), sent: sum(1), unreadable: sum(2) };
  }

  /**
   * Stop new events (destroy the links) but keep the ring and the counters,
   * so a last drain sees everything the kernel sent: sent == received.
   */
  detach(): void {
    for (const l of this.links.splice(0)) bpf.link_destroy(l);
  }


  close(): void {
    this.detach();
    this.ring?.close();
    this.ring = null;
    if (this.cgroupFd >= 0) { c.close(this.cgroupFd); this.cgroupFd = -1; }
    if (this.obj) { bpf.object_close(this.obj); this.obj = null; }
    this.countersFd = -1;
  }
}

/**
 * Can the optional exact programs (fentry/fexit) load on this kernel? Loads
 * them alone (every other program off, a minimal ring) and unloads them at
 * once. Needs the same privilege as a run; answers null when it cannot tell.
 */
export function probeUpgrades(objectPath = DEFAULT_OBJECT): { live: boolean; reason: string } | null {
  try { preflight(); } catch { return null; }
  setPrint(() => {});
  const obj = bpf.object_open_file(objectPath, null) as Ptr | null;
  if (!obj) return null;
  try {
    let n = 0;
    for (const p of programsOf(obj)) {
      const up = isUpgrade(bpf.program_section_name(p) as string);
      bpf.program_set_autoload(p, up);
      if (up) n++;
    }
    if (!n) return { live: false, reason: 'this build has no optional exact programs' };
    for (const m of mapsOf(obj))
      if ((bpf.map_name(m) as string) === 'events') bpf.map_set_max_entries(m, 4096);
    if (withProfilerSignalBlocked(() => bpf.object_load(obj)) === 0) {
      rememberUpgrades(null);
      return { live: true, reason: 'fentry/fexit programs load on this kernel' };
    }
    const e = errno();
    rememberUpgrades(refusal(e));
    return { live: false, reason: `the kernel refuses fentry/fexit programs (errno ${e}${e === 1 ? ', EPERM' : ''})` };
  } finally {
    bpf.object_close(obj);
  }
}

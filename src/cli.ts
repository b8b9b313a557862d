// commander: argv → options → run(); returns the exit code (0 ok, 1 runtime
// failure, 2 usage or query error). Nothing deep calls process.exit.
//
// The option table (OPTIONS, COMMANDS, EXAMPLES, …) is the one source of
// --help and of the man page (scripts/gen-man.mjs writes docs/tcp-estats.1).
import { closeSync, openSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isatty } from 'node:tty';
import { join } from 'node:path';
import type { RunStats } from './run.js';
import { Command, CommanderError, Option } from 'commander';
import { Chalk } from 'chalk';
import type { Program } from './dsl/index.js';
import { FdWriter, jsonLine, type Sink, type StmtInfo, type Writer } from './output/sink.js';
import { PLAIN, type Style } from './output/text.js';
import { TOP_PLAIN, topProgram, type TopSink, type TopStyle } from './output/top.js';
import { parseDuration, parseSize, UsageError } from './units.js';
import { CATALOG, DERIVED, UNAVAILABLE_THIS_RUN, findVar } from './estats/catalog.js';
import { formatList, formatDescribe, listJson, type Here } from './estats/catalog-format.js';
import { degradation, hooksNotNeeded, missingHookSummary, needsTracking, tracepointOf } from './estats/hooks.js';
import type { Snapshot } from './estats/types.js';
import type { EventFilter } from './run.js';

function packageVersion(): string {
  try { return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version; } catch { return '0.0.0'; }
}
export const VERSION = packageVersion();
export const JSON_SCHEMA = 1;
export const EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2;

// ---------------------------------------------------------------------------
// The option table: --help and the man page are both made from it.

export interface OptSpec {
  /** commander flags, e.g. '-e, --expr <program>' */
  readonly flags: string;
  /** one line for --help */
  readonly help: string;
  /** the man page's paragraph (defaults to help) */
  readonly man?: string;
  readonly group: string;
  readonly default?: string;
  readonly choices?: readonly string[];
  /** 'repeat': every occurrence is kept; 'count': -vv counts */
  readonly kind?: 'repeat' | 'count';
}

export const GROUPS = ['Program:', 'Output:', 'Which connections:', 'Event source:', 'Tuning:', 'Other:'] as const;

export const OPTIONS: readonly OptSpec[] = [
  { flags: '-e, --expr <program>', group: 'Program:', kind: 'repeat',
    help: 'program text; repeat to add statements',
    man: 'The program to run (see docs/LANGUAGE.md). May be given several times; the statements add up and run side by side. Instead of -e, give a script file as the argument. With neither, the built-in live view runs (see THE LIVE VIEW).' },
  { flags: '--dry-run', group: 'Program:',
    help: 'check and compile the program, print the plan, exit (no root needed)',
    man: 'Parse, check and compile the program, print the plan (the events each statement needs, its columns and units, what goes to the kernel filter, which optional BPF programs it does not need) and exit. Needs no privilege and loads nothing.' },
  { flags: '--interval <time>', group: 'Program:', default: '1s',
    help: 'refresh of the built-in live view (no program given)',
    man: 'Refresh interval of the built-in live view, the view that runs when no program is given. A program sets its own with every.' },
  { flags: '-d, --duration <time>', group: 'Program:',
    help: 'stop after this long, e.g. 10s (with --replay: of recorded time)',
    man: 'Stop after this long (e.g. 30s, 5m); final aggregates are printed then. With --replay, only the first TIME of the recording is replayed.' },
  { flags: '-f, --format <format>', group: 'Output:', choices: ['text', 'json', 'csv'],
    help: 'output format (default: text on a terminal, json otherwise)',
    man: 'Output format. text: aligned columns for a person (times and sizes in human units, colour on a terminal). json: one JSON object per line (docs/JSON-SCHEMA.md). csv: a header line per statement, RFC 4180 quoting. Default: text when the output is a terminal, json otherwise. With -f json, warnings and errors on stderr are JSON lines too.' },
  { flags: '-o, --output <file>', group: 'Output:',
    help: 'write the data to FILE instead of stdout',
    man: 'Write the data to FILE (created or truncated) instead of standard output. The default format is then json.' },
  { flags: '--color', group: 'Output:',
    help: 'colour text output even when not on a terminal',
    man: 'Colour text output even when it does not go to a terminal.' },
  { flags: '--no-color', group: 'Output:',
    help: 'never colour output (NO_COLOR is honoured too)',
    man: 'Never colour output. Setting the NO_COLOR environment variable to anything non-empty does the same.' },
  { flags: '-p, --pid <pid>', group: 'Which connections:', kind: 'repeat',
    help: "only sockets owned by this process id (repeat or comma-separate)",
    man: "Only sockets whose owner (the process that created, connected, accepted or last used it; the pid field) is one of these process ids. Repeat the option or separate ids with commas. Sockets that were open before tcp-estats started are matched from their first send or receive, when the owner becomes known." },
  { flags: '--cgroup <path|id>', group: 'Which connections:', kind: 'repeat',
    help: 'only sockets of this cgroup v2 (path or id) and its descendants',
    man: 'Only sockets of this cgroup v2 and of the cgroups below it. Give a path as in /proc/PID/cgroup (/system.slice/nginx.service), a directory under the cgroup v2 mount, or a numeric cgroup id (the inode number of the cgroup directory; an id matches that cgroup only). May be repeated.' },
  { flags: '-4', group: 'Which connections:', help: 'IPv4 sockets only', man: 'IPv4 sockets only (filtered in the kernel).' },
  { flags: '-6', group: 'Which connections:', help: 'IPv6 sockets only', man: 'IPv6 sockets only (filtered in the kernel).' },
  { flags: '--record <file>', group: 'Event source:',
    help: 'also write the raw event stream to FILE (docs/RECORD-FORMAT.md)',
    man: 'Also write the raw event stream to FILE (docs/RECORD-FORMAT.md), before -p, --cgroup and the program filter it, so that any program can be replayed on it later.' },
  { flags: '--replay <file>', group: 'Event source:',
    help: 'read events from a recording instead of the kernel (no root needed)',
    man: 'Read events from a recording made with --record instead of the kernel. Needs no privilege and loads nothing; the output is the one the live run would have given.' },
  { flags: '--sample <time>', group: 'Tuning:', default: '10ms',
    help: 'at most one ack/rtt event per socket per TIME (0 = all)',
    man: 'At most one ack and one rtt event per socket per TIME, decided in the kernel; 0 sends every one. Discrete events (open, retransmit, close, …) are never sampled.' },
  { flags: '--ring <size>', group: 'Tuning:', default: '16MiB',
    help: 'ring buffer size (a power of two)',
    man: 'Size of the kernel ring buffer, a power of two of at least 4KiB. Raise it if events are lost.' },
  { flags: '--drain <time>', group: 'Tuning:', default: '10ms',
    help: 'how often the ring buffer is read',
    man: 'How often the ring buffer is read (it is also read when it is a quarter full).' },
  { flags: '-v, --verbose', group: 'Other:', kind: 'count',
    help: 'progress, libbpf messages and the verifier log on stderr (-vv: debug)',
    man: 'Progress, libbpf messages and the verifier log on stderr, as plain text. -vv adds libbpf debug messages.' },
];

export interface CommandSpec {
  readonly name: string;
  readonly args: string;
  readonly summary: string;
  readonly man: string;
  readonly options: readonly OptSpec[];
  readonly examples: ReadonlyArray<readonly [string, string]>;
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'list', args: '', summary: 'list every RFC 4898 variable with table, type, unit and class',
    man: 'List every variable a program can use: the RFC 4898 name, table, SMI type, unit, how this kernel provides it (exact, approximate or unavailable; a ! when a BPF program it needs is missing on this kernel, explained below the table) and its meaning, fitted to the terminal width. With -f json each entry also has hooks (the BPF programs whose runs write its inputs), snapshot (read at every event\'s snapshot) and degraded (null, or what a missing hook does to it).',
    options: [{ flags: '-f, --format <format>', group: 'Options:', choices: ['text', 'json'], help: 'output format (default: text on a terminal, json otherwise)' }],
    examples: [['tcp-estats list', 'the table'], ['tcp-estats list | jq -r \'.[] | select(.class == "F") | .name\'', 'names of the kernel-field variables']] },
  { name: 'describe', args: '<variable>', summary: 'print the full entry of one variable',
    man: 'Print everything about one variable: its RFC table and OID, type, unit, class, meaning, the kernel source on this kernel, the BPF programs (hooks) it depends on and, when one is missing on this kernel, what that does to it (degraded), caveats and how it is validated. Names are matched case-insensitively, with or without a table prefix.',
    options: [{ flags: '-f, --format <format>', group: 'Options:', choices: ['text', 'json'], help: 'output format (default: text)' }],
    examples: [['tcp-estats describe SmoothedRTT', ''], ['tcp-estats describe perf.sndlimtimecwnd', 'case and table prefix do not matter']] },
];

export const EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['tcp-estats', 'live view of every connection, like top (q quits)'],
  ["tcp-estats -e 'where dport == 443 print SmoothedRTT'", 'each new SRTT of HTTPS connections'],
  ["tcp-estats -e 'on close print raddr, HCDataOctetsOut, SegsRetrans' -d 30s", 'final values of connections closing in the next 30 s'],
  ["tcp-estats -e 'every 1s print conn, rate(HCThruOctetsAcked) as bps sort bps desc limit 5'", 'the five busiest connections, every second'],
  ["tcp-estats -f json -e 'where lport == 22 print SmoothedRTT, CurCwnd' | jq .SmoothedRTT", 'JSON lines for scripts'],
  ["tcp-estats -f csv -d 1m -o rtt.csv -e 'on rtt print SampleRTT'", 'a minute of RTT samples into a CSV file'],
  ["tcp-estats -p 1234 -e 'on retransmit print raddr, SegsRetrans, CurRTO'", 'retransmissions of one process'],
  ["tcp-estats --cgroup /system.slice/nginx.service -e 'on close print sum(HCDataOctetsOut) by raddr'", 'bytes sent by a service, per peer'],
  ["tcp-estats --record trace.tes -d 10s -e 'print SmoothedRTT'", 'record the raw events (root)'],
  ["tcp-estats --replay trace.tes -e 'on close print count() by comm'", 'replay them with another program (no root)'],
  ['tcp-estats list', 'every variable'],
  ['tcp-estats describe SmoothedRTT', 'one variable in full'],
];

export const EXIT_STATUS: ReadonlyArray<readonly [string, string]> = [
  ['0', 'success, including a stop by q, Ctrl-C, SIGTERM, SIGHUP, --duration or a closed output pipe'],
  ['1', 'runtime failure: no privilege, no kernel BTF, no libbpf, the kernel refused the programs, the output could not be written'],
  ['2', 'usage or query error: a bad option, a program that does not compile, an unreadable script or recording'],
];

export const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['NO_COLOR', 'when set and not empty, no colour (--color overrides it)'],
];

export const DESCRIPTION = [
  'tcp-estats shows the RFC 4898 TCP Extended Statistics (SmoothedRTT, CurCwnd, SegsRetrans, SndLimTime*, …) of every TCP connection of the host, from eBPF, with a small query language on top. Programs are compiled before anything is loaded into the kernel, so a mistake never needs root.',
  'Data goes to standard output (or -o FILE) and nothing else does: warnings, errors and lost-event notices go to standard error, as JSON lines with -f json. If the kernel had to drop events, tcp-estats says how many it saw and lost when it exits. A closed output pipe (| head) ends it at once, quietly, with status 0.',
];

export const LIVE_VIEW = [
  'With no program, tcp-estats runs a built-in one every --interval (default 1s): one line per connection (listening sockets left out) with its 4-tuple, state, owner, SmoothedRTT, CurCwnd, throughput (the rate of HCThruOctetsAcked), SegsRetrans and what limits the sender most (the sender itself, the receive window or the congestion window: the largest of SndLimPctSender, SndLimPctRwin, SndLimPctCwnd), sorted by throughput.',
  'On a terminal it is a full screen redrawn every interval and fitted to the terminal width; q or Ctrl-C quits and the terminal is put back. When the output is not a terminal, or -f is given, each interval prints one batch of rows in the chosen format (JSON by default). --dry-run prints the built-in program.',
];

export const OUTPUT = [
  'text: aligned columns with a header that is repeated every screenful on a terminal. Each row starts with the time (local), the event, the owner and the connection. Times and sizes are shown as 61us, 12.3ms, 1.5MiB; other columns name their unit in the header. Kernel strings (comm, cc) are shown with control characters escaped as \\xNN. Histograms are bar charts.',
  'json: one object per line with a type: row for a row, agg for an aggregate group. Rows are flat: the envelope (time as RFC 3339 UTC with microseconds, mono as CLOCK_MONOTONIC seconds, event, laddr, lport, raddr, rport, pid, comm, cookie) and then one key per printed column with the exact value in the variable\'s RFC unit. hist and lhist values are bucket arrays inside the agg line. Schema version ' + String(JSON_SCHEMA) + ', see docs/JSON-SCHEMA.md.',
  'csv: the JSON fields as columns, one header line per statement before its first line, RFC 4180 quoting.',
];

// ---------------------------------------------------------------------------

export interface OutWriter extends Writer {
  isTTY?: boolean;
  closed?: boolean;
  error?: NodeJS.ErrnoException | null;
  onClose?: ((e: NodeJS.ErrnoException) => void) | null;
  /** terminal size, when a terminal */
  columns?: () => number | undefined;
  rows?: () => number | undefined;
  onResize?: (fn: () => void) => () => void;
}

export interface Io {
  out: OutWriter;
  err: Writer & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** the keyboard for the live view's q (a TTY in raw mode); absent = no keys */
  stdin?: NodeJS.ReadStream;
}

export function defaultIo(): Io {
  const out = new FdWriter(1) as FdWriter & OutWriter;
  out.isTTY = isatty(1);
  if (out.isTTY) {
    out.columns = () => process.stdout.columns;
    out.rows = () => process.stdout.rows;
    out.onResize = fn => { process.stdout.on('resize', fn); return () => { process.stdout.off('resize', fn); }; };
  }
  const err = new FdWriter(2) as FdWriter & { isTTY?: boolean };
  err.isTTY = isatty(2);
  const kbd = isatty(0);
  // process.stdin is only made (a tty.ReadStream) when the live view asks for it
  return { out, err, env: process.env, get stdin() { return kbd ? process.stdin : undefined; } };
}

function textStyle(enabled: boolean): Style {
  if (!enabled) return PLAIN;
  const ch = new Chalk({ level: 1 });
  return { header: s => ch.bold(s), dim: s => ch.dim(s), warn: s => ch.yellow(s), bad: s => ch.red(s) };
}
function topStyle(enabled: boolean): TopStyle {
  if (!enabled) return TOP_PLAIN;
  const ch = new Chalk({ level: 1 });
  return { title: s => ch.bold(s), header: s => ch.inverse(s), dim: s => ch.dim(s), warn: s => ch.yellow(s), bad: s => ch.red(s) };
}

/** --color / --no-color, then NO_COLOR, then "is it a terminal" */
export function colorWanted(opt: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (opt !== undefined) return opt;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return !!stream.isTTY;
}

/** -f json anywhere on the command line: errors become JSON lines even before commander has parsed */
function jsonErrorsWanted(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if ((a === '-f' || a === '--format') && argv[i + 1] === 'json') return true;
    if (a === '-fjson' || a === '--format=json') return true;
    if (a === '-e' || a === '--expr') i++;
  }
  return false;
}

/** Where messages for the user go: stderr, as text or (with -f json) as JSON lines. */
class Talk {
  constructor(private readonly err: Writer, public json: boolean) {}
  say(level: 'error' | 'warning' | 'info', message: string, extra?: Record<string, unknown>): void {
    if (this.json) this.err.write(jsonLine({ type: level, message, ...extra }) + '\n');
    else this.err.write(`tcp-estats: ${level === 'info' ? '' : level + ': '}${message}\n`);
  }
}

/**
 * The start-up warning for an optional hook this kernel lacks: the same
 * table (src/estats/hooks.ts) as describe and list, so they agree.
 */
export function missingHookWarning(sec: string, upgradesLive = 0): string {
  const s = missingHookSummary(sec, [...CATALOG, ...DERIVED], upgradesLive);
  return `this kernel has no tracepoint ${tracepointOf(sec)}, so the program ${sec} is off: ${s.text}${s.variables ? ' (tcp-estats describe VARIABLE says how)' : ''}; the rest runs as usual, and a kernel that has this tracepoint restores ${s.variables ? 'them' : 'it'}`;
}

/**
 * The optional hooks this kernel lacks, for list and describe (the BTF check
 * a run makes, no privilege needed); missing: null when it cannot be told
 * (libbpf or the kernel BTF unavailable). Upgrades: the bits known to be live.
 */
async function thisKernel(upgradesLive = 0): Promise<Here> {
  let probeHooks: () => string[] | null;
  try { ({ probeHooks } = await import('./bpf/loader.js')); } catch (e) {
    return { missing: null, upgradesLive, unchecked: (e as Error).message }; // names libbpf and its package
  }
  const missing = probeHooks();
  return missing ? { missing, upgradesLive } : { missing, upgradesLive, unchecked: 'the kernel BTF (/sys/kernel/btf/vmlinux) could not be read; a kernel built with CONFIG_DEBUG_INFO_BTF=y has it' };
}

function addOpt(cmd: Command, s: OptSpec): void {
  const o = new Option(s.flags, s.help);
  if (s.choices) o.choices(s.choices as string[]);
  if (s.default !== undefined) o.default(s.default);
  if (s.kind === 'repeat') o.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
  if (s.kind === 'count') o.argParser((_v: string, n: number) => n + 1).default(0);
  if (s.group !== 'Options:') o.helpGroup(s.group);
  cmd.addOption(o);
}

function examplesText(ex: ReadonlyArray<readonly [string, string]>): string {
  const lines = ['', 'Examples:'];
  for (const [c, what] of ex) { if (what) lines.push(`  # ${what}`); lines.push(`  ${c}`); }
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let code = EXIT_OK;
  const talk = new Talk(io.err, jsonErrorsWanted(argv));
  const prog = new Command('tcp-estats');
  prog
    .description('RFC 4898 TCP extended statistics for every connection, from eBPF, with a query language.\nWith no program: a live view of every connection, like top.')
    .usage('[options] [-e PROGRAM | SCRIPT]\n       tcp-estats list | describe VARIABLE')
    .version(`tcp-estats ${VERSION} (JSON schema ${JSON_SCHEMA})`, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'this help (tcp-estats help COMMAND: a command\'s)')
    .argument('[script]', 'a program file (may start with #!/usr/bin/env tcp-estats)')
    .enablePositionalOptions()
    .helpCommand('help [command]', "a command's help")
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .configureOutput({
      writeOut: s => io.out.write(s),
      writeErr: s => io.err.write(s),
      outputError: (s: string) => {
        const msg = s.trim().replace(/^error: /, '');
        if (talk.json) talk.say('error', msg, { hint: 'run tcp-estats --help for usage' });
        else io.err.write(`tcp-estats: ${msg}\n(run tcp-estats --help for usage)\n`);
      },
    });
  for (const s of OPTIONS) addOpt(prog, s);
  prog.addHelpText('after', () =>
    examplesText(EXAMPLES) +
    '\nExit status: 0 ok (also after q, Ctrl-C, a signal, --duration or a closed pipe),\n  1 runtime failure, 2 usage or query error.' +
    '\nEnvironment: NO_COLOR=1 turns colour off.' +
    '\nMore: man tcp-estats (docs/tcp-estats.1), docs/LANGUAGE.md, docs/JSON-SCHEMA.md.\n');

  const rootColor = () => prog.opts().color as boolean | undefined;
  const [listSpec, describeSpec] = COMMANDS as [CommandSpec, CommandSpec];
  const list = prog.command('list').description(listSpec.summary).helpOption('-h, --help', 'this help');
  for (const s of listSpec.options) addOpt(list, s);
  list.addHelpText('after', examplesText(listSpec.examples)).action(async (o: { format?: string }) => {
    const vars = [...CATALOG, ...DERIVED];
    const here = await thisKernel();
    if ((o.format ?? (io.out.isTTY ? 'text' : 'json')) === 'json') io.out.write(JSON.stringify(listJson(vars, here)) + '\n');
    else io.out.write(formatList(vars, { color: colorWanted(rootColor(), io.out, io.env), width: io.out.isTTY ? io.out.columns?.() ?? 100 : 1000, here }));
  });
  const describe = prog.command('describe').description(describeSpec.summary).helpOption('-h, --help', 'this help').argument('<variable>', 'RFC 4898 name, e.g. SmoothedRTT or Perf.SmoothedRTT');
  for (const s of describeSpec.options) addOpt(describe, s);
  describe.addHelpText('after', examplesText(describeSpec.examples)).action(async (name: string, o: { format?: string }) => {
    const v = findVar(name);
    if (!v) throw new UsageError(`unknown variable '${name}': run tcp-estats list to see every variable`);
    // variables an optional fentry/fexit program makes exact: which source is live on this kernel
    let probe: { live: boolean; reason: string } | null | undefined;
    if (v.exactWith) {
      try { probe = (await import('./bpf/loader.js')).probeUpgrades(); } catch { probe = null; }
    }
    const here = await thisKernel(probe?.live && v.exactWith ? v.exactWith.bit : 0);
    if (o.format === 'json') io.out.write(JSON.stringify({ ...listJson([v], here)[0], ...(v.exactWith ? { exact_with: v.exactWith.hook, live_source: probe === null || probe === undefined ? null : probe.live ? 'exact' : 'floor', live_reason: probe?.reason ?? 'not checked: needs root' } : {}) }) + '\n');
    else io.out.write(formatDescribe(v, { color: colorWanted(rootColor(), io.out, io.env), probe, here }));
  });

  prog.action(async (script: string | undefined, o: Record<string, unknown>) => {
    talk.json = o.format === 'json';
    code = await runMain(script, o, io, talk, (name: string) => prog.getOptionValueSource(name) === 'cli');
  });

  try {
    await prog.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) { talk.say('error', e.message); return EXIT_USAGE; }
    throw e;
  }
  return code;
}

// ---------------------------------------------------------------------------
// filters

function parsePids(list: string[]): Set<number> | null {
  if (!list.length) return null;
  const s = new Set<number>();
  for (const item of list.flatMap(x => x.split(','))) {
    const t = item.trim();
    if (!/^\d+$/.test(t) || Number(t) <= 0 || Number(t) > 2 ** 31) throw new UsageError(`invalid --pid '${item}': give a process id, e.g. -p 1234 or -p 1234,5678`);
    s.add(Number(t));
  }
  return s;
}

/** The cgroup v2 mount point, from /proc/mounts. */
function cgroup2Mount(): string | null {
  let mounts = '';
  try { mounts = readFileSync('/proc/mounts', 'utf8'); } catch { return null; }
  for (const line of mounts.split('\n')) {
    const f = line.split(' ');
    if (f[2] === 'cgroup2' && f[1]) return f[1].replace(/\\040/g, ' ').replace(/\\011/g, '\t').replace(/\\012/g, '\n').replace(/\\134/g, '\\');
  }
  return null;
}

/** cgroup ids (cgroup v2: the inode number of the directory) of a directory and everything below it */
function cgroupTree(dir: string, into: Set<bigint>, depth = 0): void {
  into.add(statSync(dir, { bigint: true }).ino);
  if (depth > 64) return;
  let ents;
  try { ents = readdirSync(dir, { withFileTypes: true }); } catch { return; }
  for (const e of ents) if (e.isDirectory()) cgroupTree(join(dir, e.name), into, depth + 1);
}

/** --cgroup values → a predicate on the socket's cgroup id (paths include their descendants, re-read at most once a second) */
function cgroupFilter(list: string[]): ((id: bigint) => boolean) | null {
  if (!list.length) return null;
  const exact = new Set<bigint>();
  const dirs: string[] = [];
  for (const v of list) {
    if (/^\d+$/.test(v)) { exact.add(BigInt(v)); continue; }
    const mount = cgroup2Mount();
    if (!mount) throw new UsageError(`--cgroup ${v}: no cgroup v2 mount found in /proc/mounts; give a numeric cgroup id instead`);
    const root = realpathSync(mount);
    const candidates = [v, join(mount, v)];
    let dir: string | null = null;
    for (const c of candidates) {
      try {
        const r = realpathSync(c);
        if ((r === root || r.startsWith(root + '/')) && statSync(r).isDirectory()) { dir = r; break; }
      } catch { /* next */ }
    }
    if (!dir) throw new UsageError(`--cgroup '${v}': no such cgroup v2; give a path as in /proc/PID/cgroup (e.g. /system.slice/ssh.service), a directory under ${mount}, or a numeric cgroup id`);
    dirs.push(dir);
  }
  let ids = new Set<bigint>(exact);
  let readAt = 0;
  const reread = () => {
    const s = new Set<bigint>(exact);
    for (const d of dirs) { try { cgroupTree(d, s); } catch { /* removed meanwhile */ } }
    ids = s;
    readAt = Date.now();
  };
  reread();
  return id => {
    if (ids.has(id)) return true;
    if (dirs.length && Date.now() - readAt > 1000) { reread(); return ids.has(id); }
    return false;
  };
}

// ---------------------------------------------------------------------------

function readProgram(script: string | undefined, exprs: string[]): { text: string; file: string } | null {
  if (exprs.length && script) throw new UsageError(`give either -e PROGRAM or a script file, not both (got script '${script}')`);
  if (exprs.length) return { text: exprs.join('\n'), file: '<expr>' };
  if (!script) return null;
  let buf: Buffer;
  try { buf = readFileSync(script); } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read script '${script}': ${errnoText(e)}${c === 'ENOENT' && !/[\s/.]/.test(script) ? ` (a program goes after -e: tcp-estats -e '${script} …'; commands are list and describe)` : ''}`);
  }
  if (buf.includes(0)) throw new UsageError(`script '${script}' is not a text file (it contains NUL bytes)`);
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD')) throw new UsageError(`script '${script}' is not valid UTF-8 text`);
  return { text, file: script };
}

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'operation not permitted', EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory', EROFS: 'read-only file system', ENOSPC: 'no space left on the device',
};
/** "ENOENT (no such file or directory)" */
export function errnoText(e: unknown): string {
  const c = (e as NodeJS.ErrnoException).code;
  return c ? (ERRNO_WORDS[c] ? `${ERRNO_WORDS[c]} (${c})` : c) : (e as Error).message;
}

function openOutput(path: string, what: string): FdWriter {
  try {
    const w = new FdWriter(openSync(path, 'w'));
    w.isTTY = isatty(w.fd);
    return w;
  } catch (e) {
    throw new UsageError(`cannot write ${what} '${path}': ${errnoText(e)}`);
  }
}

async function runMain(script: string | undefined, o: Record<string, unknown>, io: Io, talk: Talk, fromCli: (name: string) => boolean): Promise<number> {
  for (const k of ['expr', 'pid', 'cgroup']) o[k] ??= [];
  const given = readProgram(script, o.expr as string[]);
  const intervalMs = parseDuration(o.interval as string, '--interval');
  if (given && fromCli('interval')) throw new UsageError("--interval sets the refresh of the built-in view (no program); in a program, write e.g. 'every 5s print …'");
  if (intervalMs < 10 || intervalMs > 86_400_000) throw new UsageError(`--interval must be between 10ms and 24h (got ${o.interval})`);
  const builtin = !given;
  const { text, file } = given ?? { text: topProgram(Math.round(intervalMs)), file: '<built-in>' };

  const { compile, renderDiagnostics, diagnosticsJSON } = await import('./dsl/index.js');
  const { program, diagnostics } = compile(text, { file });
  if (diagnostics.length) {
    if (talk.json) for (const d of diagnosticsJSON(diagnostics, text, file)) io.err.write(jsonLine(d) + '\n');
    else io.err.write(renderDiagnostics(diagnostics, text, file, colorWanted(o.color as boolean | undefined, io.err, io.env)) + '\n');
  }
  if (!program) return EXIT_USAGE;
  if (o.dryRun) {
    io.out.write((builtin ? `built-in live view: tcp-estats -e '${text}'\n` : '') + program.plan());
    return EXIT_OK;
  }

  // options, all checked before anything is opened or loaded
  const durationMs = o.duration ? parseDuration(o.duration as string, '--duration') : null;
  const sampleMs = parseDuration(o.sample as string, '--sample');
  const drainMs = Math.max(1, parseDuration(o.drain as string, '--drain'));
  const ringBytes = parseSize(o.ring as string, '--ring');
  if (ringBytes < 4096 || (ringBytes & (ringBytes - 1)) !== 0) throw new UsageError(`--ring must be a power of two of at least 4KiB (got ${o.ring}), e.g. 16MiB`);
  if (o['4'] && o['6']) throw new UsageError('-4 and -6 exclude each other: give one, or neither for both families');
  const replay = o.replay as string | undefined;
  if (replay && o.record) throw new UsageError('--record and --replay exclude each other: a replay is already a recording');
  if (replay) for (const k of ['sample', 'ring', 'drain']) if (fromCli(k)) talk.say('warning', `--${k} has no effect with --replay (it acts in the kernel, when recording)`);
  const pids = parsePids(o.pid as string[]);
  const inCgroup = cgroupFilter(o.cgroup as string[]);
  const family = o['4'] ? 4 : o['6'] ? 6 : null;
  const filter: EventFilter | undefined = pids || inCgroup || family
    ? (ev: Snapshot) => (family === null || ev.family === family) && (!pids || pids.has(ev.owner_pid)) && (!inCgroup || inCgroup(ev.cgroup_id))
    : undefined;
  const filterText = [pids && `pid ${[...pids].join(',')}`, (o.cgroup as string[]).length && `cgroup ${(o.cgroup as string[]).join(',')}`, family && `IPv${family}`].filter(Boolean).join(' ');

  // a bad recording is refused before -o creates anything
  let bootOffsetNs = wallMinusMonotonicNs();
  let recording: import('./stream/record.js').Recording | null = null; // opened and validated once
  if (replay) {
    const { openRecording, RecordFormatError } = await import('./stream/record.js');
    try { recording = openRecording(replay); bootOffsetNs = recording.bootOffsetNs; } catch (e) {
      if (e instanceof RecordFormatError) throw new UsageError(e.message);
      throw e;
    }
  }

  const out: OutWriter = o.output ? openOutput(o.output as string, '-o') : io.out;
  try {
    const format = (o.format as string | undefined) ?? (out.isTTY ? 'text' : 'json');
    const screen = builtin && !o.format && out === io.out && !!io.out.isTTY && !replay;
    const color = colorWanted(o.color as boolean | undefined, out, io.env);

    const clock = { bootOffsetNs };
    const stmts: StmtInfo[] = program.statements.map(s => ({ mode: s.mode, everyMs: s.everyMs }));
    let top: TopSink | null = null;
    let sink: Sink;
    if (screen) {
      const { TopSink } = await import('./output/top.js');
      top = new TopSink({ write: s => out.write(s), columns: () => out.columns?.() || 80, rows: () => out.rows?.() || 24 }, clock,
        { style: topStyle(color), intervalMs, filter: filterText, keys: !!io.stdin?.isTTY });
      sink = top;
    } else if (format === 'json') {
      const { JsonSink } = await import('./output/json.js');
      sink = new JsonSink(out, io.err, clock, stmts);
    } else if (format === 'csv') {
      const { CsvSink } = await import('./output/csv.js');
      sink = new CsvSink(out, io.err, clock, stmts);
    } else {
      const { TextSink } = await import('./output/text.js');
      sink = new TextSink(out, io.err, clock, { style: textStyle(color), stmts, termRows: out.isTTY ? () => out.rows?.() : undefined });
    }

    // warnings go through the same voice as every other message (JSON lines only with -f json)
    if (!top) sink.notice = (level, message, extra) => talk.say(level, message, extra);

    const finish = (st: RunStats): number => {
      if (st.why !== 'EPIPE') {
        if (st.lost > 0n) talk.say('warning', `saw ${st.events} events${st.sent !== undefined ? (BigInt(st.events) === st.sent ? ` (all ${st.sent} the kernel sent)` : ` of ${st.sent} the kernel sent`) : ''}, lost ${st.lost}: raise --ring or --sample, or narrow the program`, { events: st.events, sent: st.sent === undefined ? undefined : Number(st.sent), lost: Number(st.lost) });
        if (st.missed) talk.say('warning', `the kernel skipped ${st.missed} runs of our programs (recursion on a CPU): counters they would have updated undercount`, { recursion_misses: Number(st.missed) });
        if (st.unreadable) talk.say('warning', `the per-segment hook could not read the TCP header of ${st.unreadable} incoming segments: counters of those segments undercount (DataSegsInUnseen shows it per connection)`, { unreadable_segments: Number(st.unreadable) });
        if (st.unseen) talk.say('warning', `per-segment hooks missed ${st.unseen} data segments of ${st.unseenConns} connection${st.unseenConns === 1 ? '' : 's'} (DataSegsInUnseen): their per-segment counters undercount (the kernel skips a hook run that would recurse on a CPU: see the recursion warning)`, { unseen_segments: st.unseen, connections: st.unseenConns });
      }
      if (out.error && out.error.code !== 'EPIPE') { talk.say('error', `cannot write the output: ${errnoText(out.error)}`); return EXIT_RUNTIME; }
      return EXIT_OK;
    };

    if (replay) {
      const { runReplay } = await import('./run.js');
      const st = runReplay(program, sink, recording ?? replay, { filter, durationMs, stopped: () => !!out.closed });
      return finish(st);
    }
    return await runLiveMain({ program, sink, top, out, io, talk, o, text, bootOffsetNs, durationMs, sampleMs, drainMs, ringBytes, filter, finish });
  } finally {
    if (out !== io.out && out instanceof FdWriter) { try { closeSync(out.fd); } catch { /* closed */ } }
  }
}

interface LiveArgs {
  program: Program; sink: Sink; top: TopSink | null; out: OutWriter; io: Io; talk: Talk; o: Record<string, unknown>; text: string;
  bootOffsetNs: bigint; durationMs: number | null; sampleMs: number; drainMs: number; ringBytes: number;
  filter: EventFilter | undefined; finish: (st: RunStats) => number;
}

async function runLiveMain(a: LiveArgs): Promise<number> {
  const { program, sink, top, out, io, talk, o } = a;
  // the recording file is opened before anything is loaded: a bad path leaves nothing behind
  const { Recorder } = await import('./stream/record.js');
  let recorder: InstanceType<typeof Recorder> | null = null;
  if (o.record) {
    try { recorder = new Recorder(o.record as string, a.bootOffsetNs, { tool: `tcp-estats ${VERSION}`, program: a.text, started: new Date().toISOString() }); } catch (e) {
      throw new UsageError(`cannot write --record '${o.record}': ${errnoText(e)}`);
    }
  }
  let Backend: typeof import('./bpf/loader.js').Backend;
  try { ({ Backend } = await import('./bpf/loader.js')); } catch (e) {
    recorder?.close();
    talk.say('error', (e as Error).message); // e.g. libbpf.so.1 missing, with its fix
    return EXIT_RUNTIME;
  }
  const { runLive, ownNetns } = await import('./run.js');
  const { ownNetnsEvents } = await import('./dsl/index.js');
  const pd = program.pushdown;
  const verbose = o.verbose as number;
  const light = !recorder && !needsTracking(program.uses);
  const backend = new Backend({
    sampleNs: BigInt(Math.round(a.sampleMs * 1e6)),
    wallOffsetNs: a.bootOffsetNs,
    family: o['4'] ? 4 : o['6'] ? 6 : (pd.family ?? 0),
    ringBytes: a.ringBytes,
    // the kernel builds only the events the program needs (a recording keeps them all)
    kinds: recorder ? 0 : program.eventMask,
    kindsOwnNetns: recorder ? null : program.ownNetnsEventMask, ownNetns: ownNetns(),
    // and loads only the optional programs whose data it reads (a recording keeps them all)
    skipHooks: recorder ? [] : hooksNotNeeded(program.uses),
    // and skips the per-socket tracking when nothing read needs it (a recording keeps it)
    light,
    lports: pd.lports, rports: pd.rports, ports: pd.ports,
    log: verbose ? (level: number, m: string) => { if (level <= 1 || verbose > 1) io.err.write(m.startsWith('libbpf: ') ? `${m}\n` : `libbpf: ${m}\n`); } : undefined,
  });

  let stop: (why: string) => void = () => {};
  const stopSignal = new Promise<string>(res => { stop = res; });
  const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map(s => [s, () => stop(s)]);
  for (const [s, h] of handlers) process.on(s, h);
  out.onClose = e => stop(e.code === 'EPIPE' ? 'EPIPE' : 'write error');
  // an output pipe whose reader went away while there was nothing to write
  // (| head -1 on a quiet program): poll(2) says so (POLLERR/POLLHUP) without
  // writing. poll comes from the FFI module (src/bpf/ffi.ts, outputGone) when it has it.
  let probe: NodeJS.Timeout | null = null;
  const ffi = (await import('./bpf/ffi.js')) as unknown as { outputGone?: (fd: number) => boolean };
  if (out instanceof FdWriter && !out.isTTY && typeof ffi.outputGone === 'function') {
    const fd = out.fd, gone = ffi.outputGone;
    probe = setInterval(() => { if (gone(fd)) { out.closed = true; stop('EPIPE'); } }, 200);
    probe.unref();
  }

  // the live view: alternate screen, keys in raw mode; put back on every way out
  const stdin = top ? io.stdin : undefined;
  let rawOn = false;
  const onKey = (d: Buffer | string) => {
    for (const ch of d.toString()) if (ch === 'q' || ch === 'Q' || ch === '\u0003' || ch === '\u0004' || ch === '\u001c') stop('q');
  };
  const restore = () => {
    top?.leave();
    if (rawOn && stdin) { try { stdin.setRawMode(false); } catch { /* gone */ } rawOn = false; }
  };
  const onExit = () => restore();
  const onCrash = (e: unknown) => { restore(); backend.close(); io.err.write(`tcp-estats: internal error: ${e instanceof Error ? e.stack : String(e)}\n`); process.exit(EXIT_RUNTIME); };
  const unResize: { off: (() => void) | null } = { off: null };
  try {
    try { backend.open(); } catch (e) {
      talk.say('error', (e as Error).message);
      return EXIT_RUNTIME;
    }
    for (const sec of backend.disabled) talk.say('warning', missingHookWarning(sec, backend.upgradesLive), { missing_hook: sec });
    // what a missing hook leaves unmeasured reads as null, never as a made-up 0
    if (backend.disabled.length) for (const v of [...CATALOG, ...DERIVED]) if (degradation(v, backend.disabled, backend.upgradesLive)?.level === 'unavailable') UNAVAILABLE_THIS_RUN.add(v.name);
    const st = await runLive({
      program, sink, backend, bootOffsetNs: a.bootOffsetNs, durationMs: a.durationMs, drainMs: a.drainMs, recorder, filter: a.filter, stopSignal, light,
      onReady: (seeded: number) => {
        if (verbose) {
          io.err.write(`tcp-estats: exact upgrades (fentry/fexit): ${backend.upgradesLive ? 'live' : `off: ${backend.upgradeError ?? 'none'}`}\n`);
          let kinds = recorder || !program.events ? 'all' : [...program.events].join(', ');
          const own = recorder ? null : ownNetnsEvents(program.ownNetnsEventMask, program.eventMask);
          if (own) kinds += `; this network namespace: ${own}`;
          const skipped = backend.skipped.length ? `; not loaded, as nothing read needs them: ${backend.skipped.map(tracepointOf).join(', ')}` : '';
          const tracking = light ? '; per-socket tracking off, as nothing read needs it' : '';
          io.err.write(`tcp-estats: attached ${backend.attached.length} programs (events sent: ${kinds}${skipped}${tracking}), seeded ${seeded} sockets; ready\n`);
        }
        const t = top;
        if (t) {
          process.on('exit', onExit);
          process.on('uncaughtException', onCrash);
          if (stdin?.isTTY) { stdin.setRawMode(true); rawOn = true; stdin.on('data', onKey); stdin.resume(); }
          t.start();
          unResize.off = out.onResize?.(() => t.draw()) ?? null;
        }
      },
    });
    restore();
    if (top) for (const n of top.notices) io.err.write(n + '\n');
    return a.finish(st);
  } finally {
    restore();
    unResize.off?.();
    if (stdin) { stdin.off('data', onKey); stdin.pause(); }
    if (probe) clearInterval(probe);
    process.off('exit', onExit);
    process.off('uncaughtException', onCrash);
    backend.close();
    recorder?.close();
    for (const [s, h] of handlers) process.off(s, h);
  }
}

/**
 * CLOCK_REALTIME − CLOCK_MONOTONIC in ns. Date.now() truncates to the ms
 * (an offset taken from it put StartTimeStamp and row times 0–1 ms early,
 * measured −0.1 to −0.9 ms): spin until Date.now() ticks to the next ms and
 * pair the tick with the monotonic clock read just before; a tick seen after
 * a pause (JIT, GC: more than 20 µs since the previous read) is not taken.
 * At most ~10 ms of spinning, once.
 */
export function wallMinusMonotonicNs(): bigint {
  let prevMono = process.hrtime.bigint(), prevWall = Date.now();
  const deadline = prevMono + 10_000_000n;
  for (;;) {
    const mono = process.hrtime.bigint(), wall = Date.now();
    if (wall !== prevWall && mono - prevMono < 20_000n) return BigInt(wall) * 1000000n - mono;
    if (mono > deadline) return BigInt(wall) * 1000000n - mono;
    prevMono = mono;
    prevWall = wall;
  }
}

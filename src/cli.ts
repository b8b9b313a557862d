// commander: argv → options → run(); returns the exit code (0 ok, 1 runtime
// failure, 2 usage or query error). Nothing deep calls process.exit.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { Chalk } from 'chalk';
import { compile, renderDiagnostics } from './dsl/index.js';
import { runLive, runReplay } from './run.js';
import { JsonSink } from './output/json.js';
import { TextSink, PLAIN, type Style } from './output/text.js';
import type { Sink, Writer } from './output/sink.js';
import { parseDuration, parseSize, UsageError } from './units.js';
import { RecordFormatError, openRecording } from './stream/record.js';
import { CATALOG, DERIVED, findVar } from './estats/catalog.js';
import { formatList, formatDescribe, listJson } from './estats/catalog-format.js';

export const VERSION = '0.1.0';
export const EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2;

export interface Io {
  out: Writer & { isTTY?: boolean; on?: (ev: string, fn: (e: NodeJS.ErrnoException) => void) => unknown };
  err: Writer & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const EXAMPLES = `
Examples:
  tcp-estats -e 'where dport == 443 print SmoothedRTT'
  tcp-estats -e 'on close print raddr, HCDataOctetsOut, SegsRetrans' -d 30s
  tcp-estats -e 'where lport == 22 print SmoothedRTT, CurCwnd' -f json | jq .SmoothedRTT
  tcp-estats --record trace.tes -d 10s -e 'print SmoothedRTT'
  tcp-estats --replay trace.tes -e 'on close print sum(HCDataOctetsOut), count() by comm'
  tcp-estats list
  tcp-estats describe SmoothedRTT
`;

function styleFor(enabled: boolean): Style {
  if (!enabled) return PLAIN;
  const ch = new Chalk({ level: 1 });
  return { header: s => ch.bold(s), dim: s => ch.dim(s), warn: s => ch.yellow(s) };
}

function colorWanted(opt: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (opt !== undefined) return opt;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return !!stream.isTTY;
}

export async function main(argv: string[], io: Io = { out: process.stdout, err: process.stderr, env: process.env }): Promise<number> {
  let code = EXIT_OK;
  const prog = new Command('tcp-estats');
  prog
    .description('RFC 4898 TCP extended statistics for every connection, from eBPF, with a query language')
    .version(VERSION, '-V, --version')
    .argument('[script]', 'a program file (may start with #!/usr/bin/env tcp-estats)')
    .option('-e, --expr <program>', 'program text; may be given several times (statements add up)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .addOption(new Option('-f, --format <format>', 'output format (default: text on a terminal, json otherwise)').choices(['text', 'json', 'csv']))
    .option('-d, --duration <duration>', 'stop after this long, e.g. 10s')
    .option('--sample <duration>', 'at most one ack/rtt event per socket per this interval (0 = every one)', '10ms')
    .option('--ring <size>', 'ring buffer size', '16MiB')
    .option('--drain <duration>', 'how often the ring buffer is drained', '10ms')
    .option('-4', 'IPv4 only')
    .option('-6', 'IPv6 only')
    .option('--record <file>', 'also write the raw event stream to FILE (see docs/RECORD-FORMAT.md)')
    .option('--replay <file>', 'read events from a recording instead of the kernel (no root needed)')
    .option('--dry-run', 'parse, check and compile the program, print the plan, and exit')
    .option('--color', 'colour text output even when not on a terminal')
    .option('--no-color', 'never colour output (NO_COLOR is honoured too)')
    .option('-v, --verbose', 'progress, libbpf messages and the verifier log on stderr (-vv: libbpf debug too)', (_v: string, n: number) => n + 1, 0)
    .addHelpText('after', EXAMPLES)
    .showHelpAfterError('(run tcp-estats --help for usage)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: s => io.out.write(s), writeErr: s => io.err.write(s) });

  prog.command('list')
    .description('list every RFC 4898 variable with table, type, unit and class')
    .addOption(new Option('-f, --format <format>', 'text or json').choices(['text', 'json']))
    .action((o: { format?: string }) => {
      const vars = [...CATALOG, ...DERIVED];
      if ((o.format ?? (io.out.isTTY ? 'text' : 'json')) === 'json') io.out.write(JSON.stringify(listJson(vars)) + '\n');
      else io.out.write(formatList(vars, { color: colorWanted(undefined, io.out, io.env), width: io.out.isTTY ? (io.out as { columns?: number }).columns ?? 100 : 1000 }) + '\n');
    });
  prog.command('describe')
    .description('print the full entry of one variable')
    .argument('<variable>', 'RFC 4898 name, e.g. SmoothedRTT')
    .action((name: string) => {
      const v = findVar(name);
      if (!v) throw new UsageError(`unknown variable '${name}': run tcp-estats list to see every variable`);
      io.out.write(formatDescribe(v) + '\n');
    });

  prog.action(async (script: string | undefined, o: Record<string, unknown>) => {
    code = await runMain(script, o, io);
  });

  try {
    await prog.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof UsageError) { io.err.write(`tcp-estats: ${e.message}\n`); return EXIT_USAGE; }
    throw e;
  }
  return code;
}

function readProgram(script: string | undefined, exprs: string[]): { text: string; file: string } {
  if (exprs.length && script) throw new UsageError(`give either -e PROGRAM or a script file, not both (got script '${script}')`);
  if (exprs.length) return { text: exprs.join('\n'), file: '<expr>' };
  if (!script) throw new UsageError("no program: give one with -e, e.g. tcp-estats -e 'where dport == 443 print SmoothedRTT', or a script file");
  let buf: Buffer;
  try { buf = readFileSync(script); } catch (e) { throw new UsageError(`cannot read script '${script}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  if (buf.includes(0)) throw new UsageError(`script '${script}' is not a text file (it contains NUL bytes)`);
  const text = buf.toString('utf8');
  if (text.includes('\uFFFD')) throw new UsageError(`script '${script}' is not valid UTF-8 text`);
  return { text, file: script };
}

async function runMain(script: string | undefined, o: Record<string, unknown>, io: Io): Promise<number> {
  const { text, file } = readProgram(script, o.expr as string[]);
  const { program, diagnostics } = compile(text, { file });
  const errColor = colorWanted(o.color as boolean | undefined, io.err, io.env);
  if (diagnostics.length) io.err.write(renderDiagnostics(diagnostics, text, file, errColor) + '\n');
  if (!program) return EXIT_USAGE;
  if (o.dryRun) { io.out.write(program.plan() + '\n'); return EXIT_OK; }

  const format = (o.format as string | undefined) ?? (io.out.isTTY ? 'text' : 'json');
  const durationMs = o.duration ? parseDuration(o.duration as string, '--duration') : null;
  const sampleMs = parseDuration(o.sample as string, '--sample');
  const drainMs = Math.max(1, parseDuration(o.drain as string, '--drain'));
  const ringBytes = parseSize(o.ring as string, '--ring');
  if (ringBytes < 4096 || (ringBytes & (ringBytes - 1)) !== 0) throw new UsageError(`--ring must be a power of two of at least 4KiB (got ${o.ring})`);
  if (o['4'] && o['6']) throw new UsageError('-4 and -6 exclude each other');
  if (format === 'csv') throw new UsageError('-f csv is not implemented yet: use -f json or -f text');

  const replay = o.replay as string | undefined;
  let bootOffsetNs = BigInt(Date.now()) * 1000000n - process.hrtime.bigint();
  if (replay) {
    try { bootOffsetNs = openRecording(replay).bootOffsetNs; } catch (e) {
      if (e instanceof RecordFormatError) { io.err.write(`tcp-estats: ${e.message}\n`); return EXIT_USAGE; }
      throw e;
    }
  }
  const clock = { bootOffsetNs };
  const sink: Sink = format === 'json'
    ? new JsonSink(io.out, io.err, clock)
    : new TextSink(io.out, io.err, clock, styleFor(colorWanted(o.color as boolean | undefined, io.out, io.env)));

  if (replay) {
    if (o.record) throw new UsageError('--record and --replay exclude each other');
    runReplay(program, sink, replay);
    return EXIT_OK;
  }

  let Backend: typeof import('./bpf/loader.js').Backend;
  try { ({ Backend } = await import('./bpf/loader.js')); } catch (e) {
    io.err.write(`tcp-estats: ${(e as Error).message}\n`); // e.g. libbpf.so.1 missing, with its fix
    return EXIT_RUNTIME;
  }
  const pd = program.pushdown;
  const backend = new Backend({
    sampleNs: BigInt(Math.round(sampleMs * 1e6)),
    wallOffsetNs: bootOffsetNs,
    family: o['4'] ? 4 : o['6'] ? 6 : (pd.family ?? 0),
    ringBytes,
    lports: pd.lports, rports: pd.rports, ports: pd.ports,
    log: o.verbose ? (level: number, m: string) => { if (level <= 1 || (o.verbose as number) > 1) io.err.write(`libbpf: ${m}\n`); } : undefined,
  });
  let stop: (why: string) => void = () => {};
  const stopSignal = new Promise<string>(res => { stop = res; });
  const onSig = (s: string) => () => stop(s);
  const handlers: Array<[NodeJS.Signals, () => void]> = [['SIGINT', onSig('SIGINT')], ['SIGTERM', onSig('SIGTERM')], ['SIGHUP', onSig('SIGHUP')]];
  for (const [s, h] of handlers) process.on(s, h);
  let epipe = false;
  io.out.on?.('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') { epipe = true; stop('EPIPE'); } });
  try {
    try { backend.open(); } catch (e) {
      io.err.write(`tcp-estats: ${(e as Error).message}\n`);
      return EXIT_RUNTIME;
    }
    const st = await runLive({ program, sink, backend, bootOffsetNs, durationMs, drainMs, record: o.record as string | undefined, programText: text, stopSignal,
      onReady: (seeded: number) => { if (o.verbose) io.err.write(`tcp-estats: attached ${backend.attached.length} programs, seeded ${seeded} sockets; ready\n`); } });
    if (st.lost > 0n && !epipe) sink.notice('warning', `saw ${st.events} events, lost ${st.lost}`, { events: st.events, lost: Number(st.lost) });
    return EXIT_OK;
  } finally {
    backend.close();
    for (const [s, h] of handlers) process.off(s, h);
  }
}

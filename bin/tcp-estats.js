#!/usr/bin/env node
// Thin bin: all logic is in dist/cli.js, which returns the exit code.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  code => { process.exitCode = code; setImmediate(() => process.exit(code)); },
  err => { process.stderr.write(`tcp-estats: internal error: ${err && err.stack ? err.stack : err}\n`); process.exit(1); },
);

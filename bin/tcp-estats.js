#!/usr/bin/env node
// Thin bin: all logic is in dist/cli.js (bundled into dist/tcp-estats.mjs by
// npm run build, which starts faster), which returns the exit code.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/tcp-estats.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/cli.js');

main(process.argv.slice(2)).then(
  code => { process.exitCode = code; setImmediate(() => process.exit(code)); },
  err => { process.stderr.write(`tcp-estats: internal error: ${err && err.stack ? err.stack : err}\n`); process.exit(1); },
);

// Measure the error of the approximate variables over several runs:
//   flock /tmp/tcp-estats-live.lock node test/scenarios/approx-measure.js SCENARIO RUNS ['{"opt":1}']
// SCENARIO: bursts | listen | softerr | stall | rto | reno | fr. Prints one JSON
// line per run and, per variable, min/max/mean of tool − truth.
import { createPair } from './netns.js';
import * as A from './approx.js';
import { port } from '../live/util.js';

const [, , which = 'bursts', runsArg = '5', ...rest] = process.argv;
const opts = rest.length ? JSON.parse(rest.join(' ')) : {};
const runs = Number(runsArg);
const errs = {};
const rate = { bursts: '200mbit', softerr: '100mbit', stall: '200mbit', rto: '20mbit', reno: '100mbit', fr: '100mbit' };
for (let k = 0; k < runs; k++) {
  const pair = await createPair();
  try {
    let r;
    if (rate[which]) await pair.tbf('a', { rate: rate[which], burst: '64kb', latency: '100ms' });
    if (which === 'bursts') r = await A.burstsScenario(pair, port(), { cc: 'reno', ...opts });
    else if (which === 'listen') {
      r = await A.listenOverflowScenario(pair, port(), opts);
      r.vars = { ExceedBacklog: { tool: r.last.ExceedBacklog, truth: r.mib.ListenOverflows, err: r.last.ExceedBacklog - r.mib.ListenOverflows } };
    } else if (which === 'softerr') r = await A.softErrorsScenario(pair, port(), opts);
    else if (which === 'stall') { await A.setCc(pair, 'a', 'reno'); r = await A.sendStallScenario(pair, port(), opts); }
    else if (which === 'rto') { await A.setCc(pair, 'a', 'reno'); r = await A.spuriousRtoScenario(pair, port(), opts); }
    else if (which === 'reno') r = await A.renoLossScenario(pair, port(), opts);
    else if (which === 'fr') { await A.setCc(pair, 'a', 'reno'); r = await A.spuriousFrScenario(pair, port(), opts); }
    const { row, rows, res, ...show } = r;
    console.log(JSON.stringify({ run: k, ...show }));
    for (const [v, x] of Object.entries(r.vars)) (errs[v] ??= []).push(x.err);
    const ss = r.vars.SlowStart;
    if (ss?.growthSegs) (errs['SlowStart/growthSegs'] ??= []).push(ss.tool / ss.growthSegs);
    if (ss?.acks) (errs['SlowStart/acks'] ??= []).push(ss.tool / ss.acks);
    if (r.other?.SlowStart !== undefined) (errs['SlowStart (tool)'] ??= []).push(r.other.SlowStart);
  } catch (e) {
    console.log(`run ${k} failed: ${e.message}`);
  } finally {
    await pair.destroy();
  }
}
for (const [v, e] of Object.entries(errs)) {
  const xs = e.filter(x => x !== null && x !== undefined && !Number.isNaN(x));
  if (!xs.length) { console.log(v, 'no truth'); continue; }
  console.log(v, 'min', +Math.min(...xs).toFixed(3), 'max', +Math.max(...xs).toFixed(3), 'mean', +(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3), 'n', xs.length);
}

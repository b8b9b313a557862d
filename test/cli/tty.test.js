// What reaches a terminal: the CLI runs on a pseudo-terminal (util-linux
// `script`) and the test reads the screen. Replays need no root; the live
// view (no program) loads the BPF programs and needs root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixture, onTty, BIN, traffic } from './helpers.js';
import { needRoot } from '../live/util.js';

const REC = fixture();
const SGR = /\u001b\[[0-9;]*m/;
const strip = s => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

test('on a terminal: text by default, with colour', async () => {
  const r = await onTty(['--replay', REC, '-e', 'on close print raddr, HCDataOctetsOut']);
  assert.equal(r.code, 0, r.screen);
  assert.match(r.screen, /\u001b\[1mTIME +EVENT +COMM +PID +CONN +raddr +HCDataOctetsOut\u001b\[22m/, 'bold header');
  assert.match(strip(r.screen), /close +e\\x1b\[2J\\x9bx +400 +10\.0\.0\.1:40001>10\.0\.0\.9:80 +10\.0\.0\.9 +11\.7KiB/);
  assert.ok(!r.screen.includes('\u001b[2J'), 'the kernel string did not clear the screen');
  assert.ok(!r.screen.includes('\u009b') && !r.screen.includes('\u00c2\u009b'), 'no C1 CSI either');
});

test('on a terminal: NO_COLOR and --no-color remove every colour code', async () => {
  const a = await onTty(['--replay', REC, '-e', 'on close print raddr'], { env: { NO_COLOR: '1' } });
  assert.equal(a.code, 0, a.screen);
  assert.match(a.screen, /TIME +EVENT/);
  assert.doesNotMatch(a.screen, SGR);
  const b = await onTty(['--no-color', '--replay', REC, '-e', 'on close print raddr']);
  assert.match(b.screen, /TIME +EVENT/);
  assert.doesNotMatch(b.screen, SGR);
});

test('on a terminal: the header comes back every screenful', async () => {
  const r = await onTty(['--replay', REC, '-e', 'where comm == "curl" print HCThruOctetsAcked'], { rows: 10, env: { NO_COLOR: '1' } });
  assert.equal(r.code, 0, r.screen);
  const ls = r.screen.split('\r\n').filter(l => l && !l.startsWith('tcp-estats: '));
  const heads = ls.map((l, i) => (l.startsWith('TIME') ? i : -1)).filter(i => i >= 0);
  assert.equal(ls.length - heads.length, 31, 'all rows');
  assert.ok(heads.length >= 4, `header repeated: ${heads}`);
  for (let i = 1; i < heads.length; i++) assert.ok(heads[i] - heads[i - 1] <= 9, 'never more than a screenful apart');
});

test('piped output has no colour (a pipe is not a terminal even when stderr is)', async () => {
  const r = await onTty(['--replay', REC, '-f', 'text', '-e', 'on close print raddr'], { pipeTo: 'cat' });
  assert.equal(r.code, 0, r.screen);
  assert.match(r.screen, /TIME +EVENT/);
  assert.doesNotMatch(r.screen, SGR);
});


test('the live view (no program): draws a screen of connections, q quits and puts the terminal back', { skip: needRoot, timeout: 40000 }, async () => {
  const tr = await traffic();
  try {
    const r = await onTty(['-p', String(process.pid), '--interval', '300ms'], { cols: 120, rows: 20, waitFor: /THROUGHPUT[\s\S]*node/, keys: [[400, 'q']], timeout: 30000 });
    assert.equal(r.code, 0, r.screen);
    assert.ok(r.screen.startsWith('\u001b[?1049h\u001b[?25l'), 'alternate screen, cursor hidden');
    assert.ok(r.screen.endsWith('\u001b[?25h\u001b[?1049l'), 'cursor shown and the screen put back at the end');
    assert.match(r.screen, /\u001b\[7mCONNECTION +STATE +COMM +PID +SRTT +CWND +THROUGHPUT +RETRANS +LIMITED BY +\u001b\[27m/, 'inverse header');
    assert.match(r.screen, new RegExp(`tcp-estats  \\d\\d:\\d\\d:\\d\\d  \\d+ connections?  \\[pid ${process.pid}\\]  sorted by throughput, every 300ms  \\(q quits\\)`));
    const mine = strip(r.screen).split(/\r?\n/).find(l => l.startsWith(`127.0.0.1:${tr.lport}>127.0.0.1:${tr.port}`));
    assert.ok(mine, 'our connection is on the screen');
    assert.match(mine, new RegExp(`ESTABLISHED +node +${process.pid} +\\S+us|ms +\\S+(KiB|B) +[\\d.]+[KM]iB/s +0 +\\w+ \\d+%`));
  } finally { tr.stop(); }
});

test('the live view fits a narrow terminal, has no colour with NO_COLOR, and quits on Ctrl-C', { skip: needRoot, timeout: 40000 }, async () => {
  const tr = await traffic();
  try {
    const r = await onTty(['-p', String(process.pid), '--interval', '300ms'], { cols: 50, rows: 12, env: { NO_COLOR: '1' }, waitFor: /THROUGHPUT[\s\S]*127\.0\.0\.1/, keys: [[400, '\u0003']], timeout: 30000 });
    assert.equal(r.code, 0, r.screen);
    assert.doesNotMatch(r.screen, SGR);
    assert.ok(r.screen.endsWith('\u001b[?25h\u001b[?1049l'));
    const drawn = r.screen.split('\u001b[H').slice(1).flatMap(f => f.split('\r\n').map(strip));
    assert.ok(drawn.length > 3);
    for (const l of drawn) assert.ok(l.replace(/\r/g, '').length <= 50, `fits 50 columns: ${JSON.stringify(l)}`);
    assert.ok(drawn.some(l => /^CONNECTION .*THROUGHPUT/.test(l)), 'the essential columns stay');
  } finally { tr.stop(); }
});

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const tmux = (...a) => spawnSync('tmux', a, { encoding: 'utf8' });
const until = async (f, ms = 15000) => { const end = Date.now() + ms; while (Date.now() < end) { const v = f(); if (v) return v; await new Promise(r => setTimeout(r, 100)); } return f(); };

test('the live view in tmux: what is on the screen, redrawn to fit on resize, and the screen put back on q', { skip: needRoot || (!hasTmux && 'tmux is not installed'), timeout: 40000 }, async () => {
  const tr = await traffic();
  const s = `tcp-estats-test-${process.pid}`;
  try {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} -p ${process.pid} --interval 300ms; echo "EXIT=$?"; sleep 30`;
    assert.equal(tmux('new-session', '-d', '-s', s, '-x', '120', '-y', '15', cmd).status, 0);
    const pane = () => tmux('capture-pane', '-p', '-t', s).stdout;
    const wide = await until(() => { const p = pane(); return p.includes(`127.0.0.1:${tr.lport}>`) && p; });
    assert.ok(wide, pane());
    assert.match(wide, /^tcp-estats  \d\d:\d\d:\d\d  \d+ connections?  \[pid \d+\]  sorted by throughput, every 300ms  \(q quits\)/);
    assert.match(wide, /\nCONNECTION +STATE +COMM +PID +SRTT +CWND +THROUGHPUT +RETRANS +LIMITED BY/);
    tmux('resize-window', '-t', s, '-x', '60', '-y', '10');
    const narrow = await until(() => { const p = pane(); return /\nCONNECTION +SRTT +THROUGHPUT/.test(p) && p; }, 5000);
    assert.ok(narrow, `redrawn for 60 columns:\n${pane()}`);
    for (const l of narrow.split('\n')) assert.ok(l.length <= 60, l);
    tmux('send-keys', '-t', s, 'q');
    const after = await until(() => { const p = pane(); return p.includes('EXIT=0') && p; }, 5000);
    assert.ok(after, pane());
    assert.doesNotMatch(after, /CONNECTION|tcp-estats {2}/, 'the normal screen is back, the view is gone');
  } finally {
    tmux('kill-session', '-t', s);
    tr.stop();
  }
});

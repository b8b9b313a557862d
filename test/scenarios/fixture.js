// Narrow a --record file to the events of one scenario's sockets, so a
// recording made while other TCP traffic ran on the machine (or without a
// kernel port filter) becomes a small, self-contained fixture.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Copy `src` to `dest` keeping only events whose local or remote port is in
 * `ports` (and, if given, whose netns inode is in `netns`); lost-counters
 * and ticks are kept. Uses the built record module (dist/, from `tsc`).
 * Resolves with { kept, dropped, bytes }.
 */
export async function narrowRecording(root, src, dest, { ports, netns = null }) {
  const { openRecording, Recorder } = await import(pathToFileURL(join(root, 'dist', 'stream', 'record.js')).href);
  const rec = openRecording(src);
  const { layout: _layout, ...meta } = rec.meta;
  const out = new Recorder(dest, rec.bootOffsetNs, { ...meta, narrowed: `ports ${[...ports].join(',')}` });
  const want = new Set(ports);
  const ns = netns ? new Set(netns) : null;
  let kept = 0, dropped = 0;
  try {
    for (const it of rec.items()) {
      if (it.type === 'event') {
        const ev = it.ev;
        if ((want.has(ev.sport) || want.has(ev.dport)) && (!ns || ns.has(ev.netns))) { out.event(ev.bytes); kept++; } else dropped++;
      } else if (it.type === 'lost') out.lost(it.total);
      else out.tick(it.nowNs);
    }
  } finally {
    out.close();
  }
  return { kept, dropped, bytes: statSync(dest).size };
}

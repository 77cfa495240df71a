// Builds a large, realistic audit log for the parse benchmark from the real records in the public corpora
// (go-libaudit aucoalesce YAML events, Auditbeat's raw logs, Laurel's captures). Each captured event is a
// template; the output replays the templates round-robin with fresh serials and timestamps, so the coalescer
// sees what it sees on a busy host: consecutive serials, many events per millisecond, and some events whose
// records interleave with the next one's (as concurrent syscalls on two CPUs do).
// The file goes to a temp dir (never the repository: the corpora's licenses differ from ours).
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { endOfEvent } from '../shipper/src/coalesce/sequence';
import { recordTypeNumber } from '../shipper/src/parse/record-types';
import { corpusPath } from '../test/corpora';

/** One captured event: its lines with the `audit(...)` header cut out (head + HEADER + tail). */
interface Template {
  source: string;
  lines: Array<[string, string]>;
}

const HEADER = /audit\((\d+\.\d+):(\d+)\)/;

/**
 * Groups a text's records by their audit(ts:serial) header, in first-seen order. `node=` prefixes are
 * dropped: go-libaudit's ParseLogLine rejects them (it expects the line to start with `type=`), and the
 * comparison must feed both tools the same events.
 */
function templatesOf(text: string, source: string): Template[] {
  const groups = new Map<string, Template>();
  for (let line of text.split('\n')) {
    line = line.replace(/\r$/, '');
    if (line.startsWith('node=')) line = line.slice(line.indexOf(' ') + 1);
    if (!line.startsWith('type=')) continue;
    const m = HEADER.exec(line);
    if (!m) continue;
    let t = groups.get(m[0]);
    if (!t) groups.set(m[0], (t = { source, lines: [] }));
    t.lines.push([line.slice(0, m.index), line.slice(m.index + m[0].length)]);
  }
  const out = [...groups.values()];
  // On today's kernels a kernel event ends with EOE; a few captures dropped it, and older kernels wrote
  // LOGIN, CONFIG_CHANGE or ANOM_ABEND on their own, without the SYSCALL (and EOE) they now come with.
  // Stitched into a dense stream, such an event waits at the head of the line for its timeout, and the
  // in-flight bound's worth of events behind it stays in memory: ~1000 events in flight for the whole
  // run, which a live host's log never shows. So every event the coalescer would not see end on its own
  // (endOfEvent: only user-space and daemon messages are single records) gets the EOE a modern kernel adds.
  for (const t of out) {
    const types = t.lines.map(([h]) => h.slice(5, h.indexOf(' ')));
    const single = types.length === 1 && endOfEvent(recordTypeNumber(types[0])) === 'single';
    if (!single && !types.includes('EOE')) t.lines.push(['type=EOE msg=', ': ']);
  }
  return out;
}

export function loadTemplates(): Template[] {
  const out: Template[] = [];
  const goDir = corpusPath('go-libaudit', 'aucoalesce', 'testdata');
  for (const f of fs.readdirSync(goDir).filter((x) => x.endsWith('.yaml')).sort()) {
    const tests = (YAML.parse(fs.readFileSync(path.join(goDir, f), 'utf8')) as { tests: Record<string, string> }).tests;
    for (const [name, text] of Object.entries(tests)) out.push(...templatesOf(text, `go-libaudit/${f}#${name}`));
  }
  const beatDir = corpusPath('auditbeat', 'testdata');
  for (const f of fs.readdirSync(beatDir).filter((x) => x.endsWith('.log')).sort()) {
    out.push(...templatesOf(fs.readFileSync(path.join(beatDir, f), 'utf8'), `auditbeat/${f}`));
  }
  const laurelDir = corpusPath('laurel', 'src', 'testdata');
  for (const f of fs.readdirSync(laurelDir).filter((x) => x.endsWith('.txt')).sort()) {
    out.push(...templatesOf(fs.readFileSync(path.join(laurelDir, f), 'utf8'), `laurel/${f}`));
  }
  // go-libaudit's bufio.Scanner stops at lines over 64 KiB; none of the corpora has one, but be explicit.
  return out.filter((t) => t.lines.every(([h, tl]) => h.length + tl.length < 60_000));
}

export interface GeneratedLog {
  file: string;
  events: number;
  lines: number;
  bytes: number;
  templates: number;
}

/**
 * Writes `events` events to `file`. Deterministic (fixed PRNG seed). About one event in five has its
 * records interleaved with the following event's.
 */
export function generateLog(file: string, events: number, templates = loadTemplates()): GeneratedLog {
  const fd = fs.openSync(file, 'w');
  let seed = 42;
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const startSec = 1_700_000_000;
  let buf: string[] = [];
  let bufLen = 0;
  let lines = 0;
  let bytes = 0;
  const put = (l: string) => {
    buf.push(l);
    bufLen += l.length + 1;
    lines++;
    if (bufLen > 1 << 20) flush();
  };
  const flush = () => {
    const chunk = buf.join('\n') + '\n';
    bytes += Buffer.byteLength(chunk);
    fs.writeSync(fd, chunk);
    buf = [];
    bufLen = 0;
  };
  const render = (t: Template, i: number): string[] => {
    // ~4 events per millisecond: a busy host. Serials are consecutive, as the kernel's counter is.
    const ms = Math.floor(i / 4);
    const ts = `${startSec + Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
    const hdr = `audit(${ts}:${1000 + i})`;
    return t.lines.map(([h, tl]) => h + hdr + tl);
  };
  let i = 0;
  while (i < events) {
    const a = render(templates[i % templates.length], i);
    if (i + 1 < events && rand() < 0.2) {
      const b = render(templates[(i + 1) % templates.length], i + 1);
      // Interleave the two events' records, each keeping its own order.
      let x = 0;
      let y = 0;
      while (x < a.length || y < b.length) {
        if (y >= b.length || (x < a.length && rand() < 0.5)) put(a[x++]);
        else put(b[y++]);
      }
      i += 2;
    } else {
      for (const l of a) put(l);
      i += 1;
    }
  }
  flush();
  fs.closeSync(fd);
  return { file, events, lines, bytes, templates: templates.length };
}

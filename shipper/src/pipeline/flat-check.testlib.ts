// Child-process helper for flat.test.ts (run with --allow-natives-syntax): runs the pipeline with
// enrichment over a log and reports every string in the documents that V8 holds as a view (sliced) or a
// concatenation (cons), and every object in dictionary mode: what sends a whole document to
// JSON.stringify's slow path (common/flat.ts, common/fast-object.ts). Prints one JSON object: { docs, strings, longNames, seededParentArgs, nonFlat: [{ path, text }] }
// (longNames: strings that are one of the test's long account names).
// With AUDITSIGHT_FLAT_SEED=1 the enricher is first seeded from the real /proc, as the live daemon does, and
// an exec of a child of this process follows the log: its parent and leaders come from /proc.
import { readHostInfo, nodeFsReader, Enricher, UserResolver } from '../enrich';
import { Pipeline } from './pipeline';
import { readLogBatches } from './source';
import { flat } from '../../../common/flat';

// A string's map says what kind it is; compare with strings known to be sliced and cons, one-byte and
// two-byte. (Function() so that TypeScript and esbuild never see the % syntax.)
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: string, b: string) => boolean;
const big = 'abcdefghijklmnopqrstuvwxyz'.repeat(4);
const bigWide = 'абвгдежзийклмнопрстуфхцчшщ'.repeat(4);
const views = [big.slice(1, 40), bigWide.slice(1, 40), big.slice(0, 10) + big.slice(20, 40), bigWide.slice(0, 10) + bigWide.slice(20, 40)];
const isView = (s: string) => s.length >= 13 && views.some((v) => sameMap(s, v));
// An object in dictionary mode sends the document to the slow path as well (common/fast-object.ts).
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

async function main(file: string): Promise<void> {
  const fs = nodeFsReader();
  const docs: unknown[] = [];
  // Optional passwd/group files (argv 3 and 4): names longer than V8 copies, as real hosts have.
  const users = new UserResolver(fs, process.argv[3] ? { passwdPath: process.argv[3], groupPath: process.argv[4] } : {});
  const enricher = new Enricher({ host: readHostInfo(fs), users });
  const p = new Pipeline({ enricher, onEvent: (ev) => docs.push(ev) });
  for await (const batch of readLogBatches(file)) for (const line of batch) p.push(line);
  if (process.env.AUDITSIGHT_FLAT_SEED === '1') {
    if (enricher.seedFromProc(fs) < 2) throw new Error('seeding from /proc found fewer than 2 processes');
    for (const line of childExec(process.pid)) p.push(flat(line)); // as the inputs decode them
  }
  p.flush();
  let strings = 0;
  let longNames = 0;
  const nonFlat: Array<{ path: string; text: string }> = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      strings++;
      if (v.startsWith('account-with-a-long-name-')) longNames++;
      if (isView(v)) nonFlat.push({ path, text: v.slice(0, 80) });
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, `${path}[]`));
    else if (v !== null && typeof v === 'object') {
      if (!hasFastProperties(v)) nonFlat.push({ path, text: `dictionary-mode object with ${Object.keys(v).length} keys` });
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  for (const d of docs) walk(d, (d as { event?: { action?: string } }).event?.action ?? '');
  // Documents whose parent came from /proc: this process, running this script.
  const seededParentArgs = docs.filter((d) => (d as { process?: { parent?: { args?: string[] } } }).process?.parent?.args?.some((a) => a.endsWith('flat-check.testlib.ts'))).length;
  process.stdout.write(JSON.stringify({ docs: docs.length, strings, longNames, seededParentArgs, nonFlat }));
}

/** An execve of a child of `ppid`, stamped now: its parent (this process) and leaders are in /proc. */
function childExec(ppid: number): string[] {
  const t = `${(Date.now() / 1000).toFixed(3)}:${900000 + (ppid % 1000)}`;
  const head = `msg=audit(${t}):`;
  return [
    `type=SYSCALL ${head} arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=${ppid} pid=${ppid + 100000} auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="true" exe="/usr/bin/true" subj=unconfined key="exec"`,
    `type=EXECVE ${head} argc=2 a0="/usr/bin/true" a1="a-long-enough-argument"`,
    `type=CWD ${head} cwd="/var/lib/some/long/directory"`,
    `type=PATH ${head} item=0 name="/usr/bin/true" inode=1 dev=fe:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0`,
    `type=PROCTITLE ${head} proctitle=2F7573722F62696E2F74727565`,
    `type=EOE ${head}`,
  ];
}

void main(process.argv[2]);

// Child-process helper for flat.test.ts (run with --allow-natives-syntax): runs the pipeline with
// enrichment over a log and reports every string in the documents that V8 holds as a view (sliced) or a
// concatenation (cons), the two kinds that send a whole document to JSON.stringify's slow path
// (common/flat.ts). Prints one JSON object: { docs, strings, longNames, nonFlat: [{ path, text }] }
// (longNames: strings that are one of the test's long account names).
import { readHostInfo, nodeFsReader, Enricher, UserResolver } from '../enrich';
import { Pipeline } from './pipeline';
import { readLogBatches } from './source';

// A string's map says what kind it is; compare with strings known to be sliced and cons, one-byte and
// two-byte. (Function() so that TypeScript and esbuild never see the % syntax.)
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: string, b: string) => boolean;
const big = 'abcdefghijklmnopqrstuvwxyz'.repeat(4);
const bigWide = 'абвгдежзийклмнопрстуфхцчшщ'.repeat(4);
const views = [big.slice(1, 40), bigWide.slice(1, 40), big.slice(0, 10) + big.slice(20, 40), bigWide.slice(0, 10) + bigWide.slice(20, 40)];
const isView = (s: string) => s.length >= 13 && views.some((v) => sameMap(s, v));

async function main(file: string): Promise<void> {
  const fs = nodeFsReader();
  const docs: unknown[] = [];
  // Optional passwd/group files (argv 3 and 4): names longer than V8 copies, as real hosts have.
  const users = new UserResolver(fs, process.argv[3] ? { passwdPath: process.argv[3], groupPath: process.argv[4] } : {});
  const p = new Pipeline({ enricher: new Enricher({ host: readHostInfo(fs), users }), onEvent: (ev) => docs.push(ev) });
  for await (const batch of readLogBatches(file)) for (const line of batch) p.push(line);
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
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  for (const d of docs) walk(d, '');
  process.stdout.write(JSON.stringify({ docs: docs.length, strings, longNames, nonFlat }));
}

void main(process.argv[2]);

// Typed, position-aware reading of a parsed YAML rule document. Every accessor reports errors at the
// offending node's line:col and returns undefined, so validation carries on and reports everything in
// one pass instead of one error per run.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import { RuleError } from './errors';

type Where = Node | number | null | undefined;

export class YamlSource {
  readonly errors: RuleError[] = [];
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const e of this.doc.errors) this.errorAt(e.pos[0], e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''));
  }

  /** 1-based line/col of an offset. */
  position(offset: number): { line: number; col: number } {
    return this.lines.linePos(Math.max(0, Math.min(offset, this.text.length)));
  }

  errorAt(where: Where, message: string): undefined {
    const offset = typeof where === 'number' ? where : (where?.range?.[0] ?? 0);
    const { line, col } = this.position(offset);
    this.errors.push(new RuleError(this.file, line, col, message));
    return undefined;
  }

  /**
   * Maps an offset inside a scalar's parsed value back to the file. Quoting, escapes, folding and block
   * indentation all change offsets, so the value is aligned greedily against the node's source text:
   * each value character matches the next equal source character (any whitespace matches any
   * whitespace, which covers folded newlines). Good enough to put a caret on the right token.
   */
  scalarOffset(node: Node, value: string, index: number): number {
    const [start, end] = node.range ?? [0, 0];
    let j = start;
    let afterLastNonSpace = start;
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      const ws = /\s/.test(c);
      let k = j;
      while (k < end && !(this.text[k] === c || (ws && /\s/.test(this.text[k])))) k++;
      if (k >= end) return Math.min(afterLastNonSpace + (index - i), end); // alignment lost: estimate
      if (i === index) return k;
      if (!ws) afterLastNonSpace = k + 1;
      j = k + 1;
    }
    // Past the end of the value ("end of input" errors): just after its last visible character.
    return afterLastNonSpace;
  }
}

/** A YAML mapping being validated: the allowed keys are checked once, values are read by type. */
export class MapReader {
  constructor(
    readonly src: YamlSource,
    readonly map: YAMLMap,
    /** Path prefix for messages, e.g. `sequence.steps[1]`. */
    readonly path: string,
    allowed: readonly string[],
  ) {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) {
        src.errorAt(pair.key as Node, `${this.label('')}keys must be plain strings`);
      } else if (!allowed.includes(key)) {
        const hint = closest(key, allowed);
        src.errorAt(pair.key as Node, `unknown key "${this.label(key)}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`);
      }
    }
  }

  label(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  node(key: string): Node | undefined {
    const pair = this.map.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair ? ((pair.value as Node | null) ?? undefined) : undefined;
  }

  has(key: string): boolean {
    return this.map.items.some((p) => isScalar(p.key) && p.key.value === key);
  }

  private missing(key: string, required: boolean): undefined {
    if (required) this.src.errorAt(this.map, `missing required key "${this.label(key)}"`);
    return undefined;
  }

  private scalar(key: string, required: boolean, kind: string, ok: (v: unknown) => boolean) {
    const node = this.node(key);
    if (!node || (isScalar(node) && node.value === null)) return this.missing(key, required);
    if (!isScalar(node) || !ok(node.value)) {
      return this.src.errorAt(node, `"${this.label(key)}" must be ${kind}`);
    }
    return node.value;
  }

  string(key: string, required = false): string | undefined {
    const v = this.scalar(key, required, 'a string', (x) => typeof x === 'string');
    if (typeof v === 'string' && !v.trim()) return this.src.errorAt(this.node(key), `"${this.label(key)}" must not be empty`);
    return v as string | undefined;
  }

  number(key: string, required = false): number | undefined {
    return this.scalar(key, required, 'a number', (x) => typeof x === 'number' && Number.isFinite(x)) as number | undefined;
  }

  boolean(key: string, required = false): boolean | undefined {
    return this.scalar(key, required, 'true or false', (x) => typeof x === 'boolean') as boolean | undefined;
  }

  /** A list of strings; a single string is accepted as a one-item list when `allowSingle`. */
  strings(key: string, required = false, allowSingle = false): string[] | undefined {
    const node = this.node(key);
    if (!node || (isScalar(node) && node.value === null)) return this.missing(key, required);
    if (allowSingle && isScalar(node) && typeof node.value === 'string') return [node.value];
    if (!isSeq(node)) return this.src.errorAt(node, `"${this.label(key)}" must be a list of strings`);
    const out: string[] = [];
    node.items.forEach((item, i) => {
      if (isScalar(item) && typeof item.value === 'string' && item.value.trim()) out.push(item.value);
      else this.src.errorAt(item as Node, `"${this.label(key)}[${i}]" must be a non-empty string`);
    });
    return out;
  }

  /** A nested mapping, read with its own allowed keys. */
  child(key: string, allowed: readonly string[], required = false): MapReader | undefined {
    const node = this.node(key);
    if (!node || (isScalar(node) && node.value === null)) return this.missing(key, required);
    if (!isMap(node)) return this.src.errorAt(node, `"${this.label(key)}" must be a mapping`);
    return new MapReader(this.src, node, this.label(key), allowed);
  }

  /** A list of mappings (a single mapping accepted when `allowSingle`). */
  children(key: string, allowed: readonly string[], required = false, allowSingle = false): MapReader[] | undefined {
    const node = this.node(key);
    if (!node || (isScalar(node) && node.value === null)) return this.missing(key, required);
    if (allowSingle && isMap(node)) return [new MapReader(this.src, node, this.label(key), allowed)];
    if (!isSeq(node)) return this.src.errorAt(node, `"${this.label(key)}" must be a list of mappings`);
    const out: MapReader[] = [];
    node.items.forEach((item, i) => {
      if (isMap(item)) out.push(new MapReader(this.src, item, `${this.label(key)}[${i}]`, allowed));
      else this.src.errorAt(item as Node, `"${this.label(key)}[${i}]" must be a mapping`);
    });
    return out;
  }
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** The closest candidate within edit distance 2 (for "did you mean"), if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const dist = editDistance(word, c);
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return best;
}

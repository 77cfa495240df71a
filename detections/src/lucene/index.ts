// Lucene query_string rules: compile to a query_string query, and validate enough at load time to catch
// the mistakes people actually make (unbalanced quotes/parens/brackets, dangling operators, a field
// without a value, an unescaped `/` in a path). Elasticsearch has the final word; the engine also runs
// `_validate/query` against the cluster.
import { positionOf } from '../kql/ast';

export interface LuceneCompileOptions {
  /** Default fields when a term has no `field:` (query_string's `default_field`); ES default otherwise. */
  defaultField?: string;
}

export class LuceneSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(
    readonly shortMessage: string,
    readonly query: string,
    readonly offset: number,
  ) {
    super([shortMessage, query, '-'.repeat(offset) + '^'].join('\n'));
    this.name = 'LuceneSyntaxError';
    ({ line: this.line, column: this.column } = positionOf(query, offset));
  }
}

type TokKind = 'term' | 'field' | 'phrase' | 'regex' | 'range' | 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'prefix';
interface Tok {
  kind: TokKind;
  offset: number;
  text: string;
}

const SPACE = /\s/;
// Characters that end an unquoted term (query_string reserved characters that are not term-internal).
const TERM_END = new Set(['(', ')', '[', ']', '{', '}', '"', ':', '/']);

function tokenize(q: string): Tok[] {
  const toks: Tok[] = [];
  const fail = (msg: string, at: number): never => {
    throw new LuceneSyntaxError(msg, q, at);
  };
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    const start = i;
    if (SPACE.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      toks.push({ kind: c === '(' ? 'lparen' : 'rparen', offset: i++, text: c });
    } else if (c === '"' || c === '/') {
      // Phrase or regular expression: runs to the next unescaped delimiter.
      i++;
      while (i < q.length && q[i] !== c) i += q[i] === '\\' ? 2 : 1;
      if (i >= q.length) {
        fail(
          c === '"'
            ? 'Unterminated quoted phrase: missing closing "'
            : 'Unterminated regular expression: "/" starts a regex in Lucene; escape it as "\\/" in paths',
          start,
        );
      }
      i++;
      // `/etc/passwd` parses as the regex /etc/ then the term passwd: valid, but never what was meant.
      if (c === '/' && i < q.length && !SPACE.test(q[i]) && !')^~'.includes(q[i])) {
        fail('Regular expression followed by text: "/" starts a regex in Lucene; escape it as "\\/" in paths', start);
      }
      toks.push({ kind: c === '"' ? 'phrase' : 'regex', offset: start, text: q.slice(start, i) });
    } else if (c === '[' || c === '{') {
      // Range: [a TO b], {a TO b}, or mixed ends.
      i++;
      while (i < q.length && q[i] !== ']' && q[i] !== '}') {
        if (q[i] === '[' || q[i] === '{') fail('Nested bracket inside a range', i);
        i += q[i] === '\\' ? 2 : 1;
      }
      if (i >= q.length) fail(`Unterminated range: missing closing ] or }`, start);
      const body = q.slice(start + 1, i).trim();
      if (!/^\S+\s+TO\s+\S+$/.test(body)) fail('A range must look like [lower TO upper] (TO in capitals)', start);
      toks.push({ kind: 'range', offset: start, text: q.slice(start, ++i) });
    } else if (c === ']' || c === '}') {
      fail(`Unexpected "${c}" without an opening bracket`, i);
    } else if (c === ':') {
      fail('Unexpected ":" without a field name', i);
    } else if (c === '&' && q[i + 1] === '&') {
      toks.push({ kind: 'and', offset: i, text: '&&' });
      i += 2;
    } else if (c === '|' && q[i + 1] === '|') {
      toks.push({ kind: 'or', offset: i, text: '||' });
      i += 2;
    } else if (c === '!' && i + 1 < q.length && !SPACE.test(q[i + 1])) {
      toks.push({ kind: 'not', offset: i++, text: '!' });
    } else if ((c === '+' || c === '-') && i + 1 < q.length && !SPACE.test(q[i + 1])) {
      toks.push({ kind: 'prefix', offset: i++, text: c });
    } else {
      while (i < q.length && !SPACE.test(q[i]) && !TERM_END.has(q[i])) {
        if (q[i] === '\\') {
          if (i + 1 >= q.length) fail('Trailing backslash escapes nothing', i);
          i += 2;
        } else i++;
      }
      const text = q.slice(start, i);
      if (q[i] === ':') {
        toks.push({ kind: 'field', offset: start, text });
        i++;
      } else if (text === 'AND' || text === 'OR' || text === 'NOT') {
        toks.push({ kind: text.toLowerCase() as TokKind, offset: start, text });
      } else {
        toks.push({ kind: 'term', offset: start, text });
      }
    }
  }
  return toks;
}

/** Throws LuceneSyntaxError (with offset, line, column) when the query is clearly malformed. */
export function validateLucene(query: string): void {
  if (!query.trim()) throw new LuceneSyntaxError('Empty query', query, 0);
  const toks = tokenize(query);
  const parens: Tok[] = [];
  // After an operator, a field, a prefix or "(", an operand must follow.
  let pending: Tok | undefined = { kind: 'lparen', offset: 0, text: '' };
  const needOperand = (t: Tok, what: string) => {
    throw new LuceneSyntaxError(`Expected ${what} but "${t.text}" found`, query, t.offset);
  };
  for (const t of toks) {
    switch (t.kind) {
      case 'term':
      case 'phrase':
      case 'regex':
      case 'range':
        pending = undefined;
        break;
      case 'field':
        if (pending?.kind === 'field') needOperand(t, `a value for field "${pending.text}"`);
        pending = t;
        break;
      case 'lparen':
        parens.push(t);
        pending = t;
        break;
      case 'rparen':
        if (!parens.pop()) throw new LuceneSyntaxError('Unbalanced ")" without an opening "("', query, t.offset);
        if (pending) needOperand(t, pending.kind === 'field' ? `a value for field "${pending.text}"` : 'a term');
        break;
      case 'and':
      case 'or':
        if (pending) needOperand(t, pending.kind === 'field' ? `a value for field "${pending.text}"` : 'a term');
        pending = t;
        break;
      case 'not':
      case 'prefix':
        if (pending?.kind === 'field') needOperand(t, `a value for field "${pending.text}"`);
        pending = t;
        break;
    }
  }
  const open = parens.pop();
  if (open) throw new LuceneSyntaxError('Unbalanced "(" without a closing ")"', query, open.offset);
  if (pending) {
    const what = pending.kind === 'field' ? `a value for field "${pending.text}"` : `a term after "${pending.text}"`;
    throw new LuceneSyntaxError(`Expected ${what} but end of input found`, query, query.length);
  }
}

/** Validates and compiles a Lucene rule query to a query_string query. */
export function compileLucene(query: string, options: LuceneCompileOptions = {}): Record<string, unknown> {
  validateLucene(query);
  return {
    query_string: {
      query,
      // As Kibana does for Lucene queries, so `process.name:nc*` matches analysed text fields too.
      analyze_wildcard: true,
      ...(options.defaultField && { default_field: options.defaultField }),
    },
  };
}

// auditsight's own KQL cases: detection queries over the auditd ECS fields, plus behaviour Kibana's
// suite does not pin down (keyword case, escaping, errors with positions, the generated parser).
import { expect } from 'chai';
import fs from 'node:fs';
import { generate, PARSER_FILE } from '../../../scripts/gen-kql-parser';
import { compileKql, fromKueryExpression, KqlCompileError, KqlSyntaxError, kqlErrorOffset, parseAndCompileKql, referencedFields, stripLocations, toKqlExpression } from '.';

const FIELDS = {
  '@timestamp': 'date',
  'event.action': 'keyword',
  'process.name': 'keyword',
  'process.args': 'keyword',
  'process.command_line': 'wildcard',
  'file.path': 'keyword',
  'destination.ip': 'ip',
  'destination.port': 'long',
  'error.message': 'match_only_text',
  'auditd.paths': 'nested',
  'auditd.paths.name': 'keyword',
};
const kql = (q: string, o = {}) => compileKql(q, { fields: FIELDS, ...o });
const should = (...q: object[]) => ({ bool: { should: q, minimum_should_match: 1 } });
const term = (f: string, v: string) => should({ term: { [f]: { value: v } } });
const orTerms = (f: string, ...vs: string[]) => should(...vs.map((v) => term(f, v)));

describe('KQL: detection queries', () => {
  it('netcat listener', () => {
    expect(kql('event.action:executed and process.name:(nc or ncat or netcat) and process.args:(-l or -lp or --listen)')).to.deep.equal({
      bool: {
        filter: [term('event.action', 'executed'), orTerms('process.name', 'nc', 'ncat', 'netcat'), orTerms('process.args', '-l', '-lp', '--listen')],
      },
    });
  });

  it('bash history tampering: wildcard on a keyword field escapes query_string specials', () => {
    expect(kql('file.path:*/.bash_history and event.action:(deleted or renamed or truncated)')).to.deep.equal({
      bool: {
        filter: [should({ wildcard: { 'file.path': { value: '*\\/.bash_history' } } }), orTerms('event.action', 'deleted', 'renamed', 'truncated')],
      },
    });
  });

  it('wildcard-typed and text fields use query_string, as Kibana does for non-keyword types', () => {
    expect(kql('process.command_line:*curl*')).to.deep.equal(should({ query_string: { fields: ['process.command_line'], query: '*curl*' } }));
    expect(kql('error.message:"permission denied"')).to.deep.equal(should({ match_phrase: { 'error.message': 'permission denied' } }));
  });

  it('unknown fields get Kibana defaults: match / match_phrase / query_string', () => {
    expect(kql('auditd.data.syscall:execve')).to.deep.equal(should({ match: { 'auditd.data.syscall': 'execve' } }));
    expect(kql('auditd.data.a0:"x y"')).to.deep.equal(should({ match_phrase: { 'auditd.data.a0': 'x y' } }));
    expect(kql('auditd.data.exe:*bin*')).to.deep.equal(should({ query_string: { fields: ['auditd.data.exe'], query: '*bin*' } }));
  });

  it('quoted values on keyword fields are still exact term queries', () => {
    expect(kql('process.name:"kworker/0:1"')).to.deep.equal(term('process.name', 'kworker/0:1'));
  });

  it('ranges on long, ip and date fields', () => {
    expect(kql('destination.port >= 1024 and destination.port < 2048')).to.deep.equal({
      bool: { filter: [should({ range: { 'destination.port': { gte: '1024' } } }), should({ range: { 'destination.port': { lt: '2048' } } })] },
    });
    expect(kql('@timestamp > "2024-01-01"', { dateFormatTZ: 'UTC' })).to.deep.equal(should({ range: { '@timestamp': { gt: '2024-01-01', time_zone: 'UTC' } } }));
  });

  it('ip values (CIDR included) go to match, which ES turns into an ip term query', () => {
    expect(kql('destination.ip:10.0.0.0/8')).to.deep.equal(should({ match: { 'destination.ip': '10.0.0.0/8' } }));
  });

  it('field:* is an exists query; bare * matches everything', () => {
    expect(kql('process.args:*')).to.deep.equal(should({ exists: { field: 'process.args' } }));
    expect(kql('*')).to.deep.equal({ query_string: { query: '*' } });
    expect(kql('')).to.deep.equal({ match_all: {} });
  });

  it('nested groups over nested paths, and misuse is an error with a position', () => {
    expect(kql('auditd.paths:{ name:/etc/shadow }')).to.deep.equal({
      nested: { path: 'auditd.paths', query: term('auditd.paths.name', '/etc/shadow'), score_mode: 'none' },
    });
    let err: unknown;
    try {
      kql('event.action:opened-file and auditd.paths.name:/etc/shadow');
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(KqlCompileError);
    expect((err as Error).message).to.equal('auditd.paths.name is a nested field, but is not in a nested group in the KQL expression.');
    expect(kqlErrorOffset(err)).to.equal(29); // the field name
  });
});

describe('KQL: precedence, keywords and escaping', () => {
  const shape = (q: string) => toKqlExpression(fromKueryExpression(q));

  it('not > and > or, grouping overrides', () => {
    expect(shape('a:1 or b:2 and not c:3')).to.equal('(a: 1 OR (b: 2 AND NOT c: 3))');
    expect(shape('(a:1 or b:2) and c:3')).to.equal('((a: 1 OR b: 2) AND c: 3)');
    expect(shape('not a:1 and b:2')).to.equal('(NOT a: 1 AND b: 2)');
  });

  it('and/or/not are case-insensitive keywords', () => {
    const expected = stripLocations(fromKueryExpression('a:1 and b:2 or not c:3'));
    for (const q of ['a:1 AND b:2 OR NOT c:3', 'a:1 And b:2 oR NoT c:3']) expect(stripLocations(fromKueryExpression(q))).to.deep.equal(expected);
  });

  it('keywords need surrounding whitespace; escaped keywords are plain words', () => {
    expect(shape('process.name:android')).to.equal('process.name: android');
    expect(shape('message:foo \\and bar')).to.equal('message: foo and bar');
    expect(shape('message:"foo and bar"')).to.equal('message: "foo and bar"');
  });

  it('escapes: \\\\ \\" and the special characters \\():<>"*{}', () => {
    const v = (q: string) => (stripLocations(fromKueryExpression(q)).arguments[1] as { value: unknown }).value;
    expect(v('f:a\\:b')).to.equal('a:b');
    expect(v('f:\\(x\\)')).to.equal('(x)');
    expect(v('f:\\{\\}\\<\\>')).to.equal('{}<>');
    expect(v('f:C\\\\Windows')).to.equal('C\\Windows');
    expect(v('f:"say \\"hi\\""')).to.equal('say "hi"');
    expect(v('f:tab\\there')).to.equal('tab\there');
    // An escaped star is a literal, not a wildcard: term, not wildcard query.
    expect(kql('process.name:a\\*b')).to.deep.equal(term('process.name', 'a*b'));
  });

  it('values true/false/null are typed like Kibana', () => {
    expect(kql('process.interactive:true')).to.deep.equal(should({ match: { 'process.interactive': true } }));
  });
});

describe('KQL: errors', () => {
  it('syntax errors carry offset, line and column (multi-line queries)', () => {
    try {
      compileKql('event.action:executed and\n  process.name:(nc or )');
      expect.fail('should throw');
    } catch (e) {
      expect(e).to.be.instanceOf(KqlSyntaxError);
      const err = e as KqlSyntaxError;
      expect(err.shortMessage).to.equal('Expected "(", NOT, value but ")" found.');
      expect([err.offset, err.line, err.column]).to.deep.equal([48, 2, 23]);
    }
  });

  it('leading wildcards can be disabled (Kibana query:allowLeadingWildcards)', () => {
    expect(() => compileKql('file.path:*/shadow', { allowLeadingWildcards: false })).to.throw(/Leading wildcards are disabled/);
    expect(() => compileKql('file.path:/etc/*', { allowLeadingWildcards: false })).not.to.throw();
  });

  it('unbalanced parentheses and braces', () => {
    expect(() => compileKql('(a:1 or b:2')).to.throw(KqlSyntaxError, /Expected "\)", AND, OR but end of input found/);
    expect(() => compileKql('n:{ a:1')).to.throw(KqlSyntaxError, /"}"/);
  });
});

describe('KQL: helpers and the generated parser', () => {
  it('referencedFields lists fields, with nested prefixes', () => {
    const { ast } = parseAndCompileKql('a:1 and not b >= 2 and n:{ c:* } and free text');
    expect(referencedFields(ast)).to.deep.equal(['a', 'b', 'n.c']);
  });

  it('parser.generated.js is up to date with grammar.peggy (run scripts/gen-kql-parser.ts)', () => {
    expect(fs.readFileSync(PARSER_FILE, 'utf8') === generate().js, 'stale generated parser').to.equal(true);
  });
});

import { expect } from 'chai';
import { compileLucene, LuceneSyntaxError, validateLucene } from '.';

function errorOf(q: string): LuceneSyntaxError {
  try {
    validateLucene(q);
  } catch (e) {
    if (e instanceof LuceneSyntaxError) return e;
    throw e;
  }
  throw new Error(`no error for ${q}`);
}

describe('Lucene query_string', () => {
  it('compiles to query_string with analyze_wildcard, as Kibana does', () => {
    expect(compileLucene('process.name:(nc OR ncat) AND NOT user.name:root')).to.deep.equal({
      query_string: { query: 'process.name:(nc OR ncat) AND NOT user.name:root', analyze_wildcard: true },
    });
    expect(compileLucene('foo', { defaultField: 'message' })).to.deep.equal({
      query_string: { query: 'foo', analyze_wildcard: true, default_field: 'message' },
    });
  });

  it('accepts the usual syntax', () => {
    for (const q of [
      'event.action:executed AND process.args:(\\-l OR \\-\\-listen)',
      'file.path:\\/etc\\/shadow',
      'file.path:/etc\\/.*/ AND event.action:opened\\-file',
      'destination.port:[1024 TO 65535] AND NOT destination.port:{0 TO 22]',
      'process.name:nc* OR process.name:?cat',
      '+event.action:executed -user.name:root',
      'message:"exact phrase"~2 AND title:foo^2',
      'a:1 && (b:2 || !c:3)',
      'destination.port:>=1024',
      '_exists_:process.args',
    ]) {
      expect(() => validateLucene(q), q).not.to.throw();
    }
  });

  const bad: [string, string, number][] = [
    ['', 'Empty query', 0],
    ['message:"unterminated', 'Unterminated quoted phrase', 8],
    ['file.path:/etc/passwd', 'escape it as "\\/" in paths', 10],
    ['a:/unterminated', 'Unterminated regular expression', 2],
    ['(a:1 OR b:2', 'Unbalanced "(" without a closing ")"', 0],
    ['a:1 OR b:2)', 'Unbalanced ")"', 10],
    ['a:1 AND', 'Expected a term after "AND" but end of input found', 7],
    ['OR a:1', 'Expected a term but "OR" found', 0],
    ['a:1 AND OR b:2', 'Expected a term but "OR" found', 8],
    ['process.name: AND a:1', 'Expected a value for field "process.name" but "AND" found', 14],
    ['process.name:', 'Expected a value for field "process.name" but end of input found', 13],
    ['a:()', 'Expected a term but ")" found', 3],
    ['port:[1 2]', 'A range must look like [lower TO upper]', 5],
    ['port:[1 TO 2', 'Unterminated range', 5],
    ['a:b\\', 'Trailing backslash', 3],
  ];
  for (const [q, message, offset] of bad) {
    it(`rejects ${JSON.stringify(q)} at offset ${offset}`, () => {
      const err = errorOf(q);
      expect(err.shortMessage).to.contain(message);
      expect(err.offset).to.equal(offset);
    });
  }

  it('reports line and column in multi-line queries', () => {
    const err = errorOf('event.action:executed AND\n  (process.name:nc OR');
    expect([err.line, err.column]).to.deep.equal([2, 3]);
    expect(err.shortMessage).to.equal('Unbalanced "(" without a closing ")"');
  });
});

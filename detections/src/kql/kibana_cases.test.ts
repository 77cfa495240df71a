import * as fs from 'node:fs';
import * as path from 'node:path';
// Cases ported from Kibana's own KQL test suites (elastic/kibana
// src/platform/packages/shared/kbn-es-query/src/kuery/: ast/ast.test.ts, functions/{is,range,exists,
// and,or,not,nested}.test.ts, kuery_syntax_error.test.ts), asserting the same AST / DSL / messages.
// Kibana's data-view stub becomes a field-type map; its three scripted fields have no equivalent
// (rules run on raw indices) and their cases are left out.
import { expect } from 'chai';
import {
  buildNode,
  fromKueryExpression,
  fromLiteralExpression,
  buildLiteral,
  buildWildcard,
  stripLocations,
  toElasticsearchQuery,
  toKqlExpression,
  type FunctionNode,
  type KqlCompileOptions,
} from '.';

/** Kibana's filters/stubs fields.mocks.ts, as ES types. */
export const KIBANA_STUB_FIELDS = {
  bytes: 'long',
  ssl: 'boolean',
  '@timestamp': 'date',
  extension: 'text',
  'machine.os': 'text',
  'machine.os.raw': 'text',
  'machine.os.keyword': 'keyword',
  nestedField: 'nested',
  'nestedField.child': 'text',
  'nestedField.nestedChild': 'nested',
  'nestedField.nestedChild.doublyNestedChild': 'text',
};

const withStub = (o: KqlCompileOptions = {}) => ({ fields: KIBANA_STUB_FIELDS, ...o });
const should = (...q: object[]) => ({ bool: { should: q, minimum_should_match: 1 } });

describe('KQL: Kibana ast.test.ts fromKueryExpression', () => {
  const cases: [string, string, FunctionNode][] = [
    ['match all "is" function for whitespace', '  ', buildNode('is', '*', '*')],
    ['"is" with a null field for single literals', 'foo', buildNode('is', null, 'foo')],
    ['ignores extraneous whitespace', '  foo ', buildNode('is', null, 'foo')],
    ['does not split on whitespace', 'foo bar', buildNode('is', null, 'foo bar')],
    ['"and" as a binary operator', 'foo and bar', buildNode('and', [buildNode('is', null, 'foo'), buildNode('is', null, 'bar')])],
    ['nbsp is whitespace', 'foo and\u00A0bar', buildNode('and', [buildNode('is', null, 'foo'), buildNode('is', null, 'bar')])],
    ['"or" as a binary operator', 'foo or bar', buildNode('or', [buildNode('is', null, 'foo'), buildNode('is', null, 'bar')])],
    ['same-level "and" not nested', 'foo and bar and baz', buildNode('and', ['foo', 'bar', 'baz'].map((v) => buildNode('is', null, v)))],
    ['same-level "or" not nested', 'foo or bar or baz', buildNode('or', ['foo', 'bar', 'baz'].map((v) => buildNode('is', null, v)))],
    ['"not" prefix', 'not (foo or bar)', buildNode('not', buildNode('or', [buildNode('is', null, 'foo'), buildNode('is', null, 'bar')]))],
    [
      '"and" binds tighter than "or"',
      'foo or bar and baz or qux',
      buildNode('or', [
        buildNode('is', null, 'foo'),
        buildNode('and', [buildNode('is', null, 'bar'), buildNode('is', null, 'baz')]),
        buildNode('is', null, 'qux'),
      ]),
    ],
    [
      'grouping overrides precedence',
      '(foo or bar) and baz',
      buildNode('and', [buildNode('or', [buildNode('is', null, 'foo'), buildNode('is', null, 'bar')]), buildNode('is', null, 'baz')]),
    ],
    ['specific fields', 'foo:bar', buildNode('is', 'foo', 'bar')],
    ['no split on whitespace in field values', 'foo:bar baz', buildNode('is', 'foo', 'bar baz')],
    ['quoted values are phrases', 'foo:"bar baz"', buildNode('is', 'foo', '"bar baz"')],
    ['value list shorthand', 'foo:(bar or baz)', buildNode('or', [buildNode('is', 'foo', 'bar'), buildNode('is', 'foo', 'baz')])],
    [
      '"and", "not" and grouping in the shorthand',
      'foo:((bar or baz) and not qux)',
      buildNode('and', [
        buildNode('or', [buildNode('is', 'foo', 'bar'), buildNode('is', 'foo', 'baz')]),
        buildNode('not', buildNode('is', 'foo', 'qux')),
      ]),
    ],
    [
      'exclusive range operators',
      'bytes > 1000 and bytes < 8000',
      buildNode('and', [buildNode('range', 'bytes', 'gt', '1000'), buildNode('range', 'bytes', 'lt', '8000')]),
    ],
    [
      'inclusive range operators',
      'bytes >= 1000 and bytes <= 8000',
      buildNode('and', [buildNode('range', 'bytes', 'gte', '1000'), buildNode('range', 'bytes', 'lte', '8000')]),
    ],
    ['wildcards in field names', 'machine*:osx', buildNode('is', 'machine*', 'osx')],
    ['wildcards in values', 'foo:ba*', buildNode('is', 'foo', 'ba*')],
    ['exists "is" for field:*', 'foo:*', buildNode('is', 'foo', '*')],
    ['nested queries with braces', 'nestedField:{ childOfNested: foo }', buildNode('nested', 'nestedField', buildNode('is', 'childOfNested', 'foo'))],
    [
      'nested subqueries and subqueries inside nested',
      'response:200 and nestedField:{ childOfNested:foo or childOfNested:bar }',
      buildNode('and', [
        buildNode('is', 'response', '200'),
        buildNode('nested', 'nestedField', buildNode('or', [buildNode('is', 'childOfNested', 'foo'), buildNode('is', 'childOfNested', 'bar')])),
      ]),
    ],
    [
      'nested sub-queries inside paren groups',
      'response:200 and ( nestedField:{ childOfNested:foo } or nestedField:{ childOfNested:bar } )',
      buildNode('and', [
        buildNode('is', 'response', '200'),
        buildNode('or', [
          buildNode('nested', 'nestedField', buildNode('is', 'childOfNested', 'foo')),
          buildNode('nested', 'nestedField', buildNode('is', 'childOfNested', 'bar')),
        ]),
      ]),
    ],
    [
      'nested groups inside nested groups',
      'nestedField:{ nestedChild:{ doublyNestedChild:foo } }',
      buildNode('nested', 'nestedField', buildNode('nested', 'nestedChild', buildNode('is', 'doublyNestedChild', 'foo'))),
    ],
  ];
  for (const [name, query, expected] of cases) {
    it(name, () => expect(stripLocations(fromKueryExpression(query))).to.deep.equal(expected));
  }

  it('parses a large real-world expression (Kibana perf case) with a memoizing parser', () => {
    const one = '(alert.attributes.alertTypeId:siem.signals and alert.attributes.consumer:(alerts or builtInAlerts or siem or infrastructure or logs))';
    const query = Array.from({ length: 19 }, () => one).join(' or ');
    expect(fromKueryExpression(query).arguments).to.have.length(19);
    fromKueryExpression('((((((((((foo))))))))))');
    // Without peggy's results cache this grammar backtracks exponentially on such input (30 s+ here).
    // Tests do not assert timings, so the guard is that the generated parser memoizes.
    expect(fs.readFileSync(path.join(__dirname, 'parser.generated.js'), 'utf8')).to.contain('peg$resultsCache');
  });
});

describe('KQL: Kibana ast.test.ts fromLiteralExpression', () => {
  it('keeps unquoted values as strings, except true/false', () => {
    expect(stripLocations(fromLiteralExpression('foo'))).to.deep.equal(buildLiteral('foo'));
    expect(stripLocations(fromLiteralExpression('true'))).to.deep.equal(buildLiteral(true));
    expect(stripLocations(fromLiteralExpression('false'))).to.deep.equal(buildLiteral(false));
    for (const v of ['.3', '3', '-4', '0.0', '96565646732345', '070', '..4', '.3text', '.', '-', '001', '0.0.1', '3.', '--4', '-0']) {
      expect(fromLiteralExpression(v).value).to.equal(v);
    }
  });
  it('escapes special characters with a backslash', () => {
    expect(stripLocations(fromLiteralExpression('\\\\\\(\\)\\:\\<\\>\\"\\*'))).to.deep.equal(buildLiteral('\\():<>"*'));
  });
  it('escapes unicode sequences with a backslash', () => {
    expect(stripLocations(fromLiteralExpression('\\\\u00A0'))).to.deep.equal(buildLiteral('\\u00A0'));
  });
  it('double quoted strings need escapes only for quotes', () => {
    expect(fromLiteralExpression('"\\():<>\\"*"').value).to.equal('\\():<>"*');
  });
  it('escaped backslashes inside quoted strings', () => expect(fromLiteralExpression('"\\\\"').value).to.equal('\\'));
  it('escaped unicode inside quoted strings', () => expect(fromLiteralExpression('"\\\\u00A0"').value).to.equal('\\u00A0'));
  it('detects wildcards', () => expect(stripLocations(fromLiteralExpression('foo*bar'))).to.deep.equal(buildWildcard('foo*bar')));
});

describe('KQL: Kibana is.test.ts toElasticsearchQuery', () => {
  const ext = (q: object) => should(q);
  const cases: [string, FunctionNode, object, KqlCompileOptions?][] = [
    ['match_all when field and value are "*"', buildNode('is', '*', '*'), { match_all: {} }],
    ['multi_match when fieldName is null', buildNode('is', null, 200), { multi_match: { query: 200, type: 'best_fields', lenient: true } }],
    ['query_string when fieldName is null and value has a wildcard', buildNode('is', null, 'jpg*'), { query_string: { query: 'jpg*' } }],
    ['exists when value is "*"', buildNode('is', 'extension', '*'), ext({ exists: { field: 'extension' } })],
    ['match for a concrete field and value', buildNode('is', 'extension', 'jpg'), ext({ match: { extension: 'jpg' } })],
    ['match_phrase for quoted values', buildNode('is', 'extension', '"jpg"'), ext({ match_phrase: { extension: 'jpg' } })],
    ['query_string for wildcard values', buildNode('is', 'extension', 'jpg*'), ext({ query_string: { fields: ['extension'], query: 'jpg*' } })],
    ['wildcard query for keyword fields', buildNode('is', 'machine.os.keyword', 'win*'), ext({ wildcard: { 'machine.os.keyword': { value: 'win*' } } })],
    [
      'case-insensitive wildcard for keyword fields',
      buildNode('is', 'machine.os.keyword', 'win*'),
      ext({ wildcard: { 'machine.os.keyword': { value: 'win*', case_insensitive: true } } }),
      { caseInsensitive: true },
    ],
    ['wildcard with backslashes escaped', buildNode('is', 'machine.os.keyword', '*\\\\*'), ext({ wildcard: { 'machine.os.keyword': { value: '*\\\\*' } } })],
    [
      'date fields without a time zone',
      buildNode('is', '@timestamp', '"2018-04-03T19:04:17"'),
      ext({ range: { '@timestamp': { gte: '2018-04-03T19:04:17', lte: '2018-04-03T19:04:17' } } }),
    ],
    [
      'date fields with a time zone',
      buildNode('is', '@timestamp', '"2018-04-03T19:04:17"'),
      ext({ range: { '@timestamp': { gte: '2018-04-03T19:04:17', lte: '2018-04-03T19:04:17', time_zone: 'America/Phoenix' } } }),
      { dateFormatTZ: 'America/Phoenix' },
    ],
    ['wildcard field names', buildNode('is', 'ext*', 'jpg'), ext({ match: { extension: 'jpg' } })],
    [
      'auto nested query when a wildcard field covers a nested field',
      buildNode('is', '*doublyNested*', 'foo'),
      ext({ nested: { path: 'nestedField.nestedChild', query: { match: { 'nestedField.nestedChild.doublyNestedChild': 'foo' } }, score_mode: 'none' } }),
    ],
    [
      'ignore_unmapped for a nested query',
      buildNode('is', '*doublyNested*', 'foo'),
      ext({
        nested: {
          path: 'nestedField.nestedChild',
          query: { match: { 'nestedField.nestedChild.doublyNestedChild': 'foo' } },
          score_mode: 'none',
          ignore_unmapped: true,
        },
      }),
      { nestedIgnoreUnmapped: true },
    ],
    ['term for keyword fields', buildNode('is', 'machine.os.keyword', 'Win 7'), ext({ term: { 'machine.os.keyword': { value: 'Win 7' } } })],
    [
      'case-insensitive term for keyword fields',
      buildNode('is', 'machine.os.keyword', 'Win 7'),
      ext({ term: { 'machine.os.keyword': { value: 'Win 7', case_insensitive: true } } }),
      { caseInsensitive: true },
    ],
  ];
  for (const [name, node, expected, options] of cases) {
    it(name, () => expect(toElasticsearchQuery(node, withStub(options))).to.deep.equal(expected));
  }
  it('match_all for * queries without a field map', () => expect(toElasticsearchQuery(buildNode('is', '*', '*'))).to.deep.equal({ match_all: {} }));
  it('match without a field map', () => {
    expect(toElasticsearchQuery(buildNode('is', 'extension', 'jpg'))).to.deep.equal(should({ match: { extension: 'jpg' } }));
  });
  it('one sub-query per field when fieldName is "*"', () => {
    const dsl = toElasticsearchQuery(buildNode('is', '*', 200), withStub()) as { bool: { should: unknown[] } };
    expect(dsl.bool.should).to.have.length(9); // Kibana: 12, minus its 3 scripted fields
  });
  it('nested context gives the full field name', () => {
    expect(toElasticsearchQuery(buildNode('is', 'extension', 'jpg'), withStub(), 'nestedField')).to.deep.equal(should({ match: { 'nestedField.extension': 'jpg' } }));
  });
});

describe('KQL: Kibana range.test.ts toElasticsearchQuery', () => {
  const cases: [string, FunctionNode, object, KqlCompileOptions?][] = [
    ['range query for the field and params', buildNode('range', 'bytes', 'gt', 1000), should({ range: { bytes: { gt: 1000 } } })],
    ['wildcard field names', buildNode('range', 'byt*', 'gt', 1000), should({ range: { bytes: { gt: 1000 } } })],
    ['date without a time zone', buildNode('range', '@timestamp', 'gt', '2018-01-03T19:04:17'), should({ range: { '@timestamp': { gt: '2018-01-03T19:04:17' } } })],
    [
      'date with a time zone',
      buildNode('range', '@timestamp', 'gt', '2018-01-03T19:04:17'),
      should({ range: { '@timestamp': { gt: '2018-01-03T19:04:17', time_zone: 'America/Phoenix' } } }),
      { dateFormatTZ: 'America/Phoenix' },
    ],
    ['no time_zone for epoch numbers', buildNode('range', '@timestamp', 'gt', 1776338120239), should({ range: { '@timestamp': { gt: 1776338120239 } } }), { dateFormatTZ: 'America/Phoenix' }],
    ['no time_zone for digit strings', buildNode('range', '@timestamp', 'gt', '1776338120239'), should({ range: { '@timestamp': { gt: '1776338120239' } } }), { dateFormatTZ: 'America/Phoenix' }],
    [
      'auto nested for wildcard fields covering nested fields',
      buildNode('range', '*doublyNested*', 'lt', 8000),
      should({ nested: { path: 'nestedField.nestedChild', query: { range: { 'nestedField.nestedChild.doublyNestedChild': { lt: 8000 } } }, score_mode: 'none' } }),
    ],
    [
      'ignore_unmapped for nested',
      buildNode('range', '*doublyNested*', 'lt', 8000),
      should({
        nested: { path: 'nestedField.nestedChild', query: { range: { 'nestedField.nestedChild.doublyNestedChild': { lt: 8000 } } }, score_mode: 'none', ignore_unmapped: true },
      }),
      { nestedIgnoreUnmapped: true },
    ],
  ];
  for (const [name, node, expected, options] of cases) {
    it(name, () => expect(toElasticsearchQuery(node, withStub(options))).to.deep.equal(expected));
  }
  it('without a field map', () => expect(toElasticsearchQuery(buildNode('range', 'bytes', 'gt', 1000))).to.deep.equal(should({ range: { bytes: { gt: 1000 } } })));
  it('nested context', () => {
    expect(toElasticsearchQuery(buildNode('range', 'bytes', 'gt', 1000), withStub(), 'nestedField')).to.deep.equal(should({ range: { 'nestedField.bytes': { gt: 1000 } } }));
  });
});

describe('KQL: Kibana exists/and/or/not/nested tests', () => {
  const c1 = buildNode('is', 'machine.os', 'osx');
  const c2 = buildNode('is', 'extension', 'jpg');
  it('exists', () => expect(toElasticsearchQuery(buildNode('exists', 'response'), withStub())).to.deep.equal({ exists: { field: 'response' } }));
  it('exists without a field map', () => expect(toElasticsearchQuery(buildNode('exists', 'response'))).to.deep.equal({ exists: { field: 'response' } }));
  it('exists in a nested context', () => {
    expect(toElasticsearchQuery(buildNode('exists', 'response'), withStub(), 'nestedField')).to.deep.equal({ exists: { field: 'nestedField.response' } });
  });
  it("and: bool.filter of the children", () => {
    expect(toElasticsearchQuery(buildNode('and', [c1, c2]), withStub())).to.deep.equal({
      bool: { filter: [c1, c2].map((c) => toElasticsearchQuery(c, withStub())) },
    });
  });
  it('and: bool.must with filtersInMustClause', () => {
    expect(toElasticsearchQuery(buildNode('and', [c1, c2]), withStub({ filtersInMustClause: true }))).to.deep.equal({
      bool: { must: [c1, c2].map((c) => toElasticsearchQuery(c, withStub())) },
    });
  });
  it('or: bool.should with minimum_should_match 1', () => {
    expect(toElasticsearchQuery(buildNode('or', [c1, c2]), withStub())).to.deep.equal({
      bool: { should: [c1, c2].map((c) => toElasticsearchQuery(c, withStub())), minimum_should_match: 1 },
    });
  });
  it('not: bool.must_not of the child', () => {
    expect(toElasticsearchQuery(buildNode('not', c2), withStub())).to.deep.equal({ bool: { must_not: toElasticsearchQuery(c2, withStub()) } });
  });
  it('nested: wraps and passes the path down', () => {
    const dsl = toElasticsearchQuery(buildNode('nested', 'nestedField', buildNode('is', 'child', 'foo')), withStub()) as { nested: Record<string, unknown> };
    expect(Object.keys(dsl)).to.deep.equal(['nested']);
    expect(dsl.nested.path).to.equal('nestedField');
    expect(dsl.nested.score_mode).to.equal('none');
    expect(dsl.nested.query).to.deep.equal(toElasticsearchQuery(buildNode('is', 'nestedField.child', 'foo')));
  });
  it('toKqlExpression round trip (Kibana ast.test.ts)', () => {
    const node = fromKueryExpression('field: (value AND value2 OR "value3") OR nested: { field2: value4 }');
    expect(toKqlExpression(node)).to.equal('(((field: value AND field: value2) OR field: "value3") OR nested: { field2: value4 })');
  });
});

describe('KQL: Kibana kuery_syntax_error.test.ts', () => {
  const cases: [string, string, string][] = [
    ['field query missing a value', 'response:', 'Expected "(", "{", value, whitespace but end of input found.\nresponse:\n---------^'],
    ['OR missing a right side', 'response:200 or ', 'Expected "(", NOT, field name, value but end of input found.\nresponse:200 or \n----------------^'],
    ['OR list missing a right side', 'response:(200 or )', 'Expected "(", NOT, value but ")" found.\nresponse:(200 or )\n-----------------^'],
    ['NOT missing a sub-query', 'response:200 and not ', 'Expected "(", field name, value but end of input found.\nresponse:200 and not \n---------------------^'],
    ['NOT in a list missing a sub-query', 'response:(200 and not )', 'Expected "(", value but ")" found.\nresponse:(200 and not )\n----------------------^'],
    ['unbalanced quotes', 'foo:"ba ', 'Expected "(", "{", value, whitespace but """ found.\nfoo:"ba \n----^'],
    ['unescaped quotes in a quoted string', 'foo:"ba "r"', 'Expected AND, OR, end of input but "r" found.\nfoo:"ba "r"\n---------^'],
    ['unescaped special characters', 'foo:ba:r', 'Expected AND, OR, end of input but ":" found.\nfoo:ba:r\n------^'],
    ['range missing a value', 'foo > ', 'Expected literal, whitespace but end of input found.\nfoo > \n------^'],
    ['range missing a field', '< 1000', 'Expected "(", NOT, end of input, field name, value, whitespace but "<" found.\n< 1000\n^'],
  ];
  for (const [name, query, message] of cases) {
    it(name, () => expect(() => fromKueryExpression(query)).to.throw(message));
  }
});

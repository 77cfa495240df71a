import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_RULE_INDEX, loadRule, loadRules, parseDuration, parseRule, RuleValidationError, type RuleError } from '.';

const GOOD = path.join(__dirname, 'fixtures', 'good');

const BASE = `id: test-rule
name: Test rule
description: For tests.
severity: low
query: event.action:executed
`;

/** `line:col` (1-based) of the first occurrence of `needle` in `text`, plus `delta` characters. */
function where(text: string, needle: string, delta = 0): string {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`needle not found: ${needle}`);
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length;
  return `${line}:${before.length - before.lastIndexOf('\n')}`;
}

function errorsOf(text: string): string[] {
  const { rule, errors } = parseRule(text, 'r.yml');
  expect(rule, 'rule should not load').to.equal(undefined);
  return errors.map((e: RuleError) => `${e.line}:${e.column} ${e.detail}`);
}

/** Asserts exactly one error, at `pos`, whose message contains `message`. */
function expectOne(text: string, pos: string, message: string): void {
  const errors = errorsOf(text);
  expect(errors, errors.join('\n')).to.have.length(1);
  expect(errors[0]).to.contain(message);
  expect(errors[0].split(' ')[0]).to.equal(pos);
}

describe('rules: loading good files', () => {
  it('loads every fixture rule with defaults filled in', () => {
    const { rules, errors } = loadRules(GOOD);
    expect(errors.map((e) => e.message)).to.deep.equal([]);
    expect(rules.map((r) => r.rule.id).sort()).to.deep.equal(
      ['5d1f5a5e-8c1b-4a53-9a70-1f0f6a1a0c11', 'dropped-binary-executed', 'login-failure-burst', 'netcat-listener'],
    );
    const history = rules.find((r) => r.rule.id.startsWith('5d1f'))!;
    expect(history.rule).to.include({ language: 'kql', severity: 'medium', risk_score: 47, enabled: true, version: 1 });
    expect(history.rule.index).to.deep.equal([...DEFAULT_RULE_INDEX]);
    expect(history.rule.schedule).to.deep.equal({ interval: { raw: '5m', ms: 300_000 }, lookback: { raw: '1m', ms: 60_000 } });
    expect(history.rule.threat).to.deep.equal([
      {
        framework: 'MITRE ATT&CK',
        tactic: { id: 'TA0005', name: 'Defense Evasion' },
        technique: { id: 'T1070', name: 'Indicator Removal' },
        subtechnique: { id: 'T1070.003', name: 'Clear Command History' },
      },
    ]);
  });

  it('compiles KQL with the auditsight field types (keyword -> term / wildcard)', () => {
    const rule = loadRule(path.join(GOOD, 'defense_evasion', 'bash_history_tampering.yml'));
    const filter = (rule.query as { bool: { filter: unknown[] } }).bool.filter;
    expect(filter[0]).to.deep.equal({ bool: { should: [{ wildcard: { 'file.path': { value: '*\\/.bash_history' } } }], minimum_should_match: 1 } });
  });

  it('compiles threshold rules in Lucene, and sequences per step', () => {
    const { rules } = loadRules(GOOD);
    const burst = rules.find((r) => r.rule.id === 'login-failure-burst')!;
    expect(burst.query).to.deep.equal({ query_string: { query: 'event.action:logged\\-in AND event.outcome:failure', analyze_wildcard: true } });
    expect(burst.rule.threshold).to.deep.equal({ group_by: ['host.name', 'user.name'], count: 20 });
    expect(burst.rule.enabled).to.equal(false);
    const seq = rules.find((r) => r.rule.id === 'dropped-binary-executed')!;
    expect(seq.query).to.equal(undefined);
    expect(seq.steps!.map((s) => s.name)).to.deep.equal(['chmod', 'exec']);
    expect(seq.rule.sequence!.join_on).to.deep.equal(['process.entry_leader.entity_id']);
    expect(seq.rule.sequence!.max_span.ms).to.equal(300_000);
  });

  it('renders the notification template over an event', () => {
    const rule = loadRule(path.join(GOOD, 'command_and_control', 'netcat_listener.yml'));
    const ev = { process: { name: 'nc', command_line: 'nc -lp 4444' }, host: { name: 'web1' }, user: { name: 'www-data' } };
    expect(rule.notification!(ev, 'text')).to.equal('nc listening on web1 as www-data: nc -lp 4444');
    // The same template is escaped for each target: a hostile host name cannot mention @channel in Slack.
    expect(rule.notification!({ ...ev, host: { name: '<!channel>' } }, 'slack')).to.contain('&lt;!channel&gt;');
    expect(rule.rule.suppression).to.deep.equal({ group_by: ['host.name', 'process.executable'], window: { raw: '1h', ms: 3_600_000 } });
  });

  it('parses durations', () => {
    expect(parseDuration('30s')).to.deep.equal({ raw: '30s', ms: 30_000 });
    expect(parseDuration('1d')).to.deep.equal({ raw: '1d', ms: 86_400_000 });
    for (const bad of ['5mm', '5', 'm', '1.5h', '0s', '-1m', '5 m', '1w']) expect(parseDuration(bad)).to.be.a('string');
  });
});

describe('rules: each kind of bad file, with line:col', () => {
  it('YAML syntax errors', () => {
    const text = BASE + 'tags: [a, b\n';
    expect(errorsOf(text)[0]).to.match(/^7:1 /);
  });

  it('duplicate keys', () => {
    const text = BASE + 'severity: high\n';
    expectOne(text, '6:1', 'Map keys must be unique');
  });

  it('unknown keys, with a suggestion', () => {
    const text = BASE + 'sevrity: high\n';
    expectOne(text, '6:1', 'unknown key "sevrity" (did you mean "severity"?)');
  });

  it('unknown nested keys', () => {
    const text = BASE + 'schedule:\n  interval: 5m\n  lookbak: 1m\n';
    expectOne(text, '8:3', 'unknown key "schedule.lookbak" (did you mean "lookback"?)');
  });

  it('wrong types', () => {
    expectOne(BASE + 'risk_score: high\n', '6:13', '"risk_score" must be a number');
    expectOne(BASE + 'enabled: "yes"\n', '6:10', '"enabled" must be true or false');
    expectOne(BASE + 'tags: linux\nreferences: https://x\n', '7:13', '"references" must be a list of strings');
    expectOne(BASE + 'schedule: 5m\n', '6:11', '"schedule" must be a mapping');
  });

  it('values out of range or not in the enum', () => {
    expectOne(BASE + 'risk_score: 101\n', '6:13', 'integer from 0 to 100');
    expectOne(BASE.replace('severity: low', 'severity: severe'), '4:11', 'one of low, medium, high, critical');
    expectOne(BASE + 'language: sql\n', '6:11', 'one of kql, lucene');
    expectOne(BASE.replace('test-rule', 'Test Rule'), '1:5', 'UUID or a lowercase slug');
    expectOne(BASE + 'references: [ftp://x]\n', '6:14', 'http(s) URL');
  });

  it('bad durations such as 5mm', () => {
    const text = BASE + 'schedule: { interval: 5mm }\n';
    expectOne(text, where(text, '5mm'), 'invalid duration "5mm"');
    const sup = BASE + 'suppression:\n  group_by: host.name\n  window: 1w\n';
    expectOne(sup, where(sup, '1w'), '"suppression.window": invalid duration "1w"');
  });

  it('missing required keys point at the mapping', () => {
    expectOne(BASE.replace('name: Test rule\n', ''), '1:1', 'missing required key "name"');
    const t = BASE + 'threat:\n  - tactic: { name: Execution }\n';
    expectOne(t, where(t, '{ name'), 'missing required key "threat[0].tactic.id"');
  });

  it('query / sequence / threshold combinations', () => {
    expectOne(BASE.replace('query: event.action:executed\n', ''), '1:1', 'exactly one of "query" or "sequence"');
    const both = BASE + 'sequence:\n  steps: [{ query: a }, { query: b }]\n  join_on: [x]\n  max_span: 1m\n';
    expectOne(both, '7:3', 'exactly one of "query" or "sequence"');
    const one = BASE.replace('query: event.action:executed\n', '') + 'sequence:\n  steps: [{ query: a }]\n  join_on: [x]\n  max_span: 1m\n';
    expectOne(one, '6:10', 'at least 2 steps');
  });

  it('ATT&CK ids', () => {
    const t = BASE + 'threat:\n  - tactic: { id: T0002, name: Execution }\n';
    expectOne(t, where(t, 'T0002'), 'ATT&CK id like TA0002');
    const sub = BASE + 'threat:\n  - tactic: { id: TA0002, name: Execution }\n    technique: { id: T1059, name: X }\n    subtechnique: { id: T1070.003, name: Y }\n';
    expectOne(sub, where(sub, '{ id: T1070'), 'subtechnique T1070.003 is not part of technique T1059');
  });

  it('a KQL syntax error in a block scalar maps to the file line and column', () => {
    const text = BASE.replace('query: event.action:executed\n', 'query: |\n  event.action:executed and\n    process.name:(nc or )\n');
    expectOne(text, where(text, 'or )', 3), 'query: invalid KQL: Expected "(", NOT, value but ")" found.');
  });

  it('a KQL syntax error in a double-quoted scalar with escapes', () => {
    const text = BASE.replace('query: event.action:executed', 'query: "process.name:\\"nc\\" and foo:ba:r"');
    expectOne(text, where(text, ':r"'), 'Expected AND, OR, end of input but ":" found.');
  });

  it('a KQL syntax error at end of input in a folded scalar', () => {
    const text = BASE.replace('query: event.action:executed\n', 'query: >\n  event.action:executed\n  and not\n');
    expectOne(text, where(text, 'and not', 7), 'but end of input found');
  });

  it('a KQL error inside a sequence step points into that step', () => {
    const text = BASE.replace('query: event.action:executed\n', '') +
      'sequence:\n  steps:\n    - query: event.action:executed\n    - query: "event.action:(a or"\n  join_on: [process.entity_id]\n  max_span: 1m\n';
    expectOne(text, where(text, '(a or"', 5), 'sequence.steps[1].query: invalid KQL');
  });

  it('nested-field misuse is reported at the field', () => {
    const text = BASE.replace('query: event.action:executed', 'query: event.action:x and auditd.paths.name:y');
    const { errors } = parseRule(text, 'r.yml', { fields: { 'event.action': 'keyword', 'auditd.paths': 'nested', 'auditd.paths.name': 'keyword' } });
    expect(errors.map((e) => `${e.line}:${e.column} ${e.detail}`)).to.deep.equal([
      `${where(text, 'auditd.paths.name')} query: auditd.paths.name is a nested field, but is not in a nested group in the KQL expression.`,
    ]);
  });

  it('a likely field-name typo in a query or a group_by', () => {
    const text = BASE.replace('query: event.action:executed', 'query: event.action:executed and process.nmae:nc') + 'threshold:\n  group_by: [host.nmae]\n  count: 3\n';
    const errors = errorsOf(text);
    expect(errors).to.deep.equal([
      `${where(text, 'process.nmae')} query: unknown field "process.nmae" (did you mean "process.name"?)`,
      `${where(text, 'host.nmae')} threshold.group_by: unknown field "host.nmae" (did you mean "host.name"?)`,
    ]);
    // Dynamic auditd.data.* fields and far-off names are not suspected.
    expect(parseRule(BASE.replace('event.action:executed', 'auditd.data.syscall:execve and custom.thing:1'), 'r.yml').errors).to.deep.equal([]);
  });

  it('a Lucene syntax error maps into the file', () => {
    const text = BASE.replace('query: event.action:executed', "language: lucene\nquery: 'file.path:/etc/passwd AND x:1'");
    expectOne(text, where(text, '/etc'), 'query: invalid Lucene query: Regular expression followed by text');
  });

  it('invalid handlebars templates', () => {
    const unclosed = BASE + 'notification: "{{process.name}} on {{#if host.name}}x"\n';
    expectOne(unclosed, '6:16', 'notification: invalid handlebars template: Parse error on line 1');
    const mismatch = BASE + 'notification: |\n  line one\n  {{#each process.args}}{{this}}{{/with}}\n';
    expectOne(mismatch, '8:6', "each doesn't match with"); // at the block name
    const helper = BASE + 'notification: "{{frobnicate process.name}}"\n';
    expectOne(helper, '6:16', 'unknown helper frobnicate');
    // The renderer's own helpers are known.
    expect(parseRule(BASE + 'notification: "{{join process.args \\" \\"}}"\n', 'r.yml').errors).to.deep.equal([]);
  });

  it('a document that is not a mapping', () => {
    expectOne('- id: x\n', '1:1', 'must be a YAML mapping');
  });

  it('reports every error of a file in one pass, sorted by position', () => {
    const text = 'id: Bad Id\nname: x\ndescription: y\nseverity: severe\nsevrity: high\nquery: "a:(b or )"\nschedule: { interval: 5mm }\n';
    const errors = errorsOf(text);
    expect(errors.map((e) => e.split(' ')[0])).to.deep.equal(['1:5', '4:11', '5:1', '6:17', '7:23']);
  });
});

describe('rules: loadRule / loadRules error handling', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-rules-'));
    fs.cpSync(GOOD, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loadRule throws RuleValidationError with file:line:col messages', () => {
    const file = path.join(dir, 'bad.yml');
    fs.writeFileSync(file, BASE + 'risk_score: 500\n');
    expect(() => loadRule(file)).to.throw(RuleValidationError, `${file}:6:13: "risk_score" must be an integer from 0 to 100 (got 500)`);
  });

  it('loadRules keeps loading past bad files, ignores non-YAML, and rejects duplicate ids', () => {
    fs.mkdirSync(path.join(dir, 'broken'));
    fs.writeFileSync(path.join(dir, 'broken', 'a.yml'), BASE.replace('severity: low', 'severity: nope'));
    fs.writeFileSync(path.join(dir, 'broken', 'b.yaml'), ': : :\n  - [');
    fs.writeFileSync(path.join(dir, 'README.md'), '# not a rule');
    fs.writeFileSync(path.join(dir, 'zz_dup.yml'), BASE.replace('test-rule', 'netcat-listener'));
    const { rules, errors } = loadRules(dir);
    expect(rules).to.have.length(4);
    const files = errors.map((e) => path.relative(dir, e.file));
    expect(files).to.include.members([path.join('broken', 'a.yml'), path.join('broken', 'b.yaml'), 'zz_dup.yml']);
    const dup = errors.find((e) => e.file.endsWith('zz_dup.yml'))!;
    expect([dup.line, dup.column]).to.deep.equal([1, 5]);
    expect(dup.detail).to.match(/duplicate rule id "netcat-listener" \(already used by .*netcat_listener\.yml\)/);
  });
});

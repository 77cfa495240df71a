import { expect } from 'chai';
import * as path from 'node:path';
import { loadRules, parseRule } from '../rules';
import { exportSecurityRules } from './security';
import { exportSavedSearches } from './kibana';
import { EqlTranslationError, eqlField, eqlString, kqlToEql } from './kql-to-eql';

const good = loadRules(path.join(__dirname, '..', 'rules', 'fixtures', 'good'));
const shipped = loadRules(path.join(__dirname, '..', '..', 'rules'));

describe('rule export', () => {
  it('loads the example rules it exports', () => {
    expect(good.errors).to.deep.equal([]);
    expect(good.rules.length).to.be.at.least(3);
  });

  it('Elastic Security NDJSON: one rule per line with the import API fields; sequences become EQL', () => {
    const out = exportSecurityRules(good.rules);
    const lines = out.ndjson.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).to.equal(out.exported.length);
    expect(out.exported.length + out.skipped.length).to.equal(good.rules.length);
    for (const r of lines) {
      expect(r).to.include.keys('rule_id', 'name', 'description', 'severity', 'risk_score', 'type', 'language', 'query', 'index', 'interval', 'from', 'threat');
      expect(r.language).to.be.oneOf(['kuery', 'lucene', 'eql']);
      expect(r.type === 'eql').to.equal(r.language === 'eql');
      expect(r.from).to.match(/^now-\d+s$/);
      for (const t of r.threat) {
        expect(t.framework).to.equal('MITRE ATT&CK');
        expect(t.tactic.reference).to.match(/^https:\/\/attack\.mitre\.org\/tactics\/TA\d{4}\/$/);
      }
    }
    expect(out.skipped).to.deep.equal([]);
    expect(lines.find((l) => l.rule_id === 'dropped-binary-executed')!.query).to.equal(
      'sequence by process.entry_leader.entity_id with maxspan=300s' +
        ' [any where event.action == "changed-file-permissions-of" and file.path like "/tmp/*"]' +
        ' [any where event.action == "executed" and process.executable like "/tmp/*"]',
    );
  });

  it('threshold and subtechnique map to Elastic fields', () => {
    const r = parseRule(
      `id: burst
name: Burst
description: d
severity: low
threat:
  - tactic: { id: TA0007, name: Discovery }
    technique: { id: T1059, name: Command and Scripting Interpreter }
    subtechnique: { id: T1059.004, name: Unix Shell }
query: 'process.name:id'
threshold: { group_by: [user.name], count: 5 }
schedule: { interval: 5s, lookback: 1m }
`,
      'b.yml',
    );
    expect(r.errors).to.deep.equal([]);
    const [line] = exportSecurityRules([r.rule!]).ndjson.trim().split('\n').map((l) => JSON.parse(l));
    expect(line.type).to.equal('threshold');
    expect(line.threshold).to.deep.equal({ field: ['user.name'], value: 5 });
    expect(line.from).to.equal('now-65s');
    expect(line.threat[0].technique[0].subtechnique[0]).to.deep.equal({ id: 'T1059.004', name: 'Unix Shell', reference: 'https://attack.mitre.org/techniques/T1059/004/' });
  });

  it('Kibana saved searches reference the data view and carry the rule query', () => {
    const lines = exportSavedSearches(good.rules, { dataViewId: 'auditsight-events' }).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).to.have.length(good.rules.length);
    for (const [i, so] of lines.entries()) {
      expect(so.type).to.equal('search');
      expect(so.references).to.deep.equal([{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: 'auditsight-events' }]);
      const src = JSON.parse(so.attributes.kibanaSavedObjectMeta.searchSourceJSON);
      const rule = good.rules[i].rule;
      if (!rule.sequence) expect(src.query.query).to.equal(rule.query);
      expect(src.query.language).to.be.oneOf(['kuery', 'lucene']);
    }
  });
});

// KQL -> EQL for sequence rules exported as Elastic Security EQL rules. The local Elasticsearch is the
// minimal distribution without x-pack-eql, so no query here can be sent to an EQL endpoint: the proof is
// a generator that follows EqlBase.g4 and exact expected strings.
describe('KQL to EQL', () => {
  const fields = {
    'process.name': 'keyword',
    'process.args': 'keyword',
    'process.args_count': 'long',
    'file.path': 'keyword',
    'process.interactive': 'boolean',
    'source.ip': 'ip',
    'process.name.text': 'text',
    '@timestamp': 'date',
    'x.score': 'double',
    'labels.my-tag': 'keyword',
    'event.sequence': 'long',
    grp: 'nested',
    'grp.a': 'keyword',
  };
  const eql = (kql: string) => kqlToEql(kql, { fields });

  const table: Array<[string, string]> = [
    ['process.name:curl', 'process.name == "curl"'],
    ['process.name:"curl"', 'process.name == "curl"'],
    ['process.name:true', 'process.name == "true"'],
    ['process.name:(curl or wget)', 'process.name in ("curl", "wget")'],
    ['process.name:(sh or bash) or process.name:zsh', 'process.name in ("sh", "bash", "zsh")'],
    ['process.name:(a and b)', 'process.name == "a" and process.name == "b"'],
    ['file.path:/tmp/*', 'file.path like "/tmp/*"'],
    ['file.path:*.sh', 'file.path like "*.sh"'],
    ['file.path:(/tmp/* or /dev/shm/*)', 'file.path like ("/tmp/*", "/dev/shm/*")'],
    ['file.path:(/tmp/* or /etc/passwd)', 'file.path like "/tmp/*" or file.path == "/etc/passwd"'],
    ['file.path:"/tmp/*"', 'file.path == "/tmp/*"'],
    // a literal * or ? inside a wildcard value: `like` cannot escape them, a Lucene regexp can
    ['file.path:/tmp/a\\*b*', 'file.path regex "/tmp/a\\\\*b.*"'],
    ['file.path:a?b.c*', 'file.path regex "a\\\\?b\\\\.c.*"'],
    ['process.args_count:1', 'process.args_count == 1'],
    ['process.args_count:+007', 'process.args_count == 7'],
    ['process.args_count:(1 or 2)', 'process.args_count in (1, 2)'],
    ['process.args_count >= 2', 'process.args_count >= 2'],
    ['process.args_count < -1 and process.name > m', 'process.args_count < -1 and process.name > "m"'],
    ['x.score <= 1.50', 'x.score <= 1.5'],
    ['process.interactive:false', 'process.interactive == false'],
    ['source.ip:10.0.0.0/8', 'cidrMatch(source.ip, "10.0.0.0/8")'],
    ['source.ip:10.1.2.3', 'cidrMatch(source.ip, "10.1.2.3/32")'],
    ['source.ip:"::1"', 'cidrMatch(source.ip, "::1/128")'],
    ['file.path:*', 'file.path != null'],
    ['*:*', 'true'],
    ['', 'true'],
    ['not process.name:bash', 'not (process.name == "bash")'],
    ['process.name:bash and not process.args:(-c or -i)', 'process.name == "bash" and not (process.args in ("-c", "-i"))'],
    ['not (process.name:sh and process.args:-c)', 'not (process.name == "sh" and process.args == "-c")'],
    ['(process.name:sh or process.args:-c) and file.path:/tmp/*', '(process.name == "sh" or process.args == "-c") and file.path like "/tmp/*"'],
    ['process.name:sh or (process.args:-c and file.path:/tmp/*)', 'process.name == "sh" or (process.args == "-c" and file.path like "/tmp/*")'],
    ['process.name:a and (process.name:b and process.name:c)', 'process.name == "a" and process.name == "b" and process.name == "c"'],
    ['labels.my-tag:x and event.sequence > 5', 'labels.`my-tag` == "x" and event.`sequence` > 5'],
  ];
  for (const [kql, want] of table) it(`${kql || '(empty)'}  ->  ${want}`, () => expect(eql(kql)).to.equal(want));

  it('escapes strings: backslash, double quote, control characters; other characters verbatim', () => {
    expect(eql('process.name:"a\\"b\\\\c"')).to.equal('process.name == "a\\"b\\\\c"');
    expect(eql('process.name:"tab\\there\\nnl\\rcr"')).to.equal('process.name == "tab\\there\\nnl\\rcr"');
    expect(eql('process.name:"\\u0001\\u007f"')).to.equal('process.name == "\\u{01}\\u{7f}"');
    expect(eql('file.path:"/tmp/é ✓\'x"')).to.equal('file.path == "/tmp/é ✓\'x"');
    expect(eql('file.path:C\\:\\\\dir\\\\*')).to.equal('file.path like "C:\\\\dir\\\\*"');
    expect(eqlString('')).to.equal('""');
  });

  it('escapes field names: segments that are not identifiers, or are EQL keywords, go in backticks', () => {
    expect(eqlField('@timestamp')).to.equal('@timestamp');
    expect(eqlField('process.entry_leader.entity_id')).to.equal('process.entry_leader.entity_id');
    expect(eqlField('process.2nd')).to.equal('process.`2nd`');
    expect(eqlField('a.my field.b')).to.equal('a.`my field`.b');
    expect(eqlField('my`field')).to.equal('`my``field`');
    expect(eqlField('x.In.any.Sequence')).to.equal('x.`In`.`any`.`Sequence`');
  });

  const untranslatable: Array<[string, string, RegExp]> = [
    ['process.name.text:curl', 'process.name.text: curl', /text field .*match/],
    ['@timestamp > now-1d', '@timestamp > now-1d', /date field/],
    ['grp:{ a:x }', 'grp: { a: x }', /nested/],
    ['curl', 'curl', /free-text/],
    ['process.*:curl', 'process.*: curl', /wildcard field name/],
    ['unknown.field:x', 'unknown.field: x', /not in the field-type map/],
    ['process.name:null', 'process.name: null', /null/],
    ['process.args_count:abc', 'process.args_count: abc', /not an integer/],
    ['process.args_count:1.5', 'process.args_count: 1.5', /not an integer/],
    ['process.args_count:1*', 'process.args_count: 1*', /wildcard on a long field/],
    ['source.ip:10.*', 'source.ip: 10.*', /wildcard on an ip field/],
    ['source.ip:nope', 'source.ip: nope', /not an IP/],
    ['source.ip:10.0.0.0/40', 'source.ip: 10.0.0.0/40', /not an IP/],
    ['process.interactive:yes', 'process.interactive: yes', /not true or false/],
    ['process.name:sh and not process.name.text:x', 'process.name.text: x', /text field/],
  ];
  for (const [kql, construct, why] of untranslatable) {
    it(`refuses ${kql}`, () => {
      let err: unknown;
      try {
        eql(kql);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(EqlTranslationError);
      expect((err as EqlTranslationError).construct).to.equal(construct);
      expect((err as Error).message).to.match(why).and.to.include(`\`${construct}\``);
    });
  }
});

describe('sequence rules as Elastic Security EQL rules', () => {
  const out = exportSecurityRules(shipped.rules);
  const byId = new Map(out.ndjson.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.rule_id, r]));

  it('exports every shipped rule (42), none skipped', () => {
    expect(shipped.errors).to.deep.equal([]);
    expect(shipped.rules).to.have.length(42);
    expect(out.skipped).to.deep.equal([]);
    expect(out.exported).to.have.length(42);
    expect(byId.size).to.equal(42);
    expect([...byId.values()].filter((r) => r.type === 'eql').map((r) => r.rule_id).sort()).to.deep.equal([
      'base64-decoded-to-shell',
      'download-chmod-execute',
      'system-binary-dropped-and-executed',
    ]);
  });

  const expected: Record<string, string> = {
    'download-chmod-execute':
      'sequence by process.entry_leader.entity_id with maxspan=60s' +
      ' [any where event.action == "executed" and event.outcome == "success" and process.name in ("curl", "wget", "fetch", "aria2c", "tftp", "ftp", "scp", "sftp", "rsync")]' +
      ' [any where event.action == "changed-file-permissions-of" and file.path != null and not (file.path like ("/usr/*", "/bin/*", "/sbin/*", "/lib/*", "/etc/*"))]' +
      ' [any where event.action == "executed" and event.outcome == "success" and not (process.executable like ("/usr/*", "/bin/*", "/sbin/*", "/lib/*", "/lib64/*", "/opt/*", "/snap/*"))]',
    'base64-decoded-to-shell':
      'sequence by process.entry_leader.entity_id with maxspan=5s' +
      ' [any where event.action == "executed" and event.outcome == "success" and ((process.name == "base64" and process.args in ("-d", "--decode", "-di", "-D")) or (process.name == "openssl" and process.args in ("base64", "enc") and process.args == "-d"))]' +
      ' [any where event.action == "executed" and event.outcome == "success" and ((process.name in ("sh", "bash", "dash", "zsh", "ksh") and process.args_count == 1 and not (process.args like "-*")) or (process.parent.name in ("sh", "bash", "dash", "zsh", "ksh") and process.parent.args_count == 1 and not (process.parent.args like "-*")))]',
    'system-binary-dropped-and-executed':
      'sequence by host.id, file.path with maxspan=60s' +
      ' [any where event.action == "changed-file-permissions-of" and file.path like ("/bin/*", "/sbin/*", "/usr/bin/*", "/usr/sbin/*", "/usr/local/bin/*", "/usr/local/sbin/*")]' +
      ' [any where event.action == "executed" and event.outcome == "success" and file.path like ("/bin/*", "/sbin/*", "/usr/bin/*", "/usr/sbin/*", "/usr/local/bin/*", "/usr/local/sbin/*")]',
  };
  for (const [id, query] of Object.entries(expected)) {
    it(`${id}: EQL sequence query, with the rule's other fields kept`, () => {
      const r = byId.get(id)!;
      const src = shipped.rules.find((c) => c.rule.id === id)!.rule;
      expect(r.type).to.equal('eql');
      expect(r.language).to.equal('eql');
      expect(r.query).to.equal(query);
      expect(r.tiebreaker_field).to.equal('auditd.sequence');
      expect(r).to.include({ name: src.name, severity: src.severity, risk_score: src.risk_score, interval: '5s', from: 'now-65s' });
      expect(r.index).to.deep.equal(src.index);
      expect(r.tags).to.deep.equal(['auditsight', ...src.tags]);
      expect(r.threat.map((t: { technique: Array<{ id: string }> }) => t.technique[0].id)).to.deep.equal(src.threat.map((t) => t.technique!.id));
      expect(r.alert_suppression).to.deep.equal({
        group_by: src.suppression!.group_by,
        duration: { value: src.suppression!.window.ms / 1000, unit: 's' },
        missing_fields_strategy: 'suppress',
      });
      expect(r).to.not.have.any.keys('threshold', 'skip');
    });
  }

  it('drops alert_suppression from EQL sequences only, on request (Kibana before 8.18)', () => {
    const older = exportSecurityRules(shipped.rules, { sequenceSuppression: false });
    const rules = older.ndjson.trim().split('\n').map((l) => JSON.parse(l));
    for (const r of rules) {
      const src = shipped.rules.find((c) => c.rule.id === r.rule_id)!.rule;
      expect(r.alert_suppression !== undefined, r.rule_id).to.equal(!!src.suppression && !src.sequence);
    }
  });

  const rule = (steps: string) =>
    parseRule(
      `id: seq-x
name: Seq
description: d
severity: low
threat: { tactic: { id: TA0002, name: Execution } }
sequence:
  steps:
${steps}
  join_on: [host.id]
  max_span: 1m
`,
      'seq-x.yml',
    );

  it('skips, with the rule, step and construct, a sequence whose step has no faithful EQL', () => {
    const r = rule(`    - { name: a, query: 'process.name:bash' }
    - { name: b, query: 'event.action:executed and process.name.text:curl' }`);
    expect(r.errors).to.deep.equal([]);
    const res = exportSecurityRules([r.rule!]);
    expect(res.ndjson).to.equal('');
    expect(res.exported).to.deep.equal([]);
    expect(res.skipped).to.have.length(1);
    expect(res.skipped[0].id).to.equal('seq-x');
    expect(res.skipped[0].reason).to.match(/^rule seq-x, step 2 \(b\): cannot translate query on a text field `process\.name\.text: curl` to EQL/);
  });

  it('skips a sequence with a Lucene step', () => {
    const r = rule(`    - { query: 'process.name:bash' }
    - { language: lucene, query: 'process.name:curl' }`);
    expect(r.errors).to.deep.equal([]);
    expect(exportSecurityRules([r.rule!]).skipped).to.deep.equal([
      { id: 'seq-x', reason: 'rule seq-x, step 2: a lucene step cannot be translated to EQL (only KQL steps are)' },
    ]);
  });
});

import { expect } from 'chai';
import * as path from 'node:path';
import { loadRules, parseRule } from '../rules';
import { exportSecurityRules } from './security';
import { exportSavedSearches } from './kibana';

const good = loadRules(path.join(__dirname, '..', 'rules', 'fixtures', 'good'));

describe('rule export', () => {
  it('loads the example rules it exports', () => {
    expect(good.errors).to.deep.equal([]);
    expect(good.rules.length).to.be.at.least(3);
  });

  it('Elastic Security NDJSON: one rule per line with the import API fields; sequences are reported, not mangled', () => {
    const out = exportSecurityRules(good.rules);
    const lines = out.ndjson.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).to.equal(out.exported.length);
    expect(out.exported.length + out.skipped.length).to.equal(good.rules.length);
    for (const r of lines) {
      expect(r).to.include.keys('rule_id', 'name', 'description', 'severity', 'risk_score', 'type', 'language', 'query', 'index', 'interval', 'from', 'threat');
      expect(r.language).to.be.oneOf(['kuery', 'lucene']);
      expect(r.from).to.match(/^now-\d+s$/);
      for (const t of r.threat) {
        expect(t.framework).to.equal('MITRE ATT&CK');
        expect(t.tactic.reference).to.match(/^https:\/\/attack\.mitre\.org\/tactics\/TA\d{4}\/$/);
      }
    }
    for (const s of out.skipped) expect(good.rules.find((r) => r.rule.id === s.id)!.rule.sequence).to.exist;
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

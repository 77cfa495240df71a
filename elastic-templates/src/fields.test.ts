import { expect } from 'chai';
import { AUDITBEAT_DATA_KEYS } from './auditbeat-keys';
import { alertFields, eventFields, fieldDef, SCHEMA_VERSION, type FieldDef } from './fields';
import { fullAlert, fullEvent, leafPaths } from './fixtures';
import { buildTemplateSet, hashOf } from './templates';

/** The definition that covers a document leaf: itself, or a flattened ancestor (auditd.paths.name). */
function covering(defs: readonly FieldDef[], path: string): FieldDef | undefined {
  const byName = new Map(defs.map((d) => [d.name, d]));
  if (byName.has(path)) return byName.get(path);
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const d = byName.get(parts.slice(0, i).join('.'));
    if (d?.type === 'flattened') return d;
  }
  return undefined;
}

/** Definitions that must appear as a leaf of the fully populated document. */
function expectedLeaves(defs: readonly FieldDef[]): string[] {
  return defs
    .filter((d) => !d.templateOnly && d.type !== 'object' && d.type !== 'flattened')
    // auditd.data is an open record: the fixture carries some known keys, not all ~200.
    .filter((d) => !d.name.startsWith('auditd.data.'))
    .map((d) => d.name);
}

describe('field definitions', () => {
  for (const [kind, defs, doc] of [
    ['event', eventFields(), fullEvent()],
    ['alert', alertFields(), fullAlert()],
  ] as const) {
    it(`define every leaf of a fully populated ${kind}`, () => {
      const missing = [...leafPaths(doc)].filter((p) => !covering(defs, p));
      expect(missing, 'leaves without a definition').to.deep.equal([]);
    });

    it(`define no ${kind} field that the ${kind} type lacks (no hand-spelled stray names)`, () => {
      const leaves = leafPaths(doc);
      expect(expectedLeaves(defs).filter((n) => !leaves.has(n))).to.deep.equal([]);
    });
  }

  it('every auditd.data key in the fixture is one Auditbeat maps', () => {
    const keys = [...leafPaths(fullEvent())].filter((p) => p.startsWith('auditd.data.')).map((p) => p.slice('auditd.data.'.length));
    expect(keys.filter((k) => !AUDITBEAT_DATA_KEYS.includes(k))).to.deep.equal([]);
  });

  it('takes ECS types from EcsFlat and Auditbeat types for auditd.*', () => {
    const type = (n: string) => fieldDef('events', n)?.type;
    expect(type('@timestamp')).to.equal('date');
    expect(type('destination.ip')).to.equal('ip');
    expect(type('host.ip')).to.equal('ip');
    expect(type('process.pid')).to.equal('long');
    expect(type('process.command_line')).to.equal('wildcard');
    expect(type('process.args')).to.equal('keyword');
    expect(type('error.message')).to.equal('match_only_text');
    expect(type('data_stream.namespace')).to.equal('constant_keyword');
    expect(type('auditd.sequence')).to.equal('long');
    expect(type('auditd.session')).to.equal('keyword');
    expect(type('auditd.summary.actor.primary')).to.equal('keyword');
    expect(type('auditd.data.syscall')).to.equal('keyword');
    expect(type('auditd.data.socket.port')).to.equal('keyword');
    expect(type('auditd.paths')).to.equal('flattened');
    expect(fieldDef('events', 'process.executable')?.textMultiField).to.equal('match_only_text');
    // Auditbeat keeps the raw records stored but unsearchable.
    expect(fieldDef('events', 'event.original')).to.include({ type: 'keyword', index: false, doc_values: false });
    expect(fieldDef('events', 'auditd.data')).to.include({ type: 'object', dynamic: false, subobjects: false });
  });

  it('types our non-ECS process/user names like their ECS counterparts', () => {
    expect(fieldDef('events', 'process.entry_meta.source.ip')).to.include({ type: 'ip', origin: 'ecs-like', like: 'process.entry_leader.entry_meta.source.ip' });
    expect(fieldDef('events', 'process.parent.parent.start')).to.include({ type: 'date', origin: 'ecs-like' });
    expect(fieldDef('events', 'user.audit.name')).to.include({ type: 'keyword', like: 'user.name' });
  });

  it('alerts carry rule.*, threat.*, event.severity/risk_score and auditsight.alert.*', () => {
    const type = (n: string) => fieldDef('alerts', n)?.type;
    expect(type('rule.name')).to.equal('keyword');
    expect(type('threat.technique.subtechnique.id')).to.equal('keyword');
    expect(type('event.severity')).to.equal('long');
    expect(type('event.risk_score')).to.equal('float');
    expect(type('auditsight.alert.source_event_ids')).to.equal('keyword');
    expect(type('auditsight.alert.window.start')).to.equal('date');
    expect(type('auditsight.alert.suppressed_count')).to.equal('long');
    expect(fieldDef('events', 'rule.name')).to.equal(undefined);
  });

  // Changing a definition or template body changes this fingerprint. Then bump SCHEMA_VERSION (so
  // installed clusters get upgraded) and record the new fingerprint here.
  it('schema fingerprint matches SCHEMA_VERSION', () => {
    const bodies = (['events', 'alerts'] as const).flatMap((k) =>
      [{ variant: 'full', flattened: true }, { variant: 'minimal', flattened: true }, { variant: 'minimal', flattened: false }].map((o) => {
        const s = buildTemplateSet(k, 'pin', o as never);
        return [s.componentTemplates.map((c) => c.body._meta.hash), s.indexTemplate.body._meta.hash];
      }),
    );
    const FINGERPRINTS: Record<number, string> = { 1: 'ad6d185e79e747ed', 2: '01aacde6e0cb1711' };
    expect({ version: SCHEMA_VERSION, fingerprint: hashOf(bodies) }).to.deep.equal({ version: SCHEMA_VERSION, fingerprint: FINGERPRINTS[SCHEMA_VERSION] });
  });
});

import { expect } from 'chai';
import { SCHEMA_VERSION } from './fields';
import { chooseVariant, type Capabilities } from './capabilities';
import { SetupError } from './errors';
import { roleDefinitions, formatRoleRequests } from './roles';
import { nonAdditiveChange } from './setup';
import { buildTemplateSet, fieldTypeMap, names, TEMPLATE_PRIORITY, validateNamespace } from './templates';

type Props = Record<string, { type?: string; properties?: Props; [k: string]: unknown }>;
const at = (props: Props, path: string) => {
  const parts = path.split('.');
  let p: Props = props;
  for (const part of parts.slice(0, -1)) p = p[part].properties!;
  return p[parts[parts.length - 1]];
};

describe('templates', () => {
  const full = buildTemplateSet('events', 'prod', { variant: 'full', flattened: true });
  const minimal = buildTemplateSet('events', 'prod', { variant: 'minimal', flattened: true });
  const props = (s: typeof full) => s.mappings.properties as Props;

  it('full: a data stream with ECS types (wildcard, match_only_text, constant_keyword)', () => {
    expect(full.names.target).to.deep.equal({ type: 'data_stream', name: 'logs-auditsight.events-prod' });
    expect(full.indexTemplate.body).to.include({ priority: TEMPLATE_PRIORITY });
    expect(full.indexTemplate.body.data_stream).to.deep.equal({});
    expect(at(props(full), 'process.command_line')).to.deep.equal({ type: 'wildcard', fields: { text: { type: 'match_only_text' } } });
    expect(at(props(full), 'data_stream.namespace')).to.deep.equal({ type: 'constant_keyword', value: 'prod' });
    expect(at(props(full), 'error.message')).to.deep.equal({ type: 'match_only_text' });
  });

  it('minimal: alias + index with keyword/text only, no data_stream fields', () => {
    expect(minimal.names.target).to.deep.equal({ type: 'alias', alias: 'auditsight-events-prod', firstIndex: 'auditsight-events-prod-000001', pattern: 'auditsight-events-prod-*' });
    expect(minimal.indexTemplate.body).to.not.have.property('data_stream');
    // The template must not carry the alias: rollover moves the write alias, templates would re-add it.
    expect(JSON.stringify(minimal.indexTemplate.body)).to.not.include('aliases');
    expect(at(props(minimal), 'process.command_line')).to.deep.equal({ type: 'keyword', ignore_above: 8191, fields: { text: { type: 'text' } } });
    expect(at(props(minimal), 'error.message')).to.deep.equal({ type: 'text' });
    expect(props(minimal)).to.not.have.property('data_stream');
    const types = new Set(Object.values(fieldTypeMap('events', { variant: 'minimal', flattened: true })));
    expect([...types].sort()).to.deep.equal(['boolean', 'date', 'flattened', 'ip', 'keyword', 'long', 'object', 'text']);
  });

  it('never lets documents grow the mapping: dynamic false, auditd.data without subobjects', () => {
    for (const s of [full, minimal]) {
      expect(s.mappings.dynamic).to.equal(false);
      const data = at(props(s), 'auditd.data');
      expect(data).to.include({ type: 'object', dynamic: false, subobjects: false });
      // Without subobjects, socket.* are dotted leaves, so a record key "syscall.x" cannot collide with syscall.
      expect((data.properties as Props)['socket.port']).to.deep.equal({ type: 'keyword', ignore_above: 1024 });
      expect(at(props(s), 'event.original')).to.deep.equal({ type: 'keyword', index: false, doc_values: false });
      expect(at(props(s), '@timestamp')).to.deep.equal({ type: 'date', ignore_malformed: false });
    }
  });

  it('falls back to an object of known PATH keys without flattened', () => {
    const s = buildTemplateSet('events', 'prod', { variant: 'minimal', flattened: false });
    const paths = at(props(s), 'auditd.paths');
    expect(paths).to.include({ type: 'object', dynamic: false });
    expect((paths.properties as Props).name).to.deep.equal({ type: 'keyword', ignore_above: 1024 });
    expect(fieldTypeMap('events', { variant: 'minimal', flattened: false })['auditd.paths.name']).to.equal('keyword');
  });

  it('puts version and hash in _meta of every template and mapping', () => {
    for (const s of [full, minimal, buildTemplateSet('alerts', 'prod', { variant: 'minimal', flattened: true })]) {
      for (const body of [...s.componentTemplates.map((c) => c.body), s.indexTemplate.body, s.mappings]) {
        expect(body._meta).to.include({ managed_by: 'auditsight', version: SCHEMA_VERSION, namespace: 'prod' });
        expect(body._meta.hash).to.match(/^[0-9a-f]{16}$/);
      }
    }
  });

  it('alerts are an alias + index in both variants', () => {
    for (const v of ['full', 'minimal'] as const) {
      expect(names('alerts', 'prod', v).target).to.deep.equal({ type: 'alias', alias: '.auditsight-alerts-prod', firstIndex: '.auditsight-alerts-prod-000001', pattern: '.auditsight-alerts-prod-*' });
    }
  });

  it('rejects namespaces that would make index patterns overlap or names invalid', () => {
    for (const bad of ['', 'Prod', 'a-b', '_x', 'a*', 'a b', 'x'.repeat(101)]) expect(() => validateNamespace(bad), bad).to.throw(/invalid namespace/);
    for (const ok of ['default', 'prod_eu', '0']) expect(() => validateNamespace(ok)).to.not.throw();
  });

  it('tells additive mapping changes from ones that need a rollover', () => {
    const cur = { a: { type: 'keyword' }, o: { properties: { x: { type: 'long' } } } };
    expect(nonAdditiveChange(cur, { ...cur, b: { type: 'ip' } })).to.equal(undefined);
    expect(nonAdditiveChange(cur, { a: { type: 'keyword', ignore_above: 10 } })).to.equal(undefined);
    expect(nonAdditiveChange(cur, { ...cur, a: { type: 'long' } })).to.match(/a changes type from keyword to long/);
    expect(nonAdditiveChange(cur, { ...cur, o: { type: 'object', subobjects: false, properties: {} } })).to.match(/o changes subobjects/);
  });
});

describe('variant choice', () => {
  const caps = (over: Partial<Capabilities> = {}): Capabilities => ({
    url: 'http://es:9200', version: '8.19.8', major: 8, minor: 19, modules: [], dataStreams: true, ilm: true, ingestPipelines: true,
    fieldTypes: { wildcard: true, match_only_text: true, constant_keyword: true, flattened: true },
    ...over,
  });

  it('picks full when everything is there and minimal otherwise, saying why', () => {
    expect(chooseVariant(caps()).variant).to.equal('full');
    const c = chooseVariant(caps({ dataStreams: false, fieldTypes: { wildcard: false, match_only_text: true, constant_keyword: true, flattened: false } }));
    expect(c.variant).to.equal('minimal');
    expect(c.reasons.join('\n')).to.match(/lacks field type wildcard, the data stream API/).and.match(/flattened is not supported/);
  });

  it('refuses a requested full variant the cluster cannot hold', () => {
    expect(() => chooseVariant(caps({ dataStreams: false }), 'full')).to.throw(SetupError, /full variant needs the data stream API/);
    expect(chooseVariant(caps(), 'minimal').variant).to.equal('minimal');
  });
});

describe('roles', () => {
  it('grants the shipper append-only access to the events target, and its dead letter, and nothing else', () => {
    const r = roleDefinitions({ namespace: 'prod', variant: 'minimal' });
    expect(r.auditsight_shipper).to.deep.include({
      cluster: [],
      indices: [
        { names: ['auditsight-events-prod', 'auditsight-events-prod-*'], privileges: ['create_doc', 'view_index_metadata'] },
        { names: ['auditsight-deadletter-prod'], privileges: ['create_doc', 'create_index'] },
      ],
    });
    expect(roleDefinitions({ namespace: 'prod', variant: 'full' }).auditsight_shipper.indices[0]).to.deep.equal({
      names: ['logs-auditsight.events-prod'],
      privileges: ['create_doc', 'view_index_metadata', 'auto_configure'],
    });
    expect(r.auditsight_engine.indices.map((i) => i.privileges)).to.deep.equal([['read', 'view_index_metadata'], ['read', 'index', 'view_index_metadata']]);
    expect(formatRoleRequests({ namespace: 'prod', variant: 'minimal' })).to.match(/^PUT _security\/role\/auditsight_setup\n\{/);
  });
});

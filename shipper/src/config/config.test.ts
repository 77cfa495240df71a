import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { flagValues } from '../cli/commands/ship';
import { ConfigError, KEYS, loadConfig, MASK, printConfig, type LoadOptions } from '.';

const ES = { ELASTICSEARCH_URL: 'http://127.0.0.1:9200' };

describe('ship configuration', () => {
  let dir: string;
  const file = (text: string, name = 'auditsight.yml') => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  /** The issues of a load that must fail. */
  const issues = (opts: LoadOptions): string[] => {
    try {
      loadConfig(opts);
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      return (e as ConfigError).issues;
    }
    throw new Error('expected a ConfigError');
  };
  const fileIssues = (text: string, env: NodeJS.ProcessEnv = ES) => issues({ file: file(text), env }).map((i) => i.replace(dir + path.sep, ''));

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults: tail of audit.log, state in /var/lib/auditsight, block, fsync always, metrics on 127.0.0.1:9477', () => {
    const { config } = loadConfig({ env: ES });
    expect(config.input).to.deep.include({ type: 'tail', path: '/var/log/audit/audit.log', from: 'start' });
    expect(config.stateDir).to.equal('/var/lib/auditsight');
    expect(config.queue).to.deep.equal({ maxBytes: 256 * 1024 * 1024, policy: 'block', fsync: 'always', fsyncIntervalMs: 1000 });
    expect(config.metrics.listen).to.deep.equal({ host: '127.0.0.1', port: 9477 });
    expect(config.outputs.elasticsearch).to.deep.include({ url: 'http://127.0.0.1:9200', namespace: 'default' });
    expect(config.outputs.elasticsearch!.deadLetter).to.deep.equal({ index: 'auditsight-deadletter-default', file: '/var/lib/auditsight/deadletter.ndjson' });
  });

  it('precedence: flags > AUDITSIGHT_* env > generic ELASTICSEARCH_* env > file > defaults', () => {
    const f = file('queue:\n  policy: drop-newest\n  max_bytes: 1GiB\noutputs:\n  elasticsearch:\n    url: http://file:9200\n    batch: {max_events: 10}\nlogging: {level: debug}\n');
    const env = { ELASTICSEARCH_URL: 'http://generic:9200', AUDITSIGHT_QUEUE_POLICY: 'drop-oldest', AUDITSIGHT_OUTPUTS_ELASTICSEARCH_BATCH_MAX_EVENTS: '20' };
    const { config, settings } = loadConfig({ file: f, env, flags: [{ key: 'outputs.elasticsearch.batch.max_events', value: '30', flag: '--set x' }] });
    expect(config.queue.maxBytes).to.equal(1024 ** 3); // file
    expect(config.queue.policy).to.equal('drop-oldest'); // env over file
    expect(config.outputs.elasticsearch!.url).to.equal('http://generic:9200'); // generic env over file
    expect(config.outputs.elasticsearch!.batch.maxEvents).to.equal(30); // flag over env
    expect(config.logging.level).to.equal('debug');
    expect(config.queue.fsync).to.equal('always'); // default
    expect(settings.get('queue.max_bytes')!.source).to.equal(`${f}:3`);
    expect(settings.get('queue.policy')!.source).to.equal('env AUDITSIGHT_QUEUE_POLICY');
    const specific = loadConfig({ env: { ...env, AUDITSIGHT_OUTPUTS_ELASTICSEARCH_URL: 'http://specific:9200' } });
    expect(specific.config.outputs.elasticsearch!.url).to.equal('http://specific:9200');
    expect(loadConfig({ env: { ...ES, AUDITSIGHT_LOG_LEVEL: 'warn' } }).config.logging.level).to.equal('warn');
  });

  it('flags of `auditsight ship` map to keys (--replay, --plugin, --es-*, --set)', () => {
    const flags = flagValues({ replay: ['a.log', 'b.gz'], esUrl: 'http://x:9200', esApiKey: 'k', queuePolicy: 'drop-newest', set: ['metrics.listen=off'] });
    const { config } = loadConfig({ env: {}, flags });
    expect(config.input).to.deep.include({ type: 'replay', files: ['a.log', 'b.gz'] });
    expect(config.outputs.elasticsearch).to.deep.include({ url: 'http://x:9200', apiKey: 'k' });
    expect(config.queue.policy).to.equal('drop-newest');
    expect(config.metrics.listen).to.equal(undefined);
    expect(loadConfig({ env: ES, flags: flagValues({ plugin: true }) }).config.input.type).to.equal('plugin');
    expect(() => flagValues({ set: ['novalue'] })).to.throw(/--set expects key=value/);
  });

  it('value errors name the file and line, and every problem is reported at once', () => {
    const got = fileIssues(
      [
        'outputs:', //                       1
        '  elasticsearch:', //               2
        '    url: ftp://x', //               3
        '    namespace: Bad-NS', //          4
        '    batch:', //                     5
        '      max_events: abc', //          6
        '      max_bytes: lots', //          7
        '  fluent: {host: h, port: 70000}', // 8
        'queue:', //                         9
        '  policy: drop', //                 10
        '  fsync_interval_ms: 0', //         11
        'metrics: {listen: "localhost"}', // 12
        'enrich: {enabled: maybe}', //       13
        'input: {files: 5, path: {a: 1}}', // 14
        'kernel: {lost_poll_interval_s: -1}', // 15
      ].join('\n'),
    );
    expect(got).to.deep.equal([
      'auditsight.yml:3: outputs.elasticsearch.url must be an http(s) URL, got "ftp://x"',
      'auditsight.yml:4: outputs.elasticsearch.namespace must be 1-100 characters a-z, 0-9 and _, not starting with _, got "Bad-NS"',
      'auditsight.yml:6: outputs.elasticsearch.batch.max_events must be a positive integer, got "abc"',
      'auditsight.yml:7: outputs.elasticsearch.batch.max_bytes must be a size in bytes (e.g. 268435456, 256MiB, 1GiB), got "lots"',
      'auditsight.yml:8: outputs.fluent.port must be at most 65535, got 70000',
      'auditsight.yml:10: queue.policy must be one of block, drop-oldest, drop-newest, got "drop"',
      'auditsight.yml:11: queue.fsync_interval_ms must be a positive integer, got 0',
      'auditsight.yml:12: metrics.listen must be host:port (e.g. 127.0.0.1:9477) or off, got "localhost"',
      'auditsight.yml:13: enrich.enabled must be true or false, got "maybe"',
      'auditsight.yml:14: input.files must be a list of file names, got 5',
      'auditsight.yml:14: input.path must be a string, got a mapping',
      'auditsight.yml:15: kernel.lost_poll_interval_s must be a non-negative integer, got -1',
    ]);
  });

  it('structure errors: unknown keys (with a suggestion), sections that are not mappings, a top level that is not one', () => {
    expect(fileIssues('outputs:\n  fluentd:\n    host: x\nqueue:\n  polcy: block\nbogus: 1\n')).to.deep.equal([
      'auditsight.yml:2: unknown key outputs.fluentd (did you mean outputs.fluent?)',
      'auditsight.yml:5: unknown key queue.polcy (did you mean queue.policy?)',
      'auditsight.yml:6: unknown key bogus',
    ]);
    expect(fileIssues('queue: 5\n')).to.deep.equal(['auditsight.yml:1: queue must be a mapping of keys']);
    expect(fileIssues('- a\n- b\n')).to.deep.equal(['auditsight.yml:1: the top level must be a mapping of keys']);
    expect(fileIssues('state_dir: ""\n')).to.deep.equal(['auditsight.yml:1: state_dir must not be empty']);
  });

  it('YAML syntax errors and duplicate keys carry the line', () => {
    expect(fileIssues('queue:\n  policy: [block\n')[0]).to.match(/^auditsight\.yml:\d+: YAML syntax error: /);
    expect(fileIssues('queue:\n  policy: block\n  policy: drop-oldest\n')[0]).to.match(/^auditsight\.yml:3: YAML syntax error: .*[Uu]nique/);
  });

  it('the file: an empty one is fine, a missing default is skipped, a missing explicit one is an error', () => {
    expect(loadConfig({ file: file(''), env: ES }).config.input.type).to.equal('tail');
    expect(loadConfig({ file: path.join(dir, 'absent.yml'), env: ES }).config.input.type).to.equal('tail');
    expect(issues({ file: path.join(dir, 'absent.yml'), fileRequired: true, env: ES })).to.deep.equal([`${path.join(dir, 'absent.yml')}: cannot read the configuration file (ENOENT)`]);
  });

  it('environment and flag errors name the variable or the flag', () => {
    expect(issues({ env: { ...ES, AUDITSIGHT_QUEUE_POLICY: 'sometimes', AUDITSIGHT_QUEUE_MAX_BYTES: '-5' } })).to.deep.equal([
      'env AUDITSIGHT_QUEUE_MAX_BYTES: queue.max_bytes must be a size in bytes (e.g. 268435456, 256MiB, 1GiB), got "-5"',
      'env AUDITSIGHT_QUEUE_POLICY: queue.policy must be one of block, drop-oldest, drop-newest, got "sometimes"',
    ]);
    expect(issues({ env: { ELASTICSEARCH_URL: 'not a url' } })).to.deep.equal(['env ELASTICSEARCH_URL: outputs.elasticsearch.url must be an http(s) URL, got "not a url"']);
    expect(issues({ env: ES, flags: flagValues({ queueMaxBytes: '12 parsecs', set: ['queue.polciy=block'] }) })).to.deep.equal([
      'flag --queue-max-bytes: queue.max_bytes must be a size in bytes (e.g. 268435456, 256MiB, 1GiB), got "12 parsecs"',
      'flag --set queue.polciy: unknown key queue.polciy (did you mean queue.policy?)',
    ]);
  });

  it('checks across keys: replay needs files, one output at least, one auth method, readable CA, ES keys need a URL', () => {
    expect(issues({ env: ES, flags: [{ key: 'input.type', value: 'replay', flag: '--input' }] })).to.deep.equal([
      'flag --input: input.type is replay but input.files is empty (use --replay FILES)',
    ]);
    expect(issues({ env: {} })).to.deep.equal([
      'no output configured: set outputs.elasticsearch.url (or ELASTICSEARCH_URL / --es-url), outputs.fluent.host or outputs.ndjson.path',
    ]);
    expect(issues({ env: { ...ES, ELASTICSEARCH_API_KEY: 'k', ELASTICSEARCH_USERNAME: 'u' } })).to.deep.equal([
      'env ELASTICSEARCH_USERNAME: set either outputs.elasticsearch.api_key (env ELASTICSEARCH_API_KEY) or outputs.elasticsearch.username, not both',
    ]);
    expect(issues({ env: { ...ES, ELASTICSEARCH_PASSWORD: 'p' } })).to.deep.equal([
      'env ELASTICSEARCH_PASSWORD: outputs.elasticsearch.password is set but outputs.elasticsearch.username is not',
    ]);
    expect(fileIssues('outputs: {elasticsearch: {ca: /nonexistent/ca.pem}}\n')).to.deep.equal([
      'auditsight.yml:1: outputs.elasticsearch.ca cannot be read: /nonexistent/ca.pem (ENOENT)',
    ]);
    expect(fileIssues('outputs: {elasticsearch: {api_key: k}, ndjson: {path: "-"}}\n', {})).to.deep.equal([
      'auditsight.yml:1: outputs.elasticsearch.api_key is set but outputs.elasticsearch.url is not (set it or ELASTICSEARCH_URL)',
    ]);
  });

  it('--print-config masks secrets and names the source of non-default values', () => {
    const f = file('outputs:\n  elasticsearch:\n    url: http://es:9200\n    username: shipper\n');
    const { settings } = loadConfig({ file: f, env: { ELASTICSEARCH_PASSWORD: 's3cret-pw' }, flags: flagValues({ esApiKey: undefined, set: ['queue.policy=drop-oldest'] }) });
    const text = printConfig(settings);
    expect(text).to.not.include('s3cret-pw');
    expect(text).to.include(`password: "${MASK}" # env ELASTICSEARCH_PASSWORD`);
    expect(text).to.include(`url: http://es:9200 # ${f}:3`);
    expect(text).to.include('policy: drop-oldest # flag --set queue.policy');
    for (const k of KEYS.filter((k) => k.secret)) expect(k.key).to.match(/api_key|password/);
  });

  it('the shipped example file is valid and documents every key', () => {
    const example = path.resolve(__dirname, '../../auditsight.example.yml');
    const { config } = loadConfig({ file: example, fileRequired: true, env: {} });
    expect(config.outputs.elasticsearch!.batch).to.deep.equal({ maxEvents: 2000, maxBytes: 5 * 1024 * 1024 });
    const text = fs.readFileSync(example, 'utf8');
    for (const k of KEYS) expect(text, k.key).to.include(`${k.key.split('.').at(-1)}:`);
  });
});

// `auditsight ship`: run the shipper (tail audit.log, auditd plugin stdin, or replay archives) until
// SIGTERM/SIGINT or the end of a replay. Configuration: --config YAML < env < these flags.
import type { Command } from 'commander';
import { esOptions, type EsFlags } from './es-options';

interface ShipFlags extends EsFlags {
  config?: string;
  input?: string;
  path?: string;
  from?: string;
  replay?: string[];
  replayHost?: string;
  plugin?: boolean;
  stateDir?: string;
  queueMaxBytes?: string;
  queuePolicy?: string;
  fsync?: string;
  namespace?: string;
  esIndex?: string;
  fluentHost?: string;
  fluentPort?: string;
  fluentTag?: string;
  ndjson?: string;
  metricsListen?: string;
  logLevel?: string;
  set?: string[];
  printConfig?: boolean;
  progress?: boolean;
}

export const DEFAULT_CONFIG = '/etc/auditsight/auditsight.yml';

/** Flag -> config key. Flags are strings; the config loader converts and validates them like env values. */
const FLAG_KEYS: Array<[keyof ShipFlags, string, string]> = [
  ['input', 'input.type', '--input'],
  ['path', 'input.path', '--path'],
  ['replayHost', 'input.replay_host', '--replay-host'],
  ['from', 'input.from', '--from'],
  ['stateDir', 'state_dir', '--state-dir'],
  ['queueMaxBytes', 'queue.max_bytes', '--queue-max-bytes'],
  ['queuePolicy', 'queue.policy', '--queue-policy'],
  ['fsync', 'queue.fsync', '--fsync'],
  ['esUrl', 'outputs.elasticsearch.url', '--es-url'],
  ['esApiKey', 'outputs.elasticsearch.api_key', '--es-api-key'],
  ['esUser', 'outputs.elasticsearch.username', '--es-user'],
  ['esPassword', 'outputs.elasticsearch.password', '--es-password'],
  ['esCa', 'outputs.elasticsearch.ca', '--es-ca'],
  ['namespace', 'outputs.elasticsearch.namespace', '--namespace'],
  ['esIndex', 'outputs.elasticsearch.index', '--es-index'],
  ['fluentHost', 'outputs.fluent.host', '--fluent-host'],
  ['fluentPort', 'outputs.fluent.port', '--fluent-port'],
  ['fluentTag', 'outputs.fluent.tag', '--fluent-tag'],
  ['ndjson', 'outputs.ndjson.path', '--ndjson'],
  ['metricsListen', 'metrics.listen', '--metrics-listen'],
  ['logLevel', 'logging.level', '--log-level'],
];

export function flagValues(o: ShipFlags): Array<{ key: string; value: unknown; flag: string }> {
  const out: Array<{ key: string; value: unknown; flag: string }> = [];
  for (const [prop, key, flag] of FLAG_KEYS) if (o[prop] !== undefined) out.push({ key, value: o[prop], flag });
  if (o.plugin) out.push({ key: 'input.type', value: 'plugin', flag: '--plugin' });
  if (o.replay?.length) {
    out.push({ key: 'input.type', value: 'replay', flag: '--replay' });
    out.push({ key: 'input.files', value: o.replay, flag: '--replay' });
  }
  for (const kv of o.set ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`--set expects key=value, got ${JSON.stringify(kv)}`);
    out.push({ key: kv.slice(0, i).trim(), value: kv.slice(i + 1), flag: `--set ${kv.slice(0, i).trim()}` });
  }
  return out;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerShip(program: Command): void {
  esOptions(
    program
      .command('ship')
      .description('ship audit events: tail audit.log (default), read the auditd plugin stdin (--plugin), or replay archives (--replay FILES)')
      .option('-c, --config <file>', `YAML configuration (default ${DEFAULT_CONFIG} if it exists; env AUDITSIGHT_CONFIG)`)
      .option('--input <type>', 'tail | plugin | replay')
      .option('--path <file>', 'tail: the audit log to follow')
      .option('--from <where>', 'tail without a checkpoint: start | end')
      .option('--replay <files...>', 'replay these files (plain or gzip), in this order, then exit with a summary')
      .option('--replay-host <name>', 'replay: the host the logs came from (host.name, host.id)')
      .option('--plugin', 'read records from stdin (auditd plugins.d, format = string)')
      .option('--state-dir <dir>', 'queue, checkpoints, enricher snapshot')
      .option('--queue-max-bytes <size>', 'queue bound (e.g. 256MiB)')
      .option('--queue-policy <policy>', 'block | drop-oldest | drop-newest')
      .option('--fsync <mode>', 'always | interval | never')
      .option('--namespace <ns>', 'the namespace `auditsight setup` installed')
      .option('--es-index <name>', 'write target override')
      .option('--fluent-host <host>', 'enable the Fluentd forward output')
      .option('--fluent-port <port>', 'forward port')
      .option('--fluent-tag <tag>', 'fluent tag')
      .option('--ndjson <path>', 'enable the NDJSON output (a file, or - for stdout)')
      .option('--metrics-listen <addr>', '/metrics and /healthz address (host:port or off)')
      .option('--log-level <level>', 'trace | debug | info | warn | error')
      .option('--set <key=value>', 'any configuration key, e.g. --set outputs.elasticsearch.batch.max_events=500 (repeatable)', collect)
      .option('--print-config', 'print the effective configuration (secrets masked) and exit')
      .option('--no-progress', 'replay: no progress line on stderr'),
  ).action(async (o: ShipFlags) => {
    // Loaded here, not at the top: `auditsight --help` should not pay for the pipeline and the ES client.
    const { loadConfig, printConfig, maskedValues } = require('../../config') as typeof import('../../config');
    const { Daemon } = require('../../daemon/daemon') as typeof import('../../daemon/daemon');
    const { ProgressBar, formatSummary } = require('../../daemon/progress') as typeof import('../../daemon/progress');
    const explicit = o.config ?? process.env.AUDITSIGHT_CONFIG;
    const { config, settings } = loadConfig({ file: explicit ?? DEFAULT_CONFIG, fileRequired: explicit !== undefined, env: process.env, flags: flagValues(o) });
    if (o.printConfig) {
      process.stdout.write(printConfig(settings));
      return;
    }
    const isReplay = config.input.type === 'replay';
    let bar: InstanceType<typeof ProgressBar> | undefined;
    const daemon: InstanceType<typeof Daemon> = new Daemon({ config, onReplayProgress: (p) => bar?.update(p) });
    daemon.logger.info({ config: maskedValues(settings) }, 'effective configuration');
    const { runtimeWarning } = require('../../daemon/runtime') as typeof import('../../daemon/runtime');
    const unsupported = runtimeWarning(process.version, new Date());
    if (unsupported) daemon.logger.warn({ node: process.version }, unsupported);
    if (isReplay && o.progress !== false) {
      bar = new ProgressBar(process.stderr, () => daemon.pipeline?.stats.events ?? 0, () => (daemon.queue && !daemon.queue.isClosed ? daemon.queue.retained().events : 0));
    }
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        // A second Ctrl-C: the user does not want to wait for the drain. The queue keeps what was not shipped.
        daemon.logger.warn(`${sig} again: exiting without waiting for the outputs`);
        process.exit(130);
      }
      daemon.logger.info(`${sig}: shutting down (send it again to exit at once)`);
      void daemon.stop(sig);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    const redraw = bar ? setInterval(() => bar!.draw(false), 500) : undefined;
    await daemon.start();
    const summary = await daemon.done;
    if (redraw) clearInterval(redraw);
    bar?.done();
    if (isReplay) {
      // stdout carries events when the NDJSON output writes there; the summary then goes to stderr.
      const out = config.outputs.ndjson?.path === '-' ? process.stderr : process.stdout;
      out.write(`${formatSummary(summary)}\n`);
    }
    if (summary.failure) throw new Error(summary.failure);
    if (isReplay && summary.queued > 0) process.exitCode = 1;
  });
}

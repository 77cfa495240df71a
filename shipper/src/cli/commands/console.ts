// `auditsight console`: the process-details app and its routes on an express server, for teams without
// Kibana (the same bundle and handlers the Kibana plugin registers).
import type { Command } from 'commander';
import { esOptions, type EsFlags } from './es-options';

export interface ConsoleFlags extends EsFlags {
  namespace?: string;
  host: string;
  port: string;
  rebuild?: boolean;
}

export function registerConsole(program: Command): void {
  esOptions(
    program
      .command('console')
      .description('serve the process-details app (alerts, process, ancestry, session, network, search) on a local web server')
      .option('--namespace <ns>', 'show only this namespace (default: every auditsight namespace on the cluster)')
      .option('--host <addr>', 'listen address; keep it on loopback unless a proxy adds authentication', '127.0.0.1')
      .option('--port <port>', 'listen port', '5602')
      .option('--rebuild', 'rebuild the app bundle first'),
  ).action(async (o: ConsoleFlags) => (require('./console-run') as typeof import('./console-run')).runConsole(o));
}

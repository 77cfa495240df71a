// `auditsight`: thin commands over the modules. Each command's module is loaded only when it runs, so
// `auditsight parse` does not pay for the console's React bundle or the Elasticsearch client.
import { Command } from 'commander';
import { registerCommands } from './commands';

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('auditsight')
    .description(
      'Off-box forensics and detection for Linux servers on the Elastic stack.\n' +
        'Kernel audit records -> ECS events (Auditbeat-compatible) -> Elasticsearch -> detections and process drilldowns.',
    )
    .version(require('../../../package.json').version)
    .showHelpAfterError();
  registerCommands(program);
  await program.parseAsync(argv);
}

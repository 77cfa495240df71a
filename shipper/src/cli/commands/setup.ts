// `auditsight setup`: install or upgrade the cluster-side schema (templates, write targets) and print
// what was done; `--roles` prints the least-privilege role requests instead.
import type { Command } from 'commander';
import { connectionFrom, esOptions, type EsFlags } from './es-options';

interface SetupFlags extends EsFlags {
  namespace: string;
  variant: 'auto' | 'full' | 'minimal';
  dryRun?: boolean;
  roles?: boolean;
}

export function registerSetup(program: Command): void {
  esOptions(
    program
      .command('setup')
      .description('install or upgrade the index templates and write targets (idempotent, versioned; detects full vs minimal cluster)')
      .option('--namespace <ns>', 'namespace of the indices (logs-auditsight.events-<ns> / auditsight-events-<ns>)', 'default')
      .option('--variant <v>', 'auto | full | minimal', 'auto')
      .option('--dry-run', 'print the planned actions and write nothing')
      .option('--roles', 'print the least-privilege role requests (setup, shipper, engine) for this namespace'),
  ).action(async (o: SetupFlags) => {
    const conn = connectionFrom(o);
    if (!conn) throw new Error('no cluster: set ELASTICSEARCH_URL or --es-url (or use `auditsight up` for a managed local node)');
    // Loaded here, not at the top: every command's module is loaded by the CLI, and the template builder
    // pulls in all of ECS, which the shipper (`auditsight ship`) would otherwise carry in its heap.
    const { createClient } = require('../../../../common/es/client') as typeof import('../../../../common/es/client');
    const { describeReport, setup } = require('../../../../elastic-templates/src/setup') as typeof import('../../../../elastic-templates/src/setup');
    const { formatRoleRequests } = require('../../../../elastic-templates/src/roles') as typeof import('../../../../elastic-templates/src/roles');
    const client = createClient(conn);
    try {
      const report = await setup(client, { namespace: o.namespace, variant: o.variant, dryRun: o.dryRun || o.roles });
      if (o.roles) {
        console.log(formatRoleRequests({ namespace: o.namespace, variant: report.variant }));
        return;
      }
      for (const line of describeReport(report)) console.log(line);
    } finally {
      await client.close();
    }
  });
}

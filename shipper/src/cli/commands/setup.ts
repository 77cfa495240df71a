// `auditsight setup`: install or upgrade the cluster-side schema (templates, write targets) and print
// what was done; `--roles` prints the least-privilege role requests instead.
import type { Command } from 'commander';
import { createClient } from '../../../../common/es/client';
import { describeReport, setup } from '../../../../elastic-templates/src/setup';
import { formatRoleRequests } from '../../../../elastic-templates/src/roles';
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

// One secured node (x-pack security, basic auth) for: a wrong password gives a clear "unauthorized", and
// the roles in roles.ts are sufficient for their job and no more (setup as the shipper is refused).
// The integ-test-zip cannot store native users or roles without test/es-analysis-shim (the .security index
// needs analysis-common; shipper/src/outputs/security.test.ts loads the shim for API keys), so here the
// roles and users go into the file realm (roles.yml, users, users_roles), which the node reloads.
import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { createClient } from '../../common/es/client';
import { findJavaHome, unpack } from '../../common/es/distribution';
import { ES_USER, startManagedElasticsearch, type ManagedElasticsearch } from '../../common/es/managed';
import { SetupError } from './errors';
import { fullAlert, fullEvent } from './fixtures';
import { roleDefinitions, type RoleDescriptor } from './roles';
import { setup } from './setup';

const USER_PASSWORD = 'user-pw-123';

/** Adds file-realm roles and one user per role (named like the role without `auditsight_`). */
function addFileRealmUsers(es: ManagedElasticsearch, roles: Record<string, RoleDescriptor>): void {
  const conf = path.join(es.workDir, 'config');
  // roles.yml takes the same role descriptors as the role API.
  fs.writeFileSync(path.join(conf, 'roles.yml'), YAML.stringify(roles));
  const home = unpack(es.version);
  const javaHome = findJavaHome(es.version);
  const env: NodeJS.ProcessEnv = { ...process.env, ES_PATH_CONF: conf, ES_JAVA_HOME: javaHome, JAVA_HOME: javaHome };
  delete env.JAVA_TOOL_OPTIONS;
  for (const name of Object.keys(roles)) {
    execFileSync(path.join(home, 'bin', 'elasticsearch-users'), ['useradd', name.replace('auditsight_', ''), '-p', USER_PASSWORD, '-r', name], { env, stdio: 'ignore' });
  }
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', `${ES_USER}:`, conf]);
}

describe('setup on a secured cluster @integration', function () {
  this.timeout(240_000);
  const password = 'auditsight-test-pw';
  const ns = 'sec';
  let es: ManagedElasticsearch;
  const clients: Client[] = [];
  const as = (username: string, pw = USER_PASSWORD) => {
    const c = createClient({ url: es.url, username, password: pw, maxRetries: 0 });
    clients.push(c);
    return c;
  };

  before(async () => {
    es = await startManagedElasticsearch({ security: { password } });
    const roles = roleDefinitions({ namespace: ns, variant: 'minimal' });
    addFileRealmUsers(es, roles);
    // The file realm polls its files every 5 s; wait until every user holds its role's privileges
    // (authenticate alone lists assigned roles even before roles.yml is loaded).
    const deadline = Date.now() + 90_000;
    for (const [name, role] of Object.entries(roles)) {
      const c = as(name.replace('auditsight_', ''));
      for (;;) {
        const r = await c.security.hasPrivileges({ index: [role.indices[0]] }).catch(() => undefined);
        if (r?.has_all_requested) break;
        if (Date.now() > deadline) throw new Error(`file realm user for ${name} did not get its privileges within 90 s`);
        await new Promise((res) => setTimeout(res, 500));
      }
    }
  });
  after(async () => {
    for (const c of clients) await c.close();
    await es?.stop();
  });

  it('reports a wrong password as unauthorized, naming the URL', async () => {
    const err = await setup(as('elastic', 'wrong-password'), { namespace: ns }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SetupError).and.include({ code: 'unauthorized' });
    expect((err as Error).message).to.match(/^unauthorized: Elasticsearch at http:\/\/127\.0\.0\.1:\d+ rejected the credentials \(401\)/);
  });

  it('installs with exactly the auditsight_setup role', async () => {
    const r = await setup(as('setup'), { namespace: ns });
    expect(r).to.include({ status: 'installed', variant: 'minimal' });
    expect((await setup(as('setup'), { namespace: ns })).status).to.equal('unchanged');
  });

  it('lets the shipper append events and nothing else; setup as the shipper names the missing privilege', async () => {
    const shipper = as('shipper');
    const res = await shipper.index({ index: `auditsight-events-${ns}`, document: fullEvent(), op_type: 'create', refresh: true });
    expect(res.result).to.equal('created');
    const overwrite = await shipper.index({ index: `auditsight-events-${ns}`, id: res._id, document: fullEvent() }).catch((e: { meta?: { statusCode?: number } }) => e.meta?.statusCode);
    expect(overwrite).to.equal(403);
    const del = await shipper.delete({ index: res._index, id: res._id }).catch((e: { meta?: { statusCode?: number } }) => e.meta?.statusCode);
    expect(del).to.equal(403);
    const err = await setup(shipper, { namespace: ns }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SetupError).and.include({ code: 'forbidden' });
    expect((err as Error).message).to.match(/^unauthorized: the user lacks a privilege to read the cluster version .*cluster privileges \[.*monitor/);
  });

  it('lets the engine read events and write/update alerts, but not write events', async () => {
    const engine = as('engine');
    const hits = await engine.search({ index: `auditsight-events-${ns}`, query: { term: { 'process.name': 'nc.openbsd' } } });
    expect(hits.hits.hits).to.have.length(1);
    const a = await engine.index({ index: `.auditsight-alerts-${ns}`, document: fullAlert(), refresh: true });
    await engine.update({ index: a._index, id: a._id, doc: { auditsight: { alert: { status: 'closed' } } } });
    const write = await engine.index({ index: `auditsight-events-${ns}`, document: fullEvent() }).catch((e: { meta?: { statusCode?: number } }) => e.meta?.statusCode);
    expect(write).to.equal(403);
  });
});

// What cluster is this? The minimal integ-test-zip has no `GET /` (the rest-root module is missing), so
// the version comes from the nodes info API, which every distribution has.
import type { Client } from '@elastic/elasticsearch';

export interface ClusterInfo {
  /** Lowest node version: what the whole cluster can be relied on to support. */
  version: string;
  major: number;
  minor: number;
  nodes: number;
  /** Installed modules and plugins over all nodes (e.g. `x-pack-core`, `ingest-common`, `wildcard`). */
  modules: Set<string>;
}

function compare(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

export async function clusterInfo(client: Client): Promise<ClusterInfo> {
  const res = await client.nodes.info({ node_id: '_all', metric: ['plugins'], filter_path: ['nodes.*.version', 'nodes.*.modules.name', 'nodes.*.plugins.name'] } as never);
  const nodes = Object.values((res as { nodes?: Record<string, { version: string; modules?: { name: string }[]; plugins?: { name: string }[] }> }).nodes ?? {});
  if (nodes.length === 0) throw new Error('the cluster reported no nodes');
  const version = nodes.map((n) => n.version).sort(compare)[0];
  const modules = new Set<string>();
  for (const n of nodes) for (const m of [...(n.modules ?? []), ...(n.plugins ?? [])]) modules.add(m.name);
  const [major, minor] = version.split('.').map(Number);
  return { version, major, minor, nodes: nodes.length, modules };
}

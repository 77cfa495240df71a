// What can this cluster do, and therefore which template variant does it get?
// Module names differ between distributions and versions (match_only_text lives in mapper-extras,
// wildcard in x-pack-wildcard, ...), so field types are probed directly: `_index_template/_simulate`
// composes a throwaway template in memory and fails for an unknown type, writing nothing.
// Data streams are probed through their API: the integ-test-zip auto-creates a data stream on write, but
// without the data-streams module it has no API to create, list or delete one, so we must not rely on them.
import type { Client } from '@elastic/elasticsearch';
import { clusterInfo } from '../../common/es/info';
import { call, clientUrl, SetupError, statusOf, toSetupError } from './errors';
import type { Variant } from './templates';

export const MIN_MAJOR = 8;

export const PROBED_TYPES = ['wildcard', 'match_only_text', 'constant_keyword', 'flattened'] as const;
export type ProbedType = (typeof PROBED_TYPES)[number];

export interface Capabilities {
  url: string;
  version: string;
  major: number;
  minor: number;
  modules: string[];
  fieldTypes: Record<ProbedType, boolean>;
  /** The data stream API (create/get/delete) is available. */
  dataStreams: boolean;
  /** Informational: we use neither ILM nor ingest pipelines in any variant. */
  ilm: boolean;
  ingestPipelines: boolean;
}

async function probeFieldType(client: Client, type: ProbedType): Promise<boolean> {
  try {
    await client.indices.simulateTemplate({
      index_patterns: ['auditsight-capability-probe-*'],
      template: { mappings: { properties: { probe: { type } } } },
    } as never);
    return true;
  } catch (err) {
    const status = statusOf(err);
    // 400: "No handler for type [wildcard]" (the template does not compose). Anything else is a real error.
    if (status === 400) return false;
    throw toSetupError(err, client, `probe support for the ${type} field type (POST _index_template/_simulate)`);
  }
}

async function probeDataStreams(client: Client): Promise<boolean> {
  try {
    await client.indices.getDataStream({ name: 'auditsight-capability-probe' });
    return true;
  } catch (err) {
    const status = statusOf(err);
    // 404: the API exists, the data stream does not. 403: the API exists and checked our privileges
    // (a missing REST handler answers 400/405 before any privilege check).
    if (status === 404 || status === 403) return true;
    if (status === 400 || status === 405 || status === 410) return false;
    throw toSetupError(err, client, 'probe data stream support (GET _data_stream)');
  }
}

export async function detectCapabilities(client: Client): Promise<Capabilities> {
  const info = await call(client, 'read the cluster version (GET _nodes)', () => clusterInfo(client));
  if (info.major < MIN_MAJOR) {
    throw new SetupError('too_old', `Elasticsearch ${info.version} at ${clientUrl(client)} is too old: auditsight needs ${MIN_MAJOR}.0 or later`);
  }
  const fieldTypes = {} as Record<ProbedType, boolean>;
  // Sequential: four tiny requests, and a 403 on the first stops the rest with one clear message.
  for (const t of PROBED_TYPES) fieldTypes[t] = await probeFieldType(client, t);
  return {
    url: clientUrl(client),
    version: info.version,
    major: info.major,
    minor: info.minor,
    modules: [...info.modules].sort(),
    fieldTypes,
    dataStreams: await probeDataStreams(client),
    ilm: info.modules.has('x-pack-ilm'),
    ingestPipelines: info.modules.has('ingest-common'),
  };
}

export interface VariantChoice {
  variant: Variant;
  /** Human-readable: why this variant (what was found or missing). */
  reasons: string[];
}

/** full needs every ECS type we use plus data streams; anything less gets minimal (same field names). */
export function chooseVariant(caps: Capabilities, requested: Variant | 'auto' = 'auto'): VariantChoice {
  const missing = [
    ...(['wildcard', 'match_only_text', 'constant_keyword'] as const).filter((t) => !caps.fieldTypes[t]).map((t) => `field type ${t}`),
    ...(caps.dataStreams ? [] : ['the data stream API']),
  ];
  const flattened = caps.fieldTypes.flattened
    ? 'flattened is supported: auditd.paths is mapped as flattened'
    : 'flattened is not supported: auditd.paths falls back to an object of the known PATH keys';
  if (requested === 'minimal') return { variant: 'minimal', reasons: ['minimal variant requested', flattened] };
  if (requested === 'full') {
    if (missing.length) {
      throw new SetupError('unsupported', `the full variant needs ${missing.join(', ')}, which Elasticsearch ${caps.version} at ${caps.url} lacks; use the minimal variant`);
    }
    return { variant: 'full', reasons: ['full variant requested', flattened] };
  }
  if (missing.length) {
    return { variant: 'minimal', reasons: [`Elasticsearch ${caps.version} lacks ${missing.join(', ')}`, flattened] };
  }
  return { variant: 'full', reasons: [`Elasticsearch ${caps.version} supports wildcard, match_only_text, constant_keyword and data streams`, flattened] };
}

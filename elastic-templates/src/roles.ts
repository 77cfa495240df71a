// Least-privilege Elasticsearch roles for each auditsight component, as data: the CLI prints them as
// Dev Tools requests, the README shows them, and setup.security.test.ts proves them on a secured node.
//
// Each role names the write target (alias or data stream) AND the concrete indices behind it: requests go
// through the alias, but rollover creates new indices, and some APIs (get mapping) name the index.
import { names, type Variant } from './templates';

export interface RoleDescriptor {
  cluster: string[];
  indices: { names: string[]; privileges: string[] }[];
  metadata: { managed_by: 'auditsight'; purpose: string };
}

export interface RoleOptions {
  namespace: string;
  variant: Variant;
}

function targets(o: RoleOptions): { events: string[]; alerts: string[] } {
  const ev = names('events', o.namespace, o.variant);
  const al = names('alerts', o.namespace, o.variant);
  // A data stream's privileges cover its backing indices; an alias's do not cover its indices.
  const of = (n: typeof ev) => (n.target.type === 'data_stream' ? [n.target.name] : [n.target.alias, n.target.pattern]);
  return { events: of(ev), alerts: of(al) };
}

/**
 * Installs and upgrades the schema (setup.ts). monitor: the version check (GET _nodes);
 * manage_index_templates: component/index templates and the capability probes (_index_template/_simulate);
 * manage on our indices: create the first index / data stream, aliases, put mapping, rollover.
 */
export function setupRole(o: RoleOptions): RoleDescriptor {
  const t = targets(o);
  return {
    cluster: ['monitor', 'manage_index_templates'],
    indices: [{ names: [...t.events, ...t.alerts], privileges: ['manage'] }],
    metadata: { managed_by: 'auditsight', purpose: `install and upgrade the auditsight schema for namespace ${o.namespace}` },
  };
}

/**
 * Ships events: create_doc only (append, never overwrite or delete: a compromised host cannot rewrite its
 * own history), view_index_metadata to check the schema version at start-up. auto_configure only for the
 * data stream, so it is recreated on write if deleted; with an alias that would create a plain index named
 * like the alias, so the minimal variant does not get it. No cluster privileges; rollover is setup's job
 * (manage would also allow deleting the indices).
 */
export function shipperRole(o: RoleOptions): RoleDescriptor {
  const t = targets(o);
  const privileges = ['create_doc', 'view_index_metadata', ...(o.variant === 'full' ? ['auto_configure'] : [])];
  return {
    cluster: [],
    indices: [
      { names: t.events, privileges },
      // Documents the mapping rejects land here with their reason; without this a single rejected
      // document would stall the shipper's output on 403. create_index lets the first one create it.
      { names: [deadLetterIndex(o.namespace)], privileges: ['create_doc', 'create_index'] },
    ],
    metadata: { managed_by: 'auditsight', purpose: `append audit events for namespace ${o.namespace}` },
  };
}

/** Where the shipper's Elasticsearch output puts rejected documents by default. */
export function deadLetterIndex(namespace: string): string {
  return `auditsight-deadletter-${namespace}`;
}

/**
 * Runs detections: reads events (search, field_caps), writes and updates alerts (`index` allows updates,
 * e.g. suppressed_count; create_doc would not). No delete, no manage.
 */
export function engineRole(o: RoleOptions): RoleDescriptor {
  const t = targets(o);
  return {
    cluster: [],
    indices: [
      { names: t.events, privileges: ['read', 'view_index_metadata'] },
      { names: t.alerts, privileges: ['read', 'index', 'view_index_metadata'] },
    ],
    metadata: { managed_by: 'auditsight', purpose: `run detections and write alerts for namespace ${o.namespace}` },
  };
}

export type RoleName = 'auditsight_setup' | 'auditsight_shipper' | 'auditsight_engine';

export function roleDefinitions(o: RoleOptions): Record<RoleName, RoleDescriptor> {
  return { auditsight_setup: setupRole(o), auditsight_shipper: shipperRole(o), auditsight_engine: engineRole(o) };
}

/** Kibana Dev Tools requests that create the roles (what `auditsight roles` prints). */
export function formatRoleRequests(o: RoleOptions): string {
  return Object.entries(roleDefinitions(o))
    .map(([name, body]) => `PUT _security/role/${name}\n${JSON.stringify(body, null, 2)}\n`)
    .join('\n');
}

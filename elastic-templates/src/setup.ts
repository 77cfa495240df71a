// Install or upgrade the cluster-side schema for one namespace: component + index templates for events
// and alerts, and their write targets (alias + first index, or data stream).
//
// Idempotent: every object we put carries _meta {managed_by, version, hash}; equal hash = no action, so a
// re-run reports "unchanged" and writes nothing. Upgrades go templates first (new indices get the new
// mapping), then the current write index: an additive change is applied in place with put-mapping; a
// change Elasticsearch cannot apply in place (type change, subobjects, index/doc_values) rolls over to a
// fresh index made from the new templates. Never downgrades: a newer installed schema is an error.
import type { Client } from '@elastic/elasticsearch';
import { chooseVariant, detectCapabilities, type Capabilities } from './capabilities';
import { call, optional, reasonOf, SetupError, statusOf, toSetupError } from './errors';
import { SCHEMA_VERSION, type DocKind } from './fields';
import { buildTemplateSet, MANAGED_BY, names, type TemplateMeta, type TemplateSet, type Variant } from './templates';

export interface SetupOptions {
  namespace: string;
  /** Plan only: read the cluster, return the actions, write nothing. */
  dryRun?: boolean;
  /** auto (default): full when the cluster supports it, else minimal; an installed namespace keeps its variant. */
  variant?: Variant | 'auto';
}

export type ChangeReason = 'absent' | 'upgrade' | 'changed';

export type PlannedAction =
  | { action: 'put_component_template'; name: string; reason: ChangeReason; fromVersion?: number; toVersion: number }
  | { action: 'put_index_template'; name: string; reason: ChangeReason; fromVersion?: number; toVersion: number }
  | { action: 'create_index'; index: string; alias: string }
  | { action: 'create_data_stream'; name: string }
  | { action: 'put_mapping'; target: string; index: string; fromVersion?: number; toVersion: number }
  | { action: 'rollover'; target: string; index: string; fromVersion?: number; toVersion: number; reason: string };

export interface TargetReport {
  /** Where writers send documents and readers query: the write alias or the data stream. */
  name: string;
  type: 'alias' | 'data_stream';
  /** The concrete write index (after setup; before it, when dryRun). */
  writeIndex?: string;
}

export interface SetupReport {
  url: string;
  namespace: string;
  schemaVersion: number;
  variant: Variant;
  variantReasons: string[];
  capabilities: Capabilities;
  dryRun: boolean;
  /** installed: nothing was there; upgraded: something older or different was changed; unchanged: no action. */
  status: 'installed' | 'upgraded' | 'unchanged';
  /** Planned (dryRun) or performed actions, in order. */
  actions: PlannedAction[];
  targets: Record<DocKind, TargetReport>;
  /** Highest schema version found installed before this run (undefined: nothing installed). */
  previousVersion?: number;
}

type Meta = Partial<TemplateMeta> | undefined;

async function getComponentMeta(client: Client, name: string): Promise<Meta | null> {
  const res = await optional(client, `read component template ${name}`, () => client.cluster.getComponentTemplate({ name }));
  if (!res) return null;
  return (res.component_templates[0]?.component_template as { _meta?: Meta })._meta;
}

async function getIndexTemplateMeta(client: Client, name: string): Promise<Meta | null> {
  const res = await optional(client, `read index template ${name}`, () => client.indices.getIndexTemplate({ name }));
  if (!res) return null;
  return (res.index_templates[0]?.index_template as { _meta?: Meta })._meta;
}

/** Decides what to do with one existing object from its _meta; throws for foreign or newer objects. */
function compare(what: string, meta: Meta | null, desired: TemplateMeta, url: string): ChangeReason | undefined {
  if (meta === null) return 'absent';
  if (meta?.managed_by !== MANAGED_BY) {
    throw new SetupError('conflict', `${what} at ${url} exists but is not managed by auditsight (_meta.managed_by is ${JSON.stringify(meta?.managed_by)}); remove or rename it`);
  }
  if ((meta.version ?? 0) > desired.version) {
    throw new SetupError('newer_schema', `${what} at ${url} has schema version ${meta.version}, newer than this auditsight's ${desired.version}; upgrade auditsight instead of downgrading the cluster`);
  }
  if (meta.hash === desired.hash) return undefined;
  return (meta.version ?? 0) < desired.version ? 'upgrade' : 'changed';
}

interface TargetState {
  exists: boolean;
  writeIndex?: string;
  meta?: Meta;
  properties?: Record<string, unknown>;
}

async function readTarget(client: Client, set: TemplateSet): Promise<TargetState> {
  const t = set.names.target;
  const name = t.type === 'alias' ? t.alias : t.name;
  const resolved = await optional(client, `resolve ${name}`, () => client.indices.resolveIndex({ name, expand_wildcards: 'all' }));
  if (!resolved) return { exists: false };
  // A concrete index where our alias belongs: a writer auto-created it before setup ran.
  if (resolved.indices.some((i) => i.name === name)) {
    throw new SetupError('conflict', `an index named ${name} exists where auditsight's ${t.type === 'alias' ? 'write alias' : 'data stream'} belongs (something wrote to it before setup); reindex its documents elsewhere and delete it, then re-run setup`);
  }
  let writeIndex: string | undefined;
  if (t.type === 'data_stream') {
    const ds = resolved.data_streams.find((d) => d.name === name);
    if (!ds) return { exists: false };
    const backing = Array.isArray(ds.backing_indices) ? ds.backing_indices : [ds.backing_indices];
    writeIndex = backing[backing.length - 1];
  } else {
    if (!resolved.aliases.some((a) => a.name === name)) return { exists: false };
    const aliases = await call(client, `read alias ${name}`, () => client.indices.getAlias({ name }));
    const entries = Object.entries(aliases);
    writeIndex = (entries.find(([, v]) => (v.aliases[name] as { is_write_index?: boolean })?.is_write_index) ?? (entries.length === 1 ? entries[0] : undefined))?.[0];
    if (!writeIndex) throw new SetupError('conflict', `alias ${name} points at ${entries.length} indices and none is its write index; fix the alias by hand`);
  }
  const mapping = await call(client, `read the mapping of ${writeIndex}`, () => client.indices.getMapping({ index: writeIndex }));
  const m = Object.values(mapping)[0]?.mappings as { _meta?: Meta; properties?: Record<string, unknown> } | undefined;
  return { exists: true, writeIndex, meta: m?._meta, properties: m?.properties };
}

type Flat = Map<string, Record<string, unknown>>;
function flatten(props: Record<string, unknown> | undefined, prefix = '', out: Flat = new Map()): Flat {
  for (const [k, v] of Object.entries(props ?? {})) {
    const p = v as Record<string, unknown>;
    out.set(prefix + k, p);
    if (p.properties) flatten(p.properties as Record<string, unknown>, `${prefix}${k}.`, out);
  }
  return out;
}

/** Why put-mapping cannot turn `current` into `desired`, or undefined when the change is additive. */
export function nonAdditiveChange(current: Record<string, unknown> | undefined, desired: Record<string, unknown>): string | undefined {
  const want = flatten(desired);
  for (const [path, have] of flatten(current)) {
    const next = want.get(path);
    if (!next) continue; // removed from our definitions: stays mapped, harmless
    const typeOf = (p: Record<string, unknown>) => (p.type as string | undefined) ?? 'object';
    if (typeOf(have) !== typeOf(next)) return `${path} changes type from ${typeOf(have)} to ${typeOf(next)}`;
    for (const param of ['index', 'doc_values', 'subobjects']) {
      if ((have[param] ?? null) !== (next[param] ?? null)) return `${path} changes ${param}`;
    }
  }
  return undefined;
}

interface Plan {
  sets: TemplateSet[];
  actions: PlannedAction[];
  targets: Record<DocKind, TargetReport>;
  previousVersion?: number;
}

async function planKind(client: Client, set: TemplateSet, url: string, plan: Plan): Promise<void> {
  const desired = set.mappings._meta;
  const seen = (v?: number) => {
    if (v !== undefined) plan.previousVersion = Math.max(plan.previousVersion ?? 0, v);
  };
  for (const ct of set.componentTemplates) {
    const meta = await getComponentMeta(client, ct.name);
    seen(meta?.version);
    const reason = compare(`component template ${ct.name}`, meta, ct.body._meta, url);
    if (reason) plan.actions.push({ action: 'put_component_template', name: ct.name, reason, fromVersion: meta?.version, toVersion: desired.version });
  }
  const it = set.indexTemplate;
  const itMeta = await getIndexTemplateMeta(client, it.name);
  seen(itMeta?.version);
  const itReason = compare(`index template ${it.name}`, itMeta, it.body._meta, url);
  if (itReason) plan.actions.push({ action: 'put_index_template', name: it.name, reason: itReason, fromVersion: itMeta?.version, toVersion: desired.version });

  const t = set.names.target;
  const state = await readTarget(client, set);
  const targetName = t.type === 'alias' ? t.alias : t.name;
  plan.targets[set.kind] = { name: targetName, type: t.type, writeIndex: state.writeIndex ?? (t.type === 'alias' ? t.firstIndex : undefined) };
  if (!state.exists) {
    plan.actions.push(t.type === 'alias' ? { action: 'create_index', index: t.firstIndex, alias: t.alias } : { action: 'create_data_stream', name: t.name });
    return;
  }
  seen(state.meta?.version);
  const reason = compare(`the mapping of ${state.writeIndex}`, state.meta?.managed_by ? state.meta : ({ ...state.meta, managed_by: MANAGED_BY } as Meta), desired, url);
  if (!reason) return;
  const why = nonAdditiveChange(state.properties, set.mappings.properties as Record<string, unknown>);
  const base = { target: targetName, index: state.writeIndex!, fromVersion: state.meta?.version, toVersion: desired.version };
  plan.actions.push(why ? { action: 'rollover', ...base, reason: why } : { action: 'put_mapping', ...base });
}

async function decideVariant(client: Client, caps: Capabilities, opts: SetupOptions): Promise<{ variant: Variant; reasons: string[] }> {
  const requested = opts.variant ?? 'auto';
  // An installed namespace keeps its variant: switching alias <-> data stream is a migration, not an upgrade.
  const installed = (await getIndexTemplateMeta(client, names('events', opts.namespace, 'minimal').indexTemplate))?.variant;
  if (installed && requested !== 'auto' && requested !== installed) {
    throw new SetupError('conflict', `namespace ${opts.namespace} is installed with the ${installed} variant; setup cannot switch it to ${requested} in place (use a new namespace)`);
  }
  const choice = chooseVariant(caps, installed ?? requested);
  if (installed && requested === 'auto') return { variant: choice.variant, reasons: [`namespace ${opts.namespace} is already installed with the ${installed} variant`, ...choice.reasons.slice(1)] };
  return choice;
}

/** Computes what setup would do; writes nothing. */
export async function plan(client: Client, opts: SetupOptions): Promise<Omit<SetupReport, 'status' | 'dryRun'> & { sets: TemplateSet[] }> {
  names('events', opts.namespace, 'minimal'); // validates the namespace before any request
  const caps = await detectCapabilities(client);
  const { variant, reasons } = await decideVariant(client, caps, opts);
  const build = { variant, flattened: caps.fieldTypes.flattened };
  const sets = (['events', 'alerts'] as const).map((k) => buildTemplateSet(k, opts.namespace, build));
  const p: Plan = { sets, actions: [], targets: {} as Record<DocKind, TargetReport> };
  for (const set of sets) await planKind(client, set, caps.url, p);
  return { url: caps.url, namespace: opts.namespace, schemaVersion: SCHEMA_VERSION, variant, variantReasons: reasons, capabilities: caps, actions: p.actions, targets: p.targets, previousVersion: p.previousVersion, sets };
}

async function apply(client: Client, a: PlannedAction, sets: TemplateSet[]): Promise<PlannedAction> {
  const ctBody = (name: string) => sets.flatMap((s) => s.componentTemplates).find((c) => c.name === name)!.body;
  const setOf = (target: string) => sets.find((s) => s.names.readName === target)!;
  switch (a.action) {
    case 'put_component_template':
      await call(client, `put component template ${a.name}`, () => client.cluster.putComponentTemplate({ name: a.name, ...ctBody(a.name) } as never));
      return a;
    case 'put_index_template': {
      const body = sets.find((s) => s.indexTemplate.name === a.name)!.indexTemplate.body;
      await call(client, `put index template ${a.name}`, () => client.indices.putIndexTemplate({ name: a.name, ...body } as never));
      return a;
    }
    case 'create_index':
      await createIfAbsent(client, `create index ${a.index} with write alias ${a.alias}`, () =>
        client.indices.create({ index: a.index, aliases: { [a.alias]: { is_write_index: true } } }),
      );
      return a;
    case 'create_data_stream':
      await createIfAbsent(client, `create data stream ${a.name}`, () => client.indices.createDataStream({ name: a.name }));
      return a;
    case 'put_mapping': {
      const { _meta, ...rest } = setOf(a.target).mappings;
      try {
        await client.indices.putMapping({ index: a.target, write_index_only: true, ...rest, _meta } as never);
        return a;
      } catch (err) {
        // Elasticsearch is the judge of what merges; when our local check missed a conflict, roll over.
        if (statusOf(err) !== 400) throw toSetupError(err, client, `update the mapping of ${a.index}`);
        return apply(client, { ...a, action: 'rollover', reason: `put mapping refused: ${reasonOf(err)}` }, sets);
      }
    }
    case 'rollover':
      await call(client, `roll over ${a.target}`, () => client.indices.rollover({ alias: a.target }));
      return a;
  }
}

async function createIfAbsent(client: Client, doing: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    // A concurrent setup (two shippers starting at once) got there first: that is success.
    if (statusOf(err) === 400 && /resource_already_exists_exception/.test(reasonOf(err))) return;
    throw toSetupError(err, client, doing);
  }
}

export async function setup(client: Client, opts: SetupOptions): Promise<SetupReport> {
  const { sets, ...p } = await plan(client, opts);
  const dryRun = !!opts.dryRun;
  const actions: PlannedAction[] = [];
  if (dryRun) actions.push(...p.actions);
  else for (const a of p.actions) actions.push(await apply(client, a, sets));
  const targets = { ...p.targets };
  if (!dryRun && actions.length) {
    for (const set of sets) targets[set.kind] = { ...targets[set.kind], writeIndex: (await readTarget(client, set)).writeIndex };
  }
  const status = actions.length === 0 ? 'unchanged' : p.previousVersion === undefined ? 'installed' : 'upgraded';
  return { ...p, targets, dryRun, status, actions };
}

/** One line per action, for the CLI and logs. */
export function describeReport(r: SetupReport): string[] {
  const head = `${r.dryRun ? '[dry run] ' : ''}auditsight schema v${r.schemaVersion} (${r.variant}) for namespace ${r.namespace} at ${r.url}: ${r.status}`;
  const lines = r.actions.map((a) => {
    switch (a.action) {
      case 'put_component_template':
      case 'put_index_template':
        return `${a.action.replace(/_/g, ' ')} ${a.name} (${a.reason}${a.fromVersion ? ` from v${a.fromVersion}` : ''})`;
      case 'create_index':
        return `create index ${a.index} with write alias ${a.alias}`;
      case 'create_data_stream':
        return `create data stream ${a.name}`;
      case 'put_mapping':
        return `update the mapping of ${a.index} in place (v${a.fromVersion ?? '?'} -> v${a.toVersion})`;
      case 'rollover':
        return `roll over ${a.target} (${a.reason})`;
    }
  });
  return [head, ...r.variantReasons.map((x) => `  variant: ${x}`), ...lines.map((l) => `  ${l}`)];
}

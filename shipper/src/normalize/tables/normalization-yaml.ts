// The shape of one normalization rule (go-libaudit's `Normalization`), and the conversion from a YAML entry.
// Shared by the generator (scripts/gen-normalizations.ts) and the drift test, so both read the YAML the same way.

export interface EcsMappingSpec {
  /** `subject.primary`, `subject.secondary`, `object.primary`, `object.secondary`, `data.KEY` or `uid.KEY`. */
  from: string;
  /** `user`, `user.effective`, `user.target`, `user.changes` or `group`. */
  to: string;
}

export interface NormalizationEntry {
  action?: string;
  syscalls?: string[];
  record_types?: string[];
  has_fields?: string[];
  subject_primary?: string[];
  subject_secondary?: string[];
  object_primary?: string[];
  object_secondary?: string[];
  object_what?: string;
  object_path_index?: number;
  how?: string[];
  source_ip?: string[];
  ecs?: { kind?: string; category?: string[]; type?: string[]; mappings?: EcsMappingSpec[] };
}

// go-libaudit's `Strings`: a YAML scalar or a list both become a list.
function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const arr = Array.isArray(v) ? v : [v];
  return arr.map((x) => String(x));
}

/** Converts one `normalizations:` item (anchors/merges already resolved) into our entry; empty parts are omitted. */
export function fromYamlEntry(n: Record<string, unknown>): NormalizationEntry {
  const e: NormalizationEntry = {};
  if (typeof n.action === 'string') e.action = n.action;
  const listKeys = [
    'syscalls',
    'record_types',
    'has_fields',
    'subject_primary',
    'subject_secondary',
    'object_primary',
    'object_secondary',
    'how',
    'source_ip',
  ] as const;
  for (const k of listKeys) {
    const v = strings(n[k]);
    if (v && v.length) e[k] = v;
  }
  if (typeof n.object_what === 'string') e.object_what = n.object_what;
  if (typeof n.object_path_index === 'number') e.object_path_index = n.object_path_index;
  const ecs = n.ecs as Record<string, unknown> | undefined;
  if (ecs) {
    const out: NonNullable<NormalizationEntry['ecs']> = {};
    if (typeof ecs.kind === 'string') out.kind = ecs.kind;
    const cat = strings(ecs.category);
    if (cat && cat.length) out.category = cat;
    const typ = strings(ecs.type);
    if (typ && typ.length) out.type = typ;
    if (Array.isArray(ecs.mappings) && ecs.mappings.length) {
      out.mappings = (ecs.mappings as Array<Record<string, unknown>>).map((m) => ({ from: String(m.from), to: String(m.to) }));
    }
    e.ecs = out;
  }
  return e;
}

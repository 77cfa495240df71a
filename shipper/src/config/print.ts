// `auditsight ship --print-config`: the effective configuration as YAML, secrets masked, each value
// annotated with where it came from. Safe to paste into a ticket.
import { Document } from 'yaml';
import { KEY_MAP, KEYS } from './keys';
import type { Setting } from './load';

export const MASK = '********';

/** Nested plain object of the effective values, secrets masked (also what the start-up log line carries). */
export function maskedValues(settings: Map<string, Setting>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of KEYS) {
    const s = settings.get(def.key);
    if (!s) continue;
    const parts = def.key.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) o = (o[p] ??= {}) as Record<string, unknown>;
    o[parts.at(-1)!] = def.secret ? MASK : s.value;
  }
  return out;
}

export function printConfig(settings: Map<string, Setting>): string {
  const doc = new Document(maskedValues(settings));
  // One comment per value with its source: "why is the batch size 500?" is answered on the same line.
  const annotate = (node: unknown, prefix: string) => {
    const items = (node as { items?: Array<{ key: { value: string }; value: unknown }> }).items ?? [];
    for (const pair of items) {
      const key = prefix ? `${prefix}.${pair.key.value}` : pair.key.value;
      if (KEY_MAP.has(key)) {
        const s = settings.get(key);
        if (s && s.source !== 'default' && pair.value && typeof pair.value === 'object') (pair.value as { comment?: string }).comment = ` ${s.source}`;
      } else annotate(pair.value, key);
    }
  };
  annotate(doc.contents, '');
  return `# auditsight ship: effective configuration (secrets masked; comments name the source of non-default values)\n${doc.toString()}`;
}

// Rule durations: an integer and one unit, `5s`, `1m`, `1h`, `1d` (the subset Elastic's rule schedules
// and date math share, so `now-${raw}` is valid date math for the engine).

export interface Duration {
  /** As written, e.g. `5m`. */
  raw: string;
  ms: number;
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration, or returns an error message. */
export function parseDuration(text: string): Duration | string {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (!m) return `invalid duration "${text}": expected a whole number and one unit of s, m, h, d (e.g. 30s, 5m, 1h, 1d)`;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  if (ms <= 0) return `invalid duration "${text}": must be greater than zero`;
  return { raw: text, ms };
}

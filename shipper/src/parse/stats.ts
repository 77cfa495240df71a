// Counting parse outcomes is left to the caller (parseLine stays a pure function); this is the small
// counter the pipeline uses, so that every stage reports the same numbers (metrics, dead letter).
import type { ParseResult } from './types';

export class ParseStats {
  lines = 0;
  ok = 0;
  failed = 0;
  /** Failures by error message (the messages are a small fixed set). */
  readonly errors = new Map<string, number>();
  /** Records by type name. */
  readonly types = new Map<string, number>();

  /** Count one result and return it, so it can wrap a call: `stats.count(parseLine(l))`. */
  count(result: ParseResult): ParseResult {
    this.lines++;
    if (result.ok) {
      this.ok++;
      const t = result.record.type;
      this.types.set(t, (this.types.get(t) ?? 0) + 1);
    } else {
      this.failed++;
      const e = result.error.error;
      this.errors.set(e, (this.errors.get(e) ?? 0) + 1);
    }
    return result;
  }

  toJSON(): { lines: number; ok: number; failed: number; errors: Record<string, number> } {
    return { lines: this.lines, ok: this.ok, failed: this.failed, errors: Object.fromEntries(this.errors) };
  }
}

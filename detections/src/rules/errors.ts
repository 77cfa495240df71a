// Rule errors always say where: `file:line:col: message`, like a compiler, so editors and CI logs link
// straight to the offending YAML node.

export class RuleError extends Error {
  constructor(
    readonly file: string,
    /** 1-based. */
    readonly line: number,
    /** 1-based. */
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'RuleError';
  }
}

/** Thrown by loadRule when a file has one or more errors; `errors` lists them all. */
export class RuleValidationError extends Error {
  constructor(readonly errors: RuleError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'RuleValidationError';
  }
}

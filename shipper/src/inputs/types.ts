// What every input source (tail, plugin, replay) hands to the pipeline: complete lines, one audit
// record each, with an opaque checkpoint token. The queue persists the token of the last line it
// made durable; giving that token back to the same kind of input resumes right after that line.

export interface InputLine {
  /** One record, without the trailing newline (and without a `\r` before it). */
  line: string;
  /**
   * Opaque resume token for the position just after this line. Only the input that produced it
   * understands it (tail: `tail1:...`, replay: `replay1:...`, plugin: `plugin1:...` = not resumable).
   */
  checkpoint: string;
}

/**
 * Inputs yield batches (all complete lines of one read) rather than single lines: one promise per
 * read instead of per line keeps the hot path cheap, and back-pressure is unchanged because the
 * next read only happens when the consumer asks for the next batch.
 */
export type InputBatch = InputLine[];

/** Non-fatal conditions an input reports (rotation seen, truncation, checkpoint not found...). */
export type InputNotice = (kind: string, detail: Record<string, unknown>) => void;

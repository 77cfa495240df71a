// A byte buffer that one owner fills again and again: the queue's appends, each consumer's reads, each
// output's request body.
//
// Why: a fresh Buffer per append, per read and per request (megabytes a second on a busy host) is an
// ArrayBuffer whose memory only returns once the GC has collected its object. Those that lived through two
// scavenges (a batch read, shipped and acknowledged takes a few hundred ms) were promoted and waited for a
// major GC: the shipper's external memory swung by tens of MB between two of them.

/** Uses in a row that needed at most a quarter of the buffer, after which it is given back. */
const SHRINK_AFTER = 64;

export class ReusableBuffer {
  private buf: Buffer | undefined;
  private small = 0;

  /** keepBytes: the largest buffer kept; a larger request gets a buffer of its own, freed with its user. */
  constructor(private readonly keepBytes: number) {}

  /**
   * `bytes` bytes to write into, valid until the next get() or discard(): whatever the previous one
   * handed out is written over.
   */
  get(bytes: number): Buffer {
    if (bytes > this.keepBytes) return Buffer.allocUnsafeSlow(bytes);
    // Grown for a burst (a catch-up after an outage ships batches of thousands of events), then used for
    // small batches again: not kept at its largest for the rest of the run.
    if (this.buf !== undefined && bytes <= this.buf.length >> 2 && this.buf.length > 64 * 1024) {
      if (++this.small >= SHRINK_AFTER) {
        this.buf = undefined;
        this.small = 0;
      }
    } else this.small = 0;
    if (this.buf === undefined || this.buf.length < bytes) {
      // Grows in steps (at least doubling) up to keepBytes, so a rising batch size reallocates only a few times.
      const size = Math.min(this.keepBytes, Math.max(bytes, 2 * (this.buf?.length ?? 0), 64 * 1024));
      this.buf = Buffer.allocUnsafeSlow(size);
    }
    return this.buf.subarray(0, bytes);
  }

  /** Never hand out the current buffer again (someone may still read it: a request that failed mid-write). */
  discard(): void {
    this.buf = undefined;
  }
}

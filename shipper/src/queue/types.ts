// Public types of the durable queue.

/** What the pipeline hands to the queue: the event and the input's checkpoint token for it. */
export interface QueueEntry<E = unknown, C = unknown> {
  event: E;
  /**
   * Opaque to the queue (e.g. {file, inode, offset}). Stored with the event so that an input can resume from
   * the newest durable record (DiskQueue.lastCheckpoint()) and so a record's origin is traceable.
   */
  checkpoint?: C;
  /** A short producer-defined string stored with the record (the daemon: the event's document id). */
  key?: string;
}

/** What a consumer reads: the entry plus its position in the queue. */
export interface QueueRecord<E = unknown, C = unknown> extends QueueEntry<E, C> {
  /**
   * The event's JSON text as stored (exactly JSON.stringify(event)) when the record's layout gives it
   * without parsing; `event` is then parsed only when read. An output that sends JSON can use the text.
   */
  readonly eventText?: string;
  /**
   * The same text as UTF-8 bytes, a view into the buffer the queue read (so a batch in flight holds no
   * per-event strings on the JS heap); eventText is decoded from it on first access.
   */
  readonly eventBytes?: Buffer;
  seq: number;
  enqueuedMs: number;
  /** Bytes on disk (header included); what the byte bound counts. */
  bytes: number;
}

export type BoundPolicy = 'block' | 'drop-oldest' | 'drop-newest';

/**
 * 'always': enqueue() resolves after fsync (concurrent enqueues share one). {intervalMs}: after the next
 * periodic fsync (bounded latency, fewer fsyncs). 'never': after the write to the page cache (survives the
 * process dying, not the machine).
 */
export type FsyncPolicy = 'always' | 'never' | { intervalMs: number };

export interface DiskQueueOptions<E = unknown> {
  dir: string;
  /** One per output; each gets an independent, persisted ack cursor. Cursors of other names are ignored. */
  consumers: string[];
  /** Bound on the bytes not yet acknowledged by the slowest consumer (default 256 MiB). */
  maxBytes?: number;
  /** Bound on the events not yet acknowledged by the slowest consumer (default none). */
  maxEvents?: number;
  /** What enqueue() does at the bound (default 'block'). */
  policy?: BoundPolicy;
  fsync?: FsyncPolicy;
  /** Segment file size at which a new one is started (default 16 MiB); disk use may exceed maxBytes by one. */
  segmentBytes?: number;
  /** The key stored with an entry that has none (QueueEntry.key). */
  eventKey?: (event: E) => string | undefined;
  /** Told about damaged regions found at open (torn writes after kill -9, disk errors). */
  onCorrupt?: (info: { file: string; regions: number; bytes: number }) => void;
  now?: () => number;
}

export interface EnqueueResult {
  accepted: number;
  /** Dropped by 'drop-newest' (the caller's events). Drops under 'drop-oldest' are in stats(). */
  dropped: number;
}

export interface ConsumerStats {
  /** Next sequence number not acknowledged. */
  cursor: number;
  pendingEvents: number;
  pendingBytes: number;
  /** Age of the oldest unacknowledged record (time since it was enqueued). */
  ackLagMs: number;
  /** Records this consumer lost to 'drop-oldest'. */
  dropped: number;
  acked: number;
}

export interface QueueStats {
  /** Retained = not yet acknowledged by the slowest consumer. */
  events: number;
  bytes: number;
  diskBytes: number;
  segments: number;
  nextSeq: number;
  enqueued: number;
  droppedOldest: number;
  droppedNewest: number;
  corruptRegions: number;
  corruptBytes: number;
  /** Total time enqueue() spent blocked at the bound (back-pressure applied to the input). */
  blockedMs: number;
  consumers: Record<string, ConsumerStats>;
}

export class QueueClosedError extends Error {
  constructor() {
    super('the queue is closed');
    this.name = 'QueueClosedError';
  }
}

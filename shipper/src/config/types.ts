// The typed configuration of `auditsight ship` (built by load.ts from the key table in keys.ts).
import type { BoundPolicy } from '../queue/types';

export interface EsOutputConfig {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  ca?: string;
  namespace: string;
  /** Explicit write target; otherwise resolved from the namespace at start (see daemon/es-target.ts). */
  index?: string;
  batch: { maxEvents: number; maxBytes: number };
  flushIntervalMs: number;
  deadLetter: { index: string | false; file: string };
}

export interface ShipConfig {
  input: {
    type: 'tail' | 'plugin' | 'replay';
    path: string;
    from: 'start' | 'end';
    files: string[];
    /** Replay: the host the evidence came from. */
    replayHost?: string;
    coalesceTimeoutMs: number;
    /** tail and plugin: wait after a read that took all there was (TailOptions.lingerMs). */
    lingerMs: number;
  };
  stateDir: string;
  queue: { maxBytes: number; policy: BoundPolicy; fsync: 'always' | 'interval' | 'never'; fsyncIntervalMs: number };
  outputs: {
    elasticsearch?: EsOutputConfig;
    fluent?: { host: string; port: number; tag: string };
    ndjson?: { path: string };
  };
  /** listen undefined = off. Port 0 picks a free port (tests); the bound address is logged. */
  metrics: { listen: { host: string; port: number } | undefined; stuckAfterMs: number };
  logging: { level: string };
  kernel: { lostPollIntervalS: number };
  normalize: { eventOriginal: boolean };
  enrich: { enabled: boolean; forkEvents: boolean; snapshotIntervalS: number };
  shutdown: { drainTimeoutMs: number };
}

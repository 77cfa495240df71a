// Elasticsearch output: `_bulk` with the `create` op and deterministic ids, so redelivery is harmless.
//
// Failure handling, and why:
//  - 409 on create: the document is already there (a redelivery after a crash or a lost response): success.
//  - 429 / 5xx, per item or for the whole request, and connection loss / timeouts: retried with exponential
//    backoff + jitter up to maxMs, forever. The batch is not acknowledged meanwhile, so the events stay in the
//    durable queue; only the failed items are resent.
//  - 401 / 403: a configuration problem no retry fixes quickly; said clearly and retried slowly (authMs), so
//    shipping resumes by itself once the key or role is fixed. Events stay queued.
//  - Other 4xx per item (mapping conflict, document parsing exception): the document can never be indexed;
//    it goes to the dead letter (index and/or NDJSON file) with the reason, the rest of the batch proceeds.
//  - 413 (request too large): the batch is split in halves.
import type { Client, estypes } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import * as fs from 'node:fs';
import type { EcsEvent } from '../../../common/ecs/event';
import type { QueueRecord } from '../queue/types';
import { eventId } from './ids';
import { noMetrics, type OutputMetrics } from './metrics';
import { Backoff, defaultLog, sleep, type Log, type Output } from './output';
import { shippedLines } from './shipped';
import { ReusableBuffer } from '../queue/reusable-buffer';

export interface ElasticsearchOutputOptions {
  /** Queue consumer name (default 'elasticsearch'). */
  name?: string;
  /** From common/es/client.ts createClient(). */
  client: Client;
  /** Write target: alias or data stream, decided by the setup module. */
  index: string;
  /**
   * Where rejected documents go. index: default `auditsight-deadletter-default`, false for none; file: an
   * NDJSON file, used as well when the dead-letter index itself rejects the document.
   */
  deadLetter?: { index?: string | false; file?: string };
  backoff?: { initialMs?: number; maxMs?: number; authMs?: number };
  metrics?: OutputMetrics;
  log?: Log;
  now?: () => Date;
  /** Per-request timeout; a timed-out request is retried (the ids make that safe). */
  requestTimeoutMs?: number;
}

interface Pending {
  rec: QueueRecord<EcsEvent>;
  id: string;
}

interface DeadLetter {
  p: Pending;
  status: number;
  type: string;
  reason: string;
}

type Failure = { kind: 'auth' | 'transient' | 'too-large'; message: string };

export const DEFAULT_DEADLETTER_INDEX = 'auditsight-deadletter-default';

/**
 * What is read of a bulk answer: each item's status and error (every item has a status, so none is dropped
 * and items[i] still answers operation i), and a whole-request error body (401/403 reasons). The full
 * answer (_index, _id, _version, result, _shards, _seq_no, _primary_term per item) is ~8x larger, and
 * parsing it was a visible share of the shipper's CPU.
 */
export const BULK_FILTER = ['items.*.status', 'items.*.error', 'error', 'status'];

/**
 * Per-request options of the bulk call. Redaction 'remove': on a failed request the transport scrubs the
 * error's diagnostic before throwing, and its default ('replace') deep-copies every object in it, the
 * request body included. With the body a Buffer that is one property per byte: a 5 MB batch blocked the
 * event loop for seconds on every failure (seen as split events during an Elasticsearch outage, because
 * the input's clock ran while its reads waited). 'remove' drops the headers (the credentials) and the
 * connection instead, without walking anything.
 */
export const BULK_REQUEST_OPTIONS = { maxRetries: 0, redaction: { type: 'remove' as const } };

export class ElasticsearchOutput implements Output<EcsEvent> {
  readonly name: string;
  private readonly client: Client;
  private readonly index: string;
  private readonly indexJson: string;
  private readonly dlIndex: string | undefined;
  private readonly dlFile: string | undefined;
  private readonly metrics: OutputMetrics;
  private readonly log: Log;
  private readonly now: () => Date;
  private readonly backoffOpts: { initialMs: number; maxMs: number; authMs: number };
  private readonly requestTimeoutMs: number;
  private lastProblem: string | undefined;
  /** The bulk request body; reused by the next request once this one was answered (a failed one drops it). */
  private readonly body = new ReusableBuffer(16 << 20);

  constructor(opts: ElasticsearchOutputOptions) {
    this.name = opts.name ?? 'elasticsearch';
    this.client = opts.client;
    this.index = opts.index;
    this.indexJson = JSON.stringify(opts.index);
    this.dlIndex = opts.deadLetter?.index === false ? undefined : (opts.deadLetter?.index ?? DEFAULT_DEADLETTER_INDEX);
    this.dlFile = opts.deadLetter?.file;
    this.metrics = opts.metrics ?? noMetrics;
    this.log = opts.log ?? defaultLog;
    this.now = opts.now ?? (() => new Date());
    this.backoffOpts = { initialMs: opts.backoff?.initialMs ?? 250, maxMs: opts.backoff?.maxMs ?? 30_000, authMs: opts.backoff?.authMs ?? 60_000 };
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  }

  async send(records: Array<QueueRecord<EcsEvent>>, signal: AbortSignal): Promise<void> {
    await this.sendPending(
      // The daemon stores each event's id with it (storedEventId): the event need not be parsed for it.
      records.map((rec) => ({ rec, id: rec.key ?? eventId(rec.event) })),
      signal,
    );
  }

  private async sendPending(initial: Pending[], signal: AbortSignal): Promise<void> {
    let pending = initial;
    const backoff = new Backoff(this.backoffOpts.initialMs, this.backoffOpts.maxMs);
    while (pending.length) {
      const ingested = this.now().toISOString();
      // The request body as bytes (the client sends a Buffer as it is): the stored event bytes, not a re-parse.
      const body = shippedLines(
        pending.map((p) => p.rec),
        ingested,
        (i) => `{"create":{"_index":${this.indexJson},"_id":${JSON.stringify(pending[i].id)}}}`,
        this.body,
      );
      let items;
      try {
        const operations = body as unknown as estypes.BulkRequest['operations'];
        const resp = await this.client.bulk({ operations, filter_path: BULK_FILTER }, { ...BULK_REQUEST_OPTIONS, signal, requestTimeout: this.requestTimeoutMs });
        items = resp.items;
      } catch (err) {
        // A request that failed (a timeout, a reset) may still be reading its body: the next gets other memory.
        this.body.discard();
        if (signal.aborted) throw err;
        const f = classify(err, this.index);
        if (f.kind === 'too-large' && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await this.sendPending(pending.slice(0, half), signal);
          await this.sendPending(pending.slice(half), signal);
          return;
        }
        if (f.kind === 'too-large') {
          await this.deadLetter([{ p: pending[0], status: 413, type: 'request_too_large', reason: f.message }], signal);
          return;
        }
        this.metrics.add(this.name, 'failedRequests', 1);
        this.metrics.add(this.name, 'retried', pending.length);
        const delay = f.kind === 'auth' ? this.backoffOpts.authMs : backoff.next();
        this.problem(`${f.message}; ${pending.length} events stay queued, retrying in ${Math.round(delay)} ms`);
        await sleep(delay, signal);
        continue;
      }
      const retry: Pending[] = [];
      const dead: DeadLetter[] = [];
      let shipped = 0;
      let dups = 0;
      let auth: string | undefined;
      let transient: string | undefined;
      items.forEach((item, i) => {
        const r = item.create ?? Object.values(item)[0]!;
        const p = pending[i];
        if (r.status >= 200 && r.status < 300) shipped++;
        else if (r.status === 409) dups++;
        else if (r.status === 401 || r.status === 403) {
          auth = authMessage(r.status, this.index, r.error?.reason ?? undefined);
          retry.push(p);
        } else if (r.status === 429 || r.status >= 500 || r.status === 404) {
          // 404: the write alias or data stream is missing (setup not run, or deleted); keep the events.
          transient ??= `${r.status} ${r.error?.type ?? ''}: ${r.error?.reason ?? ''}`;
          retry.push(p);
        } else dead.push({ p, status: r.status, type: r.error?.type ?? 'unknown', reason: r.error?.reason ?? `status ${r.status}` });
      });
      this.metrics.add(this.name, 'shipped', shipped);
      this.metrics.add(this.name, 'duplicates', dups);
      if (dead.length) await this.deadLetter(dead, signal);
      pending = retry;
      if (!retry.length) {
        this.problem(undefined);
        return;
      }
      this.metrics.add(this.name, 'retried', retry.length);
      const delay = auth ? this.backoffOpts.authMs : backoff.next();
      this.problem(`${auth ?? `Elasticsearch refused ${retry.length} of ${items.length} documents (${transient})`}; retrying in ${Math.round(delay)} ms`);
      await sleep(delay, signal);
    }
  }

  /** Rejected documents, with the reason. The same ids are reused, so a redelivered batch stays single. */
  private async deadLetter(dead: DeadLetter[], signal: AbortSignal): Promise<void> {
    const at = this.now().toISOString();
    const docs = dead.map((d) => ({
      '@timestamp': at,
      target_index: this.index,
      document_id: d.p.id,
      status: d.status,
      error: { type: d.type, message: d.reason },
      original: d.p.rec.eventText ?? JSON.stringify(d.p.rec.event),
    }));
    for (const d of dead) this.log('warn', `dead-lettered event ${d.p.id} for ${this.index}: ${d.type}: ${d.reason}`);
    let toFile = this.dlIndex ? [] : docs;
    if (this.dlIndex) {
      const backoff = new Backoff(this.backoffOpts.initialMs, this.backoffOpts.maxMs);
      for (;;) {
        try {
          const operations = docs.flatMap((d) => [{ create: { _index: this.dlIndex!, _id: d.document_id } }, d]);
          const resp = await this.client.bulk({ operations }, { signal, maxRetries: 0, requestTimeout: this.requestTimeoutMs });
          toFile = docs.filter((_, i) => {
            const s = resp.items[i].create?.status ?? 0;
            return !(s < 300 || s === 409);
          });
          break;
        } catch (err) {
          if (signal.aborted) throw err;
          const f = classify(err, this.dlIndex);
          const delay = f.kind === 'auth' ? this.backoffOpts.authMs : backoff.next();
          this.problem(`dead-letter index: ${f.message}; retrying in ${Math.round(delay)} ms`);
          await sleep(delay, signal);
        }
      }
    }
    this.metrics.add(this.name, 'deadLettered', docs.length - toFile.length);
    if (!toFile.length) return;
    if (this.dlFile) {
      const fd = fs.openSync(this.dlFile, 'a');
      try {
        fs.writeSync(fd, toFile.map((d) => `${JSON.stringify(d)}\n`).join(''));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      this.metrics.add(this.name, 'deadLettered', toFile.length);
    } else {
      this.metrics.add(this.name, 'deadLetterFailed', toFile.length);
      for (const d of toFile) this.log('error', `event ${d.document_id} lost: rejected by ${this.index} (${d.error.message}) and by the dead-letter index`);
    }
  }

  /** Logs a problem once when it starts or changes, and once when it clears: no log storm in an outage. */
  private problem(message: string | undefined): void {
    const key = message?.replace(/retrying in \d+ ms|\d+ events/g, '');
    const lastKey = this.lastProblem?.replace(/retrying in \d+ ms|\d+ events/g, '');
    if (key !== lastKey) {
      if (message) this.log('warn', `${this.name}: ${message}`);
      else this.log('info', `${this.name}: Elasticsearch accepts events again`);
      this.metrics.error?.(this.name, message);
    }
    this.lastProblem = message;
  }

  async close(): Promise<void> {
    // The client is shared (createClient is called by the owner); nothing of ours to release.
  }
}

function authMessage(status: number, index: string, reason: string | undefined): string {
  return status === 401
    ? `Elasticsearch rejected the credentials (401): check the API key or user/password${reason ? ` (${reason})` : ''}`
    : `Elasticsearch refused the request (403): the role lacks create_doc on ${index}${reason ? ` (${reason})` : ''}`;
}

/**
 * The root cause of a 401 is always "unable to authenticate with provided credentials"; why (an expired or
 * invalidated API key) is in `additional_unsuccessful_credentials`, and that is what an operator needs.
 */
function authReason(err: errors.ResponseError): string {
  const extra = (err.body as { error?: { additional_unsuccessful_credentials?: unknown } } | undefined)?.error?.additional_unsuccessful_credentials;
  return typeof extra === 'string' && extra !== '' ? `${err.message}; ${extra}` : err.message;
}

export function classify(err: unknown, index: string): Failure {
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    if (status === 401 || status === 403) return { kind: 'auth', message: authMessage(status, index, authReason(err)) };
    if (status === 413) return { kind: 'too-large', message: 'request too large (413)' };
    return { kind: 'transient', message: `Elasticsearch answered ${status}: ${err.message}` };
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError) {
    return { kind: 'transient', message: `Elasticsearch unreachable (${err.name}: ${err.message})` };
  }
  return { kind: 'transient', message: `bulk request failed: ${(err as Error)?.message ?? String(err)}` };
}

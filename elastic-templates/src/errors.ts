// Turning client failures into messages an operator can act on: which URL, which credential problem,
// which privilege. Setup is usually the first thing a new user runs, so its errors are the product's
// first impression.
import { errors, type Client } from '@elastic/elasticsearch';

export type SetupErrorCode = 'unreachable' | 'unauthorized' | 'forbidden' | 'too_old' | 'unsupported' | 'newer_schema' | 'conflict' | 'failed';

export class SetupError extends Error {
  constructor(
    readonly code: SetupErrorCode,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

/** The first node's URL without credentials, for messages. */
export function clientUrl(client: Client): string {
  const conn = (client.connectionPool as unknown as { connections?: { url: URL }[] }).connections?.[0];
  if (!conn) return '(unknown URL)';
  const u = new URL(conn.url.toString());
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

interface EsErrorBody {
  error?: { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[]; caused_by?: { type?: string; reason?: string } };
}

export function statusOf(err: unknown): number | undefined {
  return err instanceof errors.ResponseError ? err.meta.statusCode : undefined;
}

export function reasonOf(err: unknown): string {
  if (err instanceof errors.ResponseError) {
    const body = err.meta.body as EsErrorBody | string | undefined;
    if (typeof body === 'string') return body.slice(0, 500);
    const e = body?.error;
    const caused = e?.caused_by?.reason ? ` (${e.caused_by.reason})` : '';
    if (e?.reason) return `${e.type ?? 'error'}: ${e.reason}${caused}`;
    return `HTTP ${err.meta.statusCode}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Maps any client error to a SetupError; `doing` says what we were trying ("put component template X"). */
export function toSetupError(err: unknown, client: Client, doing: string): SetupError {
  if (err instanceof SetupError) return err;
  const url = clientUrl(client);
  if (err instanceof errors.ResponseError) {
    const status = err.meta.statusCode;
    const reason = reasonOf(err);
    if (status === 401) {
      return new SetupError('unauthorized', `unauthorized: Elasticsearch at ${url} rejected the credentials (401) while trying to ${doing}; check ELASTICSEARCH_USERNAME/ELASTICSEARCH_PASSWORD or ELASTICSEARCH_API_KEY`, err);
    }
    if (status === 403) {
      // Elasticsearch names the action and the privileges that would grant it; pass that on verbatim.
      const granted = /this action is granted by the ((?:cluster|index) privileges \[[^\]]*\](?: or the (?:cluster|index) privileges \[[^\]]*\])?)/.exec(reason)?.[1];
      const action = /action \[([^\]]+)\]/.exec(reason)?.[1];
      const need = granted ? `it needs one of the ${granted}` : `see roles.ts (auditsight_setup) for the privileges setup needs`;
      return new SetupError('forbidden', `unauthorized: the user lacks a privilege to ${doing}${action ? ` (action ${action})` : ''} at ${url}: ${need}`, err);
    }
    return new SetupError('failed', `Elasticsearch at ${url} refused to ${doing}: ${reason}`, err);
  }
  if (err instanceof errors.ElasticsearchClientError) {
    return new SetupError('unreachable', `cannot reach Elasticsearch at URL: ${url} (${err.name}: ${err.message})`, err);
  }
  return new SetupError('failed', `${doing} failed: ${err instanceof Error ? err.message : String(err)}`, err);
}

/** Runs one request, translating failures into SetupErrors. */
export async function call<T>(client: Client, doing: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toSetupError(err, client, doing);
  }
}

/** Like call, but the statuses in `absent` (usually 404) mean "not there" and give undefined. */
export async function optional<T>(client: Client, doing: string, fn: () => Promise<T>, absent: number[] = [404]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const status = statusOf(err);
    if (status !== undefined && absent.includes(status)) return undefined;
    throw toSetupError(err, client, doing);
  }
}

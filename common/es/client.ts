// The one Elasticsearch client factory (URL, auth, TLS, retries) that every part uses, so that a cluster
// is configured the same way for setup, shipping, detection and the console.
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import * as fs from 'node:fs';

export interface EsConnection {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  /** PEM file of the CA that signed the cluster's certificate. */
  caFile?: string;
  /** Only for lab clusters with self-signed certificates; never the default. */
  insecureSkipVerify?: boolean;
  requestTimeoutMs?: number;
  maxRetries?: number;
}

/** Reads ELASTICSEARCH_URL and friends; returns undefined when no cluster is configured. */
export function connectionFromEnv(env: NodeJS.ProcessEnv = process.env): EsConnection | undefined {
  if (!env.ELASTICSEARCH_URL) return undefined;
  return {
    url: env.ELASTICSEARCH_URL,
    apiKey: env.ELASTICSEARCH_API_KEY || undefined,
    username: env.ELASTICSEARCH_USERNAME || undefined,
    password: env.ELASTICSEARCH_PASSWORD || undefined,
    caFile: env.ELASTICSEARCH_CA || undefined,
    insecureSkipVerify: env.ELASTICSEARCH_INSECURE === 'true',
  };
}

export function createClient(conn: EsConnection): Client {
  const opts: ClientOptions = {
    node: conn.url,
    requestTimeout: conn.requestTimeoutMs ?? 30_000,
    maxRetries: conn.maxRetries ?? 3,
    // Identify ourselves in the cluster's slow logs and tasks.
    name: 'auditsight',
  };
  if (conn.apiKey) opts.auth = { apiKey: conn.apiKey };
  else if (conn.username) opts.auth = { username: conn.username, password: conn.password ?? '' };
  if (conn.caFile || conn.insecureSkipVerify) {
    opts.tls = {
      ca: conn.caFile ? fs.readFileSync(conn.caFile) : undefined,
      rejectUnauthorized: !conn.insecureSkipVerify,
    };
  }
  return new Client(opts);
}

/** A printable form of a connection for logs: never the secret. */
export function describeConnection(conn: EsConnection): string {
  const auth = conn.apiKey ? 'api key' : conn.username ? `user ${conn.username}` : 'no auth';
  return `${conn.url} (${auth}${conn.caFile ? `, CA ${conn.caFile}` : ''})`;
}

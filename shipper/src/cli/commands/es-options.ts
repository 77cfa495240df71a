// Elasticsearch connection flags, shared by every command that needs a cluster. Flags win over the
// environment (ELASTICSEARCH_URL, ELASTICSEARCH_API_KEY, ELASTICSEARCH_USERNAME/PASSWORD, ELASTICSEARCH_CA).
import type { Command } from 'commander';
import { connectionFromEnv, type EsConnection } from '../../../../common/es/client';

export interface EsFlags {
  esUrl?: string;
  esApiKey?: string;
  esUser?: string;
  esPassword?: string;
  esCa?: string;
}

export function esOptions(cmd: Command): Command {
  return cmd
    .option('--es-url <url>', 'Elasticsearch URL (env ELASTICSEARCH_URL); without it a managed local node is used where the command supports one')
    .option('--es-api-key <key>', 'API key, base64 id:key (env ELASTICSEARCH_API_KEY)')
    .option('--es-user <name>', 'basic auth user (env ELASTICSEARCH_USERNAME)')
    .option('--es-password <password>', 'basic auth password (env ELASTICSEARCH_PASSWORD)')
    .option('--es-ca <file>', 'PEM CA certificate of the cluster (env ELASTICSEARCH_CA)');
}

export function connectionFrom(flags: EsFlags, env: NodeJS.ProcessEnv = process.env): EsConnection | undefined {
  const base = connectionFromEnv(env);
  const url = flags.esUrl ?? base?.url;
  if (!url) return undefined;
  return {
    ...base,
    url,
    apiKey: flags.esApiKey ?? base?.apiKey,
    username: flags.esUser ?? base?.username,
    password: flags.esPassword ?? base?.password,
    caFile: flags.esCa ?? base?.caFile,
  };
}

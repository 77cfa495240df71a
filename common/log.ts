// Structured ECS JSON logs (pino + @elastic/ecs-pino-format) for every long-running part. Secrets never
// reach a log line: known secret-bearing keys are redacted by pino itself, whatever the caller passes.
import ecsFormat from '@elastic/ecs-pino-format';
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = ['password', 'apiKey', 'api_key', 'authorization', '*.password', '*.apiKey', '*.api_key', '*.authorization', 'conn.password', 'conn.apiKey'];

export function createLogger(name: string, level = process.env.AUDITSIGHT_LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  return pino({ ...ecsFormat({ convertErr: true }), name, level, redact: { paths: REDACT, censor: '[redacted]' } }, destination ?? pino.destination(2));
}

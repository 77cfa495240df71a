// Where notifications go: stdout/log and webhooks (generic JSON, or Slack-compatible `{text}`), with retry
// and rate limiting. Delivery failures are counted and logged; they never stop the engine.
import type { Target } from './escape';

export interface Notification {
  ruleId: string;
  ruleName: string;
  alertId: string;
  severity: string;
  /** Template output is produced per channel, escaped for that channel's target. */
  render: (target: Target) => string;
}

export interface Channel {
  readonly name: string;
  send(n: Notification): Promise<void>;
  stats(): ChannelStats;
}

export interface ChannelStats {
  sent: number;
  failed: number;
  retried: number;
  rateLimited: number;
}

export interface Clock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { nowMs: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Plain text lines, e.g. to the console of `auditsight up`. */
export function stdoutChannel(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Channel {
  const s: ChannelStats = { sent: 0, failed: 0, retried: 0, rateLimited: 0 };
  return {
    name: 'stdout',
    async send(n) {
      write(`[${n.severity}] ${n.ruleName}: ${n.render('text')}`);
      s.sent++;
    },
    stats: () => ({ ...s }),
  };
}

export interface WebhookOptions {
  url: string;
  format: 'json' | 'slack';
  headers?: Record<string, string>;
  maxRetries?: number;
  backoffMs?: number;
  /** Token bucket: at most `burst` at once, refilled at `perMinute`. */
  perMinute?: number;
  burst?: number;
  clock?: Clock;
  fetchImpl?: typeof fetch;
}

export function webhookChannel(o: WebhookOptions): Channel {
  const clock = o.clock ?? realClock;
  const doFetch = o.fetchImpl ?? fetch;
  const s: ChannelStats = { sent: 0, failed: 0, retried: 0, rateLimited: 0 };
  const burst = o.burst ?? 10;
  const perMs = (o.perMinute ?? 30) / 60_000;
  let tokens = burst;
  let last = clock.nowMs();
  let pendingSuppressed = 0;

  const body = (n: Notification): string => {
    const note = pendingSuppressed > 0 ? ` (+${pendingSuppressed} notifications held back by rate limiting)` : '';
    if (o.format === 'slack') return JSON.stringify({ text: `*${n.severity}* ${n.render('slack')}${note}` });
    return JSON.stringify({
      rule: { id: n.ruleId, name: n.ruleName },
      alert: { id: n.alertId, severity: n.severity },
      message: n.render('json'),
      rate_limited_before: pendingSuppressed,
    });
  };

  return {
    name: `webhook:${new URL(o.url).host}`,
    async send(n) {
      const now = clock.nowMs();
      tokens = Math.min(burst, tokens + (now - last) * perMs);
      last = now;
      if (tokens < 1) {
        s.rateLimited++;
        pendingSuppressed++;
        return;
      }
      tokens -= 1;
      const payload = body(n);
      const retries = o.maxRetries ?? 4;
      for (let attempt = 0; ; attempt++) {
        let retryable = true;
        try {
          const res = await doFetch(o.url, { method: 'POST', headers: { 'content-type': 'application/json', ...o.headers }, body: payload });
          if (res.ok) {
            s.sent++;
            pendingSuppressed = 0;
            return;
          }
          // 4xx other than 429 will not get better by retrying (bad URL, revoked token).
          retryable = res.status === 429 || res.status >= 500;
        } catch {
          retryable = true;
        }
        if (!retryable || attempt >= retries) {
          s.failed++;
          return;
        }
        s.retried++;
        const base = (o.backoffMs ?? 500) * 2 ** attempt;
        await clock.sleep(base / 2 + Math.random() * base);
      }
    },
    stats: () => ({ ...s }),
  };
}

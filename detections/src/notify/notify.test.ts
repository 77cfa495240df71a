import { expect } from 'chai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeSlack, escapeText } from './escape';
import { compileTemplate, templateContext } from './render';
import { stdoutChannel, webhookChannel, type Clock, type Notification } from './channels';

const hostileArgs = ['nc', '-l', '-p', '4444', '-e', '/bin/sh <!channel> <https://evil.example|click> *bold* `x` \u001b[2K\u202eexe.sh'];
const event = {
  process: { executable: '/usr/bin/nc', args: hostileArgs, name: 'nc' },
  user: { name: 'bob<script>' },
  host: { name: 'web-1' },
};
const ctx = templateContext({
  rule: { id: 'r1', name: 'Netcat listener', severity: 'high' },
  alert: { id: 'a1' },
  event,
});
const tpl = compileTemplate('{{user.name}} ran {{join process.args " "}} on {{host.name}} ({{{process.executable}}})');

describe('notifications: escaping', () => {
  it('slack: disarms mentions, links and formatting, even through triple-stash', () => {
    const out = tpl(ctx, 'slack');
    expect(out).to.not.contain('<!channel>');
    expect(out).to.not.contain('<https://');
    expect(out).to.contain('&lt;!channel&gt;');
    expect(out).to.contain('bob&lt;script&gt;');
    expect(out).to.not.match(/\*bold\*/);
    expect(out).to.not.contain('\u001b');
    expect(out).to.not.contain('\u202e');
    expect(escapeSlack('a&b')).to.equal('a&amp;b');
  });

  it('text: control and bidi characters become visible escapes', () => {
    const out = tpl(ctx, 'text');
    expect(out).to.contain('\\x1b[2K');
    expect(out).to.contain('\\u202e');
    expect(out).to.contain('bob<script> ran nc -l -p 4444 -e /bin/sh');
    expect(escapeText('a\tb\nc')).to.equal('a\tb\nc');
  });

  it('html: entities for markup', () => {
    expect(tpl(ctx, 'html')).to.contain('bob&lt;script&gt;');
  });

  it('a bad template fails when compiled (at rule load), not at the first alert', () => {
    expect(() => compileTemplate('{{#if x}}unclosed')).to.throw(/Parse error|Expecting|if/);
  });
});

function notification(): Notification {
  return { ruleId: 'r1', ruleName: 'Netcat listener', alertId: 'a1', severity: 'high', render: (t) => tpl(ctx, t) };
}

describe('notifications: channels', () => {
  let server: http.Server;
  let url: string;
  let bodies: string[];
  let failuresLeft: number;

  beforeEach(async () => {
    bodies = [];
    failuresLeft = 0;
    server = http.createServer((req, res) => {
      let b = '';
      req.on('data', (c) => (b += c));
      req.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(503).end();
          return;
        }
        bodies.push(b);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  const instantClock = (): Clock & { t: number } => {
    const c = { t: 0, nowMs: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
    return c;
  };

  it('webhook (slack format) retries 5xx with backoff and delivers once', async () => {
    failuresLeft = 2;
    const ch = webhookChannel({ url, format: 'slack', clock: instantClock() });
    await ch.send(notification());
    expect(bodies).to.have.length(1);
    const payload = JSON.parse(bodies[0]);
    expect(payload.text).to.contain('&lt;!channel&gt;');
    expect(ch.stats()).to.include({ sent: 1, retried: 2, failed: 0 });
  });

  it('webhook gives up after maxRetries and counts the failure', async () => {
    failuresLeft = 100;
    const ch = webhookChannel({ url, format: 'json', clock: instantClock(), maxRetries: 2 });
    await ch.send(notification());
    expect(ch.stats()).to.include({ sent: 0, retried: 2, failed: 1 });
  });

  it('rate limiting holds back bursts, counts them, and says so in the next message', async () => {
    const clock = instantClock();
    const ch = webhookChannel({ url, format: 'json', clock, burst: 2, perMinute: 6 });
    for (let i = 0; i < 5; i++) await ch.send(notification());
    expect(ch.stats()).to.include({ sent: 2, rateLimited: 3 });
    clock.t += 10_000; // one token back at 6/min
    await ch.send(notification());
    expect(bodies).to.have.length(3);
    expect(JSON.parse(bodies[2]).rate_limited_before).to.equal(3);
  });

  it('stdout channel writes one escaped line', async () => {
    const lines: string[] = [];
    await stdoutChannel((l) => lines.push(l)).send(notification());
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^\[high\] Netcat listener: bob<script> ran nc/);
    expect(lines[0]).to.not.contain('\u001b');
  });
});

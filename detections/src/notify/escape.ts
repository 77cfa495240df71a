// Escapers per notification target. Command lines, paths, user names and hostnames in alerts are
// attacker-controlled: an attacker who names a binary `<!channel> <https://evil|click>` or embeds ANSI
// escapes must not get a mention, a disguised link or a rewritten terminal out of our notifications.

export type Target = 'text' | 'slack' | 'html' | 'json';

// C0/C1 controls except tab and newline; ESC starts ANSI sequences that could rewrite a terminal line.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidirectional overrides can make `exe.sh` display as `hs.exe` (Trojan Source).
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

function visible(ch: string): string {
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** Plain text (stdout, logs): control and bidi characters become visible escapes. */
export function escapeText(s: string): string {
  return s.replace(CONTROL, visible).replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * Slack mrkdwn: `&`, `<`, `>` must be HTML-entity escaped (Slack's own rule), which also disarms
 * `<!channel>`, `<@U123>` and `<url|label>`. Formatting characters are neutralized with a zero-width
 * joiner so `*`, `_`, `~` and backticks in a command line cannot restyle or break out of code spans.
 */
export function escapeSlack(s: string): string {
  return escapeText(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([*_~`])/g, '$1\u200d');
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;', '=': '&#61;' };

export function escapeHtml(s: string): string {
  return escapeText(s).replace(/[&<>"'`=]/g, (c) => HTML[c]);
}

/** JSON payloads are built with JSON.stringify, which is already safe; only controls are made visible. */
export function escapeFor(target: Target): (s: string) => string {
  switch (target) {
    case 'slack':
      return escapeSlack;
    case 'html':
      return escapeHtml;
    case 'text':
    case 'json':
      return escapeText;
  }
}

/** Deep copy of a context with every string escaped; templates then cannot emit raw attacker text. */
export function escapeDeep(value: unknown, esc: (s: string) => string, depth = 0): unknown {
  if (depth > 32) return undefined;
  if (typeof value === 'string') return esc(value);
  if (Array.isArray(value)) return value.map((v) => escapeDeep(v, esc, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = escapeDeep(v, esc, depth + 1);
    return out;
  }
  return value;
}

// Rendering a rule's notification template (handlebars) for one alert and one target format.
// The context is escaped for the target before rendering and the template is compiled with noEscape, so
// `{{x}}` and `{{{x}}}` both give target-safe text: no template author can forget an escape.
import Handlebars from 'handlebars';
import { escapeDeep, escapeFor, type Target } from './escape';

/** Helpers rule templates may use; the rule loader rejects any other helper name at load time. */
export const TEMPLATE_HELPERS = ['join', 'default'] as const;

const hbs = Handlebars.create();
hbs.registerHelper('join', (value: unknown, sep: unknown) =>
  Array.isArray(value) ? value.join(typeof sep === 'string' ? sep : ' ') : value,
);
hbs.registerHelper('default', (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value));

export type CompiledTemplate = (context: object, target: Target) => string;

/** Throws a handlebars parse error with its line; the rule loader reports it with the file position. */
export function compileTemplate(source: string): CompiledTemplate {
  const tpl = hbs.compile(source, { noEscape: true, strict: false });
  tpl({}); // parse now, so a bad template fails at rule load and not at the first alert
  return (context, target) => tpl(escapeDeep(context, escapeFor(target)) as object);
}

export interface AlertContext {
  rule: { id: string; name: string; severity: string; risk_score?: number };
  alert: { id: string; reason?: string; count?: number; url?: string };
  /** The first triggering event document; its fields are also at the top level (`{{process.executable}}`). */
  event: Record<string, unknown>;
}

export function templateContext(c: AlertContext): object {
  return { ...c.event, rule: c.rule, alert: c.alert, source: c.event };
}

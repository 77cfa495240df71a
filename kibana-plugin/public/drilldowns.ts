// URL drilldown templates that open the process-details app from a Kibana dashboard panel, a Lens table or
// a Discover session. Kibana's URL drilldown renders Handlebars with {{event.value}} (the clicked value),
// {{kibanaUrl}} and the helpers encodeURIComponent/encodeURIQuery.
//
// Set "Encode URL" OFF for these: each dynamic part is already encoded with encodeURIComponent, which is
// what a value inside a #/path/ or ?q= needs ('/', '#', '?', '&', '<' all escaped). Kibana's own "Encode URL"
// applies encodeURI to the whole URL instead, which leaves '#', '/', '?' and '&' alone, so an attacker-chosen
// path like "/tmp/x#/process/other" would re-route the link; encoding both ways would double-encode ('%25').
import Handlebars from 'handlebars';

export const DRILLDOWN_TEMPLATES = {
  /** Trigger on process.entity_id (or process.parent.entity_id, process.entry_leader.entity_id). */
  process: '{{kibanaUrl}}/app/auditsight#/process/{{encodeURIComponent event.value}}',
  /** Trigger on process.entry_leader.entity_id: the login session's timeline. */
  session: '{{kibanaUrl}}/app/auditsight#/session/{{encodeURIComponent event.value}}',
  /** Trigger on any text field (process.executable, process.args, file.path, user.name...): pivot search. */
  pivot: '{{kibanaUrl}}/app/auditsight#/search?q={{encodeURIComponent event.value}}',
} as const;

export type DrilldownName = keyof typeof DRILLDOWN_TEMPLATES;

/** The same drilldowns pointed at a standalone console (e.g. http://127.0.0.1:5601 behind a proxy). */
export function consoleTemplate(name: DrilldownName, consoleUrl: string): string {
  const u = new URL(consoleUrl);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('console URL must be http(s)');
  // Curly braces in a URL would be read as Handlebars; a real base URL has none.
  if (/[{}]/.test(consoleUrl)) throw new Error('console URL must not contain braces');
  const base = consoleUrl.replace(/\/+$/, '');
  return DRILLDOWN_TEMPLATES[name].replace('{{kibanaUrl}}/app/auditsight', base + '/');
}

export interface DrilldownContext {
  kibanaUrl?: string;
  event: { value: unknown; key?: string };
}

const hb = Handlebars.create();
hb.registerHelper('encodeURIComponent', (v: unknown) => encodeURIComponent(v === undefined || v === null ? '' : String(v)));
// Kibana's encodeURIQuery: like encodeURIComponent but keeps the characters query strings tolerate.
hb.registerHelper('encodeURIQuery', (v: unknown) =>
  encodeURIComponent(String(v ?? '')).replace(/%40/gi, '@').replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%20/g, '+'),
);

/**
 * Renders a template the way Kibana's URL drilldown does with "Encode URL" off: Handlebars without HTML
 * escaping (a URL is not HTML), unknown helpers rejected, and only http(s) results accepted, so a crafted
 * value can never produce a javascript: link.
 */
export function renderDrilldownUrl(template: string, ctx: DrilldownContext): string {
  const fn = hb.compile(template, { noEscape: true, strict: true, knownHelpers: { encodeURIComponent: true, encodeURIQuery: true }, knownHelpersOnly: true });
  const url = fn({ kibanaUrl: ctx.kibanaUrl ?? '', event: ctx.event });
  const parsed = new URL(url, 'http://relative.invalid');
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('drilldown URL must be http(s)');
  return url;
}

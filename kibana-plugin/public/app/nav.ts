// Hash routing: #/process/<entity>, #/session/<entity>, #/search?q=<text>, #/ (latest alerts). A hash keeps
// deep links working in the standalone console and inside Kibana's /app/auditsight without server routes,
// and is what the URL drilldown templates (../drilldowns.ts) point at. Every dynamic part is encoded.
import { createContext, useContext, useEffect, useMemo, useState } from 'react';

export type Route =
  | { page: 'alerts' }
  | { page: 'process'; id: string; tab?: string }
  | { page: 'session'; id: string }
  | { page: 'search'; q: string };

export const href = {
  alerts: () => '#/',
  process: (id: string, tab?: string) => `#/process/${encodeURIComponent(id)}${tab ? `?tab=${encodeURIComponent(tab)}` : ''}`,
  session: (id: string) => `#/session/${encodeURIComponent(id)}`,
  search: (q: string) => `#/search?q=${encodeURIComponent(q)}`,
};

/**
 * Prefix for links: '' inside the app (bare hashes), the app's URL when components are embedded elsewhere
 * (Discover's doc viewer), so a link never rewrites the host page's own hash.
 */
export const LinkBase = createContext('');

export function useHref(): typeof href {
  const base = useContext(LinkBase);
  return useMemo(
    () => ({
      alerts: () => base + href.alerts(),
      process: (id: string, tab?: string) => base + href.process(id, tab),
      session: (id: string) => base + href.session(id),
      search: (q: string) => base + href.search(q),
    }),
    [base],
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const qi = h.indexOf('?');
  const path = qi >= 0 ? h.slice(0, qi) : h;
  const query = new URLSearchParams(qi >= 0 ? h.slice(qi + 1) : '');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'process' && parts[1]) return { page: 'process', id: safeDecode(parts[1]), tab: query.get('tab') ?? undefined };
  if (parts[0] === 'session' && parts[1]) return { page: 'session', id: safeDecode(parts[1]) };
  if (parts[0] === 'search') return { page: 'search', q: query.get('q') ?? '' };
  return { page: 'alerts' };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(to: string): void {
  window.location.hash = to.replace(/^#/, '');
}

const sameDeps = (a: readonly unknown[] | undefined, b: readonly unknown[]) => a !== undefined && a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

/**
 * Loads data for the given deps. Errors are kept to be shown, not thrown. What was loaded for other deps
 * is never returned: the first render after the deps change comes before the effect that starts the new
 * load, and it used to show the previous process (or timeline page) under the new one's address and
 * range for a frame.
 */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]): { data?: T; error?: Error; loading: boolean } {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; deps?: unknown[] }>({ loading: true });
  useEffect(() => {
    let live = true;
    setState({ loading: true, deps });
    fn().then(
      (data) => live && setState({ data, loading: false, deps }),
      (error: Error) => live && setState({ error, loading: false, deps }),
    );
    return () => {
      live = false;
    };
    // Re-run on the caller's deps only: fn is a fresh closure on every render.
  }, deps);
  return sameDeps(state.deps, deps) ? state : { loading: true };
}

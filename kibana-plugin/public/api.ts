// The app's only way to the server: one typed client over a `get` function, so the same components run in
// Kibana (core.http.get with the route version) and in the standalone console (window.fetch).
import { API_VERSION, ROUTE_SPECS } from '../common/routes';
import type {
  AlertSummary, AncestryResult, ChildrenResult, FileEntry, NetworkEntry, Page, ProcessDetails, RawEvent, SearchHit,
  TimelineEntry,
} from '../common/types';

export type Query = Record<string, string | number | undefined>;
export type GetFn = <T>(path: string, query: Query) => Promise<T>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Scope = { entity_id: string } | { session_id: string };

export function createApi(get: GetFn) {
  const R = ROUTE_SPECS;
  return {
    process: (entityId: string) => get<ProcessDetails>(R.process.path, { entity_id: entityId }),
    ancestry: (entityId: string) => get<AncestryResult>(R.ancestry.path, { entity_id: entityId }),
    children: (entityId: string) => get<ChildrenResult>(R.children.path, { entity_id: entityId }),
    session: (sessionId: string, cursor?: string, size = 200) =>
      get<Page<TimelineEntry>>(R.session.path, { session_id: sessionId, cursor, size }),
    network: (scope: Scope) => get<{ items: NetworkEntry[] }>(R.network.path, scope).then((r) => r.items),
    files: (scope: Scope) => get<{ items: FileEntry[] }>(R.files.path, scope).then((r) => r.items),
    alerts: (scope?: Scope) => get<{ items: AlertSummary[] }>(R.alerts.path, { ...scope }).then((r) => r.items),
    alert: (id: string) => get<AlertSummary>(R.alert.path, { id }),
    search: (q: string) => get<Page<SearchHit>>(R.search.path, { q }),
    events: (scope: Scope | { alert_id: string }, cursor?: string) => get<Page<RawEvent>>(R.events.path, { ...scope, cursor }),
  };
}

export type AuditsightApi = ReturnType<typeof createApi>;

/** The standalone console: same paths, same version header Kibana's http service would send. */
export function fetchGet(base = ''): GetFn {
  return async <T>(path: string, query: Query): Promise<T> => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
    const res = await fetch(`${base}${path}?${qs.toString()}`, {
      headers: { 'elastic-api-version': API_VERSION, 'x-elastic-internal-origin': 'auditsight', accept: 'application/json' },
    });
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    if (!res.ok) throw new ApiError(res.status, body.message ?? res.statusText);
    return body as T;
  };
}

// Route handlers, written once as plain functions (services, validatedParams) => result. The Kibana router
// (kibana-routes.ts) and the standalone express console (standalone/app.ts) both register exactly these,
// under the same paths, validated by the same parseParams().
import { ParamError, parseParams, type ParamsOf, type ParamsSpec } from '../common/params';
import { NotFoundError, QueryService, type Scope } from '../common/query-service';
import { ROUTE_SPECS, type RouteName } from '../common/routes';

export interface RouteServices {
  query: QueryService;
}

export interface RouteDef<S extends ParamsSpec = ParamsSpec> {
  name: RouteName;
  path: string;
  spec: S;
  handler: (services: RouteServices, params: ParamsOf<S>) => Promise<unknown>;
}

function define<N extends RouteName>(
  name: N,
  handler: (services: RouteServices, params: ParamsOf<(typeof ROUTE_SPECS)[N]['params']>) => Promise<unknown>,
): RouteDef {
  const { path, params } = ROUTE_SPECS[name];
  return { name, path, spec: params, handler: handler as RouteDef['handler'] };
}

function scopeOf(p: { entity_id?: string; session_id?: string }): Scope | undefined {
  if (p.entity_id) return { entityId: p.entity_id };
  if (p.session_id) return { sessionId: p.session_id };
  return undefined;
}

export const ROUTES: RouteDef[] = [
  define('process', ({ query }, p) => query.getProcess(p.entity_id)),
  define('ancestry', ({ query }, p) => query.getAncestry(p.entity_id, p.max_depth)),
  define('children', ({ query }, p) => query.getChildren(p.entity_id, p.size)),
  define('session', ({ query }, p) =>
    query.getSessionTimeline(p.session_id, { leader: p.leader as 'entry' | 'session', size: p.size, cursor: p.cursor }),
  ),
  define('network', ({ query }, p) => query.getNetwork(scopeOf(p)!, p.size).then((items) => ({ items }))),
  define('files', ({ query }, p) => query.getFiles(scopeOf(p)!, p.size).then((items) => ({ items }))),
  define('alerts', ({ query }, p) =>
    query.getAlerts({ scope: scopeOf(p), from: p.from, to: p.to, size: p.size }).then((items) => ({ items })),
  ),
  define('alert', ({ query }, p) => query.getAlert(p.id)),
  define('search', ({ query }, p) => query.search(p.q, { from: p.from, to: p.to, size: p.size })),
  define('events', ({ query }, p) =>
    query.getRawEvents({ scope: scopeOf(p), alertId: p.alert_id, size: p.size, cursor: p.cursor }),
  ),
];

export interface HandlerOutcome {
  status: number;
  body: unknown;
}

/**
 * Validates, runs and maps errors to statuses, for any front door. Elasticsearch errors keep their status
 * when it is a client error (403 from asCurrentUser lacking privileges), everything else is a 502 with a
 * generic message: cluster internals are logged, not shown.
 */
export async function runRoute(route: RouteDef, services: RouteServices, rawQuery: Record<string, unknown>, log?: (e: unknown) => void): Promise<HandlerOutcome> {
  const parsed = parseParams(route.spec, rawQuery);
  if (!parsed.ok) return { status: 400, body: { message: parsed.error } };
  try {
    return { status: 200, body: await route.handler(services, parsed.value) };
  } catch (e) {
    if (e instanceof ParamError) return { status: 400, body: { message: e.message } };
    if (e instanceof NotFoundError) return { status: 404, body: { message: e.message } };
    const status = (e as { meta?: { statusCode?: number } }).meta?.statusCode;
    log?.(e);
    if (status === 401 || status === 403) return { status, body: { message: 'Elasticsearch denied the request' } };
    return { status: 502, body: { message: 'Elasticsearch query failed' } };
  }
}

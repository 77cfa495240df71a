// Kibana front door: each route of handlers.ts becomes a versioned internal route. Validation is the
// shared parseParams(), wrapped in a @kbn/config-schema object so Kibana rejects bad requests before the
// handler (and documents the parameters); the handler parses again to get the normalized, typed values.
// The schema library is passed in rather than imported so this adapter can be exercised outside Kibana.
import type { schema as KbnSchema, Type } from '@kbn/config-schema';
import type { ElasticsearchClient, IRouter, KibanaResponseFactory } from '@kbn/core/server';
import { parseParams, type FieldSpec, type ParamsSpec } from '../common/params';
import { QueryService } from '../common/query-service';
import { API_VERSION } from '../common/routes';
import type { IndexConfig } from '../common/types';
import { ROUTES, runRoute } from './handlers';

function fieldType(s: typeof KbnSchema, f: FieldSpec): Type<unknown> {
  // Per-field types give Kibana's OpenAPI generator something to show; the object-level validate below is
  // what actually decides, with the exact same rules as the express console.
  if (f.kind === 'int') return s.maybe(s.number({ min: f.min, max: f.max }));
  const maxLength = f.kind === 'text' ? f.maxLength : f.kind === 'docId' ? 512 : f.kind === 'cursor' ? 1024 : 256;
  return s.maybe(s.string({ maxLength }));
}

export function toConfigSchema(s: typeof KbnSchema, spec: ParamsSpec): Type<Record<string, unknown>> {
  const props: Record<string, Type<unknown>> = {};
  for (const [name, f] of Object.entries(spec.fields)) props[name] = fieldType(s, f);
  return s.object(props, {
    validate: (value: Record<string, unknown>) => {
      // config-schema leaves absent maybe() keys as undefined; parseParams treats those as absent too.
      const r = parseParams(spec, value);
      return r.ok ? undefined : r.error;
    },
  }) as Type<Record<string, unknown>>;
}

function respond(res: KibanaResponseFactory, status: number, body: unknown) {
  if (status === 200) return res.ok({ body });
  const message = (body as { message: string }).message;
  if (status === 400) return res.badRequest({ body: { message } });
  if (status === 404) return res.notFound({ body: { message } });
  if (status === 403) return res.forbidden({ body: { message } });
  return res.customError({ statusCode: status, body: { message } });
}

export function registerKibanaRoutes(
  router: IRouter,
  s: typeof KbnSchema,
  opts: { indices: IndexConfig; log?: (e: unknown) => void },
): void {
  for (const route of ROUTES) {
    router.versioned
      .get({
        path: route.path,
        access: 'internal',
        summary: `auditsight ${route.name}`,
        // Every read goes through asCurrentUser: Elasticsearch's index privileges are the authorization.
        security: { authz: { enabled: false, reason: 'Reads only through asCurrentUser; Elasticsearch enforces index privileges' } },
      })
      .addVersion(
        { version: API_VERSION, validate: { request: { query: toConfigSchema(s, route.spec) } } },
        async (context, request, response) => {
          const core = await context.core;
          const query = new QueryService(core.elasticsearch.client.asCurrentUser as ElasticsearchClient, opts.indices);
          const out = await runRoute(route, { query }, (request.query ?? {}) as Record<string, unknown>, opts.log);
          return respond(response, out.status, out.body);
        },
      );
  }
}

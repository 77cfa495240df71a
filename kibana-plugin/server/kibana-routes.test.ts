// The Kibana adapter outside Kibana: a recording router and a minimal stand-in for @kbn/config-schema
// (only the calls the adapter makes), with the REAL Elasticsearch behind context.core's asCurrentUser.
// It proves every route is registered as a versioned internal route, validated by the shared schemas,
// and answers exactly what the express console answers.
import { expect } from 'chai';
import type { schema as KbnSchema, Type } from '@kbn/config-schema';
import type { IKibanaResponse, IRouter, KibanaResponseFactory, RequestHandler, RequestHandlerContext } from '@kbn/core/server';
import { sharedElasticsearch, uniqueName } from '../../test/elasticsearch';
import { E, indexBobStory, type IndexedStory } from '../test/bob-story';
import { QueryService } from '../common/query-service';
import { ROUTE_SPECS } from '../common/routes';
import { ROUTES, runRoute } from './handlers';
import { registerKibanaRoutes } from './kibana-routes';

type Registered = { config: { path: string; access: string; security?: unknown }; version: string; query: Type<unknown>; handler: RequestHandler };

function recordingRouter(out: Registered[]): IRouter {
  return {
    versioned: {
      get: (config) => {
        const route = {
          addVersion: (opts: { version: string; validate: false | { request?: { query?: Type<unknown> } } }, handler: RequestHandler) => {
            if (!opts.validate || !opts.validate.request?.query) throw new Error('unvalidated route');
            out.push({ config, version: opts.version, query: opts.validate.request.query, handler });
            return route;
          },
        };
        return route as never;
      },
    },
  };
}

// Mirrors config-schema's contract for what the adapter uses: per-field types, then the object validate hook.
const fakeSchema = {
  string: () => ({ validate: (v: unknown) => v }),
  number: () => ({ validate: (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v) }),
  maybe: (t: Type<unknown>) => t,
  object: (props: Record<string, Type<unknown>>, opts?: { validate?: (v: Record<string, unknown>) => string | void }) => ({
    validate(v: Record<string, unknown>) {
      const out: Record<string, unknown> = { ...v };
      for (const [k, t] of Object.entries(props)) if (v[k] !== undefined) out[k] = t.validate(v[k]);
      const err = opts?.validate?.(out);
      if (err) throw new Error(err);
      return out;
    },
  }),
} as unknown as typeof KbnSchema;

const responses: KibanaResponseFactory = {
  ok: (o) => ({ status: 200, payload: o?.body }),
  badRequest: (o) => ({ status: 400, payload: o?.body }),
  forbidden: (o) => ({ status: 403, payload: o?.body }),
  notFound: (o) => ({ status: 404, payload: o?.body }),
  customError: (o) => ({ status: o.statusCode, payload: o.body }),
};

describe('kibana-plugin Kibana route adapter @integration', function () {
  this.timeout(60_000);
  let story: IndexedStory;
  const routes: Registered[] = [];
  let context: RequestHandlerContext;
  let qs: QueryService;

  before(async () => {
    const es = await sharedElasticsearch();
    story = await indexBobStory(es.client, uniqueName('kbnroutes'));
    registerKibanaRoutes(recordingRouter(routes), fakeSchema, { indices: story.indices });
    context = { core: Promise.resolve({ elasticsearch: { client: { asCurrentUser: es.client, asInternalUser: es.client } } }) };
    qs = new QueryService(es.client, story.indices);
  });
  after(async () => story?.cleanup());

  const call = async (path: string, query: Record<string, unknown>): Promise<IKibanaResponse> => {
    const r = routes.find((x) => x.config.path === path)!;
    return r.handler(context, { query: r.query.validate(query), params: {}, body: {}, url: new URL(`http://kibana${path}`) }, responses);
  };

  it('registers every route once, as a versioned internal route with authz explained', () => {
    expect(routes.map((r) => r.config.path).sort()).to.deep.equal(Object.values(ROUTE_SPECS).map((s) => s.path).sort());
    for (const r of routes) {
      expect(r.config.access).to.equal('internal');
      expect(r.version).to.equal('1');
      expect(r.config.security).to.have.nested.property('authz.enabled', false);
    }
  });

  it('validates with the same schemas as the console', () => {
    const process = routes.find((r) => r.config.path === ROUTE_SPECS.process.path)!;
    expect(() => process.query.validate({ entity_id: '*' })).to.throw('entity_id: not an entity id');
    expect(() => process.query.validate({ entity_id: E.nc, extra: '1' })).to.throw('extra: unknown parameter');
    const children = routes.find((r) => r.config.path === ROUTE_SPECS.children.path)!;
    expect(() => children.query.validate({ entity_id: E.nc, size: '501' })).to.throw('size: must be an integer');
  });

  it('answers through asCurrentUser exactly what the shared handlers answer', async () => {
    for (const [name, query] of [
      ['ancestry', { entity_id: E.nc }],
      ['children', { entity_id: E.bash }],
      ['session', { session_id: E.bash, size: '5' }],
      ['network', { entity_id: E.nc }],
      ['search', { q: 'service1' }],
    ] as const) {
      const path = ROUTE_SPECS[name].path;
      const viaKibana = await call(path, query);
      const direct = await runRoute(ROUTES.find((r) => r.path === path)!, { query: qs }, query);
      expect(viaKibana.status, name).to.equal(200);
      expect(viaKibana.payload, name).to.deep.equal(direct.body);
    }
    const missing = await call(ROUTE_SPECS.process.path, { entity_id: 'ffffffffffffffffffffffffffffffff' });
    expect(missing.status).to.equal(404);
  });
});

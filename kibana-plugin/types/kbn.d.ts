// Local declarations of exactly the Kibana APIs this plugin uses. @kbn/* packages are not published to
// npm: inside a Kibana checkout (plugins/auditsight) the real ones take over. Shapes follow elastic/kibana
// main: src/core/packages/http/server/src/versioning/types.ts (versioned router), core-http-server's
// RequestHandlerContext (context.core is a Promise since 8.3), core-application-browser's App/AppMountParameters,
// kbn-unified-doc-viewer's DocView/DocViewRenderProps, core-rendering-browser's addContext.

declare module '@kbn/config-schema' {
  export interface Type<V> {
    readonly type: V;
    validate(value: unknown): V;
  }
  export type Props = Record<string, Type<unknown>>;
  export type TypeOf<T extends Type<unknown>> = T['type'];
  export interface ObjectOptions<T> {
    unknowns?: 'allow' | 'ignore' | 'forbid';
    /** Returns an error message, or nothing when valid. */
    validate?: (value: T) => string | void;
  }
  export const schema: {
    object<P extends Props>(props: P, options?: ObjectOptions<{ [K in keyof P]: TypeOf<P[K]> }>): Type<{ [K in keyof P]: TypeOf<P[K]> }>;
    string(options?: { minLength?: number; maxLength?: number; defaultValue?: string; validate?: (v: string) => string | void }): Type<string>;
    number(options?: { min?: number; max?: number; defaultValue?: number }): Type<number>;
    maybe<V>(type: Type<V>): Type<V | undefined>;
    arrayOf<V>(type: Type<V>, options?: { defaultValue?: V[]; minSize?: number; maxSize?: number }): Type<V[]>;
  };
}

declare module '@kbn/core/server' {
  import type { Client } from '@elastic/elasticsearch';
  import type { Type } from '@kbn/config-schema';

  /** The request-scoped client; a Client minus lifecycle methods. */
  export type ElasticsearchClient = Omit<Client, 'connectionPool' | 'serializer' | 'extend' | 'close' | 'diagnostic' | 'child'>;

  export interface Logger {
    debug(message: string, meta?: object): void;
    warn(message: string | Error, meta?: object): void;
    error(message: string | Error, meta?: object): void;
  }
  export interface PluginInitializerContext<C = unknown> {
    config: { get<T = C>(): T };
    logger: { get(...contextParts: string[]): Logger };
  }
  export interface PluginConfigDescriptor<T = unknown> {
    schema: Type<T>;
    exposeToBrowser?: Partial<Record<keyof T, boolean>>;
  }
  export interface KibanaRequest<P = unknown, Q = unknown, B = unknown> {
    readonly params: P;
    readonly query: Q;
    readonly body: B;
    readonly url: URL;
  }
  export interface IKibanaResponse<T = unknown> {
    readonly status: number;
    readonly payload?: T;
  }
  export interface ResponseErrorOptions {
    body?: { message: string } | string;
  }
  export interface KibanaResponseFactory {
    ok(options?: { body?: unknown }): IKibanaResponse;
    badRequest(options?: ResponseErrorOptions): IKibanaResponse;
    forbidden(options?: ResponseErrorOptions): IKibanaResponse;
    notFound(options?: ResponseErrorOptions): IKibanaResponse;
    customError(options: ResponseErrorOptions & { statusCode: number }): IKibanaResponse;
  }
  export interface RequestHandlerContext {
    core: Promise<{ elasticsearch: { client: { asCurrentUser: ElasticsearchClient; asInternalUser: ElasticsearchClient } } }>;
  }
  export type RequestHandler<P = unknown, Q = unknown, B = unknown> = (
    context: RequestHandlerContext,
    request: KibanaRequest<P, Q, B>,
    response: KibanaResponseFactory,
  ) => Promise<IKibanaResponse> | IKibanaResponse;

  export type RouteSecurity = {
    authz: { enabled: false; reason: string } | { requiredPrivileges: string[] };
  };
  export interface VersionedRouteConfig {
    path: string;
    access: 'public' | 'internal';
    security?: RouteSecurity;
    summary?: string;
    description?: string;
  }
  export interface AddVersionOpts<P, Q, B> {
    version: string;
    validate: false | { request?: { params?: Type<P>; query?: Type<Q>; body?: Type<B> } };
  }
  export interface VersionedRoute {
    addVersion<P = unknown, Q = unknown, B = unknown>(options: AddVersionOpts<P, Q, B>, handler: RequestHandler<P, Q, B>): VersionedRoute;
  }
  export interface VersionedRouter {
    get(config: VersionedRouteConfig): VersionedRoute;
  }
  export interface IRouter {
    versioned: VersionedRouter;
  }
  export interface CoreSetup {
    http: { createRouter(): IRouter };
  }
  export interface CoreStart {}
  export interface Plugin<TSetup = void, TStart = void> {
    setup(core: CoreSetup, plugins: object): TSetup;
    start(core: CoreStart, plugins: object): TStart;
    stop?(): void;
  }
}

declare module '@kbn/core/public' {
  import type { ReactElement, ReactNode } from 'react';

  export interface HttpFetchOptions {
    query?: Record<string, string | number | undefined>;
    /** Sets the elastic-api-version header of a versioned route. */
    version?: string;
    signal?: AbortSignal;
  }
  export interface HttpSetup {
    get<T = unknown>(path: string, options?: HttpFetchOptions): Promise<T>;
    basePath: { prepend(path: string): string };
  }
  export interface AppMountParameters {
    element: HTMLElement;
    appBasePath: string;
    onAppLeave?(handler: unknown): void;
  }
  export type AppUnmount = () => void;
  export interface App {
    id: string;
    title: string;
    order?: number;
    euiIconType?: string;
    mount(params: AppMountParameters): AppUnmount | Promise<AppUnmount>;
  }
  export interface CoreStart {
    http: HttpSetup;
    rendering: { addContext(element: ReactNode): ReactElement };
  }
  export interface CoreSetup<TStartDeps = object> {
    http: HttpSetup;
    application: { register(app: App): void };
    getStartServices(): Promise<[CoreStart, TStartDeps, unknown]>;
  }
  export interface PluginInitializerContext {
    env: { packageInfo: { version: string } };
  }
  export interface Plugin<TSetup = void, TStart = void, TSetupDeps = object, TStartDeps = object> {
    setup(core: CoreSetup<TStartDeps>, plugins: TSetupDeps): TSetup;
    start(core: CoreStart, plugins: TStartDeps): TStart;
    stop?(): void;
  }
}

declare module '@kbn/unified-doc-viewer/types' {
  import type { FC } from 'react';
  /** kbn-discover-utils DataTableRecord: the hit plus its flattened fields. */
  export interface DataTableRecord {
    id: string;
    raw: { _id?: string; _index?: string; _source?: Record<string, unknown>; fields?: Record<string, unknown[]> };
    flattened: Record<string, unknown>;
  }
  export interface DocViewRenderProps {
    hit: DataTableRecord;
    [other: string]: unknown;
  }
  export interface DocView {
    id: string;
    order: number;
    title: string;
    component: FC<DocViewRenderProps>;
    enabled?: boolean;
  }
}

declare module '@kbn/unified-doc-viewer-plugin/public' {
  import type { DocView } from '@kbn/unified-doc-viewer/types';
  export interface UnifiedDocViewerStart {
    registry: { add(docView: DocView): void; removeById(id: string): void };
  }
  export type UnifiedDocViewerSetup = UnifiedDocViewerStart;
}

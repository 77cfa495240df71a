// The Kibana server plugin: registers the routes with the configured index patterns.
import { schema } from '@kbn/config-schema';
import type { CoreSetup, Logger, Plugin, PluginConfigDescriptor, PluginInitializerContext } from '@kbn/core/server';
import { DEFAULT_INDICES, type IndexConfig } from '../common/types';
import { registerKibanaRoutes } from './kibana-routes';

/** kibana.yml: auditsight.indices.events / auditsight.indices.alerts (lists of patterns). */
export const configSchema = schema.object({
  indices: schema.object({
    events: schema.arrayOf(schema.string(), { defaultValue: DEFAULT_INDICES.events, minSize: 1 }),
    alerts: schema.arrayOf(schema.string(), { defaultValue: DEFAULT_INDICES.alerts, minSize: 1 }),
  }),
});

export interface AuditsightConfig {
  indices: IndexConfig;
}

export const config: PluginConfigDescriptor<AuditsightConfig> = { schema: configSchema as never };

export class AuditsightServerPlugin implements Plugin {
  private readonly log: Logger;
  private readonly cfg: AuditsightConfig;

  constructor(ctx: PluginInitializerContext<AuditsightConfig>) {
    this.log = ctx.logger.get();
    this.cfg = ctx.config.get<AuditsightConfig>();
  }

  setup(core: CoreSetup): void {
    registerKibanaRoutes(core.http.createRouter(), schema, {
      indices: this.cfg.indices ?? DEFAULT_INDICES,
      log: (e) => this.log.warn(e instanceof Error ? e : String(e)),
    });
  }

  start(): void {}
}

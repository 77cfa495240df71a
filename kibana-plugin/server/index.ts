// Kibana server entry point: Kibana calls plugin(initializerContext) and reads `config`.
import type { PluginInitializerContext } from '@kbn/core/server';
import { AuditsightServerPlugin, config, type AuditsightConfig } from './plugin';

export { config };

export function plugin(ctx: PluginInitializerContext<AuditsightConfig>) {
  return new AuditsightServerPlugin(ctx);
}

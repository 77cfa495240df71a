// Kibana browser entry point.
import { AuditsightPublicPlugin } from './plugin';

export function plugin() {
  return new AuditsightPublicPlugin();
}

// Field -> Elasticsearch type for compiling rules. KQL compiles differently per type (keyword -> term or
// wildcard, text -> match, date -> range), so the map must be what the events index really has: it is
// derived from the schema's one list of field definitions (elastic-templates), never spelled here.
import { fieldTypeMap, type Variant } from '../../../elastic-templates/src/templates';
import type { FieldTypeMap } from '../kql';

/** The map for a variant; the engine passes the variant that setup found on the cluster. */
export function ruleFieldTypes(variant: Variant = 'minimal', flattened = true): FieldTypeMap {
  return Object.freeze(fieldTypeMap('events', { variant, flattened }));
}

/** The default: the minimal variant with flattened, what the integ-test-zip and most clusters get. */
export const AUDITSIGHT_FIELD_TYPES: FieldTypeMap = ruleFieldTypes();

/**
 * Prefixes whose subfields are dynamic (auditd.data.* holds whatever the kernel records carried), so a
 * field under them that the map does not list is not suspected to be a typo.
 */
export const DYNAMIC_FIELD_PREFIXES = ['auditd.data.', 'auditd.paths.', 'labels.'];

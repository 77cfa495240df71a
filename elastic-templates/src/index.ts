// Public API of elastic-templates: the schema (field definitions, templates), cluster setup and upgrade,
// capability detection, least-privilege roles, rollover, and Kibana data views.
export { SCHEMA_VERSION, ECS_VERSION, fieldDefs, fieldDef, eventFields, alertFields, type FieldDef, type FieldType, type DocKind } from './fields';
export type { AlertDocument, AuditsightAlertMeta } from './alert';
export { buildTemplateSet, fieldTypeMap, names, validateNamespace, esType, type Variant, type BuildOptions, type TemplateSet, type Names, type WriteTarget } from './templates';
export { detectCapabilities, chooseVariant, type Capabilities, type VariantChoice } from './capabilities';
export { setup, plan, describeReport, type SetupOptions, type SetupReport, type PlannedAction, type TargetReport } from './setup';
export { SetupError, type SetupErrorCode } from './errors';
export { roleDefinitions, setupRole, shipperRole, engineRole, formatRoleRequests, type RoleDescriptor, type RoleName } from './roles';
export { rolloverIfNeeded, writeTargets, DEFAULT_ROLLOVER_CONDITIONS, type RolloverConditions, type RolloverResult } from './rollover';
export { dataViews, dataViewsNdjson } from './saved-objects';

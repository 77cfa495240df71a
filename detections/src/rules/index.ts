// Detection rules: YAML schema, loading, validation, compilation to Elasticsearch query DSL.
export * from './schema';
export { RuleError, RuleValidationError } from './errors';
export { parseDuration, type Duration } from './duration';
export { AUDITSIGHT_FIELD_TYPES, DYNAMIC_FIELD_PREFIXES, ruleFieldTypes } from './fields';
export { parseRule, loadRule, loadRules, type LoadOptions, type ParseResult, type LoadRulesResult } from './loader';
export type { CompileOptions } from './compile';

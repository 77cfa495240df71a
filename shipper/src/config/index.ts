// Configuration of `auditsight ship`: defaults < YAML file < environment < flags, validated with errors
// that name the key and the source.
export { loadConfig, ConfigError, type LoadOptions, type LoadedConfig, type Setting, type FlagValue } from './load';
export { KEYS, KEY_MAP, envName, type KeyDef } from './keys';
export { printConfig, maskedValues, MASK } from './print';
export type { ShipConfig, EsOutputConfig } from './types';

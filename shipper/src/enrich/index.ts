// Public surface of the enrich stage.
export { Enricher, type EnricherOptions } from './enricher';
export { readHostInfo, parseOsRelease, applyHost, isLocalEvent, type HostReadOptions } from './host';
export { UserResolver, parsePasswd, parseGroup, type UserResolverOptions } from './users';
export { nodeFsReader, readProcTable, readProcProcess, parseStat, type ProcProcess } from './procfs';
export { entityId, ttyCharDevice, ttyNameFromDev } from './ids';
export type { FsReader, HostInfo, EnrichState, ProcEntry, SessionInfo, AncestorSummary } from './types';

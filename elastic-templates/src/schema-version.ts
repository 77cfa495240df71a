// The version of our field definitions and template bodies, apart from fields.ts so that the shipper can
// compare a cluster's version with its own without loading ECS (see names.ts).

/** Bump on every change of a definition or template body (fields.test.ts pins a fingerprint per version). */
export const SCHEMA_VERSION = 2;

export type DocKind = 'events' | 'alerts';

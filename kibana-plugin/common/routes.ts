// Route paths and their parameter specs, shared by the server (both adapters) and the app's API client.
// Paths are Kibana internal routes (/internal/<plugin>/...); the standalone console serves the same paths
// so one app bundle talks to either.
import type { ParamsSpec } from './params';

export const API_VERSION = '1';
export const API_BASE = '/internal/auditsight';

const scope = {
  entity_id: { kind: 'entityId', optional: true },
  /** The entry (login) session leader's entity id. */
  session_id: { kind: 'entityId', optional: true },
} as const;

const page = (max: number, dflt: number) => ({ kind: 'int', min: 1, max, default: dflt }) as const;

export const ROUTE_SPECS = {
  process: {
    path: `${API_BASE}/process`,
    params: { fields: { entity_id: { kind: 'entityId' } } },
  },
  ancestry: {
    path: `${API_BASE}/process/ancestry`,
    params: { fields: { entity_id: { kind: 'entityId' }, max_depth: { kind: 'int', min: 1, max: 64, default: 32 } } },
  },
  children: {
    path: `${API_BASE}/process/children`,
    params: { fields: { entity_id: { kind: 'entityId' }, size: page(500, 200) } },
  },
  session: {
    path: `${API_BASE}/session`,
    params: {
      fields: {
        session_id: { kind: 'entityId' },
        leader: { kind: 'enum', values: ['entry', 'session'], default: 'entry' },
        size: page(1000, 200),
        cursor: { kind: 'cursor', optional: true },
      },
    },
  },
  network: {
    path: `${API_BASE}/network`,
    params: { fields: { ...scope, size: page(1000, 200) }, exactlyOneOf: ['entity_id', 'session_id'] },
  },
  files: {
    path: `${API_BASE}/files`,
    params: { fields: { ...scope, size: page(1000, 200) }, exactlyOneOf: ['entity_id', 'session_id'] },
  },
  alerts: {
    path: `${API_BASE}/alerts`,
    params: {
      fields: { ...scope, from: { kind: 'time', optional: true }, to: { kind: 'time', optional: true }, size: page(500, 100) },
      range: ['from', 'to'],
    },
  },
  alert: {
    path: `${API_BASE}/alert`,
    params: { fields: { id: { kind: 'docId' } } },
  },
  search: {
    path: `${API_BASE}/search`,
    params: {
      fields: {
        q: { kind: 'text', maxLength: 256 },
        from: { kind: 'time', optional: true },
        to: { kind: 'time', optional: true },
        size: page(500, 100),
      },
      range: ['from', 'to'],
    },
  },
  events: {
    path: `${API_BASE}/events`,
    params: {
      fields: { ...scope, alert_id: { kind: 'docId', optional: true }, size: page(500, 100), cursor: { kind: 'cursor', optional: true } },
      exactlyOneOf: ['entity_id', 'session_id', 'alert_id'],
    },
  },
} as const satisfies Record<string, { path: string; params: ParamsSpec }>;

export type RouteName = keyof typeof ROUTE_SPECS;

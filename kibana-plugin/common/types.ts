// What the process-details API returns. Shared by the query service, both route adapters and the app,
// so a field renamed here breaks the build everywhere at once instead of silently at runtime.
import type { EcsEvent } from '../../common/ecs/event';

export interface IndexConfig {
  /** Event indices/patterns/data streams, e.g. ['auditsight-events-*', 'logs-auditsight.events-*']. */
  events: string[];
  /** Alert indices, e.g. ['.auditsight-alerts-*']. */
  alerts: string[];
}

export const DEFAULT_INDICES: IndexConfig = {
  events: ['auditsight-events-*', 'logs-auditsight.events-*'],
  alerts: ['.auditsight-alerts-*'],
};

/** One process as far as the captured events tell. Every field may be missing: audit data is partial. */
export interface ProcessSummary {
  entity_id: string;
  /** false when the id is only known from a child's process.parent.* (no event of its own was captured). */
  captured: boolean;
  executable?: string;
  name?: string;
  args?: string[];
  command_line?: string;
  working_directory?: string;
  pid?: number;
  ppid?: number;
  parent_entity_id?: string;
  start?: string;
  user?: { id?: string; name?: string };
  /** The login (audit) user: who logged in, whatever they sudo'd to. */
  login_user?: { id?: string; name?: string };
  host?: { id?: string; name?: string };
  entry_leader_entity_id?: string;
  session_leader_entity_id?: string;
  /** @timestamp of the exec event (or of the first event when no exec was captured). */
  timestamp?: string;
}

export interface ProcessDetails extends ProcessSummary {
  /** End time and exit code, when an exit was captured; absent means still running (or exit not audited). */
  end?: string;
  exit_code?: number;
  /** Number of exec events seen for this entity (an entity keeps its id across execve). */
  exec_count: number;
  /** _id/_index of the event this summary came from, for the raw view. */
  source_event?: { id: string; index: string };
}

export interface AncestryResult {
  /** From the oldest known ancestor down to the process itself. */
  chain: ProcessSummary[];
  /** Why the walk stopped above chain[0]. */
  stopped: 'root' | 'parent-not-captured' | 'max-depth' | 'cycle';
}

export interface ChildNode extends ProcessSummary {
  /** Number of distinct grandchildren, so the tree can show an expander only where there is something. */
  child_count: number;
  event_count: number;
}

export interface ChildrenResult {
  parent_entity_id: string;
  children: ChildNode[];
  /** true when there were more children than the size cap. */
  truncated: boolean;
}

export type TimelineKind = 'exec' | 'file' | 'network' | 'end';

export interface TimelineEntry {
  id: string;
  timestamp: string;
  kind: TimelineKind;
  action?: string;
  entity_id?: string;
  parent_entity_id?: string;
  pid?: number;
  executable?: string;
  args?: string[];
  working_directory?: string;
  user?: string;
  login_user?: string;
  file_path?: string;
  destination?: string;
  source?: string;
  outcome?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** Opaque cursor for the next page; absent on the last page. */
  next?: string;
}

export interface NetworkEntry {
  id: string;
  timestamp: string;
  action?: string;
  entity_id?: string;
  executable?: string;
  transport?: string;
  direction?: string;
  source?: { ip?: string; port?: number };
  destination?: { ip?: string; port?: number };
  outcome?: string;
}

export interface FileEntry {
  id: string;
  timestamp: string;
  action?: string;
  entity_id?: string;
  executable?: string;
  path?: string;
  /** Rename target (auditd puts the second path in the PATH records). */
  target_path?: string;
  outcome?: string;
}

export interface AlertSummary {
  id: string;
  index: string;
  timestamp: string;
  rule?: { id?: string; name?: string };
  severity?: string;
  risk_score?: number;
  reason?: string;
  tactics: string[];
  techniques: string[];
  host?: string;
  user?: string;
  entity_id?: string;
  executable?: string;
  args?: string[];
  entry_leader_entity_id?: string;
  source_event_ids: string[];
}

export interface SearchHit {
  id: string;
  index: string;
  timestamp: string;
  action?: string;
  host?: string;
  user?: string;
  entity_id?: string;
  executable?: string;
  args?: string[];
  working_directory?: string;
  file_path?: string;
}

export interface RawEvent {
  id: string;
  index: string;
  source: EcsEvent;
}

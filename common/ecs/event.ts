// The one event document type used by the shipper, the templates, the detection engine and the plugin.
// Shape: what Auditbeat's auditd module emits for go-libaudit's coalesced events (so Elastic's prebuilt
// auditd rules match), plus the ECS Linux event model's process fields (entity ids, leaders) that
// Kibana's Session View reads. Field names used elsewhere should be derived from this type (see paths.ts).

export interface EcsUserRef {
  id?: string;
  name?: string;
  group?: { id?: string; name?: string };
}

export interface EcsProcessRef {
  entity_id?: string;
  pid?: number;
  start?: string;
  end?: string;
  executable?: string;
  name?: string;
  args?: string[];
  args_count?: number;
  command_line?: string;
  title?: string;
  working_directory?: string;
  exit_code?: number;
  interactive?: boolean;
  same_as_process?: boolean;
  tty?: { char_device?: { major?: number; minor?: number } };
  user?: { id?: string; name?: string };
  group?: { id?: string; name?: string };
  real_user?: { id?: string; name?: string };
  saved_user?: { id?: string; name?: string };
  /** ECS Linux event model: entry leaders say how the session was entered (sshd, terminal, ...). */
  entry_meta?: { type?: string; source?: { ip?: string } };
}

export interface EcsProcess extends EcsProcessRef {
  parent?: EcsProcessRef & { parent?: EcsProcessRef };
  entry_leader?: EcsProcessRef & { parent?: EcsProcessRef & { session_leader?: EcsProcessRef } };
  session_leader?: EcsProcessRef & { parent?: EcsProcessRef & { session_leader?: EcsProcessRef } };
  group_leader?: EcsProcessRef;
  previous?: Array<{ args?: string[]; args_count?: number; executable?: string }>;
  /**
   * Elastic Defend's extension, set by enrich: entity ids of the ancestors, nearest first, bounded. Kibana's
   * Analyzer reads process.Ext.ancestry; it lets "everything below this shell" be one terms query.
   */
  Ext?: { ancestry?: string[] };
}

export interface AuditdSummary {
  actor?: { primary?: string; secondary?: string };
  object?: { type?: string; primary?: string; secondary?: string };
  how?: string;
}

/** One PATH record, as Auditbeat stores it under auditd.paths. */
export type AuditdPath = Record<string, string>;

export interface AuditdFields {
  message_type?: string;
  sequence?: number;
  result?: string;
  session?: string;
  summary?: AuditdSummary;
  /**
   * Everything else from the records, as strings (Auditbeat: auditd.data.*). The one nested object is
   * `socket` (SOCKADDR values: family, addr, port, path, saddr), which Auditbeat writes as auditd.data.socket.*.
   */
  data?: Record<string, string | Record<string, string>>;
  paths?: AuditdPath[];
  /** Present when a record could not be parsed or the group was incomplete. */
  warnings?: string[];
}

export interface EcsEvent {
  '@timestamp': string;
  ecs?: { version: string };
  event: {
    kind: 'event' | 'alert' | 'metric' | 'state' | 'pipeline_error';
    category?: string[];
    type?: string[];
    action?: string;
    outcome?: 'success' | 'failure' | 'unknown';
    module?: string;
    dataset?: string;
    original?: string[] | string;
    id?: string;
    ingested?: string;
    sequence?: number;
  };
  service?: { type?: string };
  tags?: string[];
  host?: {
    id?: string;
    name?: string;
    hostname?: string;
    boot?: { id?: string };
    os?: { type?: string; family?: string; name?: string; version?: string; kernel?: string; platform?: string };
    architecture?: string;
    ip?: string[];
  };
  agent?: { type?: string; version?: string; id?: string; name?: string };
  user?: EcsUserRef & {
    audit?: EcsUserRef;
    effective?: EcsUserRef;
    filesystem?: EcsUserRef;
    saved?: EcsUserRef;
    target?: EcsUserRef;
    changes?: EcsUserRef;
    selinux?: { user?: string; role?: string; domain?: string; level?: string; category?: string };
  } & Record<string, unknown>;
  group?: { id?: string; name?: string };
  process?: EcsProcess;
  file?: {
    path?: string;
    name?: string;
    directory?: string;
    extension?: string;
    device?: string;
    inode?: string;
    mode?: string;
    uid?: string;
    gid?: string;
    owner?: string;
    group?: string;
    target_path?: string;
    selinux?: { user?: string; role?: string; domain?: string; level?: string };
  };
  source?: { ip?: string; port?: number; path?: string; address?: string };
  destination?: { ip?: string; port?: number; path?: string; address?: string };
  network?: { direction?: string; transport?: string; type?: string; protocol?: string };
  related?: { user?: string[]; ip?: string[]; hosts?: string[] };
  auditd?: AuditdFields;
  error?: { message?: string; type?: string };
  /** Free-form additions must be declared in the field definitions before they are used. */
}

// The auditd.data.* and auditd.paths.* keys that Auditbeat's auditd module declares (elastic/beats,
// auditbeat/module/auditd/_meta/fields.yml), all `keyword` there. They are the keys Elastic's rules and
// dashboards query, so they get real mappings; every other key an audit record carries stays in _source
// only (attackers choose some of those keys, so they must never grow the mapping).
// Spelled as go-libaudit emits them (hyphens included, e.g. `new-enabled`), not as the auditd_manager
// integration renames them.

export const AUDITBEAT_DATA_KEYS: readonly string[] = [
  'a0', 'a1', 'a2', 'a3', 'acct', 'acl', 'action', 'added', 'addr', 'apparmor', 'arch', 'argc',
  'audit_backlog_limit', 'audit_backlog_wait_time', 'audit_enabled', 'audit_failure', 'banners', 'bool',
  'bus', 'cap_fe', 'cap_fi', 'cap_fp', 'cap_fver', 'cap_pe', 'cap_pi', 'cap_pp', 'capability', 'cgroup',
  'changed', 'cipher', 'class', 'cmd', 'code', 'compat', 'daddr', 'data', 'default-context', 'device',
  'dir', 'direction', 'dmac', 'dport', 'enforcing', 'entries', 'exit', 'fam', 'family', 'fd', 'fe',
  'feature', 'fi', 'file', 'flags', 'format', 'fp', 'fver', 'grantors', 'grp', 'hook', 'hostname',
  'icmp_type', 'id', 'igid', 'img-ctx', 'inif', 'ino', 'inode_gid', 'inode_uid', 'invalid_context',
  'ioctlcmd', 'ip', 'ipid', 'ipx-net', 'items', 'iuid', 'kernel', 'kind', 'ksize', 'laddr', 'len',
  'list', 'lport', 'mac', 'macproto', 'maj', 'major', 'minor', 'model', 'msg', 'nargs', 'net', 'new',
  'new-chardev', 'new-disk', 'new-enabled', 'new-fs', 'new-level', 'new-log_passwd', 'new-mem', 'new-net',
  'new-range', 'new-rng', 'new-role', 'new-seuser', 'new-vcpu', 'new_gid', 'new_lock', 'new_pe', 'new_pi',
  'new_pp', 'nlnk-fam', 'nlnk-grp', 'nlnk-pid', 'oauid', 'obj', 'obj_gid', 'obj_uid', 'ocomm', 'oflag',
  'old', 'old-auid', 'old-chardev', 'old-disk', 'old-enabled', 'old-fs', 'old-level', 'old-log_passwd',
  'old-mem', 'old-net', 'old-range', 'old-rng', 'old-role', 'old-ses', 'old-seuser', 'old-vcpu',
  'old_enforcing', 'old_lock', 'old_pe', 'old_pi', 'old_pp', 'old_prom', 'old_val', 'op', 'opid', 'oses',
  'outif', 'parent', 'per', 'perm', 'perm_mask', 'permissive', 'pfs', 'printer', 'prom', 'proto',
  'qbytes', 'range', 'reason', 'removed', 'res', 'reset', 'resrc', 'rport', 'sauid', 'scontext',
  'selected-context', 'seperm', 'seperms', 'seqno', 'seresult', 'ses', 'seuser', 'sig', 'sigev_signo',
  'smac', 'spid', 'sport', 'state', 'subj', 'success', 'syscall', 'table', 'tclass', 'tcontext', 'terminal',
  'tty', 'unit', 'uri', 'uuid', 'val', 'ver', 'virt', 'vm', 'vm-ctx', 'vm-pid', 'watch',
  // go-libaudit's SOCKADDR fields; Auditbeat (and our shipper) nest them as auditd.data.socket.*.
  'socket.addr', 'socket.family', 'socket.path', 'socket.port', 'socket.saddr',
];

/** PATH record keys; only mapped when `flattened` is unavailable and auditd.paths falls back to an object. */
export const AUDITBEAT_PATH_KEYS: readonly string[] = [
  'dev', 'inode', 'item', 'mode', 'name', 'nametype', 'obj_domain', 'obj_level', 'obj_role', 'obj_user',
  'objtype', 'ogid', 'ouid', 'rdev',
];

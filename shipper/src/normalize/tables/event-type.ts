// Record type -> go-libaudit's AuditEventType name (aucoalesce/event_type.go, itself ported from audit-userspace
// auparse/normalize.c). Auditbeat writes it to event.category when the normalization has no ECS category.
import { RECORD_TYPE_NAMES } from './record-types.generated';

const NAME_TO_NUMBER: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  for (const [n, name] of Object.entries(RECORD_TYPE_NAMES)) m.set(name, Number(n));
  // go-libaudit spells 1500 `APPARMOR` like libaudit; keep the kernel's AA alias too.
  m.set('AA', 1500);
  return m;
})();

/** Record type name (`SYSCALL`, `UNKNOWN[1329]`) -> number, or undefined. */
export function recordTypeNumber(name: string): number | undefined {
  const n = NAME_TO_NUMBER.get(name);
  if (n !== undefined) return n;
  if (name.startsWith('UNKNOWN[')) {
    const v = parseInt(name.slice(8), 10);
    return Number.isNaN(v) ? undefined : v;
  }
  return undefined;
}

// [from, to, name] ranges, checked in go-libaudit's order (first match wins).
const RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [1100, 1106, 'user-login'], // USER_AUTH..USER_END
  [1108, 1110, 'user-login'], // USER_CHAUTHTOK..CRED_REFR
  [1112, 1113, 'user-login'], // USER_LOGIN..USER_LOGOUT
  [1126, 1126, 'user-login'], // GRP_AUTH
  [1114, 1117, 'user-account'], // ADD_USER..DEL_GROUP
  [1132, 1133, 'user-account'], // GRP_MGMT..GRP_CHAUTHTOK
  [1135, 1136, 'user-account'], // ACCT_LOCK..ACCT_UNLOCK
  [2000, 2000, 'system-services'], // KERNEL
  [1127, 1131, 'system-services'], // SYSTEM_BOOT..SERVICE_STOP
  [1111, 1111, 'configuration'], // USYS_CONFIG
  [1305, 1305, 'configuration'], // CONFIG_CHANGE
  [1325, 1325, 'configuration'], // NETFILTER_CFG
  [1328, 1329, 'configuration'], // FEATURE_CHANGE..REPLACE
  [1326, 1326, 'dac-decision'], // SECCOMP
  [1119, 1121, 'user-space'], // CHGRP_ID..TRUSTED_APP
  [1123, 1123, 'user-space'], // USER_CMD
  [1125, 1125, 'user-space'], // CHUSER_ID
  [1124, 1124, 'TTY'], // USER_TTY
  [1319, 1319, 'TTY'], // TTY
  [1200, 1299, 'audit-daemon'], // DAEMON_START..LAST_DAEMON
  [1122, 1122, 'mac-decision'], // USER_SELINUX_ERR
  [1107, 1107, 'mac-decision'], // USER_AVC
  [1502, 1503, 'mac-decision'], // APPARMOR_ALLOWED..APPARMOR_DENIED
  [1506, 1506, 'mac-decision'], // APPARMOR_ERROR
  [1400, 1402, 'mac-decision'], // AVC..AVC_PATH
  [1800, 1899, 'integrity'], // INTEGRITY_DATA..INTEGRITY_LAST_MSG
  [2109, 2109, 'integrity'], // ANOM_RBAC_INTEGRITY_FAIL
  [1700, 1799, 'anomaly'], // ANOM_PROMISCUOUS..LAST_KERN_ANOM_MSG
  [2100, 2108, 'anomaly'], // ANOM_LOGIN_FAILURES..ANOM_RBAC_FAIL
  [2110, 2199, 'anomaly'], // ANOM_CRYPTO_FAIL..LAST_ANOM_MSG
  [2200, 2299, 'anomaly-response'], // RESP_ANOMALY..LAST_ANOM_RESP
  [1403, 1499, 'mac'], // MAC_POLICY_LOAD..LAST_SELINUX
  [1500, 1501, 'mac'], // AA..APPARMOR_AUDIT
  [1504, 1505, 'mac'], // APPARMOR_HINT..APPARMOR_STATUS
  [2300, 2399, 'mac'], // USER_ROLE_CHANGE..LAST_USER_LSPP_MSG
  [1600, 1699, 'crypto'], // kernel crypto
  [2400, 2499, 'crypto'], // CRYPTO_TEST_USER..LAST_CRYPTO_MSG
  [2500, 2599, 'virt'], // VIRT_CONTROL..LAST_VIRT_MSG
  [1300, 1304, 'audit-rule'], // SYSCALL..SOCKETCALL
  [1306, 1315, 'audit-rule'], // SOCKADDR..MQ_GETSETATTR
  [1317, 1318, 'audit-rule'], // FD_PAIR..OBJ_PID
  [1321, 1324, 'audit-rule'], // BPRM_FCAPS..NETFILTER_PKT
];

// Precomputed once: index = type number - 1000.
const BY_NUMBER: ReadonlyArray<string> = (() => {
  const arr: string[] = [];
  for (let t = 1000; t <= 2999; t++) {
    let name = 'unknown';
    for (const [from, to, n] of RANGES) {
      if (t >= from && t <= to) {
        name = n;
        break;
      }
    }
    arr.push(name);
  }
  return arr;
})();

export function auditEventType(typeNumber: number | undefined): string {
  if (typeNumber === undefined || typeNumber < 1000 || typeNumber > 2999) return 'unknown';
  return BY_NUMBER[typeNumber - 1000];
}

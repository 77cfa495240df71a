// Decoder for the hex `saddr` of SOCKADDR records (the raw struct sockaddr the syscall was given).
// Pure; parse keeps saddr as hex and normalize calls this. Family names follow go-libaudit's
// parseSockaddr ('unix', 'ipv4', 'ipv6', 'netlink', else the number as text) since that is what
// Auditbeat ships; unlike go-libaudit it also reads abstract unix names, netlink pids and
// big-endian hosts.
import { flat } from '../../../common/flat';

export interface Sockaddr {
  /** 'unix' | 'ipv4' | 'ipv6' | 'netlink', or the family number as text for the others (AF_PACKET = '17'). */
  family: string;
  familyNumber: number;
  /** ipv4/ipv6: address as text (IPv6 compressed per RFC 5952; IPv4-mapped IPv6 printed as IPv4, as Go does). */
  ip?: string;
  /** ipv4/ipv6: port, host order. */
  port?: number;
  /** ipv6 only, when the struct carries them. */
  flowInfo?: number;
  scopeId?: number;
  /** unix: the path; abstract names are written '@name' (NULs inside the name also as '@', like ss(8)). '' when unnamed. */
  path?: string;
  abstract?: boolean;
  /** netlink: port id (0 = the kernel) and multicast groups bitmask. */
  netlinkPid?: number;
  netlinkGroups?: number;
  /** The family field was read big-endian (s390x, ppc64 hosts). */
  bigEndian: boolean;
}

export type SockaddrResult = { ok: true; sockaddr: Sockaddr } | { ok: false; error: string };

export interface SockaddrOptions {
  /**
   * Byte order of the host that wrote the record (family, netlink pid/groups, IPv6 scope are host
   * order). Normalize knows it from SYSCALL arch (bit 0x40000000 = little-endian). When not given it is
   * guessed: a family whose low byte is 0 and high byte is not can only be big-endian.
   */
  bigEndian?: boolean;
}

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

/** Decode a SOCKADDR `saddr` hex string. Never throws. */
export function decodeSockaddr(hex: string, opts: SockaddrOptions = {}): SockaddrResult {
  if (hex.length < 4) return { ok: false, error: 'saddr too short: no address family' };
  if ((hex.length & 1) === 1 || !/^[0-9A-Fa-f]+$/.test(hex)) return { ok: false, error: 'saddr is not an even-length hex string' };
  const b = Buffer.from(hex, 'hex');
  const be = opts.bigEndian ?? (b[0] === 0 && b[1] !== 0);
  const familyNumber = be ? b.readUInt16BE(0) : b.readUInt16LE(0);
  switch (familyNumber) {
    case AF_UNIX:
      return { ok: true, sockaddr: { family: 'unix', familyNumber, ...unixPath(b), bigEndian: be } };
    case AF_INET:
      if (b.length < 8) return { ok: false, error: `saddr too short for AF_INET: ${b.length} bytes` };
      return {
        ok: true,
        sockaddr: { family: 'ipv4', familyNumber, ip: flat(`${b[4]}.${b[5]}.${b[6]}.${b[7]}`), port: b.readUInt16BE(2), bigEndian: be },
      };
    case AF_INET6: {
      if (b.length < 24) return { ok: false, error: `saddr too short for AF_INET6: ${b.length} bytes` };
      const sa: Sockaddr = { family: 'ipv6', familyNumber, ip: flat(ipv6Text(b, 8)), port: b.readUInt16BE(2), bigEndian: be };
      // sin6_flowinfo is network order, sin6_scope_id host order.
      sa.flowInfo = b.readUInt32BE(4);
      if (b.length >= 28) sa.scopeId = be ? b.readUInt32BE(24) : b.readUInt32LE(24);
      return { ok: true, sockaddr: sa };
    }
    case AF_NETLINK: {
      const sa: Sockaddr = { family: 'netlink', familyNumber, bigEndian: be };
      if (b.length >= 8) sa.netlinkPid = be ? b.readUInt32BE(4) : b.readUInt32LE(4);
      if (b.length >= 12) sa.netlinkGroups = be ? b.readUInt32BE(8) : b.readUInt32LE(8);
      return { ok: true, sockaddr: sa };
    }
    default:
      return { ok: true, sockaddr: { family: String(familyNumber), familyNumber, bigEndian: be } };
  }
}

function unixPath(b: Buffer): { path: string; abstract?: boolean } {
  if (b.length <= 2) return { path: '' };
  if (b[2] !== 0) {
    const nul = b.indexOf(0, 2);
    return { path: b.toString('utf8', 2, nul === -1 ? b.length : nul) };
  }
  // Abstract namespace: sun_path[0] is NUL and the name is the rest of addrlen. Callers that pass
  // sizeof(struct sockaddr_un) leave NUL padding, which is not part of the name anyone knows it by.
  let end = b.length;
  while (end > 3 && b[end - 1] === 0) end--;
  if (end <= 3) return { path: '' };
  return { path: '@' + b.toString('utf8', 3, end).replace(/\0/g, '@'), abstract: true };
}

/** 16 bytes at `at` as RFC 5952 text; IPv4-mapped (::ffff:a.b.c.d) as plain IPv4, like Go's net.IP. */
export function ipv6Text(b: Uint8Array, at = 0): string {
  let mapped = b[at + 10] === 0xff && b[at + 11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[at + i] !== 0) mapped = false;
  if (mapped) return `${b[at + 12]}.${b[at + 13]}.${b[at + 14]}.${b[at + 15]}`;
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[at + 2 * i] << 8) | b[at + 2 * i + 1]);
  // Longest run of two or more zero groups becomes '::' (the first one on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (g: number[]) => g.map((x) => x.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

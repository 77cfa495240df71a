// SOCKADDR `saddr` -> the keys go-libaudit reports (family/addr/port/path/flow/saddr), which become
// auditd.data.socket.* and source/destination. Decoding itself is the parse stage's (parse/sockaddr.ts);
// this adapter only renames. Callers may inject another decoder with the same signature.
import { decodeSockaddr as parseDecode } from '../parse/sockaddr';

export interface DecodedSockaddr {
  /** `ipv4`, `ipv6`, `unix`, `netlink`, or the numeric family. */
  family: string;
  addr?: string;
  port?: string;
  path?: string;
  flow?: string;
  /** Undecoded hex for families go-libaudit does not take apart (netlink, packet, ...). */
  saddr?: string;
}

export type SockaddrDecoder = (hex: string) => DecodedSockaddr | undefined;

export const decodeSockaddr: SockaddrDecoder = (hex) => {
  const r = parseDecode(hex);
  if (!r.ok) return undefined;
  const s = r.sockaddr;
  const out: DecodedSockaddr = { family: s.family };
  if (s.ip !== undefined) out.addr = s.ip;
  if (s.port !== undefined) out.port = String(s.port);
  if (s.path !== undefined) out.path = s.path;
  if (s.flowInfo) out.flow = String(s.flowInfo);
  if (s.family !== 'ipv4' && s.family !== 'ipv6' && s.family !== 'unix') out.saddr = hex;
  return out;
};

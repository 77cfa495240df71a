// The parse stage: auditd log lines -> AuditRecord. See parse.ts for the line format.
export type { AuditRecord, ParseError, ParseResult, ValueEncoding } from './types';
export { parseLine } from './parse';
export { LineSplitter, readLines } from './lines';
export type { LineSplitterOptions } from './lines';
export { ParseStats } from './stats';
export { decodeSockaddr, ipv6Text, AF_INET, AF_INET6, AF_NETLINK, AF_UNIX } from './sockaddr';
export type { Sockaddr, SockaddrOptions, SockaddrResult } from './sockaddr';
export { execveArgs, ruleKeys } from './values';
export type { ExecveArgs } from './values';
export { recordTypeName, recordTypeNumber, isKnownRecordType } from './record-types';
export { isUpperHex, hexToText, hexToArgv } from './hex';

// Host facts, read once at start-up and stamped on every event of this host: host.id (machine-id, the
// entity-id namespace), host.boot.id, hostname, OS and kernel. Nothing here runs per event.
import * as os from 'node:os';
import type { EcsEvent } from '../../../common/ecs/event';
import type { FsReader, HostInfo } from './types';
import { flat } from '../../../common/flat';

/** Parses /etc/os-release (shell-style KEY=value, values possibly quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  return out;
}

/** ECS host.os.family from os-release ID / ID_LIKE (the values Auditbeat/Endpoint use: debian, redhat, ...). */
function osFamily(rel: Record<string, string>): string | undefined {
  const ids = `${rel.ID ?? ''} ${rel.ID_LIKE ?? ''}`.toLowerCase().split(/\s+/);
  if (ids.some((i) => i === 'debian' || i === 'ubuntu')) return 'debian';
  if (ids.some((i) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'amzn'].includes(i))) return 'redhat';
  if (ids.some((i) => i === 'suse' || i.startsWith('opensuse') || i === 'sles')) return 'suse';
  return rel.ID || undefined;
}

/** Node's os.machine() values are already the uname -m names (x86_64, aarch64) ECS wants. */
export interface HostReadOptions {
  /** Overrides for tests; default to the running kernel via node:os. */
  hostname?: string;
  kernel?: string;
  architecture?: string;
}

export function readHostInfo(fs: FsReader, opts: HostReadOptions = {}): HostInfo {
  // Flat (common/flat.ts): these strings are on every document.
  const trim = (s: string | undefined) => (s === undefined ? undefined : flat(s.trim()) || undefined);
  const id = trim(fs.readFile('/etc/machine-id')) ?? trim(fs.readFile('/var/lib/dbus/machine-id'));
  const bootId = trim(fs.readFile('/proc/sys/kernel/random/boot_id'));
  const hostname = opts.hostname ?? trim(fs.readFile('/proc/sys/kernel/hostname')) ?? os.hostname();
  const kernel = opts.kernel ?? trim(fs.readFile('/proc/sys/kernel/osrelease')) ?? os.release();
  const architecture = opts.architecture ?? os.machine();
  const relText = fs.readFile('/etc/os-release') ?? fs.readFile('/usr/lib/os-release');
  const rel = relText ? parseOsRelease(relText) : {};
  return {
    id,
    name: flat(hostname),
    hostname: flat(hostname),
    bootId,
    architecture,
    os: {
      type: 'linux',
      family: flat(osFamily(rel)),
      name: flat(rel.NAME),
      version: flat(rel.VERSION_ID ?? rel.VERSION),
      kernel: flat(kernel),
      platform: flat(rel.ID),
    },
  };
}

/**
 * Whether an event comes from the host this shipper runs on. Events relayed from other machines carry the
 * `node=` name as host.name (normalize sets it); stamping our machine-id or our /etc/passwd names on those
 * would be wrong, so they keep what they have.
 */
export function isLocalEvent(ev: EcsEvent, host: HostInfo): boolean {
  const n = ev.host?.name;
  return n === undefined || n === host.name || n === host.hostname;
}

/** Fills host.* on a local event; values normalize already set are kept. */
export function applyHost(ev: EcsEvent, host: HostInfo): void {
  if (ev.host == null) {
    // The usual case (no node= name): every such event gets the same object, built once and shared
    // (events are not mutated after enrich): two object spreads per event were measurable garbage.
    let shared = sharedHost.get(host);
    if (shared === undefined) {
      shared = {};
      fillHost(shared, host);
      sharedHost.set(host, shared);
    }
    ev.host = shared;
    return;
  }
  fillHost(ev.host, host);
}

/** HostInfo objects are not changed after readHostInfo(); one shared host.* per HostInfo. */
const sharedHost = new WeakMap<HostInfo, NonNullable<EcsEvent['host']>>();

function fillHost(h: NonNullable<EcsEvent['host']>, host: HostInfo): void {
  h.id ??= host.id;
  h.name ??= host.name;
  h.hostname ??= host.hostname;
  if (host.bootId && !h.boot?.id) h.boot = { ...h.boot, id: host.bootId };
  h.architecture ??= host.architecture;
  if (host.os) h.os = { ...host.os, ...h.os };
}

/** The key that namespaces pids and entity ids for an event's origin host. */
export function hostKeyOf(ev: EcsEvent): string {
  return hostKey(ev.host);
}

/** The same key for host facts (this host's own: seeding from /proc, ending processes gone from it). */
export function hostKey(host: { id?: string; name?: string } | undefined): string {
  return host?.id ?? host?.name ?? 'unknown-host';
}

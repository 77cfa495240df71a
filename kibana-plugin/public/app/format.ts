// Display helpers. They return plain strings that React renders as text nodes: attacker-controlled values
// (args, paths, user and host names) are never turned into markup anywhere in this app.
import type { ProcessSummary } from '../../common/types';

export function commandOf(p: { args?: string[]; executable?: string; name?: string }): string {
  if (p.args && p.args.length) return p.args.join(' ');
  return p.executable ?? p.name ?? '?';
}

export function nameOf(p: { name?: string; executable?: string; args?: string[] }): string {
  if (p.name) return p.name;
  const exe = p.executable ?? p.args?.[0];
  return exe ? exe.slice(exe.lastIndexOf('/') + 1) : '?';
}

/** "sudo bash (bob)": the chain label for one process; the user only where it differs from the child's. */
export function chainLabel(p: ProcessSummary): string {
  // A parent known only by its pid (the child's event named nothing else).
  if (!p.args?.length && !p.executable && !p.name) return p.pid !== undefined ? `pid ${p.pid}` : 'unknown';
  // argv[0] is what was typed ("nc", not "nc.traditional"); login shells prefix it with '-', and daemons
  // that rewrite their title ("sshd: bob [priv]") are better shown by name.
  const a0 = p.args?.[0];
  let head = a0 ? a0.slice(a0.lastIndexOf('/') + 1).replace(/^-/, '') : nameOf(p);
  if (!head || /\s/.test(head)) head = nameOf(p);
  const cmd = p.args && p.args.length > 1 ? `${head} ${p.args.slice(1).join(' ')}` : head;
  return cmd.length > 80 ? `${cmd.slice(0, 77)}...` : cmd;
}

export function userLabel(u?: { id?: string; name?: string }): string {
  if (!u) return 'unknown';
  if (u.name && u.id !== undefined) return `${u.name} (${u.id})`;
  return u.name ?? u.id ?? 'unknown';
}

export function time(ts?: string): string {
  if (!ts) return '';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toISOString().replace('T', ' ').replace('Z', '');
}

export function shortTime(ts?: string): string {
  return time(ts).slice(11, 23);
}

export function endpoint(e?: { ip?: string; port?: number }): string {
  if (!e?.ip) return '';
  return e.port !== undefined ? (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`) : e.ip;
}

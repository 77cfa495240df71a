// The kernel's own count of audit records it dropped (backlog full, rate limit, no auditd): `auditctl -s`
// -> `lost N`. Sequence gaps catch losses between two records we saw; this counter also catches losses
// we cannot see (a burst at the end, a kernel that dropped before auditd ever wrote). Each increase
// becomes a metric AND an event, so the forensic trail in Elasticsearch says where it is incomplete.
//
// Reading it needs CAP_AUDIT_CONTROL (the AUDIT_GET netlink request), so it is polled only as root. The
// last value is persisted with the boot id: an increase while the shipper was down is still reported
// once, and a reboot (the counter restarts at 0) is not mistaken for a decrease.
import { execFile } from 'node:child_process';
import { readJson, writeJsonAtomic } from './state';
import type { EcsEvent } from '../../../common/ecs/event';
import { ECS_VERSION } from '../normalize/to-ecs';
import { ACTION_LOST_EVENTS, DEFAULT_DATASET } from '../pipeline/events';

export const TAG_KERNEL_LOST = '_auditsight_kernel_lost';

/** `lost` from `auditctl -s` output (`lost 12` line), undefined when absent. */
export function parseAuditctlStatus(text: string): { lost?: number; enabled?: number; backlog?: number; backlogLimit?: number } {
  const get = (k: string) => {
    const m = new RegExp(`^${k}\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return { lost: get('lost'), enabled: get('enabled'), backlog: get('backlog'), backlogLimit: get('backlog_limit') };
}

export function readKernelLost(auditctl = 'auditctl'): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(auditctl, ['-s'], { timeout: 5000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${auditctl} -s failed: ${(stderr || err.message).trim()}`));
      const lost = parseAuditctlStatus(stdout).lost;
      if (lost === undefined) return reject(new Error(`${auditctl} -s printed no "lost" line`));
      resolve(lost);
    });
  });
}

export interface KernelLostState {
  bootId?: string;
  lost: number;
}

/** The increase to report, given what was seen before (same boot) and what the kernel says now. */
export function lostIncrease(prev: KernelLostState | undefined, bootId: string | undefined, now: number): number {
  if (!prev || prev.bootId !== bootId) return now; // first run on this boot: everything so far is unreported
  return now >= prev.lost ? now - prev.lost : now; // lower than before: the counter was reset (auditctl --reset-lost)
}

export function kernelLostEvent(increase: number, total: number, nowMs: number, dataset = DEFAULT_DATASET): EcsEvent {
  return {
    '@timestamp': new Date(nowMs).toISOString(),
    ecs: { version: ECS_VERSION },
    event: { kind: 'event', module: 'auditd', dataset, action: ACTION_LOST_EVENTS, type: ['info'] },
    service: { type: 'auditd' },
    tags: [TAG_KERNEL_LOST],
    auditd: {
      data: { lost: String(increase), kernel_lost_total: String(total) },
      warnings: [`the kernel dropped ${increase} audit record(s) (lost counter now ${total}): raise backlog_limit or rate_limit, check auditd`],
    },
  };
}

/** Polls the counter and remembers (in `file`) what was already reported for this boot. */
export class KernelLostWatcher {
  private state: KernelLostState | undefined;
  private failing = false;

  constructor(
    private readonly file: string,
    private readonly bootId: string | undefined,
    private readonly warn: (message: string) => void,
    private readonly auditctl?: string,
  ) {
    this.state = readJson<KernelLostState>(file);
  }

  /** The counter now and its rise since the last reported value; undefined when it cannot be read. */
  async poll(): Promise<{ total: number; increase: number } | undefined> {
    try {
      const total = await readKernelLost(this.auditctl);
      this.failing = false;
      return { total, increase: lostIncrease(this.state, this.bootId, total) };
    } catch (e) {
      if (!this.failing) this.warn(`kernel lost counter not available: ${(e as Error).message}`);
      this.failing = true; // one warning, not one per poll
      return undefined;
    }
  }

  /** The value up to which the rise is durably reported. */
  reported(total: number): void {
    if (this.state?.lost === total && this.state.bootId === this.bootId) return;
    this.state = { bootId: this.bootId, lost: total };
    writeJsonAtomic(this.file, this.state);
  }
}

// `auditsight ship`: the daemon that wires input -> pipeline -> durable queue -> outputs, and operates it.
export { Daemon, type DaemonOptions, type RunSummary } from './daemon';
export { DaemonMetrics } from './metrics';
export { startHttp, type Health } from './http';
export { resolveTarget, LazyElasticsearchOutput } from './es-target';
export { parseAuditctlStatus, readKernelLost, kernelLostEvent, lostIncrease, TAG_KERNEL_LOST } from './kernel-lost';
export { ProgressBar, formatSummary } from './progress';

// The durable queue between the pipeline and the outputs; see disk-queue.ts for the durability chain.
export { DiskQueue } from './disk-queue';
export { Consumer, type ReadOptions } from './consumer';
export * from './types';
export type { PreparedEvent, PreparedEntry } from './payload';

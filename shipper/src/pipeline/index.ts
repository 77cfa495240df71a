// The pipeline stage: lines -> parse -> coalesce -> normalize -> enrich, with error/gap events and checkpoints.
export { Pipeline, createPipeline, runLines } from './pipeline';
export type { EventEnricher, EventMeta, PipelineOptions, PipelineStats } from './pipeline';
export { CheckpointLedger } from './checkpoints';
export {
  parseErrorEvent, gapEvent, TAG_PARSE_FAILURE, TAG_SEQUENCE_GAP, ACTION_LOST_EVENTS, DEFAULT_DATASET,
} from './events';
export { readLogLines, readLogBatches, maybeGunzip, type GzipMode } from './source';

export { consumersOptionsFromEnv, type ConsumersOptions } from './config';
export { startConsumers, type RunningConsumers } from './startConsumers';
export {
  createDedupStore,
  createPartitionedConsumer,
  DLT_HEADERS,
  ensureDedupIndexes,
  type DeadLetterEntry,
  type DedupStore,
  type PartitionedConsumer,
  type PartitionedConsumerOptions,
  type ProcessedEvent,
} from './framework';
export {
  listDeadLetters,
  redriveDeadLetters,
  replayFromTimestamp,
  type DeadLetterFilter,
  type RedriveResult,
  type ReplayResult,
} from './operations';

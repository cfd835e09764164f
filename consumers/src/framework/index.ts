export { backoffDelay, defaultRetryOptions, type RetryOptions } from './backoff';
export {
  createPartitionedConsumer,
  type PartitionedConsumer,
  type PartitionedConsumerOptions,
} from './createPartitionedConsumer';
export {
  DLT_HEADERS,
  headerText,
  parseDeadLetter,
  toDeadLetter,
  toRedrive,
  type DeadLetterEntry,
  type DeadLetterReason,
} from './deadLetter';
export {
  createDedupStore,
  ensureDedupIndexes,
  type DedupStore,
  type DedupStoreOptions,
  type ProcessedEvent,
} from './dedupStore';
export { createKeyScheduler, type KeyScheduler, type KeyedTask } from './keyScheduler';
export { createOffsetTracker, type OffsetTracker } from './offsetTracker';
export { processRecord, type RecordContext, type RecordOutcome } from './processRecord';

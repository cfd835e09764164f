export { createManualClock, systemClock, type Clock, type ManualClock } from './clock';
export {
  GroupActiveError,
  type EventTransport,
  type GroupMember,
  type MemberState,
  type MemberStatus,
  type ReadOptions,
  type ReplayOptions,
  type ReplayResult,
  type RewindResult,
  type StartPosition,
  type SubscribeOptions,
  type TopicRecord,
  type TransportOptions,
} from './eventTransport';
export { createKafkaTransport, type KafkaTransportOptions } from './kafka/createKafkaTransport';
export {
  createMemoryTransport,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './memory/createMemoryTransport';
export type { MemoryMember } from './memory/createMemoryMember';
export { backoffDelay, defaultRetryOptions, type RetryOptions } from './pipeline/backoff';
export {
  DLT_HEADERS,
  headerText,
  parseDeadLetter,
  toDeadLetter,
  toRedrive,
  type DeadLetterEntry,
  type DeadLetterReason,
} from './pipeline/deadLetter';
export {
  createDedupStore,
  createMemoryDedupStore,
  ensureDedupIndexes,
  type DedupStore,
  type DedupStoreOptions,
  type ProcessedEvent,
} from './pipeline/dedupStore';
export { runKeyLanes } from './pipeline/keyLanes';
export { createOffsetTracker, type OffsetTracker } from './pipeline/offsetTracker';
export { consumeBatch, type BatchOptions } from './pipeline/consumeBatch';
export { processRecord, type RecordContext, type RecordOutcome } from './pipeline/processRecord';

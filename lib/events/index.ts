export { createEvent, DATASCHEMA_BASE, type CloudEvent, type NewEvent } from './envelope';
export { decodeEvent, encodeEvent, EventDecodeError, STRUCTURED_CONTENT_TYPE } from './kafkaCodec';
export { createEventPublisher, type EventPublisher, type EventPublisherOptions } from './publisher';
export {
  createOutboxRelay,
  findOutboxCollections,
  findParkedEvent,
  findParkedEvents,
  outboxSchemaFields,
  OUTBOX_PARKED,
  OUTBOX_PENDING,
  refusalCode,
  removeParkedEvent,
  type OutboxFields,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxSource,
  type ParkedDoc,
  type ParkedOutboxEvent,
} from './outbox';
export type { EventHandler, EventOrigin } from './handler';
export {
  contractVersion,
  createEventContracts,
  EVENT_SCHEMA_DIR,
  platformContracts,
  readContractFiles,
  type ContractFile,
  type EventContracts,
} from './contracts';
export {
  EVENT_ERROR_CODES,
  EventError,
  EventValidationError,
  isRetriable,
  MissingSequenceError,
  PermanentHandlerError,
  UnknownEventTypeError,
  type EventErrorCode,
} from './errors';
export {
  createEventMetrics,
  eventMetrics,
  registerOutboxBacklog,
  type EventMetrics,
} from './metrics';
export * from './transport';

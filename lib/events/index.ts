export { createEvent, DATASCHEMA_BASE, type CloudEvent, type NewEvent } from './envelope';
export { decodeEvent, encodeEvent, EventDecodeError, STRUCTURED_CONTENT_TYPE } from './kafkaCodec';
export { createEventPublisher, type EventPublisher, type EventPublisherOptions } from './publisher';
export {
  createOutboxRelay,
  outboxSchemaFields,
  type OutboxFields,
  type OutboxRelay,
  type OutboxRelayOptions,
  type OutboxSource,
} from './outbox';
export {
  createEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type EventHandler,
  type EventOrigin,
} from './consumer';

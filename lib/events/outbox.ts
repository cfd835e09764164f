/**
 * The transactional outbox: aggregate documents carry their pending events (`fields`), the relay
 * moves them to Kafka (`relay`, clearing exactly what was sent: `clearPublished`), sets aside
 * what can never be sent (`parking`), and a periodic scan flags documents written without the
 * flags (`repair`). See docs/events.md, "Publishing from mutations (outbox)".
 */
export {
  OUTBOX_PARKED,
  OUTBOX_PENDING,
  outboxSchemaFields,
  type OutboxFields,
  type OutboxSource,
  type ParkedOutboxEvent,
} from './outbox/fields';
export {
  findOutboxCollections,
  findParkedEvent,
  findParkedEvents,
  refusalCode,
  removeParkedEvent,
  type ParkedDoc,
} from './outbox/parking';
export { createOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox/relay';

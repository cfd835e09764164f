export { SubscriptionCloseCode } from './closeCodes';
export type { EventListener, EventSource } from './eventSource';
export {
  WORKFLOW_SUBSCRIPTION_FIELDS,
  type FeedEvent,
  type SubscriptionFieldConfig,
} from './fieldConfig';
export { createKafkaEventSource, type KafkaEventSource } from './kafkaEventSource';
export { LIVE_EVENTS_UNAVAILABLE, liveEventsUnavailable } from './liveEvents';
export {
  createMemoryEventSource,
  type MemoryEventSource,
  type MemoryEventSourceOptions,
} from './memoryEventSource';
export {
  createSubscriptionManager,
  type AuthorizeSubscription,
  type PreparedSubscription,
  type SubscriberIdentity,
  type SubscriptionManager,
} from './subscriptionManager';
export {
  createSubscriptionServer,
  type AuthenticateConnection,
  type SubscriptionServer,
} from './subscriptionServer';

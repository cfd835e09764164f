/**
 * Span attribute names. Stable ones come from @opentelemetry/semantic-conventions; messaging and
 * GraphQL conventions are still "incubating" there, and their maintainers advise copying
 * incubating names rather than importing them (they may change in a minor release).
 */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';
export const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';
export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';

/** Platform-specific attributes (not OpenTelemetry conventions). */
export const ATTR_CORRELATION_ID = 'platform.correlation_id';
export const ATTR_EVENT_TYPE = 'cloudevents.event_type';
export const ATTR_EVENT_SUBJECT = 'cloudevents.event_subject';
export const ATTR_SUBGRAPH_NAME = 'graphql.federation.subgraph';

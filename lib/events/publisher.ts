import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { ROOT_CONTEXT, runInContext, startProducerSpan } from '../telemetry';
import type { CloudEvent } from './envelope';
import { platformContracts, type EventContracts } from './contracts';
import { encodeEvent } from './kafkaCodec';
import { eventMetrics, type EventMetrics } from './metrics';

/** Sends events to Kafka with acks from all in-sync replicas. */
export interface EventPublisher {
  /** Resolves once the broker has acknowledged every event; connects on first use. */
  publish(topic: string, events: CloudEvent[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Options of {@link createEventPublisher}. */
export interface EventPublisherOptions {
  /** Runs once before the first publish succeeds, e.g. to create topics. */
  prepare?: () => Promise<void>;
  /**
   * Contracts every event must satisfy before it is sent; an invalid or unknown event makes
   * `publish` throw (an EventValidationError or UnknownEventTypeError) and nothing is sent.
   * `false` turns validation off (only for tools that forward records verbatim).
   * @default the platform's contracts in schema/events
   */
  contracts?: EventContracts | false;
  /** @default the process-wide {@link eventMetrics} */
  metrics?: EventMetrics;
}

/**
 * Creates a Kafka publisher: idempotent producer, acks=all, Java-compatible murmur2 partitioning.
 * It connects lazily so a role starts (and commits to its outbox) while Kafka is down.
 */
export function createEventPublisher(
  kafka: Kafka,
  { prepare, contracts, metrics = eventMetrics() }: EventPublisherOptions = {},
): EventPublisher {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // murmur2 like the Java client: a foreign producer using the same key lands on the same partition.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  let ready: Promise<void> | undefined;
  const connect = () => {
    // Outside any request's trace context: the producer's sockets and timers outlive the request
    // that happened to connect first, and their log lines must not carry its trace id.
    ready ??= runInContext(ROOT_CONTEXT, async () => {
      await prepare?.();
      await producer.connect();
    }).catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
  producer.on(producer.events.DISCONNECT, () => {
    ready = undefined;
  });
  return {
    async publish(topic, events) {
      if (events.length === 0) return;
      const validator = contracts === false ? undefined : (contracts ?? platformContracts());
      for (const event of events) validator?.validate(event as unknown as Record<string, unknown>);
      await connect();
      // One PRODUCER span per event, child of the context the event was created in; its
      // traceparent goes in the record's headers so the consumer's span continues from it.
      const spans = events.map((event) => startProducerSpan(topic, event));
      const messages = events.map((event, index) => {
        const message = encodeEvent(event);
        return { ...message, headers: { ...message.headers, ...spans[index]?.headers } };
      });
      try {
        await producer.send({ topic, acks: -1, messages });
      } catch (error) {
        for (const span of spans) span.end(error);
        throw error;
      }
      for (const span of spans) span.end();
      for (const event of events) metrics.produced.inc({ type: event.type });
    },
    disconnect: () => producer.disconnect(),
  };
}

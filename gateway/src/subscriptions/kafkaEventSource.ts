import type { EventTransport } from '../../../lib/events';
import type { Logger } from '../../../lib/logging';
import type { EventListener, EventSource } from './eventSource';

/** Options of {@link createKafkaEventSource}. */
export interface KafkaEventSourceOptions {
  transport: EventTransport;
  topics: string[];
  /** Unique per gateway instance, so every instance receives every event. */
  groupId: string;
  logger: Logger;
}

/** A live event source backed by one group member per gateway instance. */
export interface KafkaEventSource extends EventSource {
  /** Joins in the background (never throws because Kafka is down). */
  start(): void;
  stop(): Promise<void>;
}

/**
 * Creates the gateway's live event source: a member of its own group that starts at the end of
 * every partition as they were when it first started (subscribers catch up from the store, not
 * from Kafka) and keeps its position across restarts, so nothing published meanwhile is missed.
 * Undecodable or contract-breaking records are logged, counted and dropped (the durable groups
 * dead-letter them), and events fan out to in-process listeners by topic.
 */
export function createKafkaEventSource(options: KafkaEventSourceOptions): KafkaEventSource {
  const { transport, topics, groupId } = options;
  const listeners = new Map<string, Set<EventListener>>();
  const member = transport.subscribe({
    groupId,
    topics,
    startAt: 'now',
    deadLetters: false,
    logger: options.logger.child({ component: 'subscription-events' }),
    handlers: {
      '*': async (event, origin) => {
        for (const listener of [...(listeners.get(origin.topic) ?? [])]) listener(event);
      },
    },
  });
  return {
    get ready() {
      return member.status().state === 'running';
    },
    onReadyChange(listener) {
      let last = member.status().state === 'running';
      return member.onStateChange((state) => {
        const ready = state === 'running';
        if (ready === last) return;
        last = ready;
        listener(ready);
      });
    },
    listen(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    start: () => member.start(),
    stop: () => member.stop(),
  };
}

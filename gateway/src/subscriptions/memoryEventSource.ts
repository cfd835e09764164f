import type { CloudEvent } from '../../../lib/events';
import type { EventListener, EventSource } from './eventSource';

/** An in-process event source for unit tests: `publish` delivers synchronously. */
export interface MemoryEventSource extends EventSource {
  publish(topic: string, event: CloudEvent): void;
}

/** Creates an in-memory {@link EventSource}. */
export function createMemoryEventSource(): MemoryEventSource {
  const listeners = new Map<string, Set<EventListener>>();
  return {
    listen(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    publish(topic, event) {
      for (const listener of listeners.get(topic) ?? []) listener(event);
    },
  };
}

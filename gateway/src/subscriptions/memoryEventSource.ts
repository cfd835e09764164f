import type { CloudEvent } from '../../../lib/events';
import type { EventListener, EventSource } from './eventSource';

/** An in-process event source for unit tests: `publish` delivers synchronously. */
export interface MemoryEventSource extends EventSource {
  publish(topic: string, event: CloudEvent): void;
  /** Makes the source (not) ready, as a Kafka source joining or losing its broker would. */
  setReady(ready: boolean): void;
}

/** Options of {@link createMemoryEventSource}. */
export interface MemoryEventSourceOptions {
  /** @default true */
  ready?: boolean;
}

/** Creates an in-memory {@link EventSource}. */
export function createMemoryEventSource(options: MemoryEventSourceOptions = {}): MemoryEventSource {
  const listeners = new Map<string, Set<EventListener>>();
  const readyListeners = new Set<(ready: boolean) => void>();
  let ready = options.ready ?? true;
  return {
    get ready() {
      return ready;
    },
    listen(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    onReadyChange(listener) {
      readyListeners.add(listener);
      return () => readyListeners.delete(listener);
    },
    setReady(next) {
      if (next === ready) return;
      ready = next;
      // A copy: listeners may add or remove listeners while being told.
      for (const listener of [...readyListeners]) listener(next);
    },
    publish(topic, event) {
      // Like Kafka: nothing flows while the source is not consuming.
      if (!ready) return;
      for (const listener of [...(listeners.get(topic) ?? [])]) listener(event);
    },
  };
}

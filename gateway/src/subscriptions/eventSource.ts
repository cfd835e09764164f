import type { CloudEvent } from '../../../lib/events';

/** Receives every event of a topic that this gateway instance consumes. */
export type EventListener = (event: CloudEvent) => void;

/** Where live events come from: Kafka in production, memory in unit tests. */
export interface EventSource {
  /** Registers a listener for a topic; returns the function that removes it. */
  listen(topic: string, listener: EventListener): () => void;
  /** True while live events flow (joined, consuming). */
  readonly ready: boolean;
  /** Called whenever `ready` changes; returns the function that removes the listener. */
  onReadyChange(listener: (ready: boolean) => void): () => void;
}

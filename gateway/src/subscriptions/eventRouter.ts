import type { TopicNames } from '../../../lib/kafka';
import type { EventSource } from './eventSource';
import { toFeedEvent, type FeedEvent, type SubscriptionFieldConfig } from './fieldConfig';

type FeedListener = (event: FeedEvent) => void;

/** Routes live events to feeds: one source listener per topic, feeds found by field and stream. */
export interface EventRouter {
  /**
   * Registers a feed's listener for the events of `field`: of one stream when `stream` is given
   * (looked up, not scanned), of every stream otherwise. Returns the function that removes it.
   */
  listen(field: string, stream: string | undefined, listener: FeedListener): () => void;
}

interface FieldRoutes {
  config: SubscriptionFieldConfig;
  byStream: Map<string, Set<FeedListener>>;
  everyStream: Set<FeedListener>;
}

/**
 * Creates the router. With thousands of feeds (one per watched run), reading each event once and
 * handing it to the feeds of its run keeps the cost per event independent of the number of feeds.
 */
export function createEventRouter(
  source: Pick<EventSource, 'listen'>,
  topics: TopicNames,
  fields: Record<string, SubscriptionFieldConfig>,
): EventRouter {
  const routes = new Map<string, FieldRoutes>();
  const topicsListened = new Set<string>();

  const dispatch =
    (topic: string) => (cloudEvent: Parameters<Parameters<EventSource['listen']>[1]>[0]) => {
      for (const route of routes.values()) {
        if (topics.events(route.config.topic) !== topic) continue;
        if (route.byStream.size === 0 && route.everyStream.size === 0) continue;
        const event = toFeedEvent(route.config, cloudEvent);
        if (!event) continue;
        const streamListeners = route.byStream.get(event.stream);
        if (streamListeners) for (const listener of streamListeners) listener(event);
        for (const listener of route.everyStream) listener(event);
      }
    };

  return {
    listen(field, stream, listener) {
      const config = fields[field];
      if (!config) throw new Error(`no subscription field ${field}`);
      let route = routes.get(field);
      if (!route) {
        route = { config, byStream: new Map(), everyStream: new Set() };
        routes.set(field, route);
      }
      const topic = topics.events(config.topic);
      if (!topicsListened.has(topic)) {
        topicsListened.add(topic);
        source.listen(topic, dispatch(topic));
      }
      const { byStream, everyStream } = route;
      if (stream === undefined) {
        everyStream.add(listener);
        return () => everyStream.delete(listener);
      }
      const set = byStream.get(stream) ?? new Set<FeedListener>();
      byStream.set(stream, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0 && byStream.get(stream) === set) byStream.delete(stream);
      };
    },
  };
}

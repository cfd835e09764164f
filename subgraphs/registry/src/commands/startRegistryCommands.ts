import type { Connection } from 'mongoose';
import {
  createDedupStore,
  ensureDedupIndexes,
  type EventTransport,
  type GroupMember,
  type ProcessedEvent,
} from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import type { RegistryDeps } from '../context';
import { createRegistryCommandHandlers } from './createRegistryCommandHandlers';

/** Options of {@link startRegistryCommands}. */
export interface RegistryCommandsOptions {
  transport: EventTransport;
  /** Topic carrying the commands (the workflow topic). */
  topic: string;
  groupId: string;
  /** The registry role's own dependencies: same connection, outbox relay and per-component queue. */
  deps: RegistryDeps;
  /** The registry's database (its `processed_events` collection deduplicates commands). */
  mongo: Connection;
  logger: Logger;
}

/** The registry's running command consumer. */
export interface RunningRegistryCommands {
  consumer: GroupMember;
  stop(): Promise<void>;
}

/**
 * Starts the consumer group of the registry's commands (`component.registration.requested`,
 * `.update.requested`, `.validation.requested`) inside the registry role. Sharing the role's
 * per-component queue with its mutations keeps one writer per component in this process, so the
 * compare-and-set retries are not spent on each other (the compare-and-set guards across processes).
 */
export async function startRegistryCommands(
  options: RegistryCommandsOptions,
): Promise<RunningRegistryCommands> {
  const processed = options.mongo.collection<ProcessedEvent>('processed_events');
  await ensureDedupIndexes(processed);
  const dedup = createDedupStore({ collection: processed, groupId: options.groupId });
  dedup.start();
  const consumer = options.transport.subscribe({
    groupId: options.groupId,
    topics: [options.topic],
    handlers: createRegistryCommandHandlers({ deps: options.deps, logger: options.logger }),
    logger: options.logger,
    dedup,
  });
  // Joins in the background: the registry serves queries while Kafka is away.
  consumer.start();
  return {
    consumer,
    async stop() {
      await consumer.stop();
      await dedup.stop();
    },
  };
}

import type { Kafka } from 'kafkajs';
import type { Logger } from '../../../../lib/logging';
import { createCommandConsumer, type CommandConsumer } from '../engine/createCommandConsumer';
import type { RunComponentLinkModel } from '../models/RunComponentLink';
import { createComponentLinkHandlers } from './createComponentLinkHandlers';

/** Options of {@link createComponentLinkConsumer}. */
export interface ComponentLinkConsumerOptions {
  kafka: Kafka;
  /** The registry events topic. */
  topic: string;
  /** Shared by every workflow role instance (e.g. `<engine group>-component-links`). */
  groupId: string;
  links: RunComponentLinkModel;
  logger: Logger;
}

/**
 * The workflow role's member on the registry topic: links components registered for a run to
 * that run. It is the engine's small consumer (partition order, commit after handling, a failed
 * insert is redelivered) on another topic and group; every other registry event is skipped.
 */
export function createComponentLinkConsumer(
  options: ComponentLinkConsumerOptions,
): CommandConsumer {
  const logger = options.logger.child({ component: 'component-links' });
  return createCommandConsumer({
    kafka: options.kafka,
    groupId: options.groupId,
    topic: options.topic,
    logger,
    handlers: createComponentLinkHandlers({ links: options.links, logger }),
  });
}

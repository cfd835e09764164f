import type { EventTransport, GroupMember } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import type { RunComponentLinkModel } from '../models/RunComponentLink';
import { createComponentLinkHandlers } from './createComponentLinkHandlers';

/** Options of {@link createComponentLinkConsumer}. */
export interface ComponentLinkConsumerOptions {
  transport: EventTransport;
  /** The registry events topic. */
  topic: string;
  /** Shared by every workflow role instance (e.g. `<engine group>-component-links`). */
  groupId: string;
  links: RunComponentLinkModel;
  logger: Logger;
}

/**
 * The workflow role's member on the registry topic: links components registered for a run to
 * that run; every other registry event is skipped. Link inserts are idempotent, so a redelivery
 * is harmless.
 */
export function createComponentLinkConsumer(options: ComponentLinkConsumerOptions): GroupMember {
  const logger = options.logger.child({ component: 'component-links' });
  return options.transport.subscribe({
    groupId: options.groupId,
    topics: [options.topic],
    logger,
    handlers: createComponentLinkHandlers({ links: options.links, logger }),
  });
}

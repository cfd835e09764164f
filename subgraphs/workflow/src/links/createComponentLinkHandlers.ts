import type { CloudEvent, EventHandler } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import { runComponentLinkId, type RunComponentLinkModel } from '../models/RunComponentLink';

const DUPLICATE_KEY = 11000;

/** Options of {@link createComponentLinkHandlers}. */
export interface ComponentLinkHandlerOptions {
  links: RunComponentLinkModel;
  logger: Logger;
}

/**
 * Handlers of registry events for the workflow role: a `component.registered` that carries a
 * `runId` (the registry answering a run's `component.registration.requested`) links the component
 * to that run in `run_components`. Idempotent: the link's `_id` is `<runId>:<componentId>`.
 */
export function createComponentLinkHandlers({
  links,
  logger,
}: ComponentLinkHandlerOptions): Record<string, EventHandler> {
  return {
    'component.registered': async (event: CloudEvent) => {
      const data = event.data as { id?: unknown; runId?: unknown };
      if (typeof data.runId !== 'string' || typeof data.id !== 'string') return;
      try {
        await links.create({
          _id: runComponentLinkId(data.runId, data.id),
          runId: data.runId,
          componentId: data.id,
          linkedAt: event.time ? new Date(event.time) : new Date(),
          eventId: event.id,
        });
        logger.debug({ runId: data.runId, componentId: data.id }, 'component linked to run');
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      }
    },
  };
}

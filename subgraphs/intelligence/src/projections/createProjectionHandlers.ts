import type { CloudEvent, EventHandler, EventOrigin, OutboxRelay } from '../../../../lib/events';
import { createEvent } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import type { IntelligenceModels } from '../models';
import type { SignalDoc } from '../models/Signal';
import {
  applyComponentEvent,
  applyComponentRegistered,
  applyComponentUpdated,
  applyUnorderedChange,
  eventTime,
  isSequenced,
  requireSequence,
  type InsightChange,
} from './applyComponentEvent';

const DUPLICATE_KEY = 11000;

/** Options of {@link createProjectionHandlers}. */
export interface ProjectionOptions {
  models: IntelligenceModels;
  logger: Logger;
  /** Relays `component.update.requested`; without it blocked pipelines are only recorded. */
  relay?: OutboxRelay;
  /** Called after a `style.changed` or `component.updated` was applied (cache invalidation). */
  onInvalidate?: (event: CloudEvent) => void;
}

/** Inserts a signal once per event id. @returns whether it was new */
async function remember(models: IntelligenceModels, signal: SignalDoc): Promise<boolean> {
  try {
    await models.signals.create(signal);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

/**
 * The event handlers that build the intelligence read model. Each is idempotent: component
 * aggregates by their per-aggregate sequence, everything else by event id (signals keyed by it).
 * Used by the live projector and by sync (replay), both in the intelligence role.
 *
 * Events without `sequence` (optional in the envelope; see docs/events.md, "Sequence"): those
 * that replace component state (`component.registered|updated|deleted`, a quality verdict about
 * its own subject) throw a `PermanentHandlerError` and are dead-lettered with the reason; an
 * unsequenced `component.used` only adds to counters and sets, so it is applied once per event id.
 */
export function createProjectionHandlers(options: ProjectionOptions): Record<string, EventHandler> {
  const { models, logger } = options;
  const componentOf = (event: CloudEvent) =>
    text((event.data as Record<string, unknown>).componentId) ?? event.subject;

  /**
   * Quality verdicts come from the registry (subject = component, sequenced) or from pipelines
   * (another subject): the latter are applied once per event id, via the signal insert.
   */
  async function applyQuality(
    event: CloudEvent,
    origin: EventOrigin | undefined,
    passed: boolean,
    score: number | undefined,
    reason: string | undefined,
    change: InsightChange,
  ) {
    const componentId = componentOf(event);
    const ownSubject = event.subject === componentId;
    // A verdict about the component's own aggregate replaces its state: it needs its sequence.
    if (ownSubject) requireSequence(event);
    const fresh = await remember(models, {
      _id: event.id,
      type: event.type,
      componentId,
      score,
      reason,
      at: eventTime(event, origin),
    });
    if (ownSubject) await applyComponentEvent(models.insights, event, change, origin);
    else if (fresh) {
      await models.insights.updateOne(
        { _id: componentId },
        { $set: { ...change.set }, $inc: { ...change.inc } },
      );
    }
    logger.debug({ componentId, passed }, 'quality verdict applied');
  }

  return {
    'component.registered': async (event, origin) => {
      await applyComponentRegistered(models.insights, event, origin);
    },
    'component.updated': async (event, origin) => {
      await applyComponentUpdated(models.insights, event, origin);
      options.onInvalidate?.(event);
    },
    'component.deleted': async (event, origin) => {
      await applyComponentEvent(models.insights, event, { set: { deleted: true } }, origin);
    },
    'quality.passed': async (event, origin) => {
      const data = event.data as { score?: number };
      await applyQuality(event, origin, true, data.score, undefined, {
        set: { qualityPassed: true, ...(data.score !== undefined && { qualityScore: data.score }) },
      });
    },
    'quality.failed': async (event, origin) => {
      const data = event.data as { score?: number; failures?: { name?: string }[] };
      const failed = (data.failures ?? []).map((f) => f.name).filter(Boolean);
      await applyQuality(
        event,
        origin,
        false,
        data.score,
        failed.length > 0 ? `failed checks: ${failed.join(', ')}` : undefined,
        {
          set: {
            qualityPassed: false,
            ...(data.score !== undefined && { qualityScore: data.score }),
          },
          inc: { qualityFailures: 1 },
        },
      );
    },
    'component.used': async (event, origin) => {
      const data = event.data as { componentId: string; usedBy?: string; projectId?: string };
      const projectId = text(data.projectId) ?? text(data.usedBy);
      const time = eventTime(event, origin);
      const fresh = await remember(models, {
        _id: event.id,
        type: event.type,
        componentId: data.componentId,
        projectId,
        at: time,
      });
      if (projectId) {
        await models.projects.updateOne(
          { _id: projectId },
          { $addToSet: { components: data.componentId }, $setOnInsert: { version: 0 } },
          { upsert: true },
        );
      }
      const change = {
        inc: { usageCount: 1 },
        ...(projectId && { addToSet: { projects: projectId } }),
      };
      if (isSequenced(event)) {
        await applyComponentEvent(models.insights, event, change, origin);
      } else if (fresh) {
        // Usage only adds up, so its order does not matter: applied once per event id (the
        // signal insert above is the guard), without touching the aggregate's sequence.
        await applyUnorderedChange(models.insights, componentOf(event), time, change);
        logger.debug(
          { eventId: event.id, componentId: componentOf(event) },
          'unsequenced component.used applied to the usage counters',
        );
      } else {
        logger.debug({ eventId: event.id }, 'unsequenced component.used already applied');
      }
    },
    'pipeline.blocked': async (event, origin) => {
      const data = event.data as { componentId?: string; reason?: string; pipelineId?: string };
      const componentId = text(data.componentId);
      await remember(models, {
        _id: event.id,
        type: event.type,
        componentId,
        reason: text(data.reason),
        at: eventTime(event, origin),
      });
      if (componentId && options.relay)
        await requestUpdate(options, event, componentId, data.reason);
    },
    'style.changed': async (event, origin) => {
      const data = event.data as { projectId?: string; styleId?: string };
      await remember(models, {
        _id: event.id,
        type: event.type,
        projectId: text(data.projectId),
        reason: text(data.styleId),
        at: eventTime(event, origin),
      });
      if (text(data.projectId)) {
        await models.projects.updateOne({ _id: data.projectId }, { $inc: { styleEpoch: 1 } });
      }
      logger.debug({ eventId: event.id }, 'style changed: style-dependent caches invalidated');
      options.onInvalidate?.(event);
    },
  };
}

/**
 * Answers a blocked pipeline with `component.update.requested`, committed to the investigation
 * aggregate's outbox in the same update that marks the blocked event handled (once per event).
 */
async function requestUpdate(
  options: ProjectionOptions,
  blocked: CloudEvent,
  componentId: string,
  reason: string | undefined,
) {
  const { investigations } = options.models;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await investigations.findById(componentId).lean();
    if (current?.handled.includes(blocked.id)) return;
    const sequence = (current?.eventSequence ?? 0) + 1;
    const event = createEvent({
      type: 'component.update.requested',
      source: '/subgraphs/intelligence',
      subject: componentId,
      sequence,
      causationId: blocked.id,
      ...(blocked.correlationid && { correlationId: blocked.correlationid }),
      data: {
        componentId,
        reason: `pipeline blocked${reason ? `: ${reason}` : ''}`,
        requestedBy: 'intelligence',
      },
    });
    try {
      const result = await investigations.updateOne(
        { _id: componentId, eventSequence: current?.eventSequence ?? 0 },
        {
          $push: { pendingEvents: event, handled: blocked.id },
          $set: {
            eventSequence: sequence,
            outboxPending: true,
            ...(reason && { lastReason: reason }),
          },
        },
        { upsert: !current },
      );
      if (result.matchedCount + result.upsertedCount > 0) {
        options.relay!.kick();
        return;
      }
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    }
  }
  throw new Error(`investigation ${componentId} kept changing concurrently`);
}

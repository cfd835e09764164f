import type { EventHandler, EventTransport } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import type { IntelligenceModels } from '../models';

/** Where the read-model rebuild stands. */
export type SyncState = 'IDLE' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** Snapshot of the last (or running) sync. */
export interface SyncSnapshot {
  state: SyncState;
  startedAt?: Date;
  finishedAt?: Date;
  eventsReplayed: number;
  error?: string;
}

/** Runs replays of the registry topic into the read model, one at a time. */
export interface SyncController {
  /** Starts a replay unless one runs; `reset` first empties the component read model. */
  trigger(reset: boolean): SyncSnapshot;
  snapshot(): SyncSnapshot;
  /** Unconsumed registry events of the live projector group, or null when Kafka cannot say. */
  lag(): Promise<number | null>;
  /** Resolves when the running replay (if any) ends. */
  idle(): Promise<void>;
}

/** Options of {@link createSyncController}. */
export interface SyncControllerOptions {
  transport: EventTransport;
  topic: string;
  /** Group id of the live projector (for lag). */
  liveGroupId: string;
  models: IntelligenceModels;
  handlers: Record<string, EventHandler>;
  logger: Logger;
}

/** Creates the sync controller of the intelligence subgraph. */
export function createSyncController(options: SyncControllerOptions): SyncController {
  let current: SyncSnapshot = { state: 'IDLE', eventsReplayed: 0 };
  let running: Promise<void> | undefined;

  async function run(reset: boolean) {
    // Replays are sequence-guarded per component: after a reset, events the live projector applies
    // meanwhile can make older replayed ones no-ops for that component (documented limitation).
    if (reset) await options.models.insights.deleteMany({});
    const result = await options.transport.replay({
      topic: options.topic,
      groupId: `${options.liveGroupId}-sync`,
      handlers: options.handlers,
      logger: options.logger,
      onApplied: () => {
        current.eventsReplayed += 1;
      },
    });
    current.eventsReplayed = result.applied;
  }

  return {
    trigger(reset) {
      if (running) return { ...current };
      current = { state: 'RUNNING', startedAt: new Date(), eventsReplayed: 0 };
      running = run(reset)
        .then(() => {
          current = { ...current, state: 'SUCCEEDED', finishedAt: new Date() };
        })
        .catch((error: unknown) => {
          options.logger.error({ err: error }, 'read-model sync failed');
          current = { ...current, state: 'FAILED', finishedAt: new Date(), error: String(error) };
        })
        .finally(() => {
          running = undefined;
        });
      return { ...current };
    },
    snapshot: () => ({ ...current }),
    async lag() {
      try {
        return await options.transport.lag(options.liveGroupId, options.topic);
      } catch (error) {
        options.logger.warn({ err: error }, 'could not read consumer lag');
        return null;
      }
    },
    idle: async () => {
      await running;
    },
  };
}

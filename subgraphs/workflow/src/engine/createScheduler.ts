import { CronExpressionParser } from 'cron-parser';
import semver from 'semver';
import type { Logger } from '../../../../lib/logging';
import type { WorkflowSpec } from '../definitions/types';
import type { WorkflowDefinitionDoc, WorkflowDefinitionModel } from '../models/WorkflowDefinition';
import type { ScheduleTickModel } from '../models/ScheduleTick';
import type { RunCommands } from '../services/createRunCommands';

const DUPLICATE_KEY = 11000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  definitions: WorkflowDefinitionModel;
  ticks: ScheduleTickModel;
  commands: RunCommands;
  logger: Logger;
  instanceId: string;
  /** How often schedules are checked; a tick is noticed at most this late. @default 1000 */
  intervalMs?: number;
}

/** Fires cron schedules of the latest definition versions, once per tick across all instances. */
export interface Scheduler {
  start(): void;
  /** Runs one check now (tests). */
  check(): Promise<void>;
  stop(): Promise<void>;
}

/** Creates the cron scheduler; ticks before start-up are never back-filled. */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { definitions, ticks, commands, logger, instanceId, intervalMs = 1000 } = options;
  const startedAt = new Date();
  const seen = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastPurge = 0;

  async function latestScheduled(): Promise<WorkflowSpec[]> {
    const docs = await definitions
      .find({ 'spec.schedules.0': { $exists: true } })
      .lean<WorkflowDefinitionDoc[]>()
      .exec();
    const latest = new Map<string, WorkflowDefinitionDoc>();
    for (const doc of docs) {
      const current = latest.get(doc.definitionId);
      if (!current || semver.gt(doc.version, current.version)) latest.set(doc.definitionId, doc);
    }
    return [...latest.values()].map((doc) => doc.spec as unknown as WorkflowSpec);
  }

  async function check() {
    const now = new Date();
    for (const spec of await latestScheduled()) {
      for (const schedule of spec.schedules ?? []) {
        const scheduleId = `${spec.id}:${schedule.id}`;
        const tick = CronExpressionParser.parse(schedule.cron, { currentDate: now, tz: 'UTC' })
          .prev()
          .toDate();
        if (tick <= startedAt || tick.getTime() <= (seen.get(scheduleId) ?? 0)) continue;
        seen.set(scheduleId, tick.getTime());
        try {
          // The unique (scheduleId, tickTime) index lets exactly one instance claim the tick.
          await ticks.create({ scheduleId, tickTime: tick, claimedBy: instanceId });
        } catch (error) {
          if ((error as { code?: number }).code === DUPLICATE_KEY) continue;
          throw error;
        }
        const run = await commands.startRun({
          definitionId: spec.id,
          version: spec.version,
          input: { ...schedule.input, scheduledAt: tick.toISOString(), scheduleId },
          idempotencyKey: `schedule:${scheduleId}:${tick.toISOString()}`,
        });
        await ticks.updateOne({ scheduleId, tickTime: tick }, { $set: { runId: run._id } });
        logger.info({ scheduleId, tick, runId: run._id }, 'schedule fired');
      }
    }
    if (now.getTime() - lastPurge > 60 * 60 * 1000) {
      lastPurge = now.getTime();
      // FerretDB has no TTL indexes: old claims are purged here.
      await ticks.deleteMany({ tickTime: { $lt: new Date(now.getTime() - DAY_MS) } });
    }
  }

  const tick = () => {
    running ??= check()
      .catch((error: unknown) => logger.warn({ err: error }, 'schedule check failed'))
      .finally(() => (running = undefined));
  };

  return {
    start() {
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    check,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { CloudEvent, EventTransport, GroupMember } from '../../../../lib/events';
import type { Logger } from '../../../../lib/logging';
import type { ActionRegistry } from '../actions/createActionRegistry';
import type { WorkflowDefinitionModel } from '../models/WorkflowDefinition';
import type { RunCommitModel } from '../models/RunCommit';
import type { ScheduleTickModel } from '../models/ScheduleTick';
import type { WorkflowRunModel } from '../models/WorkflowRun';
import type { RunCommands } from '../services/createRunCommands';
import { createRunExecutor } from './createRunExecutor';
import { createScheduler } from './createScheduler';
import { createTimerPoller } from './createTimerPoller';
import type { DefinitionCache } from './definitionCache';
import { EXECUTE_COMMAND, SIGNAL_EVENT, type RunStore } from './runStore';

/** Raised inside a stopped engine so it writes nothing more. */
export class EngineStoppedError extends Error {
  override readonly name = 'EngineStoppedError';
  readonly retriable = true;
}

/** Options of {@link createWorkflowEngine}. */
export interface WorkflowEngineOptions {
  transport: EventTransport;
  /** The workflow events topic (commands and progress, keyed by run id). */
  topic: string;
  /** Consumer group shared by every engine instance. */
  groupId: string;
  runs: WorkflowRunModel;
  commits: RunCommitModel;
  definitions: WorkflowDefinitionModel;
  ticks: ScheduleTickModel;
  store: RunStore;
  cache: DefinitionCache;
  actions: ActionRegistry;
  commands: RunCommands;
  logger: Logger;
  /** @default 500 */
  timerIntervalMs?: number;
  /** @default 1000 */
  scheduleIntervalMs?: number;
}

/** One engine instance: a consumer group member, a timer poller and a cron scheduler. */
export interface WorkflowEngine {
  instanceId: string;
  start(): Promise<void>;
  /** Graceful stop. */
  stop(): Promise<void>;
  /** Stops as if the process died: nothing more is committed, in-flight work is abandoned. */
  kill(): Promise<void>;
  /** The engine's consumer group member (readiness; tests wait for it to run). */
  readonly consumer: GroupMember;
}

/** A command's retry budget: about half a minute of backoff, then a dead letter. */
const COMMAND_RETRY = { maxAttempts: 10, initialDelayMs: 200, maxDelayMs: 5_000, multiplier: 2 };

/** Creates an engine instance; several instances with the same group share the runs. */
export function createWorkflowEngine(options: WorkflowEngineOptions): WorkflowEngine {
  const instanceId = randomUUID().slice(0, 8);
  const logger = options.logger.child({ component: 'engine', instanceId });
  let stopped = false;
  const executor = createRunExecutor({
    store: options.store,
    definitions: options.cache,
    actions: options.actions,
    logger,
    assertAlive: () => {
      if (stopped) throw new EngineStoppedError(`engine ${instanceId} stopped`);
    },
  });
  // Commands run through the platform's pipeline: a command that keeps failing is dead-lettered
  // after its retry budget instead of holding every run on its partition.
  const consumer = options.transport.subscribe({
    groupId: options.groupId,
    topics: [options.topic],
    logger,
    retry: COMMAND_RETRY,
    handlers: {
      [EXECUTE_COMMAND]: async (event: CloudEvent) => {
        if (stopped) throw new EngineStoppedError('engine stopped');
        const data = event.data as { runId: string; token?: string };
        await executor.advance(data.runId, data.token);
      },
      [SIGNAL_EVENT]: async (event: CloudEvent) => {
        const data = event.data as { runId?: string; name?: string; payload?: unknown };
        if (!data.runId || !data.name) return;
        await options.commands
          .signalRun(data.runId, data.name, data.payload)
          .catch((error: unknown) => {
            logger.info({ runId: data.runId, err: error }, 'signal not delivered');
          });
      },
    },
  });
  const timers = createTimerPoller({
    runs: options.runs,
    commits: options.commits,
    store: options.store,
    logger,
    intervalMs: options.timerIntervalMs,
  });
  const scheduler = createScheduler({
    definitions: options.definitions,
    ticks: options.ticks,
    commands: options.commands,
    logger,
    instanceId,
    intervalMs: options.scheduleIntervalMs,
  });
  const halt = async () => {
    stopped = true;
    await Promise.all([timers.stop(), scheduler.stop()]);
    await consumer.stop();
  };
  return {
    instanceId,
    consumer,
    async start() {
      consumer.start();
      timers.start();
      scheduler.start();
      logger.info({ groupId: options.groupId }, 'workflow engine started');
    },
    stop: halt,
    kill: halt,
  };
}

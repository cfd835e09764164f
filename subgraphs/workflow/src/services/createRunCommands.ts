import { randomUUID } from 'node:crypto';
import semver from 'semver';
import { badUserInput, conflict, notFound } from '../../../../lib/graphql';
import type { WorkflowSpec } from '../definitions/types';
import type { DefinitionCache } from '../engine/definitionCache';
import {
  defaultPendingSignalOptions,
  dropExpiredSignals,
  isWaitedSignal,
  keepSignal,
  validatePendingSignalOptions,
  waitedSignals,
  type PendingSignalOptions,
} from '../engine/pendingSignals';
import { RunConflictError, type RunStore } from '../engine/runStore';
import {
  cloneRun,
  createEffects,
  note,
  scheduleNext,
  stepRecord,
  type Effects,
} from '../engine/stateMachine';
import type { WorkflowDefinitionDoc, WorkflowDefinitionModel } from '../models/WorkflowDefinition';
import { TERMINAL_STATUSES, type WorkflowRunDoc } from '../models/WorkflowRun';
import { EXECUTE_COMMAND } from '../engine/runStore';
import { signalRefusal } from './signalRefusal';

const DUPLICATE_KEY = 11000;

/** Arguments of {@link RunCommands.startRun}. */
export interface StartRunArgs {
  definitionId: string;
  version?: string | null;
  input?: unknown;
  idempotencyKey?: string | null;
}

/** State changes requested from outside the engine; each is one compare-and-set commit plus a command. */
export interface RunCommands {
  startRun(args: StartRunArgs): Promise<WorkflowRunDoc>;
  /** Cancels a run; with `compensate`, its completed steps are compensated first. */
  cancelRun(runId: string, reason?: string | null, compensate?: boolean): Promise<WorkflowRunDoc>;
  retryRun(runId: string): Promise<WorkflowRunDoc>;
  decideTask(
    runId: string,
    stepId: string,
    approved: boolean,
    by?: string | null,
    comment?: string | null,
  ): Promise<WorkflowRunDoc>;
  /**
   * Delivers a signal to the step waiting for it, or keeps it for the first later step that
   * waits for its name (arrival order, bounded, expiring: {@link PendingSignalOptions}).
   * Refused with a typed error (see `signalRefusal.ts`) for an ended run or an unknown name.
   */
  signalRun(runId: string, name: string, payload: unknown): Promise<WorkflowRunDoc>;
}

/** Options of {@link createRunCommands}. */
export interface RunCommandsOptions {
  store: RunStore;
  definitions: WorkflowDefinitionModel;
  cache: DefinitionCache;
  /** Early signals kept per run. @default defaultPendingSignalOptions */
  pendingSignals?: Partial<PendingSignalOptions>;
}

/** Highest stored version of a definition (semver order), or the given one. */
export async function findDefinitionVersion(
  definitions: WorkflowDefinitionModel,
  definitionId: string,
  version?: string | null,
): Promise<WorkflowDefinitionDoc | null> {
  if (version)
    return definitions.findOne({ definitionId, version }).lean<WorkflowDefinitionDoc>().exec();
  const all = await definitions.find({ definitionId }).lean<WorkflowDefinitionDoc[]>().exec();
  return all.sort((a, b) => semver.rcompare(a.version, b.version))[0] ?? null;
}

/** Creates the run commands used by mutations, the scheduler and signal events. */
export function createRunCommands({
  store,
  definitions,
  cache,
  pendingSignals,
}: RunCommandsOptions): RunCommands {
  const signals = validatePendingSignalOptions({
    ...defaultPendingSignalOptions,
    ...pendingSignals,
  });

  /** Loads, applies `change` to a copy and commits; retries on concurrent changes. */
  async function update(
    runId: string,
    change: (run: WorkflowRunDoc, state: WorkflowRunDoc, effects: Effects) => void | Promise<void>,
  ): Promise<WorkflowRunDoc> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const run = await store.load(runId);
      if (!run) throw notFound('WorkflowRun', runId);
      const state = cloneRun(run);
      const effects = createEffects();
      await change(run, state, effects);
      try {
        return await store.commit(run, state, effects.progress, effects.events);
      } catch (error) {
        if (!(error instanceof RunConflictError)) throw error;
      }
    }
    throw conflict(`run ${runId} is changing too fast; try again`);
  }

  const kick = (state: WorkflowRunDoc, effects: Effects) =>
    effects.events.push({ type: EXECUTE_COMMAND, data: { runId: state._id } });

  return {
    async startRun({ definitionId, version, input, idempotencyKey }) {
      const definition = await findDefinitionVersion(definitions, definitionId, version);
      if (!definition)
        throw notFound('WorkflowDefinition', version ? `${definitionId}@${version}` : definitionId);
      if (idempotencyKey) {
        const existing = await store.findByIdempotencyKey(idempotencyKey);
        if (existing) return existing;
      }
      const spec = (await cache.get(definition.definitionId, definition.version)) as WorkflowSpec;
      const now = new Date();
      const id = randomUUID();
      const run: WorkflowRunDoc = {
        _id: id,
        definitionId: definition.definitionId,
        definitionVersion: definition.version,
        status: 'RUNNING',
        input: input ?? {},
        outputs: {},
        componentIds: [],
        steps: [],
        completed: [],
        compensating: [],
        transitions: [],
        idempotencyKey: idempotencyKey ?? id,
        revision: 0,
        progressSequence: 0,
        eventSequence: 0,
        pendingEvents: [],
        startedAt: now,
        updatedAt: now,
      };
      const effects = createEffects();
      effects.progress.push({
        kind: 'STARTED',
        status: 'RUNNING',
        toStep: spec.steps[0]!.id,
        message: `${spec.id}@${spec.version}`,
      });
      scheduleNext(run, effects, 'step', spec.steps[0]!.id, 1);
      try {
        await store.insert(run, effects.progress, effects.events);
      } catch (error) {
        if ((error as { code?: number }).code === DUPLICATE_KEY && idempotencyKey) {
          const existing = await store.findByIdempotencyKey(idempotencyKey);
          if (existing) return existing;
        }
        throw error;
      }
      return (await store.load(id))!;
    },

    cancelRun: (runId, reason, compensate = false) =>
      update(runId, (run, state, effects) => {
        if (TERMINAL_STATUSES.includes(run.status))
          throw conflict(`run ${runId} is already ${run.status}`);
        if (run.cancelRequested) throw conflict(`run ${runId} is already being cancelled`);
        state.cancelRequested = { reason: reason ?? null, at: new Date(), compensate };
        note(state, effects, null, `cancel requested${reason ? `: ${reason}` : ''}`);
        kick(state, effects);
      }),

    retryRun: (runId) =>
      update(runId, (run, state, effects) => {
        if (run.status !== 'FAILED' || !run.failedStepId)
          throw conflict(`only FAILED runs can be retried; run ${runId} is ${run.status}`);
        const record = stepRecord(state, run.failedStepId);
        state.status = 'RUNNING';
        state.finishedAt = null;
        state.error = null;
        state.failedStepId = null;
        note(state, effects, run.failedStepId, 'retry requested');
        scheduleNext(state, effects, 'step', run.failedStepId, record.attempts + 1);
      }),

    decideTask: (runId, stepId, approved, by, comment) =>
      update(runId, (run, state, effects) => {
        const wait = run.wait;
        if (run.status !== 'WAITING' || wait?.kind !== 'approval' || wait.stepId !== stepId)
          throw badUserInput(
            'stepId',
            `run ${runId} is not waiting for approval of step ${stepId}`,
          );
        if (wait.decision)
          throw conflict(
            `step ${stepId} was already ${wait.decision.approved ? 'approved' : 'rejected'}`,
          );
        state.wait = {
          ...wait,
          decision: { approved, by: by ?? null, comment: comment ?? null, at: new Date() },
        };
        note(
          state,
          effects,
          stepId,
          `${approved ? 'approved' : 'rejected'}${by ? ` by ${by}` : ''}`,
        );
        kick(state, effects);
      }),

    // Every outcome is one conditional commit (a claimed revision): a signal and the step that
    // waits for it cannot both win, the loser decides again on the winner's state.
    signalRun: (runId, name, payload) =>
      update(runId, async (run, state, effects) => {
        if (TERMINAL_STATUSES.includes(run.status))
          throw signalRefusal('RUN_ENDED', `run ${runId} is already ${run.status}`);
        if (run.cancelRequested)
          throw signalRefusal('RUN_ENDED', `run ${runId} is being cancelled`);
        if (run.next?.kind === 'compensate')
          throw signalRefusal('RUN_ENDED', `run ${runId} failed and is compensating`);
        const spec = await cache.get(run.definitionId, run.definitionVersion);
        if (spec && !isWaitedSignal(waitedSignals(spec), name))
          throw signalRefusal(
            'UNKNOWN_SIGNAL',
            `no step of ${run.definitionId}@${run.definitionVersion} waits for signal "${name}"`,
          );
        const now = new Date();
        for (const expired of dropExpiredSignals(state, now))
          note(
            state,
            effects,
            null,
            `signal "${expired.name}" expired before a step waited for it`,
          );
        const wait = run.wait;
        if (wait?.kind === 'signal' && wait.signal === name && !wait.received) {
          state.wait = { ...wait, received: { payload: payload ?? null, at: now } };
          note(state, effects, wait.stepId, `signal "${name}" received`);
          kick(state, effects);
          return;
        }
        const expiresAt = new Date(now.getTime() + signals.ttlMs);
        if (
          !keepSignal(
            state,
            { name, payload: payload ?? null, at: now, expiresAt },
            signals.maxPending,
          )
        )
          throw signalRefusal(
            'TOO_MANY_PENDING_SIGNALS',
            `run ${runId} already keeps ${signals.maxPending} signals no step has waited for yet`,
          );
        note(
          state,
          effects,
          null,
          `signal "${name}" kept until a step waits for it (expires ${expiresAt.toISOString()})`,
        );
      }),
  };
}

import { createEvent, type CloudEvent, type OutboxRelay } from '../../../../lib/events';
import {
  encodeCursor,
  type RunEventDoc,
  type RunEventKind,
  type RunEventModel,
} from '../models/RunEvent';
import type { RunCommitDoc, RunCommitModel } from '../models/RunCommit';
import type { RunStatus, WorkflowRunDoc, WorkflowRunModel } from '../models/WorkflowRun';

/** CloudEvents types of the progress feed, by kind. */
export const PROGRESS_EVENT_TYPES: Record<RunEventKind, string> = {
  STARTED: 'workflow.run.started',
  TRANSITIONED: 'workflow.run.transitioned',
  STEP_PROGRESSED: 'workflow.step.progressed',
  COMPLETED: 'workflow.run.completed',
};

/** Command that makes the engine owning the run's partition execute its next step. */
export const EXECUTE_COMMAND = 'workflow.command.execute';
/** Event delivering a named signal to a run (waited for by `event.wait`). */
export const SIGNAL_EVENT = 'workflow.run.signal';

/** A progress event before it gets its sequence. */
export interface ProgressDraft {
  kind: RunEventKind;
  status: RunStatus;
  stepId?: string | null;
  fromStep?: string | null;
  toStep?: string | null;
  message?: string | null;
}

/** Any other event committed with the run (commands, events emitted by actions). */
export interface OutgoingEvent {
  type: string;
  data: Record<string, unknown>;
}

/** The run changed under us (another writer committed first); reload and decide again. */
export class RunConflictError extends Error {
  override readonly name = 'RunConflictError';
  readonly retriable = true;
}

/** Fields of the run the engine and the mutations own (everything but identity and outbox). */
export const STATE_FIELDS = [
  'status',
  'outputs',
  'componentIds',
  'steps',
  'completed',
  'compensating',
  'transitions',
  'next',
  'wait',
  'pendingSignals',
  'wakeAt',
  'cancelRequested',
  'failedStepId',
  'error',
  'finishedAt',
] as const satisfies readonly (keyof WorkflowRunDoc)[];

/**
 * Data of a progress CloudEvent: what the gateway orders and filters by (id, runId, sequence,
 * cursor, definitionId, status) plus the contract's `from`/`to`; absent values are left out
 * (the published contracts type them as strings).
 */
export function progressData(doc: RunEventDoc): Record<string, unknown> {
  const data: Record<string, unknown> = {
    id: doc._id,
    runId: doc.runId,
    definitionId: doc.definitionId,
    sequence: doc.sequence,
    cursor: encodeCursor(doc.runId, doc.sequence),
    kind: doc.kind,
    status: doc.status,
    at: doc.at.toISOString(),
    stepId: doc.stepId,
    fromStep: doc.fromStep,
    toStep: doc.toStep,
    from: doc.fromStep,
    to: doc.toStep,
    message: doc.message,
    outcome: doc.kind === 'COMPLETED' ? doc.status : undefined,
  };
  for (const key of Object.keys(data))
    if (data[key] === null || data[key] === undefined) delete data[key];
  return data;
}

/** Options of {@link createRunStore}. */
export interface RunStoreOptions {
  runs: WorkflowRunModel;
  runEvents: RunEventModel;
  commits: RunCommitModel;
  /** Kicked after each commit for low latency; optional so read-only users need none. */
  relay?: OutboxRelay;
  source: string;
}

/** Writes run state, its progress events and its outgoing events as one atomic commit. */
export interface RunStore {
  /** The latest committed state (the run document, rolled forward over newer commits). */
  load(runId: string): Promise<WorkflowRunDoc | null>;
  findByIdempotencyKey(key: string): Promise<WorkflowRunDoc | null>;
  /** Inserts a new run (progress and events included); throws the driver's duplicate key error. */
  insert(run: WorkflowRunDoc, progress: ProgressDraft[], events: OutgoingEvent[]): Promise<void>;
  /** Claims revision `before.revision + 1`; returns the new state or throws RunConflictError. */
  commit(
    before: WorkflowRunDoc,
    after: WorkflowRunDoc,
    progress: ProgressDraft[],
    events: OutgoingEvent[],
  ): Promise<WorkflowRunDoc>;
}

const DUPLICATE_KEY = 11000;
const isDuplicate = (error: unknown) => (error as { code?: number }).code === DUPLICATE_KEY;

/**
 * Creates the run store. A commit is the insert of a `workflow_run_commits` document whose `_id`
 * is `<runId>:<revision>`: exactly one writer can claim a revision, even on FerretDB 1.x where
 * concurrent updates of one document can be lost. The run document and run_events are then
 * brought up to date; a reader that finds newer commits rolls them forward (crash repair).
 */
export function createRunStore({
  runs,
  runEvents,
  commits,
  relay,
  source,
}: RunStoreOptions): RunStore {
  function prepare(
    before: WorkflowRunDoc,
    after: WorkflowRunDoc,
    progress: ProgressDraft[],
    events: OutgoingEvent[],
  ) {
    const at = new Date();
    const docs: RunEventDoc[] = progress.map((draft, i) => {
      const sequence = before.progressSequence + i + 1;
      return {
        _id: `${before._id}:${sequence}`,
        runId: before._id,
        definitionId: before.definitionId,
        sequence,
        at,
        ...draft,
      };
    });
    const outgoing: OutgoingEvent[] = [
      ...docs.map((doc) => ({ type: PROGRESS_EVENT_TYPES[doc.kind], data: progressData(doc) })),
      ...events,
    ];
    const cloudEvents: CloudEvent[] = outgoing.map((event, i) =>
      createEvent({
        type: event.type,
        source,
        subject: before._id,
        sequence: before.eventSequence + i + 1,
        correlationId: before._id,
        data: JSON.parse(JSON.stringify(event.data)) as unknown,
      }),
    );
    const { pendingEvents: _pending, outboxPending: _flag, ...rest } = after;
    const state = {
      ...rest,
      revision: before.revision + 1,
      progressSequence: before.progressSequence + docs.length,
      eventSequence: before.eventSequence + cloudEvents.length,
      updatedAt: at,
    };
    return { docs, cloudEvents, state };
  }

  /** Brings run_events and the run document up to a commit (idempotent; repeated by readers). */
  async function apply(commit: Pick<RunCommitDoc, 'state' | 'progress'>) {
    for (const doc of commit.progress) {
      // Two appliers (the writer and a reader rolling forward) may upsert the same event at once.
      await runEvents
        .replaceOne({ _id: doc._id }, doc, { upsert: true })
        .catch((error: unknown) => {
          if (!isDuplicate(error)) throw error;
        });
    }
    const set: Record<string, unknown> = {
      revision: commit.state.revision,
      progressSequence: commit.state.progressSequence,
      eventSequence: commit.state.eventSequence,
      updatedAt: commit.state.updatedAt,
    };
    for (const field of STATE_FIELDS) set[field] = commit.state[field] ?? null;
    // Only ever move forward; a lost update here is repaired by the next reader.
    await runs.updateOne(
      { _id: commit.state._id, revision: { $lt: commit.state.revision } },
      { $set: set },
    );
  }

  async function load(runId: string): Promise<WorkflowRunDoc | null> {
    const doc = await runs.findById(runId).lean<WorkflowRunDoc>().exec();
    if (!doc) return null;
    const newer = await commits
      .find({ runId, revision: { $gt: doc.revision } })
      .sort({ revision: 1 })
      .lean<RunCommitDoc[]>()
      .exec();
    if (newer.length === 0) return doc;
    for (const commit of newer) await apply(commit);
    return { ...newer[newer.length - 1]!.state, pendingEvents: [] } as WorkflowRunDoc;
  }

  return {
    load,
    async findByIdempotencyKey(key) {
      const doc = await runs
        .findOne({ idempotencyKey: key }, { _id: 1 })
        .lean<{ _id: string }>()
        .exec();
      return doc ? load(doc._id) : null;
    },
    async insert(run, progress, events) {
      const base = { ...run, revision: -1 };
      const { docs, cloudEvents, state } = prepare(base, run, progress, events);
      // The run document first: its unique idempotency key decides whether this run exists.
      await runs.create({ ...state, pendingEvents: [] });
      await commits.create({
        _id: `${run._id}:${state.revision}`,
        runId: run._id,
        revision: state.revision,
        state,
        progress: docs,
        pendingEvents: cloudEvents,
        outboxPending: cloudEvents.length > 0,
        eventSequence: state.eventSequence,
        createdAt: new Date(),
      });
      await apply({ state, progress: docs });
      relay?.kick();
    },
    async commit(before, after, progress, events) {
      const { docs, cloudEvents, state } = prepare(before, after, progress, events);
      try {
        await commits.create({
          _id: `${before._id}:${state.revision}`,
          runId: before._id,
          revision: state.revision,
          state,
          progress: docs,
          pendingEvents: cloudEvents,
          outboxPending: cloudEvents.length > 0,
          eventSequence: state.eventSequence,
          createdAt: new Date(),
        });
      } catch (error) {
        if (isDuplicate(error))
          throw new RunConflictError(`run ${before._id} changed concurrently`);
        throw error;
      }
      await apply({ state, progress: docs });
      relay?.kick();
      return { ...state, pendingEvents: [] } as WorkflowRunDoc;
    },
  };
}

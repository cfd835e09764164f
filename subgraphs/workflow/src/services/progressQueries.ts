import {
  decodeCursor,
  encodeCursor,
  type RunEventDoc,
  type RunEventModel,
} from '../models/RunEvent';
import { badUserInput } from '../../../../lib/graphql';
import type { RunStore } from '../engine/runStore';
import type { RunStatus, WorkflowRunDoc } from '../models/WorkflowRun';

/** A progress event as the GraphQL layer returns it (`RunProgressEvent`). */
export interface ProgressEventView {
  id: string;
  runId: string;
  sequence: number;
  cursor: string;
  kind: 'SNAPSHOT' | RunEventDoc['kind'];
  at: Date;
  status: RunStatus;
  stepId?: string | null;
  fromStep?: string | null;
  toStep?: string | null;
  message?: string | null;
}

const SNAPSHOT_MARK = ':snapshot:';

/** Step a run is at: waiting on, about to execute, or failed at. */
export const currentStepId = (run: WorkflowRunDoc) =>
  run.wait?.stepId ?? run.next?.stepId ?? run.failedStepId ?? null;

/** Maps a stored event to its view. */
export const toView = (doc: RunEventDoc): ProgressEventView => ({
  id: doc._id,
  runId: doc.runId,
  sequence: doc.sequence,
  cursor: encodeCursor(doc.runId, doc.sequence),
  kind: doc.kind,
  at: doc.at,
  status: doc.status,
  stepId: doc.stepId,
  fromStep: doc.fromStep,
  toStep: doc.toStep,
  message: doc.message,
});

/** The current state of a run as a SNAPSHOT event carrying the sequence it reflects. */
export function snapshotOf(run: WorkflowRunDoc): ProgressEventView {
  return {
    id: `${run._id}${SNAPSHOT_MARK}${run.progressSequence}`,
    runId: run._id,
    sequence: run.progressSequence,
    cursor: encodeCursor(run._id, run.progressSequence),
    kind: 'SNAPSHOT',
    at: run.updatedAt,
    status: run.status,
    stepId: currentStepId(run),
    message: run.error ?? null,
  };
}

/** Reads of the progress feed; only committed events (sequence ≤ run.progressSequence) are visible. */
export function createProgressQueries(store: RunStore, runEvents: RunEventModel) {
  const loadRun = (runId: string) => store.load(runId);
  return {
    /** Stored events after a cursor, in sequence order. */
    async list(runId: string, after: string | null | undefined, first: number) {
      const position = after ? decodeCursor(after) : { sequence: 0 };
      if (!position || (position.runId !== undefined && position.runId !== runId)) {
        throw badUserInput('after', `not a cursor of run ${runId}`);
      }
      const run = await loadRun(runId);
      if (!run) return [];
      const from = position.sequence;
      const docs = await runEvents
        .find({ runId, sequence: { $gt: from, $lte: run.progressSequence } })
        .sort({ sequence: 1 })
        .limit(Math.min(Math.max(first, 1), 1000))
        .lean<RunEventDoc[]>()
        .exec();
      return docs.map(toView);
    },
    /** One event (or snapshot) by id. */
    async get(id: string): Promise<ProgressEventView | null> {
      const mark = id.indexOf(SNAPSHOT_MARK);
      if (mark > 0) {
        const run = await loadRun(id.slice(0, mark));
        return run ? snapshotOf(run) : null;
      }
      // The run first: loading it rolls committed events forward, so an event published right
      // after its commit (before the committer wrote it to run_events) is found.
      const at = id.lastIndexOf(':');
      if (at <= 0) return null;
      const run = await loadRun(id.slice(0, at));
      if (!run) return null;
      const doc = await runEvents.findById(id).lean<RunEventDoc>().exec();
      return doc && doc.runId === run._id && doc.sequence <= run.progressSequence
        ? toView(doc)
        : null;
    },
    async snapshot(runId: string) {
      const run = await loadRun(runId);
      return run ? snapshotOf(run) : null;
    },
    /** Snapshots of the given runs that (still) have one of the statuses, in the given order. */
    async snapshots(runIds: string[], statuses: readonly RunStatus[]) {
      const runs = await Promise.all(runIds.map(loadRun));
      return runs
        .filter((run): run is WorkflowRunDoc => !!run && statuses.includes(run.status))
        .map(snapshotOf);
    },
    /** Committed events of any run stored at or after `since` (for runsChanged). */
    async since(since: Date, limit = 500) {
      const docs = await runEvents
        .find({ at: { $gte: since } })
        .sort({ at: 1, sequence: 1 })
        .limit(limit)
        .lean<RunEventDoc[]>()
        .exec();
      // run_events are written only after their commit succeeded: every stored one is committed.
      return docs;
    },
  };
}

/** The progress reads bound to one database. */
export type ProgressQueries = ReturnType<typeof createProgressQueries>;

import { Schema, type Connection, type Model } from 'mongoose';
import { outboxSchemaFields, type OutboxFields } from '../../../../lib/events';
import type { PendingSignal } from './PendingSignal';

export const RUN_STATUSES = [
  'PENDING',
  'RUNNING',
  'WAITING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'COMPENSATED',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses after which nothing happens to a run any more (except retry of FAILED). */
export const TERMINAL_STATUSES: readonly RunStatus[] = [
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'COMPENSATED',
];

export type StepStatus =
  'PENDING' | 'STARTED' | 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'NEEDS_ATTENTION' | 'COMPENSATED';

/** The snapshot of one step (or parallel branch) kept on the run. */
export interface StepRecord {
  stepId: string;
  status: StepStatus;
  attempts: number;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  durationMs?: number | null;
  output?: unknown;
  error?: string | null;
}

/** One recorded move between steps. */
export interface TransitionRecord {
  from: string | null;
  to: string | null;
  at: Date;
  durationMs: number;
  status: 'success' | 'failed' | 'partial';
}

/** What the engine executes next; `token` deduplicates redelivered commands. */
export interface RunCursor {
  kind: 'step' | 'compensate';
  stepId: string;
  attempt: number;
  token: string;
  notBefore?: Date | null;
}

/** What a WAITING run waits for. */
export interface RunWait {
  kind: 'timer' | 'signal' | 'approval';
  stepId: string;
  until?: Date | null;
  signal?: string | null;
  timeoutAt?: Date | null;
  assignee?: string | null;
  message?: string | null;
  decision?: { approved: boolean; by?: string | null; comment?: string | null; at: Date } | null;
  received?: { payload: unknown; at: Date } | null;
}

/** One execution of a definition version; the whole state lives in this document. */
export interface WorkflowRunDoc extends OutboxFields {
  _id: string;
  definitionId: string;
  definitionVersion: string;
  status: RunStatus;
  input: unknown;
  outputs: Record<string, unknown>;
  componentIds: string[];
  steps: StepRecord[];
  /** Steps and branches that succeeded, in order (compensated in reverse). */
  completed: string[];
  /** Steps still to compensate, in order. */
  compensating: string[];
  transitions: TransitionRecord[];
  next?: RunCursor | null;
  wait?: RunWait | null;
  /** Signals that arrived before a step waited for them, oldest first (absent on older runs). */
  pendingSignals?: PendingSignal[] | null;
  /** When a timer (backoff, delay, timeout) must wake the run; any engine instance may claim it. */
  wakeAt?: Date | null;
  cancelRequested?: {
    reason?: string | null;
    at: Date;
    /** Compensate completed steps (reverse order) before ending CANCELLED. */
    compensate?: boolean;
    /** The cancel's compensations are under way. */
    compensating?: boolean;
  } | null;
  failedStepId?: string | null;
  error?: string | null;
  idempotencyKey: string;
  /** Compare-and-set version of the document. */
  revision: number;
  /** Sequence of the last committed progress event (run_events). */
  progressSequence: number;
  startedAt: Date;
  finishedAt?: Date | null;
  updatedAt: Date;
}

const workflowRunSchema = new Schema<WorkflowRunDoc>(
  {
    _id: { type: String, required: true },
    definitionId: { type: String, required: true },
    definitionVersion: { type: String, required: true },
    status: { type: String, enum: RUN_STATUSES, required: true },
    input: { type: Schema.Types.Mixed },
    outputs: { type: Object, default: () => ({}) },
    componentIds: { type: [String], default: [] },
    steps: { type: [Object], default: () => [] },
    completed: { type: [String], default: [] },
    compensating: { type: [String], default: [] },
    transitions: { type: [Object], default: () => [] },
    next: { type: Object },
    wait: { type: Object },
    pendingSignals: { type: [Object], default: () => [] },
    wakeAt: Date,
    cancelRequested: { type: Object },
    failedStepId: String,
    error: String,
    idempotencyKey: { type: String, required: true },
    revision: { type: Number, default: 0 },
    progressSequence: { type: Number, default: 0 },
    startedAt: { type: Date, required: true },
    finishedAt: Date,
    updatedAt: { type: Date, required: true },
    ...outboxSchemaFields,
  },
  { collection: 'workflow_runs', versionKey: false, minimize: false },
);
workflowRunSchema.index({ componentIds: 1, startedAt: -1 });
workflowRunSchema.index({ definitionId: 1, status: 1, startedAt: -1 });
workflowRunSchema.index({ startedAt: -1 });
workflowRunSchema.index({ wakeAt: 1 });
workflowRunSchema.index({ idempotencyKey: 1 }, { unique: true });

export type WorkflowRunModel = Model<WorkflowRunDoc>;

/** Registers the WorkflowRun model on a connection. */
export function createWorkflowRunModel(connection: Connection): WorkflowRunModel {
  return connection.model<WorkflowRunDoc>('WorkflowRun', workflowRunSchema);
}

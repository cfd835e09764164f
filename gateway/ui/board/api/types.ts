/** Shapes of the results the board's operations select (see documents.ts). */

export type RunStatus =
  'PENDING' | 'RUNNING' | 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'COMPENSATED';

export type StepStatus =
  'PENDING' | 'STARTED' | 'WAITING' | 'SUCCEEDED' | 'FAILED' | 'NEEDS_ATTENTION' | 'COMPENSATED';

export interface StepState {
  stepId: string;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

export interface StepTransition {
  from: string | null;
  to: string | null;
  at: string;
  durationMs: number;
  status: 'SUCCESS' | 'FAILED' | 'PARTIAL';
}

export interface HumanTask {
  runId: string;
  stepId: string;
  assignee: string;
  message: string | null;
  expiresAt: string;
}

/** A run as the runs list and the detail show it. */
export interface RunSummary {
  id: string;
  definitionId: string;
  definitionVersion: string;
  status: RunStatus;
  currentStepId: string | null;
  error: string | null;
  sequence: number;
  startedAt: string;
  finishedAt: string | null;
  steps: StepState[];
  transitions: StepTransition[];
  pendingTask: HumanTask | null;
}

export type RunEventKind =
  'SNAPSHOT' | 'STARTED' | 'TRANSITIONED' | 'STEP_PROGRESSED' | 'COMPLETED';

/** One message of `runsChanged` / `runProgress`. */
export interface RunEvent {
  id: string;
  runId: string;
  sequence: number;
  cursor: string;
  kind: RunEventKind;
  at: string;
  status: RunStatus;
  stepId: string | null;
  fromStep: string | null;
  toStep: string | null;
  message: string | null;
  run: RunSummary;
}

export interface RunComponent {
  id: string;
  name: string;
  version: string;
  qualityReport: { score: number; passed: boolean } | null;
  impact: { riskScore: number; riskLevel: string } | null;
}

export interface WorkflowDefinition {
  id: string;
  version: string;
  name: string;
  stepIds: string[];
}

export type EventDomain = 'REGISTRY' | 'INTELLIGENCE' | 'WORKFLOW' | 'PIPELINE';

export interface DeadLetter {
  partition: number;
  offset: string;
  key: string | null;
  eventType: string | null;
  eventId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number | null;
  consumerGroup: string | null;
  failedAt: string | null;
}

export interface CircuitBreaker {
  name: string;
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  fires: number;
  failures: number;
  successes: number;
  rejects: number;
  openedAt: string | null;
  nextAttemptAt: string | null;
}

/** One entry of the gateway's `/breakers` JSON (lib/resilience BreakerView). */
export interface GatewayBreaker {
  name: string;
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  counts: { fires: number; successes: number; failures: number; rejects: number };
  openedAt: string | null;
  nextAttemptAt: string | null;
}

export interface StepAnalytics {
  stepId: string;
  executions: number;
  failures: number;
  p50DurationMs: number;
  p95DurationMs: number;
}

export interface WorkflowAnalytics {
  definitionId: string;
  totalRuns: number;
  finishedRuns: number;
  succeeded: number;
  failed: number;
  successRate: number;
  steps: StepAnalytics[];
  bottleneckStepId: string | null;
}

/** A consumer group of the stack and how far behind its topics it is (`consumerLag`). */
export interface ConsumerGroupLag {
  groupId: string;
  state: string;
  members: number;
  lag: number;
  topics: { topic: string; lag: number }[];
}

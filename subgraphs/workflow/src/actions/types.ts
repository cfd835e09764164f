import type { Logger } from '../../../../lib/logging';

/** An event an action asks to emit; it is committed with the step's result (outbox). */
export interface EmittedEvent {
  type: string;
  data: unknown;
}

/** What an action asks for instead of finishing now: a timer, a named signal, or both. */
export interface SuspendRequest {
  /** Resume (successfully) at this time. */
  until?: Date;
  /** Resume when a signal with this name is delivered to the run. */
  signal?: string;
  /** With `signal`: fail the step if no signal arrived by then. */
  timeoutAt?: Date;
}

/** What a handler gets besides its validated input. */
export interface ActionContext {
  runId: string;
  stepId: string;
  attempt: number;
  /** Aborted when the action's timeout elapses. */
  signal: AbortSignal;
  /** Epoch ms at which `signal` aborts, when the caller knows it (waits longer than this are pointless). */
  deadlineAt?: number;
  logger: Logger;
  /** Ids of components the run already touched. */
  componentIds: readonly string[];
  emit(type: string, data: unknown): void;
  /** Links registry components to the run (`WorkflowRun.components`). */
  linkComponents(ids: string[]): void;
  /** Suspends the step; the handler's return value is ignored. */
  suspend(request: SuspendRequest): void;
}

/** An action: validated input and output, a timeout, and the work. */
export interface ActionHandler {
  name: string;
  description: string;
  /** JSON Schema of the input (ajv). */
  inputSchema: object;
  /** JSON Schema of the output (ajv). */
  outputSchema: object;
  /** @default 30000 */
  timeoutMs?: number;
  run(input: Record<string, unknown>, ctx: ActionContext): Promise<unknown>;
}

/** The result of executing an action through the registry. */
export interface ActionOutcome {
  output: unknown;
  events: EmittedEvent[];
  componentIds: string[];
  suspend?: SuspendRequest;
}

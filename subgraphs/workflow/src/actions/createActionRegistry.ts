import { describeSchemaErrors } from './stepSchemas';
import Ajv, { type ValidateFunction } from 'ajv';
import type { Logger } from '../../../../lib/logging';
import { WorkflowError } from '../errors';
import type { ActionCatalog } from '../definitions/validateDefinition';
import type { ActionHandler, ActionOutcome, EmittedEvent, SuspendRequest } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;

/** Where and for whom an action executes. */
export interface ActionInvocation {
  runId: string;
  stepId: string;
  attempt: number;
  componentIds: readonly string[];
  logger: Logger;
  /** Overrides the handler's own timeout (step `timeoutMs`). */
  timeoutMs?: number;
}

/** Name → handler, with schemas compiled once. */
export interface ActionRegistry extends ActionCatalog {
  names(): string[];
  execute(name: string, input: unknown, invocation: ActionInvocation): Promise<ActionOutcome>;
}

interface Compiled {
  handler: ActionHandler;
  validateInput: ValidateFunction;
  validateOutput: ValidateFunction;
}

const describe = (validate: ValidateFunction) => describeSchemaErrors(validate.errors);

/** Creates the registry; a duplicate name throws at construction. */
export function createActionRegistry(handlers: ActionHandler[]): ActionRegistry {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const byName = new Map<string, Compiled>();
  for (const handler of handlers) {
    if (byName.has(handler.name))
      throw new Error(`expected unique action names, but got: ${handler.name} twice`);
    byName.set(handler.name, {
      handler,
      validateInput: ajv.compile(handler.inputSchema),
      validateOutput: ajv.compile(handler.outputSchema),
    });
  }
  return {
    has: (name) => byName.has(name),
    names: () => [...byName.keys()].sort(),
    async execute(name, input, invocation) {
      const compiled = byName.get(name);
      if (!compiled) throw new WorkflowError('ACTION_FAILED', `unknown action "${name}"`);
      const { handler, validateInput, validateOutput } = compiled;
      const value = input ?? {};
      if (!validateInput(value))
        throw new WorkflowError(
          'ACTION_INPUT_INVALID',
          `${name}: invalid input: ${describe(validateInput)}`,
        );
      const events: EmittedEvent[] = [];
      const componentIds: string[] = [];
      let suspend: SuspendRequest | undefined;
      const timeoutMs = invocation.timeoutMs ?? handler.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // Settled before the abort: a handler rejecting on abort must not win the race.
          reject(
            new WorkflowError('ACTION_TIMEOUT', `${name}: timed out after ${timeoutMs} ms`, true),
          );
          controller.abort();
        }, timeoutMs);
      });
      try {
        const running = handler.run(value as Record<string, unknown>, {
          runId: invocation.runId,
          stepId: invocation.stepId,
          attempt: invocation.attempt,
          signal: controller.signal,
          deadlineAt: Date.now() + timeoutMs,
          logger: invocation.logger,
          componentIds: invocation.componentIds,
          emit: (type, data) => events.push({ type, data }),
          linkComponents: (ids) => componentIds.push(...ids),
          suspend: (request) => (suspend = request),
        });
        const output = await Promise.race([running, timeout]);
        if (suspend) return { output: null, events, componentIds, suspend };
        const result = output ?? {};
        if (!validateOutput(result))
          throw new WorkflowError(
            'ACTION_OUTPUT_INVALID',
            `${name}: invalid output: ${describe(validateOutput)}`,
          );
        return { output: result, events, componentIds };
      } catch (error) {
        if (error instanceof WorkflowError) throw error;
        // Handler errors are assumed transient (network, downstream): the step's retry policy decides.
        throw new WorkflowError('ACTION_FAILED', `${name}: ${(error as Error).message}`, true);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

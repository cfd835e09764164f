import { createHash } from 'node:crypto';
import { createEvent, platformContracts } from '../../../../lib/events';
import { WorkflowError } from '../errors';
import { createAiCompleteAction, defaultAiActionOptions, type AiActionOptions } from './ai';
import { createScriptAction, type ScriptActionOptions } from './script/createScriptAction';
import type { ActionHandler } from './types';
import { createWebhookAction, type WebhookActionOptions } from './webhookAction';

const anyObject = { type: 'object' };

/** Stable id for a component requested by a run, so a re-executed step requests the same id. */
const componentId = (runId: string, name: string) => {
  const hex = createHash('sha256').update(`${runId}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** `event.emit`: emits an event (committed with the step through the run's outbox). */
const emitEvent: ActionHandler = {
  name: 'event.emit',
  description: 'Emits an event of the given type to the workflow topic (subject = run id).',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['type'],
    properties: {
      type: { type: 'string', pattern: '^[a-z][a-z0-9]*(\\.[a-z][a-z0-9]*)+$' },
      data: {},
    },
  },
  outputSchema: anyObject,
  async run(input, ctx) {
    // The publisher refuses events without a published contract; refusing here keeps the run's
    // outbox from holding an event that can never be sent.
    if (!platformContracts().has(String(input.type)))
      throw new WorkflowError(
        'ACTION_INPUT_INVALID',
        `no event contract for "${String(input.type)}" in schema/events`,
      );
    // Its data too, as the engine will commit it (with the run id added: createRunExecutor): an
    // event that breaks its contract would stop the run's outbox at the relay.
    const candidate = createEvent({
      type: String(input.type),
      source: '/subgraphs/workflow',
      subject: ctx.runId,
      sequence: 1,
      data: { ...((input.data ?? {}) as object), runId: ctx.runId },
    });
    try {
      platformContracts().validate(candidate as unknown as Record<string, unknown>);
    } catch (error) {
      throw new WorkflowError(
        'ACTION_INPUT_INVALID',
        `event "${String(input.type)}" breaks its contract: ${(error as Error).message}`,
      );
    }
    ctx.emit(String(input.type), input.data ?? {});
    return { type: input.type };
  },
};

/** `event.wait`: suspends until a signal of that name is delivered to the run. */
const waitForEvent: ActionHandler = {
  name: 'event.wait',
  description:
    'Waits for a `workflow.run.signal` event with this name for the run; output is its payload.',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['signal'],
    properties: {
      signal: { type: 'string', minLength: 1 },
      timeoutMs: { type: 'integer', minimum: 1 },
    },
  },
  outputSchema: {},
  async run(input, ctx) {
    const timeoutMs = typeof input.timeoutMs === 'number' ? input.timeoutMs : undefined;
    ctx.suspend({
      signal: String(input.signal),
      ...(timeoutMs && { timeoutAt: new Date(Date.now() + timeoutMs) }),
    });
    return null;
  },
};

/** `delay`: suspends the step for a while without holding a consumer. */
const delay: ActionHandler = {
  name: 'delay',
  description: 'Waits for `ms` milliseconds (timer stored with the run; survives restarts).',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['ms'],
    properties: { ms: { type: 'integer', minimum: 0, maximum: 2592000000 } },
  },
  outputSchema: anyObject,
  async run(input, ctx) {
    ctx.suspend({ until: new Date(Date.now() + Number(input.ms)) });
    return null;
  },
};

const componentSpec = {
  type: 'object',
  required: ['name', 'type', 'version'],
  properties: {
    name: { type: 'string', minLength: 1 },
    type: { enum: ['ATOM', 'MOLECULE', 'ORGANISM', 'TEMPLATE', 'PAGE'] },
    version: { type: 'string' },
    description: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

/**
 * `component.register`: asks the registry (through events, never calls) to register new
 * components (`component.registration.requested`) and to update existing ones
 * (`component.update.requested`). Only existing components are linked to the run at once, so
 * `WorkflowRun.components` always resolves through the registry.
 */
const registerComponents: ActionHandler = {
  name: 'component.register',
  description:
    'Emits `component.registration.requested` per new component and `component.update.requested` per existing one.',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      components: { type: 'array', items: componentSpec },
      componentIds: { type: 'array', items: { type: 'string', minLength: 1 } },
    },
  },
  outputSchema: {
    type: 'object',
    required: ['componentIds', 'requestedIds'],
    properties: {
      componentIds: { type: 'array', items: { type: 'string' } },
      requestedIds: { type: 'array', items: { type: 'string' } },
    },
  },
  async run(input, ctx) {
    const components = (input.components ?? []) as { name: string }[];
    const existing = (input.componentIds ?? []) as string[];
    const requestedIds = components.map((component) => componentId(ctx.runId, component.name));
    components.forEach((component, i) =>
      ctx.emit('component.registration.requested', {
        ...component,
        id: requestedIds[i],
        runId: ctx.runId,
      }),
    );
    for (const id of existing)
      ctx.emit('component.update.requested', {
        componentId: id,
        reason: `workflow run ${ctx.runId}`,
        requestedBy: 'workflow',
      });
    ctx.linkComponents(existing);
    return { componentIds: existing, requestedIds };
  },
};

/** `component.validate`: asks for validation of the given (or the run's) components. */
const validateComponents: ActionHandler = {
  name: 'component.validate',
  description:
    'Emits `component.validation.requested` per component (default: the run’s components).',
  inputSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { componentIds: { type: 'array', items: { type: 'string' } } },
  },
  outputSchema: {
    type: 'object',
    required: ['requested'],
    properties: { requested: { type: 'integer' } },
  },
  async run(input, ctx) {
    const ids = (input.componentIds as string[] | undefined) ?? [...ctx.componentIds];
    for (const id of ids)
      ctx.emit('component.validation.requested', { componentId: id, runId: ctx.runId });
    return { requested: ids.length };
  },
};

/** Options of the built-in actions. */
export interface BuiltinActionOptions {
  webhook: WebhookActionOptions;
  /** `ai.complete`; without it every provider is NOT_CONFIGURED. @default defaultAiActionOptions */
  ai?: AiActionOptions;
  /** `script.run`. @default defaultScriptActionOptions */
  script?: Partial<ScriptActionOptions>;
  /** Adds `test.echo` and `test.fail`. @default false */
  testActions?: boolean;
}

/** The built-in actions; `test.*` only when asked for (tests and demos). */
export function builtinActions(options: BuiltinActionOptions): ActionHandler[] {
  return [
    emitEvent,
    waitForEvent,
    delay,
    registerComponents,
    validateComponents,
    createWebhookAction(options.webhook),
    createScriptAction(options.script),
    createAiCompleteAction(options.ai ?? defaultAiActionOptions),
    ...(options.testActions ? testActions() : []),
  ];
}

/** TEST ONLY: `test.echo` returns its input (after `sleepMs`), `test.fail` fails `failTimes` times. */
export function testActions(): ActionHandler[] {
  const failures = new Map<string, number>();
  return [
    {
      name: 'test.echo',
      description: 'TEST ONLY: returns `{ value }` after `sleepMs`.',
      inputSchema: {
        type: 'object',
        properties: { value: {}, sleepMs: { type: 'integer', minimum: 0 } },
      },
      outputSchema: anyObject,
      async run(input, ctx) {
        const ms = typeof input.sleepMs === 'number' ? input.sleepMs : 0;
        if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
        ctx.logger.debug({ stepId: ctx.stepId }, 'test.echo');
        return { value: input.value ?? null };
      },
    },
    {
      name: 'test.fail',
      description:
        'TEST ONLY: fails (the first `failTimes` executions per run and step, or always).',
      inputSchema: {
        type: 'object',
        properties: { message: { type: 'string' }, failTimes: { type: 'integer', minimum: 0 } },
      },
      outputSchema: anyObject,
      async run(input, ctx) {
        const key = `${ctx.runId}/${ctx.stepId}`;
        const count = (failures.get(key) ?? 0) + 1;
        failures.set(key, count);
        const limit = typeof input.failTimes === 'number' ? input.failTimes : Infinity;
        if (count <= limit) throw new Error(String(input.message ?? 'test.fail failed on purpose'));
        return { succeededAfter: count - 1 };
      },
    },
  ];
}

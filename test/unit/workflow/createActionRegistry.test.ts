import { createActionRegistry } from '../../../subgraphs/workflow/src/actions/createActionRegistry';
import type { ActionHandler } from '../../../subgraphs/workflow/src/actions/types';
import { createLogger } from '../../../lib/logging';

const logger = createLogger({ name: 'test', level: 'silent' });
const invocation = { runId: 'r', stepId: 's', attempt: 1, componentIds: [], logger };

const double: ActionHandler = {
  name: 'math.double',
  description: 'doubles n',
  inputSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
  outputSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
  run: async (input) => ({ n: Number(input.n) * 2 }),
};

describe('createActionRegistry', () => {
  it('should validate input and output against the handler schemas', async () => {
    const registry = createActionRegistry([
      double,
      { ...double, name: 'math.broken', run: async () => ({ n: 'x' }) },
    ]);
    await expect(registry.execute('math.double', { n: 2 }, invocation)).resolves.toMatchObject({
      output: { n: 4 },
    });
    await expect(registry.execute('math.double', { n: 'two' }, invocation)).rejects.toMatchObject({
      code: 'ACTION_INPUT_INVALID',
      retriable: false,
    });
    await expect(registry.execute('math.broken', { n: 1 }, invocation)).rejects.toMatchObject({
      code: 'ACTION_OUTPUT_INVALID',
    });
  });

  it('should time out a slow handler as a retriable failure', async () => {
    const slow = { ...double, name: 'slow', run: () => new Promise<unknown>(() => undefined) };
    const registry = createActionRegistry([slow]);
    await expect(
      registry.execute('slow', { n: 1 }, { ...invocation, timeoutMs: 20 }),
    ).rejects.toMatchObject({
      code: 'ACTION_TIMEOUT',
      retriable: true,
    });
  });

  it('should time out (not fail) a handler that rejects when aborted', async () => {
    // What an aborted fetch or a killed plugin process does at the deadline.
    const aborting = {
      ...double,
      name: 'aborting',
      run: (_: unknown, ctx: { signal: AbortSignal }) =>
        new Promise<unknown>((_resolve, reject) =>
          ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    };
    const registry = createActionRegistry([aborting as ActionHandler]);
    await expect(
      registry.execute('aborting', { n: 1 }, { ...invocation, timeoutMs: 5 }),
    ).rejects.toMatchObject({ code: 'ACTION_TIMEOUT', retriable: true });
  });

  it('should collect emitted events and refuse duplicate names', async () => {
    const emitting = {
      ...double,
      name: 'emit',
      run: async (_: unknown, ctx: { emit: (t: string, d: unknown) => void }) => (
        ctx.emit('a.b', { x: 1 }),
        { n: 0 }
      ),
    };
    const registry = createActionRegistry([emitting as ActionHandler]);
    await expect(registry.execute('emit', { n: 1 }, invocation)).resolves.toMatchObject({
      events: [{ type: 'a.b', data: { x: 1 } }],
    });
    expect(() => createActionRegistry([double, double])).toThrow('expected unique action names');
  });
});

import { builtinActions } from '../../../subgraphs/workflow/src/actions/builtinActions';
import { createActionRegistry } from '../../../subgraphs/workflow/src/actions/createActionRegistry';
import { createLogger } from '../../../lib/logging';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('event.emit', () => {
  const registry = createActionRegistry(builtinActions({ webhook: { allowedHosts: [] } } as never));
  const invocation = { runId: 'run-1', stepId: 's', attempt: 1, componentIds: [], logger };

  it('should refuse data that breaks the event contract instead of committing it (it stalled the outbox)', async () => {
    await expect(
      registry.execute(
        'event.emit',
        { type: 'pipeline.blocked', data: { reason: 42 } },
        invocation as never,
      ),
    ).rejects.toMatchObject({ code: 'ACTION_INPUT_INVALID', retriable: false });
  });

  it('should emit data that keeps the contract', async () => {
    const result = await registry.execute(
      'event.emit',
      { type: 'pipeline.blocked', data: { reason: 'no style' } },
      invocation as never,
    );
    expect(result).toMatchObject({
      events: [{ type: 'pipeline.blocked', data: { reason: 'no style' } }],
    });
  });
});

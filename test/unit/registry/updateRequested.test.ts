import { createEvent, PermanentHandlerError, type CloudEvent } from '../../../lib/events';
import { createLogger } from '../../../lib/logging';
import { applyUpdateRequest } from '../../../subgraphs/registry/src/commands/updateRequested';
import { createRegistryContext, type RegistryDeps } from '../../../subgraphs/registry/src/context';
import { createKeyedQueue } from '../../../subgraphs/registry/src/domain/createKeyedQueue';
import type { ComponentDoc } from '../../../subgraphs/registry/src/models/Component';

const logger = createLogger({ name: 'update-request-test', level: 'silent' });

/** The update operators a change commits. */
interface Update {
  $set: Record<string, unknown>;
  $inc: Record<string, number>;
  $push: { pendingEvents: { $each: CloudEvent[] } };
}

/** A registry context over one stored component; records the compare-and-set updates. */
function fakeContext(current: Partial<ComponentDoc>) {
  const doc = {
    _id: 'comp-1',
    name: 'Card',
    type: 'ATOM',
    version: '1.2.3',
    tags: [],
    dependencies: [],
    revision: 4,
    eventSequence: 7,
    pendingEvents: [],
    ...current,
  } as ComponentDoc;
  const updates: { filter: Record<string, unknown>; update: Update }[] = [];
  const components = {
    findOne: () => ({ lean: async () => doc }),
    findOneAndUpdate: (filter: Record<string, unknown>, update: Update) => {
      updates.push({ filter, update });
      return { lean: async () => ({ ...doc, ...update.$set }) };
    },
  };
  const deps = {
    components,
    qualityReports: {},
    relay: { kick: jest.fn() },
    changes: createKeyedQueue(),
    eventSource: '/subgraphs/registry',
  } as unknown as RegistryDeps;
  return { ctx: createRegistryContext(deps, { correlationId: 'c-1', logger }), updates };
}

const request = (data: Record<string, unknown> = {}) =>
  createEvent({
    type: 'component.update.requested',
    source: '/subgraphs/workflow',
    subject: 'run-1',
    sequence: 1,
    data: { componentId: 'comp-1', reason: 'workflow run run-1', requestedBy: 'workflow', ...data },
  });

describe('applyUpdateRequest', () => {
  it('should bump the patch version and emit component.updated with the run', async () => {
    const { ctx, updates } = fakeContext({});
    const event = request({ runId: 'run-1' });
    const outcome = await applyUpdateRequest(ctx, event);
    expect(outcome.applied).toBe(true);
    expect(updates).toHaveLength(1);
    const [{ filter, update }] = updates as [(typeof updates)[number]];
    expect(filter).toMatchObject({ _id: 'comp-1', eventSequence: 7 });
    expect(update.$set).toMatchObject({ version: '1.2.4', appliedRequests: [event.id] });
    expect(update.$inc).toEqual({ revision: 1, eventSequence: 1 });
    expect(update.$push.pendingEvents.$each[0]).toMatchObject({
      type: 'component.updated',
      sequence: 8,
      data: {
        id: 'comp-1',
        version: '1.2.4',
        revision: 5,
        changes: { version: '1.2.4' },
        requestedBy: 'workflow',
        runId: 'run-1',
      },
    });
  });

  it('should move to the requested version', async () => {
    const { ctx, updates } = fakeContext({});
    await applyUpdateRequest(ctx, request({ version: '2.0.0' }));
    expect(updates[0]!.update.$set.version).toBe('2.0.0');
  });

  it('should change nothing when the same request is delivered again', async () => {
    const event = request();
    const { ctx, updates } = fakeContext({ appliedRequests: ['older', event.id] });
    const outcome = await applyUpdateRequest(ctx, event);
    expect(outcome.applied).toBe(false);
    expect(updates).toHaveLength(0);
  });

  it('should refuse a lower version permanently', async () => {
    const { ctx, updates } = fakeContext({});
    const event = request({ version: '1.0.0' });
    const error: unknown = await applyUpdateRequest(ctx, event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentHandlerError);
    expect(error).toMatchObject({
      retriable: false,
      message: `cannot apply update request ${event.id} to comp-1: input.version: must not go below the current 1.2.3`,
    });
    expect(updates).toHaveLength(0);
  });
});

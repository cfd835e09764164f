import { GraphQLError } from 'graphql';
import { createEvent } from '../../../lib/events';
import { createLogger } from '../../../lib/logging';
import { createRegistryContext, type RegistryDeps } from '../../../subgraphs/registry/src/context';
import { checkEventContracts } from '../../../subgraphs/registry/src/domain/checkEventContracts';
import { commitComponentChange } from '../../../subgraphs/registry/src/domain/commitComponentChange';
import { createKeyedQueue } from '../../../subgraphs/registry/src/domain/createKeyedQueue';
import type { ComponentDoc } from '../../../subgraphs/registry/src/models/Component';
import { registerComponent } from '../../../subgraphs/registry/src/mutations/registerComponent';

const logger = createLogger({ name: 'check-event-contracts-test', level: 'silent' });

const used = (data: Record<string, unknown>) =>
  createEvent({ type: 'component.used', source: '/test', subject: 'cmp-1', sequence: 1, data });

/** A registry context whose components "collection" records writes (none are expected). */
function fakeContext(eventSource = '/subgraphs/registry') {
  const current = { _id: 'cmp-1', name: 'Card', eventSequence: 3, revision: 1 } as ComponentDoc;
  const components = {
    findOne: () => ({ lean: async () => current }),
    find: () => ({ lean: async () => [] }),
    create: jest.fn(),
    findOneAndUpdate: jest.fn(),
  };
  const deps = {
    components,
    qualityReports: {},
    relay: { kick: jest.fn() },
    changes: createKeyedQueue(),
    eventSource,
  } as unknown as RegistryDeps;
  return { ctx: createRegistryContext(deps, { correlationId: 'c-1', logger }), components };
}

/** The rejection of `promise`, which must be a GraphQL error. */
async function refusal(promise: Promise<unknown>): Promise<GraphQLError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GraphQLError);
  return error as GraphQLError;
}

describe('checkEventContracts (registry outbox writers)', () => {
  it('should accept events their contracts accept', () => {
    expect(() => checkEventContracts([used({ componentId: 'cmp-1' })])).not.toThrow();
  });

  it('should refuse data that breaks the contract with BAD_USER_INPUT naming the type', () => {
    let error: unknown;
    try {
      checkEventContracts([used({ componentId: 'cmp-1' }), used({ usedBy: 'app' })]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toMatch(/^event component\.used breaks its contract: /);
    expect((error as GraphQLError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      eventType: 'component.used',
      contractCode: 'VALIDATION_FAILED',
    });
  });

  it('should refuse an event type without a contract', () => {
    const unknown = createEvent({
      type: 'component.teleported',
      source: '/test',
      subject: 'cmp-1',
      sequence: 1,
      data: {},
    });
    expect(() => checkEventContracts([unknown])).toThrow(
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'BAD_USER_INPUT',
          contractCode: 'UNKNOWN_EVENT_TYPE',
        }) as unknown,
      }),
    );
  });
});

describe('registry writers validate their events before the write', () => {
  // No client input of today's mutations yields an event its contract refuses (the registry's
  // input rules are stricter than the contracts), so the refused event is made here: an empty
  // envelope `source` for registerComponent, a plan with broken data for commitComponentChange.
  it('should fail registerComponent with BAD_USER_INPUT and write nothing when its event breaks the envelope', async () => {
    const { ctx, components } = fakeContext('');
    const error = await refusal(
      registerComponent(
        undefined,
        { input: { name: 'Card', type: 'ATOM', version: '1.0.0' } as never },
        ctx,
      ),
    );
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      eventType: 'component.registered',
      contractCode: 'VALIDATION_FAILED',
    });
    expect(components.create).not.toHaveBeenCalled();
    expect(ctx.relay.kick).not.toHaveBeenCalled();
  });

  it('should fail a change whose event breaks its contract with BAD_USER_INPUT and write nothing', async () => {
    const { ctx, components } = fakeContext();
    const error = await refusal(
      commitComponentChange(ctx, 'cmp-1', () => ({
        inc: { 'usage.count': 1 },
        events: [{ type: 'component.used', data: { usedBy: 'app' } }],
      })),
    );
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', eventType: 'component.used' });
    expect(error.message).toContain('componentId');
    expect(components.findOneAndUpdate).not.toHaveBeenCalled();
  });
});

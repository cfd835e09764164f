import { createEvent, PermanentHandlerError, type CloudEvent } from '../../../lib/events';
import { badUserInput } from '../../../lib/graphql';
import { createLogger } from '../../../lib/logging';
import { registerRequestedComponent } from '../../../subgraphs/registry/src/commands/registrationRequested';
import { toHandlerError } from '../../../subgraphs/registry/src/commands/toHandlerError';
import { createRegistryContext, type RegistryDeps } from '../../../subgraphs/registry/src/context';
import { createKeyedQueue } from '../../../subgraphs/registry/src/domain/createKeyedQueue';
import type { ComponentDoc } from '../../../subgraphs/registry/src/models/Component';

const logger = createLogger({ name: 'registry-commands-test', level: 'silent' });

/** A registry context over an in-memory components "collection" (only what registration uses). */
function fakeContext(stored: ComponentDoc[] = []) {
  const created: ComponentDoc[] = [];
  const components = {
    findById: (id: string) => ({
      lean: async () => [...stored, ...created].find((doc) => doc._id === id) ?? null,
    }),
    create: async (doc: ComponentDoc) => {
      // The unique name index.
      if (stored.some((other) => other.name === doc.name)) {
        throw Object.assign(new Error('E11000 duplicate key'), { code: 11000 });
      }
      created.push(doc);
      return { toObject: () => doc };
    },
  };
  const deps = {
    components,
    qualityReports: {},
    relay: { kick: jest.fn() },
    changes: createKeyedQueue(),
    eventSource: '/subgraphs/registry',
  } as unknown as RegistryDeps;
  return { ctx: createRegistryContext(deps, { correlationId: 'c-1', logger }), created };
}

const request = (data: Record<string, unknown>): CloudEvent =>
  createEvent({
    type: 'component.registration.requested',
    source: '/subgraphs/workflow',
    subject: 'run-1',
    sequence: 1,
    data: { id: 'comp-1', name: 'Card', type: 'ATOM', version: '1.0.0', runId: 'run-1', ...data },
  });

describe('toHandlerError', () => {
  it('should make a registry rule violation a permanent error naming the command', () => {
    const error = toHandlerError(badUserInput('input.version', 'bad'), 'cannot register x');
    expect(error).toBeInstanceOf(PermanentHandlerError);
    expect(error).toMatchObject({
      code: 'HANDLER_FAILED',
      retriable: false,
      message: 'cannot register x: input.version: bad',
    });
  });

  it('should leave other errors as they are so they are retried', () => {
    const outage = new Error('connection reset');
    expect(toHandlerError(outage, 'cannot register x')).toBe(outage);
  });
});

describe('registerRequestedComponent', () => {
  it('should register under the requested id with the run id and causation on the event', async () => {
    const { ctx, created } = fakeContext();
    const event = request({ tags: ['Generated'] });
    const outcome = await registerRequestedComponent(ctx, event);
    expect(outcome.status).toBe('registered');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ _id: 'comp-1', name: 'Card', tags: ['generated'] });
    expect(created[0]!.pendingEvents[0]).toMatchObject({
      type: 'component.registered',
      subject: 'comp-1',
      causationid: event.id,
      data: { id: 'comp-1', runId: 'run-1', version: '1.0.0' },
    });
  });

  it('should return the existing component and write nothing when the id is registered', async () => {
    const existing = { _id: 'comp-1', name: 'Card' } as ComponentDoc;
    const { ctx, created } = fakeContext([existing]);
    const outcome = await registerRequestedComponent(ctx, request({}));
    expect(outcome).toEqual({ status: 'existing', component: existing });
    expect(created).toHaveLength(0);
  });

  it('should refuse an unknown type permanently', async () => {
    const { ctx, created } = fakeContext();
    await expect(registerRequestedComponent(ctx, request({ type: 'WIDGET' }))).rejects.toThrow(
      new PermanentHandlerError(
        'cannot register component comp-1 ("Card") for run run-1: type: expected one of ATOM, MOLECULE, ORGANISM, TEMPLATE, PAGE, but got: WIDGET',
      ),
    );
    expect(created).toHaveLength(0);
  });

  it('should refuse permanently a name another component already has', async () => {
    const { ctx, created } = fakeContext([{ _id: 'other', name: 'Card' } as ComponentDoc]);
    const error: unknown = await registerRequestedComponent(ctx, request({})).catch((e) => e);
    expect(error).toBeInstanceOf(PermanentHandlerError);
    expect(error).toMatchObject({
      message:
        'cannot register component comp-1 ("Card") for run run-1: a component named "Card" already exists',
    });
    expect(created).toHaveLength(0);
  });
});

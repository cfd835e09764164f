import { createEvent } from '../../../lib/events';
import { createLogger } from '../../../lib/logging';
import { createComponentLinkHandlers } from '../../../subgraphs/workflow/src/links/createComponentLinkHandlers';
import type { RunComponentLinkModel } from '../../../subgraphs/workflow/src/models/RunComponentLink';

const logger = createLogger({ name: 'component-links-test', level: 'silent' });

const registered = (data: Record<string, unknown>) =>
  createEvent({
    type: 'component.registered',
    source: '/subgraphs/registry',
    subject: 'comp-1',
    sequence: 1,
    data: { id: 'comp-1', name: 'Card', type: 'ATOM', version: '1.0.0', ...data },
  });

function handlerWith(create: jest.Mock) {
  const links = { create } as unknown as RunComponentLinkModel;
  return createComponentLinkHandlers({ links, logger })['component.registered']!;
}

const origin = { topic: 'registry.events', partition: 0, offset: '0' };

describe('createComponentLinkHandlers', () => {
  it('should link a component registered for a run under <runId>:<componentId>', async () => {
    const create = jest.fn().mockResolvedValue(undefined);
    const event = registered({ runId: 'run-1' });
    await handlerWith(create)(event, origin);
    expect(create).toHaveBeenCalledWith({
      _id: 'run-1:comp-1',
      runId: 'run-1',
      componentId: 'comp-1',
      linkedAt: new Date(event.time),
      eventId: event.id,
    });
  });

  it('should ignore components registered without a run', async () => {
    const create = jest.fn();
    await handlerWith(create)(registered({}), origin);
    expect(create).not.toHaveBeenCalled();
  });

  it('should treat an existing link as done (redelivery)', async () => {
    const create = jest.fn().mockRejectedValue(Object.assign(new Error('dup'), { code: 11000 }));
    await expect(handlerWith(create)(registered({ runId: 'run-1' }), origin)).resolves.toBe(
      undefined,
    );
  });

  it('should rethrow other failures so the record is redelivered', async () => {
    const create = jest.fn().mockRejectedValue(new Error('connection reset'));
    await expect(handlerWith(create)(registered({ runId: 'run-1' }), origin)).rejects.toThrow(
      'connection reset',
    );
  });
});

import {
  createEvent,
  isRetriable,
  MissingSequenceError,
  type CloudEvent,
  type EventOrigin,
} from '../../../lib/events';
import { createLogger } from '../../../lib/logging';
import type { IntelligenceModels } from '../../../subgraphs/intelligence/src/models';
import { eventTime } from '../../../subgraphs/intelligence/src/projections/applyComponentEvent';
import { createProjectionHandlers } from '../../../subgraphs/intelligence/src/projections/createProjectionHandlers';

const logger = createLogger({ name: 'projection-test', level: 'error' });
const origin: EventOrigin = {
  topic: 'registry.events',
  partition: 0,
  offset: '7',
  timestamp: '1700000000000',
  groupId: 'g',
};

/** Models recording their writes; signals refuse a second insert of an id like the unique key. */
function fakeModels() {
  const signalIds = new Set<string>();
  const insights = {
    updateOne: jest.fn(async () => ({ modifiedCount: 1, upsertedCount: 0, matchedCount: 1 })),
  };
  const projects = { updateOne: jest.fn(async () => ({ modifiedCount: 1 })) };
  const signals = {
    create: jest.fn(async (doc: { _id: string }) => {
      if (signalIds.has(doc._id)) throw Object.assign(new Error('E11000'), { code: 11000 });
      signalIds.add(doc._id);
      return doc;
    }),
  };
  const models = { insights, projects, signals } as unknown as IntelligenceModels;
  return { models, insights, projects, signals };
}

/** An event as a binary-mode producer without `ce_sequence` (and without `ce_time`) sends it. */
function unsequenced<D>(type: string, subject: string, data: D): CloudEvent<D> {
  const event = createEvent({ type, source: '/shop', subject, sequence: 1, data });
  const { sequence: _sequence, time: _time, ...rest } = event;
  return rest as unknown as CloudEvent<D>;
}

describe('projection of events without sequence', () => {
  it('should apply an unsequenced component.used to the usage counters once per event id', async () => {
    const { models, insights, projects, signals } = fakeModels();
    const handlers = createProjectionHandlers({ models, logger });
    const event = unsequenced('component.used', 'c-1', { componentId: 'c-1', usedBy: 'shop' });

    await handlers['component.used']!(event, origin);

    expect(projects.updateOne).toHaveBeenCalledWith(
      { _id: 'shop' },
      { $addToSet: { components: 'c-1' }, $setOnInsert: { version: 0 } },
      { upsert: true },
    );
    expect(insights.updateOne).toHaveBeenCalledTimes(1);
    const [filter, update, options] = insights.updateOne.mock.calls[0] as unknown as [
      Record<string, unknown>,
      Record<string, Record<string, unknown>>,
      unknown,
    ];
    // Not guarded by (nor moving) the aggregate's sequence.
    expect(filter).toEqual({ _id: 'c-1' });
    expect(options).toEqual({ upsert: true });
    expect(update.$inc).toEqual({ usageCount: 1, eventCount: 1 });
    expect(update.$addToSet).toEqual({ projects: 'shop' });
    expect(update.$set).toBeUndefined();
    // No `time`: the record's timestamp stands in.
    expect(update.$max).toEqual({ lastEventAt: new Date(1_700_000_000_000) });
    expect(signals.create.mock.calls[0]![0]).toMatchObject({
      _id: event.id,
      at: new Date(1_700_000_000_000),
    });

    // A redelivery or replay of the same event id does not count it twice.
    await handlers['component.used']!(event, origin);
    expect(insights.updateOne).toHaveBeenCalledTimes(1);
  });

  it('should keep applying a sequenced component.used in sequence order', async () => {
    const { models, insights } = fakeModels();
    const handlers = createProjectionHandlers({ models, logger });
    const event = createEvent({
      type: 'component.used',
      source: '/subgraphs/registry',
      subject: 'c-1',
      sequence: 4,
      data: { componentId: 'c-1', usedBy: 'shop' },
    });

    await handlers['component.used']!(event, origin);

    expect(insights.updateOne).toHaveBeenCalledWith(
      { _id: 'c-1', lastSequence: { $lt: 4 } },
      expect.objectContaining({
        $set: expect.objectContaining({ lastSequence: 4, lastEventType: 'component.used' }),
        $inc: { usageCount: 1, eventCount: 1 },
      }),
      { upsert: true },
    );
  });

  it.each([
    ['component.registered', { id: 'c-1', name: 'Button', type: 'ATOM', version: '1.0.0' }],
    ['component.updated', { id: 'c-1', changes: { version: '1.1.0' } }],
    ['component.deleted', { id: 'c-1' }],
    ['quality.passed', { componentId: 'c-1', score: 90 }],
    ['quality.failed', { componentId: 'c-1', score: 10, failures: [{ name: 'a11y' }] }],
  ])(
    'should fail an unsequenced %s with a non-retriable error naming the reason',
    async (type, data) => {
      const { models, insights, signals } = fakeModels();
      const handlers = createProjectionHandlers({ models, logger });

      const error = await handlers[type]!(unsequenced(type, 'c-1', data), origin).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(MissingSequenceError);
      expect(error).toMatchObject({ code: 'MISSING_SEQUENCE', retriable: false });
      expect(isRetriable(error)).toBe(false);
      expect((error as Error).message).toMatch(/^missing sequence: /);
      expect((error as Error).message).toContain(type);
      expect(insights.updateOne).not.toHaveBeenCalled();
      expect(signals.create).not.toHaveBeenCalled();
    },
  );

  it('should still apply a pipeline quality verdict (another subject) without sequence, once per id', async () => {
    const { models, insights } = fakeModels();
    const handlers = createProjectionHandlers({ models, logger });
    const event = unsequenced('quality.passed', 'pipeline-9', { componentId: 'c-1', score: 80 });

    await handlers['quality.passed']!(event, origin);
    await handlers['quality.passed']!(event, origin);

    expect(insights.updateOne).toHaveBeenCalledTimes(1);
    expect(insights.updateOne).toHaveBeenCalledWith(
      { _id: 'c-1' },
      { $set: { qualityPassed: true, qualityScore: 80 }, $inc: {} },
    );
  });

  it('should take the time of an event from `time`, else the record timestamp, else now', () => {
    const event = createEvent({ type: 'x.y', source: '/t', subject: 's', sequence: 1, data: {} });
    expect(eventTime({ ...event, time: '2026-01-02T03:04:05Z' }, origin)).toEqual(
      new Date('2026-01-02T03:04:05Z'),
    );
    const timeless = { ...event, time: undefined } as unknown as CloudEvent;
    expect(eventTime(timeless, origin)).toEqual(new Date(1_700_000_000_000));
    const before = Date.now();
    expect(eventTime(timeless).getTime()).toBeGreaterThanOrEqual(before);
  });
});

import { listDeadLetters, redriveDeadLetters } from '../../../operations/src/operations';
import type { CloudEvent } from '../../../lib/events';
import { eventually } from '../../utils/graphqlClient';
import { createEventsHarness, updated } from './eventsHarness';

jest.setTimeout(120_000);

describe('transport dead letters (Kafka)', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  beforeEach(async () => {
    harness = await createEventsHarness(1);
  });
  afterEach(() => harness.stop());

  it('should dead-letter a poison event with its headers while other keys of the partition keep flowing', async () => {
    const handled: string[] = [];
    let poisonFailures = 0;
    let release!: () => void;
    const othersDone = new Promise<void>((resolve) => (release = resolve));
    await harness.consumer({
      groupId: harness.group(),
      metrics: harness.metrics,
      retry: { maxAttempts: 4, initialDelayMs: 200, maxDelayMs: 400 },
      handlers: {
        'component.updated': async (event: CloudEvent) => {
          if (event.subject === 'poison') {
            poisonFailures++;
            // Keep failing until the other keys went through: proves they were not held back.
            await othersDone;
            throw new Error('cannot apply this one');
          }
          handled.push(`${event.subject}:${event.sequence}`);
          if (handled.length === 6) release();
        },
      },
    });
    // One partition: the poison event is first, the others are behind it in the same partition.
    await harness.publish([
      updated('poison', 1),
      updated('a', 1),
      updated('b', 1),
      updated('a', 2),
      updated('b', 2),
      updated('c', 1),
      updated('c', 2),
    ]);
    const dead = await eventually(async () => {
      const list = await listDeadLetters(harness.transport, harness.dlq);
      return list.length > 0 ? list : undefined;
    }, 60_000);
    expect(handled).toEqual(expect.arrayContaining(['a:1', 'a:2', 'b:1', 'b:2', 'c:1', 'c:2']));
    expect(handled.indexOf('a:1')).toBeLessThan(handled.indexOf('a:2'));
    expect(poisonFailures).toBe(4);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      key: 'poison',
      originalTopic: harness.topic,
      originalPartition: 0,
      originalOffset: '0',
      consumerGroup: harness.group(),
      attempts: 4,
      errorClass: 'Error',
      errorCode: 'POISON',
      eventType: 'component.updated',
    });
    expect(dead[0]!.errorMessage).toMatch(/cannot apply this one/);
    expect(dead[0]!.originalTimestamp).toMatch(/^\d+$/);
    expect(
      (await harness.metrics.deadLettered.get()).values.find((v) => v.labels.code === 'POISON')
        ?.value,
    ).toBe(1);
  });

  it('should redrive dead letters by key back to the origin topic, where they apply', async () => {
    let broken = true;
    const applied: string[] = [];
    await harness.consumer({
      groupId: harness.group(),
      retry: { maxAttempts: 1 },
      handlers: {
        'component.updated': async (event: CloudEvent) => {
          if (broken) throw new Error('dependency down');
          applied.push(event.subject);
        },
      },
    });
    await harness.publish([updated('x', 1), updated('y', 1)]);
    await eventually(async () => {
      const list = await listDeadLetters(harness.transport, harness.dlq);
      return list.length === 2 ? list : undefined;
    }, 60_000);
    expect(await listDeadLetters(harness.transport, harness.dlq, { key: 'y' })).toHaveLength(1);
    broken = false;
    const result = await redriveDeadLetters(harness.transport, harness.dlq, { key: 'x' });
    expect(result).toEqual({ redriven: 1, topics: [harness.topic] });
    await eventually(async () => (applied.includes('x') ? true : undefined));
    expect(applied).toEqual(['x']);
  });
});

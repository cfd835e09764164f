import { replayFromTimestamp } from '../../../consumers/src/operations';
import type { CloudEvent } from '../../../lib/events';
import { eventually } from '../../utils/graphqlClient';
import { createEventsHarness, sleep, updated } from './eventsHarness';

jest.setTimeout(120_000);

describe('replayFromTimestamp', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  beforeEach(async () => {
    harness = await createEventsHarness(2);
  });
  afterEach(() => harness.stop());

  it('should deliver again, in order, exactly the events since the timestamp', async () => {
    const groupId = harness.group();
    const seen: string[] = [];
    const handlers = {
      'component.updated': async (event: CloudEvent) =>
        void seen.push(`${event.subject}:${event.sequence}`),
    };
    const first = await harness.consumer({ groupId, handlers });
    await harness.publish([1, 2, 3].flatMap((seq) => [updated('a', seq), updated('b', seq)]));
    await sleep(100);
    const from = new Date();
    await sleep(100);
    await harness.publish([4, 5].flatMap((seq) => [updated('a', seq), updated('b', seq)]));
    await eventually(async () => (seen.length === 10 ? true : undefined));
    await first.stop();

    const result = await replayFromTimestamp({
      kafka: harness.kafka,
      groupId,
      topic: harness.topic,
      from,
    });
    expect(result.partitions).toHaveLength(2);
    seen.length = 0;
    await harness.consumer({ groupId, handlers });
    await eventually(async () => (seen.length === 4 ? true : undefined));
    await sleep(500);
    expect(seen.filter((s) => s.startsWith('a:'))).toEqual(['a:4', 'a:5']);
    expect(seen.filter((s) => s.startsWith('b:'))).toEqual(['b:4', 'b:5']);
  });

  it('should refuse to rewind a group that has active members', async () => {
    const groupId = harness.group();
    await harness.consumer({ groupId, handlers: {} });
    await harness.publish([updated('a', 1)]);
    await expect(
      replayFromTimestamp({
        kafka: harness.kafka,
        groupId,
        topic: harness.topic,
        from: new Date(0),
      }),
    ).rejects.toThrow(/running|active|empty|member/i);
  });
});

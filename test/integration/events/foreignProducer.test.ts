import { execFileSync } from 'node:child_process';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { listDeadLetters } from '../../../operations/src/operations';
import type { CloudEvent } from '../../../lib/events';
import { eventually } from '../../utils/graphqlClient';
import { brokers, createEventsHarness } from './eventsHarness';

jest.setTimeout(120_000);

/** kcat (Debian's kafkacat, librdkafka) is a real foreign producer; CI installs it in .ci/run. */
function hasKcat(): boolean {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const KCAT = hasKcat();

describe('foreign producers', () => {
  let harness: Awaited<ReturnType<typeof createEventsHarness>>;
  beforeEach(async () => {
    harness = await createEventsHarness(6);
  });
  afterEach(() => harness.stop());

  /** Sends one record: with kcat when installed (murmur2_random like the Java client), else kafkajs. */
  async function produce(key: string, value: string, headers: Record<string, string>) {
    if (KCAT) {
      const args = ['-P', '-b', brokers[0]!, '-t', harness.topic, '-k', key];
      args.push('-X', 'topic.partitioner=murmur2_random');
      for (const [name, text] of Object.entries(headers)) args.push('-H', `${name}=${text}`);
      execFileSync('kcat', args, { input: value });
    } else {
      // Fallback: kafkajs writing the same binary/structured records a foreign producer would.
      await harness.send([{ key, value, headers }]);
    }
  }

  it(`should accept binary and structured CloudEvents from ${KCAT ? 'kcat' : 'a raw kafkajs producer (kcat missing)'}`, async () => {
    const received: CloudEvent[] = [];
    const partitionOf = new Map<string, number>();
    await harness.consumer({
      groupId: harness.group(),
      handlers: {
        'component.used': async (event, origin) => {
          received.push(event);
          partitionOf.set(event.subject, origin.partition);
        },
      },
    });
    await produce('cmp-1', JSON.stringify({ componentId: 'cmp-1', usedBy: 'shop' }), {
      ce_specversion: '1.0',
      ce_id: 'foreign-1',
      ce_source: '/other-system',
      ce_type: 'component.used',
      ce_subject: 'cmp-1',
      ce_time: '2026-01-01T00:00:00Z',
      ce_sequence: '1',
      'content-type': 'application/json',
    });
    await produce(
      'cmp-2',
      JSON.stringify({
        specversion: '1.0',
        id: 'foreign-2',
        source: '/other-system',
        type: 'component.used',
        subject: 'cmp-2',
        datacontenttype: 'application/json',
        data: { componentId: 'cmp-2' },
      }),
      { 'content-type': 'application/cloudevents+json' },
    );
    await eventually(async () => (received.length === 2 ? true : undefined), 60_000);
    const byId = Object.fromEntries(received.map((event) => [event.id, event]));
    expect(byId['foreign-1']).toMatchObject({
      source: '/other-system',
      subject: 'cmp-1',
      sequence: 1,
      data: { componentId: 'cmp-1', usedBy: 'shop' },
    });
    expect(byId['foreign-2']?.data).toEqual({ componentId: 'cmp-2' });
    // Same key, same partition as our own (kafkajs murmur2) producer would choose.
    const partitionMetadata = Array.from(
      { length: 6 },
      (_, partitionId) => ({ partitionId, leader: 1 }) as PartitionMetadata,
    );
    const ours = Partitioners.DefaultPartitioner();
    for (const key of ['cmp-1', 'cmp-2']) {
      expect(partitionOf.get(key)).toBe(
        ours({ topic: harness.topic, partitionMetadata, message: { key, value: null } }),
      );
    }
  });

  it('should dead-letter invalid foreign records with a reason and keep consuming', async () => {
    const received: string[] = [];
    await harness.consumer({
      groupId: harness.group(),
      handlers: { 'component.used': async (event) => void received.push(event.id) },
    });
    await produce('k', 'this is not json', { 'content-type': 'application/cloudevents+json' });
    await produce('k', JSON.stringify({ componentId: 42 }), {
      ce_specversion: '1.0',
      ce_id: 'bad-data',
      ce_source: '/other-system',
      ce_type: 'component.used',
      ce_subject: 'k',
      'content-type': 'application/json',
    });
    await produce('k', '{}', {
      ce_specversion: '1.0',
      ce_id: 'unknown-type',
      ce_source: '/other-system',
      ce_type: 'component.teleported',
      ce_subject: 'k',
    });
    await produce('k', JSON.stringify({ componentId: 'ok' }), {
      ce_specversion: '1.0',
      ce_id: 'good',
      ce_source: '/other-system',
      ce_type: 'component.used',
      ce_subject: 'k',
      'content-type': 'application/json',
    });
    const dead = await eventually(async () => {
      const list = await listDeadLetters(harness.transport, harness.dlq);
      return list.length === 3 ? list : undefined;
    }, 60_000);
    await eventually(async () => (received.includes('good') ? true : undefined));
    expect(dead.map((entry) => entry.errorCode)).toEqual([
      'DECODE_FAILED',
      'VALIDATION_FAILED',
      'UNKNOWN_EVENT_TYPE',
    ]);
    expect(dead[1]!.errorMessage).toMatch(/componentId/);
    expect(dead[2]!.errorMessage).toMatch(/component\.teleported/);
    expect(dead.every((entry) => entry.key === 'k' && entry.originalTopic === harness.topic)).toBe(
      true,
    );
  });
});

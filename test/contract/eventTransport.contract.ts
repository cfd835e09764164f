/* eslint-disable jest/no-export -- a shared contract suite: each transport's test file runs it. */
import {
  createEvent,
  createMemoryDedupStore,
  DLT_HEADERS,
  headerText,
  type CloudEvent,
  type EventHandler,
  type EventTransport,
  type GroupMember,
  type SubscribeOptions,
} from '../../lib/events';
import { createLogger } from '../../lib/logging';

/** What the contract needs of a transport under test. */
export interface TransportFixture {
  transport: EventTransport;
  /** A fresh topic (and its `.dlq`) with `partitions` partitions. */
  topic(partitions: number): Promise<string>;
  /** A fresh group id. */
  group(name: string): string;
  /** Lets time pass: the manual clock moves, or the real one is waited on briefly. */
  tick(): Promise<void>;
  /** The time the transport stamps records with (ms since epoch). */
  now(): number;
  /** Ends a member as a killed process would: nothing more is committed. */
  crash(member: GroupMember): Promise<void>;
  /** Member settings that make the real transport quick to rebalance in a test. */
  memberDefaults: Partial<SubscribeOptions>;
  close(): Promise<void>;
}

const logger = createLogger({ name: 'transport-contract', level: 'fatal' });

/** An event of aggregate `key` with a sequence (a valid `component.updated`). */
const updated = (key: string, sequence: number, id?: string) =>
  createEvent({
    type: 'component.updated',
    source: '/contract',
    subject: key,
    sequence,
    ...(id && { id }),
    data: { id: key, changes: { sequence } },
  });

/** Events of `keys` keys with sequences 1..perKey, interleaved. */
const waves = (keys: number, perKey: number, prefix = 'k') =>
  Array.from({ length: perKey }, (_, s) =>
    Array.from({ length: keys }, (_, k) => updated(`${prefix}${k}`, s + 1)),
  ).flat();

/**
 * The behaviour every {@link EventTransport} promises, run over the memory transport in the fast
 * tier and over Kafka in the integration tier.
 */
export function describeTransportContract(name: string, create: () => Promise<TransportFixture>) {
  describe(`EventTransport contract: ${name}`, () => {
    let fixture: TransportFixture;
    const members: GroupMember[] = [];
    beforeEach(async () => {
      fixture = await create();
    });
    afterEach(async () => {
      for (const member of members.splice(0)) await member.stop().catch(() => undefined);
      await fixture.close();
    });

    const eventually = async (condition: () => boolean | Promise<boolean>, what: string) => {
      for (let turn = 0; turn < 2_000; turn++) {
        if (await condition()) return;
        await fixture.tick();
      }
      throw new Error(`never happened: ${what}`);
    };
    const join = async (options: Omit<SubscribeOptions, 'logger'>) => {
      const member = fixture.transport.subscribe({
        logger,
        ...fixture.memberDefaults,
        ...options,
      });
      members.push(member);
      member.start();
      await eventually(() => member.status().state === 'running', `${options.groupId} running`);
      return member;
    };
    const recorder = () => {
      const applied: { key: string; sequence: number; id: string; by: string }[] = [];
      const handler =
        (by: string): EventHandler =>
        async (event: CloudEvent) => {
          applied.push({ key: event.subject!, sequence: event.sequence!, id: event.id, by });
        };
      return { applied, handler };
    };

    it('keeps per-key order and applies every event once, with lag back at 0', async () => {
      const topic = await fixture.topic(3);
      const groupId = fixture.group('order');
      const { applied, handler } = recorder();
      await join({ groupId, topics: [topic], handlers: { 'component.updated': handler('a') } });
      await fixture.transport.publish(topic, waves(6, 15));
      await eventually(() => applied.length >= 90, '90 events applied');
      for (let k = 0; k < 6; k++) {
        const sequences = applied.filter((a) => a.key === `k${k}`).map((a) => a.sequence);
        expect(sequences).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      }
      await eventually(
        async () => (await fixture.transport.lag(groupId, topic)) === 0,
        'lag back at 0',
      );
    });

    it('runs keys of one partition concurrently: a slow key does not hold the others', async () => {
      const topic = await fixture.topic(1);
      let releaseSlow: () => void = () => undefined;
      const slowHeld = new Promise<void>((resolve) => (releaseSlow = resolve));
      const done: string[] = [];
      await join({
        groupId: fixture.group('keys'),
        topics: [topic],
        handlers: {
          'component.updated': async (event) => {
            if (event.subject === 'slow') await slowHeld;
            done.push(`${event.subject}:${event.sequence}`);
          },
        },
      });
      await fixture.transport.publish(topic, [
        updated('slow', 1),
        updated('fast', 1),
        updated('fast', 2),
      ]);
      await eventually(() => done.includes('fast:2'), 'fast key done while slow key held');
      expect(done).not.toContain('slow:1');
      releaseSlow();
      await eventually(() => done.includes('slow:1'), 'slow key done once released');
    });

    it('retries, then dead-letters with the origin and the event named in headers', async () => {
      const topic = await fixture.topic(2);
      const attempts = new Map<string, number>();
      await join({
        groupId: fixture.group('dlq'),
        topics: [topic],
        retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
        handlers: {
          'component.updated': async (event) => {
            const seen = (attempts.get(event.subject!) ?? 0) + 1;
            attempts.set(event.subject!, seen);
            if (event.subject === 'poison' || seen < 2) throw new Error(`failing ${seen}`);
          },
        },
      });
      const poison = updated('poison', 1);
      await fixture.transport.publish(topic, [updated('flaky', 1), poison]);
      // A record a foreign producer sent that no contract accepts.
      await fixture.transport.publishRecords(topic, [
        { key: 'foreign', value: Buffer.from('{"type":"component.updated","id":"x1"}') },
      ]);
      const dlq = `${topic}.dlq`;
      await eventually(
        async () => (await fixture.transport.read(dlq)).length >= 2,
        'two dead letters',
      );
      expect(attempts.get('flaky')).toBe(2);
      expect(attempts.get('poison')).toBe(3);
      const letters = await fixture.transport.read(dlq);
      const header = (i: number, name: string) => headerText(letters[i]!.message.headers, name);
      const byKey = (key: string) =>
        letters.findIndex((l) => l.message.key?.toString('utf8') === key);
      const p = byKey('poison');
      expect(header(p, DLT_HEADERS.originalTopic)).toBe(topic);
      expect(header(p, DLT_HEADERS.exceptionCode)).toBe('POISON');
      expect(header(p, DLT_HEADERS.eventType)).toBe('component.updated');
      expect(header(p, DLT_HEADERS.eventId)).toBe(poison.id);
      expect(header(p, DLT_HEADERS.attempts)).toBe('3');
      expect(header(p, DLT_HEADERS.originalOffset)).toMatch(/^\d+$/);
      const f = byKey('foreign');
      expect(header(f, DLT_HEADERS.exceptionCode)).not.toBe('POISON');
      expect(header(f, DLT_HEADERS.eventType)).toBe('component.updated');
      expect(header(f, DLT_HEADERS.eventId)).toBe('x1');
    });

    it('applies a redelivered event once with a dedup store', async () => {
      const topic = await fixture.topic(2);
      const { applied, handler } = recorder();
      await join({
        groupId: fixture.group('dedup'),
        topics: [topic],
        dedup: createMemoryDedupStore(),
        handlers: { 'component.updated': handler('a') },
      });
      const twice = updated('d', 1);
      await fixture.transport.publish(topic, [twice, twice, updated('d', 2)]);
      await eventually(() => applied.some((a) => a.sequence === 2), 'last event applied');
      expect(applied.map((a) => a.sequence)).toEqual([1, 2]);
    });

    it('replays a topic from a time through handlers, and rewinds an empty group', async () => {
      const topic = await fixture.topic(2);
      await fixture.transport.publish(topic, waves(3, 2, 'old'));
      // Strictly between the two waves' timestamps, whichever clock stamps them.
      await fixture.tick();
      const mark = new Date(fixture.now());
      await fixture.tick();
      await fixture.transport.publish(topic, waves(3, 2, 'new'));
      const { applied, handler } = recorder();
      const result = await fixture.transport.replay({
        topic,
        from: mark,
        groupId: fixture.group('replay'),
        logger,
        handlers: { 'component.updated': handler('replay') },
      });
      expect(result).toEqual({ read: 6, applied: 6 });
      expect(applied.every((a) => a.key.startsWith('new'))).toBe(true);

      const groupId = fixture.group('rewound');
      const rewind = await fixture.transport.rewind(groupId, topic, mark);
      expect(rewind.partitions.length).toBe(2);
      const again = recorder();
      await join({
        groupId,
        topics: [topic],
        handlers: { 'component.updated': again.handler('g') },
      });
      await eventually(() => again.applied.length >= 6, 'rewound group read from the mark');
      expect(again.applied.every((a) => a.key.startsWith('new'))).toBe(true);
      await expect(fixture.transport.rewind(groupId, topic, mark)).rejects.toMatchObject({
        code: 'CONFLICT',
      });
    });

    it('redelivers what a crashed member had not finished to the member that takes over', async () => {
      const topic = await fixture.topic(1);
      const groupId = fixture.group('crash');
      const started: string[] = [];
      const first = await join({
        groupId,
        topics: [topic],
        handlers: {
          'component.updated': async (event) => {
            started.push(event.id);
            await new Promise(() => undefined); // hangs, as a process about to die
          },
        },
      });
      const event = updated('c', 1);
      await fixture.transport.publish(topic, [event]);
      await eventually(() => started.includes(event.id), 'first member started the event');
      await fixture.crash(first);
      const { applied, handler } = recorder();
      await join({
        groupId,
        topics: [topic],
        handlers: { 'component.updated': handler('second') },
      });
      await eventually(() => applied.length === 1, 'redelivered to the second member');
      expect(applied[0]).toMatchObject({ id: event.id, by: 'second' });
    });

    it('rebalances when a member joins: both apply, each event once and in key order', async () => {
      const topic = await fixture.topic(4);
      const groupId = fixture.group('rebalance');
      const dedup = createMemoryDedupStore();
      const { applied, handler } = recorder();
      const handlers = (by: string) => ({ 'component.updated': handler(by) });
      await join({ groupId, topics: [topic], dedup, handlers: handlers('a') });
      await fixture.transport.publish(topic, waves(12, 5));
      await join({ groupId, topics: [topic], dedup, handlers: handlers('b') });
      await fixture.transport.publish(
        topic,
        Array.from({ length: 12 }, (_, k) => updated(`k${k}`, 6)),
      );
      await eventually(() => applied.length >= 72, 'every event applied');
      await eventually(
        () => new Set(applied.filter((a) => a.sequence === 6).map((a) => a.by)).size === 2,
        'both members applied events after the rebalance',
      );
      for (let k = 0; k < 12; k++) {
        const sequences = applied.filter((a) => a.key === `k${k}`).map((a) => a.sequence);
        expect(sequences).toEqual([1, 2, 3, 4, 5, 6]);
      }
    });
  });
}

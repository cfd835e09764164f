import type { KafkaMessage, Message } from 'kafkajs';
import { processRecord, type DedupStore, type RecordContext } from '../../../lib/events';
import {
  createEvent,
  createEventMetrics,
  encodeEvent,
  PermanentHandlerError,
  platformContracts,
  type EventHandler,
} from '../../../lib/events';
import { createLogger } from '../../../lib/logging';

const event = createEvent({
  type: 'component.deleted',
  source: '/test',
  subject: 'c-1',
  sequence: 2,
  data: { id: 'c-1' },
});

function record(value: string, headers: KafkaMessage['headers'] = {}): KafkaMessage {
  return {
    key: Buffer.from('c-1'),
    value: Buffer.from(value),
    headers,
    offset: '42',
    timestamp: '1700000000000',
    attributes: 0,
    size: 0,
  } as unknown as KafkaMessage;
}

const structured = () =>
  record(encodeEvent(event).value as string, { 'content-type': 'application/cloudevents+json' });

function memoryDedup(): DedupStore & { ids: Set<string> } {
  const ids = new Set<string>();
  return {
    ids,
    seen: async (source, id) => ids.has(`${source}|${id}`),
    remember: async (source, id) => void ids.add(`${source}|${id}`),
    purge: async () => 0,
    start: () => undefined,
    stop: async () => undefined,
  };
}

function setup(handlers: Record<string, EventHandler>, dedup?: DedupStore) {
  const dead: { topic: string; record: Message }[] = [];
  const ctx: RecordContext = {
    groupId: 'g1',
    handlers,
    contracts: platformContracts(),
    dedup,
    metrics: createEventMetrics(),
    retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, multiplier: 2 },
    logger: createLogger({ name: 'test', level: 'silent' }),
    sendDeadLetter: async (topic, rec) => void dead.push({ topic, record: rec }),
    isActive: () => true,
    sleep: async () => undefined,
  };
  return { ctx, dead };
}

const header = (rec: Message, name: string) => rec.headers?.[name]?.toString();

describe('processRecord', () => {
  it('should hand a valid event to the handler of its type', async () => {
    const seen: string[] = [];
    const { ctx } = setup({ 'component.deleted': async (e) => void seen.push(e.id) });
    await expect(processRecord(ctx, 'reg', 3, structured())).resolves.toBe('handled');
    expect(seen).toEqual([event.id]);
  });

  it('should retry a retriable failure and succeed', async () => {
    let calls = 0;
    const { ctx, dead } = setup({
      'component.deleted': async () => {
        if (++calls < 3) throw new Error('flaky');
      },
    });
    await expect(processRecord(ctx, 'reg', 3, structured())).resolves.toBe('handled');
    expect(calls).toBe(3);
    expect(dead).toHaveLength(0);
  });

  it('should dead-letter a poison event after maxAttempts with origin and error headers', async () => {
    const { ctx, dead } = setup({
      'component.deleted': () => Promise.reject(new TypeError('always broken')),
    });
    await expect(processRecord(ctx, 'reg', 3, structured())).resolves.toBe('dead-lettered');
    expect(dead).toHaveLength(1);
    const rec = dead[0]!.record;
    expect(rec.key?.toString()).toBe('c-1');
    expect(rec.value?.toString()).toBe(encodeEvent(event).value);
    expect(header(rec, 'content-type')).toBe('application/cloudevents+json');
    expect(header(rec, 'dlt-original-topic')).toBe('reg');
    expect(header(rec, 'dlt-original-partition')).toBe('3');
    expect(header(rec, 'dlt-original-offset')).toBe('42');
    expect(header(rec, 'dlt-original-timestamp')).toBe('1700000000000');
    expect(header(rec, 'dlt-original-consumer-group')).toBe('g1');
    expect(header(rec, 'dlt-attempts')).toBe('3');
    expect(header(rec, 'dlt-exception-code')).toBe('POISON');
    expect(header(rec, 'dlt-exception-message')).toMatch(/always broken/);
    expect(header(rec, 'dlt-event-type')).toBe('component.deleted');
  });

  it('should dead-letter a permanent handler error at the first attempt', async () => {
    const { ctx, dead } = setup({
      'component.deleted': () => Promise.reject(new PermanentHandlerError('no such thing')),
    });
    await processRecord(ctx, 'reg', 0, structured());
    expect(header(dead[0]!.record, 'dlt-attempts')).toBe('1');
    expect(header(dead[0]!.record, 'dlt-exception-fqcn')).toBe('PermanentHandlerError');
  });

  it.each([
    ['undecodable bytes', record('not json'), 'DECODE_FAILED'],
    ['an unknown type', record(JSON.stringify({ ...event, type: 'x.y' })), 'UNKNOWN_EVENT_TYPE'],
    ['invalid data', record(JSON.stringify({ ...event, data: {} })), 'VALIDATION_FAILED'],
  ])('should dead-letter %s with a reason instead of throwing', async (_what, rec, code) => {
    const { ctx, dead } = setup({ 'component.deleted': async () => undefined });
    await expect(processRecord(ctx, 'reg', 0, rec)).resolves.toBe('dead-lettered');
    expect(header(dead[0]!.record, 'dlt-exception-code')).toBe(code);
  });

  it('should skip a valid event of a type the group does not handle', async () => {
    const { ctx, dead } = setup({});
    await expect(processRecord(ctx, 'reg', 0, structured())).resolves.toBe('skipped');
    expect(dead).toHaveLength(0);
  });

  it('should apply the same event once when it is delivered twice', async () => {
    let applied = 0;
    const { ctx } = setup({ 'component.deleted': async () => void applied++ }, memoryDedup());
    await processRecord(ctx, 'reg', 0, structured());
    await expect(processRecord(ctx, 'reg', 0, structured())).resolves.toBe('skipped');
    expect(applied).toBe(1);
  });

  it('should abandon (not commit) a failing event when the member stops', async () => {
    const { ctx, dead } = setup({ 'component.deleted': () => Promise.reject(new Error('x')) });
    ctx.isActive = () => false;
    await expect(processRecord(ctx, 'reg', 0, structured())).resolves.toBe('abandoned');
    expect(dead).toHaveLength(0);
  });
});

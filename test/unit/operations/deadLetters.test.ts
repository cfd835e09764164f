import type { KafkaMessage } from 'kafkajs';
import { parseDeadLetterRecord } from '../../../operations/src/operations/deadLetters';
import { createEvent, encodeEvent } from '../../../lib/events';

function record(value: string | null, headers: Record<string, string>): KafkaMessage {
  return {
    key: Buffer.from('c-1'),
    value: value === null ? null : Buffer.from(value),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    offset: '5',
    timestamp: '1700000000000',
    attributes: 0,
    size: 0,
  } as unknown as KafkaMessage;
}

const dlt = {
  'dlt-original-topic': 'registry.events',
  'dlt-original-partition': '2',
  'dlt-original-offset': '41',
  'dlt-exception-code': 'VALIDATION_FAILED',
  'dlt-exception-message': 'data must have required property componentId',
  'dlt-attempts': '0',
};

describe('parseDeadLetterRecord', () => {
  const event = createEvent({
    type: 'component.used',
    source: '/shop',
    subject: 'c-1',
    sequence: 1,
    data: {},
  });

  it('should take the original type and id from dlt-event-type and dlt-event-id', () => {
    const entry = parseDeadLetterRecord(
      0,
      record('{}', { ...dlt, 'dlt-event-type': 'component.updated', 'dlt-event-id': 'e-9' }),
    );
    expect(entry).toMatchObject({
      partition: 0,
      offset: '5',
      key: 'c-1',
      originalTopic: 'registry.events',
      originalPartition: 2,
      originalOffset: '41',
      errorCode: 'VALIDATION_FAILED',
      attempts: 0,
      eventType: 'component.updated',
      eventId: 'e-9',
    });
  });

  it("should fall back to a binary-mode record's ce_type and ce_id headers", () => {
    const entry = parseDeadLetterRecord(
      1,
      record('{"usedBy":"shop"}', {
        ...dlt,
        ce_specversion: '1.0',
        ce_type: 'component.used',
        ce_id: 'e-1',
        ce_source: '/shop',
      }),
    );
    expect(entry).toMatchObject({ eventType: 'component.used', eventId: 'e-1' });
  });

  it("should fall back to a structured-mode record's JSON value", () => {
    const message = encodeEvent(event);
    const entry = parseDeadLetterRecord(
      1,
      record(message.value as string, { ...dlt, 'content-type': 'application/cloudevents+json' }),
    );
    expect(entry).toMatchObject({ eventType: 'component.used', eventId: event.id });
  });

  it('should complete a half-written pair from the record', () => {
    const message = encodeEvent(event);
    const entry = parseDeadLetterRecord(
      1,
      record(message.value as string, { ...dlt, 'dlt-event-type': 'component.used' }),
    );
    expect(entry).toMatchObject({ eventType: 'component.used', eventId: event.id });
  });

  it('should leave both absent for a record that does not decode', () => {
    for (const value of ['{"broken": ', '[1,2]', '"text"', null]) {
      const entry = parseDeadLetterRecord(0, record(value, dlt));
      expect(entry.eventType).toBeUndefined();
      expect(entry.eventId).toBeUndefined();
      expect(entry.errorCode).toBe('VALIDATION_FAILED');
    }
    const wrongTypes = parseDeadLetterRecord(0, record('{"type": 3, "id": ""}', dlt));
    expect(wrongTypes).toMatchObject({ eventType: undefined, eventId: undefined });
  });
});

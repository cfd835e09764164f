import { createEvent, decodeEvent, encodeEvent, EventDecodeError } from '../../lib/events';

describe('kafkaCodec', () => {
  const event = createEvent({
    type: 'component.registered',
    source: '/test',
    subject: 'c-1',
    sequence: 3,
    data: { a: 1 },
  });

  it('should round-trip a structured-mode event keyed by its subject', () => {
    const record = encodeEvent(event);
    expect(record.key).toBe('c-1');
    expect(record.headers).toEqual({ 'content-type': 'application/cloudevents+json' });
    expect(
      decodeEvent({ value: Buffer.from(record.value as string), headers: record.headers }),
    ).toEqual(event);
  });

  it('should decode a binary-mode event from ce_ headers', () => {
    const decoded = decodeEvent({
      value: Buffer.from('{"name":"Button"}'),
      headers: {
        ce_specversion: Buffer.from('1.0'),
        ce_id: Buffer.from('e-1'),
        ce_type: Buffer.from('component.registered'),
        ce_source: Buffer.from('/foreign'),
        ce_sequence: Buffer.from('7'),
        'content-type': Buffer.from('application/json'),
      },
    });
    expect(decoded).toMatchObject({
      id: 'e-1',
      type: 'component.registered',
      source: '/foreign',
      sequence: 7,
      data: { name: 'Button' },
    });
  });

  it.each([
    ['no value', null],
    ['not JSON', Buffer.from('{oops')],
    ['a JSON array', Buffer.from('[1,2]')],
  ])('should refuse a record with %s as a non-retriable EventDecodeError', (_what, value) => {
    expect(() => decodeEvent({ value })).toThrow(EventDecodeError);
  });
});

import {
  createEvent,
  EventValidationError,
  platformContracts,
  readContractFiles,
  UnknownEventTypeError,
} from '../../../lib/events';

describe('platformContracts', () => {
  const contracts = platformContracts();
  const valid = () =>
    createEvent({
      type: 'component.registered',
      source: '/test',
      subject: 'c-1',
      sequence: 1,
      data: { id: 'c-1', name: 'Button', type: 'ATOM', version: '1.0.0', tags: [] },
    }) as unknown as Record<string, unknown>;

  it('should have a contract for every event type of the platform', () => {
    expect([...contracts.types]).toEqual(
      expect.arrayContaining([
        'component.deleted',
        'component.registered',
        'component.update.requested',
        'component.updated',
        'component.used',
        'pipeline.blocked',
        'quality.failed',
        'quality.passed',
        'style.changed',
        'workflow.run.completed',
        'workflow.run.started',
        'workflow.run.transitioned',
        'workflow.step.progressed',
      ]),
    );
    expect(readContractFiles()).toHaveLength(contracts.types.size);
  });

  it('should accept a valid event', () => {
    expect(() => contracts.validate(valid())).not.toThrow();
  });

  it('should reject data that breaks the type contract with the failing field', () => {
    const event = { ...valid(), data: { id: 'c-1' } };
    expect(() => contracts.validate(event)).toThrow(EventValidationError);
    expect(() => contracts.validate(event)).toThrow(/name/);
  });

  it('should reject an envelope without required attributes', () => {
    const { source: _source, ...event } = valid();
    expect(() => contracts.validate(event)).toThrow(/source/);
  });

  it('should reject an event type or version without a contract', () => {
    expect(() => contracts.validate({ ...valid(), type: 'component.exploded' })).toThrow(
      UnknownEventTypeError,
    );
    expect(() =>
      contracts.validate({
        ...valid(),
        dataschema: 'https://platform.example/schema/events/component.registered/v9.json',
      }),
    ).toThrow(/v9/);
  });
});

import { createOffsetTracker } from '../../../lib/events';

describe('createOffsetTracker', () => {
  it('should commit only up to the first unfinished offset', () => {
    const tracker = createOffsetTracker();
    ['10', '11', '12', '13'].forEach((offset) => tracker.started(offset));
    tracker.completed('12');
    tracker.completed('13');
    expect(tracker.committable()).toBeUndefined();
    tracker.completed('10');
    expect(tracker.committable()).toBe('11');
    expect(tracker.metadata()).toBe('done:12,13');
    tracker.completed('11');
    expect(tracker.committable()).toBe('14');
    expect(tracker.metadata()).toBe('');
    expect(tracker.inFlight).toBe(0);
  });

  it('should not offer the same offset twice once committed', () => {
    const tracker = createOffsetTracker();
    tracker.started('0');
    tracker.completed('0');
    tracker.committed(tracker.committable()!);
    expect(tracker.committable()).toBeUndefined();
  });

  it('should handle gaps in offsets (compacted topics, transaction markers)', () => {
    const tracker = createOffsetTracker();
    tracker.started('5');
    tracker.started('9');
    tracker.completed('9');
    tracker.completed('5');
    expect(tracker.committable()).toBe('10');
  });

  it('should refuse offsets that do not increase', () => {
    const tracker = createOffsetTracker();
    tracker.started('5');
    expect(() => tracker.started('5')).toThrow('expected an offset above 5');
  });
});

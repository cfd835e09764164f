import type { Logger } from '../../../../../lib/logging';
import type { DeliveryAttempt, DeliveryLog, DeliveryRecord } from '../../webhooks/deliveryLog';

/** What follows an attempt: another one at `nextRetryAt`, or the end of the delivery. */
export type AttemptOutcome =
  { nextRetryAt: Date } | { state: 'SUCCEEDED' | 'FAILED'; reason?: string };

/** Keeps one outbound delivery's record and saves it after every change. */
export interface DeliveryRecorder {
  /** Adds an HTTP attempt and what follows it, then saves. */
  attempt(attempt: DeliveryAttempt, outcome: AttemptOutcome): Promise<void>;
  /** Ends the delivery without a further attempt (an open breaker, a wait past the deadline). */
  finish(state: 'SUCCEEDED' | 'FAILED', reason?: string): Promise<void>;
}

/** Where an outbound delivery goes and for which step execution. */
export interface OutboundDeliveryTarget {
  runId: string;
  stepId: string;
  /** The step's attempt: each execution of the step is its own delivery. */
  stepAttempt: number;
  url: string;
  host: string;
}

/** A recorder saving to `log`, or doing nothing without one. */
export function createDeliveryRecorder(
  log: DeliveryLog | undefined,
  target: OutboundDeliveryTarget,
  logger: Logger,
): DeliveryRecorder {
  const record: DeliveryRecord = {
    deliveryId: `${target.runId}/${target.stepId}/${target.stepAttempt}`,
    direction: 'OUTBOUND',
    endpoint: target.host,
    url: target.url,
    runId: target.runId,
    stepId: target.stepId,
    state: 'PENDING',
    attempts: [],
  };
  // Saved one after another (each save replaces the record), and a copy each time, so a log
  // keeping objects never sees later changes.
  const save = async () => {
    if (!log) return;
    const copy: DeliveryRecord = { ...record, attempts: record.attempts.map((a) => ({ ...a })) };
    try {
      await log.save(copy);
    } catch (error) {
      // The log must not fail the delivery it describes.
      logger.warn({ deliveryId: record.deliveryId, error }, 'delivery log save failed');
    }
  };
  const finish = (state: 'SUCCEEDED' | 'FAILED', reason?: string) => {
    record.state = state;
    delete record.nextRetryAt;
    if (reason !== undefined) record.reason = reason;
    else if (state === 'SUCCEEDED') delete record.reason;
    return save();
  };
  return {
    async attempt(attempt, outcome) {
      record.attempts.push(attempt);
      if (attempt.error) record.reason = attempt.error;
      if ('state' in outcome) return finish(outcome.state, outcome.reason);
      record.state = 'RETRYING';
      record.nextRetryAt = outcome.nextRetryAt;
      return save();
    },
    finish,
  };
}

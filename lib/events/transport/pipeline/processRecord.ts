import type { KafkaMessage, Message } from 'kafkajs';
import type { Logger } from '../../../logging';
import { SpanStatusCode, withConsumerSpan, type Span } from '../../../telemetry';
import type { EventContracts } from '../../contracts';
import type { CloudEvent } from '../../envelope';
import { isRetriable } from '../../errors';
import type { EventHandler, EventOrigin } from '../../handler';
import { decodeEvent } from '../../kafkaCodec';
import type { EventMetrics } from '../../metrics';
import { backoffDelay, type RetryOptions } from './backoff';
import { toDeadLetter } from './deadLetter';
import type { DedupStore } from './dedupStore';
import { typeMetrics } from './typeMetrics';

/** What {@link processRecord} needs from its consumer. */
export interface RecordContext {
  groupId: string;
  handlers: Record<string, EventHandler>;
  contracts: EventContracts;
  dedup?: DedupStore;
  metrics: EventMetrics;
  retry: RetryOptions;
  logger: Logger;
  /** Sends a dead letter; resolves once acknowledged. Absent: failed records are logged and dropped. */
  sendDeadLetter?: (originTopic: string, record: Message) => Promise<void>;
  /** False once the member stops or loses the partition: stop retrying, leave the record uncommitted. */
  isActive(): boolean;
  sleep(ms: number): Promise<void>;
}

/** Span attribute naming how a record ended ({@link RecordOutcome}). */
export const ATTR_RECORD_OUTCOME = 'platform.record.outcome';

/** How a record ended: `done` may be committed; `abandoned` must be redelivered. */
export type RecordOutcome = 'handled' | 'skipped' | 'dead-lettered' | 'abandoned';

/** One record on its way through the pipeline (what the steps below share). */
interface RecordJob {
  ctx: RecordContext;
  topic: string;
  partition: number;
  message: KafkaMessage;
  origin: EventOrigin;
  /** Type and id once decoded, named in a dead letter even when the contract refuses the event. */
  type?: string | undefined;
  id?: string | undefined;
}

/**
 * Runs one record through decode, contract validation, dedup, the handler with bounded retries,
 * and the DLQ. Never throws: every failure ends in a dead letter or (member stopping) abandonment.
 * Module-level steps over one job object: nothing is allocated per record beyond what it needs.
 */
export async function processRecord(
  ctx: RecordContext,
  topic: string,
  partition: number,
  message: KafkaMessage,
): Promise<RecordOutcome> {
  const job: RecordJob = {
    ctx,
    topic,
    partition,
    message,
    origin: {
      topic,
      partition,
      offset: message.offset,
      timestamp: message.timestamp,
      groupId: ctx.groupId,
    },
  };
  let event: CloudEvent;
  try {
    const decoded = decodeEvent(message);
    job.type = textOf(decoded.type);
    job.id = textOf(decoded.id);
    ctx.contracts.validate(decoded);
    event = decoded as unknown as CloudEvent;
  } catch (error) {
    return deadLetter(job, error, 0);
  }
  // The CONSUMER span continues the producer's trace (record headers, else the envelope) and
  // carries the correlation id, so the handler's log lines name both.
  return withConsumerSpan(
    {
      topic,
      partition,
      offset: message.offset,
      groupId: ctx.groupId,
      key: message.key,
      ...(message.headers && { headers: message.headers }),
    },
    event,
    // A span that records gets the outcome; one that does not costs no extra step.
    (span) => (span.isRecording() ? handleInSpan(job, event, span) : handle(job, event)),
  );
}

async function handleInSpan(job: RecordJob, event: CloudEvent, span: Span): Promise<RecordOutcome> {
  const outcome = await handle(job, event);
  if (span.isRecording()) {
    span.setAttribute(ATTR_RECORD_OUTCOME, outcome);
    if (outcome === 'dead-lettered') span.setStatus({ code: SpanStatusCode.ERROR });
  }
  return outcome;
}

/** A child logger naming the record: created only when something is logged. */
const logOf = (job: RecordJob) => job.ctx.logger.child(job.origin);

async function handle(job: RecordJob, event: CloudEvent): Promise<RecordOutcome> {
  const { ctx } = job;
  const handler = ctx.handlers[event.type] ?? ctx.handlers['*'];
  if (!handler) {
    ctx.metrics.skipped.inc({ type: event.type, group: ctx.groupId, reason: 'no-handler' });
    return 'skipped';
  }
  if (ctx.dedup) {
    let duplicate: boolean;
    try {
      duplicate = await seenWithRetry(ctx, event);
    } catch {
      return 'abandoned';
    }
    if (duplicate) {
      ctx.metrics.skipped.inc({ type: event.type, group: ctx.groupId, reason: 'duplicate' });
      return 'skipped';
    }
  }
  const bound = typeMetrics(ctx.metrics, ctx.groupId, event.type);
  for (let attempt = 1; ; attempt++) {
    const stopTimer = bound.handlerSeconds.startTimer();
    try {
      await handler(event, job.origin);
      stopTimer();
      bound.consumed.inc();
      // Remembered after the side effect: a crash in between replays it (at-least-once), so
      // handlers stay idempotent on their own too (e.g. upserts keyed by event sequence).
      if (ctx.dedup) {
        await ctx.dedup.remember(event.source, event.id).catch((error: unknown) => {
          logOf(job).warn(
            { err: error },
            'could not record processed event; a redelivery may repeat it',
          );
        });
      }
      return 'handled';
    } catch (error) {
      ctx.metrics.failed.inc({ type: event.type, group: ctx.groupId });
      if (!isRetriable(error)) return deadLetter(job, error, attempt);
      if (attempt >= ctx.retry.maxAttempts) {
        return deadLetter(job, poison(error, attempt), attempt);
      }
      if (!ctx.isActive()) return 'abandoned';
      logOf(job).warn({ err: error, attempt, type: event.type }, 'handler failed; retrying');
      await ctx.sleep(backoffDelay(attempt, ctx.retry));
      if (!ctx.isActive()) return 'abandoned';
    }
  }
}

async function deadLetter(
  job: RecordJob,
  error: unknown,
  attempts: number,
): Promise<RecordOutcome> {
  const { ctx, topic, partition, message } = job;
  if (!ctx.sendDeadLetter) {
    ctx.metrics.skipped.inc({ type: job.type ?? 'unknown', group: ctx.groupId, reason: 'dropped' });
    logOf(job).warn(
      { err: error, type: job.type },
      'event dropped (this group keeps no dead letters)',
    );
    return 'skipped';
  }
  const record = toDeadLetter(message, {
    topic,
    partition,
    groupId: ctx.groupId,
    attempts,
    error,
    eventType: job.type,
    eventId: job.id,
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.sendDeadLetter(topic, record);
      break;
    } catch (sendError) {
      if (!ctx.isActive()) return 'abandoned';
      logOf(job).warn({ err: sendError }, 'dead-letter send failed; retrying');
      await ctx.sleep(backoffDelay(Math.min(attempt, 10), ctx.retry));
    }
  }
  const code = (error as { code?: unknown })?.code;
  ctx.metrics.deadLettered.inc({
    type: job.type ?? 'unknown',
    group: ctx.groupId,
    code: typeof code === 'string' ? code : 'HANDLER_FAILED',
  });
  logOf(job).error({ err: error, attempts, type: job.type }, 'event dead-lettered');
  return 'dead-lettered';
}

/** A retriable error that kept failing: dead-lettered as POISON with the last cause's message. */
function poison(error: unknown, attempts: number) {
  const cause = error as { name?: string; message?: string };
  return {
    name: cause?.name ?? 'Error',
    code: 'POISON',
    message: `gave up after ${attempts} attempts: ${cause?.message ?? String(error)}`,
  };
}

async function seenWithRetry(ctx: RecordContext, event: CloudEvent): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.dedup!.seen(event.source, event.id);
    } catch (error) {
      // The dedup store is infrastructure: retry while active rather than dead-letter a good event.
      if (!ctx.isActive()) throw error;
      ctx.logger.warn({ err: error }, 'dedup lookup failed; retrying');
      await ctx.sleep(backoffDelay(Math.min(attempt, 10), ctx.retry));
    }
  }
}

const textOf = (value: unknown) => (typeof value === 'string' ? value : undefined);

import { performance } from 'node:perf_hooks';
import type { Logger } from '../../../../../lib/logging';
import { isCircuitOpenError, parseRetryAfter } from '../../../../../lib/resilience';
import { WorkflowError } from '../../errors';
import { guardedCall, type OutboundGuard } from '../outboundGuard';
import type { DeliveryRecorder } from './createDeliveryRecorder';
import { fullJitterBackoff, type WebhookRetryOptions } from './webhookRetryOptions';

/** One webhook delivery: where, what, and the headers of each attempt (signed at send time). */
export interface WebhookRequest {
  url: string;
  host: string;
  body: string;
  headers(): Record<string, string>;
}

/** How a delivery runs: retries, guard, record and the step's limits. */
export interface DeliverOptions {
  retry: WebhookRetryOptions;
  guard?: OutboundGuard;
  recorder: DeliveryRecorder;
  /** Aborted when the step's deadline passes. */
  signal: AbortSignal;
  /** Epoch ms of the step's deadline: a retry that could not start before it is not waited for. */
  deadlineAt: number;
  logger: Logger;
}

/** An HTTP answer, its body read. */
export interface WebhookAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** An answer that counts against the host's breaker (thrown inside it, unwrapped outside). */
class UnwellAnswer extends Error {
  constructor(readonly answer: WebhookAnswer) {
    super(`answered ${answer.status}`);
  }
}

/** 408, 429 and 5xx are worth another attempt; any other 4xx will be refused again. */
const isRetriableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

// 429 means "alive, but slow down": the rate limiter handles it, the breaker should not open.
const countsAgainstBreaker = (status: number) => status === 408 || status >= 500;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = () => (clearTimeout(timer), reject(signal.reason as Error));
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });

const failure = (message: string, retriable: boolean) =>
  new WorkflowError('ACTION_FAILED', `webhook.call: ${message}`, retriable);

/**
 * Delivers a webhook: up to `retry.attempts` HTTP attempts, each waiting for the host's token and
 * going through its breaker. 2xx returns; 408, 429, 5xx and network errors retry after
 * `Retry-After` when given, else a full-jitter backoff; any other answer is final (not
 * retriable). An open breaker fails at once (retriable, `CIRCUIT_OPEN`) without calling, and so
 * does a retry that could only start after the step's deadline. Every attempt is recorded.
 */
export async function deliverWebhook(
  request: WebhookRequest,
  options: DeliverOptions,
): Promise<WebhookAnswer> {
  const { retry, guard, recorder, signal, logger } = options;
  const target = { breaker: `webhook:${request.host}`, host: request.host };
  for (let attempt = 1; ; attempt++) {
    let at = new Date();
    let sentAt: number | undefined;
    let answer: WebhookAnswer | undefined;
    let error: unknown;
    try {
      answer = await guardedCall(guard, target, signal, async () => {
        at = new Date();
        sentAt = performance.now();
        const response = await fetch(request.url, {
          method: 'POST',
          signal,
          headers: request.headers(),
          body: request.body,
        });
        const read = { status: response.status, headers: response.headers, text: '' };
        read.text = await response.text();
        if (countsAgainstBreaker(read.status)) throw new UnwellAnswer(read);
        return read;
      });
    } catch (caught) {
      if (caught instanceof UnwellAnswer) answer = caught.answer;
      else error = caught;
    }
    if (isCircuitOpenError(error)) {
      await recorder.finish('FAILED', `CIRCUIT_OPEN: ${error.message}`);
      throw new WorkflowError('CIRCUIT_OPEN', `webhook.call: CIRCUIT_OPEN: ${error.message}`, true);
    }
    const durationMs = sentAt === undefined ? 0 : Math.round(performance.now() - sentAt);
    if (sentAt === undefined) {
      // Aborted while waiting for a token: no HTTP attempt was made.
      await recorder.finish('FAILED', `gave up waiting to call: ${(error as Error).message}`);
      throw error;
    }
    if (answer) guard?.limiter.observe(request.host, answer);
    if (answer && answer.status >= 200 && answer.status < 300) {
      await recorder.attempt({ at, status: answer.status, durationMs }, { state: 'SUCCEEDED' });
      return answer;
    }
    const problem = answer ? `webhook answered ${answer.status}` : (error as Error).message;
    const attemptRecord = { at, status: answer?.status, durationMs, error: problem };
    if (signal.aborted || (answer && !isRetriableStatus(answer.status))) {
      await recorder.attempt(attemptRecord, { state: 'FAILED', reason: problem });
      if (signal.aborted) throw error;
      throw failure(problem, false);
    }
    if (attempt >= retry.attempts) {
      await recorder.attempt(attemptRecord, { state: 'FAILED', reason: problem });
      throw failure(`${problem} (after ${attempt} attempts)`, true);
    }
    const retryAfter = parseRetryAfter(answer?.headers.get('retry-after'));
    const pausedUntil = guard?.limiter.pausedUntil(request.host)?.getTime() ?? 0;
    const waitMs = Math.max(
      retryAfter ?? fullJitterBackoff(retry, attempt),
      pausedUntil - Date.now(),
    );
    const nextRetryAt = new Date(Date.now() + waitMs);
    if (nextRetryAt.getTime() >= options.deadlineAt) {
      // Waiting would only end in the step's timeout; its retry policy (a stored timer) can wait.
      const reason = `${problem}; next attempt due ${nextRetryAt.toISOString()}, after the step deadline`;
      await recorder.attempt(attemptRecord, { state: 'FAILED', reason });
      throw failure(reason, true);
    }
    await recorder.attempt(attemptRecord, { nextRetryAt });
    logger.warn({ url: request.url, attempt, waitMs, error: problem }, 'webhook failed; retrying');
    try {
      await sleep(waitMs, signal);
    } catch (aborted) {
      await recorder.finish('FAILED', `gave up waiting to retry: ${(aborted as Error).message}`);
      throw aborted;
    }
  }
}

import { createHmac } from 'node:crypto';
import type { DeliveryLog } from '../webhooks/deliveryLog';
import { hostOf, type OutboundGuard } from './outboundGuard';
import type { ActionHandler } from './types';
import { createDeliveryRecorder } from './webhook/createDeliveryRecorder';
import { deliverWebhook } from './webhook/deliverWebhook';
import {
  defaultWebhookRetryOptions,
  type WebhookRetryOptions,
} from './webhook/webhookRetryOptions';

/** Header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'x-workflow-signature';
/** Header carrying the signing time in Unix seconds (part of the signed text, against replays). */
export const TIMESTAMP_HEADER = 'x-workflow-timestamp';

/** Computes the signature value a receiver must compare (constant-time) with the header. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Options of {@link createWebhookAction}. */
export interface WebhookActionOptions extends Partial<WebhookRetryOptions> {
  /** Signing secrets by name; a definition names the secret, never contains it. */
  secrets: Record<string, string>;
  /** Breaker per host (`webhook:<host>`) and token bucket per host. @default none (unguarded) */
  guard?: OutboundGuard;
  /** Where each delivery and its attempts are recorded. @default none */
  deliveries?: DeliveryLog;
}

const WEBHOOK_TIMEOUT_MS = 30_000;

const parseBody = (text: string): unknown => {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // a non-JSON answer is kept as text
    return text;
  }
};

/**
 * `webhook.call`: POSTs JSON signed with HMAC-SHA256 through the host's rate limiter and circuit
 * breaker, retrying transient failures (see {@link deliverWebhook}) and recording the delivery.
 */
export function createWebhookAction({
  secrets,
  guard,
  deliveries,
  ...retryGiven
}: WebhookActionOptions): ActionHandler {
  const retry: WebhookRetryOptions = {
    attempts: retryGiven.attempts ?? defaultWebhookRetryOptions.attempts,
    backoffMs: retryGiven.backoffMs ?? defaultWebhookRetryOptions.backoffMs,
    maxBackoffMs: retryGiven.maxBackoffMs ?? defaultWebhookRetryOptions.maxBackoffMs,
  };
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1)
    throw new TypeError(`expected attempts to be an integer >= 1, but got: ${retry.attempts}`);
  return {
    name: 'webhook.call',
    description:
      'POSTs a JSON body to a URL, signed with HMAC-SHA256; retries 5xx, 408, 429 and network errors with backoff, per-host breaker and rate limit.',
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^https?://' },
        body: {},
        secret: { type: 'string', description: 'name of a configured secret', default: 'default' },
      },
    },
    outputSchema: {
      type: 'object',
      required: ['status'],
      properties: { status: { type: 'integer' }, body: {} },
    },
    async run(input, ctx) {
      const startedAt = Date.now();
      const secretName = typeof input.secret === 'string' ? input.secret : 'default';
      const secret = secrets[secretName];
      if (!secret) throw new Error(`no webhook secret named "${secretName}" is configured`);
      const url = String(input.url);
      const host = hostOf(url);
      const body = JSON.stringify({
        runId: ctx.runId,
        stepId: ctx.stepId,
        attempt: ctx.attempt,
        data: input.body ?? null,
      });
      const recorder = createDeliveryRecorder(
        deliveries,
        { runId: ctx.runId, stepId: ctx.stepId, stepAttempt: ctx.attempt, url, host },
        ctx.logger,
      );
      const answer = await deliverWebhook(
        {
          url,
          host,
          body,
          headers: () => {
            const timestamp = String(Math.floor(Date.now() / 1000));
            return {
              'content-type': 'application/json',
              [TIMESTAMP_HEADER]: timestamp,
              [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
              'x-workflow-run-id': ctx.runId,
            };
          },
        },
        {
          retry,
          guard,
          recorder,
          signal: ctx.signal,
          deadlineAt: ctx.deadlineAt ?? startedAt + WEBHOOK_TIMEOUT_MS,
          logger: ctx.logger,
        },
      );
      return { status: answer.status, body: parseBody(answer.text) };
    },
  };
}

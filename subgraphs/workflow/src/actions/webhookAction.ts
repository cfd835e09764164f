import { createHmac } from 'node:crypto';
import type { ActionHandler } from './types';

/** Header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const SIGNATURE_HEADER = 'x-workflow-signature';
/** Header carrying the signing time in Unix seconds (part of the signed text, against replays). */
export const TIMESTAMP_HEADER = 'x-workflow-timestamp';

/** Computes the signature value a receiver must compare (constant-time) with the header. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Options of {@link createWebhookAction}. */
export interface WebhookActionOptions {
  /** Signing secrets by name; a definition names the secret, never contains it. */
  secrets: Record<string, string>;
  /** Attempts per execution for network errors and 5xx/429 answers. @default 3 */
  attempts?: number;
  /** First delay between attempts, doubled each time. @default 200 */
  backoffMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), {
      once: true,
    });
  });

/** `webhook.call`: POSTs JSON signed with HMAC-SHA256, retrying transient failures. */
export function createWebhookAction({
  secrets,
  attempts = 3,
  backoffMs = 200,
}: WebhookActionOptions): ActionHandler {
  return {
    name: 'webhook.call',
    description:
      'POSTs a JSON body to a URL, signed with HMAC-SHA256; retries 5xx, 429 and network errors.',
    timeoutMs: 30_000,
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
      const secretName = typeof input.secret === 'string' ? input.secret : 'default';
      const secret = secrets[secretName];
      if (!secret) throw new Error(`no webhook secret named "${secretName}" is configured`);
      const body = JSON.stringify({
        runId: ctx.runId,
        stepId: ctx.stepId,
        attempt: ctx.attempt,
        data: input.body ?? null,
      });
      let lastError: Error = new Error('not attempted');
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2), ctx.signal);
        const timestamp = String(Math.floor(Date.now() / 1000));
        try {
          const response = await fetch(String(input.url), {
            method: 'POST',
            signal: ctx.signal,
            headers: {
              'content-type': 'application/json',
              [TIMESTAMP_HEADER]: timestamp,
              [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
              'x-workflow-run-id': ctx.runId,
            },
            body,
          });
          const text = await response.text();
          if (response.ok) {
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // a non-JSON answer is kept as text
            }
            return { status: response.status, body: parsed };
          }
          lastError = new Error(`webhook answered ${response.status}`);
          if (response.status < 500 && response.status !== 429) break;
        } catch (error) {
          if (ctx.signal.aborted) throw error;
          lastError = error as Error;
        }
      }
      throw lastError;
    },
  };
}

import { performance } from 'node:perf_hooks';
import express, { type Request, type Response } from 'express';
import { sendGraphQLError } from '../../../../lib/http';
import type { Logger } from '../../../../lib/logging';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../actions/webhookAction';
import type { RunCommands } from '../services/createRunCommands';
import type { WebhookDeliveryLog } from './createDeliveryLog';
import type { SeenDeliveries } from './createSeenDeliveries';
import { runWebhookAction } from './runWebhookAction';
import {
  DELIVERY_ID_HEADER,
  verifyWebhookSignature,
  webhookDigest,
} from './verifyWebhookSignature';
import { refusal, WebhookRefusal } from './webhookRefusal';
import type { WebhookSource } from './webhookSources';

/** Options of {@link mountWebhookRoutes}. */
export interface WebhookRoutesOptions {
  sources: WebhookSource[];
  commands: Pick<RunCommands, 'startRun' | 'signalRun'>;
  seen: SeenDeliveries;
  deliveries: WebhookDeliveryLog;
  logger: Logger;
  /** The clock tolerance windows are measured with. @default Date.now */
  now?: () => number;
}

/** Visible ASCII, bounded: the id is logged and stored. */
const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/** What one request carries through the steps of its handling. */
interface Attempt {
  source: WebhookSource;
  claimedId: string | undefined;
  at: Date;
  started: number;
}

/** Reads the raw body with the source's limit; body-parser's errors become refusals. */
function readRawBody(parse: express.RequestHandler, req: Request, res: Response) {
  return new Promise<Buffer>((resolve, reject) => {
    void parse(req, res, (error?: unknown) => {
      if (!error) return resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      const type = (error as { type?: string }).type;
      reject(
        type === 'entity.too.large'
          ? refusal('BODY_TOO_LARGE', 'the request body exceeds the limit of this source')
          : refusal('INVALID_BODY', 'the request body could not be read'),
      );
    });
  });
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw refusal('INVALID_BODY', 'the request body is not valid JSON');
  }
}

/**
 * Mounts `POST /webhooks/:source` (docs/webhooks.md): reads the raw body (bounded), verifies
 * the source's signature and timestamp, refuses replayed delivery ids, then starts or signals a
 * run and answers 202 `{ runId, deliveryId }`. Every refusal is one log line and a JSON error.
 */
export function mountWebhookRoutes(app: express.Express, options: WebhookRoutesOptions): void {
  const { commands, seen, deliveries, logger, now = Date.now } = options;
  const sources = new Map(
    options.sources.map((source) => [
      source.name,
      { source, parse: express.raw({ type: () => true, limit: source.bodyLimit }) },
    ]),
  );

  /** Answers a refusal, logs it once and records it (a summary until the delivery is trusted). */
  async function refuse(res: Response, attempt: Attempt, error: WebhookRefusal, trusted: boolean) {
    const { source, claimedId, at } = attempt;
    const durationMs = Math.round(performance.now() - attempt.started);
    const deliveryId = claimedId?.slice(0, 200);
    logger.warn(
      { source: source.name, deliveryId, reason: error.reason, status: error.status },
      `inbound webhook refused: ${error.message}`,
    );
    sendGraphQLError(res, error.status, error.code, error.message, { reason: error.reason });
    if (trusted && deliveryId)
      await deliveries.save({
        deliveryId,
        direction: 'INBOUND',
        endpoint: source.name,
        state: 'REFUSED',
        reason: `${error.reason}: ${error.message}`,
        attempts: [{ at, status: error.status, durationMs, error: error.message }],
      });
    else
      await deliveries.recordRefusal({
        source: source.name,
        reason: error.reason,
        status: error.status,
        ...(deliveryId && { claimedDeliveryId: deliveryId }),
        at,
        durationMs,
      });
  }

  /** Verifies and claims the delivery: its id is trusted only once this resolves. */
  async function authenticate(attempt: Attempt, req: Request, raw: Buffer) {
    const { source, claimedId } = attempt;
    const problem = verifyWebhookSignature({
      secret: source.secret,
      timestamp: req.header(TIMESTAMP_HEADER),
      signature: req.header(SIGNATURE_HEADER),
      rawBody: raw,
      toleranceSec: source.toleranceSec,
      nowMs: now(),
    });
    if (problem === 'MISSING_SIGNATURE')
      throw refusal(problem, `${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER} are required`);
    if (problem === 'BAD_SIGNATURE') throw refusal(problem, 'the signature does not match');
    if (problem === 'STALE_TIMESTAMP')
      throw refusal(problem, `the timestamp is more than ${source.toleranceSec}s away`);
    if (!claimedId || !DELIVERY_ID.test(claimedId))
      throw refusal(
        'MISSING_DELIVERY_ID',
        `${DELIVERY_ID_HEADER} must hold 1-200 visible ASCII characters`,
      );
    let fresh: boolean;
    try {
      fresh = await seen.claim({
        source: source.name,
        deliveryId: claimedId,
        signature: webhookDigest(source.secret, req.header(TIMESTAMP_HEADER)!, raw).toString('hex'),
        toleranceSec: source.toleranceSec,
        now: attempt.at,
      });
    } catch (error) {
      logger.error(
        { err: error, source: source.name, deliveryId: claimedId },
        'replay record failed',
      );
      throw refusal('UNAVAILABLE', 'the delivery could not be recorded; retry later');
    }
    if (!fresh) throw refusal('REPLAYED', `delivery ${claimedId} was already received`);
    return claimedId;
  }

  async function handle(req: Request, res: Response) {
    const entry = sources.get(String(req.params.source));
    if (!entry) {
      sendGraphQLError(res, 404, 'NOT_FOUND', 'no webhook source of this name is configured');
      return;
    }
    const { source, parse } = entry;
    const attempt: Attempt = {
      source,
      claimedId: req.header(DELIVERY_ID_HEADER)?.trim(),
      at: new Date(now()),
      started: performance.now(),
    };
    let raw: Buffer;
    let deliveryId: string;
    try {
      raw = await readRawBody(parse, req, res);
      deliveryId = await authenticate(attempt, req, raw);
    } catch (error) {
      if (!(error instanceof WebhookRefusal)) throw error;
      return refuse(res, attempt, error, false);
    }
    try {
      const body = parseJson(raw);
      const { runId } = await runWebhookAction(
        source,
        { deliveryId, body, header: (name) => req.header(name) },
        commands,
      );
      res.status(202).json({ runId, deliveryId });
      const durationMs = Math.round(performance.now() - attempt.started);
      await deliveries.save({
        deliveryId,
        direction: 'INBOUND',
        endpoint: source.name,
        runId,
        state: 'SUCCEEDED',
        attempts: [{ at: attempt.at, status: 202, durationMs }],
      });
    } catch (error) {
      // Only accepted deliveries stay claimed: the sender may retry a refused or failed one
      // (a start is idempotent by delivery id anyway).
      await seen.release(source.name, deliveryId).catch(() => undefined);
      if (error instanceof WebhookRefusal) return refuse(res, attempt, error, true);
      logger.error({ err: error, source: source.name, deliveryId }, 'inbound webhook failed');
      sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      await deliveries.save({
        deliveryId,
        direction: 'INBOUND',
        endpoint: source.name,
        state: 'FAILED',
        reason: 'INTERNAL_SERVER_ERROR',
        attempts: [{ at: attempt.at, status: 500, durationMs: 0, error: (error as Error).message }],
      });
    }
  }

  app.post('/webhooks/:source', (req, res, next) => {
    handle(req, res).catch(next);
  });
}

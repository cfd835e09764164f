import { GraphQLError } from 'graphql';
import type { RunCommands } from '../services/createRunCommands';
import { resolveJsonPointer } from './jsonPointer';
import { refusal, WebhookRefusal } from './webhookRefusal';
import type { WebhookSource } from './webhookSources';

/** A verified, first-seen delivery. */
export interface VerifiedDelivery {
  deliveryId: string;
  /** The parsed JSON body. */
  body: unknown;
  /** Reads a request header (lower-case name). */
  header(name: string): string | undefined;
}

/** HTTP statuses of the run commands' typed errors (`extensions.code`). */
const COMMAND_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
};

/** The idempotency key of a run started by a delivery: a sender's retry returns the same run. */
export const webhookIdempotencyKey = (source: string, deliveryId: string) =>
  `webhook:${source}:${deliveryId}`;

/**
 * Starts or signals a run as the source is configured, through the same commands as the
 * GraphQL mutations; their typed refusals become a `RUN_REFUSED` refusal with the command's
 * code and a 4xx status. Anything else (the database failing) is thrown as is.
 */
export async function runWebhookAction(
  source: WebhookSource,
  delivery: VerifiedDelivery,
  commands: Pick<RunCommands, 'startRun' | 'signalRun'>,
): Promise<{ runId: string }> {
  const { action } = source;
  try {
    if (action.type === 'start') {
      const run = await commands.startRun({
        definitionId: action.definitionId,
        version: action.version ?? null,
        input: resolveJsonPointer(delivery.body, action.inputPointer) ?? {},
        idempotencyKey: webhookIdempotencyKey(source.name, delivery.deliveryId),
      });
      return { runId: run._id };
    }
    const runId = action.runIdHeader
      ? delivery.header(action.runIdHeader)
      : resolveJsonPointer(delivery.body, action.runIdPointer ?? '');
    if (typeof runId !== 'string' || runId === '')
      throw refusal(
        'NO_RUN_ID',
        action.runIdHeader
          ? `header ${action.runIdHeader} must name the run to signal`
          : `the body must hold the run id (a string) at ${action.runIdPointer}`,
      );
    const payload = resolveJsonPointer(delivery.body, action.payloadPointer) ?? null;
    const run = await commands.signalRun(runId, action.signal, payload);
    return { runId: run._id };
  } catch (error) {
    const code = error instanceof GraphQLError ? error.extensions.code : undefined;
    const status = typeof code === 'string' ? COMMAND_STATUS[code] : undefined;
    if (status && typeof code === 'string')
      throw new WebhookRefusal('RUN_REFUSED', status, code, (error as Error).message);
    throw error;
  }
}

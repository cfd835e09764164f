import { badUserInput } from '../../../../lib/graphql';
import type { WebhookDeliveryDoc, WebhookDeliveryModel } from '../models/WebhookDelivery';
import type { DeliveryRecord, DeliveryState } from './deliveryLog';

/** `WebhookDeliveryFilter` input. */
export interface DeliveryFilter {
  direction?: DeliveryRecord['direction'] | null;
  state?: DeliveryState[] | null;
  endpoint?: string | null;
  runId?: string | null;
  /** Deliveries created at or after this time. */
  since?: Date | null;
}

/** Largest page. */
const MAX_PAGE = 200;

const encodeCursor = (doc: WebhookDeliveryDoc) =>
  Buffer.from(`${doc.createdAt.toISOString()}|${doc._id}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf('|');
  const createdAt = new Date(text.slice(0, at));
  if (at <= 0 || Number.isNaN(createdAt.getTime()))
    throw badUserInput('after', 'expected a cursor from a previous page');
  return { createdAt, id: text.slice(at + 1) };
}

/** One page of the delivery log, newest first, and the cursor of the next (null on the last). */
export async function listDeliveries(
  model: WebhookDeliveryModel,
  args: { filter?: DeliveryFilter | null; first?: number | null; after?: string | null },
): Promise<{ nodes: (WebhookDeliveryDoc & { id: string })[]; nextCursor: string | null }> {
  const first = Math.min(Math.max(args.first ?? 50, 1), MAX_PAGE);
  const { filter } = args;
  const query: Record<string, unknown> = {};
  if (filter?.direction) query.direction = filter.direction;
  if (filter?.state?.length) query.state = { $in: filter.state };
  if (filter?.endpoint) query.endpoint = filter.endpoint;
  if (filter?.runId) query.runId = filter.runId;
  if (filter?.since) query.createdAt = { $gte: filter.since };
  if (args.after) {
    const page = decodeCursor(args.after);
    query.$or = [
      { createdAt: { $lt: page.createdAt } },
      { createdAt: page.createdAt, _id: { $lt: page.id } },
    ];
  }
  const docs = await model
    .find(query)
    .sort({ createdAt: -1, _id: -1 })
    .limit(first + 1)
    .lean<WebhookDeliveryDoc[]>();
  const nodes = docs.slice(0, first);
  return {
    nodes: nodes.map((doc) => ({ ...doc, id: doc._id })),
    nextCursor: docs.length > first ? encodeCursor(nodes[nodes.length - 1]!) : null,
  };
}

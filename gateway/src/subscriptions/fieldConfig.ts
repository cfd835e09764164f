import type { ExecutionResult } from 'graphql';
import type { DomainTopic } from '../../../lib/kafka';

/** The event data the gateway needs to order, filter and resolve one event. */
export interface FeedEvent {
  /** Id of the stored event document, passed to the event query field. */
  id: string;
  /** Ordering scope (e.g. the run id): sequences increase within one stream. */
  stream: string;
  sequence: number;
  cursor: string;
  terminal: boolean;
  data: Record<string, unknown>;
  /** The client's result for this event when it was read with it (a history page). */
  result?: ExecutionResult;
}

/** Stored history of one stream, used for the snapshot, the `after` replay and gap filling. */
export interface HistoryConfig {
  /** Root query field listing stored events: `(stream, after, first) → [event]`. */
  field: string;
  /** Argument of the subscription field (and of `field`) naming the stream. */
  streamArgument: string;
  /** Argument of the subscription field (and of `field`) carrying the resume cursor. */
  afterArgument: string;
  /** @default 100 */
  pageSize?: number;
}

/** How one subscription field of the supergraph is served from a Kafka topic. */
export interface SubscriptionFieldConfig {
  /** Domain topic the events travel on (`topics.events(domain)`). */
  topic: DomainTopic;
  /** CloudEvents types that feed this field; other types are ignored. */
  eventTypes: readonly string[];
  /** CloudEvents types that end the stream (the subscription completes after delivering one). */
  terminalEventTypes: readonly string[];
  /** Value of the history's `kind` field that marks a terminal event. */
  terminalKind: string;
  /** Root query field resolving one event by id; each delivery is a query on it. */
  eventQueryField: string;
  /** @default 'id' */
  eventIdArgument?: string;
  /** Does an event (its data) belong to a subscription with these arguments? */
  matches(args: Record<string, unknown>, data: Record<string, unknown>): boolean;
  /** Present for per-stream subscriptions with a snapshot and resumable replay. */
  history?: HistoryConfig;
  /**
   * The first message of a subscription without a cursor: the current state, read from a root
   * query field `(streamArgument) → event` that returns a SNAPSHOT event carrying the sequence it
   * reflects. A snapshot whose `status` is terminal completes the subscription.
   */
  snapshot?: { field: string; terminalStatuses: readonly string[] };
  /**
   * The first messages of a subscription over many streams: a root query field taking the
   * subscription's own arguments and returning one SNAPSHOT event per stream it watches.
   */
  initialStates?: { field: string; streamField: string };
  /** The resource the per-run authorization hook is asked about, if any. */
  resourceId?(args: Record<string, unknown>): string | undefined;
}

/** Every filter key must be present in the event data and equal (or, for a list, contain it). */
function matchesFilter(filter: unknown, data: Record<string, unknown>): boolean {
  if (filter === null || filter === undefined || typeof filter !== 'object') return true;
  return Object.entries(filter as Record<string, unknown>).every(([key, wanted]) => {
    if (wanted === null || wanted === undefined) return true;
    if (!(key in data)) return false;
    return Array.isArray(wanted) ? wanted.includes(data[key]) : data[key] === wanted;
  });
}

const WORKFLOW_EVENT_TYPES = [
  'workflow.run.started',
  'workflow.run.transitioned',
  'workflow.step.progressed',
  'workflow.run.completed',
] as const;

/** The subscription fields of the workflow subgraph (schema/workflow.graphql). */
export const WORKFLOW_SUBSCRIPTION_FIELDS: Record<string, SubscriptionFieldConfig> = {
  runProgress: {
    topic: 'workflow',
    eventTypes: WORKFLOW_EVENT_TYPES,
    terminalEventTypes: ['workflow.run.completed'],
    terminalKind: 'COMPLETED',
    eventQueryField: 'runProgressEvent',
    matches: (args, data) => data.runId === args.runId,
    history: { field: 'runProgressEvents', streamArgument: 'runId', afterArgument: 'after' },
    snapshot: {
      field: 'runProgressSnapshot',
      terminalStatuses: ['SUCCEEDED', 'FAILED', 'CANCELLED', 'COMPENSATED'],
    },
    resourceId: (args) => (typeof args.runId === 'string' ? args.runId : undefined),
  },
  runsChanged: {
    topic: 'workflow',
    eventTypes: WORKFLOW_EVENT_TYPES,
    terminalEventTypes: [],
    terminalKind: 'COMPLETED',
    eventQueryField: 'runProgressEvent',
    matches: (args, data) => matchesFilter(args.filter, data),
    initialStates: { field: 'runsChangedSnapshot', streamField: 'runId' },
  },
};

/** Reads the ordering fields of a live event's data; undefined when the event lacks them. */
export function toFeedEvent(
  config: SubscriptionFieldConfig,
  event: { type: string; subject: string; sequence: number; data: unknown },
): FeedEvent | undefined {
  if (!config.eventTypes.includes(event.type)) return undefined;
  if (typeof event.data !== 'object' || event.data === null) return undefined;
  const data = event.data as Record<string, unknown>;
  const id = data.id;
  const sequence = typeof data.sequence === 'number' ? data.sequence : event.sequence;
  if (typeof id !== 'string' || typeof sequence !== 'number') return undefined;
  const stream = typeof data.runId === 'string' ? data.runId : event.subject;
  return {
    id,
    stream,
    sequence,
    cursor: typeof data.cursor === 'string' ? data.cursor : String(sequence),
    terminal: config.terminalEventTypes.includes(event.type),
    data,
  };
}

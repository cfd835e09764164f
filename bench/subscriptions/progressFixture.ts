/**
 * Bench fixture: the workflow subgraph's progress contract served from memory (as
 * test/integration/gateway/fixtures/progressSubgraphs.ts does, with the same SDL and the same way
 * of publishing events), but with indexed stores so 10,000+ stored events stay cheap to resolve,
 * batch publishing, and without a gateway: the bench starts the gateway in its own process over the
 * supergraph file written here.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { Partitioners, type Producer } from 'kafkajs';
import { createEvent, encodeEvent } from '../../lib/events';
import { createKafka, topicNames } from '../../lib/kafka';
import { createLogger } from '../../lib/logging';
import { startSubgraphServer, type RunningSubgraph } from '../../lib/graphql';
// The integration fixture's contract, so the bench measures what the tests check.
import {
  LABELS_SDL,
  PROGRESS_SDL,
} from '../../test/integration/gateway/fixtures/progressSubgraphs';

export type ProgressKind = 'STARTED' | 'TRANSITIONED' | 'STEP_PROGRESSED' | 'COMPLETED';

interface StoredEvent {
  id: string;
  runId: string;
  sequence: number;
  cursor: string;
  kind: ProgressKind;
  /** Publish time (ISO, ms precision): the latency reference read by the clients. */
  at: string;
  status: 'RUNNING' | 'SUCCEEDED';
  toStep: string | null;
}

const EVENT_TYPES = {
  STARTED: 'workflow.run.started',
  TRANSITIONED: 'workflow.run.transitioned',
  STEP_PROGRESSED: 'workflow.step.progressed',
  COMPLETED: 'workflow.run.completed',
} as const;

export interface BenchProgressFixture {
  /** Environment for a gateway over this fixture (SUPERGRAPH_PATH, Kafka prefix, …). */
  gatewayEnv: Record<string, string>;
  /** Stores one event per run (next sequence of each) and publishes them in one Kafka request. */
  emitMany(runIds: readonly string[], kind: ProgressKind): Promise<void>;
  /** Stores and publishes one event (awaits Kafka's acknowledgement). */
  emit(runId: string, kind: ProgressKind): Promise<void>;
  /** Last stored sequence of a run (0 = none). */
  lastSequence(runId: string): number;
  /** Resolver calls served by the subgraphs (load the gateway puts on them). */
  readonly subgraphCalls: number;
  stop(): Promise<void>;
}

/**
 * Starts the two fixture subgraphs (progress, labels) on loopback and a Kafka producer on the
 * topic the gateway reads; `env` must hold KAFKA_BROKERS and KAFKA_TOPIC_PREFIX.
 */
export async function startBenchProgressFixture(
  env: Record<string, string | undefined>,
): Promise<BenchProgressFixture> {
  const logger = createLogger({ name: 'bench-fixture', level: 'warn' });
  const byId = new Map<string, StoredEvent>();
  const byRun = new Map<string, StoredEvent[]>();
  let subgraphCalls = 0;
  const subgraphs: RunningSubgraph[] = [];
  subgraphs.push(
    await startSubgraphServer({
      name: 'progress',
      typeDefs: parse(PROGRESS_SDL),
      resolvers: {
        Query: {
          runProgressEvents: (
            _: unknown,
            args: { runId: string; after?: string | null; first: number },
          ) => {
            subgraphCalls++;
            return (byRun.get(args.runId) ?? [])
              .filter((e) => !args.after || e.cursor > args.after)
              .slice(0, args.first);
          },
          runProgressEvent: (_: unknown, args: { id: string }) => {
            subgraphCalls++;
            return byId.get(args.id) ?? null;
          },
          runProgressSnapshot: (_: unknown, args: { runId: string }) => {
            subgraphCalls++;
            const latest = byRun.get(args.runId)?.at(-1);
            return latest && { ...latest, id: `${latest.id}:snapshot`, kind: 'SNAPSHOT' };
          },
        },
        RunProgressEvent: {
          __resolveReference: (ref: { id: string }) => byId.get(ref.id) ?? null,
          run: (event: StoredEvent) => ({ id: event.runId, status: event.status }),
          padding: (_: unknown, args: { bytes: number }) => 'x'.repeat(args.bytes),
        },
        WorkflowRun: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id, status: 'RUNNING' }),
        },
      },
      createContext: (base) => base,
      port: 0,
      host: '127.0.0.1',
      logger,
    }),
  );
  subgraphs.push(
    await startSubgraphServer({
      name: 'labels',
      typeDefs: parse(LABELS_SDL),
      resolvers: {
        WorkflowRun: {
          __resolveReference: (ref: { id: string }) => {
            subgraphCalls++;
            return { id: ref.id, label: `label of ${ref.id}` };
          },
        },
      },
      createContext: (base) => base,
      port: 0,
      host: '127.0.0.1',
      logger,
    }),
  );
  const [progress, labels] = subgraphs as [RunningSubgraph, RunningSubgraph];
  const composition = composeServices([
    { name: 'progress', typeDefs: parse(PROGRESS_SDL), url: progress.graphqlUrl },
    { name: 'labels', typeDefs: parse(LABELS_SDL), url: labels.graphqlUrl },
  ]);
  if (composition.errors) throw new Error(composition.errors.map((e) => e.message).join('\n'));
  const supergraphPath = join(mkdtempSync(join(tmpdir(), 'sub-bench-')), 'supergraph.graphql');
  writeFileSync(supergraphPath, composition.supergraphSdl);

  const brokers = (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const topicPrefix = env.KAFKA_TOPIC_PREFIX ?? '';
  const kafka = createKafka({ brokers, clientId: 'bench-fixture', logger });
  const topic = topicNames(topicPrefix).events('workflow');
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();

  const store = (runId: string, kind: ProgressKind): StoredEvent => {
    const list = byRun.get(runId) ?? [];
    byRun.set(runId, list);
    const sequence = list.length + 1;
    const event: StoredEvent = {
      id: `${runId}:${sequence}`,
      runId,
      sequence,
      cursor: String(sequence).padStart(10, '0'),
      kind,
      at: new Date().toISOString(),
      status: kind === 'COMPLETED' ? 'SUCCEEDED' : 'RUNNING',
      toStep: null,
    };
    list.push(event);
    byId.set(event.id, event);
    return event;
  };
  const message = (event: StoredEvent) =>
    encodeEvent(
      createEvent({
        type: EVENT_TYPES[event.kind],
        source: 'fixture/workflow',
        subject: event.runId,
        sequence: event.sequence,
        data: {
          id: event.id,
          runId: event.runId,
          sequence: event.sequence,
          cursor: event.cursor,
          status: event.status,
        },
      }),
    );

  return {
    gatewayEnv: { SUPERGRAPH_PATH: supergraphPath },
    async emitMany(runIds, kind) {
      // Chunks keep each produce request well under the broker's message size limit.
      for (let i = 0; i < runIds.length; i += 500) {
        const events = runIds.slice(i, i + 500).map((runId) => store(runId, kind));
        await producer.send({ topic, acks: -1, messages: events.map(message) });
      }
    },
    async emit(runId, kind) {
      await producer.send({ topic, acks: -1, messages: [message(store(runId, kind))] });
    },
    lastSequence: (runId) => byRun.get(runId)?.length ?? 0,
    get subgraphCalls() {
      return subgraphCalls;
    },
    async stop() {
      await producer.disconnect();
      for (const subgraph of subgraphs) await subgraph.stop();
    },
  };
}

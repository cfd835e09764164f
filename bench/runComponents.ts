/**
 * Benchmark: how long until the components a run generates are registered by the registry command
 * handlers (registry role) and linked to the run (workflow role), measured through the gateway.
 * Starts RUNS runs of the built-in pipeline at once, each generating COMPONENTS components, and
 * polls `workflowRun(id).components` (every 100 ms) until every component is listed. The key
 * figure is the time from the end of the run's `components` step (requests committed) to the
 * moment all its components were listed: outbox relay, registry command group, registry outbox,
 * link consumer.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URI=mongodb://127.0.0.1:27017/ npx tsx bench/runComponents.ts
 *
 * Env: BENCH_RUNS (default 10), BENCH_COMPONENTS (default 3).
 */
import mongoose from 'mongoose';
import { createKafkaTransport, decodeEvent } from '../lib/events';
import { createKafka } from '../lib/kafka';
import { createLogger } from '../lib/logging';
import { startBenchStack } from './benchStack';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const COMPONENTS = Number(process.env.BENCH_COMPONENTS ?? 3);
const POLL_MS = 100;

async function post<D>(url: string, query: string, variables: object = {}): Promise<D> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: D; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Starts one run and resolves with the ms until it SUCCEEDED and until all components were linked. */
async function measureRun(url: string, index: number, registry: mongoose.Connection) {
  const started = Date.now();
  const components = Array.from({ length: COMPONENTS }, (_, i) => ({
    name: `Bench${index}x${i}`,
    type: 'ATOM',
    version: '1.0.0',
  }));
  const { startRun } = await post<{ startRun: { id: string } }>(
    url,
    `mutation S($input: StartRunInput!) { startRun(input: $input) { id } }`,
    {
      input: {
        definitionId: 'component-generation-pipeline',
        input: { components },
        idempotencyKey: `bench-${index}-${started}`,
      },
    },
  );
  let succeededMs: number | undefined;
  let linkedAt: number | undefined;
  for (;;) {
    const { workflowRun } = await post<{
      workflowRun: {
        status: string;
        components: { id: string }[];
        steps: { stepId: string; finishedAt: string | null }[];
      };
    }>(
      url,
      `query R($id: ID!) { workflowRun(id: $id) { status components { id } steps { stepId finishedAt } } }`,
      { id: startRun.id },
    );
    const now = Date.now();
    if (workflowRun.status === 'SUCCEEDED') succeededMs ??= now - started;
    if (workflowRun.components.length === COMPONENTS) linkedAt ??= now;
    if (succeededMs !== undefined && linkedAt !== undefined) {
      // The `components` step committed the registration requests when it finished.
      const requested = workflowRun.steps.find((step) => step.stepId === 'components')?.finishedAt;
      const requestedAt = new Date(requested!).getTime();
      // When the registry command handlers stored the components (the split point of the path).
      const stored = await registry
        .collection<{ createdAt: Date }>('components')
        .find({ name: { $in: components.map((c) => c.name) } })
        .toArray();
      const registeredAt = Math.max(...stored.map((doc) => doc.createdAt.getTime()));
      return {
        names: components.map((c) => c.name),
        requestedAt,
        registeredAt,
        succeededMs,
        linkedMs: linkedAt - started,
        requestToLinkMs: linkedAt - requestedAt,
        requestToRegisteredMs: registeredAt - requestedAt,
        registeredToLinkMs: linkedAt - registeredAt,
      };
    }
    if (now - started > 180_000) throw new Error(`run ${startRun.id} not linked in 180 s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function main() {
  const { stack, suffix } = await startBenchStack();
  const registry = await mongoose
    .createConnection(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/', {
      dbName: `bench${suffix}_registry`,
    })
    .asPromise();
  try {
    // One warm-up run: group joins and first connections are not what we measure.
    await measureRun(stack.gatewayUrl, -1, registry);
    const begin = Date.now();
    const results = await Promise.all(
      Array.from({ length: RUNS }, (_, i) => measureRun(stack.gatewayUrl, i, registry)),
    );
    const wallMs = Date.now() - begin;
    const succeeded = results.map((r) => r.succeededMs).sort((a, b) => a - b);
    const linked = results.map((r) => r.linkedMs).sort((a, b) => a - b);
    const sorted = (pick: (r: (typeof results)[number]) => number) =>
      results.map(pick).sort((a, b) => a - b);
    const row = (values: number[]) => ({
      p50: percentile(values, 50),
      p95: percentile(values, 95),
    });
    const lag = sorted((r) => r.requestToLinkMs);
    // When the workflow's outbox relay put the registration requests on Kafka (record timestamps).
    const kafka = createKafka({
      brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
      clientId: `bench${suffix}-reader`,
      logger: createLogger({ name: 'bench', level: 'error' }),
    });
    const publishedAt = new Map<string, number>();
    const reader = createKafkaTransport({
      kafka,
      logger: createLogger({ name: 'bench', level: 'error' }),
    });
    const records = await reader.read(`bench${suffix}.workflow.events`);
    await reader.close();
    for (const { message } of records) {
      const event = decodeEvent(message);
      if (event.type !== 'component.registration.requested') continue;
      publishedAt.set((event.data as { name: string }).name, Number(message.timestamp));
    }
    const published = (r: (typeof results)[number]) =>
      Math.max(...r.names.map((name) => publishedAt.get(name) ?? NaN));
    console.log(`${RUNS} concurrent runs x ${COMPONENTS} generated components, wall ${wallMs} ms`);
    console.table({
      'startRun -> SUCCEEDED': { p50: percentile(succeeded, 50), p95: percentile(succeeded, 95) },
      'startRun -> all linked': { p50: percentile(linked, 50), p95: percentile(linked, 95) },
      'components step done -> all linked (±100 ms poll)': {
        p50: percentile(lag, 50),
        p95: percentile(lag, 95),
      },
      '  of which: step done -> on Kafka (workflow outbox)': row(
        sorted((r) => published(r) - r.requestedAt),
      ),
      '  of which: on Kafka -> registered (command group)': row(
        sorted((r) => r.registeredAt - published(r)),
      ),
      '  of which: registered -> listed': row(sorted((r) => r.registeredToLinkMs)),
    });
  } finally {
    await registry.close();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

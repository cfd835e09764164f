/**
 * Benchmark: cost of tracing on GraphQL requests through the gateway, with the whole stack in one
 * process. Runs each tracing mode in its own process (a tracer provider is process-wide):
 *   none   - no tracer provider (the default): API no-op, traceparent passed through
 *   memory - every span recorded into an in-memory exporter (SDK cost without I/O)
 *   otlp   - BatchSpanProcessor + OTLP/HTTP exporter to a closed port (export fails, spans dropped)
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URI=mongodb://127.0.0.1:27017/ npx tsx bench/telemetry.ts
 *
 * Env: BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 10), BENCH_ROUNDS (default 2),
 * BENCH_ORDER (default none,otlp,memory).
 */
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ExportResultCode } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { loadQuery, postQuery, startBenchStack } from './benchStack';
import {
  activeContext,
  createGraphQLTracing,
  injectContext,
  platformTracer,
  startTelemetry,
  withSpan,
} from '../lib/telemetry';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
type Mode = 'none' | 'memory' | 'otlp';
/** Interleaved rounds: the machine is shared, so each mode's median over rounds is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** Mode order within a round, e.g. `memory,otlp,none` to check for order effects. */
const ROUND_ORDER = (process.env.BENCH_ORDER ?? 'none,otlp,memory').split(',') as Mode[];
const RUN_ORDER: Mode[] = Array.from({ length: ROUNDS }, () => ROUND_ORDER).flat();

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

const SMALL = /* GraphQL */ `
  query Small {
    components(first: 5) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`;
const CROSS_SUBGRAPH = /* GraphQL */ `
  query Cross {
    components(first: 10) {
      edges {
        node {
          id
          name
          dependencies {
            id
            name
          }
          impact {
            riskScore
          }
          insights {
            eventCount
          }
        }
      }
    }
  }
`;

const load = (title: string, url: string, query: string) =>
  loadQuery(title, url, query, { connections: CONNECTIONS, seconds: SECONDS });

/** One mode, in this process; prints one JSON line per query. */
async function runMode(mode: Mode) {
  const exporter = new InMemorySpanExporter();
  const telemetry = await startTelemetry(
    mode === 'otlp'
      ? { exporter: 'otlp', otlpEndpoint: 'http://127.0.0.1:9' }
      : { exporter: 'none' },
    'bench',
    mode === 'memory' ? { spanProcessors: [new SimpleSpanProcessor(exporter)] } : {},
  );
  const { stack } = await startBenchStack();
  try {
    for (let i = 0; i < 10; i++) {
      await postQuery(
        stack.gatewayUrl,
        `mutation ($input: RegisterComponentInput!) { registerComponent(input: $input) { component { id } } }`,
        { input: { name: `Bench${i}`, type: 'ATOM', version: '1.0.0' } },
      );
    }
    await postQuery(stack.gatewayUrl, SMALL);
    await postQuery(stack.gatewayUrl, CROSS_SUBGRAPH);
    for (const [title, query] of [
      ['small (registry only)', SMALL],
      ['cross-subgraph (3 subgraphs)', CROSS_SUBGRAPH],
    ] as const) {
      exporter.reset();
      const row = await load(title, stack.gatewayUrl, query);
      const spans = exporter.getFinishedSpans().length;
      // Prefixed: the stack's warn-level pino lines share stdout.
      console.log(
        `BENCH ${JSON.stringify({ mode, ...row, spansPerRequest: spans / (row.rps * SECONDS) })}`,
      );
    }
  } finally {
    await stack.stop();
    await telemetry.stop();
  }
}

/**
 * CPU cost of the tracing work of one gateway → subgraph request without any I/O: the spans this
 * platform and @apollo/gateway open (server, request, plan, execute, fetch, client, subgraph
 * server), with traceparent inject/extract, tracing off vs recorded in memory.
 */
async function micro() {
  const gateway = createGraphQLTracing({ name: 'gateway' });
  const subgraph = createGraphQLTracing({ name: 'registry', logCorrelationId: false });
  const tracer = () => platformTracer('bench');
  const oneRequest = async () => {
    const res = new EventEmitter() as never as ServerResponse;
    const req = { method: 'POST', url: '/graphql', headers: { traceparent: CALLER } } as never;
    await new Promise<void>((resolve) =>
      gateway.middleware(req, res, () => {
        void (async () => {
          for (const name of [
            'gateway.request',
            'gateway.plan',
            'gateway.execute',
            'gateway.fetch',
          ]) {
            await withSpan(tracer(), name, {}, activeContext(), async () => undefined);
          }
          await withSpan(tracer(), 'subgraph registry', {}, activeContext(), async () => {
            const headers = injectContext({});
            const subReq = { method: 'POST', url: '/graphql', headers } as never;
            const subRes = new EventEmitter() as never as ServerResponse;
            subgraph.middleware(subReq, subRes, () => undefined);
            subRes.emit('close');
          });
          res.emit('close');
          resolve();
        })();
      }),
    );
  };
  const time = async (label: string) => {
    for (let i = 0; i < 2_000; i++) await oneRequest(); // warm-up
    const n = 20_000;
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await oneRequest();
    const us = Number(process.hrtime.bigint() - started) / 1e3 / n;
    console.log(`micro ${label.padEnd(44)} ${us.toFixed(1)} µs per request`);
  };
  await time('tracing off (pass-through)');
  // What the OTLP set-up costs on the request path: batching, with the export itself discarded.
  const discard: SpanExporter = {
    export: (_spans, done) => done({ code: ExportResultCode.SUCCESS }),
    shutdown: async () => undefined,
  };
  let telemetry = await startTelemetry({ exporter: 'none' }, 'bench', {
    spanProcessors: [new BatchSpanProcessor(discard)],
  });
  await time('7 spans/request, batched, export discarded');
  await telemetry.stop();
  telemetry = await startTelemetry({ exporter: 'none' }, 'bench', {
    spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())],
  });
  await time('7 spans/request, kept in memory (tests)');
  await telemetry.stop();
}

function main() {
  const rows: Record<
    string,
    {
      mode: Mode;
      title: string;
      rps: number;
      p50: number;
      p99: number;
      errors: number;
      spansPerRequest: number;
    }[]
  > = {};
  for (const mode of RUN_ORDER) {
    // The same node binary and tsx loader flags as this process, without an npx wrapper.
    const child = spawnSync(process.execPath, [...process.execArgv, __filename], {
      env: { ...process.env, BENCH_TRACING_MODE: mode },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`${mode} run failed:\n${child.stderr}`);
    for (const line of child.stdout.split('\n').filter((l) => l.startsWith('BENCH '))) {
      const row = JSON.parse(line.slice(6));
      (rows[row.title] ??= []).push(row);
    }
  }
  const microRun = spawnSync(process.execPath, [...process.execArgv, __filename], {
    env: { ...process.env, BENCH_MICRO: 'only' },
    encoding: 'utf8',
  });
  for (const line of microRun.stdout.split('\n').filter((l) => l.startsWith('micro '))) {
    console.log(line);
  }
  console.log(`${CONNECTIONS} connections, ${SECONDS} s per run, whole stack in one process`);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  for (const [title, runs] of Object.entries(rows)) {
    const of = (m: Mode) => runs.filter((r) => r.mode === m);
    const base = median(of('none').map((r) => r.rps));
    for (const m of ['none', 'otlp', 'memory'] as Mode[]) {
      const rps = median(of(m).map((r) => r.rps));
      const p50 = median(of(m).map((r) => r.p50));
      const spans = median(of(m).map((r) => r.spansPerRequest));
      console.log(
        `${title.padEnd(30)} ${m.padEnd(6)} median ${String(rps).padStart(5)} req/s ` +
          `(runs: ${of(m)
            .map((r) => r.rps)
            .join(', ')})  p50 ${p50} ms  errors ${of(m).reduce((sum, r) => sum + r.errors, 0)}` +
          `  ${(rps / base).toFixed(2)}x of none` +
          (m === 'memory' ? `  (${spans.toFixed(1)} spans/request)` : ''),
      );
    }
  }
}

const mode = process.env.BENCH_TRACING_MODE as Mode | undefined;
if (process.env.BENCH_MICRO === 'only') {
  void micro();
} else if (mode) {
  runMode(mode).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main();
}

import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ensureContextManager } from './contextManager';
import { defaultTelemetryOptions, type TelemetryOptions } from './options';

/** Tracing of this process, as set up by {@link startTelemetry}. */
export interface Telemetry {
  /** True when spans are recorded (a tracer provider is installed). */
  readonly recording: boolean;
  /** Flushes pending spans and uninstalls the provider (no-op for a handle that installed nothing). */
  stop(): Promise<void>;
}

/** Extra set-up, for tests and benchmarks. */
export interface TelemetryExtras {
  /** Processors added to the configured exporter's, e.g. a SimpleSpanProcessor over an InMemorySpanExporter. */
  spanProcessors?: SpanProcessor[];
}

/** Longest wait for the last spans at shutdown; an unreachable collector would stall it ~10 s. */
export const SHUTDOWN_FLUSH_TIMEOUT_MS = 3000;

let installed: BasicTracerProvider | undefined;

/** Whether this process records spans (hot paths skip building span attributes otherwise). */
export function isTracing(): boolean {
  return installed !== undefined;
}

async function exporterProcessors(options: TelemetryOptions): Promise<SpanProcessor[]> {
  switch (options.exporter) {
    case 'none':
      return [];
    case 'console':
      return [new SimpleSpanProcessor(new ConsoleSpanExporter())];
    case 'otlp': {
      // Loaded only when used: the OTLP exporter pulls in protobuf and HTTP transport code.
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
      return [new BatchSpanProcessor(new OTLPTraceExporter({ url }))];
    }
    default:
      return unreachable(options.exporter);
  }
}

function unreachable(value: never): never {
  throw new Error(`expected a trace exporter kind, but got: ${String(value)}`);
}

/**
 * Sets up OpenTelemetry tracing for this process: the W3C trace-context propagator always, and
 * the async-hooks context manager plus a tracer provider when there is somewhere to send spans.
 * Tracing off, the context manager is installed by the first `runInContext` instead (a
 * received traceparent passed through to events): a process that never needs an async context
 * (the gateway serving HTTP) never pays for async hooks, which track every promise (issue 12
 * measured about 1 ms of CPU per federated request in the gateway).
 * Call once from a process entry point (main.ts) before serving; the first call wins and later
 * ones return a handle that does nothing, as one process may host several roles.
 */
export async function startTelemetry(
  options: Partial<TelemetryOptions> | undefined,
  defaultServiceName: string,
  extras: TelemetryExtras = {},
): Promise<Telemetry> {
  const resolved: TelemetryOptions = { ...defaultTelemetryOptions, ...options };
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (installed) return { recording: true, stop: async () => {} };
  const spanProcessors = [
    ...(await exporterProcessors(resolved)),
    ...(extras.spanProcessors ?? []),
  ];
  // Tracing off: no provider, so the API hands out non-recording spans that carry the parent's
  // context: nothing is allocated per span, yet a received traceparent is forwarded as is.
  if (spanProcessors.length === 0) return { recording: false, stop: async () => {} };
  ensureContextManager();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: resolved.serviceName ?? defaultServiceName,
    }),
    sampler: new ParentBasedSampler({
      root: new TraceIdRatioBasedSampler(resolved.samplerRatio),
    }),
    spanProcessors,
  });
  trace.setGlobalTracerProvider(provider);
  installed = provider;
  return {
    recording: true,
    async stop() {
      if (installed !== provider) return;
      installed = undefined;
      // The final flush fails when the collector is unreachable (after the exporter's retries,
      // ~10 s): those spans are lost, but a missing collector must neither fail nor stall a
      // graceful shutdown, so it gets a bounded wait.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SHUTDOWN_FLUSH_TIMEOUT_MS);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      // Lets a later startTelemetry (next test suite in the same worker) install its own provider.
      trace.disable();
    },
  };
}

/**
 * Entry-point helper: starts telemetry, then the role, and returns a handle that stops the role
 * first and flushes spans last (so the role's shutdown is traced too).
 */
export async function startTraced(
  options: Partial<TelemetryOptions> | undefined,
  defaultServiceName: string,
  start: () => Promise<{ stop(): Promise<void> }>,
): Promise<{ stop(): Promise<void> }> {
  const telemetry = await startTelemetry(options, defaultServiceName);
  try {
    const role = await start();
    return {
      async stop() {
        try {
          await role.stop();
        } finally {
          await telemetry.stop();
        }
      },
    };
  } catch (error) {
    await telemetry.stop();
    throw error;
  }
}

/** Where finished spans go. */
export type TraceExporterKind = 'none' | 'otlp' | 'console';

/** Tracing options of a process, parsed once from the environment (see lib/config). */
export interface TelemetryOptions {
  /**
   * `none` installs no tracer provider: the OpenTelemetry API stays a no-op and creates no spans,
   * but a received `traceparent` is still forwarded unchanged (pass-through propagation).
   * `otlp` batches spans to an OTLP/HTTP collector; `console` prints them (debugging).
   * @default 'none'
   */
  exporter: TraceExporterKind;
  /** Base URL of the OTLP/HTTP receiver; spans are posted to `<url>/v1/traces`. @default 'http://127.0.0.1:4318' */
  otlpEndpoint: string;
  /** `service.name` of the spans; when unset each process uses its role name. */
  serviceName?: string;
  /** Fraction of new traces recorded (parent-based: a sampled parent is always followed). @default 1 */
  samplerRatio: number;
}

/** Defaults of {@link TelemetryOptions}. */
export const defaultTelemetryOptions = {
  exporter: 'none',
  otlpEndpoint: 'http://127.0.0.1:4318',
  samplerRatio: 1,
} as const satisfies Partial<TelemetryOptions>;

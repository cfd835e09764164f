import { z } from 'zod';

/** Comma-separated host:port list. */
const brokerList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .refine((brokers) => brokers.length > 0 && brokers.every((b) => /^[^:\s]+:\d+$/.test(b)), {
    message: 'expected a comma-separated list of host:port',
  });

/** A boolean variable: `true`/`1` or `false`/`0`; add `.optional()` or `.default(…)`. */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Environment variables shared by every role; each role's config.ts extends these. */
export const sharedEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty` for a person, `json` for machines. Default: pretty in development, json otherwise. */
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('component-platform'),
  /** Prefixes every topic name: lets tests and tenants share one broker. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .default(''),
  KAFKA_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'expected a mongodb:// URI')
    .default('mongodb://127.0.0.1:27017/'),
  /** Prefixes each role's database name (registry, intelligence, workflow). */
  MONGODB_DB_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]*$/)
    .default(''),
  /** Connections per role's MongoDB pool; unset = the driver's default (100). */
  MONGODB_POOL_SIZE: z.coerce.number().int().min(1).max(500).optional(),
  /** Deadline of every database call in ms (the driver's `timeoutMS`): nothing waits forever. */
  MONGODB_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Where trace spans go: `none` (no spans, traceparent still forwarded), `otlp` or `console`. */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  /** OTLP/HTTP receiver base URL (spans go to `<url>/v1/traces`), e.g. a collector, Jaeger or Tempo. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().default('http://127.0.0.1:4318'),
  /** `service.name` of this process's spans; each role defaults to its own name. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Fraction of new traces sampled (parent-based: a sampled caller is always followed). */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
});

export type SharedEnv = z.infer<typeof sharedEnvSchema>;

export { port as portSchema };

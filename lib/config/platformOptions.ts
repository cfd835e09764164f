import type { TelemetryOptions } from '../telemetry/options';
import type { SharedEnv } from './sharedEnv';

/** Infrastructure options every role receives, derived once from the environment. */
export interface PlatformOptions {
  env: SharedEnv['NODE_ENV'];
  logLevel: SharedEnv['LOG_LEVEL'];
  /** How log lines are written: pretty in development unless LOG_FORMAT says otherwise, else JSON. */
  logFormat: 'pretty' | 'json';
  kafka: {
    brokers: string[];
    clientId: string;
    topicPrefix: string;
    partitions: number;
    replicationFactor: number;
  };
  mongo: {
    uri: string;
    /** Prefix of each role's database name. */
    dbPrefix: string;
    /** Driver pool size per connection; absent = the driver's default (100). */
    poolSize?: number;
    /** Deadline of every database call (ms). */
    timeoutMs: number;
  };
  /** Tracing (OpenTelemetry); absent means off. See docs/observability.md. */
  telemetry?: TelemetryOptions;
}

/** Maps validated shared environment variables to {@link PlatformOptions}. */
export function toPlatformOptions(env: SharedEnv): PlatformOptions {
  return {
    env: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json'),
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      partitions: env.KAFKA_PARTITIONS,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
    },
    mongo: {
      uri: env.MONGODB_URI,
      dbPrefix: env.MONGODB_DB_PREFIX,
      ...(env.MONGODB_POOL_SIZE !== undefined && { poolSize: env.MONGODB_POOL_SIZE }),
      timeoutMs: env.MONGODB_TIMEOUT_MS,
    },
    telemetry: {
      exporter: env.OTEL_TRACES_EXPORTER,
      otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
      ...(env.OTEL_SERVICE_NAME && { serviceName: env.OTEL_SERVICE_NAME }),
      samplerRatio: env.OTEL_TRACES_SAMPLER_ARG,
    },
  };
}

import { Kafka, logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../logging';

/** Options of {@link createKafka}. */
export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
}

const toPinoLevel: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * kafkajs messages that are routine here, with the level they deserve: kafkajs logs a rebalance as
 * an error, and warns at every start that the idempotent producer's retries are bounded (they are
 * on purpose: a failed publish leaves the events in the outbox, whose relay retries them).
 */
const ROUTINE: {
  matches: (message: string, error: unknown) => boolean;
  level: 'info' | 'debug';
}[] = [
  { matches: (m) => m.startsWith('Limiting retries for the idempotent producer'), level: 'debug' },
  { matches: (m) => m.startsWith('The group is rebalancing'), level: 'info' },
  // Kafka unreachable: every socket and retry says so. The member supervisor and the outbox relay
  // report the outage once (and its end), so these stay at debug instead of flooding the log.
  {
    matches: (m) =>
      /^(Crash: |Connection error|Connection timeout|Failed to connect to seed broker|Response |Failed to send messages)/.test(
        m,
      ),
    level: 'debug',
  },
  {
    matches: (_m, error) =>
      typeof error === 'string' &&
      /group is rebalancing|group coordinator is not available|not the correct coordinator/i.test(
        error,
      ),
    level: 'info',
  },
];

/** Routes kafkajs' own logging into the role's pino logger. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      const routine = ROUTINE.find((rule) => rule.matches(message, extra.error));
      logger[routine?.level ?? toPinoLevel[level] ?? 'info']({ namespace, ...extra }, message);
    };
}

/** Creates the kafkajs client of a role. */
export function createKafka({ brokers, clientId, logger }: KafkaOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
    // Waits capped at 2 s (kafkajs: 30 s): a call that began while the broker was away notices
    // its return within seconds; longer outages are the supervisor's and the relays' business.
    retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 8 },
  });
}

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

/** Routes kafkajs' own logging into the role's pino logger. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...extra } = log;
      logger[toPinoLevel[level] ?? 'info']({ namespace, ...extra }, message);
    };
}

/** Creates the kafkajs client of a role. */
export function createKafka({ brokers, clientId, logger }: KafkaOptions): Kafka {
  return new Kafka({
    brokers,
    clientId,
    logLevel: KafkaLogLevel.WARN,
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

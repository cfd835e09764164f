import { createServer } from 'node:http';
import { createEventConsumer } from '../../lib/events';
import { closeServer, createHttpApp, listen } from '../../lib/http';
import { createPlatformKafka } from '../../lib/kafka';
import { stopAll, type Stoppable } from '../../lib/lifecycle';
import { createLogger, type Logger } from '../../lib/logging';
import { createIntelligenceProjector } from '../../subgraphs/intelligence/src';
import type { ConsumersOptions } from './config';

/** The running consumer groups of this process. */
export interface RunningConsumers extends Stoppable {
  url: string;
}

/** Starts the consumer groups (today: the intelligence read-model projector) and a health/metrics endpoint. */
export async function startConsumers(
  options: ConsumersOptions,
  logger: Logger = createLogger({ name: 'consumers', level: options.platform.logLevel }),
): Promise<RunningConsumers> {
  const started: Stoppable[] = [];
  try {
    const kafka = createPlatformKafka(options.platform.kafka, logger, 'consumers');
    await kafka.ensureTopics();
    const projector = await createIntelligenceProjector(
      options.platform,
      logger.child({ group: options.intelligenceGroupId }),
    );
    started.push(projector);
    const consumer = createEventConsumer({
      kafka: kafka.kafka,
      groupId: options.intelligenceGroupId,
      topics: [kafka.topics.events('registry')],
      handlers: projector.handlers,
      logger,
    });
    await consumer.start();
    started.push(consumer);

    const { app } = createHttpApp({ role: 'consumers' });
    const httpServer = createServer(app);
    const url = await listen(httpServer, options.port, options.host);
    started.push({ stop: () => closeServer(httpServer) });
    logger.info({ url }, 'consumers ready');
    return { url, stop: () => stopAll(started) };
  } catch (error) {
    await stopAll(started).catch(() => undefined);
    throw error;
  }
}

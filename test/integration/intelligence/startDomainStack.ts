import type { mongo } from 'mongoose';
import { createEventPublisher, createEvent, type EventPublisher } from '../../../lib/events';
import { createPlatformKafka, type PlatformKafka } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import { startStack, stackOptionsFromEnv } from '../../../stack/src';
import { postGraphQL } from '../../utils/graphqlClient';
import { testEnv } from '../../utils/servicesEnv';
import type { TestStack } from '../../utils/startTestStack';

/** A test stack that also counts MongoDB commands and can publish foreign events. */
export interface DomainStack extends TestStack {
  kafka: PlatformKafka;
  /** MongoDB commands seen by the registry and intelligence subgraphs since the last reset. */
  commands: { count: number; names: string[]; reset(): void };
  /** Publishes an event as another system would (e.g. the pipeline). */
  publish(
    domain: 'pipeline' | 'registry',
    type: string,
    subject: string,
    data: object,
  ): Promise<string>;
}

/** Starts the whole stack like startTestStack, with command monitoring on the two domain subgraphs. */
export async function startDomainStack(): Promise<DomainStack> {
  const options = stackOptionsFromEnv(testEnv());
  const names: string[] = [];
  const ignored = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions']);
  const onCommand = (event: mongo.CommandStartedEvent) => {
    // The outbox relay sweeps in the background; its reads are not part of any request.
    if (ignored.has(event.commandName) || JSON.stringify(event.command).includes('pendingEvents')) {
      return;
    }
    names.push(`${event.databaseName}.${event.commandName}`);
  };
  options.registry.onCommand = onCommand;
  options.intelligence.onCommand = onCommand;
  const stack = await startStack(options);
  const logger = createLogger({ name: 'test', level: 'warn' });
  const kafka = createPlatformKafka(options.registry.platform.kafka, logger, 'test');
  const publisher: EventPublisher = createEventPublisher(kafka.kafka, {
    prepare: kafka.ensureTopics,
  });
  return {
    ...stack,
    kafka,
    commands: {
      get count() {
        return names.length;
      },
      names,
      reset: () => names.splice(0),
    },
    query: (query, variables) => postGraphQL(stack.gatewayUrl, query, variables),
    async publish(domain, type, subject, data) {
      const event = createEvent({ type, source: '/test/pipeline', subject, sequence: 1, data });
      await publisher.publish(kafka.topics.events(domain), [event]);
      return event.id;
    },
    async stop() {
      await publisher.disconnect();
      await stack.stop();
    },
  };
}

import { createEventMetrics, createKafkaTransport } from '../../../lib/events';
import { createKafka, createTopicsAndWait } from '../../../lib/kafka';
import { createLogger } from '../../../lib/logging';
import { uniqueSuffix } from '../../utils/servicesEnv';
import { describeTransportContract } from '../../contract/eventTransport.contract';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describeTransportContract('kafka', async () => {
  const suffix = uniqueSuffix();
  const logger = createLogger({ name: 'kafka-transport', level: 'fatal' });
  const kafka = createKafka({ brokers, clientId: `contract${suffix}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  const transport = createKafkaTransport({
    kafka,
    logger,
    metrics: createEventMetrics(),
    groupPrefix: `t${suffix}-`,
  });
  const created: string[] = [];
  let topics = 0;
  return {
    transport,
    async topic(partitions) {
      const topic = `t${suffix}.contract${++topics}`;
      await createTopicsAndWait(admin, [
        { topic, numPartitions: partitions },
        { topic: `${topic}.dlq`, numPartitions: partitions },
      ]);
      created.push(topic, `${topic}.dlq`);
      return topic;
    },
    group: (name) => `t${suffix}-${name}`,
    tick: () => new Promise((resolve) => setTimeout(resolve, 50)),
    now: () => Date.now(),
    crash: (member) => member.stop(),
    // Quick rebalances; a crashed member gives its handlers no grace.
    memberDefaults: {
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      commitIntervalMs: 200,
      stopGraceMs: 200,
    },
    async close() {
      await transport.close();
      await admin.deleteTopics({ topics: created }).catch(() => undefined);
      await admin.disconnect();
    },
  };
});

import { createEventMetrics, createManualClock, createMemoryTransport } from '../../../lib/events';
import { createLogger } from '../../../lib/logging';
import { describeTransportContract } from '../../contract/eventTransport.contract';

describeTransportContract('memory (manual clock)', async () => {
  const clock = createManualClock();
  const transport = createMemoryTransport({
    logger: createLogger({ name: 'memory-transport', level: 'fatal' }),
    metrics: createEventMetrics(),
    clock,
  });
  let topics = 0;
  return {
    transport,
    async topic(partitions) {
      const topic = `topic-${++topics}`;
      transport.createTopic(topic, partitions);
      return topic;
    },
    group: (name) => `group-${name}`,
    tick: () => clock.advance(250),
    now: () => clock.now(),
    async crash(member) {
      (member as ReturnType<typeof transport.subscribe>).crash();
    },
    memberDefaults: {},
    close: () => transport.close(),
  };
});

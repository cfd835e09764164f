import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import type { Consumer, Kafka } from 'kafkajs';
import {
  createEventMetrics,
  createKafkaTransport,
  type GroupMember,
  type MemberState,
} from '../../../lib/events';
import { createKafka, createTopicsAndWait } from '../../../lib/kafka';
import { eventually } from '../../utils/graphqlClient';
import { uniqueSuffix } from '../../utils/servicesEnv';
import { brokers, logger } from '../events/eventsHarness';

jest.setTimeout(120_000);

/** What happened to the kafkajs consumers the transport created (in creation order). */
interface ConsumerCalls {
  connect: 'pending' | 'resolved' | 'rejected';
  connectError?: string;
  /** Calls in order: subscribe, run, disconnect (with whether connect had settled). */
  calls: string[];
}

/** The Kafka client with every consumer it creates watched (the transport's own, untouched). */
function watchedKafka(kafka: Kafka) {
  const consumers: ConsumerCalls[] = [];
  const watched = new Proxy(kafka, {
    get(target, property, receiver) {
      if (property !== 'consumer') return Reflect.get(target, property, receiver) as unknown;
      return (config: Parameters<Kafka['consumer']>[0]) => {
        const consumer = target.consumer(config);
        const record: ConsumerCalls = { connect: 'pending', calls: [] };
        consumers.push(record);
        return new Proxy(consumer, {
          get(real, name, rcv) {
            const value = Reflect.get(real, name, rcv) as unknown;
            if (typeof value !== 'function') return value;
            const method = value as (...args: unknown[]) => unknown;
            if (name === 'connect') {
              return async () => {
                try {
                  await method.call(real);
                  record.connect = 'resolved';
                } catch (error) {
                  record.connect = 'rejected';
                  record.connectError = String(error);
                  throw error;
                }
              };
            }
            if (name === 'subscribe' || name === 'run' || name === 'disconnect') {
              return (...args: unknown[]) => {
                record.calls.push(`${String(name)}:${record.connect}`);
                return method.apply(real, args);
              };
            }
            return method.bind(real);
          },
        }) as Consumer;
      };
    },
  });
  return { kafka: watched, consumers };
}

/**
 * A TCP gate in front of a broker on 127.0.0.1: drops every connection until `open()`, then pipes
 * them through (only the seed connection goes through it: the broker advertises its own address).
 */
async function startGate(target: string) {
  const [host, port] = target.split(':') as [string, string];
  let opened = false;
  let refused = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (!opened) {
      refused += 1;
      socket.destroy();
      return;
    }
    const upstream = connect(Number(port), host);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: gatePort } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${gatePort}`,
    get refused() {
      return refused;
    },
    open: () => void (opened = true),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function recordStates(member: GroupMember) {
  const states: MemberState[] = [];
  member.onStateChange((state) => states.push(state));
  return states;
}

describe('supervision of a Kafka group member', () => {
  it('should not report running nor reset its backoff when the broker refuses the join', async () => {
    const kafka = createKafka({ brokers, clientId: `t${uniqueSuffix()}`, logger });
    const topic = `t${uniqueSuffix()}.events`;
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    const metrics = createEventMetrics();
    const transport = createKafkaTransport({ kafka, logger, metrics });
    const groupId = `${topic}-g`;
    // Below the broker's group.min.session.timeout.ms (6 s): every JoinGroup is refused.
    const member = transport.subscribe({
      groupId,
      topics: [topic],
      logger,
      metrics,
      sessionTimeout: 1_000,
      heartbeatInterval: 300,
      handlers: {},
    });
    const states = recordStates(member);
    let resolvedRunning = false;
    void member.running(120_000).then(
      () => (resolvedRunning = true),
      () => undefined,
    );
    try {
      member.start();
      await eventually(async () => (member.status().restarts >= 3 ? true : undefined), 60_000);
      expect(states).not.toContain('running');
      expect(resolvedRunning).toBe(false);
      expect(member.status().lastError).toMatch(/^failed: .*session timeout/i);
      // A refused join counts as a failed attempt, so the restart backoff keeps growing.
      const restarts = await metrics.registry.getSingleMetricAsString(
        'event_consumer_restarts_total',
      );
      expect(restarts).toMatch(new RegExp(`\\{group="${groupId}",reason="failed"\\} [3-9]`));
      expect(restarts).not.toContain('reason="crash"');
    } finally {
      await member.stop();
      await transport.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('should not join the group once the broker answers when it was stopped while connecting', async () => {
    const topic = `t${uniqueSuffix()}.events`;
    const groupId = `${topic}-g`;
    const admin = createKafka({ brokers, clientId: 'stopped-member', logger }).admin();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 2 }]);
    // The member reaches the broker through a gate that drops every connection until opened.
    const gate = await startGate(brokers[0]!);
    const client = createKafka({ brokers: [gate.address], clientId: 'stopped-member', logger });
    const { kafka, consumers } = watchedKafka(client);
    const metrics = createEventMetrics();
    const transport = createKafkaTransport({ kafka, logger, metrics });
    const member = transport.subscribe({ groupId, topics: [topic], logger, metrics, handlers: {} });
    const states = recordStates(member);
    try {
      member.start();
      // The attempt waits in connect (kafkajs retries) when the member is stopped.
      await eventually(async () => (gate.refused > 0 ? true : undefined));
      expect(consumers[0]?.connect).toBe('pending');
      await member.stop();
      expect(member.status().state).toBe('stopped');

      gate.open();
      const abandoned = await eventually(async () => {
        const consumer = consumers[0]!;
        if (consumer.connect === 'pending') return undefined;
        // Done once it left again, or (the bug) once it went on to subscribe and join.
        const settled = consumer.calls.filter((call) => !call.endsWith(':pending'));
        return settled.length > 0 || consumer.connect === 'rejected' ? consumer : undefined;
      }, 60_000);
      expect([abandoned.connect, abandoned.connectError]).toEqual(['resolved', undefined]);
      expect(abandoned.calls.filter((call) => !call.endsWith(':pending'))).toEqual([
        'disconnect:resolved',
      ]);
      expect(consumers).toHaveLength(1);
      expect(states.at(-1)).toBe('stopped');
      expect(states).not.toContain('running');
      const [group] = (await admin.describeGroups([groupId])).groups;
      expect(group?.members ?? []).toEqual([]);
    } finally {
      await member.stop();
      await transport.close();
      await gate.close();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

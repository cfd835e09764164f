/**
 * Operations on the event backbone (see docs/events.md):
 *
 *   npm run events -- replay      --domain registry --group <groupId> --from <ISO time>
 *                                 [--wait [--max-wait <seconds>]]
 *   npm run events -- dlq:list    --domain registry [--type <event type>] [--key <key>] [--json]
 *   npm run events -- dlq:redrive --domain registry [--type <event type>] [--key <key>]
 *
 * Kafka and the topic prefix come from the usual environment (KAFKA_BROKERS, KAFKA_TOPIC_PREFIX…).
 * `replay` needs the group stopped (Kafka refuses to move offsets of a group with members): it
 * fails with the member count, or with `--wait` polls until the group is empty, then rewinds.
 */
import { parseArgs } from 'node:util';
import { listDeadLetters, redriveDeadLetters } from '../../operations/src/operations/deadLetters';
import { createReplayJobs } from '../../operations/src/operations/replayJobs';
import { parseConfig, sharedEnvSchema, toPlatformOptions } from '../../lib/config';
import { createPlatformKafka, DOMAIN_TOPICS, type DomainTopic } from '../../lib/kafka';
import { createLogger } from '../../lib/logging';

function fail(message: string): never {
  console.error(`events: ${message}`);
  process.exit(2);
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      domain: { type: 'string', default: 'registry' },
      group: { type: 'string' },
      from: { type: 'string' },
      type: { type: 'string' },
      key: { type: 'string' },
      json: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      'max-wait': { type: 'string', default: '900' },
    },
  });
  const command = positionals[0];
  const domain = values.domain as DomainTopic;
  if (!DOMAIN_TOPICS.includes(domain)) {
    fail(`expected --domain to be one of ${DOMAIN_TOPICS.join(', ')}, but got: ${domain}`);
  }
  const platform = toPlatformOptions(parseConfig(sharedEnvSchema));
  const logger = createLogger({ name: 'events-cli', level: 'warn' });
  const { transport, topics } = createPlatformKafka(platform.kafka, logger, 'events-cli');
  const filter = { type: values.type, key: values.key };
  try {
    await run(command);
  } finally {
    await transport.close();
  }

  async function run(command: string | undefined) {
    switch (command) {
      case 'replay': {
        if (!values.group) fail('replay needs --group <consumer group id>');
        const from = new Date(values.from ?? '');
        if (Number.isNaN(from.getTime()))
          fail(`expected --from to be an ISO time, but got: ${values.from}`);
        const topic = topics.events(domain);
        if (!values.wait) {
          console.log(JSON.stringify(await transport.rewind(values.group, topic, from), null, 2));
          return;
        }
        const maxWait = Number(values['max-wait']);
        if (!Number.isInteger(maxWait) || maxWait < 1)
          fail(`expected --max-wait to be a number of seconds, but got: ${values['max-wait']}`);
        const jobs = createReplayJobs({
          rewind: (groupId, t, at) => transport.rewind(groupId, t, at),
          countMembers: (groupId) => transport.members(groupId),
          maxWaitMs: maxWait * 1000,
        });
        const started = jobs.start({ groupId: values.group, topic, from });
        console.error(`waiting up to ${maxWait} s for group ${values.group} to have no members…`);
        const cancel = () => jobs.cancel(started.id);
        process.once('SIGINT', cancel);
        const job = (await jobs.settled(started.id))!;
        process.off('SIGINT', cancel);
        console.log(JSON.stringify(job, null, 2));
        if (job.state !== 'REWOUND') process.exit(1);
        return;
      }
      case 'dlq:list': {
        const entries = await listDeadLetters(transport, topics.deadLetter(domain), filter);
        if (values.json) console.log(JSON.stringify(entries, null, 2));
        else if (entries.length === 0) console.log('no dead letters');
        else
          console.table(
            entries.map((e) => ({
              at: `${e.partition}/${e.offset}`,
              key: e.key ?? '-',
              type: e.eventType ?? '-',
              id: e.eventId ?? '-',
              code: e.errorCode ?? '-',
              reason: e.errorMessage?.slice(0, 80) ?? '-',
              attempts: e.attempts ?? '-',
              group: e.consumerGroup ?? '-',
              origin: e.originalTopic
                ? `${e.originalTopic}/${e.originalPartition ?? '?'}/${e.originalOffset ?? '?'}`
                : '-',
            })),
          );
        return;
      }
      case 'dlq:redrive': {
        const result = await redriveDeadLetters(transport, topics.deadLetter(domain), filter);
        console.log(JSON.stringify(result));
        return;
      }
      default:
        fail(`unknown command "${command ?? ''}": expected replay, dlq:list or dlq:redrive`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `events: ${error.message}` : error);
  process.exit(1);
});

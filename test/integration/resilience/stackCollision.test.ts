import { AssignerProtocol, type Admin } from 'kafkajs';
import type { CloudEvent, GroupMember } from '../../../lib/events';
import { createPlatformKafka, DOMAIN_TOPICS, type PlatformKafka } from '../../../lib/kafka';
import { intelligenceOptionsFromEnv } from '../../../subgraphs/intelligence/src/config';
import { registryOptionsFromEnv } from '../../../subgraphs/registry/src/config';
import { workflowOptionsFromEnv } from '../../../subgraphs/workflow/src/config';
import { eventually } from '../../utils/graphqlClient';
import { testEnv, uniqueSuffix } from '../../utils/servicesEnv';
import { logger, updated } from '../events/eventsHarness';

jest.setTimeout(180_000);

/** The environment of one stack as an operator writes it: only the topic prefix is its own. */
function stackEnv(overrides: Record<string, string> = {}): Record<string, string | undefined> {
  const env = testEnv({ KAFKA_PARTITIONS: '2' });
  // Every group must come from the prefix; testEnv pins the projector's, an operator does not.
  delete env.INTELLIGENCE_GROUP_ID;
  delete env.REGISTRY_COMMANDS_GROUP_ID;
  delete env.WORKFLOW_ENGINE_GROUP_ID;
  return { ...env, ...overrides };
}

/** A stack's consumer groups as its roles derive them from the configuration, with their topics. */
function derivedGroups(env: Record<string, string | undefined>, kafka: PlatformKafka) {
  const projector = intelligenceOptionsFromEnv(env).projector.groupId;
  const commands = registryOptionsFromEnv(env).commands!.groupId;
  const engine = workflowOptionsFromEnv(env).engine.groupId;
  return [
    // intelligence role: the live projector (createIntelligenceProjector)
    {
      groupId: projector,
      topics: [kafka.topics.events('registry'), kafka.topics.events('pipeline')],
    },
    // registry role: the command consumer (startRegistryCommands)
    { groupId: commands, topics: [kafka.topics.events('workflow')] },
    // workflow role: the engine and the component-link consumer (startWorkflow)
    { groupId: engine, topics: [kafka.topics.events('workflow')] },
    { groupId: `${engine}-component-links`, topics: [kafka.topics.events('registry')] },
  ];
}

/** Topics assigned to the members of a group (from the broker's view of its last assignment). */
async function assignedTopics(admin: Admin, groupId: string): Promise<string[]> {
  const [group] = (await admin.describeGroups([groupId])).groups;
  return (group?.members ?? []).flatMap((member) =>
    Object.keys(
      AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment ?? {},
    ),
  );
}

interface Stack {
  prefix: string;
  kafka: PlatformKafka;
  groups: { groupId: string; topics: string[] }[];
  members: GroupMember[];
  /** Events each group applied, by group id. */
  received: Map<string, CloudEvent[]>;
}

function startStack(env: Record<string, string | undefined>, only?: string[]): Stack {
  const options = intelligenceOptionsFromEnv(env);
  const kafka = createPlatformKafka(options.platform.kafka, logger, 'collision');
  const groups = derivedGroups(env, kafka).filter((g) => !only || only.includes(g.groupId));
  const received = new Map(groups.map(({ groupId }) => [groupId, [] as CloudEvent[]]));
  const members = groups.map(({ groupId, topics }) =>
    kafka.transport.subscribe({
      groupId,
      topics,
      logger,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      handlers: { '*': async (event) => void received.get(groupId)!.push(event) },
    }),
  );
  for (const member of members) member.start();
  return { prefix: options.platform.kafka.topicPrefix, kafka, groups, members, received };
}

async function stopStack(stack: Stack | undefined, admin: Admin) {
  if (!stack) return;
  await Promise.all(stack.members.map((member) => member.stop()));
  await stack.kafka.transport.close();
  const topics = DOMAIN_TOPICS.flatMap((domain) => [
    stack.kafka.topics.events(domain),
    stack.kafka.topics.deadLetter(domain),
  ]);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.deleteGroups(stack.groups.map((g) => g.groupId)).catch(() => undefined);
}

describe('two stacks with different KAFKA_TOPIC_PREFIX on one broker', () => {
  let a: Stack | undefined;
  let b: Stack | undefined;
  let admin: Admin;
  beforeAll(async () => {
    const envA = stackEnv();
    const envB = stackEnv();
    a = startStack(envA);
    b = startStack(envB);
    admin = a.kafka.kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await stopStack(a, admin);
    await stopStack(b, admin);
    await admin?.disconnect();
  });

  it('should derive every consumer group from its own prefix, share none, and never deliver stack A’s events to stack B', async () => {
    const stackA = a!;
    const stackB = b!;
    const groupsA = stackA.groups.map((g) => g.groupId);
    const groupsB = stackB.groups.map((g) => g.groupId);
    expect(groupsA.every((g) => g.startsWith(stackA.prefix))).toBe(true);
    expect(groupsB.every((g) => g.startsWith(stackB.prefix))).toBe(true);
    expect(groupsA.filter((g) => groupsB.includes(g))).toEqual([]);

    await Promise.all([...stackA.members, ...stackB.members].map((m) => m.running(120_000)));
    // The broker's group list: each stack's groups are live under its own prefix, none shared.
    const listed = await eventually(async () => {
      const ids = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
      return [...groupsA, ...groupsB].every((g) => ids.has(g)) ? ids : undefined;
    }, 60_000);
    const listedA = [...listed].filter((g) => g.startsWith(stackA.prefix)).sort();
    const listedB = [...listed].filter((g) => g.startsWith(stackB.prefix)).sort();
    expect(listedA).toEqual([...groupsA].sort());
    expect(listedB).toEqual([...groupsB].sort());
    // Each group holds partitions of its own stack's topics only.
    for (const stack of [stackA, stackB]) {
      for (const { groupId, topics } of stack.groups) {
        const assigned = await eventually(async () => {
          const names = await assignedTopics(admin, groupId);
          return names.length > 0 ? names : undefined;
        }, 60_000);
        expect(new Set(assigned)).toEqual(new Set(topics));
      }
    }

    // Stack A's events reach stack A's groups of that topic…
    const registryA = stackA.kafka.topics.events('registry');
    const workflowA = stackA.kafka.topics.events('workflow');
    const eventsA = Array.from({ length: 20 }, (_, i) => updated(`a-${i % 4}`, i + 1, '/stack-a'));
    await stackA.kafka.transport.publish(registryA, eventsA);
    await stackA.kafka.transport.publish(workflowA, eventsA);
    await eventually(async () =>
      stackA.groups.every(({ groupId }) => stackA.received.get(groupId)!.length >= eventsA.length)
        ? true
        : undefined,
    );
    // …and stack B, told something of its own after that, applies its own events only.
    const eventsB = [updated('b-0', 1, '/stack-b')];
    await stackB.kafka.transport.publish(stackB.kafka.topics.events('registry'), eventsB);
    await stackB.kafka.transport.publish(stackB.kafka.topics.events('workflow'), eventsB);
    await eventually(async () =>
      stackB.groups.every(({ groupId }) => stackB.received.get(groupId)!.length >= 1)
        ? true
        : undefined,
    );
    for (const { groupId } of stackB.groups) {
      expect(stackB.received.get(groupId)!.map((e) => e.source)).toEqual(['/stack-b']);
    }
    for (const { groupId } of stackA.groups) {
      expect(new Set(stackA.received.get(groupId)!.map((e) => e.source))).toEqual(
        new Set(['/stack-a']),
      );
    }
    console.log(
      `groups on the broker: A ${listedA.join(', ')} | B ${listedB.join(', ')}; ` +
        `A applied ${groupsA.map((g) => stackA.received.get(g)!.length).join('/')}, ` +
        `B applied ${groupsB.map((g) => stackB.received.get(g)!.length).join('/')}`,
    );
  });

  it('control: a group id shared by both stacks (the old unprefixed projector default) leaves subscribed topics unassigned', async () => {
    const shared = `t${uniqueSuffix()}-intelligence-projector`;
    const c = startStack(stackEnv({ INTELLIGENCE_GROUP_ID: shared }), [shared]);
    const d = startStack(stackEnv({ INTELLIGENCE_GROUP_ID: shared }), [shared]);
    try {
      await Promise.all([...c.members, ...d.members].map((m) => m.running(120_000)));
      const assigned = await eventually(async () => {
        const [group] = (await admin.describeGroups([shared])).groups;
        return group?.state === 'Stable' && group.members.length === 2
          ? new Set(await assignedTopics(admin, shared))
          : undefined;
      }, 60_000);
      const subscribed = [...c.groups, ...d.groups].flatMap((g) => g.topics);
      // kafkajs' leader assigns only the topics it subscribes itself: the other stack's topics get
      // no member, and its member drops the partitions it got of topics it does not subscribe.
      expect(subscribed.filter((topic) => !assigned.has(topic))).not.toEqual([]);
    } finally {
      await stopStack(c, admin);
      await stopStack(d, admin);
    }
  });
});

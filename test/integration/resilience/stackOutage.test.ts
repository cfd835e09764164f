import { eventually } from '../../utils/graphqlClient';
import { startTestStack, type TestStack } from '../../utils/startTestStack';
import { startSecondKafka, type SecondKafka } from './secondKafka';

/**
 * The whole stack on a broker of its own, which is killed for `OUTAGE_MS` (the issue's 60 s by
 * default) under traffic and started again: no role exits, queries and mutations keep being
 * answered through the gateway, `/ready` says what is degraded, the outboxes keep the events, and
 * every component registered before, during and after the outage reaches the intelligence read
 * model once Kafka is back. Counts and recovery times are printed, not asserted.
 */
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 60_000);

jest.setTimeout(OUTAGE_MS + 600_000);

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      component {
        id
      }
    }
  }
`;
const INSIGHTS = /* GraphQL */ `
  query ($id: ID!) {
    component(id: $id) {
      id
      insights {
        eventCount
      }
    }
  }
`;

interface Ready {
  status: string;
  checks: Record<string, boolean>;
  degraded?: string[];
}

describe('the stack through a 60 s Kafka outage', () => {
  let broker: SecondKafka;
  let stack: TestStack;
  beforeAll(async () => {
    broker = await startSecondKafka();
    stack = await startTestStack({ KAFKA_BROKERS: broker.brokers });
  });
  afterAll(async () => {
    await stack?.stop();
    await broker?.remove();
  });

  const readyOf = async (role: string): Promise<{ code: number; body: Ready }> => {
    const base =
      role === 'gateway'
        ? stack.gatewayUrl.replace(/\/graphql$/, '')
        : stack.subgraphUrls[role]!.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(5_000) });
    return { code: response.status, body: (await response.json()) as Ready };
  };
  const register = async (name: string) => {
    const result = await stack.query<{ registerComponent: { component: { id: string } } }>(
      REGISTER,
      { input: { name, type: 'ATOM', version: '1.0.0' } },
    );
    return result.data?.registerComponent.component.id;
  };
  const projected = async (id: string) => {
    const result = await stack.query<{ component: { insights: { eventCount: number } | null } }>(
      INSIGHTS,
      { id },
    );
    return (result.data?.component?.insights?.eventCount ?? 0) >= 1;
  };

  it('should keep answering, keep every event, and catch up by itself', async () => {
    const roles = ['gateway', 'registry', 'intelligence', 'workflow'];
    await eventually(async () => {
      const states = await Promise.all(roles.map(readyOf));
      return states.every((s) => s.body.status === 'ready') ? true : undefined;
    }, 180_000);
    const before = await Promise.all(Array.from({ length: 5 }, (_, i) => register(`Before${i}`)));
    expect(before.every(Boolean)).toBe(true);
    for (const id of before)
      await eventually(async () => ((await projected(id!)) ? true : undefined));

    await broker.kill();
    const downAt = Date.now();
    const during: string[] = [];
    let queries = 0;
    let failedQueries = 0;
    let failedMutations = 0;
    let degradedAt: number | undefined;
    const notReady: Ready[] = [];
    // Traffic for the whole outage: a mutation and a read through the gateway per turn.
    for (let turn = 0; Date.now() - downAt < OUTAGE_MS; turn++) {
      const id = await register(`During${turn}`);
      if (id) during.push(id);
      else failedMutations += 1;
      const read = await stack.query(INSIGHTS, { id: before[0] });
      queries += 1;
      if (read.errors) failedQueries += 1;
      // Degraded, never "not ready": each role still serves its API without Kafka.
      const states = await Promise.all(roles.map(readyOf));
      notReady.push(...states.filter((s) => s.code !== 200).map((s) => s.body));
      if (degradedAt === undefined && states.every((s) => s.body.status === 'degraded')) {
        degradedAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await broker.start();
    const backAt = Date.now();
    // When each degraded part came back (printed: where recovery time goes).
    const recovered = new Map<string, number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const role of roles) {
          const state = await readyOf(role).catch(() => undefined);
          for (const [check, ok] of Object.entries(state?.body.checks ?? {})) {
            if (ok && !recovered.has(`${role}.${check}`)) {
              recovered.set(`${role}.${check}`, Date.now() - backAt);
            }
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    expect(failedMutations).toBe(0);
    expect(failedQueries).toBe(0);
    expect(notReady).toEqual([]);
    expect(degradedAt).toBeDefined();
    expect(during.length).toBeGreaterThan(0);
    const after = await register('After');
    expect(after).toBeDefined();

    const everything = [...before, ...during, after] as string[];
    const missing = new Set(everything);
    await eventually(async () => {
      for (const id of [...missing]) if (await projected(id)) missing.delete(id);
      return missing.size === 0 ? true : undefined;
    }, 300_000);
    const caughtUpAt = Date.now();
    await eventually(async () => {
      const states = await Promise.all(roles.map(readyOf));
      return states.every((s) => s.body.status === 'ready') ? true : undefined;
    }, 180_000);
    const readyAt = Date.now();
    watching = false;
    await watcher;
    console.log(
      [
        `Kafka outage of ${Math.round((backAt - downAt) / 1000)} s under traffic:`,
        `  mutations during the outage: ${during.length} answered, ${failedMutations} failed; queries: ${queries}, ${failedQueries} failed`,
        `  every role degraded (200) after ${degradedAt! - downAt} ms`,
        `  broker back -> all ${everything.length} components in the read model: ${caughtUpAt - backAt} ms (lost: ${missing.size})`,
        `  broker back -> every role ready: ${readyAt - backAt} ms (${[...recovered]
          .filter(([check]) => !/mongodb|supergraph|subgraphs/.test(check))
          .map(([check, ms]) => `${check} ${ms} ms`)
          .join(', ')})`,
      ].join('\n'),
    );
    expect(missing.size).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { eventually, type GraphQLResponse } from '../../utils/graphqlClient';
import { uniqueSuffix } from '../../utils/servicesEnv';
import { startTestStack, type TestStack } from '../../utils/startTestStack';
import { startGatedLedger, type GatedLedger } from './fixtures/gatedLedger';

const REGISTER = /* GraphQL */ `
  mutation ($input: RegisterComponentInput!) {
    registerComponent(input: $input) {
      eventIds
      component {
        id
        name
        revision
        insights {
          eventCount
        }
      }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation ($input: UpdateComponentInput!) {
    updateComponent(input: $input) {
      eventIds
      component {
        id
        version
        revision
      }
    }
  }
`;
const USE = /* GraphQL */ `
  mutation ($componentId: ID!, $projectId: ID!) {
    recordComponentUsage(componentId: $componentId, projectId: $projectId) {
      eventIds
      usage {
        count
      }
    }
  }
`;
const DEPOSIT = /* GraphQL */ `
  mutation ($amount: Int!) {
    deposit(amount: $amount) {
      id
      balance
    }
  }
`;

/** What a client sees of one request: HTTP status, the replay header and the GraphQL body. */
interface Sent<D> {
  status: number;
  replayHeader: string | null;
  body: GraphQLResponse<D> & { extensions?: Record<string, unknown> };
}

async function send<D = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  key?: string,
): Promise<Sent<D>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key !== undefined && { 'idempotency-key': key }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    replayHeader: response.headers.get('idempotent-replay'),
    body: (await response.json()) as Sent<D>['body'],
  };
}

const isReplay = (sent: Sent<unknown>) =>
  sent.replayHeader === 'true' && sent.body.extensions?.idempotentReplay === true;

describe('Idempotency-Key through the gateway', () => {
  describe('on the platform stack', () => {
    const dbPrefix = `t${uniqueSuffix()}_`;
    let stack: TestStack;
    let registryDb: mongoose.Connection;
    const components = () => registryDb.collection<{ _id: string; name: string }>('components');
    const stored = (id: string) => components().findOne({ _id: id });
    const gateway = <D>(query: string, variables: Record<string, unknown>, key?: string) =>
      send<D>(stack.gatewayUrl, query, variables, key);
    const register = async (name: string, key?: string) => {
      const sent = await gateway<{ registerComponent: { component: { id: string } } }>(
        REGISTER,
        { input: { name, type: 'ATOM', version: '1.0.0' } },
        key,
      );
      expect(sent.body.errors).toBeUndefined();
      return sent;
    };

    beforeAll(async () => {
      stack = await startTestStack({ MONGODB_DB_PREFIX: dbPrefix });
      registryDb = await mongoose
        .createConnection(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/', {
          dbName: `${dbPrefix}registry`,
        })
        .asPromise();
    });
    afterAll(async () => {
      await registryDb?.close();
      await stack?.stop();
    });

    it('should register once when the mutation is sent twice with one key, replaying the response', async () => {
      const key = randomUUID();
      const first = await register('IdemButton', key);
      const id = first.body.data!.registerComponent.component.id;
      // Once intelligence has the component, a rerun of its entity fetch would differ from the
      // first answer (insights was null then): the replay must be the stored answer.
      await eventually(async () => {
        const seen = await stack.query<{ component: { insights: unknown } }>(
          `query ($id: ID!) { component(id: $id) { insights { eventCount } } }`,
          { id },
        );
        return seen.data?.component.insights ?? undefined;
      });
      const second = await register('IdemButton', key);
      expect(isReplay(first)).toBe(false);
      expect(first.replayHeader).toBeNull();
      expect(isReplay(second)).toBe(true);
      expect(second.status).toBe(first.status);
      expect(second.body.data).toEqual(first.body.data);
      expect(await components().countDocuments({ name: 'IdemButton' })).toBe(1);
      expect(await stored(id)).toMatchObject({ revision: 1, eventSequence: 1 });
    });

    it('should apply an update once when retried with the same key, though a rerun would be stale', async () => {
      const id = (await register('IdemLabel')).body.data!.registerComponent.component.id;
      const key = randomUUID();
      const input = { id, expectedRevision: 1, version: '1.1.0' };
      const first = await gateway<{ updateComponent: unknown }>(UPDATE, { input }, key);
      const second = await gateway<{ updateComponent: unknown }>(UPDATE, { input }, key);
      expect(first.body.errors).toBeUndefined();
      expect(second.body).toEqual({ ...first.body, extensions: { idempotentReplay: true } });
      expect(second.replayHeader).toBe('true');
      expect(await stored(id)).toMatchObject({ revision: 2, eventSequence: 2, version: '1.1.0' });
    });

    it('should run two concurrent requests with one key once and give both the same result', async () => {
      const id = (await register('IdemChip')).body.data!.registerComponent.component.id;
      const key = randomUUID();
      type Used = { recordComponentUsage: { eventIds: string[]; usage: { count: number } } };
      const both = await Promise.all([
        gateway<Used>(USE, { componentId: id, projectId: 'shop' }, key),
        gateway<Used>(USE, { componentId: id, projectId: 'shop' }, key),
      ]);
      for (const sent of both) expect(sent.body.errors).toBeUndefined();
      expect(both[0].body.data).toEqual(both[1].body.data);
      expect(both[0].body.data?.recordComponentUsage.usage.count).toBe(1);
      expect(both.filter(isReplay)).toHaveLength(1);
      expect(await stored(id)).toMatchObject({ eventSequence: 2, usage: { count: 1 } });
    });

    it('should apply the mutation again under a different key', async () => {
      const id = (await register('IdemBadge')).body.data!.registerComponent.component.id;
      type Used = { recordComponentUsage: { eventIds: string[]; usage: { count: number } } };
      const first = await gateway<Used>(USE, { componentId: id, projectId: 'shop' }, randomUUID());
      const other = await gateway<Used>(USE, { componentId: id, projectId: 'shop' }, randomUUID());
      expect(isReplay(other)).toBe(false);
      expect(other.body.data?.recordComponentUsage.usage.count).toBe(2);
      expect(other.body.data?.recordComponentUsage.eventIds).not.toEqual(
        first.body.data?.recordComponentUsage.eventIds,
      );
      expect(await stored(id)).toMatchObject({ eventSequence: 3, usage: { count: 2 } });
    });

    it('should refuse a malformed key with BAD_USER_INPUT (400) before running the mutation', async () => {
      const id = (await register('IdemIcon')).body.data!.registerComponent.component.id;
      for (const key of ['', 'x'.repeat(201), 'tab\there']) {
        const sent = await gateway(USE, { componentId: id, projectId: 'shop' }, key);
        expect(sent.status).toBe(400);
        expect(sent.body.errors?.[0]?.extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'Idempotency-Key',
        });
      }
      const longest = await gateway(USE, { componentId: id, projectId: 'shop' }, 'k'.repeat(200));
      expect(longest.body.errors).toBeUndefined();
      expect(await stored(id)).toMatchObject({ usage: { count: 1 } });
    });
  });

  describe('after a gateway timeout', () => {
    let ledger: GatedLedger;
    const deposit = (key: string) =>
      send<{ deposit: { id: string; balance: number } }>(
        ledger.gateway.graphqlUrl,
        DEPOSIT,
        { amount: 5 },
        key,
      );

    beforeAll(async () => {
      ledger = await startGatedLedger({ subgraphTimeoutMs: 1_500, waitMs: 200 });
    });
    afterAll(async () => {
      await ledger?.stop();
    });

    it('should answer CONFLICT while the first attempt runs, then replay its result, never running it twice', async () => {
      const key = randomUUID();
      const release = ledger.hold();
      const first = await deposit(key);
      expect(first.body.errors?.[0]?.extensions?.code).toBe('GATEWAY_TIMEOUT');

      const early = await deposit(key);
      expect(early.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(ledger.executions()).toBe(1);

      release();
      await eventually(async () =>
        (await ledger.record(key))?.state === 'done' ? true : undefined,
      );
      const retry = await deposit(key);
      expect(retry.body.errors).toBeUndefined();
      expect(isReplay(retry)).toBe(true);
      expect(retry.body.data?.deposit).toEqual({ id: expect.any(String), balance: 5 });
      expect(ledger.executions()).toBe(1);
      expect(ledger.balance()).toBe(5);

      const fresh = await deposit(randomUUID());
      expect(fresh.body.data?.deposit.balance).toBe(10);
      expect(ledger.executions()).toBe(2);
    });
  });
});

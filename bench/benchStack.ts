import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { startStack, stackOptionsFromEnv, type RunningStack } from '../stack/src';

/** A whole stack in this process on free ports, with random topic, database and group names. */
export async function startBenchStack(): Promise<{ stack: RunningStack; suffix: string }> {
  const suffix = randomBytes(4).toString('hex');
  const stack = await startStack(
    stackOptionsFromEnv({
      ...process.env,
      LOG_LEVEL: 'warn',
      KAFKA_TOPIC_PREFIX: `bench${suffix}.`,
      MONGODB_DB_PREFIX: `bench${suffix}_`,
      INTELLIGENCE_GROUP_ID: `bench${suffix}-intelligence`,
      GATEWAY_PORT: '0',
      REGISTRY_PORT: '0',
      INTELLIGENCE_PORT: '0',
      WORKFLOW_PORT: '0',
      OPERATIONS_PORT: '0',
    }),
  );
  return { stack, suffix };
}

/** Sends one GraphQL operation and returns its data; GraphQL errors throw. */
export async function postQuery(url: string, query: string, variables: object = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** Load of one query (autocannon): requests/s, p50, p99 and failed requests. */
export async function loadQuery(
  title: string,
  url: string,
  query: string,
  { connections, seconds }: { connections: number; seconds: number },
) {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    connections,
    duration: seconds,
  });
  return {
    title,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

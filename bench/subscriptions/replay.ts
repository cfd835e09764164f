/**
 * Replay benchmark (issue 12, item 3): a client resuming a finished run with `after` set before
 * its first event receives 100 stored events (with a field of another subgraph) and the
 * completion. Measures subscribe → last event, over BENCH_REPLAYS resumes (sequential, then 10 at
 * once), through a real gateway on loopback (real Kafka for its live source). Bounded; stops by
 * itself.
 *
 * Run: bash scripts/services/up.sh && source .cache/run/services.env
 *      npx tsx bench/subscriptions/replay.ts        (BENCH_REPLAYS=20, BENCH_EVENTS=100)
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { collect } from '../../test/integration/gateway/fixtures/collect';
import { startProgressFixture } from '../../test/integration/gateway/fixtures/progressSubgraphs';

const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 20);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100);

const RESUME = /* GraphQL */ `
  subscription Resume($runId: ID!, $after: String) {
    runProgress(runId: $runId, after: $after) {
      sequence
      cursor
      kind
      run {
        id
        label
      }
    }
  }
`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main() {
  const fixture = await startProgressFixture();
  try {
    const gateway = await fixture.startGateway();
    const runId = `replay-${randomUUID()}`;
    await fixture.emit(runId, 'STARTED');
    for (let i = 2; i < EVENTS; i++) await fixture.emit(runId, 'STEP_PROGRESSED');
    await fixture.emit(runId, 'COMPLETED');
    const client = fixture.client(gateway);
    const resumeOnce = async () => {
      const started = performance.now();
      const stream = collect(client, RESUME, { runId, after: '0'.padStart(10, '0') });
      await stream.waitForCompletion(60_000);
      const elapsed = performance.now() - started;
      const sequences = stream.results.map(
        (r) => (r.data as { runProgress: { sequence: number } }).runProgress.sequence,
      );
      const contiguous = sequences.every((sequence, index) => sequence === index + 1);
      if (sequences.length !== EVENTS || !contiguous)
        throw new Error(`replay broken: ${sequences.length} events, contiguous ${contiguous}`);
      return elapsed;
    };
    await resumeOnce(); // warm-up: query plans, connections
    const sequential: number[] = [];
    for (let i = 0; i < REPLAYS; i++) sequential.push(await resumeOnce());
    const concurrent = await Promise.all(Array.from({ length: 10 }, resumeOnce));
    const row = (name: string, values: number[]) =>
      `${name.padEnd(34)} | p50 ${percentile(values, 50).toFixed(1)} ms | max ${Math.max(...values).toFixed(1)} ms | load ${load()}`;
    console.log(`replay of ${EVENTS} stored events to a resuming client (subscribe → completion)`);
    console.log(row(`sequential, n=${REPLAYS}`, sequential));
    console.log(row('10 resuming at once', concurrent));
    await client.dispose();
  } finally {
    await fixture.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

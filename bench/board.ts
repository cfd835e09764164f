/**
 * Benchmark: does the pipeline board stay responsive with 200 live runs? Opens the board in
 * headless chromium (test/utils/startBrowser.ts) on a stack in this process, starts RUNS runs that
 * wait at an approval (the board shows each one live), then approves them all (CONCURRENCY at a
 * time) and measures, in the page:
 *
 * - frame time: intervals between requestAnimationFrame callbacks while the updates stream, and
 *   the long tasks (> 50 ms) the page ran: whether the page stays responsive;
 * - update latency end to end: from the approveTask request being sent (Date.now() in this
 *   process) to the run's row changing in the DOM (a MutationObserver's Date.now() in the page;
 *   same machine clock): mutation, engine, Kafka, gateway subscription, render. A subscriber in
 *   this process cannot stand in for "event sent" (it shares the busy event loop of the whole
 *   stack, and got its events later than the page did), so the browser's own share shows in the
 *   frame times instead.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URI=mongodb://127.0.0.1:27017/ npx tsx bench/board.ts
 *
 * Env: BENCH_RUNS (default 200), BENCH_CONCURRENCY (approvals in flight, default 10). Needs `npm run build:ui` first.
 */
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { startBrowser } from '../test/utils/startBrowser';
import { postQuery, startBenchStack } from './benchStack';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
/** Runs are started more gently: each start is a commit the engine then works on. */
const START_CONCURRENCY = 4;

const DEFINITION = {
  id: 'bench-board',
  version: '1.0.0',
  name: 'Board bench',
  steps: [
    { id: 'gate', type: 'approval', assignee: 'bench', timeoutMs: 3_600_000 },
    {
      id: 'publish',
      type: 'action',
      action: 'event.emit',
      input: { type: 'pipeline.code.generated', data: {} },
    },
  ],
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** Runs `task` over `items`, at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

/**
 * Polls the page until `predicate(arg)` holds, or fails after `timeoutMs`. A function, not a string:
 * the board's CSP has no 'unsafe-eval'.
 */
async function pageWaitFor<A>(
  page: Page,
  predicate: (arg: A) => boolean,
  arg: A,
  timeoutMs: number,
): Promise<void> {
  await page.waitForFunction(predicate as (arg: unknown) => boolean, arg, {
    timeout: timeoutMs,
    polling: 200,
  });
}

async function main(): Promise<void> {
  const { stack } = await startBenchStack();
  const url = stack.gatewayUrl;
  const browser = await startBrowser();
  try {
    await postQuery(url, `mutation D($d: String!) { defineWorkflow(definition: $d) { id } }`, {
      d: JSON.stringify(DEFINITION),
    });
    const { page } = browser;
    // tsx (esbuild keepNames) wraps named functions in `__name(…)`; the functions this script
    // evaluates in the page need that helper there too.
    await page.addInitScript(() => {
      (globalThis as unknown as { __name: (f: unknown) => unknown }).__name = (f) => f;
    });
    await page.goto(url.replace(/\/graphql$/, '/board'));
    await page.getByTestId('connection').getByText('Live').waitFor({ timeout: 30_000 });

    const runIds: string[] = [];
    await pool(
      Array.from({ length: RUNS }, (_, i) => i),
      START_CONCURRENCY,
      async () => {
        const data = (await postQuery(
          url,
          `mutation S($input: StartRunInput!) { startRun(input: $input) { id } }`,
          { input: { definitionId: DEFINITION.id } },
        )) as { startRun: { id: string } };
        runIds.push(data.startRun.id);
      },
    );
    await pageWaitFor(
      page,
      (runs) => document.querySelectorAll('tr[data-run-id][data-status="WAITING"]').length >= runs,
      RUNS,
      300_000,
    );

    // From here the page records the first DOM change of each row and every frame interval.
    await page.evaluate(() => {
      const w = window as unknown as {
        __changed: Record<string, number>;
        __frames: number[];
        __longTasks: number[];
        __recording: boolean;
      };
      w.__changed = {};
      w.__frames = [];
      w.__longTasks = [];
      w.__recording = true;
      new MutationObserver((mutations) => {
        const now = Date.now();
        for (const mutation of mutations) {
          const row = (mutation.target as Element).closest?.(
            'tr[data-run-id]',
          ) as HTMLElement | null;
          if (row && row.dataset.status !== 'WAITING' && !(row.dataset.runId! in w.__changed))
            w.__changed[row.dataset.runId!] = now;
        }
      }).observe(document.body, {
        subtree: true,
        attributes: true,
        childList: true,
        characterData: true,
      });
      let last = performance.now();
      const frame = (now: number) => {
        w.__frames.push(now - last);
        last = now;
        if (w.__recording) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push(entry.duration);
      }).observe({ type: 'longtask', buffered: false });
    });

    const sentAt: Record<string, number> = {};
    const load = loadavg()[0]!;
    const started = Date.now();
    await pool(runIds, CONCURRENCY, async (runId) => {
      sentAt[runId] = Date.now();
      await postQuery(
        url,
        `mutation A($runId: ID!) { approveTask(runId: $runId, stepId: "gate", by: "bench") { id } }`,
        { runId },
      );
    });
    await pageWaitFor(
      page,
      (runs) => Object.keys((window as unknown as { __changed: object }).__changed).length >= runs,
      RUNS,
      300_000,
    );
    const elapsed = Date.now() - started;
    const { changed, frames, longTasks } = await page.evaluate(() => {
      const w = window as unknown as {
        __changed: Record<string, number>;
        __frames: number[];
        __longTasks: number[];
        __recording: boolean;
      };
      w.__recording = false;
      return { changed: w.__changed, frames: w.__frames, longTasks: w.__longTasks };
    });
    const latencies = runIds.map((id) => changed[id]! - sentAt[id]!).sort((a, b) => a - b);
    const sortedFrames = frames.slice(1).sort((a, b) => a - b);
    console.log(
      JSON.stringify(
        {
          runs: RUNS,
          concurrency: CONCURRENCY,
          loadAverage1m: Number(load.toFixed(2)),
          approvalsToAllRowsUpdatedMs: elapsed,
          approveSentToDomMs: {
            p50: percentile(latencies, 50),
            p95: percentile(latencies, 95),
            max: latencies.at(-1),
          },
          frameTimeMs: {
            frames: sortedFrames.length,
            p50: Number(percentile(sortedFrames, 50).toFixed(1)),
            p95: Number(percentile(sortedFrames, 95).toFixed(1)),
            max: Number((sortedFrames.at(-1) ?? NaN).toFixed(1)),
          },
          longTasks: { count: longTasks.length, maxMs: Math.round(Math.max(0, ...longTasks)) },
        },
        null,
        2,
      ),
    );
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Page, WebSocketRoute } from 'playwright-core';
import { REPO_ROOT } from '../../lib/graphql';
import { postGraphQL } from '../utils/graphqlClient';
import { startBrowser, type StartedBrowser } from '../utils/startBrowser';
import { startTestStack, type TestStack } from '../utils/startTestStack';

const JWT_SECRET = 'a-board-test-secret-of-enough-length';
const IMAGES = join(REPO_ROOT, 'docs', 'images');
const STAGES = ['blueprints', 'style', 'pages', 'components', 'code', 'quality'];

/** A definition that waits for alice's approval between two emitted events. */
const APPROVAL_DEFINITION = {
  id: 'board-approval',
  version: '1.0.0',
  name: 'Board approval',
  steps: [
    {
      id: 'prepare',
      type: 'action',
      action: 'event.emit',
      input: { type: 'pipeline.blueprints.prepared', data: {} },
    },
    { id: 'review', type: 'approval', assignee: 'alice', timeoutMs: 600000 },
    {
      id: 'publish',
      type: 'action',
      action: 'event.emit',
      input: { type: 'pipeline.code.generated', data: {} },
    },
  ],
};

/** Starts a run of `definition` from the page's form (with `input` as its JSON) and returns its id. */
async function startRunFromPage(page: Page, definition: string, input: unknown): Promise<string> {
  await page.goto(`${page.url().split('#')[0]}#/runs`);
  await page.getByLabel('Definition').selectOption({ value: definition });
  await page.getByLabel('Input (JSON)').fill(JSON.stringify(input));
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.waitForURL(/#\/runs\/.+/);
  return decodeURIComponent(new URL(page.url()).hash.replace('#/runs/', ''));
}

describe('Pipeline board (real chromium, real stack)', () => {
  let stack: TestStack;
  let browser: StartedBrowser;
  let token: string;
  let boardUrl: string;

  beforeAll(async () => {
    // Mutations and subscriptions need a verified token: the page must send it on both paths.
    stack = await startTestStack({ JWT_SECRET, REQUIRE_AUTH: 'mutation,subscription' });
    token = await new SignJWT({ sub: 'board-tester' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const defined = await postGraphQL(
      stack.gatewayUrl,
      `mutation D($definition: String!) { defineWorkflow(definition: $definition) { id } }`,
      { definition: JSON.stringify(APPROVAL_DEFINITION) },
      { authorization: `Bearer ${token}` },
    );
    if (defined.errors) throw new Error(`defineWorkflow: ${JSON.stringify(defined.errors)}`);
    boardUrl = stack.gatewayUrl.replace(/\/graphql$/, '/board');
    browser = await startBrowser();
    mkdirSync(IMAGES, { recursive: true });

    const { page } = browser;
    await page.goto(boardUrl);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Use' }).click();
    await page.getByTestId('connection').getByText('Live').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('should start the built-in pipeline from the page and show every stage pass live', async () => {
    const { page } = browser;
    // Records, in the page, each current stage the run's row shows, as the DOM changes.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __stagesSeen: string[] }).__stagesSeen = seen;
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('tr[data-run-id]')) {
          const entry = `${row.dataset.runId}:${row.dataset.status}:${row.dataset.currentStep}`;
          if (seen.at(-1) !== entry && !seen.includes(entry)) seen.push(entry);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const runId = await startRunFromPage(page, 'component-generation-pipeline@1.0.0', {
      blueprints: ['landing'],
      theme: 'light',
      pages: ['home'],
      components: [{ name: 'BoardHero', type: 'ORGANISM', version: '1.0.0' }],
      componentIds: [],
    });
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await row.and(page.locator('[data-status="SUCCEEDED"]')).waitFor({ timeout: 60_000 });
    for (const stage of STAGES)
      await expect(row.locator(`[data-stage="${stage}"]`).getAttribute('data-state')).resolves.toBe(
        'done',
      );

    // Live: the row went through the stages while running, in pipeline order.
    const seen = await page.evaluate(
      () => (window as unknown as { __stagesSeen: string[] }).__stagesSeen,
    );
    const running = seen
      .filter((entry) => entry.startsWith(`${runId}:RUNNING:`))
      .map((entry) => entry.split(':').at(-1));
    // runsChanged was live before the run started: its row showed the stages as current while
    // running, in pipeline order (events landing in one frame are rendered together, so a stage
    // may be passed between two renders), before the run's final state.
    const order = running.map((stage) => STAGES.indexOf(stage!));
    expect(order.length).toBeGreaterThanOrEqual(3);
    expect(order).toEqual([...new Set(order)].sort((a, b) => a - b));
    expect(seen.findIndex((entry) => entry.startsWith(`${runId}:SUCCEEDED:`))).toBeGreaterThan(
      seen.findIndex((entry) => entry.startsWith(`${runId}:RUNNING:`)),
    );
    // The detail's runProgress feed (opened once startRun answered: a snapshot, then events)
    // streamed the run's remaining transitions in pipeline order, up to its completion.
    const detail = page.locator(`section.run-detail[data-run-id="${runId}"]`);
    await detail.locator('[data-kind="COMPLETED"]').waitFor();
    const streamed = (await detail.locator('[data-kind="TRANSITIONED"]').allTextContents()).map(
      (text) => STAGES.findIndex((stage) => text.includes(`${stage} →`)),
    );
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed).toEqual([...streamed].sort((a, b) => a - b));
    expect(streamed.at(-1)).toBe(STAGES.length - 1);
    // The generated component is linked to the run (registry fields through the supergraph).
    await detail.locator('[data-component="BoardHero"]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(IMAGES, 'board-runs.png') });
  });

  it('should approve a waiting task from the page, with the keyboard', async () => {
    const { page } = browser;
    const runId = await startRunFromPage(page, 'board-approval@1.0.0', {});
    await page.locator(`tr[data-run-id="${runId}"][data-status="WAITING"]`).waitFor();
    await page.getByRole('link', { name: 'Approvals' }).click();
    const task = page.locator(`tr[data-task-run="${runId}"][data-task-step="review"]`);
    await task.waitFor();
    await page.screenshot({ path: join(IMAGES, 'board-approvals.png') });
    await task.getByRole('button', { name: 'Approve' }).focus();
    await page.keyboard.press('Enter');
    await task.waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Runs' }).click();
    await page.locator(`tr[data-run-id="${runId}"][data-status="SUCCEEDED"]`).waitFor();
    const run = await stack.query<{ workflowRun: { outputs: Record<string, unknown> } }>(
      `query R($id: ID!) { workflowRun(id: $id) { outputs } }`,
      { id: runId },
    );
    expect(run.data?.workflowRun.outputs.review).toEqual({
      approved: true,
      by: 'alice',
      comment: null,
    });
  });

  it('should resume a run feed after its socket drops, with after = the last cursor seen', async () => {
    const { page } = browser;
    // Between the page and the gateway, to read what the page sends and to drop the socket the
    // way a restarting gateway does (1001 going away), without stopping the shared stack.
    const sockets: { page: WebSocketRoute; server: WebSocketRoute }[] = [];
    const subscribed: { query: string; variables?: Record<string, unknown> }[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      const server = ws.connectToServer();
      sockets.push({ page: ws, server });
      ws.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as { type: string; payload?: never };
        if (parsed.type === 'subscribe' && parsed.payload) subscribed.push(parsed.payload);
        server.send(message);
      });
    });
    await page.reload();
    await page.getByTestId('connection').getByText('Live').waitFor();
    const started = await postGraphQL<{ startRun: { id: string } }>(
      stack.gatewayUrl,
      `mutation { startRun(input: { definitionId: "board-approval" }) { id } }`,
      {},
      { authorization: `Bearer ${token}` },
    );
    const runId = started.data!.startRun.id;
    await page.goto(`${boardUrl}#/runs/${runId}`);
    const detail = page.locator(`section.run-detail[data-run-id="${runId}"]`);
    await detail.getByTestId('detail-status').getByText('WAITING').waitFor();
    const cursor = await detail.getAttribute('data-cursor');
    expect(cursor).toBeTruthy();

    const dropped = sockets.length;
    const last = sockets.at(-1)!;
    await last.page.close({ code: 1001, reason: 'going away' });
    await last.server.close();
    const approved = await postGraphQL(
      stack.gatewayUrl,
      `mutation A($runId: ID!) { approveTask(runId: $runId, stepId: "review", by: "alice") { id } }`,
      { runId },
      { authorization: `Bearer ${token}` },
    );
    expect(approved.errors).toBeUndefined();

    await detail.locator('[data-kind="COMPLETED"]').waitFor();
    expect(sockets.length).toBeGreaterThan(dropped);
    const resumed = subscribed.filter(
      (payload) => payload.query.includes('runProgress(') && payload.variables?.runId === runId,
    );
    // First with no cursor (snapshot), then again after the drop with the last cursor seen.
    expect(resumed.map((payload) => payload.variables?.after ?? null)).toEqual([null, cursor]);
    const sequences = (await detail
      .locator('[data-sequence]')
      .evaluateAll((items) =>
        items.map((item) => Number((item as HTMLElement).dataset.sequence)),
      )) as number[];
    expect(new Set(sequences).size).toBe(sequences.length);
    await expect(detail.getByTestId('detail-status').textContent()).resolves.toContain('SUCCEEDED');
  });

  it('should show a dead letter as it appears and redrive it from the page', async () => {
    const { page } = browser;
    // An invalid version: the registry's command handler dead-letters the registration request
    // (docs/workflow.md), keyed by the run id.
    const runId = await startRunFromPage(page, 'component-generation-pipeline@1.0.0', {
      components: [{ name: 'BoardBroken', type: 'ATOM', version: 'banana' }],
    });
    await page.getByRole('link', { name: 'Operations' }).click();
    const letter = page.locator(`[data-domain="WORKFLOW"] tr[data-dead-letter-key="${runId}"]`);
    await letter.first().waitFor({ timeout: 60_000 });
    await expect(letter.first().textContent()).resolves.toContain('is not a semantic version');
    // The stack's consumer groups with their lag (consumerLag), the registry's commands among them.
    await page
      .locator('[data-testid="consumer-group"]')
      .filter({ hasText: 'registry-commands' })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(IMAGES, 'board-operations.png') });

    await letter
      .first()
      .getByRole('button', { name: /^Redrive/ })
      .click();
    await page.locator('[data-domain="WORKFLOW"]').getByText(`Key ${runId}: 1 redriven`).waitFor();
  });

  it('should chart the analytics of the pipeline', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Analytics' }).click();
    const summary = page.getByTestId('analytics-summary');
    await summary.waitFor();
    // Two pipeline runs finished above (one with a dead-lettered component, which still succeeds).
    await expect(summary.textContent()).resolves.toMatch(/\d+ of \d+ runs finished/);
    await expect(page.locator('.chart canvas').count()).resolves.toBe(2);
    await page.screenshot({ path: join(IMAGES, 'board-analytics.png') });
  });

  it('should hold its layout at 1280×800 and keep every request on loopback', async () => {
    const { page, recorder, pageErrors } = browser;
    await page.getByRole('link', { name: 'Runs' }).click();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(recorder.requests.some((r) => r.resourceType === 'websocket')).toBe(true);
    expect(recorder.offLoopback()).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

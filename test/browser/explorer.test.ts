import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../lib/graphql';
import { eventually } from '../utils/graphqlClient';
import { startBrowser, type StartedBrowser } from '../utils/startBrowser';
import { startTestStack, type TestStack } from '../utils/startTestStack';

const SCREENSHOT = join(REPO_ROOT, 'docs', 'images', 'explorer-offline.png');

/** An approval step keeps the run open until the test approves it, so events arrive live. */
const GATED_WORKFLOW = {
  id: 'explorer-gated',
  version: '1.0.0',
  name: 'Explorer gated',
  steps: [
    { id: 'review', type: 'approval', assignee: 'alice', timeoutMs: 600000 },
    { id: 'pause', type: 'action', action: 'delay', input: { ms: 10 } },
  ],
};

/** Puts an operation into GraphiQL's query editor (CodeMirror 5, so no auto-closed brackets). */
async function setQuery(page: Page, query: string): Promise<void> {
  await page.evaluate((text) => {
    const editor = document.querySelector('.graphiql-query-editor .CodeMirror') as
      (Element & { CodeMirror: { setValue(value: string): void } }) | null;
    if (!editor) throw new Error('no query editor');
    editor.CodeMirror.setValue(text);
  }, query);
}

/** The text of GraphiQL's result pane. */
function responseText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const editor = document.querySelector('.graphiql-response .CodeMirror') as
      (Element & { CodeMirror: { getValue(): string } }) | null;
    return editor?.CodeMirror.getValue() ?? '';
  });
}

describe('offline explorer (GraphiQL bundled with the gateway)', () => {
  let stack: TestStack;
  let browser: StartedBrowser;
  /** graphql-ws `next` messages the page received. */
  const nextMessages: string[] = [];

  beforeAll(async () => {
    // `auto` with the Sandbox CDN unreachable: what a machine without internet sees.
    stack = await startTestStack({
      GATEWAY_EXPLORER: 'auto',
      GATEWAY_EXPLORER_PROBE_URL: 'http://127.0.0.1:9/embeddable-sandbox.js',
      GATEWAY_EXPLORER_PROBE_TIMEOUT_MS: '1000',
    });
    browser = await startBrowser();
    browser.page.on('websocket', (socket) =>
      socket.on('framereceived', ({ payload }) => {
        if (String(payload).includes('"type":"next"')) nextMessages.push(String(payload));
      }),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('should serve the bundled explorer on /graphql with a same-origin-only policy', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await response.text()).toContain('<base href="/explorer/">');
    const root = await fetch(stack.gatewayUrl.replace(/\/graphql$/, '/'), { redirect: 'manual' });
    expect(root.headers.get('location')).toBe('/graphql');
  });

  it('should run a query and show its result in the result pane', async () => {
    const { page } = browser;
    await page.goto(stack.gatewayUrl);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await setQuery(page, 'query Definitions { workflowDefinitions { id name } }');
    await page.locator('.graphiql-execute-button').click();
    await eventually(async () =>
      (await responseText(page)).includes('component-generation-pipeline') ? true : undefined,
    );
    expect(JSON.parse(await responseText(page))).toMatchObject({
      data: {
        workflowDefinitions: expect.arrayContaining([
          expect.objectContaining({ id: 'component-generation-pipeline' }),
        ]),
      },
    });
    mkdirSync(join(REPO_ROOT, 'docs', 'images'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
  });

  it('should stream a subscription over graphql-ws into the result pane', async () => {
    const defined = await stack.query(
      `mutation D($d: String!) { defineWorkflow(definition: $d) { id } }`,
      { d: JSON.stringify(GATED_WORKFLOW) },
    );
    expect(defined.errors).toBeUndefined();
    const started = await stack.query<{ startRun: { id: string } }>(
      `mutation { startRun(input: { definitionId: "${GATED_WORKFLOW.id}" }) { id } }`,
    );
    const runId = started.data!.startRun.id;
    const { page } = browser;
    await setQuery(
      page,
      `subscription Progress { runProgress(runId: "${runId}", after: "0") { sequence kind } }`,
    );
    await page.locator('.graphiql-execute-button').click();
    // The stored events first, up to the waiting approval…
    await eventually(async () =>
      (await responseText(page)).includes('runProgress') ? true : undefined,
    );
    const before = nextMessages.length;
    expect(before).toBeGreaterThan(0);
    // …then live ones, once the run goes on.
    const approved = await stack.query(
      `mutation { approveTask(runId: "${runId}", stepId: "review", by: "alice") { id } }`,
    );
    expect(approved.errors).toBeUndefined();
    await eventually(async () =>
      (await responseText(page)).includes('COMPLETED') ? true : undefined,
    );
    expect(nextMessages.length).toBeGreaterThan(before);
  });

  it('should reach its controls with the keyboard', async () => {
    // GraphiQL's own controls (sidebar, tabs, toolbar) take focus with Tab; inside an editor Tab
    // indents, as in any code editor, and Ctrl-Enter runs the operation.
    const { page } = browser;
    await page.locator('body').focus();
    const reached = new Set<string>();
    for (let press = 0; press < 12; press += 1) {
      await page.keyboard.press('Tab');
      const control = await page.evaluate(() => {
        const active = document.activeElement;
        if (!active || !active.matches('button, a[href], [role="tab"], input')) return undefined;
        return active.getAttribute('aria-label') ?? active.textContent ?? active.tagName;
      });
      if (control) reached.add(control);
    }
    expect(reached.size).toBeGreaterThanOrEqual(3);
  });

  it('should not have made a single request off loopback', () => {
    expect(browser.recorder.requests.length).toBeGreaterThan(3);
    expect(browser.recorder.requests.some((r) => r.resourceType === 'websocket')).toBe(true);
    expect(browser.recorder.offLoopback()).toEqual([]);
    // No CSP violation or script error on the way.
    expect(browser.pageErrors).toEqual([]);
  });
});

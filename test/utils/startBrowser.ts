/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser tests pass functions to page.evaluate(), which run in the page: they need DOM types.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (apt package `chromium`; `.ci/run` installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Hosts a page may reach without leaving the machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** One request the page made (documents, scripts, fetches, WebSockets, …). */
export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
  /** URL host name (`[::1]` for IPv6 loopback); empty for `data:` and `blob:` URLs. */
  host: string;
}

/** Every request a browser context made, in order. */
export interface RequestRecorder {
  readonly requests: readonly RecordedRequest[];
  /** The requests to anything but loopback (`data:`/`blob:` URLs never leave the page). */
  offLoopback(): RecordedRequest[];
}

/** A headless chromium with one context and page; `close()` ends the browser. */
export interface StartedBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  recorder: RequestRecorder;
  /** Messages the page logged as errors, and uncaught page errors. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Options of {@link startBrowser}. */
export interface StartBrowserOptions {
  /** @default { width: 1280, height: 800 } (the layout the issue asks to hold) */
  viewport?: { width: number; height: number };
}

/**
 * Launches Debian's chromium headless through playwright-core (no bundled browser download),
 * recording the host of every request the context makes, WebSockets included, so a test can
 * assert that nothing left loopback. Fails with a clear message when chromium is missing
 * rather than letting browser tests pass by skipping.
 */
export async function startBrowser(options: StartBrowserOptions = {}): Promise<StartedBrowser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `Browser tests need chromium at ${CHROMIUM_PATH}: \`apt-get install -y chromium\` (.ci/run does), or set CHROMIUM_PATH.`,
    );
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // No sandbox: CI runs as root in a container. No background networking: chromium's own
    // update, safe-browsing and field-trial requests would otherwise leave the machine.
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  const requests: RecordedRequest[] = [];
  const record = (url: string, method: string, resourceType: string): void => {
    let host = '';
    if (!/^(data|blob):/.test(url)) host = new URL(url).hostname;
    requests.push({ url, method, resourceType, host });
  };
  context.on('request', (request) =>
    record(request.url(), request.method(), request.resourceType()),
  );
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  // WebSockets are not `request` events in playwright: record their handshakes separately.
  page.on('websocket', (socket) => record(socket.url(), 'GET', 'websocket'));
  return {
    browser,
    context,
    page,
    pageErrors,
    recorder: {
      requests,
      offLoopback: () => requests.filter((r) => r.host !== '' && !LOOPBACK_HOSTS.has(r.host)),
    },
    async close() {
      await browser.close();
    },
  };
}

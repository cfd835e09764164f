import type { Express, Request } from 'express';
import type { Logger } from '../../../lib/logging';
import type { LandingPage, LandingPageDescription } from '../landingPage';
import { serveUiPage } from '../ui/serveUiPage';
import { createSandboxProbe, type SandboxProbe } from './createSandboxProbe';
import { defaultExplorerOptions, type ExplorerOptions } from './explorerOptions';

/** The explorer as mounted: what it serves now, and its probe's lifetime. */
export interface MountedExplorer {
  /** What a browser gets on `GET /graphql` now (for the start log line). */
  description(): LandingPageDescription;
  /** Settles once the description is known (after the first probe in `auto`). */
  readonly ready: Promise<void>;
  stop(): void;
}

/** A browser navigating to the endpoint, as Apollo Server decides when to serve its page. */
function prefersHtml(req: Request): boolean {
  return (
    req.method === 'GET' &&
    req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) ===
      'text/html'
  );
}

/**
 * Serves the bundled explorer (gateway/ui/explorer) on `GET /graphql` to browsers when the
 * landing page calls for it, ahead of Apollo Server's own page; its files are under
 * `/explorer/`. Must be mounted before the GraphQL middleware.
 */
export function mountExplorer(
  app: Express,
  landingPage: LandingPage,
  options: ExplorerOptions | undefined,
  logger: Logger,
): MountedExplorer {
  if (landingPage.localExplorer === 'never')
    return { description: () => landingPage.description, ready: Promise.resolve(), stop() {} };
  let probe: SandboxProbe | undefined;
  if (landingPage.localExplorer === 'offline') {
    const resolved = { ...defaultExplorerOptions, ...options };
    probe = createSandboxProbe({
      url: resolved.probeUrl,
      timeoutMs: resolved.probeTimeoutMs,
      intervalMs: resolved.reprobeIntervalMs,
      logger,
      onChange: (reachable) =>
        logger.info(
          { landingPage: reachable ? landingPage.description : 'local explorer (GraphiQL)' },
          reachable
            ? 'Apollo Sandbox reachable again: serving it on /graphql'
            : 'Apollo Sandbox unreachable: serving the local explorer on /graphql',
        ),
    });
  }
  const local = () => !probe || !probe.reachable();
  app.use(
    serveUiPage({
      page: 'explorer',
      path: '/graphql',
      assetsPath: '/explorer/',
      when: (req) => prefersHtml(req) && local(),
    }),
  );
  return {
    description: () => (local() ? 'local explorer (GraphiQL)' : landingPage.description),
    ready: probe ? probe.firstProbe.then(() => undefined) : Promise.resolve(),
    stop: () => probe?.stop(),
  };
}

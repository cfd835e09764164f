import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import type { ExplorerMode } from './explorer/explorerOptions';

/** What the start log line says is served on `GET /graphql` to a browser. */
export type LandingPageDescription =
  'Apollo Sandbox (embedded)' | 'Apollo Studio link' | 'local explorer (GraphiQL)' | 'none';

/** What a browser opening `/graphql` gets, and how the start banner names it. */
export interface LandingPage {
  plugin: ApolloServerPlugin;
  /**
   * When the gateway serves its bundled explorer (gateway/ui/explorer) instead of Apollo's page:
   * `never`, `always`, or when the Sandbox CDN did not answer the gateway's probe (`offline`).
   */
  localExplorer: 'never' | 'always' | 'offline';
  /** For the start log line: what is served (with `localExplorer: 'offline'`, when online). */
  description: LandingPageDescription;
}

const sandbox = (localExplorer: 'never' | 'offline'): LandingPage => ({
  plugin: ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
  localExplorer,
  description: 'Apollo Sandbox (embedded)',
});
const none = (): LandingPage => ({
  plugin: ApolloServerPluginLandingPageDisabled(),
  localExplorer: 'never',
  description: 'none',
});

/**
 * By explorer mode (gateway/src/explorer/explorerOptions.ts): the embedded Apollo Sandbox, the
 * bundled explorer, Sandbox with the bundled explorer when it cannot load (`auto`), or none.
 * Without a mode: Sandbox in development. Production: nothing unless an explorer mode is given; without one, a page linking to
 * the graph in Apollo Studio when managed federation names one (`GET /graphql` without a query is
 * otherwise a 400 in GraphQL JSON): Apollo's production default page offers Sandbox, which a
 * production gateway (introspection off) does not serve.
 */
export function chooseLandingPage(
  production: boolean,
  graphRef: string | undefined,
  mode?: ExplorerMode,
): LandingPage {
  if (mode === undefined && production && graphRef)
    return {
      plugin: ApolloServerPluginLandingPageProductionDefault({ footer: false, graphRef }),
      localExplorer: 'never',
      description: 'Apollo Studio link',
    };
  // Options built in code without a mode keep the behaviour from before explorer modes: no probe.
  const chosen = mode ?? (production ? 'off' : 'sandbox');
  switch (chosen) {
    case 'sandbox':
      return sandbox('never');
    case 'auto':
      // Apollo serves Sandbox whenever the gateway's own handler passes the request on.
      return sandbox('offline');
    case 'local':
      return { ...none(), localExplorer: 'always', description: 'local explorer (GraphiQL)' };
    case 'off':
      return none();
  }
}

import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';

/** What a browser opening `/graphql` gets, and how the start banner names it. */
export interface LandingPage {
  plugin: ApolloServerPlugin;
  /** For the start log line: what is actually served. */
  description: 'Apollo Sandbox (embedded)' | 'Apollo Studio link' | 'none';
}

/**
 * Development: the embedded Apollo Sandbox. Production: a page linking to the graph in Apollo
 * Studio when managed federation names one, otherwise none (`GET /graphql` without a query is
 * then a 400 in GraphQL JSON): Apollo's production default page offers Sandbox, which a
 * production gateway (introspection off) does not serve.
 */
export function chooseLandingPage(production: boolean, graphRef: string | undefined): LandingPage {
  if (!production)
    return {
      plugin: ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
      description: 'Apollo Sandbox (embedded)',
    };
  if (graphRef)
    return {
      plugin: ApolloServerPluginLandingPageProductionDefault({ footer: false, graphRef }),
      description: 'Apollo Studio link',
    };
  return { plugin: ApolloServerPluginLandingPageDisabled(), description: 'none' };
}

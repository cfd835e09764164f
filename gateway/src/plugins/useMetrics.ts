import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's Prometheus metrics. */
export interface GatewayMetrics {
  plugin: ApolloServerPlugin;
  /** Records one subgraph fetch. */
  observeSubgraph(subgraph: string, seconds: number, failed: boolean): void;
  setActiveSubscriptions(count: number): void;
}

/**
 * Creates the gateway metrics on a registry: requests and latency per operation, errors by code,
 * subgraph latency, active subscriptions. Operation names are client-chosen, so anonymous
 * operations share one label value and the label set stays bounded by the clients' documents.
 */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const requests = new Histogram({
    name: 'gateway_operation_duration_seconds',
    help: 'GraphQL operations served over HTTP, by operation name and type',
    labelNames: ['operation', 'type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'gateway_errors_total',
    help: 'GraphQL errors returned, by code',
    labelNames: ['code'],
    registers: [registry],
  });
  const subgraphs = new Histogram({
    name: 'gateway_subgraph_duration_seconds',
    help: 'Subgraph fetches, by subgraph and outcome',
    labelNames: ['subgraph', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const subscriptions = new Gauge({
    name: 'gateway_active_subscriptions',
    help: 'Open graphql-ws subscriptions',
    registers: [registry],
  });
  return {
    plugin: {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        return {
          async didEncounterErrors({ errors: encountered }) {
            for (const error of encountered) {
              const code = error.extensions?.code;
              errors.inc({ code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR' });
            }
          },
          async willSendResponse({ operationName, operation }) {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            requests.observe(
              {
                operation: operationName ?? '(anonymous)',
                type: operation?.operation ?? 'unknown',
              },
              seconds,
            );
          },
        };
      },
    },
    observeSubgraph(subgraph, seconds, failed) {
      subgraphs.observe({ subgraph, outcome: failed ? 'error' : 'ok' }, seconds);
    },
    setActiveSubscriptions(count) {
      subscriptions.set(count);
    },
  };
}

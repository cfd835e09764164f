import cluster from 'node:cluster';
import { runMain } from '../../lib/lifecycle';
import { createLogger } from '../../lib/logging';
import { shareMetricsWithPrimary, startGatewayCluster } from './cluster/startGatewayCluster';
import { gatewayOptionsFromEnv } from './config';
import { startRateLimitPrimary } from './rateLimits';
import { startGateway } from './startGateway';

if (cluster.isWorker) {
  runMain(
    'gateway',
    async () => {
      const gateway = await startGateway(gatewayOptionsFromEnv());
      shareMetricsWithPrimary([gateway.metricsRegistry]);
      return gateway;
    },
    { signals: ['SIGTERM'] },
  );
} else {
  runMain('gateway', async () => {
    // Parsed here first, so bad configuration fails once instead of in every worker.
    const options = gatewayOptionsFromEnv();
    const workers = options.workers ?? 1;
    if (workers === 1) return startGateway(options);
    // Workers keep their rate-limit counters here, so a client's budget spans the cores.
    if (options.rateLimits?.enabled !== false) startRateLimitPrimary();
    return startGatewayCluster({
      workers,
      host: options.host,
      ...(options.clusterMetricsPort !== undefined && { metricsPort: options.clusterMetricsPort }),
      logger: createLogger({
        name: 'gateway-primary',
        level: options.logLevel,
        format: options.platform.logFormat,
      }),
    });
  });
}

import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:http';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { closeServer, listen } from '../../../lib/http';
import type { Stoppable } from '../../../lib/lifecycle';
import type { Logger } from '../../../lib/logging';

/** Options of {@link startGatewayCluster}. */
export interface GatewayClusterOptions {
  workers: number;
  /** Port of the aggregated `/metrics` (absent: not served). */
  metricsPort?: number;
  host: string;
  logger: Logger;
  /** A worker stopping later than this after SIGTERM is killed. @default 30000 */
  stopTimeoutMs?: number;
  /** Restarts of crashed workers allowed per minute before the whole gateway gives up. @default 5 */
  maxRestartsPerMinute?: number;
}

/** The primary process of a multi-core gateway. */
export interface RunningGatewayCluster extends Stoppable {
  /** Process ids of the live workers. */
  readonly workerPids: number[];
  /** URL of the aggregated metrics, when served. */
  metricsUrl?: string;
}

const waitForExit = (worker: Worker) =>
  new Promise<void>((resolve) => {
    if (worker.isDead()) resolve();
    else worker.once('exit', () => resolve());
  });

/**
 * Runs the gateway on several cores: forks workers that each run the whole gateway on the same
 * port (node:cluster hands out connections), replaces crashed ones, and stops them gracefully.
 * Resolves once every worker is listening.
 */
export async function startGatewayCluster(
  options: GatewayClusterOptions,
): Promise<RunningGatewayCluster> {
  const { logger, stopTimeoutMs = 30_000, maxRestartsPerMinute = 5 } = options;
  const workers = new Set<Worker>();
  const restarts: number[] = [];
  let stopping = false;
  let failed: ((error: Error) => void) | undefined;

  const fork = () => {
    const worker = cluster.fork();
    workers.add(worker);
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (stopping) return;
      logger.error({ pid: worker.process.pid, code, signal }, 'gateway worker exited');
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > maxRestartsPerMinute || failed) {
        failed?.(new Error(`gateway worker exited with ${code ?? signal} before listening`));
        logger.fatal('gateway workers keep crashing; stopping');
        void running.stop().finally(() => process.exit(1));
        return;
      }
      fork();
    });
    return worker;
  };

  const listening = new Promise<void>((resolve, reject) => {
    failed = reject;
    let count = 0;
    cluster.on('listening', () => {
      if (++count === options.workers) {
        failed = undefined;
        resolve();
      }
    });
  });
  for (let i = 0; i < options.workers; i++) fork();

  const aggregator = new AggregatorRegistry();
  const metricsServer =
    options.metricsPort === undefined
      ? undefined
      : createServer((request, response) => {
          if (request.url !== '/metrics') {
            response.writeHead(404).end();
            return;
          }
          aggregator.clusterMetrics().then(
            (text) => response.writeHead(200, { 'content-type': aggregator.contentType }).end(text),
            (error: unknown) => response.writeHead(500).end(String(error)),
          );
        });

  const running: RunningGatewayCluster = {
    get workerPids() {
      return [...workers].flatMap((worker) => (worker.process.pid ? [worker.process.pid] : []));
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      const live = [...workers];
      for (const worker of live) worker.process.kill('SIGTERM');
      const killer = setTimeout(() => {
        for (const worker of live) if (!worker.isDead()) worker.process.kill('SIGKILL');
      }, stopTimeoutMs);
      await Promise.all(live.map(waitForExit));
      clearTimeout(killer);
      if (metricsServer?.listening) await closeServer(metricsServer);
    },
  };
  try {
    await listening;
  } catch (error) {
    await running.stop();
    throw error;
  }
  if (metricsServer) {
    running.metricsUrl = `${await listen(metricsServer, options.metricsPort ?? 0, options.host)}/metrics`;
  }
  logger.info(
    { workers: options.workers, pids: running.workerPids, metricsUrl: running.metricsUrl },
    'gateway cluster ready',
  );
  return running;
}

/** In a worker: lets the primary read this process's metrics for the aggregated `/metrics`. */
export function shareMetricsWithPrimary(registries: Registry[]): void {
  // prom-client installs the worker's IPC listener only when an AggregatorRegistry is created.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(registries);
}

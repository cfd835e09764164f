import express from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A named readiness probe; resolves true when the dependency can serve. */
export type ReadinessCheck = () => Promise<boolean>;

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  role: string;
  readiness?: Record<string, ReadinessCheck>;
  /** @default a new registry with default process metrics */
  metrics?: Registry;
}

/** Creates the express app of a role with `/health` (liveness), `/ready` and `/metrics`. */
export function createHttpApp({ role, readiness = {}, metrics }: HttpAppOptions) {
  const registry = metrics ?? new Registry();
  if (!metrics) collectDefaultMetrics({ register: registry, labels: { role } });
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    // The pid tells which process answered (several share a port in multi-core mode).
    res.json({ status: 'ok', role, pid: process.pid });
  });
  app.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(readiness).map(
        async ([name, check]) => [name, await check().catch(() => false)] as const,
      ),
    );
    const ready = results.every(([, ok]) => ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not ready', role, checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { app, metrics: registry };
}

import express from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** A named readiness probe; resolves true when the dependency can serve. */
export type ReadinessCheck = () => Promise<boolean>;

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  role: string;
  /** What the role cannot serve without: one false makes `/ready` 503 `not ready`. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Parts the role serves its API without (Kafka-backed work: consumers, relays, live events):
   * one false makes `/ready` 200 `degraded` and names it, so balancers keep routing queries.
   */
  degradable?: Record<string, ReadinessCheck>;
  /** @default a new registry with default process metrics */
  metrics?: Registry;
}

/** Creates the express app of a role with `/health` (liveness), `/ready` and `/metrics`. */
export function createHttpApp({ role, readiness = {}, degradable = {}, metrics }: HttpAppOptions) {
  const registry = metrics ?? new Registry();
  if (!metrics) collectDefaultMetrics({ register: registry, labels: { role } });
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    // The pid tells which process answered (several share a port in multi-core mode).
    res.json({ status: 'ok', role, pid: process.pid });
  });
  const run = (checks: Record<string, ReadinessCheck>) =>
    Promise.all(
      Object.entries(checks).map(
        async ([name, check]) => [name, await check().catch(() => false)] as const,
      ),
    );
  app.get('/ready', async (_req, res) => {
    const [required, optional] = await Promise.all([run(readiness), run(degradable)]);
    const ready = required.every(([, ok]) => ok);
    const degraded = optional.filter(([, ok]) => !ok).map(([name]) => name);
    const status = !ready ? 'not ready' : degraded.length > 0 ? 'degraded' : 'ready';
    res.status(ready ? 200 : 503).json({
      status,
      role,
      checks: Object.fromEntries([...required, ...optional]),
      ...(degraded.length > 0 && { degraded }),
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return { app, metrics: registry };
}

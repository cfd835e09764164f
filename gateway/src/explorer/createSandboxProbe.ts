import type { Logger } from '../../../lib/logging';

/** Whether Apollo Sandbox's CDN answered the last probe. */
export interface SandboxProbe {
  /** The last probe's answer (false until the first one succeeds). */
  reachable(): boolean;
  /** Settles when the first probe has answered or timed out. */
  readonly firstProbe: Promise<boolean>;
  stop(): void;
}

/** Options of {@link createSandboxProbe}. */
export interface SandboxProbeOptions {
  url: string;
  timeoutMs: number;
  intervalMs: number;
  logger: Logger;
  /** Called when reachability changes after the first probe. */
  onChange?: (reachable: boolean) => void;
}

/** One HEAD request with a deadline: any HTTP answer below 400 counts as reachable. */
async function probeOnce(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return response.status < 400;
  } catch {
    return false;
  }
}

/**
 * Probes the Sandbox CDN from the gateway once at start and then every `intervalMs`, so the
 * explorer choice needs no request from the browser: an offline browser asked to load Sandbox
 * shows Apollo's "you might be offline" page, which is what this avoids.
 */
export function createSandboxProbe(options: SandboxProbeOptions): SandboxProbe {
  let reachable = false;
  let stopped = false;
  const run = async (): Promise<boolean> => {
    const next = await probeOnce(options.url, options.timeoutMs);
    if (!stopped && next !== reachable) {
      reachable = next;
      options.onChange?.(next);
    }
    return next;
  };
  const firstProbe = probeOnce(options.url, options.timeoutMs).then((first) => {
    reachable = first;
    return first;
  });
  const timer = setInterval(() => {
    run().catch((error: unknown) => options.logger.warn({ err: error }, 'sandbox probe failed'));
  }, options.intervalMs);
  // A probe timer alone never keeps the process alive.
  timer.unref();
  return {
    reachable: () => reachable,
    firstProbe,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

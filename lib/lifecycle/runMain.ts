import { ConfigError } from '../config';

/** Anything a process starts and must stop on shutdown. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Options of {@link runMain}. */
export interface RunMainOptions {
  /**
   * Signals that stop the process gracefully; other usual ones are ignored. A cluster worker
   * listens to SIGTERM only, because its primary turns a terminal's Ctrl-C into SIGTERM.
   * @default ['SIGTERM', 'SIGINT']
   */
  signals?: readonly ('SIGTERM' | 'SIGINT')[];
  /**
   * Repeated signals within this time of the first are the same request, delivered again by a
   * launcher (tsx relays the signal its child already got from the process group; `npm exec`,
   * `npm start`'s shell and a terminal each send one too): ignored. A signal after it forces an
   * immediate exit 1. @default 2000
   */
  repeatWindowMs?: number;
  /** Exit 1 when start (if still running) and stop have not finished this long after the first signal. @default 30000 */
  stopTimeoutMs?: number;
}

/** The default options of {@link runMain}. */
export const defaultRunMainOptions = {
  signals: ['SIGTERM', 'SIGINT'],
  repeatWindowMs: 2000,
  stopTimeoutMs: 30_000,
} as const satisfies RunMainOptions;

/**
 * Runs a process entry point: starts it, and on SIGTERM/SIGINT stops it gracefully and exits 0 —
 * also when the signal arrives while it is still starting (it stops once started). A repeated
 * signal after {@link RunMainOptions.repeatWindowMs} exits 1 at once, and so does a stop that
 * outlasts {@link RunMainOptions.stopTimeoutMs}. Bad configuration, or a failed start, exits 1.
 */
export function runMain(
  name: string,
  start: () => Promise<Stoppable>,
  options: RunMainOptions = {},
): void {
  const { signals, repeatWindowMs, stopTimeoutMs } = { ...defaultRunMainOptions, ...options };
  let firstSignalAt: number | undefined;
  // Handlers are in place before start(): a signal during a slow start is a graceful stop too
  // (without a handler, Node would die of it, and tsx's child reports exit 143).
  if (!signals.includes('SIGINT')) process.on('SIGINT', () => undefined);
  const started = start();
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < repeatWindowMs) return;
      console.error(`[${name}] ${signal} again: exiting without finishing the shutdown`);
      process.exit(1);
    }
    firstSignalAt = Date.now();
    console.error(`[${name}] ${signal}: shutting down`);
    setTimeout(() => {
      console.error(`[${name}] shutdown did not finish within ${stopTimeoutMs} ms`);
      process.exit(1);
    }, stopTimeoutMs).unref();
    started
      .then((service) => service.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`[${name}] shutdown failed`, error);
          process.exit(1);
        },
      );
  };
  for (const signal of signals) process.on(signal, onSignal);
  started.catch((error: unknown) => {
    console.error(error instanceof ConfigError ? `[${name}] ${error.message}` : error);
    process.exit(1);
  });
}

/** Stops services in reverse start order, continuing past failures, and rethrows the first. */
export async function stopAll(services: Stoppable[]): Promise<void> {
  let first: unknown;
  for (const service of [...services].reverse()) {
    await service.stop().catch((error: unknown) => (first ??= error));
  }
  if (first) throw first;
}

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
}

/**
 * Runs a process entry point: starts it, and on SIGTERM/SIGINT stops it gracefully and exits 0.
 * A second signal exits at once. Bad configuration exits 1 with the list of problems.
 */
export function runMain(
  name: string,
  start: () => Promise<Stoppable>,
  { signals = ['SIGTERM', 'SIGINT'] }: RunMainOptions = {},
): void {
  let stopping = false;
  if (!signals.includes('SIGINT')) process.on('SIGINT', () => undefined);
  start()
    .then((service) => {
      const shutdown = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        console.error(`[${name}] ${signal}: shutting down`);
        service.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            console.error(`[${name}] shutdown failed`, error);
            process.exit(1);
          },
        );
      };
      for (const signal of signals) process.on(signal, () => shutdown(signal));
    })
    .catch((error: unknown) => {
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

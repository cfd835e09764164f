import pino from 'pino';

export type Logger = pino.Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Role or component name, added to every line. */
  name: string;
  /** @default 'info' */
  level?: pino.LevelWithSilent;
}

/** Creates the JSON logger of a role (pino, one line per event, to stdout). */
export function createLogger({ name, level = 'info' }: LoggerOptions): Logger {
  return pino({ name, level, base: { role: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

import pino from 'pino';
import { logTraceFields } from '../telemetry';

export type Logger = pino.Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Role or component name, added to every line. */
  name: string;
  /** @default 'info' */
  level?: pino.LevelWithSilent;
}

/** Creates the JSON logger of a role (pino, one line per event, to stdout), with trace fields. */
export function createLogger({ name, level = 'info' }: LoggerOptions): Logger {
  return pino({
    name,
    level,
    base: { role: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Lines logged inside a request or event name its trace and correlation id (see lib/telemetry).
    mixin: logTraceFields,
  });
}

import pino from 'pino';
import pretty from 'pino-pretty';
import { logTraceFields } from '../telemetry';

export type Logger = pino.Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Role or component name, added to every line. */
  name: string;
  /** @default 'info' */
  level?: pino.LevelWithSilent;
  /** `json` (one object per line, for machines) or `pretty` (for a person at a terminal). @default 'json' */
  format?: LogFormat;
}

/** How log lines are written. */
export type LogFormat = 'json' | 'pretty';

/** Creates the logger of a role (pino, to stdout), with trace fields. */
export function createLogger({ name, level = 'info', format = 'json' }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { role: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Lines logged inside a request or event name its trace and correlation id (see lib/telemetry).
    mixin: logTraceFields,
  };
  if (format === 'json') return pino(options);
  // In-process and synchronous: no worker thread per logger, and nothing lost at exit.
  return pino(
    options,
    pretty({
      sync: true,
      ignore: 'pid,hostname,name,role',
      messageFormat: '[{role}] {msg}',
      translateTime: 'SYS:HH:MM:ss.l',
    }),
  );
}

export { createLogger, type LogFormat, type Logger, type LoggerOptions } from './logger';

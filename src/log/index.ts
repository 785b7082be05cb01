export type { Logger, LoggerOptions } from './logger.js';
export { createLogger, silentLogger } from './logger.js';
export { scrubIdentifiers } from './scrub.js';

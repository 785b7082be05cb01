export type { Logger, LoggerOptions } from './logger.js';
export { createLogger, silentLogger } from './logger.js';
export { scrubIdentifiers, looksLikeIdentifier } from './scrub.js';

export { detectPii } from './detect-pii.js';
export { redactPii } from './redact-text.js';
export { PII_TYPES, STRUCTURED_TYPES, isPiiType, type PiiSpan, type PiiType } from './pii-types.js';
export { isValidBsn, isValidIban, isValidRrn } from './checksums.js';

import { randomBytes } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from './message.js';

/**
 * Call-IDs, tags and branches from the system's random source. None carries a host name, an address
 * or anything from another message, so nothing about a caller can ride along in one.
 */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function newCallId(): string {
  return randomHex(16);
}

export function newTag(): string {
  return randomHex(8);
}

export function newBranch(): string {
  return `${BRANCH_MAGIC_COOKIE}${randomHex(12)}`;
}

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AccountError } from './account-error.js';

/** scrypt cost: N (CPU/memory, a power of two), r (block size), p (parallelism). */
export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/**
 * What new hashes use: 32 MiB and tens of milliseconds per login on the box. Raising these later is
 * safe: stored hashes name their own parameters, and `needsRehash` upgrades them at the next login.
 */
export const SHIPPED_SCRYPT_PARAMETERS: ScryptParameters = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const SCHEME = 'scrypt';

/**
 * Upper bounds on parameters read back from the database: a damaged or planted row must not make
 * one login allocate gigabytes or run for minutes.
 */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

export interface ParsedPasswordHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in unpadded base64; the password itself is never in it. */
export async function hashPassword(password: string, parameters: ScryptParameters = SHIPPED_SCRYPT_PARAMETERS): Promise<string> {
  checkParameters(parameters);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, parameters, HASH_BYTES);
  return [SCHEME, parameters.N, parameters.r, parameters.p, toBase64(salt), toBase64(hash)].join('$');
}

/** Compares in constant time; throws HGW_ACCOUNT_HASH_MALFORMED for a stored string it cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  const candidate = await derive(password, parsed.salt, parsed.parameters, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

export function parsePasswordHash(stored: string): ParsedPasswordHash {
  const parts = stored.split('$');
  const [scheme, n, r, p, salt, hash] = parts;
  if (parts.length !== 6 || scheme !== SCHEME || n === undefined || r === undefined || p === undefined || salt === undefined || hash === undefined) {
    throw malformed('expected scrypt$N$r$p$salt$hash');
  }
  const parameters = { N: parseDecimal(n), r: parseDecimal(r), p: parseDecimal(p) };
  checkParameters(parameters, malformed);
  const saltBytes = fromBase64(salt);
  const hashBytes = fromBase64(hash);
  if (saltBytes.length < SALT_BYTES || hashBytes.length < 16 || hashBytes.length > 64) throw malformed('salt or hash has the wrong length');
  return { parameters, salt: saltBytes, hash: hashBytes };
}

/** True when the stored hash is weaker than `current` in any parameter, or shorter, or unreadable. */
export function needsRehash(stored: string, current: ScryptParameters = SHIPPED_SCRYPT_PARAMETERS): boolean {
  let parsed: ParsedPasswordHash;
  try {
    parsed = parsePasswordHash(stored);
  } catch {
    return true;
  }
  const { N, r, p } = parsed.parameters;
  return N < current.N || r < current.r || p < current.p || parsed.hash.length < HASH_BYTES;
}

function derive(password: string, salt: Buffer, parameters: ScryptParameters, length: number): Promise<Buffer> {
  // NFKC: the same password typed on another keyboard or OS (composed or decomposed accents) matches.
  const input = Buffer.from(password.normalize('NFKC'), 'utf8');
  const options: ScryptOptions = { N: parameters.N, r: parameters.r, p: parameters.p, maxmem: scryptMemoryBytes(parameters) };
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, options, (error, derived) => {
      input.fill(0);
      if (error) reject(error);
      else resolve(derived);
    });
  });
}

/** OpenSSL refuses unless maxmem covers 128·r·(N + p + 2) bytes; Node's default (32 MiB) is just short for N = 2^15, r = 8. */
function scryptMemoryBytes({ N, r, p }: ScryptParameters): number {
  return 128 * r * (N + p + 2) + 1024 * 1024;
}

function checkParameters(parameters: ScryptParameters, fail: (message: string) => Error = (message) => new TypeError(message)): void {
  const { N, r, p } = parameters;
  const powerOfTwo = Number.isSafeInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N) throw fail(`scrypt N must be a power of two from 2 to ${MAX_N}`);
  if (!Number.isSafeInteger(r) || r < 1 || r > MAX_R) throw fail(`scrypt r must be an integer from 1 to ${MAX_R}`);
  if (!Number.isSafeInteger(p) || p < 1 || p > MAX_P) throw fail(`scrypt p must be an integer from 1 to ${MAX_P}`);
}

function parseDecimal(text: string): number {
  return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : Number.NaN;
}

function toBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '');
}

function fromBase64(text: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  // Buffer.from skips characters it does not know; a round trip proves the text was clean base64.
  if (!/^[A-Za-z0-9+/]+$/.test(text) || toBase64(bytes) !== text) throw malformed('salt or hash is not base64');
  return bytes;
}

function malformed(detail: string): AccountError {
  return new AccountError('HGW_ACCOUNT_HASH_MALFORMED', `stored password hash is malformed: ${detail}`);
}

import { createHash, timingSafeEqual } from 'node:crypto';

/** One volunteer station and its bearer token (per-station tokens until roles arrive). */
export interface StationCredential {
  readonly id: string;
  readonly token: string;
}

/** Shorter tokens are guessable over a LAN in reasonable time; longer ones are not tokens. */
export const MIN_TOKEN_LENGTH = 16;
export const MAX_TOKEN_LENGTH = 512;
const STATION_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

interface StoredCredential {
  readonly id: string;
  readonly digest: Buffer;
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Checks presented tokens against the configured stations. Only SHA-256 digests are kept, and every
 * check compares against every station with timingSafeEqual, so neither the token's length nor
 * which station matched shows in the response time.
 */
export class StationAuthenticator {
  readonly #credentials: readonly StoredCredential[];

  constructor(stations: readonly StationCredential[]) {
    if (!Array.isArray(stations) || stations.length === 0) {
      throw new TypeError('stations: at least one station with an id and a token is required');
    }
    const ids = new Set<string>();
    const digests = new Set<string>();
    this.#credentials = stations.map((station, index) => {
      if (typeof station.id !== 'string' || !STATION_ID.test(station.id)) {
        throw new TypeError(`stations[${index}].id: 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-' required`);
      }
      if (ids.has(station.id)) throw new TypeError(`stations[${index}].id: duplicate station id ${station.id}`);
      if (typeof station.token !== 'string' || station.token.length < MIN_TOKEN_LENGTH || station.token.length > MAX_TOKEN_LENGTH) {
        throw new TypeError(`stations[${index}].token (station ${station.id}): ${MIN_TOKEN_LENGTH}-${MAX_TOKEN_LENGTH} characters required`);
      }
      const digest = digestOf(station.token);
      const key = digest.toString('hex');
      if (digests.has(key)) throw new TypeError(`stations[${index}].token (station ${station.id}): shared with another station`);
      ids.add(station.id);
      digests.add(key);
      return { id: station.id, digest };
    });
  }

  /** The station id the token belongs to, or undefined. */
  authenticate(presented: unknown): string | undefined {
    if (typeof presented !== 'string' || presented.length === 0 || presented.length > MAX_TOKEN_LENGTH) return undefined;
    const digest = digestOf(presented);
    let match: string | undefined;
    for (const credential of this.#credentials) {
      if (timingSafeEqual(digest, credential.digest)) match = credential.id;
    }
    return match;
  }

  /** The station id for an `Authorization: Bearer <token>` header, or undefined. */
  authenticateHeader(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const token = BEARER.exec(header)?.[1];
    return token === undefined ? undefined : this.authenticate(token);
  }
}

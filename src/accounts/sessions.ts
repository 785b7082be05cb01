import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionsRepository } from '../store/sessions-repository.js';
import type { Clock } from '../time/clock.js';
import type { Role } from './roles.js';

const MINUTE = 60_000;

export interface SessionPolicy {
  /** A session unused this long ends. */
  readonly idleTimeoutMs: number;
  /** A session ends this long after login however busy it is. */
  readonly absoluteLifetimeMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = Object.freeze({ idleTimeoutMs: 30 * MINUTE, absoluteLifetimeMs: 12 * 60 * MINUTE });

/**
 * The idle expiry is written back only when it moves by at least this much: every authenticated
 * request would otherwise cost a durable write (an fsync). A session may so end up to a minute
 * earlier than the idle timeout, never later.
 */
const EXPIRY_WRITE_STEP_MS = MINUTE;

/** Handed to the client once at login; only the token's SHA-256 is stored. */
export interface IssuedSession {
  /** 32 random bytes, base64url: the session cookie's value. */
  readonly token: string;
  /** Sent back by the page in a header with every state-changing request. */
  readonly csrfToken: string;
  readonly expiresAt: number;
}

export interface AuthenticatedSession {
  readonly accountId: string;
  /** The account's role now, not at login: a role change takes effect at once. */
  readonly role: Role;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

const TOKEN_BYTES = 32;
const TOKEN_TEXT = /^[A-Za-z0-9_-]{43}$/;

export function checkSessionPolicy(policy: SessionPolicy): SessionPolicy {
  const { idleTimeoutMs, absoluteLifetimeMs } = policy;
  if (!Number.isSafeInteger(idleTimeoutMs) || idleTimeoutMs < MINUTE) throw new TypeError('session idleTimeoutMs must be a whole number of at least 60000');
  if (!Number.isSafeInteger(absoluteLifetimeMs) || absoluteLifetimeMs < idleTimeoutMs) {
    throw new TypeError('session absoluteLifetimeMs must be a whole number no smaller than idleTimeoutMs');
  }
  return { idleTimeoutMs, absoluteLifetimeMs };
}

/** SHA-256 of the token text: what the sessions table keys on. */
export function hashSessionToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

/** Constant-time comparison of the session's CSRF token with the one a request presents. */
export function csrfTokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Issues, checks, slides and ends sessions. Every issue makes a fresh random token: nothing a
 * client presents is ever promoted to a session (no fixation).
 */
export class SessionManager {
  readonly #sessions: SessionsRepository;
  readonly #clock: Clock;
  readonly #policy: SessionPolicy;

  constructor(options: { sessions: SessionsRepository; clock: Clock; policy?: SessionPolicy }) {
    this.#sessions = options.sessions;
    this.#clock = options.clock;
    this.#policy = checkSessionPolicy(options.policy ?? DEFAULT_SESSION_POLICY);
  }

  get policy(): SessionPolicy {
    return this.#policy;
  }

  issue(accountId: string, createdAt = this.#clock.now()): IssuedSession {
    const token = randomToken();
    const csrfToken = randomToken();
    const expiresAt = this.#expiryAt(this.#clock.now(), createdAt);
    this.#sessions.insert({ tokenHash: hashSessionToken(token), accountId, csrfToken, createdAt, expiresAt });
    return { token, csrfToken, expiresAt };
  }

  /** The live session for `token`, its idle expiry moved forward; undefined (and the row gone) when expired. */
  authenticate(token: unknown): AuthenticatedSession | undefined {
    if (typeof token !== 'string' || !TOKEN_TEXT.test(token)) return undefined;
    const tokenHash = hashSessionToken(token);
    const session = this.#sessions.findWithAccount(tokenHash);
    if (!session) return undefined;
    const now = this.#clock.now();
    if (now >= session.expiresAt || session.accountDisabledAt !== null) {
      this.#sessions.delete(tokenHash);
      return undefined;
    }
    let expiresAt = session.expiresAt;
    const slid = this.#expiryAt(now, session.createdAt);
    if (slid - expiresAt >= EXPIRY_WRITE_STEP_MS) {
      this.#sessions.setExpiresAt(tokenHash, slid);
      expiresAt = slid;
    }
    return { accountId: session.accountId, role: session.role, csrfToken: session.csrfToken, createdAt: session.createdAt, expiresAt };
  }

  /**
   * Replaces a live session with a new token and CSRF token for the same account (after a privilege
   * change or re-authentication). The absolute lifetime still counts from the original login.
   */
  rotate(token: unknown): IssuedSession | undefined {
    const session = this.authenticate(token);
    if (!session || typeof token !== 'string') return undefined;
    this.#sessions.delete(hashSessionToken(token));
    return this.issue(session.accountId, session.createdAt);
  }

  /** False when there was no such session. */
  revoke(token: unknown): boolean {
    if (typeof token !== 'string' || !TOKEN_TEXT.test(token)) return false;
    return this.#sessions.delete(hashSessionToken(token));
  }

  revokeAllFor(accountId: string): number {
    return this.#sessions.deleteForAccount(accountId);
  }

  /** Removes expired rows; for a periodic sweep by whoever owns the timer. */
  deleteExpired(): number {
    return this.#sessions.deleteExpired(this.#clock.now());
  }

  #expiryAt(now: number, createdAt: number): number {
    return Math.min(now + this.#policy.idleTimeoutMs, createdAt + this.#policy.absoluteLifetimeMs);
  }
}

function randomToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

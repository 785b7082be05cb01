import type { Role } from '../accounts/roles.js';
import type { GatewayDatabase } from './open-database.js';

export interface NewSessionRow {
  /** SHA-256 of the session token; the token itself is never stored. */
  readonly tokenHash: Uint8Array;
  readonly accountId: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** A session with its account's current role and state, read in one query. */
export interface SessionWithAccount extends NewSessionRow {
  readonly role: Role;
  readonly accountDisabledAt: number | null;
}

interface StoredSessionWithAccount {
  token_hash: Uint8Array;
  account_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  role: string;
  disabled_at: number | null;
}

/**
 * Sessions, keyed by the token's hash. Deleted rows need no checkpoint (docs/storage.md): a hash of
 * a token that no longer opens anything is worthless.
 */
export class SessionsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  insert(row: NewSessionRow): void {
    this.#db.run('INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
      row.tokenHash,
      row.accountId,
      row.csrfToken,
      row.createdAt,
      row.expiresAt,
    ]);
  }

  findWithAccount(tokenHash: Uint8Array): SessionWithAccount | undefined {
    const stored = this.#db.get<StoredSessionWithAccount>(
      `SELECT s.token_hash, s.account_id, s.csrf_token, s.created_at, s.expires_at, a.role, a.disabled_at
       FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`,
      [tokenHash],
    );
    if (!stored) return undefined;
    return {
      tokenHash: stored.token_hash,
      accountId: stored.account_id,
      csrfToken: stored.csrf_token,
      createdAt: stored.created_at,
      expiresAt: stored.expires_at,
      role: stored.role as Role,
      accountDisabledAt: stored.disabled_at,
    };
  }

  setExpiresAt(tokenHash: Uint8Array, expiresAt: number): boolean {
    return this.#db.run('UPDATE sessions SET expires_at = ? WHERE token_hash = ?', [expiresAt, tokenHash]).changes === 1;
  }

  delete(tokenHash: Uint8Array): boolean {
    return this.#db.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]).changes === 1;
  }

  /** How many were deleted. */
  deleteForAccount(accountId: string): number {
    return this.#db.run('DELETE FROM sessions WHERE account_id = ?', [accountId]).changes;
  }

  /** Sessions whose expiry is at or before `now`. */
  deleteExpired(now: number): number {
    return this.#db.run('DELETE FROM sessions WHERE expires_at <= ?', [now]).changes;
  }

  countForAccount(accountId: string): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE account_id = ?', [accountId])?.n ?? 0;
  }
}

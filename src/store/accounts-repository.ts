import type { Role } from '../accounts/roles.js';
import type { GatewayDatabase } from './open-database.js';

export interface NewAccountRow {
  readonly id: string;
  readonly role: Role;
  /** `scrypt$N$r$p$salt$hash` (src/accounts/password-hash.ts); never a password. */
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface AccountRow extends NewAccountRow {
  readonly disabledAt: number | null;
}

interface StoredAccount {
  id: string;
  role: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}

const COLUMNS = 'id, role, password_hash, created_at, disabled_at';

/** Local accounts. The role column is checked by the schema, so a row read back holds a known role. */
export class AccountsRepository {
  readonly #db: GatewayDatabase;

  constructor(db: GatewayDatabase) {
    this.#db = db;
  }

  /** Throws the SQLite UNIQUE error for an id that exists. */
  insert(row: NewAccountRow): void {
    this.#db.run('INSERT INTO accounts (id, role, password_hash, created_at) VALUES (?, ?, ?, ?)', [row.id, row.role, row.passwordHash, row.createdAt]);
  }

  find(id: string): AccountRow | undefined {
    const stored = this.#db.get<StoredAccount>(`SELECT ${COLUMNS} FROM accounts WHERE id = ?`, [id]);
    return stored && toAccountRow(stored);
  }

  /** Ordered by id. */
  list(): AccountRow[] {
    return this.#db.all<StoredAccount>(`SELECT ${COLUMNS} FROM accounts ORDER BY id`).map(toAccountRow);
  }

  /** False when there is no such account. */
  setPasswordHash(id: string, passwordHash: string): boolean {
    return this.#db.run('UPDATE accounts SET password_hash = ? WHERE id = ?', [passwordHash, id]).changes === 1;
  }

  setRole(id: string, role: Role): boolean {
    return this.#db.run('UPDATE accounts SET role = ? WHERE id = ?', [role, id]).changes === 1;
  }

  /** Keeps the first disabling time when called again. */
  markDisabled(id: string, at: number): boolean {
    return this.#db.run('UPDATE accounts SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?', [at, id]).changes === 1;
  }

  markEnabled(id: string): boolean {
    return this.#db.run('UPDATE accounts SET disabled_at = NULL WHERE id = ?', [id]).changes === 1;
  }

  count(): number {
    return this.#db.get<{ n: number }>('SELECT count(*) AS n FROM accounts')?.n ?? 0;
  }
}

function toAccountRow(stored: StoredAccount): AccountRow {
  return {
    id: stored.id,
    role: stored.role as Role,
    passwordHash: stored.password_hash,
    createdAt: stored.created_at,
    disabledAt: stored.disabled_at,
  };
}

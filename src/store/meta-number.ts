import type { GatewayDatabase } from './open-database.js';

/** One number kept under a key of the `meta` table (migration 1), such as a mark of work done. */
export class MetaNumber {
  readonly #database: GatewayDatabase;
  readonly #key: string;

  constructor(database: GatewayDatabase, key: string) {
    this.#database = database;
    this.#key = key;
  }

  read(): number | undefined {
    const text = this.#database.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [this.#key])?.value;
    const value = text === undefined ? Number.NaN : Number(text);
    return Number.isFinite(value) ? value : undefined;
  }

  write(value: number): void {
    this.#database.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [this.#key, String(value)]);
  }
}

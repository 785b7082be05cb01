import type { GatewayDatabase } from './open-database.js';

/** One text kept under a key of the `meta` table (migration 1). */
export class MetaText {
  readonly #database: GatewayDatabase;
  readonly #key: string;

  constructor(database: GatewayDatabase, key: string) {
    this.#database = database;
    this.#key = key;
  }

  read(): string | undefined {
    return this.#database.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [this.#key])?.value;
  }

  write(value: string): void {
    this.#database.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [this.#key, value]);
  }

  remove(): void {
    this.#database.run('DELETE FROM meta WHERE key = ?', [this.#key]);
  }
}

/** One number kept under a key of the `meta` table, such as a mark of work done; anything else reads as absent. */
export class MetaNumber {
  readonly #text: MetaText;

  constructor(database: GatewayDatabase, key: string) {
    this.#text = new MetaText(database, key);
  }

  read(): number | undefined {
    const text = this.#text.read();
    const value = text === undefined ? Number.NaN : Number(text);
    return Number.isFinite(value) ? value : undefined;
  }

  write(value: number): void {
    this.#text.write(String(value));
  }
}

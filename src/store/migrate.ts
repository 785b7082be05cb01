import { GatewayError } from '../errors.js';
import type { GatewayDatabase } from './open-database.js';
import type { Migration } from './schema.js';

export interface MigrationOutcome {
  readonly from: number;
  readonly to: number;
}

/**
 * Applies, in order, every migration newer than the database's `user_version`. Each runs in its
 * own transaction with `user_version` set inside it, so a failure leaves the file at the last
 * version that completed. Forward only: a file newer than this firmware is refused, never touched.
 */
export function migrate(db: GatewayDatabase, migrations: readonly Migration[]): MigrationOutcome {
  assertNumberedInOrder(migrations);
  const newest = migrations.length;
  const from = db.schemaVersion();
  if (from > newest) {
    throw new GatewayError('HGW_STORE_SCHEMA_TOO_NEW', `database schema version ${from} is newer than this firmware's ${newest}`);
  }
  for (const migration of migrations.slice(from)) {
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        db.exec(`PRAGMA user_version = ${migration.version}`);
      });
    } catch (error) {
      // No dedicated code yet (HGW_STORE_MIGRATION_FAILED is proposed); the file stays at the last good version.
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new GatewayError('HGW_STORE_UNWRITABLE', `migration ${migration.version} (${migration.description}) failed: ${reason}`, { cause: error });
    }
  }
  return { from, to: newest };
}

/** user_version is a count, so the list must be 1, 2, 3, … with no gap. */
function assertNumberedInOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new TypeError(`migration at position ${index} has version ${migration.version}, expected ${index + 1}`);
    }
  });
}

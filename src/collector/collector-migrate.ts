import type { Pool } from 'pg';
import { GatewayError } from '../errors.js';
import type { CollectorMigration } from './collector-schema.js';

export interface CollectorMigrationOutcome {
  readonly from: number;
  readonly to: number;
}

/** Any fixed number: every collector takes the same advisory lock, so only one migrates at a time. */
const MIGRATION_LOCK = 0x48475743;

/**
 * Applies, in order, every migration newer than `collector_schema.version`, each in its own
 * transaction with the version set inside it. Several collectors starting together take turns on
 * an advisory lock; a database newer than this collector is refused, never touched.
 */
export async function migrateCollectorSchema(pool: Pool, migrations: readonly CollectorMigration[]): Promise<CollectorMigrationOutcome> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new TypeError(`collector migration at position ${index} has version ${migration.version}, expected ${index + 1}`);
  });
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let failed = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS collector_schema (version integer NOT NULL)');
      const row = await client.query<{ version: number }>('SELECT version FROM collector_schema');
      const from = row.rows[0]?.version ?? 0;
      if (from > migrations.length) {
        throw new GatewayError('HGW_COLLECTOR_SCHEMA_TOO_NEW', `collector database schema version ${from} is newer than this collector's ${migrations.length}`);
      }
      for (const migration of migrations.slice(from)) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('DELETE FROM collector_schema');
          await client.query('INSERT INTO collector_schema (version) VALUES ($1)', [migration.version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
      return { from, to: Math.max(from, migrations.length) };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    client.off('error', ignore);
    // A connection that failed is closed rather than handed back (it may still hold the lock).
    client.release(failed);
  }
}

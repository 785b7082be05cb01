import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/index.js';
import { migrate } from '../../src/store/migrate.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { migrations, type Migration } from '../../src/store/schema.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';
import { thrownBy } from '../support/thrown-by.js';

let temp: TempDirectory;
const newest = migrations.length;

function open(list: readonly Migration[], path = temp.databasePath): GatewayDatabase {
  return GatewayDatabase.open({ path, logger: silentLogger(), migrations: list });
}

/** Every table, index and trigger with its SQL: two files with equal schemas give equal lists. */
function schemaOf(db: GatewayDatabase): Array<Record<string, unknown>> {
  return db.all("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
}

/** user_version as stored in the file header (offset 60, big-endian), read without SQLite. */
function userVersionInFile(path: string): number {
  return fs.readFileSync(path).readUInt32BE(60);
}


beforeEach(() => {
  temp = makeTempDirectory();
});

afterEach(() => temp.remove());

describe('migrate', () => {
  it('numbers the shipped migrations 1, 2, 3 … without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(Array.from({ length: newest }, (_, i) => i + 1));
  });

  it(`brings an empty file to version ${newest} and creates every table`, () => {
    const db = open(migrations);
    try {
      expect(db.schemaVersion()).toBe(newest);
      const tables = db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => row.name);
      expect(tables).toEqual(
        expect.arrayContaining([
          'contacts',
          'registrations',
          'stats_periods',
          'outbox',
          'meta',
          'audit_log',
          'disclosure_requests',
          'transcript_lines',
          'rights_requests',
          'rights_request_links',
          'objections',
        ]),
      );
    } finally {
      db.close();
    }
  });

  // One case per earlier version: a box running any older firmware must upgrade to the same schema.
  for (let from = 0; from < newest; from += 1) {
    it(`brings a file at version ${from} to ${newest} with the same schema as a fresh one`, () => {
      const fresh = open(migrations, `${temp.directory}/fresh.db`);
      const expected = schemaOf(fresh);
      fresh.close();

      open(migrations.slice(0, from)).close();
      const upgraded = open(migrations);
      try {
        expect(upgraded.schemaVersion()).toBe(newest);
        expect(schemaOf(upgraded)).toEqual(expected);
      } finally {
        upgraded.close();
      }
    });
  }

  it('does nothing to a file already at the newest version', () => {
    const db = open(migrations);
    try {
      expect(migrate(db, migrations)).toEqual({ from: newest, to: newest });
    } finally {
      db.close();
    }
  });

  it('refuses a file newer than the firmware and leaves it untouched', () => {
    const db = open(migrations);
    db.exec(`PRAGMA user_version = ${newest + 1}`);
    db.close();
    const error = thrownBy(() => open(migrations));
    expect(isGatewayError(error, 'HGW_STORE_SCHEMA_TOO_NEW')).toBe(true);
    expect((error as Error).message).toBe(`database schema version ${newest + 1} is newer than this firmware's ${newest}`);
    expect(userVersionInFile(temp.databasePath)).toBe(newest + 1);
    expect(fs.existsSync(`${temp.databasePath}.pid`)).toBe(false);
  });

  it('rolls a failing migration back whole and keeps the versions before it', () => {
    const first: Migration = { version: 1, description: 'one table', sql: 'CREATE TABLE first_table (x INTEGER);' };
    const broken: Migration = {
      version: 2,
      description: 'fails half-way',
      sql: 'CREATE TABLE second_table (x INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    const error = thrownBy(() => open([first, broken]));
    expect(isGatewayError(error, 'HGW_STORE_UNWRITABLE')).toBe(true);
    expect((error as Error).message).toMatch(/^migration 2 \(fails half-way\) failed: no such table/);
    const db = open([first]);
    try {
      expect(db.schemaVersion()).toBe(1);
      expect(db.all("SELECT name FROM sqlite_master WHERE name = 'second_table'")).toEqual([]);
      expect(db.all("SELECT name FROM sqlite_master WHERE name = 'first_table'")).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('refuses a migration list with a gap', () => {
    const gap: Migration[] = [{ version: 1, description: 'a', sql: 'SELECT 1;' }, { version: 3, description: 'c', sql: 'SELECT 1;' }];
    expect(() => open(gap)).toThrow(TypeError);
  });
});

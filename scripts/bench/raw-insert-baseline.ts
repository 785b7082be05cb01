/**
 * The storage baseline of the report: the least a durable write can cost on this disk. A bare
 * node-sqlite3-wasm table (no gateway code: no pragmas but WAL and synchronous=FULL, no keyring,
 * no indexes) takes one row per autocommit INSERT, each commit an fsync, as a contact's row is.
 * The per-contact durable write of the intake is shown as a ratio to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3Wasm from 'node-sqlite3-wasm';
import { LatencyRecorder, type LatencySummary } from './statistics.js';

export interface RawInsertOptions {
  readonly inserts: number;
  /** Unmeasured inserts first (the file grows, the statement is prepared). */
  readonly warmup: number;
  /** Where the scratch file goes; default the OS temp dir (the intake bench's scratch copies go there too). */
  readonly scratchRoot?: string;
}

export function runRawInsertBaseline(options: RawInsertOptions): LatencySummary {
  const directory = mkdtempSync(join(options.scratchRoot ?? tmpdir(), 'hgw-raw-insert-'));
  const db = new sqlite3Wasm.Database(join(directory, 'raw.db'));
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO rows (payload) VALUES (?)');
    const payload = new Uint8Array(96).fill(7);
    const recorder = new LatencyRecorder();
    try {
      for (let i = 0; i < options.warmup; i++) insert.run([payload]);
      for (let i = 0; i < options.inserts; i++) recorder.time(() => insert.run([payload]));
    } finally {
      insert.finalize();
    }
    return recorder.summary();
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

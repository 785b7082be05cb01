import sqlite3Wasm, { type BindValues, type Database, type Statement } from 'node-sqlite3-wasm';
import { GatewayError, type GatewayErrorCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { InstanceGuard, lockDirectoryPathFor } from './instance-guard.js';
import { migrate } from './migrate.js';
import { migrations as shippedMigrations, type Migration } from './schema.js';
import { storageFailureOf, type StorageFailure } from './storage-failure.js';
import { WalSync } from './wal-sync.js';

export type JournalMode = 'WAL' | 'TRUNCATE';

/** WAL: durable inserts ~3x faster than TRUNCATE here (docs/storage.md, scripts/measure-journal-modes.ts). */
export const DEFAULT_JOURNAL_MODE: JournalMode = 'WAL';

export type SqlValue = number | bigint | string | Uint8Array | null;
/** Positional (`?`) values, or named ones keyed with their prefix (`{ ':id': 1 }`). */
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface RunOutcome {
  readonly changes: number;
  readonly lastInsertRowid: number;
}

export interface OpenDatabaseOptions {
  readonly path: string;
  readonly logger: Logger;
  readonly journalMode?: JournalMode;
  /** The shipped migrations unless a test supplies its own. */
  readonly migrations?: readonly Migration[];
}

/**
 * Page cache, negative = KiB. SQLite's default 2 MiB holds less than the pseudonym index of 50,000
 * contacts; 16 MiB halved the prior-contact lookup in scripts/measure-journal-modes.ts.
 */
const PAGE_CACHE_KIB = -65_536;

/** Pragma name to the value it must read back as after open. */
export function expectedPragmas(journalMode: JournalMode): Readonly<Record<string, string | number>> {
  return {
    locking_mode: 'exclusive',
    journal_mode: journalMode.toLowerCase(),
    synchronous: 2, // FULL
    secure_delete: 1,
    temp_store: 2, // MEMORY
    foreign_keys: 1,
    cache_size: PAGE_CACHE_KIB,
  };
}

/** Throws HGW_STORE_PRAGMA for the first pragma that did not take. */
export function verifyPragmas(actual: Readonly<Record<string, string | number>>, journalMode: JournalMode): void {
  for (const [name, expected] of Object.entries(expectedPragmas(journalMode))) {
    const value = actual[name];
    const same = typeof value === 'string' && typeof expected === 'string' ? value.toLowerCase() === expected : value === expected;
    if (!same) throw new GatewayError('HGW_STORE_PRAGMA', `pragma ${name}: expected ${expected}, got ${String(value)}`);
  }
}

/** Statements are prepared from a fixed set of SQL texts; the cap only guards against a caller building SQL per value. */
const STATEMENT_CACHE_LIMIT = 256;

/**
 * The gateway's one SQLite connection: single-instance guard, stale-lock recovery, pragmas checked
 * at open, migrations, cached prepared statements and short synchronous transactions.
 */
export class GatewayDatabase {
  readonly path: string;
  readonly journalMode: JournalMode;
  readonly #db: Database;
  readonly #guard: InstanceGuard;
  readonly #logger: Logger;
  readonly #statements = new Map<string, Statement>();
  readonly #walSync: WalSync | undefined;
  readonly #failureListeners = new Set<(failure: StorageFailure) => void>();
  /** Errors already told to the listeners: a statement's error passes through its transaction too. */
  readonly #reported = new WeakSet<object>();
  #transactionDepth = 0;

  private constructor(path: string, journalMode: JournalMode, db: Database, guard: InstanceGuard, logger: Logger) {
    this.path = path;
    this.journalMode = journalMode;
    this.#db = db;
    this.#guard = guard;
    this.#logger = logger;
    this.#walSync = journalMode === 'WAL' ? new WalSync(`${path}-wal`, logger) : undefined;
  }

  static open(options: OpenDatabaseOptions): GatewayDatabase {
    const logger = options.logger.child({ component: 'store' });
    const journalMode = options.journalMode ?? DEFAULT_JOURNAL_MODE;
    const guard = InstanceGuard.acquire(options.path);
    let db: Database | undefined;
    let opened: GatewayDatabase | undefined;
    try {
      if (guard.tookOverFromDeadOwner) logger.warn({ deadOwnerPid: guard.deadOwnerPid }, 'previous gateway process died without closing the database');
      if (guard.removeStaleLockDirectory()) {
        logger.warn({ lockDirectory: lockDirectoryPathFor(options.path) }, 'removed stale database lock left by a crash');
      }
      db = translateSqliteError(() => new sqlite3Wasm.Database(options.path), 'HGW_STORE_UNWRITABLE');
      opened = new GatewayDatabase(options.path, journalMode, db, guard, logger);
      opened.#configure();
      const applied = migrate(opened, options.migrations ?? shippedMigrations);
      if (applied.to !== applied.from) logger.info({ from: applied.from, to: applied.to }, 'database migrated');
      logger.info({ journalMode, schemaVersion: applied.to }, 'database open');
      return opened;
    } catch (error) {
      if (opened) opened.#closeQuietly();
      else if (db?.isOpen) db.close();
      guard.release();
      throw error;
    }
  }

  get isOpen(): boolean {
    return this.#db.isOpen;
  }

  get inTransaction(): boolean {
    return this.#db.inTransaction;
  }

  run(sql: string, params?: SqlParams): RunOutcome {
    const outcome = this.#withStatement(sql, (statement) => statement.run(bindable(params)));
    return { changes: outcome.changes, lastInsertRowid: Number(outcome.lastInsertRowid) };
  }

  /**
   * The first row, or undefined. Reads the statement to its end: a statement left on a row keeps a
   * read open, and that blocks the WAL checkpoint. Use it for queries that return one row.
   */
  get<T extends object>(sql: string, params?: SqlParams): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  /** The caller states the row shape; column names come back as written in the SQL. */
  all<T extends object>(sql: string, params?: SqlParams): T[] {
    return this.#withStatement(sql, (statement) => statement.all(bindable(params))) as T[];
  }

  /** Uncached, may hold several statements; for migrations and one-off maintenance. */
  exec(sql: string): void {
    this.#assertOpen();
    this.#db.exec(sql);
  }

  /**
   * Runs `fn` in BEGIN IMMEDIATE … COMMIT, rolling back if it throws. A nested call joins the outer
   * transaction, so an error that propagates out of it rolls back the whole of the outer one.
   */
  transaction<T>(fn: () => T): T {
    this.#assertOpen();
    if (this.#transactionDepth > 0) {
      this.#transactionDepth += 1;
      try {
        return fn();
      } finally {
        this.#transactionDepth -= 1;
      }
    }
    this.#tellingFailure(() => this.#db.exec('BEGIN IMMEDIATE'));
    this.#transactionDepth = 1;
    try {
      const result = fn();
      if (isThenable(result)) throw new TypeError('transaction callback must be synchronous: an await would leave the transaction open');
      this.#tellingFailure(() => this.#db.exec('COMMIT'));
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    } finally {
      this.#transactionDepth = 0;
    }
  }

  /**
   * A transaction for bulk retention work, committed without an fsync of its own in WAL mode
   * (synchronous=NORMAL for this commit, FULL again before it returns, so no other commit runs
   * without one). WAL keeps such a commit atomic; a power cut may undo it, and the next checkpoint,
   * or any later FULL commit, makes it durable. The caller checkpoints before it acts on the
   * result (destroying a key), and a sweep redoes what a power cut undid. Never for a call's row.
   */
  bulkTransaction<T>(fn: () => T): T {
    return this.#withoutCommitFsync(fn);
  }

  /**
   * A transaction on a call's critical path (its row, its answer, its end): committed to the WAL
   * without waiting for the disk, then fsynced on libuv's thread pool (WalSync). A process crash
   * loses nothing (the kernel has the pages); a power cut loses at most the commits of the last
   * fsync, ~0.2-2 ms. The setup of a call never waits on the SD card (issue 4: added setup delay).
   * With TRUNCATE, whose journal has no such mode, an ordinary durable transaction.
   */
  transactionSyncedInBackground<T>(fn: () => T): T {
    if (this.#transactionDepth > 0 || !this.#walSync) return this.transaction(fn);
    const result = this.#withoutCommitFsync(fn);
    this.#walSync.request();
    return result;
  }

  /** Resolves once every commit so far is on disk; rejects (HGW_STORE_UNWRITABLE) when its fsync failed. */
  whenSynced(): Promise<void> {
    return this.#walSync?.whenSynced() ?? Promise.resolve();
  }

  /**
   * WAL pages after which a commit checkpoints by itself (SQLite's default is 1,000). A bulk sweep
   * lowers it, so each checkpoint has less to copy and fsync while calls come in.
   */
  setAutocheckpointPages(pages: number): void {
    if (!Number.isSafeInteger(pages) || pages < 1) throw new TypeError('autocheckpoint pages must be a positive whole number');
    this.#db.exec(`PRAGMA wal_autocheckpoint = ${pages}`);
  }

  /**
   * In WAL mode deleted content stays in the -wal file until it is checkpointed; call this after
   * every purge, shred or redaction, outside a transaction. A no-op with TRUNCATE, whose journal is
   * cut to zero length at every commit.
   */
  checkpoint(): void {
    if (this.journalMode !== 'WAL') return;
    if (this.#transactionDepth > 0) throw new Error('checkpoint inside a transaction: the deletions are not committed yet');
    const result = this.get<{ busy: number; log: number; checkpointed: number }>('PRAGMA wal_checkpoint(TRUNCATE)');
    if (!result || result.busy !== 0) {
      throw new GatewayError('HGW_STORE_UNWRITABLE', `wal checkpoint did not complete (busy ${String(result?.busy)})`);
    }
  }

  /**
   * Told when a statement or commit fails for lack of space, an I/O error or a read-only file
   * system (the health's store-fault watch stops intake on it), before the error is thrown on.
   */
  onStorageFailure(listener: (failure: StorageFailure) => void): () => void {
    this.#failureListeners.add(listener);
    return () => this.#failureListeners.delete(listener);
  }

  pragmaReport(): Record<string, string | number> {
    const report: Record<string, string | number> = {};
    for (const name of [...Object.keys(expectedPragmas(this.journalMode)), 'user_version', 'page_size', 'page_count', 'freelist_count']) {
      const row = this.get<Record<string, string | number>>(`PRAGMA ${name}`);
      const value = row?.[name];
      if (value !== undefined) report[name] = value;
    }
    return report;
  }

  quickCheck(): string {
    return this.#checkResult('quick_check');
  }

  integrityCheck(): string {
    return this.#checkResult('integrity_check');
  }

  schemaVersion(): number {
    return this.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0;
  }

  close(): void {
    if (!this.#db.isOpen) return;
    this.#closeQuietly();
    this.#logger.info('database closed');
  }

  #withoutCommitFsync<T>(fn: () => T): T {
    if (this.journalMode !== 'WAL' || this.#transactionDepth > 0) return this.transaction(fn);
    // Only FULL is relaxed and put back: a connection set lower (a benchmark's CPU-only phase) stays so.
    const current = this.#db.get('PRAGMA synchronous') as { synchronous?: number } | null;
    if (current?.synchronous !== 2) return this.transaction(fn);
    this.#db.exec('PRAGMA synchronous = NORMAL');
    try {
      return this.transaction(fn);
    } finally {
      this.#db.exec('PRAGMA synchronous = FULL');
    }
  }

  #closeQuietly(): void {
    try {
      this.#walSync?.close();
      for (const statement of this.#statements.values()) finalizeQuietly(statement);
      this.#statements.clear();
      if (this.#db.isOpen) this.#db.close();
    } finally {
      this.#guard.release();
    }
  }

  #configure(): void {
    // EXCLUSIVE must come before anything reads the file: a WAL database cannot be opened without
    // it, and without it every statement takes and drops the lock directory on disk.
    const settings = [
      'PRAGMA locking_mode = EXCLUSIVE',
      `PRAGMA journal_mode = ${this.journalMode}`,
      'PRAGMA synchronous = FULL',
      'PRAGMA secure_delete = ON',
      'PRAGMA temp_store = MEMORY',
      'PRAGMA foreign_keys = ON',
      `PRAGMA cache_size = ${PAGE_CACHE_KIB}`,
    ];
    translateSqliteError(() => {
      for (const sql of settings) this.#db.all(sql);
    }, 'HGW_STORE_INTEGRITY');
    verifyPragmas(this.pragmaReport(), this.journalMode);
    const quick = translateSqliteError(() => this.quickCheck(), 'HGW_STORE_INTEGRITY');
    if (quick !== 'ok') throw new GatewayError('HGW_STORE_INTEGRITY', `quick_check failed: ${firstLine(quick)}`);
  }

  #checkResult(pragma: 'quick_check' | 'integrity_check'): string {
    return this.all<Record<string, string>>(`PRAGMA ${pragma}`)
      .map((row) => row[pragma] ?? '')
      .join('\n');
  }

  /**
   * Runs `use` on the cached statement for `sql`. A statement whose last step failed (a constraint,
   * say) reports that error again on its next reset, so it is dropped rather than reused.
   */
  #withStatement<T>(sql: string, use: (statement: Statement) => T): T {
    this.#assertOpen();
    let statement = this.#statements.get(sql);
    if (!statement) {
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) {
        const [oldestSql, oldest] = this.#statements.entries().next().value as [string, Statement];
        finalizeQuietly(oldest);
        this.#statements.delete(oldestSql);
      }
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    try {
      return use(statement);
    } catch (error) {
      this.#statements.delete(sql);
      finalizeQuietly(statement);
      this.#tellFailure(error);
      throw error;
    }
  }

  #tellingFailure(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#tellFailure(error);
      throw error;
    }
  }

  #tellFailure(error: unknown): void {
    const failure = storageFailureOf(error);
    if (failure === undefined || typeof error !== 'object' || error === null || this.#reported.has(error)) return;
    this.#reported.add(error);
    for (const listener of [...this.#failureListeners]) {
      try {
        listener(failure);
      } catch (listenerError) {
        this.#logger.error({ err: listenerError instanceof Error ? listenerError.message : String(listenerError) }, 'storage failure listener failed');
      }
    }
  }

  #assertOpen(): void {
    if (!this.#db.isOpen) throw new Error('database is closed');
  }
}

function bindable(params: SqlParams | undefined): BindValues | undefined {
  // The library's parameter types are mutable; it only reads them.
  return params as BindValues | undefined;
}

/** finalize() repeats the error of the statement's last failed step, which has already been thrown. */
function finalizeQuietly(statement: Statement): void {
  try {
    statement.finalize();
  } catch {
    // The statement is freed either way.
  }
}

function isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** SQLite's own wording tells a locked file from a damaged one; it never carries row content. */
function translateSqliteError<T>(fn: () => T, fallback: GatewayErrorCode): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof GatewayError || !(error instanceof Error)) throw error;
    const message = firstLine(error.message);
    const code: GatewayErrorCode = /locked|busy/i.test(message)
      ? 'HGW_STORE_IN_USE'
      : /not a database|malformed|corrupt/i.test(message)
        ? 'HGW_STORE_INTEGRITY'
        : fallback;
    throw new GatewayError(code, `cannot open database: ${message}`, { cause: error });
  }
}

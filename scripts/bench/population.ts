/**
 * The stored contacts the benchmark measures against: a privacy database (the shipped schema,
 * pseudonyms and sealed copies made by the real keyring, pseudonymizer and vault under six months'
 * keys) and a plaintext one (raw number column), holding the same contacts of the same callers.
 * Both are built once per row count and schema version and cached with their keyring under
 * `.bench/`, so a second run starts measuring at once.
 *
 * The callers are synthetic Dutch mobile numbers from a pool: a few regulars call often, most
 * numbers a few times, some calls come withheld; the contacts are spread over the six months of
 * the linkage window, so a prior-contact count finds rows under several months' link keys.
 *
 * The retention benchmark builds a privacy database alone, of another size and over a longer
 * spread of months, with the same generator (`ensurePrivacyPopulation`).
 */
import { randomContactReference } from '../../src/contacts/contact-reference.js';
import { silentLogger } from '../../src/log/index.js';
import { normalizePhoneNumber } from '../../src/privacy/normalize.js';
import { Keyring } from '../../src/privacy/keyring.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { canonicalText, type RawPhoneNumber } from '../../src/privacy/raw-identifier.js';
import { createVault } from '../../src/privacy/vault.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { migrations } from '../../src/store/schema.js';
import { ManualClock, monthEpochAt, type MonthEpoch } from '../../src/time/index.js';
import sqlite3Wasm, { type Database, type Statement } from 'node-sqlite3-wasm';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PLAINTEXT_INSERT_COLUMNS, PLAINTEXT_SCHEMA_VERSION, plaintextMigrations } from './plaintext-desk.js';
import { seededRandom } from './statistics.js';

/** Bump when the generator below changes what it stores: older caches are then rebuilt. */
const POPULATION_FORMAT = 1;
const POPULATION_SEED = 20250615;

export const SITE_TIME_ZONE = 'Europe/Amsterdam';
export const LINKAGE_MONTHS = 6;
/** Stored contacts are opened from the first of January to the middle of June (site time). */
const POPULATION_START = Date.parse('2025-01-01T00:00:00+01:00');
const POPULATION_END = Date.parse('2025-06-15T00:00:00+02:00');
/** Measured calls arrive the day after, so the live window is January to June: six link keys. */
export const MEASUREMENT_START = Date.parse('2025-06-16T09:00:00+02:00');

const WITHHELD_SHARE = 0.08;
/** Share of numbered contacts made by the regulars (1% of the pool). */
const REGULAR_SHARE = 0.25;
const ROWS_PER_INSERT = 50;

export interface PopulationPlan {
  readonly contacts: number;
  /** Distinct numbers in the stored contacts (at most). */
  readonly poolSize: number;
  /** The first `regulars` pool numbers call far more often than the rest. */
  readonly regulars: number;
}

export function populationPlan(contacts: number): PopulationPlan {
  const poolSize = Math.max(100, Math.round(contacts / 4));
  return { contacts, poolSize, regulars: Math.max(10, Math.round(poolSize / 100)) };
}

/** Synthetic numbers: pool index -> a distinct Dutch mobile number, normalized by the real normalizer once. */
export class CallerPool {
  readonly #numbers = new Map<number, RawPhoneNumber>();

  /** `06` and eight digits; an affine map mod 10^8 keeps distinct indices distinct and scattered. */
  nationalNumber(index: number): string {
    return `06${String((index * 48_271 + 12_345_678) % 100_000_000).padStart(8, '0')}`;
  }

  raw(index: number): RawPhoneNumber {
    let number = this.#numbers.get(index);
    if (!number) {
      const normalized = normalizePhoneNumber(this.nationalNumber(index), 'NL');
      if (normalized.kind !== 'number') throw new Error(`synthetic caller ${index} did not normalize`);
      number = normalized.number;
      this.#numbers.set(index, number);
    }
    return number;
  }
}

/**
 * Callers of the measured calls: a fifth first-time callers (never stored), a fifth regulars, the
 * rest drawn from the whole pool. The same seed gives both pipelines the same sequence.
 */
export function measuredCallerIndices(plan: PopulationPlan, count: number, seed: number): number[] {
  const random = seededRandom(seed);
  let nextNewCaller = plan.poolSize;
  return Array.from({ length: count }, () => {
    const draw = random();
    if (draw < 0.2) return nextNewCaller++;
    if (draw < 0.4) return Math.floor(random() * plan.regulars);
    return Math.floor(random() * plan.poolSize);
  });
}

export interface PopulatedFiles {
  readonly directory: string;
  readonly privacyDatabase: string;
  readonly plaintextDatabase: string;
  readonly keyringDirectory: string;
  readonly plan: PopulationPlan;
  /** Seconds it took to build; undefined when the cache was used. */
  readonly builtSeconds: number | undefined;
}

/** A privacy database without its plaintext twin (the retention benchmark's). */
export type PrivacyPopulatedFiles = Omit<PopulatedFiles, 'plaintextDatabase'>;

export interface EnsurePopulationOptions {
  readonly cacheRoot: string;
  readonly contacts: number;
  readonly log: (line: string) => void;
}

/** Contacts are opened evenly from `start` to `end` (epoch milliseconds). */
export interface ContactSpread {
  readonly start: number;
  readonly end: number;
}

export interface EnsurePrivacyPopulationOptions extends EnsurePopulationOptions {
  readonly spread: ContactSpread;
}

interface CompleteMarker {
  readonly format: number;
  readonly contacts: number;
  readonly builtSeconds: number;
}

/** The SQL's digest too: a migration edited before release keeps its number but not its indexes. */
function schemaDigest(schemas: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(schemas)).digest('hex').slice(0, 8);
}

function latestSchemaVersion(): number {
  return migrations[migrations.length - 1]?.version ?? 0;
}

export function ensurePopulation(options: EnsurePopulationOptions): PopulatedFiles {
  const plan = populationPlan(options.contacts);
  const directory = join(
    options.cacheRoot,
    `contacts-${options.contacts}-schema-${latestSchemaVersion()}-plaintext-${PLAINTEXT_SCHEMA_VERSION}-format-${POPULATION_FORMAT}-${schemaDigest([migrations, plaintextMigrations])}`,
  );
  const files = {
    directory,
    privacyDatabase: join(directory, 'privacy.db'),
    plaintextDatabase: join(directory, 'plaintext.db'),
    keyringDirectory: join(directory, 'keyring'),
    plan,
  };
  const spread = { start: POPULATION_START, end: POPULATION_END };
  const builtSeconds = ensureCached(directory, options, () => buildPopulation({ ...files, spread }, options.log));
  return { ...files, builtSeconds };
}

/** A privacy database alone, with `contacts` spread as asked, cached under its own key beside the others. */
export function ensurePrivacyPopulation(options: EnsurePrivacyPopulationOptions): PrivacyPopulatedFiles {
  const plan = populationPlan(options.contacts);
  const { start, end } = options.spread;
  const directory = join(
    options.cacheRoot,
    `privacy-contacts-${options.contacts}-${monthEpochAt(start, SITE_TIME_ZONE)}-to-${monthEpochAt(end, SITE_TIME_ZONE)}-schema-${latestSchemaVersion()}-format-${POPULATION_FORMAT}-${schemaDigest([migrations, start, end])}`,
  );
  const files = { directory, privacyDatabase: join(directory, 'privacy.db'), keyringDirectory: join(directory, 'keyring'), plan };
  const builtSeconds = ensureCached(directory, options, () => buildPopulation({ ...files, spread: options.spread }, options.log));
  return { ...files, builtSeconds };
}

/** Builds into `directory` unless a complete build is there; the seconds it took, undefined when cached. */
function ensureCached(directory: string, options: EnsurePopulationOptions, build: () => void): number | undefined {
  const markerPath = join(directory, 'complete.json');
  if (existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as CompleteMarker;
    if (marker.format === POPULATION_FORMAT && marker.contacts === options.contacts) return undefined;
  }
  // No marker: absent, or a build that was interrupted. Start over.
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const started = process.hrtime.bigint();
  options.log(`populating ${options.contacts.toLocaleString('en')} contacts into ${directory} (once; cached for later runs)`);
  build();
  const builtSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  writeFileSync(markerPath, JSON.stringify({ format: POPULATION_FORMAT, contacts: options.contacts, builtSeconds } satisfies CompleteMarker));
  options.log(`population built in ${builtSeconds.toFixed(1)} s`);
  return builtSeconds;
}

const PRIVACY_INSERT_COLUMNS = [
  'reference', 'channel', 'presentation', 'link_epoch', 'pseudonym', 'sealed_epoch', 'sealed_identifier',
  'prior_contacts', 'opened_at', 'ended_at', 'state',
] as const;

type SqlCell = string | number | Uint8Array | null;

/**
 * Bulk loader for one file: bypasses GatewayDatabase on purpose (no journal, no fsync, a big cache,
 * secondary indexes built after the rows) because only the result matters, not how it was written.
 */
class BulkLoader {
  readonly #db: Database;
  readonly #columns: readonly string[];
  readonly #fullInsert: Statement;
  readonly #pending: SqlCell[] = [];
  readonly #indexes: { readonly name: string; readonly sql: string }[];

  constructor(path: string, columns: readonly string[]) {
    this.#db = new sqlite3Wasm.Database(path);
    for (const pragma of ['locking_mode = EXCLUSIVE', 'journal_mode = OFF', 'synchronous = OFF', 'cache_size = -262144', 'temp_store = MEMORY']) {
      this.#db.all(`PRAGMA ${pragma}`);
    }
    this.#columns = columns;
    this.#indexes = (this.#db.all(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND sql IS NOT NULL`) as {
      name: string;
      sql: string;
    }[]).map(({ name, sql }) => ({ name, sql }));
    for (const { name } of this.#indexes) this.#db.exec(`DROP INDEX ${name}`);
    this.#fullInsert = this.#db.prepare(this.#insertSql(ROWS_PER_INSERT));
    this.#db.exec('BEGIN');
  }

  add(row: readonly SqlCell[]): void {
    this.#pending.push(...row);
    if (this.#pending.length === ROWS_PER_INSERT * this.#columns.length) this.#flush();
  }

  /** Commits, rebuilds the indexes exactly as the schema wrote them, and leaves the file in WAL mode. */
  finish(): void {
    this.#flush();
    this.#db.exec('COMMIT');
    this.#fullInsert.finalize();
    for (const { sql } of this.#indexes) this.#db.exec(sql);
    this.#db.all('PRAGMA journal_mode = WAL');
    this.#db.close();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const rows = this.#pending.length / this.#columns.length;
    if (rows === ROWS_PER_INSERT) {
      this.#fullInsert.run(this.#pending);
    } else {
      const partial = this.#db.prepare(this.#insertSql(rows));
      partial.run(this.#pending);
      partial.finalize();
    }
    this.#pending.length = 0;
  }

  #insertSql(rows: number): string {
    const tuple = `(${this.#columns.map(() => '?').join(', ')})`;
    return `INSERT INTO contacts (${this.#columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  }
}

interface PopulationBuild {
  readonly plan: PopulationPlan;
  readonly spread: ContactSpread;
  readonly privacyDatabase: string;
  readonly keyringDirectory: string;
  /** The same contacts with a raw number column, for the intake benchmark's baseline; left out, none is built. */
  readonly plaintextDatabase?: string;
}

function buildPopulation(files: PopulationBuild, log: (line: string) => void): void {
  const { plan, spread } = files;
  const logger = silentLogger();
  // Create the files through GatewayDatabase so they carry the real schema, pragmas and version.
  GatewayDatabase.open({ path: files.privacyDatabase, logger }).close();
  if (files.plaintextDatabase !== undefined) GatewayDatabase.open({ path: files.plaintextDatabase, logger, migrations: plaintextMigrations }).close();

  const clock = new ManualClock(spread.start);
  const keyring = Keyring.open({ directory: files.keyringDirectory, clock });
  const pseudonymizer = createPseudonymizer(keyring);
  const vault = createVault(keyring);
  const pool = new CallerPool();
  const random = seededRandom(POPULATION_SEED);
  const earlierContacts = new Int32Array(plan.poolSize);
  const references = new Set<string>();
  const privacy = new BulkLoader(files.privacyDatabase, PRIVACY_INSERT_COLUMNS);
  const plaintext = files.plaintextDatabase === undefined ? undefined : new BulkLoader(files.plaintextDatabase, PLAINTEXT_INSERT_COLUMNS);
  const span = spread.end - spread.start;
  const progressEvery = Math.max(1, Math.round(plan.contacts / 10));
  try {
    for (let i = 0; i < plan.contacts; i++) {
      const openedAt = spread.start + Math.floor(((i + random()) * span) / plan.contacts);
      const endedAt = openedAt + 60_000 + Math.floor(random() * 900_000);
      clock.set(openedAt);
      let reference = randomContactReference();
      while (references.has(reference)) reference = randomContactReference();
      references.add(reference);
      if (random() < WITHHELD_SHARE) {
        const presentation = random() < 0.5 ? 'withheld' : 'unavailable';
        privacy.add([reference, 'phone', presentation, null, null, null, null, 0, openedAt, endedAt, 'registered']);
        plaintext?.add([reference, 'phone', presentation, null, 0, openedAt, endedAt, 'registered']);
        continue;
      }
      const caller = random() < REGULAR_SHARE ? Math.floor(random() * plan.regulars) : Math.floor(random() * plan.poolSize);
      const number = pool.raw(caller);
      const epoch: MonthEpoch = monthEpochAt(openedAt, SITE_TIME_ZONE);
      const prior = earlierContacts[caller] ?? 0;
      earlierContacts[caller] = prior + 1;
      const pseudonym = pseudonymizer.pseudonymize(number, 'phone', epoch);
      const sealed = vault.seal(number, 'phone-number', epoch);
      privacy.add([reference, 'phone', 'number', epoch, pseudonym, epoch, sealed, prior, openedAt, endedAt, 'registered']);
      plaintext?.add([reference, 'phone', 'number', canonicalText(number), prior, openedAt, endedAt, 'registered']);
      if ((i + 1) % progressEvery === 0) log(`  ${(i + 1).toLocaleString('en')} contacts`);
    }
    log('  building indexes');
    privacy.finish();
    plaintext?.finish();
  } finally {
    keyring.close();
  }
}

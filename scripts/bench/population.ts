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
 * spread of months, with the same generator (`ensurePrivacyPopulation`), and adds chats to it:
 * contacts whose IP address is sealed under the month's chat-ip key, each with a transcript of
 * sealed lines (`chatPlan`: 50,000 chats and 500,000 lines beside 2,000,000 phone contacts).
 */
import { randomContactReference } from '../../src/contacts/contact-reference.js';
import { silentLogger } from '../../src/log/index.js';
import { normalizeIpAddress, normalizePhoneNumber } from '../../src/privacy/normalize.js';
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
import { basename, join } from 'node:path';
import { PLAINTEXT_INSERT_COLUMNS, PLAINTEXT_SCHEMA_VERSION, plaintextMigrations } from './plaintext-desk.js';
import { seededRandom } from './statistics.js';

/** Bump when the generator below changes what it stores: older caches are then rebuilt. */
const POPULATION_FORMAT = 1;
/** The same for the retention bench's store; 2 added the chats and their sealed transcript lines. */
const PRIVACY_POPULATION_FORMAT = 2;
const POPULATION_SEED = 20250615;
const CHAT_SEED = 20250616;

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

/** Chats stored beside the phone contacts, and the transcript lines written in them. */
export interface ChatPlan {
  readonly chats: number;
  readonly transcriptLines: number;
}

export const NO_CHATS: ChatPlan = { chats: 0, transcriptLines: 0 };

/** One chat per 40 phone contacts, ten lines per chat on average: 50,000 and 500,000 at 2,000,000. */
export function chatPlan(contacts: number): ChatPlan {
  const chats = Math.max(1, Math.round(contacts / 40));
  return { chats, transcriptLines: chats * 10 };
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

/** A privacy database without its plaintext twin, with chats (the retention benchmark's). */
export interface PrivacyPopulatedFiles extends Omit<PopulatedFiles, 'plaintextDatabase'> {
  readonly chats: ChatPlan;
}

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
  /** The cache directory's name: a build is reused only under the key it was built for. */
  readonly key: string;
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
  const builtSeconds = ensureCached(directory, POPULATION_FORMAT, options, () => buildPopulation({ ...files, spread, chats: NO_CHATS }, options.log));
  return { ...files, builtSeconds };
}

/**
 * A privacy database alone, with `contacts` phone contacts spread as asked and `chatPlan(contacts)`
 * chats among them, cached under its own key beside the others. The key names the chats and lines
 * and its own format, so a store built before the chats existed is never taken for this one.
 */
export function ensurePrivacyPopulation(options: EnsurePrivacyPopulationOptions): PrivacyPopulatedFiles {
  const plan = populationPlan(options.contacts);
  const chats = chatPlan(options.contacts);
  const { start, end } = options.spread;
  const directory = join(
    options.cacheRoot,
    `privacy-contacts-${options.contacts}-chats-${chats.chats}-lines-${chats.transcriptLines}-${monthEpochAt(start, SITE_TIME_ZONE)}-to-${monthEpochAt(end, SITE_TIME_ZONE)}` +
      `-schema-${latestSchemaVersion()}-format-${PRIVACY_POPULATION_FORMAT}-${schemaDigest([migrations, start, end])}`,
  );
  const files = { directory, privacyDatabase: join(directory, 'privacy.db'), keyringDirectory: join(directory, 'keyring'), plan, chats };
  const builtSeconds = ensureCached(directory, PRIVACY_POPULATION_FORMAT, options, () => buildPopulation({ ...files, spread: options.spread }, options.log));
  return { ...files, builtSeconds };
}

/** Builds into `directory` unless a complete build of the same format and key is there; the seconds it took, undefined when cached. */
function ensureCached(directory: string, format: number, options: EnsurePopulationOptions, build: () => void): number | undefined {
  const markerPath = join(directory, 'complete.json');
  const key = basename(directory);
  if (existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as Partial<CompleteMarker>;
    if (marker.format === format && marker.contacts === options.contacts && marker.key === key) return undefined;
  }
  // No marker: absent, or a build that was interrupted. Start over.
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const started = process.hrtime.bigint();
  options.log(`populating ${options.contacts.toLocaleString('en')} contacts into ${directory} (once; cached for later runs)`);
  build();
  const builtSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  writeFileSync(markerPath, JSON.stringify({ format, contacts: options.contacts, key, builtSeconds } satisfies CompleteMarker));
  options.log(`population built in ${builtSeconds.toFixed(1)} s`);
  return builtSeconds;
}

const PRIVACY_INSERT_COLUMNS = [
  'reference', 'channel', 'presentation', 'link_epoch', 'pseudonym', 'sealed_epoch', 'sealed_identifier',
  'prior_contacts', 'opened_at', 'ended_at', 'state',
] as const;
const TRANSCRIPT_INSERT_COLUMNS = ['contact_id', 'author', 'written_at', 'sealed_epoch', 'sealed_text'] as const;
/** The tables the bulk loader fills; their secondary indexes are dropped first and rebuilt at the end. */
const LOADED_TABLES = ['contacts', 'transcript_lines'] as const;

type SqlCell = string | number | Uint8Array | null;

/** Rows for one table, sent to SQLite `ROWS_PER_INSERT` at a time. */
class TableInserter {
  readonly #db: Database;
  readonly #table: string;
  readonly #columns: readonly string[];
  readonly #fullInsert: Statement;
  readonly #pending: SqlCell[] = [];

  constructor(db: Database, table: string, columns: readonly string[]) {
    this.#db = db;
    this.#table = table;
    this.#columns = columns;
    this.#fullInsert = db.prepare(this.#insertSql(ROWS_PER_INSERT));
  }

  add(row: readonly SqlCell[]): void {
    this.#pending.push(...row);
    if (this.#pending.length === ROWS_PER_INSERT * this.#columns.length) this.flush();
  }

  flush(): void {
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

  finalize(): void {
    this.#fullInsert.finalize();
  }

  #insertSql(rows: number): string {
    const tuple = `(${this.#columns.map(() => '?').join(', ')})`;
    return `INSERT INTO ${this.#table} (${this.#columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  }
}

/**
 * Bulk loader for one file: bypasses GatewayDatabase on purpose (no journal, no fsync, a big cache,
 * secondary indexes built after the rows) because only the result matters, not how it was written.
 * Rows of one table keep their order, so ids follow the order they were added in.
 */
class BulkLoader {
  readonly #db: Database;
  readonly #tables: TableInserter[] = [];
  readonly #indexes: { readonly name: string; readonly sql: string }[];

  constructor(path: string) {
    this.#db = new sqlite3Wasm.Database(path);
    // Foreign keys are checked once at the end: a chat's lines are buffered before its contact row.
    for (const pragma of ['locking_mode = EXCLUSIVE', 'journal_mode = OFF', 'synchronous = OFF', 'cache_size = -262144', 'temp_store = MEMORY', 'foreign_keys = OFF']) {
      this.#db.all(`PRAGMA ${pragma}`);
    }
    const tables = LOADED_TABLES.map((table) => `'${table}'`).join(', ');
    this.#indexes = (this.#db.all(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN (${tables}) AND sql IS NOT NULL`) as {
      name: string;
      sql: string;
    }[]).map(({ name, sql }) => ({ name, sql }));
    for (const { name } of this.#indexes) this.#db.exec(`DROP INDEX ${name}`);
    this.#db.exec('BEGIN');
  }

  table(name: (typeof LOADED_TABLES)[number], columns: readonly string[]): TableInserter {
    const inserter = new TableInserter(this.#db, name, columns);
    this.#tables.push(inserter);
    return inserter;
  }

  /** Commits, rebuilds the indexes exactly as the schema wrote them, and leaves the file in WAL mode. */
  finish(): void {
    for (const table of this.#tables) table.flush();
    this.#db.exec('COMMIT');
    for (const table of this.#tables) table.finalize();
    for (const { sql } of this.#indexes) this.#db.exec(sql);
    const orphans = this.#db.all('PRAGMA foreign_key_check').length;
    if (orphans > 0) throw new Error(`the bulk load left ${orphans} rows whose parent row is missing`);
    this.#db.all('PRAGMA journal_mode = WAL');
    this.#db.close();
  }
}

interface PopulationBuild {
  readonly plan: PopulationPlan;
  readonly chats: ChatPlan;
  readonly spread: ContactSpread;
  readonly privacyDatabase: string;
  readonly keyringDirectory: string;
  /** The same contacts with a raw number column, for the intake benchmark's baseline; left out, none is built. */
  readonly plaintextDatabase?: string;
}

/** What children and volunteers write in a chat, in Dutch; lines are put together from these. */
const CHAT_PHRASES = [
  'hoi', 'ik weet niet zo goed hoe ik dit moet zeggen', 'op school gaat het niet zo goed', 'mijn ouders maken heel vaak ruzie',
  'ik voel me de laatste tijd vaak alleen', 'wat fijn dat je dit aan ons vertelt', 'hoe gaat het nu met je', 'kun je daar iets meer over vertellen',
  'ik snap dat dat heel moeilijk is', 'mijn beste vriendin doet ineens raar tegen me', 'ik durf het niet tegen mijn moeder te zeggen',
  'heb je daar al met iemand over gepraat', 'soms wil ik gewoon even weg', 'dat klinkt echt heel naar', 'ik word gepest in de klas',
  'wat zou je willen dat er verandert', 'ik kan al een week niet goed slapen', 'je mag hier alles zeggen wat je wilt', 'het is thuis best lastig',
  'mijn broertje snapt er niks van', 'ik heb het nog aan niemand verteld', 'oké dankjewel', 'wie zou je kunnen helpen denk je',
  'ik weet het echt niet meer', 'misschien kan je mentor iets doen', 'ja dat denk ik wel', 'nee niet echt', 'hmm misschien',
];

/** 40 to 200 characters of phrases, cut at a word and closed with a full stop or question mark. */
function transcriptText(random: () => number): string {
  const target = 40 + Math.floor(random() * 161);
  let text = '';
  while (text.length < target) {
    const phrase = CHAT_PHRASES[Math.floor(random() * CHAT_PHRASES.length)] ?? 'hoi';
    text = text === '' ? phrase.charAt(0).toUpperCase() + phrase.slice(1) : `${text}, ${phrase}`;
  }
  const cut = text.lastIndexOf(' ', target - 1);
  const body = (cut >= 39 ? text.slice(0, cut) : text.slice(0, target - 1)).replace(/,$/, '');
  return `${body}${random() < 0.3 ? '?' : '.'}`;
}

/** A public-looking IPv4 address per chat (deterministic, scattered), through the real normalizer. */
function chatAddress(index: number): ReturnType<typeof normalizeIpAddress> {
  const mixed = Math.imul(index + 1, 2_654_435_761) >>> 0;
  return normalizeIpAddress(`${80 + ((mixed >>> 24) % 100)}.${(mixed >>> 16) & 255}.${(mixed >>> 8) & 255}.${(mixed & 255) | 1}`);
}

/** Lines per chat (at least one), summing to exactly `plan.transcriptLines`. */
function linesPerChat(plan: ChatPlan, random: () => number): Int32Array {
  const weights = Float64Array.from({ length: plan.chats }, () => 1 + random() * 18);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const counts = new Int32Array(plan.chats);
  let cumulative = 0;
  let placed = 0;
  weights.forEach((weight, chat) => {
    cumulative += weight;
    const upTo = chat === plan.chats - 1 ? plan.transcriptLines : Math.round((plan.transcriptLines * cumulative) / total);
    counts[chat] = upTo - placed;
    placed = upTo;
  });
  return counts;
}

function buildPopulation(files: PopulationBuild, log: (line: string) => void): void {
  const { plan, chats, spread } = files;
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
  const chatRandom = seededRandom(CHAT_SEED);
  const chatLines = linesPerChat(chats, chatRandom);
  const earlierContacts = new Int32Array(plan.poolSize);
  const references = new Set<string>();
  const privacyLoader = new BulkLoader(files.privacyDatabase);
  const privacy = privacyLoader.table('contacts', PRIVACY_INSERT_COLUMNS);
  const transcripts = privacyLoader.table('transcript_lines', TRANSCRIPT_INSERT_COLUMNS);
  const plaintextLoader = files.plaintextDatabase === undefined ? undefined : new BulkLoader(files.plaintextDatabase);
  const plaintext = plaintextLoader?.table('contacts', PLAINTEXT_INSERT_COLUMNS);
  // Month boundaries fall on whole hours in the site's zone: one Intl call per hour, not per line.
  const months = new Map<number, MonthEpoch>();
  const monthOf = (at: number): MonthEpoch => {
    const hour = Math.floor(at / 3_600_000);
    let month = months.get(hour);
    if (month === undefined) {
      month = monthEpochAt(at, SITE_TIME_ZONE);
      months.set(hour, month);
    }
    return month;
  };
  const rows = plan.contacts + chats.chats;
  const span = spread.end - spread.start;
  const progressEvery = Math.max(1, Math.round(rows / 10));
  let chatsStored = 0;
  try {
    for (let i = 0; i < rows; i++) {
      const openedAt = spread.start + Math.floor(((i + random()) * span) / rows);
      clock.set(openedAt);
      let reference = randomContactReference();
      while (references.has(reference)) reference = randomContactReference();
      references.add(reference);
      if ((i + 1) % progressEvery === 0) log(`  ${(i + 1).toLocaleString('en')} contacts`);
      // Chats are spread evenly among the phone contacts, so ids and months interleave as at a site.
      if (Math.floor(((i + 1) * chats.chats) / rows) > Math.floor((i * chats.chats) / rows)) {
        const address = chatAddress(chatsStored);
        if (!address) throw new Error(`synthetic chat address ${chatsStored} did not normalize`);
        const epoch = monthOf(openedAt);
        let writtenAt = openedAt;
        const lines = chatLines[chatsStored] ?? 1;
        for (let line = 0; line < lines; line++) {
          writtenAt += 20_000 + Math.floor(chatRandom() * 70_000);
          clock.set(writtenAt);
          const lineEpoch = monthOf(writtenAt);
          // Contact ids are 1, 2, … in the order the rows were added.
          transcripts.add([i + 1, line % 2 === 0 ? 'caller' : 'volunteer', writtenAt, lineEpoch, vault.sealText(transcriptText(chatRandom), lineEpoch)]);
        }
        privacy.add([reference, 'chat', 'number', null, null, epoch, vault.seal(address, 'chat-ip', epoch), 0, openedAt, writtenAt + 60_000, 'registered']);
        chatsStored += 1;
        continue;
      }
      const endedAt = openedAt + 60_000 + Math.floor(random() * 900_000);
      if (random() < WITHHELD_SHARE) {
        const presentation = random() < 0.5 ? 'withheld' : 'unavailable';
        privacy.add([reference, 'phone', presentation, null, null, null, null, 0, openedAt, endedAt, 'registered']);
        plaintext?.add([reference, 'phone', presentation, null, 0, openedAt, endedAt, 'registered']);
        continue;
      }
      const caller = random() < REGULAR_SHARE ? Math.floor(random() * plan.regulars) : Math.floor(random() * plan.poolSize);
      const number = pool.raw(caller);
      const epoch = monthOf(openedAt);
      const prior = earlierContacts[caller] ?? 0;
      earlierContacts[caller] = prior + 1;
      const pseudonym = pseudonymizer.pseudonymize(number, 'phone', epoch);
      const sealed = vault.seal(number, 'phone-number', epoch);
      privacy.add([reference, 'phone', 'number', epoch, pseudonym, epoch, sealed, prior, openedAt, endedAt, 'registered']);
      plaintext?.add([reference, 'phone', 'number', canonicalText(number), prior, openedAt, endedAt, 'registered']);
    }
    if (chatsStored !== chats.chats) throw new Error(`stored ${chatsStored} chats, planned ${chats.chats}`);
    log('  building indexes');
    privacyLoader.finish();
    plaintextLoader?.finish();
  } finally {
    keyring.close();
  }
}

/**
 * Measures the store's hot path under each journal mode (both with locking_mode=EXCLUSIVE and
 * synchronous=FULL, through GatewayDatabase and ContactsRepository as shipped): a durable
 * autocommit contact insert, and the prior-contact lookup over six pseudonyms (a six-month window)
 * and over one, on a table already holding `--rows` contacts.
 *
 * The lookup is the one the desk made when it was taken (docs/storage.md): a count through the
 * pseudonym index. Migration 4 dropped that index and the count moved to memory, so the script
 * creates the index on its own scratch files and runs the count SQL itself, to keep measuring the
 * same thing.
 *
 *   node --import tsx scripts/measure-journal-modes.ts [--rows 50000] [--inserts 1000] [--lookups 20000] [--rounds 3] [--dir .bench/journal-modes]
 *
 * The modes are interleaved for `--rounds` rounds and the median is printed, because fsync time on
 * shared or virtual disks swings a lot; the file-system calls per insert (counted by wrapping the
 * `fs` functions the library calls) do not, and explain the times. Run it on the file system the
 * box uses: on tmpfs fsync costs nothing and the insert column lies.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ContactReference } from '../src/contacts/contact-view.js';
import { silentLogger } from '../src/log/index.js';
import { PSEUDONYM_BYTES, type Pseudonym } from '../src/privacy/types.js';
import { ContactsRepository, type NewContactRow } from '../src/store/contacts-repository.js';
import { GatewayDatabase, type JournalMode } from '../src/store/open-database.js';
import { asMonthEpoch, shiftMonthEpoch } from '../src/time/index.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    inserts: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    lookups: { type: 'string', default: '20000' },
    dir: { type: 'string', default: '.bench/journal-modes' },
  },
});
const rows = Number(values.rows);
const rounds = Number(values.rounds);
const inserts = Number(values.inserts);
const lookups = Number(values.lookups);
const baseEpoch = asMonthEpoch('2025-01');

interface Result {
  mode: JournalMode;
  insertMicros: number;
  syncsPerInsert: number;
  writesPerInsert: number;
  lookup6Micros: number;
  lookup1Micros: number;
  fileBytes: number;
}

/** Calls to the syncing and writing functions of `fs` while `counting` is on. */
const fsCalls = { syncs: 0, writes: 0, counting: false };
function countCalls<F extends (...args: never[]) => unknown>(original: F, counter: 'syncs' | 'writes'): F {
  return ((...args: Parameters<F>) => {
    if (fsCalls.counting) fsCalls[counter] += 1;
    return original(...args);
  }) as F;
}
fs.fsyncSync = countCalls(fs.fsyncSync, 'syncs');
fs.fdatasyncSync = countCalls(fs.fdatasyncSync, 'syncs');
fs.ftruncateSync = countCalls(fs.ftruncateSync, 'writes');
fs.writeSync = countCalls(fs.writeSync, 'writes');

function randomPseudonym(): Pseudonym {
  return new Uint8Array(randomBytes(PSEUDONYM_BYTES)) as Pseudonym;
}

function contact(pseudonym: Pseudonym, index: number): NewContactRow {
  return {
    reference: randomUUID() as ContactReference,
    channel: 'phone',
    presentation: 'number',
    linkEpoch: shiftMonthEpoch(baseEpoch, index % 6),
    pseudonym,
    sealedEpoch: shiftMonthEpoch(baseEpoch, index % 6),
    sealedIdentifier: null,
    openedAt: 1_735_689_600_000 + index * 1000,
  };
}

/** The index and the count the desk used before migration 4 (schema version 1 to 3). */
const PSEUDONYM_INDEX_SQL = 'CREATE INDEX contacts_by_pseudonym ON contacts (pseudonym) WHERE pseudonym IS NOT NULL';

function countByPseudonyms(db: GatewayDatabase, pseudonyms: readonly Pseudonym[]): number {
  const sql = `SELECT count(*) AS n FROM contacts WHERE pseudonym IN (${pseudonyms.map(() => '?').join(', ')})`;
  return db.get<{ n: number }>(sql, pseudonyms)?.n ?? 0;
}

function microsPer(count: number, body: (i: number) => void): number {
  const start = performance.now();
  for (let i = 0; i < count; i += 1) body(i);
  return ((performance.now() - start) * 1000) / count;
}

function measure(mode: JournalMode, directory: string): Result {
  const dbPath = path.join(directory, `contacts-${mode.toLowerCase()}.db`);
  for (const suffix of ['', '-wal', '-journal']) fs.rmSync(dbPath + suffix, { force: true });
  const db = GatewayDatabase.open({ path: dbPath, logger: silentLogger(), journalMode: mode });
  try {
    const contacts = new ContactsRepository(db);
    // Before the rows, as the schema had it: every insert below pays for the index as it did then.
    db.exec(PSEUDONYM_INDEX_SQL);
    // Callers who called before: every lookup below hits ~8 rows per pseudonym.
    const known = Array.from({ length: Math.max(1, Math.floor(rows / 8)) }, () => randomPseudonym());
    for (let batch = 0; batch < rows; batch += 1000) {
      db.transaction(() => {
        for (let i = batch; i < Math.min(rows, batch + 1000); i += 1) contacts.insert(contact(known[i % known.length] as Pseudonym, i));
      });
    }
    Object.assign(fsCalls, { syncs: 0, writes: 0, counting: true });
    const insertMicros = microsPer(inserts, (i) => contacts.insert(contact(randomPseudonym(), rows + i)));
    fsCalls.counting = false;
    const window = (i: number): Pseudonym[] => Array.from({ length: 6 }, (_, k) => (k === 0 ? (known[i % known.length] as Pseudonym) : randomPseudonym()));
    const windows = Array.from({ length: 256 }, (_, i) => window(i));
    const lookup6Micros = microsPer(lookups, (i) => countByPseudonyms(db, windows[i % windows.length] as Pseudonym[]));
    const lookup1Micros = microsPer(lookups, (i) => countByPseudonyms(db, [known[i % known.length] as Pseudonym]));
    db.checkpoint();
    return { mode, insertMicros, syncsPerInsert: fsCalls.syncs / inserts, writesPerInsert: fsCalls.writes / inserts, lookup6Micros, lookup1Micros, fileBytes: fs.statSync(dbPath).size };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-journal']) fs.rmSync(dbPath + suffix, { force: true });
  }
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const directory = path.resolve(values.dir);
fs.mkdirSync(directory, { recursive: true });
console.log(`${rows} rows, ${inserts} durable inserts, ${lookups} lookups each, ${rounds} interleaved rounds; files in ${directory}`);
const results: Result[] = [];
for (let round = 1; round <= rounds; round += 1) {
  for (const mode of ['WAL', 'TRUNCATE'] as const) {
    const result = measure(mode, directory);
    results.push(result);
    console.log(`round ${round} ${mode}: insert ${result.insertMicros.toFixed(0)} µs`);
  }
}
console.log('| journal_mode (median) | durable insert (autocommit) | fsyncs / writes per insert | count over 6 pseudonyms | count over 1 pseudonym | file size |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const mode of ['WAL', 'TRUNCATE'] as const) {
  const of = results.filter((r) => r.mode === mode);
  const m = (pick: (r: Result) => number): number => median(of.map(pick));
  console.log(
    `| ${mode} | ${m((r) => r.insertMicros).toFixed(0)} µs | ${m((r) => r.syncsPerInsert).toFixed(1)} / ${m((r) => r.writesPerInsert).toFixed(1)} | ` +
      `${m((r) => r.lookup6Micros).toFixed(1)} µs | ${m((r) => r.lookup1Micros).toFixed(1)} µs | ${(m((r) => r.fileBytes) / 1e6).toFixed(1)} MB |`,
  );
}

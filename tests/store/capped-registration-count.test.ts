import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { CappedRegistrationCount } from '../../src/store/capped-registration-count.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import type { RegistrationCount } from '../../src/store/stats-repository.js';
import { makeTempDirectory, type TempDirectory } from './fixtures/temp-directory.js';

const START = Date.parse('2025-06-02T00:00:00+02:00');
const END = START + 86_400_000;

let temp: TempDirectory;
let db: GatewayDatabase;

beforeEach(() => {
  temp = makeTempDirectory();
  db = GatewayDatabase.open({ path: temp.databasePath, logger: silentLogger() });
});

afterEach(() => {
  db.close();
  temp.remove();
});

interface Row {
  /** Index of a 16-byte pseudonym; null: no pseudonym (withheld number). */
  readonly caller: number | null;
  /** Minutes into the period (ties are common), or outside it. */
  readonly minute: number;
  readonly topic: string;
  /** Registration written without its contact row (contact_id NULL). */
  readonly noContact: boolean;
}

let references = 0;

function insert(rows: readonly Row[]): void {
  db.transaction(() => {
    for (const row of rows) {
      references += 1;
      const pseudonym = row.caller === null ? null : Buffer.alloc(16, row.caller + 1);
      const contact = row.noContact
        ? null
        : db.get<{ id: number }>(
            `INSERT INTO contacts (reference, channel, presentation, link_epoch, pseudonym, prior_contacts, opened_at, state)
             VALUES (?, 'phone', ?, ?, ?, 0, ?, 'registered') RETURNING id`,
            [`ref-${references}`, pseudonym ? 'number' : 'withheld', pseudonym ? '2025-06' : null, pseudonym, START],
          )?.id;
      const at = START + row.minute * 60_000;
      db.run(
        `INSERT INTO registrations (contact_id, channel, occurred_at, age_band, topic, outcome, registered_at) VALUES (?, 'phone', ?, '12-15', ?, 'advice', ?)`,
        [contact ?? null, at, row.topic, at],
      );
    }
  });
}

/** The cap in one query (the formulation the chunked reading replaced): the reference to agree with. */
function inOneQuery(cap: number): RegistrationCount[] {
  return db
    .all<{ channel: string; topic: string; age_band: string; outcome: string; n: number }>(
      `SELECT channel, topic, age_band, outcome, COUNT(*) AS n FROM (
         SELECT r.channel, r.topic, r.age_band, r.outcome,
                CASE WHEN c.pseudonym IS NULL THEN 1
                     ELSE ROW_NUMBER() OVER (PARTITION BY c.pseudonym ORDER BY r.occurred_at, r.id) END AS nth
         FROM registrations r LEFT JOIN contacts c ON c.id = r.contact_id
         WHERE r.occurred_at >= ? AND r.occurred_at < ?
       ) WHERE nth <= ?
       GROUP BY channel, topic, age_band, outcome`,
      [START, END, cap],
    )
    .map((row) => ({ channel: row.channel, topic: row.topic, ageBand: row.age_band, outcome: row.outcome, count: Number(row.n) }));
}

function readAll(count: CappedRegistrationCount): { counts: RegistrationCount[]; reads: number } {
  let reads = 1;
  while (count.readChunk()) reads += 1;
  return { counts: count.counts(), reads };
}

const byCell = (a: RegistrationCount, b: RegistrationCount): number => a.topic.localeCompare(b.topic);

describe('CappedRegistrationCount', () => {
  it('counts the first `cap` registrations of each caller by time (ties by id), every one without a pseudonym, and nothing outside the period', () => {
    insert([
      // Caller 0: five registrations, two at the same minute; the first three count.
      { caller: 0, minute: 10, topic: 'home', noContact: false },
      { caller: 0, minute: 5, topic: 'love', noContact: false },
      { caller: 0, minute: 5, topic: 'love', noContact: false },
      { caller: 0, minute: 20, topic: 'school', noContact: false },
      { caller: 0, minute: 1, topic: 'home', noContact: false },
      // Withheld numbers and a registration whose contact row is gone: each a caller of its own.
      { caller: null, minute: 3, topic: 'school', noContact: false },
      { caller: null, minute: 3, topic: 'school', noContact: false },
      { caller: null, minute: 4, topic: 'school', noContact: true },
      { caller: null, minute: 4, topic: 'school', noContact: true },
      // Outside [start, end).
      { caller: 1, minute: -1, topic: 'home', noContact: false },
      { caller: 1, minute: 24 * 60, topic: 'home', noContact: false },
    ]);
    for (const chunkRows of [1, 2, 3, 500]) {
      const { counts } = readAll(new CappedRegistrationCount(db, { start: START, end: END }, 3, chunkRows));
      expect(counts.sort(byCell)).toEqual([
        { channel: 'phone', topic: 'home', ageBand: '12-15', outcome: 'advice', count: 1 },
        { channel: 'phone', topic: 'love', ageBand: '12-15', outcome: 'advice', count: 2 },
        { channel: 'phone', topic: 'school', ageBand: '12-15', outcome: 'advice', count: 4 },
      ]);
    }
  });

  it('reads the period in chunks of at most chunkRows, the last one telling it is done', () => {
    insert(Array.from({ length: 7 }, (_, minute): Row => ({ caller: null, minute, topic: 'home', noContact: false })));
    expect(readAll(new CappedRegistrationCount(db, { start: START, end: END }, 3, 3)).reads).toBe(3);
    expect(readAll(new CappedRegistrationCount(db, { start: START, end: END }, 3, 7)).reads).toBe(2);
    expect(readAll(new CappedRegistrationCount(db, { start: START, end: END }, 3, 8)).reads).toBe(1);
    const empty = new CappedRegistrationCount(db, { start: END, end: END + 1 }, 3);
    expect(empty.readChunk()).toBe(false);
    expect(empty.readChunk()).toBe(false);
    expect(empty.counts()).toEqual([]);
  });

  it('agrees with the cap in one window-function query for any rows, cap and chunk size', () => {
    const row = fc.record<Row>({
      caller: fc.option(fc.integer({ min: 0, max: 5 }), { freq: 4 }),
      minute: fc.integer({ min: -5, max: 24 * 60 + 5 }).chain((minute) => fc.constantFrom(minute, 100)),
      topic: fc.constantFrom('home', 'love', 'school'),
      noContact: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), (rows, cap, chunkRows) => {
        db.run('DELETE FROM registrations');
        db.run('DELETE FROM contacts');
        insert(rows);
        const { counts } = readAll(new CappedRegistrationCount(db, { start: START, end: END }, cap, chunkRows));
        expect(counts.sort(byCell)).toEqual(inOneQuery(cap).sort(byCell));
      }),
      { numRuns: 60 },
    );
  });

  it('counts a registration written between two reads after the rows already read, and leaves out one written before them', () => {
    insert(Array.from({ length: 4 }, (_, i): Row => ({ caller: 0, minute: 10 + i, topic: 'home', noContact: false })));
    const count = new CappedRegistrationCount(db, { start: START, end: END }, 3, 2);
    expect(count.readChunk()).toBe(true);
    // Caller 0 again, once before what was read (left out) and once after (counted, but over the cap).
    insert([
      { caller: 0, minute: 1, topic: 'love', noContact: false },
      { caller: null, minute: 30, topic: 'school', noContact: false },
    ]);
    while (count.readChunk());
    expect(count.counts().sort(byCell)).toEqual([
      { channel: 'phone', topic: 'home', ageBand: '12-15', outcome: 'advice', count: 3 },
      { channel: 'phone', topic: 'school', ageBand: '12-15', outcome: 'advice', count: 1 },
    ]);
  });

  it('refuses a cap or a chunk size below 1', () => {
    expect(() => new CappedRegistrationCount(db, { start: START, end: END }, 0)).toThrow(RangeError);
    expect(() => new CappedRegistrationCount(db, { start: START, end: END }, 3, 0)).toThrow(RangeError);
  });
});

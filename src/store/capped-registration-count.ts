import type { GatewayDatabase } from './open-database.js';
import type { RegistrationCount } from './stats-repository.js';

/**
 * 100 registrations per read. At a busy site's year (400,000 contacts; a period's rows spread over
 * a store larger than the page cache, two page reads each) a read of 100 takes about 1 ms, and up
 * to 10-25 ms at the start of a period whose pages are not cached; a read of 250 took up to 45 ms
 * then on the shared 2-core development machine (scripts/bench/stats-bench.ts).
 */
export const DEFAULT_CHUNK_ROWS = 100;

interface ChunkRow {
  id: number;
  at: number;
  cell: string;
  caller: string | null;
}

/**
 * The registrations of one period counted per channel, topic, age band and outcome, with each
 * caller's first `cap` registrations (by occurred_at, then id) counted and the rest left out. Read
 * in chunks, oldest first, so the caller can give the event loop a turn between two reads (a
 * period of a busy site is tens of thousands of rows, several hundred milliseconds in one query).
 *
 * The caller is the contact's pseudonym. It is compared here and never leaves this object: what
 * it hands out are counts. A registration without one (withheld number, no contact row, shredded
 * month) is a caller of its own. Nothing is held open between reads: a registration written
 * meanwhile at a time already read is left out, as if written after the close; one written
 * further on is counted in its place.
 */
export class CappedRegistrationCount {
  readonly #database: GatewayDatabase;
  readonly #end: number;
  readonly #cap: number;
  readonly #chunkRows: number;
  /** Registrations seen per caller (pseudonym in hex), until the period is read. */
  readonly #perCaller = new Map<string, number>();
  /** Counted registrations per cell (its four values as a JSON array). */
  readonly #perCell = new Map<string, number>();
  #after: { at: number; id: number };
  #done = false;

  constructor(database: GatewayDatabase, period: { start: number; end: number }, cap: number, chunkRows = DEFAULT_CHUNK_ROWS) {
    if (!Number.isInteger(cap) || cap < 1) throw new RangeError('contribution cap must be a positive integer');
    if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new RangeError('chunk rows must be a positive integer');
    this.#database = database;
    this.#end = period.end;
    this.#cap = cap;
    this.#chunkRows = chunkRows;
    this.#after = { at: period.start, id: -1 };
  }

  /** Reads and counts the next chunk; false once the period has been read to its end. */
  readChunk(): boolean {
    if (this.#done) return false;
    // Keyset on (occurred_at, id), which the occurred_at index yields in order (its entries end
    // with the rowid): no sort, and each read starts where the last one stopped. hex(NULL) is '',
    // hence the CASE: every registration without a pseudonym is a caller of its own.
    const rows = this.#database.all<ChunkRow>(
      `SELECT r.id, r.occurred_at AS at, json_array(r.channel, r.topic, r.age_band, r.outcome) AS cell,
              CASE WHEN c.pseudonym IS NOT NULL THEN hex(c.pseudonym) END AS caller
       FROM registrations r LEFT JOIN contacts c ON c.id = r.contact_id
       WHERE r.occurred_at >= ? AND r.occurred_at < ? AND (r.occurred_at > ? OR r.id > ?)
       ORDER BY r.occurred_at, r.id LIMIT ?`,
      [this.#after.at, this.#end, this.#after.at, this.#after.id, this.#chunkRows],
    );
    for (const row of rows) {
      if (row.caller !== null) {
        const seen = (this.#perCaller.get(row.caller) ?? 0) + 1;
        this.#perCaller.set(row.caller, seen);
        if (seen > this.#cap) continue;
      }
      this.#perCell.set(row.cell, (this.#perCell.get(row.cell) ?? 0) + 1);
    }
    const last = rows.at(-1);
    if (last) this.#after = { at: Number(last.at), id: Number(last.id) };
    if (rows.length < this.#chunkRows) this.#finish();
    return !this.#done;
  }

  /** The counts of the rows read so far: the period's, once readChunk() has returned false. */
  counts(): RegistrationCount[] {
    return [...this.#perCell].map(([cell, count]) => {
      const [channel = '', topic = '', ageBand = '', outcome = ''] = JSON.parse(cell) as string[];
      return { channel, topic, ageBand, outcome, count };
    });
  }

  #finish(): void {
    this.#done = true;
    // The pseudonyms are not needed once the period is read.
    this.#perCaller.clear();
  }
}

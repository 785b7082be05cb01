import type { LinkedPseudonym } from '../privacy/pseudonym.js';
import type { Pseudonym } from '../privacy/types.js';
import type { ContactsRepository } from '../store/contacts-repository.js';
import type { MonthEpoch } from '../time/month-epoch.js';
import { PseudonymTally } from './pseudonym-tally.js';

const LOAD_PAGE = 50_000;

/**
 * The prior-contact count kept in memory, one tally per link month, mirroring the `pseudonym`
 * column: filled from the store at start, added to on every insert, and a month dropped whole when
 * the sweeper unlinks it. The database stays the record; this is its index for the hot path.
 */
export class PriorContactCounter {
  readonly #tallies = new Map<MonthEpoch, PseudonymTally>();

  /** Every linked contact in the store, read in id pages so a million rows never sit in memory at once. */
  static load(contacts: ContactsRepository): PriorContactCounter {
    const counter = new PriorContactCounter();
    let after = 0;
    for (;;) {
      const page = contacts.linkedPseudonymsAfter(after, LOAD_PAGE);
      for (const row of page) counter.add(row.epoch, row.pseudonym);
      const last = page.at(-1);
      if (!last || page.length < LOAD_PAGE) return counter;
      after = last.id;
    }
  }

  add(epoch: MonthEpoch, pseudonym: Pseudonym): void {
    let tally = this.#tallies.get(epoch);
    if (!tally) {
      tally = new PseudonymTally();
      this.#tallies.set(epoch, tally);
    }
    tally.add(pseudonym);
  }

  /** A stored contact left the table (an erasure request): it no longer counts. False when it was not counted. */
  remove(epoch: MonthEpoch, pseudonym: Pseudonym): boolean {
    const tally = this.#tallies.get(epoch);
    if (!tally?.remove(pseudonym)) return false;
    if (tally.size === 0) this.#tallies.delete(epoch);
    return true;
  }

  /** Stored contacts carrying any of these pseudonyms, each looked up under its own month. */
  count(candidates: readonly LinkedPseudonym[]): number {
    let total = 0;
    for (const { epoch, pseudonym } of candidates) total += this.#tallies.get(epoch)?.count(pseudonym) ?? 0;
    return total;
  }

  /** Drops every month before `epoch` (month epochs sort as text), as the sweeper unlinks them. */
  forgetEpochsBefore(epoch: MonthEpoch): void {
    for (const month of this.#tallies.keys()) if (month < epoch) this.#tallies.delete(month);
  }

  /** Distinct pseudonyms per month, for start-up logs and doctor: counts only. */
  sizes(): Record<string, number> {
    return Object.fromEntries([...this.#tallies].map(([epoch, tally]) => [epoch, tally.size]));
  }
}

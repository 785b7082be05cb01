import type { CallerObjections } from '../contacts/contact-desk.js';
import type { LinkedPseudonym } from '../privacy/pseudonym.js';
import type { ObjectionsRepository } from '../store/objections-repository.js';
import type { Clock } from '../time/clock.js';
import type { MonthEpoch } from '../time/month-epoch.js';

/**
 * The pseudonyms under objection (P13), in memory for the desk's hot path and in `objections` for
 * the record. Loaded once at start; every change goes to both. A month's objections end with its
 * link key: nobody can be recognized under a shredded month, so there is nothing left to object to.
 */
export class ObjectionRegister implements CallerObjections {
  readonly #repository: ObjectionsRepository;
  readonly #clock: Clock;
  /** Per link month: pseudonym (hex) -> the request it was recorded for. */
  readonly #byEpoch = new Map<MonthEpoch, Map<string, number>>();

  private constructor(repository: ObjectionsRepository, clock: Clock) {
    this.#repository = repository;
    this.#clock = clock;
  }

  static load(repository: ObjectionsRepository, clock: Clock): ObjectionRegister {
    const register = new ObjectionRegister(repository, clock);
    for (const row of repository.all()) register.#remember(row, row.requestId);
    return register;
  }

  /** Pseudonyms under objection, all months together. */
  get size(): number {
    let size = 0;
    for (const month of this.#byEpoch.values()) size += month.size;
    return size;
  }

  isObjected(linked: readonly LinkedPseudonym[]): boolean {
    if (this.#byEpoch.size === 0) return false;
    return linked.some((entry) => this.#requestOf(entry) !== undefined);
  }

  follow(current: LinkedPseudonym, linked: readonly LinkedPseudonym[]): void {
    if (this.#requestOf(current) !== undefined) return;
    const requestId = linked.map((entry) => this.#requestOf(entry)).find((id) => id !== undefined);
    if (requestId === undefined) return;
    this.#store(current, requestId);
  }

  /** Puts these pseudonyms under the objection of request `requestId`; returns how many were new. */
  record(requestId: number, linked: readonly LinkedPseudonym[]): number {
    let added = 0;
    for (const entry of linked) if (this.#requestOf(entry) === undefined && this.#store(entry, requestId)) added += 1;
    return added;
  }

  /** Ends a shredded month's objections, on disk and in memory; follow with `db.checkpoint()`. */
  forgetLinkEpoch(epoch: MonthEpoch): number {
    this.#byEpoch.delete(epoch);
    return this.#repository.forgetLinkEpoch(epoch);
  }

  /** The same for every month before `epoch`, for a catch-up sweep. */
  forgetLinkEpochsBefore(epoch: MonthEpoch): number {
    for (const month of [...this.#byEpoch.keys()]) if (month < epoch) this.#byEpoch.delete(month);
    return this.#repository.forgetLinkEpochsBefore(epoch);
  }

  #store(entry: LinkedPseudonym, requestId: number): boolean {
    const inserted = this.#repository.insert({ epoch: entry.epoch, pseudonym: entry.pseudonym, requestId, recordedAt: this.#clock.now() });
    this.#remember(entry, requestId);
    return inserted;
  }

  #remember(entry: LinkedPseudonym, requestId: number): void {
    let month = this.#byEpoch.get(entry.epoch);
    if (!month) {
      month = new Map();
      this.#byEpoch.set(entry.epoch, month);
    }
    month.set(keyOf(entry), requestId);
  }

  #requestOf(entry: LinkedPseudonym): number | undefined {
    return this.#byEpoch.get(entry.epoch)?.get(keyOf(entry));
  }
}

function keyOf(entry: LinkedPseudonym): string {
  return Buffer.from(entry.pseudonym.buffer, entry.pseudonym.byteOffset, entry.pseudonym.byteLength).toString('hex');
}

import type { LinkedPseudonym } from '../privacy/pseudonym.js';
import type { ContactModerationMark, ModeratedCallerKey, ModerationRow } from '../store/moderation-repository.js';
import type { MonthEpoch } from '../time/month-epoch.js';
import type { ModerationStatus } from './moderation-types.js';

/**
 * The moderation tables in memory, for the desk's hot path: which caller a (month, pseudonym) pair
 * belongs to, each caller's entries, and the marks intake left on contacts. A few hundred rows at a
 * busy site, so a bulk change (purge, unlinking, a merge) simply rebuilds it from the store.
 */
export class ModerationIndex {
  readonly #callerByKey = new Map<MonthEpoch, Map<string, number>>();
  readonly #entriesByCaller = new Map<number, ModerationRow[]>();
  readonly #marks = new Map<number, ContactModerationMark>();

  static from(keys: readonly ModeratedCallerKey[], entries: readonly ModerationRow[], marks: readonly ContactModerationMark[]): ModerationIndex {
    const index = new ModerationIndex();
    for (const key of keys) index.addKey(key);
    for (const entry of entries) index.putEntry(entry);
    for (const mark of marks) index.putMark(mark);
    return index;
  }

  get callerCount(): number {
    return this.#entriesByCaller.size;
  }

  callerOf(key: LinkedPseudonym): number | undefined {
    return this.#callerByKey.get(key.epoch)?.get(hexOf(key));
  }

  /** The distinct callers any of these pairs belong to, lowest id first. */
  callersOf(linked: readonly LinkedPseudonym[]): number[] {
    if (this.#callerByKey.size === 0) return [];
    const found = new Set<number>();
    for (const key of linked) {
      const caller = this.callerOf(key);
      if (caller !== undefined) found.add(caller);
    }
    return [...found].sort((a, b) => a - b);
  }

  addKey(key: ModeratedCallerKey): void {
    let month = this.#callerByKey.get(key.epoch);
    if (!month) {
      month = new Map();
      this.#callerByKey.set(key.epoch, month);
    }
    month.set(hexOf(key), key.callerId);
  }

  /** Adds an entry, or replaces the one with its id (a lift). */
  putEntry(entry: ModerationRow): void {
    const entries = this.#entriesByCaller.get(entry.callerId) ?? [];
    const at = entries.findIndex((candidate) => candidate.id === entry.id);
    if (at >= 0) entries[at] = entry;
    else entries.push(entry);
    this.#entriesByCaller.set(entry.callerId, entries);
  }

  entriesOf(callerId: number): readonly ModerationRow[] {
    return this.#entriesByCaller.get(callerId) ?? [];
  }

  entry(id: number): ModerationRow | undefined {
    for (const entries of this.#entriesByCaller.values()) {
      const found = entries.find((entry) => entry.id === id);
      if (found) return found;
    }
    return undefined;
  }

  callers(): number[] {
    return [...this.#entriesByCaller.keys()];
  }

  putMark(mark: ContactModerationMark): void {
    this.#marks.set(mark.contactId, mark);
  }

  mark(contactId: number): ContactModerationMark | undefined {
    return this.#marks.get(contactId);
  }

  /** The active entry (not lifted, not ended at `now`) that ends last among these callers'. */
  statusOf(callerIds: readonly number[], now: number): ModerationStatus {
    let best: ModerationRow | undefined;
    for (const callerId of callerIds) {
      for (const entry of this.entriesOf(callerId)) {
        if (isActive(entry, now) && (!best || entry.until > best.until)) best = entry;
      }
    }
    if (!best) return { kind: 'none' };
    return { kind: best.kind === 'block' ? 'blocked' : 'time-out', until: best.until };
  }
}

export function isActive(entry: ModerationRow, now: number): boolean {
  return entry.liftedAt === null && entry.until > now;
}

function hexOf(key: LinkedPseudonym): string {
  return Buffer.from(key.pseudonym.buffer, key.pseudonym.byteOffset, key.pseudonym.byteLength).toString('hex');
}

import type { NewAuditEntry } from '../audit/audit-entry.js';
import type { Policy } from '../config/policy-presets.js';
import type { CallerModeration } from '../contacts/contact-desk.js';
import type { ContactModeration, ContactReference } from '../contacts/contact-view.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { LinkedPseudonym } from '../privacy/pseudonym.js';
import { expiresAt } from '../retention/retention-calendar.js';
import type { ContactRow } from '../store/contacts-repository.js';
import type { ModerationRepository, ModerationRow, NewModerationRow } from '../store/moderation-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import type { Clock } from '../time/clock.js';
import { monthEpochAt, type MonthEpoch } from '../time/month-epoch.js';
import { timerScheduler, type Scheduler } from '../time/scheduler.js';
import { ModerationIndex } from './moderation-index.js';
import {
  byAttention,
  entryView,
  lacks,
  reasonMessage,
  reasonRefusal,
  refused,
  resolveActor,
  timeOutsInWindow,
  windowStartAt,
  type ResolvedActor,
} from './moderation-rules.js';
import type {
  GivenModeration,
  ModeratedCallerView,
  ModerationActor,
  ModerationEntryView,
  ModerationOverview,
  ModerationResult,
  ModerationStatus,
} from './moderation-types.js';

const HOUR = 3_600_000;
/** A volunteer may still give the Time Out this long after the call ended (during the wrap-up). */
const DEFAULT_TIME_OUT_GRACE_MS = HOUR;
const DEFAULT_PURGE_INTERVAL_MS = 15 * 60_000;
/** An `unknown` mark has no end of its own; it goes once no station shows its contact any more. */
const UNKNOWN_MARK_MS = 24 * HOUR;

export type ModerationPolicy = Pick<Policy, 'phoneLinkageMonths' | 'timeOutHours' | 'blockMonths' | 'timeOutsBeforeBlock'>;

export interface ModerationRegisterOptions {
  /** Each action and its audit entry commit together. */
  readonly database: GatewayDatabase;
  readonly repository: ModerationRepository;
  readonly contacts: { findByReference(reference: ContactReference): ContactRow | undefined };
  readonly audit: { append(entry: NewAuditEntry): unknown };
  readonly clock: Clock;
  readonly timeZone: string;
  readonly policy: ModerationPolicy;
  readonly logger: Logger;
  readonly timeOutGraceMs?: number;
  readonly purgeIntervalMs?: number;
  readonly scheduler?: Scheduler;
}

/**
 * Time Outs and blocks (P4). A volunteer gives the caller of a live or just-ended contact a Time
 * Out; after `timeOutsBeforeBlock` of them within the linkage window a coordinator may block for
 * `blockMonths` calendar months. Entries belong to a moderated caller, recognized by the (link
 * month, pseudonym) pairs it called under; intake adds the current month's pair (`follow`), so the
 * state follows the caller into months whose key did not exist when it was given. Everything is in
 * memory for the desk's hot path and in the store for the record; every action is audited.
 * Expiry is automatic: an ended entry stops counting at once and a periodic purge deletes it.
 */
export class ModerationRegister implements CallerModeration {
  readonly #options: ModerationRegisterOptions;
  #index: ModerationIndex;
  #cancelPurge: (() => void) | undefined;

  private constructor(options: ModerationRegisterOptions) {
    this.#options = options;
    this.#index = this.#read();
  }

  static load(options: ModerationRegisterOptions): ModerationRegister {
    return new ModerationRegister(options);
  }

  /** Purges what ended while the box was off, then every `purgeIntervalMs`. */
  start(): void {
    if (this.#cancelPurge) return;
    this.#purgeLogged();
    this.#arm();
  }

  stop(): void {
    this.#cancelPurge?.();
    this.#cancelPurge = undefined;
  }

  /** Moderated callers held, for start-up logs and doctor: counts only. */
  get callerCount(): number {
    return this.#index.callerCount;
  }

  statusOf(linked: readonly LinkedPseudonym[]): ModerationStatus {
    return this.#index.statusOf(this.#index.callersOf(linked), this.#options.clock.now());
  }

  /**
   * Adds `current` (this month's pair) to the moderated caller that `linked` matched. Pairs that
   * matched two callers (a Time Out given before the first was recognized) join them into one.
   */
  follow(current: LinkedPseudonym, linked: readonly LinkedPseudonym[]): void {
    const callers = this.#index.callersOf([current, ...linked]);
    const [target, ...others] = callers;
    if (target === undefined) return;
    const { repository } = this.#options;
    for (const other of others) repository.mergeCallers(target, other);
    const added = this.#index.callerOf(current) === undefined && repository.insertKey({ ...current, callerId: target });
    if (others.length > 0) this.#index = this.#read();
    else if (added) this.#index.addKey({ ...current, callerId: target });
  }

  markContact(contactId: number, moderation: ContactModeration): void {
    const mark = {
      contactId,
      kind: moderation.kind,
      until: moderation.kind === 'unknown' ? null : moderation.until,
      routing: moderation.kind === 'unknown' ? moderation.routing : null,
      markedAt: this.#options.clock.now(),
    };
    this.#options.repository.markContact(mark);
    this.#index.putMark(mark);
  }

  markOf(contactId: number): ContactModeration | undefined {
    const mark = this.#index.mark(contactId);
    if (!mark) return undefined;
    if (mark.kind === 'unknown') return { kind: 'unknown', routing: mark.routing ?? 'route' };
    return mark.until === null ? undefined : { kind: mark.kind, until: mark.until };
  }

  giveTimeOut(actor: ModerationActor, reference: ContactReference): ModerationResult<GivenModeration> {
    const who = resolveActor(actor);
    if (lacks(who, 'moderation.timeout')) return refused('forbidden', `the ${who.role} role may not give a Time Out`);
    const found = this.#linkedContact(reference);
    if (!found.ok) return found;
    const { row, key } = found.value;
    const now = this.#options.clock.now();
    if (!this.#isLiveOrJustEnded(row, now)) return refused('not-live', 'a Time Out is given during the call or shortly after it ended');
    const callerId = this.#index.callerOf(key);
    const earlier = callerId === undefined ? [] : this.#index.entriesOf(callerId);
    if (earlier.some((entry) => entry.kind === 'time-out' && entry.contactReference === reference && entry.liftedAt === null)) {
      return refused('already-given', 'this contact already led to a Time Out');
    }
    const { timeOutHours } = this.#options.policy;
    const until = expiresAt({ kind: 'duration', dataClass: 'time-out', promise: 'P4', length: { hours: timeOutHours } }, now, this.#options.timeZone);
    const count = timeOutsInWindow(earlier, this.#windowStart(now)) + 1;
    const entry = this.#give(who, callerId, key, { kind: 'time-out', contactReference: reference, until, reason: null }, 'moderation.timeout', {
      hours: timeOutHours,
      timeOutsInWindow: count,
    });
    this.#options.logger.info({ reference, until, timeOutsInWindow: count }, 'Time Out given');
    return { ok: true, value: { id: entry.id, kind: 'time-out', reference, until, timeOutsInWindow: count } };
  }

  block(actor: ModerationActor, reference: ContactReference, reason: string): ModerationResult<GivenModeration> {
    const who = resolveActor(actor);
    if (lacks(who, 'moderation.block')) return refused('forbidden', `the ${who.role} role may not block a caller`);
    const badReason = reasonRefusal(reason);
    if (badReason) return refused(badReason, reasonMessage(badReason));
    const found = this.#linkedContact(reference);
    if (!found.ok) return found;
    const { key } = found.value;
    const now = this.#options.clock.now();
    const callerId = this.#index.callerOf(key);
    const entries = callerId === undefined ? [] : this.#index.entriesOf(callerId);
    const { timeOutsBeforeBlock, blockMonths, phoneLinkageMonths } = this.#options.policy;
    const count = timeOutsInWindow(entries, this.#windowStart(now));
    if (callerId === undefined || count < timeOutsBeforeBlock) {
      return refused('too-few-time-outs', `this caller had ${count} Time Out(s) in the last ${phoneLinkageMonths} months; a block needs ${timeOutsBeforeBlock}`);
    }
    const status = this.#index.statusOf([callerId], now);
    if (status.kind === 'blocked') return refused('already-blocked', 'this caller is blocked already; lift that block first to give another');
    const until = expiresAt({ kind: 'duration', dataClass: 'block', promise: 'P4', length: { months: blockMonths } }, now, this.#options.timeZone);
    const entry = this.#give(who, callerId, key, { kind: 'block', contactReference: reference, until, reason: reason.trim() }, 'moderation.block', {
      months: blockMonths,
      timeOutsInWindow: count,
    });
    this.#options.logger.info({ reference, until, timeOutsInWindow: count }, 'caller blocked');
    return { ok: true, value: { id: entry.id, kind: 'block', reference, until, timeOutsInWindow: count } };
  }

  /** Ends an entry early (a mistake, an appeal); a lifted Time Out no longer counts towards a block. */
  lift(actor: ModerationActor, id: number, reason: string): ModerationResult<ModerationEntryView> {
    const who = resolveActor(actor);
    if (lacks(who, 'moderation.block')) return refused('forbidden', `the ${who.role} role may not lift a Time Out or block`);
    const badReason = reasonRefusal(reason);
    if (badReason) return refused(badReason, reasonMessage(badReason));
    const entry = this.#index.entry(id);
    if (!entry) return refused('unknown-entry', 'no Time Out or block with this id');
    if (entry.liftedAt !== null) return refused('already-lifted', 'this entry was lifted already');
    const { database, repository, audit, clock, logger } = this.#options;
    const now = clock.now();
    const liftReason = reason.trim();
    const lifted: ModerationRow = { ...entry, liftedAt: now, liftedBy: who.auditId, liftReason };
    database.transaction(() => {
      if (!repository.lift(id, now, who.auditId, liftReason)) throw new Error(`moderation entry ${id} vanished while being lifted`);
      audit.append({ actorRole: who.role, actorId: who.auditId, action: 'moderation.lifted', target: entry.contactReference, details: { kind: entry.kind, entry: id } });
    });
    this.#index.putEntry(lifted);
    logger.info({ reference: entry.contactReference, kind: entry.kind }, 'moderation lifted');
    return { ok: true, value: entryView(lifted, now) };
  }

  /** Every moderated caller's entries and counts, for the coordinator page: no pseudonym, no number. */
  overview(actor: ModerationActor): ModerationResult<ModerationOverview> {
    const who = resolveActor(actor);
    if (lacks(who, 'moderation.block')) return refused('forbidden', `the ${who.role} role may not see the moderation list`);
    const now = this.#options.clock.now();
    const windowStart = this.#windowStart(now);
    const { timeOutHours, blockMonths, timeOutsBeforeBlock } = this.#options.policy;
    const callers: ModeratedCallerView[] = [];
    for (const callerId of this.#index.callers()) {
      const entries = [...this.#index.entriesOf(callerId)].sort((a, b) => b.givenAt - a.givenAt || b.id - a.id);
      const latest = entries[0];
      if (!latest) continue;
      const status = this.#index.statusOf([callerId], now);
      const count = timeOutsInWindow(entries, windowStart);
      callers.push({
        status,
        timeOutsInWindow: count,
        blockable: count >= timeOutsBeforeBlock && status.kind !== 'blocked',
        latestReference: latest.contactReference as ContactReference,
        entries: entries.map((entry) => entryView(entry, now)),
      });
    }
    return { ok: true, value: { timeOutHours, blockMonths, timeOutsBeforeBlock, callers: callers.sort(byAttention) } };
  }

  /** Deletes ended entries, emptied callers and ended marks; returns the rows deleted. */
  purgeExpired(): number {
    const { repository, clock, timeZone, policy, database, logger } = this.#options;
    const now = clock.now();
    const deleted = repository.purgeExpired(now, windowStartAt(now, timeZone, policy.phoneLinkageMonths), now - UNKNOWN_MARK_MS);
    if (deleted > 0) {
      database.checkpoint();
      this.#index = this.#read();
      logger.info({ deleted }, 'ended Time Outs and blocks purged');
    }
    return deleted;
  }

  /** The retention sweeper's hook (LinkedPseudonymStore): a shredded month's pairs go, on disk and in memory. */
  forgetLinkEpochsBefore(epoch: MonthEpoch): number {
    const deleted = this.#options.repository.forgetLinkEpochsBefore(epoch, this.#options.clock.now());
    if (deleted > 0) {
      this.#options.database.checkpoint();
      this.#index = this.#read();
    }
    return deleted;
  }

  #give(
    who: ResolvedActor,
    callerId: number | undefined,
    key: LinkedPseudonym,
    fields: Pick<NewModerationRow, 'kind' | 'contactReference' | 'until' | 'reason'>,
    action: 'moderation.timeout' | 'moderation.block',
    details: Readonly<Record<string, number>>,
  ): ModerationRow {
    const { database, repository, audit, clock, timeZone } = this.#options;
    const now = clock.now();
    const entry = database.transaction((): ModerationRow => {
      const caller = callerId ?? repository.insertCaller(now);
      if (callerId === undefined) repository.insertKey({ ...key, callerId: caller });
      const row: NewModerationRow = { ...fields, callerId: caller, givenBy: who.auditId, givenAt: now, givenEpoch: monthEpochAt(now, timeZone) };
      const id = repository.insertModeration(row);
      audit.append({ actorRole: who.role, actorId: who.auditId, action, target: fields.contactReference, details });
      return { ...row, id, liftedAt: null, liftedBy: null, liftReason: null };
    });
    if (callerId === undefined) this.#index.addKey({ ...key, callerId: entry.callerId });
    this.#index.putEntry(entry);
    return entry;
  }

  #linkedContact(reference: ContactReference): ModerationResult<{ row: ContactRow; key: LinkedPseudonym }> {
    const row = this.#options.contacts.findByReference(reference);
    if (!row) return refused('unknown-contact', 'no contact with this reference');
    if (row.linkEpoch === null || row.pseudonym === null) {
      return refused('caller-not-linkable', "the caller's number was withheld, or this contact can no longer be linked to its caller");
    }
    return { ok: true, value: { row, key: { epoch: row.linkEpoch, pseudonym: row.pseudonym } } };
  }

  #isLiveOrJustEnded(row: ContactRow, now: number): boolean {
    if (row.state === 'offered' || row.state === 'live') return true;
    return row.endedAt !== null && now - row.endedAt <= (this.#options.timeOutGraceMs ?? DEFAULT_TIME_OUT_GRACE_MS);
  }

  #windowStart(now: number): MonthEpoch {
    return windowStartAt(now, this.#options.timeZone, this.#options.policy.phoneLinkageMonths);
  }

  #read(): ModerationIndex {
    const { repository } = this.#options;
    return ModerationIndex.from(repository.allKeys(), repository.allModerations(), repository.allMarks());
  }

  #arm(): void {
    const scheduler = this.#options.scheduler ?? timerScheduler;
    this.#cancelPurge = scheduler.after(this.#options.purgeIntervalMs ?? DEFAULT_PURGE_INTERVAL_MS, () => {
      this.#purgeLogged();
      this.#arm();
    });
  }

  #purgeLogged(): void {
    try {
      this.purgeExpired();
    } catch (error) {
      this.#options.logger.error({ err: describeError(error) }, 'moderation purge failed; will retry');
    }
  }
}

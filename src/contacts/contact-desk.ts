import type { Logger } from '../log/logger.js';
import type { CallerPresentation, LineInterface, OfferedCall } from '../line/line-interface.js';
import type { LinkedPseudonym, Pseudonymizer } from '../privacy/pseudonym.js';
import type { Vault } from '../privacy/vault.js';
import type { Channel, IdentifierDataClass } from '../privacy/types.js';
import type { RawEmailAddress, RawIdentifier, RawIpAddress } from '../privacy/raw-identifier.js';
import type { ContactRow, ContactsRepository } from '../store/contacts-repository.js';
import type { RegistrationsRepository } from '../store/registrations-repository.js';
import type { GatewayDatabase } from '../store/open-database.js';
import { GatewayError } from '../errors.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { GivenModeration, ModerationActor, ModerationResult, ModerationStatus } from '../moderation/moderation-types.js';
import { monthEpochLookup, windowEndingAt, type MonthEpoch } from '../time/month-epoch.js';
import type { Clock } from '../time/clock.js';
import { randomContactReference } from './contact-reference.js';
import type { PriorContactCounter } from './prior-contact-counter.js';
import type {
  Categories,
  ContactModeration,
  ContactReference,
  ModerationLookupFailure,
  StationBackend,
  StationContactView,
  TimeOutResult,
  WrapUp,
  WrapUpResult,
} from './contact-view.js';

export interface ContactDeskOptions {
  readonly database: GatewayDatabase;
  readonly contacts: ContactsRepository;
  readonly registrations: RegistrationsRepository;
  readonly pseudonymizer: Pseudonymizer;
  readonly vault: Vault;
  readonly clock: Clock;
  readonly timeZone: string;
  /** Months a caller stays linkable: the live link keys the prior-contact count looks under. */
  readonly linkageMonths: number;
  readonly categories: Categories;
  readonly logger: Logger;
  /** How long an unregistered contact stays on the stations' list. */
  readonly openContactHorizonMs?: number;
  readonly newReference?: () => ContactReference;
  /** The in-memory prior-contact index, loaded from `contacts` at start (PriorContactCounter.load). */
  readonly priorContacts: PriorContactCounter;
  /** Callers under objection (P13); without it nobody is. */
  readonly objections?: CallerObjections;
  /** Time Outs and blocks (P4, src/moderation); without it nobody is moderated. */
  readonly moderation?: CallerModeration;
  /** What a failed moderation lookup means for routing (config `moderation.onLookupFailure`); default 'route'. */
  readonly onModerationLookupFailure?: ModerationLookupFailure;
  /**
   * False while a fault stops intake (disk full, store unwritable, keyring zeroized: src/health).
   * Without it intake never stops. Asked before every new contact, and again after a failed write.
   */
  readonly intake?: { accepting(): boolean };
}

/**
 * Time Outs and blocks as the desk needs them (src/moderation/moderation-register.ts keeps them):
 * asked on every call, so `statusOf` answers from memory. A call from a moderated caller is still
 * recorded (a child may be in danger and the volunteer sees the status); the line or switch refuses
 * to put it through (`mayRoute`).
 */
export interface CallerModeration {
  /** The caller's active Time Out or block under any of these (month, pseudonym) pairs. */
  statusOf(linked: readonly LinkedPseudonym[]): ModerationStatus;
  /** Carries the moderation `linked` matched over to `current` (this month's pair). */
  follow(current: LinkedPseudonym, linked: readonly LinkedPseudonym[]): void;
  /** Remembers what intake found for a contact, so its view keeps saying it after a restart. */
  markContact(contactId: number, moderation: ContactModeration): void;
  markOf(contactId: number): ContactModeration | undefined;
  giveTimeOut(actor: ModerationActor, reference: ContactReference): ModerationResult<GivenModeration>;
}

/**
 * Pseudonyms under objection, as the desk needs them: asked on every call, so the answer must come
 * from memory. The rights desk (src/rights/objection-register.ts) keeps the list.
 */
export interface CallerObjections {
  /** True when any of these (month, pseudonym) pairs is under objection. */
  isObjected(linked: readonly LinkedPseudonym[]): boolean;
  /**
   * Puts `current` (this month's pseudonym) under the objection that `linked` matched, so it follows
   * the caller into months whose key did not exist when the objection was recorded.
   */
  follow(current: LinkedPseudonym, linked: readonly LinkedPseudonym[]): void;
}

/** A chat or mail thread as its adapter offers it to the desk. */
export interface OfferedContact {
  readonly contactKey: string;
  readonly channel: 'chat' | 'mail';
  readonly identifier: RawIpAddress | RawEmailAddress | null;
  readonly offeredAt: number;
}

interface ContactOffer {
  readonly contactKey: string;
  readonly channel: Channel;
  readonly identifier: RawIdentifier | null;
  /** What the contacts table says of how the identifier arrived; 'number' means it did, on any channel. */
  readonly presentation: CallerPresentation['kind'];
  readonly offeredAt: number;
}

/** The vault class each channel's identifier is sealed under. */
const SEALED_CLASS: Readonly<Record<Channel, IdentifierDataClass>> = {
  phone: 'phone-number',
  chat: 'chat-ip',
  mail: 'mail-address',
};

interface DeskEvents {
  'contact-changed': [view: StationContactView];
}

const TWELVE_HOURS = 12 * 60 * 60 * 1000;

/**
 * The contact lifecycle: intake (pseudonymize, count, seal, store) -> ringing -> ended -> wrap-up
 * registration. The raw number is used inside `offerCall` and dropped when it returns; what is stored
 * and what the stations see carries no identifier.
 */
export class ContactDesk implements StationBackend {
  readonly #options: ContactDeskOptions;
  readonly #events: TypedEmitter<DeskEvents>;
  readonly #contactIdsByLineCall = new Map<string, number>();
  /** Calls offered while intake was stopped, by line call id: in memory only, until they end. */
  readonly #unrecorded = new Map<string, StationContactView>();
  readonly #newReference: () => ContactReference;
  readonly #epochAt: (at: number) => MonthEpoch;

  constructor(options: ContactDeskOptions) {
    this.#options = options;
    this.#events = new TypedEmitter<DeskEvents>(options.logger);
    this.#newReference = options.newReference ?? randomContactReference;
    this.#epochAt = monthEpochLookup(options.timeZone);
  }

  /**
   * Calls that were ringing when the box stopped can no longer end through their line: they are
   * ended at start, so stations do not show them ringing for ever.
   */
  endCallsLeftByEarlierRun(): number {
    const ended = this.#options.contacts.endUnfinished(this.#options.clock.now());
    if (ended > 0) this.#options.logger.info({ ended }, 'ended contacts left ringing by an earlier run');
    return ended;
  }

  /** Subscribes to a line; returns the unsubscribe function for stop(). */
  attachLine(line: LineInterface): () => void {
    const offChannelOffered = line.on('call-offered', (call) => this.offerCall(call));
    const offEnded = line.on('call-ended', (lineCallId, endedAt) => this.endCall(lineCallId, endedAt));
    return () => {
      offChannelOffered();
      offEnded();
    };
  }

  /**
   * A caller under objection is still put through (a child still gets help) but stored unlinked and
   * unsealed: no pseudonym, no sealed copy, no count. A caller under a Time Out or block is recorded
   * as anyone else, with the status on the view (the intake result) and a mark on the contact;
   * `mayRoute(view.moderation)` tells the line or switch not to put it through.
   */
  offerCall(call: OfferedCall): StationContactView {
    const identifier = call.caller.kind === 'number' ? call.caller.number : null;
    const offer: ContactOffer = { contactKey: call.lineCallId, channel: 'phone', identifier, presentation: call.caller.kind, offeredAt: call.offeredAt };
    // A call still reaches a volunteer while intake is stopped: offered unrecorded (docs/health.md).
    if (!this.#accepting()) return this.#offerUnrecorded(offer);
    try {
      return this.#offer(offer).view;
    } catch (error) {
      if (this.#accepting()) throw error;
      this.#options.logger.error({ err: describeError(error) }, 'the call could not be recorded; offered unrecorded');
      return this.#offerUnrecorded(offer);
    }
  }

  /**
   * A chat or a mail thread: the same intake as a call, keyed by the adapter's own `contactKey`
   * (unique within the process; `endCall` and `callAnswered` take it too). A null identifier (an
   * address that could not be read) stores the contact unlinked. The id is for the adapter's own
   * rows (transcript lines, mails); it never reaches a station.
   */
  offerContact(offer: OfferedContact): { readonly view: StationContactView; readonly contactId: number } {
    const stopped = (): GatewayError => new GatewayError('HGW_INTAKE_STOPPED', `intake is stopped by a fault: no new ${offer.channel} contact is taken`);
    // A chat or mail lives in its rows: it cannot go on unrecorded; the chat and SMTP sides say so.
    if (!this.#accepting()) throw stopped();
    try {
      return this.#offer({ ...offer, presentation: offer.identifier ? 'number' : 'unavailable' });
    } catch (error) {
      if (this.#accepting()) throw error;
      throw Object.assign(stopped(), { cause: error });
    }
  }

  #accepting(): boolean {
    return this.#options.intake?.accepting() ?? true;
  }

  /**
   * A call taken while intake is stopped: the number is not looked at (no pseudonym, no seal, no
   * count, no Time Out or block lookup: the keyring may be gone) and nothing is stored. Stations
   * see it with `recorded: false` (the count is unknown); it is routed like any call and leaves
   * the stations' lists when it ends, with nothing to wrap up.
   */
  #offerUnrecorded(offer: ContactOffer): StationContactView {
    const view: StationContactView = {
      reference: this.#newReference(),
      channel: offer.channel,
      priorContacts: 0,
      callerKnown: false,
      state: 'ringing',
      offeredAt: offer.offeredAt,
      moderation: null,
      recorded: false,
    };
    this.#unrecorded.set(offer.contactKey, view);
    this.#options.logger.warn({ reference: view.reference }, 'contact offered unrecorded: intake is stopped');
    this.#events.emit('contact-changed', view);
    return view;
  }

  #unrecordedChanged(contactKey: string, state: 'live' | 'ended'): boolean {
    const view = this.#unrecorded.get(contactKey);
    if (!view) return false;
    // Ended: nothing to register, so it leaves the lists as a registered contact does.
    const changed: StationContactView = { ...view, state: state === 'ended' ? 'registered' : 'live' };
    if (state === 'ended') this.#unrecorded.delete(contactKey);
    else this.#unrecorded.set(contactKey, changed);
    this.#events.emit('contact-changed', changed);
    return true;
  }

  #offer(offer: ContactOffer): { view: StationContactView; contactId: number } {
    // The row is in the WAL before the station (or desk phone) is shown it; the fsync follows off
    // the event loop, so a call's setup never waits on the disk.
    const { row, moderation, linkedAs } = this.#options.database.transactionSyncedInBackground(() => this.#recordOffer(offer));
    // Memory follows the store only once the row is committed.
    if (linkedAs) this.#options.priorContacts.add(linkedAs.epoch, linkedAs.pseudonym);
    this.#contactIdsByLineCall.set(offer.contactKey, row.id);
    const view = toStationView(row, moderation);
    this.#options.logger.info(
      { reference: view.reference, priorContacts: view.priorContacts, callerKnown: view.callerKnown, moderation: view.moderation?.kind ?? 'none' },
      'contact offered',
    );
    this.#events.emit('contact-changed', view);
    return { view, contactId: row.id };
  }

  #recordOffer(offer: ContactOffer): { row: ContactRow; moderation: ContactModeration | null; linkedAs: LinkedPseudonym | null } {
    const { pseudonymizer, vault, linkageMonths, objections } = this.#options;
    const { channel, identifier } = offer;
    const epoch = this.#epochAt(offer.offeredAt);
    let pseudonym = null;
    let sealed = null;
    let priorContacts = 0;
    let moderation: ContactModeration | null = null;
    if (identifier) {
      const current = { epoch, pseudonym: pseudonymizer.pseudonymize(identifier, channel, epoch) };
      const earlierMonths = windowEndingAt(epoch, linkageMonths).slice(1);
      const linked = [current, ...pseudonymizer.lookupLinked(identifier, channel, earlierMonths)];
      moderation = this.#lookUpModeration(linked);
      if (objections?.isObjected(linked)) {
        objections.follow(current, linked);
      } else {
        pseudonym = current.pseudonym;
        priorContacts = this.#options.priorContacts.count(linked);
        sealed = vault.seal(identifier, SEALED_CLASS[channel], epoch);
        this.#followModeration(current, linked);
      }
    }
    const row = this.#insertWithFreshReference({
      channel,
      presentation: offer.presentation,
      linkEpoch: pseudonym ? epoch : null,
      pseudonym,
      sealedEpoch: sealed ? epoch : null,
      sealedIdentifier: sealed,
      priorContacts,
      openedAt: offer.offeredAt,
      endedAt: null,
      state: 'offered',
    });
    if (moderation) this.#markModeration(row.id, moderation);
    return { row, moderation, linkedAs: pseudonym ? { epoch, pseudonym } : null };
  }

  /** A volunteer answered (the SIP line knows; a modem line cannot tell): the station shows the call live. */
  callAnswered(lineCallId: string): void {
    if (this.#unrecordedChanged(lineCallId, 'live')) return;
    const id = this.#contactIdsByLineCall.get(lineCallId);
    const { contacts, database } = this.#options;
    if (id === undefined || !database.transactionSyncedInBackground(() => contacts.markLive(id))) return;
    const row = this.#options.contacts.findById(id);
    if (row) this.#events.emit('contact-changed', this.#view(row));
  }

  endCall(lineCallId: string, endedAt: number): void {
    if (this.#unrecordedChanged(lineCallId, 'ended')) return;
    const id = this.#contactIdsByLineCall.get(lineCallId);
    if (id === undefined) return;
    this.#contactIdsByLineCall.delete(lineCallId);
    const { contacts, database } = this.#options;
    database.transactionSyncedInBackground(() => contacts.markEnded(id, endedAt));
    const row = contacts.findById(id);
    if (row) this.#events.emit('contact-changed', this.#view(row));
  }

  openContacts(): StationContactView[] {
    const horizon = this.#options.openContactHorizonMs ?? TWELVE_HOURS;
    const stored = this.#options.contacts.openContacts(this.#options.clock.now() - horizon).map((row) => this.#view(row));
    return [...stored, ...this.#unrecorded.values()];
  }

  categories(): Categories {
    return this.#options.categories;
  }

  wrapUp(reference: ContactReference, wrapUp: WrapUp, stationId: string): WrapUpResult {
    const { categories, contacts, registrations, database, clock, logger } = this.#options;
    const invalid = invalidCategory(categories, wrapUp);
    if (invalid) return { ok: false, code: 'HGW_STATION_BAD_REQUEST', message: invalid };
    const row = contacts.findByReference(reference);
    if (!row || row.state === 'registered') {
      return { ok: false, code: 'HGW_STATION_UNKNOWN_CONTACT', message: 'no open contact with that reference' };
    }
    if (row.state === 'offered' || row.state === 'live') {
      return { ok: false, code: 'HGW_STATION_BAD_REQUEST', message: 'the call is still going on; wrap up after it' };
    }
    const registered = database.transaction(() => {
      registrations.insert({
        contactId: row.id,
        channel: row.channel,
        occurredAt: row.openedAt,
        ageBand: wrapUp.ageBand,
        topic: wrapUp.topic,
        outcome: wrapUp.outcome,
        registeredAt: clock.now(),
      });
      contacts.markRegistered(row.id);
      return contacts.findById(row.id);
    });
    if (!registered) throw new Error('contact vanished during wrap-up');
    logger.info({ reference, station: stationId }, 'contact registered');
    const view = this.#view(registered);
    this.#events.emit('contact-changed', view);
    return { ok: true, contact: view };
  }

  /** A Time Out for the caller of this contact, given from a desk station; the stations see the new status. */
  giveTimeOut(reference: ContactReference, stationId: string): TimeOutResult {
    const { moderation, contacts } = this.#options;
    if (!moderation) return { ok: false, code: 'HGW_MODERATION_NOT_ELIGIBLE', message: 'Time Outs are not enabled on this box' };
    const given = moderation.giveTimeOut({ stationId }, reference);
    if (!given.ok) return { ok: false, code: given.code, message: given.message };
    const row = contacts.findByReference(reference);
    if (!row) return { ok: false, code: 'HGW_MODERATION_UNKNOWN_CONTACT', message: 'no contact with this reference' };
    const view = this.#view(row);
    this.#events.emit('contact-changed', view);
    return { ok: true, contact: view, until: given.value.until };
  }

  onContactChanged(listener: (view: StationContactView) => void): () => void {
    return this.#events.on('contact-changed', listener);
  }

  /**
   * A failed lookup never stops the intake: the contact is recorded and the result says `unknown`,
   * with the configured routing decision (fail-open by default: docs/moderation.md).
   */
  #lookUpModeration(linked: readonly LinkedPseudonym[]): ContactModeration | null {
    const moderation = this.#options.moderation;
    if (!moderation) return null;
    try {
      const status = moderation.statusOf(linked);
      return status.kind === 'none' ? null : { kind: status.kind, until: status.until };
    } catch (error) {
      const routing = this.#options.onModerationLookupFailure ?? 'route';
      this.#options.logger.error({ code: 'HGW_MODERATION_LOOKUP_FAILED', routing, err: describeError(error) }, 'moderation lookup failed');
      return { kind: 'unknown', routing };
    }
  }

  #followModeration(current: LinkedPseudonym, linked: readonly LinkedPseudonym[]): void {
    try {
      this.#options.moderation?.follow(current, linked);
    } catch (error) {
      this.#options.logger.error({ code: 'HGW_MODERATION_LOOKUP_FAILED', err: describeError(error) }, 'moderation could not follow the caller into this month');
    }
  }

  #markModeration(contactId: number, moderation: ContactModeration): void {
    try {
      this.#options.moderation?.markContact(contactId, moderation);
    } catch (error) {
      this.#options.logger.error({ code: 'HGW_MODERATION_LOOKUP_FAILED', err: describeError(error) }, 'moderation mark not stored');
    }
  }

  /**
   * What a station sees of a stored contact: the mark intake left, or the caller's status now (a
   * Time Out given during the call), whichever ends last; an ended one is no longer shown.
   */
  #view(row: ContactRow): StationContactView {
    return toStationView(row, this.#currentModeration(row));
  }

  #currentModeration(row: ContactRow): ContactModeration | null {
    const moderation = this.#options.moderation;
    if (!moderation) return null;
    const now = this.#options.clock.now();
    try {
      const mark = moderation.markOf(row.id);
      let shown: ContactModeration | null = mark?.kind === 'unknown' || (mark && mark.until > now) ? mark : null;
      if (row.linkEpoch !== null && row.pseudonym !== null) {
        const status = moderation.statusOf([{ epoch: row.linkEpoch, pseudonym: row.pseudonym }]);
        if (status.kind !== 'none' && (shown === null || shown.kind === 'unknown' || status.until > shown.until)) {
          shown = { kind: status.kind, until: status.until };
        }
      }
      return shown;
    } catch (error) {
      const routing = this.#options.onModerationLookupFailure ?? 'route';
      this.#options.logger.error({ code: 'HGW_MODERATION_LOOKUP_FAILED', routing, err: describeError(error) }, 'moderation lookup failed');
      return { kind: 'unknown', routing };
    }
  }

  /** References are random: a taken one (about one in a thousand at a million contacts) is drawn again. */
  #insertWithFreshReference(fields: Omit<ContactRow, 'id' | 'reference'>): ContactRow {
    for (let attempt = 0; attempt < 16; attempt++) {
      const reference = this.#newReference();
      const id = this.#options.contacts.insert({ ...fields, reference });
      if (id !== undefined) return { ...fields, id, reference };
    }
    throw new Error('could not draw a free contact reference in 16 attempts');
  }
}

function invalidCategory(categories: Categories, wrapUp: WrapUp): string | undefined {
  if (!categories.ageBands.includes(wrapUp.ageBand)) return 'ageBand is not one of the configured age bands';
  if (!categories.topics.includes(wrapUp.topic)) return 'topic is not one of the configured topics';
  if (!categories.outcomes.includes(wrapUp.outcome)) return 'outcome is not one of the configured outcomes';
  return undefined;
}

export function toStationView(row: ContactRow, moderation: ContactModeration | null = null): StationContactView {
  return {
    reference: row.reference,
    channel: row.channel,
    priorContacts: row.priorContacts,
    callerKnown: row.presentation === 'number',
    state: row.state === 'offered' ? 'ringing' : row.state,
    offeredAt: row.openedAt,
    moderation,
  };
}

import type { ContactReference } from '../contacts/contact-view.js';
import { GatewayError } from '../errors.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import type { ContactPhase, RoutingContact, RoutingEvents, RoutingSnapshot, StopRingingReason } from './routing-events.js';
import { resolveRoutingOptions, type RoutingOptions, type RoutingOptionsInput } from './routing-options.js';
import { StationRoster, type StationDefinition } from './station-roster.js';
import { estimateWaitMs, HandleTimeAverage } from './wait-estimate.js';

export interface CallRouterOptions {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly routing?: RoutingOptionsInput;
  readonly stations?: readonly StationDefinition[];
  /** Listener failures and failed timer tasks are logged here. */
  readonly logger: Logger;
}

interface ContactRecord {
  readonly reference: ContactReference;
  readonly arrivedAt: number;
  readonly sequence: number;
  phase: ContactPhase;
  /** Stations ringing for this contact, each with the cancel of its ring timeout. */
  readonly rings: Map<string, () => void>;
  /** Stations already rung in this round: overflow skips them. */
  readonly tried: Set<string>;
  station: string | null;
  cancelRound: (() => void) | null;
  cancelAnnounce: (() => void) | null;
}

/**
 * Spreads contacts over the stations: longest-idle or ring-all, ring timeouts and overflow, a FIFO
 * queue with wait estimates, wrap-up time. Knows no SIP, no modem and no identifier: the adapter
 * turns the events into signalling and reports what the phones did through the input methods.
 *
 * Every input settles the state first and then emits its events in order; a listener that calls
 * back in is queued behind them, so the router never sees itself half-changed.
 */
export class CallRouter {
  readonly options: RoutingOptions;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<RoutingEvents>;
  readonly #roster: StationRoster;
  readonly #handleTimes: HandleTimeAverage;
  readonly #contacts = new Map<ContactReference, ContactRecord>();
  #waiting: ContactRecord[] = [];
  readonly #wrapUps = new Map<string, () => void>();
  #outbox: Array<() => void> = [];
  #flushing = false;
  #running = false;
  #stopped = false;
  #sequence = 0;

  constructor(options: CallRouterOptions) {
    this.options = resolveRoutingOptions(options.routing);
    this.#clock = options.clock;
    this.#scheduler = options.scheduler;
    this.#logger = options.logger;
    this.#events = new TypedEmitter<RoutingEvents>(options.logger);
    this.#handleTimes = new HandleTimeAverage(this.options.handleTimeSamples, this.options.defaultHandleTimeMs);
    this.#roster = new StationRoster((station) => this.#emit('stationChanged', station));
    for (const station of options.stations ?? []) this.#roster.add(station, this.#clock.now());
    // Nobody can listen yet: the stations' first states are in the snapshot.
    this.#outbox = [];
  }

  on<K extends keyof RoutingEvents>(event: K, listener: (...args: RoutingEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  start(): void {
    if (this.#stopped) throw invalid('the router was stopped; make a new one');
    this.#act(() => {
      this.#running = true;
      this.#dispatch();
    });
  }

  /** Cancels every timer and drops every listener and contact. Final. */
  stop(): void {
    this.#running = false;
    this.#stopped = true;
    for (const contact of this.#contacts.values()) this.#cancelTimers(contact);
    for (const cancel of this.#wrapUps.values()) cancel();
    this.#wrapUps.clear();
    this.#contacts.clear();
    this.#waiting = [];
    this.#outbox = [];
    this.#events.removeAllListeners();
  }

  // Stations

  addStation(definition: StationDefinition): void {
    this.#act(() => {
      this.#roster.add(definition, this.#clock.now());
      this.#dispatch();
    });
  }

  /** A station without a call (available, paused or in wrap-up); a ringing or busy one is refused. */
  removeStation(stationId: string): void {
    this.#act(() => {
      this.#roster.remove(stationId);
      this.#wrapUps.get(stationId)?.();
      this.#wrapUps.delete(stationId);
    });
  }

  station(stationId: string): StationDefinition {
    return this.#roster.definition(stationId);
  }

  /** A ringing station stops ringing at once (the contact overflows); busy or in wrap-up: after wrap-up. */
  pause(stationId: string): void {
    this.#act(() => {
      this.#releaseRinging(stationId, 'paused');
      this.#roster.pause(stationId, this.#clock.now());
    });
  }

  resume(stationId: string): void {
    this.#act(() => {
      this.#roster.resume(stationId, this.#clock.now());
      this.#dispatch();
    });
  }

  /** An unregistered desk phone gets no calls; one that was ringing stops and the contact overflows. */
  setRegistered(stationId: string, registered: boolean): void {
    this.#act(() => {
      if (!this.#roster.setRegistered(stationId, registered, this.#clock.now())) return;
      if (!registered) this.#releaseRinging(stationId, 'unregistered');
      this.#dispatch();
    });
  }

  /** The volunteer is ready before the wrap-up time is over. */
  endWrapUp(stationId: string): void {
    this.#act(() => {
      const state = this.#roster.state(stationId);
      if (state !== 'wrap-up') throw invalid(`station ${stationId} is ${state}, not in wrap-up`);
      this.#finishWrapUp(stationId);
    });
  }

  // Contacts

  /** A new contact: rings a station, waits in the queue, or is rejected when the queue is full. */
  offer(contact: RoutingContact): void {
    this.#act(() => {
      if (!this.#running) throw invalid('the router is not running');
      if (this.#contacts.has(contact.reference)) throw invalid('that contact is being routed already');
      if (!Number.isFinite(contact.arrivedAt)) throw invalid('the contact has no arrival time');
      const record: ContactRecord = {
        reference: contact.reference,
        arrivedAt: contact.arrivedAt,
        sequence: this.#sequence++,
        phase: 'waiting',
        rings: new Map(),
        tried: new Set(),
        station: null,
        cancelRound: null,
        cancelAnnounce: null,
      };
      if (this.#eligible(record).length === 0 && this.#waiting.length >= this.options.maxQueueLength) {
        this.#emit('rejected', record.reference);
        return;
      }
      this.#contacts.set(record.reference, record);
      this.#place(record);
    });
  }

  /**
   * The desk phone answered. False when it was no longer ringing for this contact (stopped, timed
   * out, answered elsewhere, caller gone): the adapter hangs that leg up.
   */
  answered(stationId: string, reference: ContactReference): boolean {
    return this.#act(() => {
      this.#roster.assertKnown(stationId);
      const contact = this.#ringingAt(stationId, reference);
      if (!contact) return false;
      contact.rings.get(stationId)?.();
      contact.rings.delete(stationId);
      this.#roster.answer(stationId, this.#clock.now());
      contact.phase = 'connected';
      contact.station = stationId;
      contact.cancelRound?.();
      contact.cancelRound = null;
      this.#emit('connected', stationId, reference);
      for (const other of [...contact.rings.keys()]) this.#endRing(contact, other, 'answered-elsewhere');
      this.#dispatch();
      return true;
    });
  }

  /** The volunteer declined: overflow at once. False when that ring was already over. */
  declined(stationId: string, reference: ContactReference): boolean {
    return this.#ringFailed(stationId, reference);
  }

  /** The desk phone answered busy: overflow at once. */
  busy(stationId: string, reference: ContactReference): boolean {
    return this.#ringFailed(stationId, reference);
  }

  /** The desk phone could not be reached: overflow at once. */
  unreachable(stationId: string, reference: ContactReference): boolean {
    return this.#ringFailed(stationId, reference);
  }

  /** The caller hung up: abandoned while ringing or queued; once connected it is the end of the call. */
  callerHungUp(reference: ContactReference): boolean {
    return this.#act(() => {
      const contact = this.#contacts.get(reference);
      if (!contact) return false;
      if (contact.phase === 'connected') return this.#endCall(contact);
      const from = contact.phase === 'ringing' ? 'ringing' : 'queued';
      for (const stationId of [...contact.rings.keys()]) this.#endRing(contact, stationId, 'caller-hung-up');
      if (contact.phase === 'waiting') this.#leaveQueue(contact, false);
      this.#forget(contact);
      this.#emit('abandoned', reference, from);
      this.#dispatch();
      return true;
    });
  }

  /** The connected call ended (either side): the station goes into wrap-up. */
  ended(reference: ContactReference): boolean {
    return this.#act(() => {
      const contact = this.#contacts.get(reference);
      if (!contact || contact.phase !== 'connected') return false;
      return this.#endCall(contact);
    });
  }

  contactPhase(reference: ContactReference): ContactPhase | null {
    return this.#contacts.get(reference)?.phase ?? null;
  }

  snapshot(): RoutingSnapshot {
    const now = this.#clock.now();
    return {
      at: now,
      strategy: this.options.strategy,
      stations: this.#roster.snapshots(now),
      queue: this.#waiting.map((contact, index) => ({
        reference: contact.reference,
        position: index + 1,
        waitingMs: now - contact.arrivedAt,
        estimatedWaitMs: this.#estimate(index + 1),
      })),
    };
  }

  // Internals

  #ringFailed(stationId: string, reference: ContactReference): boolean {
    return this.#act(() => {
      this.#roster.assertKnown(stationId);
      const contact = this.#ringingAt(stationId, reference);
      if (!contact) return false;
      this.#endRing(contact, stationId, null);
      this.#afterRingEnded(contact);
      this.#dispatch();
      return true;
    });
  }

  /** If the station rings, it stops and its contact overflows. */
  #releaseRinging(stationId: string, reason: StopRingingReason): void {
    if (this.#roster.state(stationId) !== 'ringing') return;
    const reference = this.#roster.snapshot(stationId, this.#clock.now()).contact;
    const contact = reference === null ? undefined : this.#contacts.get(reference);
    if (!contact) return;
    this.#endRing(contact, stationId, reason);
    this.#afterRingEnded(contact);
  }

  #ringingAt(stationId: string, reference: ContactReference): ContactRecord | undefined {
    const contact = this.#contacts.get(reference);
    return contact?.rings.has(stationId) ? contact : undefined;
  }

  /** Rings free stations the contact has not tried in this round, or queues it. */
  #place(contact: ContactRecord): void {
    const free = this.#eligible(contact);
    if (free.length === 0) {
      this.#enqueue(contact);
      return;
    }
    this.#ring(contact, this.options.strategy === 'ring-all' ? free : free.slice(0, 1));
  }

  #eligible(contact: ContactRecord): string[] {
    return this.#roster.free().filter((stationId) => !contact.tried.has(stationId));
  }

  #ring(contact: ContactRecord, stationIds: readonly string[]): void {
    const now = this.#clock.now();
    contact.phase = 'ringing';
    contact.cancelRound ??= this.#later(this.options.maxRingMs, () => this.#exhaust(contact));
    for (const stationId of stationIds) {
      this.#roster.ring(stationId, contact.reference, now);
      contact.tried.add(stationId);
      const cancel = this.#later(this.options.ringTimeoutMs, () => {
        if (!contact.rings.has(stationId)) return;
        this.#endRing(contact, stationId, 'timeout');
        this.#afterRingEnded(contact);
        this.#dispatch();
      });
      contact.rings.set(stationId, cancel);
      this.#emit('ring', stationId, contact.reference);
    }
  }

  /** `reason` null: the adapter reported the end itself, so there is nothing to tell it. */
  #endRing(contact: ContactRecord, stationId: string, reason: StopRingingReason | null): void {
    contact.rings.get(stationId)?.();
    contact.rings.delete(stationId);
    this.#roster.stopRinging(stationId, this.#clock.now());
    if (reason !== null) this.#emit('stopRinging', stationId, contact.reference, reason);
  }

  #afterRingEnded(contact: ContactRecord): void {
    if (contact.phase === 'ringing' && contact.rings.size === 0) this.#place(contact);
  }

  /** Nobody answered within maxRingMs: let go of the contact and leave the decision to the adapter. */
  #exhaust(contact: ContactRecord): void {
    if (!this.#contacts.has(contact.reference) || contact.phase === 'connected') return;
    for (const stationId of [...contact.rings.keys()]) this.#endRing(contact, stationId, 'max-ring');
    if (contact.phase === 'waiting') this.#leaveQueue(contact, true);
    this.#forget(contact);
    this.#emit('overflowExhausted', contact.reference);
    this.#dispatch();
  }

  #enqueue(contact: ContactRecord): void {
    contact.phase = 'waiting';
    const after = this.#waiting.findIndex(
      (other) => other.arrivedAt > contact.arrivedAt || (other.arrivedAt === contact.arrivedAt && other.sequence > contact.sequence),
    );
    const index = after === -1 ? this.#waiting.length : after;
    this.#waiting.splice(index, 0, contact);
    this.#emit('queued', contact.reference, index + 1, this.#estimate(index + 1));
    this.#scheduleAnnounce(contact);
  }

  #scheduleAnnounce(contact: ContactRecord): void {
    if (this.options.announceIntervalMs === 0) return;
    contact.cancelAnnounce = this.#later(this.options.announceIntervalMs, () => {
      const position = this.#waiting.indexOf(contact) + 1;
      if (position === 0) return;
      this.#emit('announce', contact.reference, position, this.#estimate(position));
      this.#scheduleAnnounce(contact);
    });
  }

  #leaveQueue(contact: ContactRecord, announce: boolean): void {
    this.#waiting = this.#waiting.filter((other) => other !== contact);
    contact.cancelAnnounce?.();
    contact.cancelAnnounce = null;
    if (announce) this.#emit('dequeued', contact.reference);
  }

  #endCall(contact: ContactRecord): boolean {
    const stationId = contact.station;
    if (stationId === null) return false;
    this.#roster.endCall(stationId, this.#clock.now());
    this.#forget(contact);
    if (this.options.wrapUpMs === 0) {
      this.#finishWrapUp(stationId);
    } else {
      this.#wrapUps.set(stationId, this.#later(this.options.wrapUpMs, () => this.#finishWrapUp(stationId)));
    }
    return true;
  }

  #finishWrapUp(stationId: string): void {
    this.#wrapUps.get(stationId)?.();
    this.#wrapUps.delete(stationId);
    this.#handleTimes.record(this.#roster.finishWrapUp(stationId, this.#clock.now()));
    this.#dispatch();
  }

  /**
   * Gives free stations to waiting contacts, oldest first. Under ring-all a station that frees up
   * while a contact is ringing joins that contact's ringing when nobody waits for it.
   */
  #dispatch(): void {
    if (!this.#running) return;
    for (const contact of [...this.#waiting]) {
      const free = this.#eligible(contact);
      if (free.length === 0) continue;
      this.#leaveQueue(contact, true);
      this.#ring(contact, this.options.strategy === 'ring-all' ? free : free.slice(0, 1));
    }
    if (this.options.strategy !== 'ring-all') return;
    for (const contact of this.#contacts.values()) {
      if (contact.phase !== 'ringing') continue;
      const free = this.#eligible(contact);
      if (free.length > 0) this.#ring(contact, free);
    }
  }

  #forget(contact: ContactRecord): void {
    this.#cancelTimers(contact);
    this.#contacts.delete(contact.reference);
  }

  #cancelTimers(contact: ContactRecord): void {
    for (const cancel of contact.rings.values()) cancel();
    contact.cancelRound?.();
    contact.cancelRound = null;
    contact.cancelAnnounce?.();
    contact.cancelAnnounce = null;
  }

  #estimate(position: number): number | null {
    return estimateWaitMs(position, this.#handleTimes.averageMs(), this.#roster.staffed());
  }

  #emit<K extends keyof RoutingEvents>(event: K, ...args: RoutingEvents[K]): void {
    this.#outbox.push(() => this.#events.emit(event, ...args));
  }

  /** A timer task runs like an input; a failure is logged, never thrown into the timer loop. */
  #later(milliseconds: number, task: () => void): () => void {
    return this.#scheduler.after(milliseconds, () => {
      try {
        this.#act(task);
      } catch (error) {
        this.#logger.error({ component: 'routing', err: describeError(error) }, 'routing timer task failed');
      }
    });
  }

  /** Runs one input, then delivers its events; inputs made by listeners queue behind them. */
  #act<T>(change: () => T): T {
    try {
      return change();
    } finally {
      this.#flush();
    }
  }

  #flush(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      for (let next = this.#outbox.shift(); next; next = this.#outbox.shift()) next();
    } finally {
      this.#flushing = false;
    }
  }
}

function invalid(message: string): GatewayError {
  return new GatewayError('HGW_ROUTING_INVALID_STATE', message);
}

import type { ContactReference } from '../contacts/contact-view.js';
import { GatewayError } from '../errors.js';

/** What a station's screen and the supervisor see; `paused` hides nothing but the next call. */
export type StationState = 'available' | 'ringing' | 'busy' | 'wrap-up' | 'paused';

export interface StationDefinition {
  readonly id: string;
  readonly displayName: string;
  /** Where the desk phone is reached, opaque here (the SIP layer puts a URI in it). */
  readonly deskTarget: string;
  /** Supervisor scoping: a supervisor sees and listens along to the stations of their group. */
  readonly group: string;
  /** Whether the desk phone is reachable now; default true (the modem path has no registration). */
  readonly registered?: boolean;
  readonly paused?: boolean;
}

export interface StationSnapshot {
  readonly id: string;
  readonly displayName: string;
  readonly group: string;
  readonly state: StationState;
  /** When the station entered `state`. */
  readonly since: number;
  /** The contact it rings for, talks to or wraps up; null otherwise. */
  readonly contact: ContactReference | null;
  readonly registered: boolean;
  /** Paused while busy or in wrap-up: the pause starts when the wrap-up ends. */
  readonly pausePending: boolean;
  /** Since the last call's wrap-up ended (or the station was added); null while busy or in wrap-up. */
  readonly idleMs: number | null;
}

interface StationRecord {
  readonly definition: StationDefinition;
  readonly order: number;
  state: StationState;
  since: number;
  contact: ContactReference | null;
  registered: boolean;
  pausePending: boolean;
  idleSince: number;
  /** When the current call was answered: handle time runs from here to the end of wrap-up. */
  answeredAt: number;
}

/**
 * The stations and their state machine: available -> ringing -> busy -> wrap-up -> available, with
 * paused beside available. Pure bookkeeping: who rings whom is the router's business. Every change
 * is reported to `onChange`, so the router can tell the screens.
 */
export class StationRoster {
  readonly #stations = new Map<string, StationRecord>();
  readonly #onChange: (snapshot: StationSnapshot) => void;
  #order = 0;

  constructor(onChange: (snapshot: StationSnapshot) => void) {
    this.#onChange = onChange;
  }

  add(definition: StationDefinition, now: number): void {
    if (this.#stations.has(definition.id)) throw invalid(`station ${definition.id} exists already`);
    const paused = definition.paused ?? false;
    const record: StationRecord = {
      definition: Object.freeze({ ...definition }),
      order: this.#order++,
      state: paused ? 'paused' : 'available',
      since: now,
      contact: null,
      registered: definition.registered ?? true,
      pausePending: false,
      idleSince: now,
      answeredAt: now,
    };
    this.#stations.set(definition.id, record);
    this.#changed(record, now);
  }

  /** Only a station with no call: a ringing or busy station has a contact the router still owns. */
  remove(id: string): void {
    const record = this.#get(id);
    if (record.state === 'ringing' || record.state === 'busy') throw invalid(`station ${id} is ${record.state}, cannot be removed`);
    this.#stations.delete(id);
  }

  definition(id: string): StationDefinition {
    return this.#get(id).definition;
  }

  state(id: string): StationState {
    return this.#get(id).state;
  }

  /** Throws HGW_ROUTING_UNKNOWN_STATION for an id that is not on the roster. */
  assertKnown(id: string): void {
    this.#get(id);
  }

  /** Stations that may be rung now, longest idle first (ties: the one added first). */
  free(): string[] {
    return [...this.#stations.values()]
      .filter((record) => record.state === 'available' && record.registered)
      .sort((a, b) => a.idleSince - b.idleSince || a.order - b.order)
      .map((record) => record.definition.id);
  }

  /** Stations that count for the wait estimate: registered and not (about to be) paused. */
  staffed(): number {
    let count = 0;
    for (const record of this.#stations.values()) {
      if (record.registered && record.state !== 'paused' && !record.pausePending) count += 1;
    }
    return count;
  }

  ring(id: string, contact: ContactReference, now: number): void {
    const record = this.#expect(id, 'available', 'ring');
    if (!record.registered) throw invalid(`station ${id} is not registered, cannot ring`);
    this.#enter(record, 'ringing', contact, now);
  }

  /** Ringing stopped without an answer: the station is free again, its idle time unchanged. */
  stopRinging(id: string, now: number): void {
    this.#enter(this.#expect(id, 'ringing', 'stop ringing'), 'available', null, now);
  }

  answer(id: string, now: number): void {
    const record = this.#expect(id, 'ringing', 'answer');
    record.answeredAt = now;
    this.#enter(record, 'busy', record.contact, now);
  }

  endCall(id: string, now: number): void {
    const record = this.#expect(id, 'busy', 'end a call');
    this.#enter(record, 'wrap-up', record.contact, now);
  }

  /** Ends the wrap-up; returns the call's handle time (answer to end of wrap-up). */
  finishWrapUp(id: string, now: number): number {
    const record = this.#expect(id, 'wrap-up', 'end wrap-up');
    record.idleSince = now;
    const next = record.pausePending ? 'paused' : 'available';
    record.pausePending = false;
    this.#enter(record, next, null, now);
    return now - record.answeredAt;
  }

  /** Available: paused now. Busy or in wrap-up: paused when the wrap-up ends. */
  pause(id: string, now: number): void {
    const record = this.#get(id);
    if (record.state === 'available') {
      this.#enter(record, 'paused', null, now);
    } else if ((record.state === 'busy' || record.state === 'wrap-up') && !record.pausePending) {
      record.pausePending = true;
      this.#changed(record, now);
    } else {
      throw invalid(`station ${id} is ${record.pausePending ? 'about to pause' : record.state}, cannot pause`);
    }
  }

  /** Ends a pause, or takes back a pause that had not started yet. */
  resume(id: string, now: number): void {
    const record = this.#get(id);
    if (record.state === 'paused') {
      this.#enter(record, 'available', null, now);
    } else if (record.pausePending) {
      record.pausePending = false;
      this.#changed(record, now);
    } else {
      throw invalid(`station ${id} is ${record.state}, not paused`);
    }
  }

  /** Returns whether anything changed. */
  setRegistered(id: string, registered: boolean, now: number): boolean {
    const record = this.#get(id);
    if (record.registered === registered) return false;
    record.registered = registered;
    this.#changed(record, now);
    return true;
  }

  snapshot(id: string, now: number): StationSnapshot {
    return this.#snapshotOf(this.#get(id), now);
  }

  snapshots(now: number): StationSnapshot[] {
    return [...this.#stations.values()].map((record) => this.#snapshotOf(record, now));
  }

  #snapshotOf(record: StationRecord, now: number): StationSnapshot {
    const idle = record.state === 'available' || record.state === 'paused' || record.state === 'ringing';
    return {
      id: record.definition.id,
      displayName: record.definition.displayName,
      group: record.definition.group,
      state: record.state,
      since: record.since,
      contact: record.contact,
      registered: record.registered,
      pausePending: record.pausePending,
      idleMs: idle ? now - record.idleSince : null,
    };
  }

  #enter(record: StationRecord, state: StationState, contact: ContactReference | null, now: number): void {
    record.state = state;
    record.contact = contact;
    record.since = now;
    this.#changed(record, now);
  }

  #changed(record: StationRecord, now: number): void {
    this.#onChange(this.#snapshotOf(record, now));
  }

  #expect(id: string, state: StationState, action: string): StationRecord {
    const record = this.#get(id);
    if (record.state !== state) throw invalid(`station ${id} is ${record.state}, cannot ${action}`);
    return record;
  }

  #get(id: string): StationRecord {
    const record = this.#stations.get(id);
    // An unknown id came from outside and could be any text: it is not echoed.
    if (!record) throw new GatewayError('HGW_ROUTING_UNKNOWN_STATION', 'no station with that id');
    return record;
  }
}

function invalid(message: string): GatewayError {
  return new GatewayError('HGW_ROUTING_INVALID_STATE', message);
}

import type { ContactReference } from '../contacts/contact-view.js';
import type { RoutingStrategy } from './routing-options.js';
import type { StationSnapshot } from './station-roster.js';

/** A new contact as the router sees it: a reference, never an identifier. */
export interface RoutingContact {
  readonly reference: ContactReference;
  /** When the caller reached the box; the queue is ordered by it. */
  readonly arrivedAt: number;
}

/** Why the router told a desk phone to stop ringing. */
export type StopRingingReason =
  | 'timeout'
  | 'answered-elsewhere'
  | 'caller-hung-up'
  | 'max-ring'
  | 'paused'
  | 'unregistered';

/** Where the contact was when the caller hung up. */
export type AbandonedFrom = 'ringing' | 'queued';

export type ContactPhase = 'waiting' | 'ringing' | 'connected';

/**
 * What the router asks of its adapter (ring, stopRinging, the announcements) and what it reports
 * (connected, abandoned, ...). Emitted after the router's own state has settled, in order, so a
 * listener may call straight back into the router.
 */
export interface RoutingEvents {
  /** Ring this station's desk phone for this contact. */
  ring: [stationId: string, contact: ContactReference];
  /** Stop ringing: not sent for a ring the adapter itself reported as declined, busy or unreachable. */
  stopRinging: [stationId: string, contact: ContactReference, reason: StopRingingReason];
  connected: [stationId: string, contact: ContactReference];
  /** The contact waits: play "all volunteers are busy" (with the estimate when it is not null). */
  queued: [contact: ContactReference, position: number, estimatedWaitMs: number | null];
  /** Time to play the announcement again, with the current position and estimate. */
  announce: [contact: ContactReference, position: number, estimatedWaitMs: number | null];
  /** The contact left the queue to ring a station (or because its ring time ran out). */
  dequeued: [contact: ContactReference];
  abandoned: [contact: ContactReference, from: AbandonedFrom];
  /**
   * Nobody answered within maxRingMs of the first ring. The router has let go of the contact: the
   * adapter plays a message and releases the caller, or offers the contact again to keep queueing
   * (its arrival time keeps its place in the queue).
   */
  overflowExhausted: [contact: ContactReference];
  /** The queue is full: the adapter plays busy. The router keeps nothing of the contact. */
  rejected: [contact: ContactReference];
  stationChanged: [station: StationSnapshot];
}

export interface QueueEntrySnapshot {
  readonly reference: ContactReference;
  /** 1 = next to be offered. */
  readonly position: number;
  /** Since the caller reached the box. */
  readonly waitingMs: number;
  readonly estimatedWaitMs: number | null;
}

/** What the screens get: references and states only, never an identifier. */
export interface RoutingSnapshot {
  readonly at: number;
  readonly strategy: RoutingStrategy;
  readonly stations: readonly StationSnapshot[];
  readonly queue: readonly QueueEntrySnapshot[];
}

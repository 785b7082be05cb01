import type { ContactReference } from '../contacts/contact-view.js';
import type { CoordinatorActor } from './coordinator-backend.js';

/**
 * What the supervisor's part of the coordinator page needs (issue 4, items 5 and 6): live calls by
 * station, the desks a supervisor may have ring for a listen-along, and the sessions. main.ts builds
 * it from the SIP line (src/line/sip/sip-supervision.ts); stations/ never imports the line. Nothing
 * here carries caller data, nor a desk phone's address: calls are known by their reference only.
 */

/** One call at one station: connected to it, or ringing there. */
export interface LiveCallView {
  readonly reference: ContactReference;
  readonly stationId: string;
  readonly stationName: string;
  /** The station's supervisor group; null for a station the configuration does not name. */
  readonly group: string | null;
  readonly state: 'ringing' | 'connected';
  /** When the call entered its current state. */
  readonly since: number;
  /** How many supervisors listen along now. */
  readonly listeners: number;
}

/** A station whose desk phone can ring for a listen-along; its group is the group a supervisor there may hear. */
export interface SupervisionDeskView {
  readonly stationId: string;
  readonly stationName: string;
  readonly group: string;
}

export interface ListenAlongView {
  readonly sessionId: string;
  readonly reference: ContactReference;
  /** The station whose call is heard. */
  readonly stationId: string;
  readonly stationName: string;
  /** The desk whose phone the supervisor listens on. */
  readonly fromStationId: string;
  /** The supervisor's account. */
  readonly accountId: string;
  readonly whisper: boolean;
  readonly startedAt: number;
}

/**
 * Why a listen-along was refused: `forbidden` (no listen-along capability), `unknown-desk`,
 * `no-desk-phone` (the chosen station has none), `unknown-call`, `not-connected` (still ringing or
 * queued), `other-group` (the call's station is outside the desk's group), `desk-busy` (the desk
 * phone is in a call or another listen-along), `phone-unanswered` (the supervisor's phone refused,
 * was unreachable or did not answer in time), `unknown-session`, `not-yours` (another supervisor's
 * session).
 */
export type SupervisionRefusal =
  | 'forbidden'
  | 'unknown-desk'
  | 'no-desk-phone'
  | 'unknown-call'
  | 'not-connected'
  | 'other-group'
  | 'desk-busy'
  | 'phone-unanswered'
  | 'unknown-session'
  | 'not-yours';

export type SupervisionResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly refusal: SupervisionRefusal; readonly message: string };

/**
 * Satisfied by SipSupervision, which checks the capability and the group again and writes
 * `listen-along.started` / `listen-along.stopped` to the audit log itself, with the supervisor's
 * account as the actor and the contact reference as the target; the routes add no entries.
 */
export interface SupervisionBackend {
  liveCalls(): readonly LiveCallView[];
  desks(): readonly SupervisionDeskView[];
  /** Rings the desk phone of `fromStationId` and resolves once it answered (or was refused). */
  startListenAlong(actor: CoordinatorActor, reference: ContactReference, fromStationId: string, whisper: boolean): Promise<SupervisionResult<ListenAlongView>>;
  stopListenAlong(actor: CoordinatorActor, sessionId: string): Promise<SupervisionResult<ListenAlongView>>;
  setWhisper(actor: CoordinatorActor, sessionId: string, on: boolean): SupervisionResult<ListenAlongView>;
  sessions(): readonly ListenAlongView[];
}

import type { ContactReference } from '../../contacts/contact-view.js';
import type { Logger } from '../../log/logger.js';
import type { PromptLibrary, RtpPortPool, LatchPolicy } from '../../media/index.js';
import type { SiteCountry } from '../../privacy/normalize.js';
import type { RoutingContact, RoutingEvents } from '../../routing/index.js';
import type { SipEndpoint } from '../../sip/index.js';
import type { Clock } from '../../time/clock.js';
import type { Scheduler } from '../../time/scheduler.js';
import type { LineEvents, OfferedCall } from '../line-interface.js';

/**
 * The caller's Time Out or block as the intake reports it. Shaped so the contact desk's
 * `ContactModeration` fits: `unknown` may carry the desk's own routing decision.
 */
export type IntakeModeration =
  | { readonly kind: 'none' }
  | { readonly kind: 'time-out' | 'blocked'; readonly until: number }
  | { readonly kind: 'unknown'; readonly routing?: 'route' | 'refuse' };

/** What the privacy core answers for a new call: a reference and a count, never an identifier. */
export interface SipIntakeResult {
  readonly reference: ContactReference;
  readonly priorContacts: number;
  /** False for a withheld or unreadable number; absent: taken from the caller presentation. */
  readonly callerKnown?: boolean;
  readonly moderation?: IntakeModeration | null;
  /** False when intake is stopped by a fault: the call is put through, its count is unknown. */
  readonly recorded?: boolean;
}

/** The privacy core as the B2BUA needs it; the ContactDesk fits as is. */
export interface SipIntake {
  offerCall(call: OfferedCall): SipIntakeResult;
  /** A volunteer answered the call (told once per call). */
  callAnswered?(lineCallId: string): void;
  endCall(lineCallId: string, endedAt: number): void;
}

/** The CallRouter's face towards the B2BUA; the CallRouter fits as is. */
export interface SipRouter {
  on<K extends keyof RoutingEvents>(event: K, listener: (...args: RoutingEvents[K]) => void): () => void;
  offer(contact: RoutingContact): void;
  answered(stationId: string, reference: ContactReference): boolean;
  declined(stationId: string, reference: ContactReference): boolean;
  busy(stationId: string, reference: ContactReference): boolean;
  unreachable(stationId: string, reference: ContactReference): boolean;
  callerHungUp(reference: ContactReference): boolean;
  ended(reference: ContactReference): boolean;
  station(stationId: string): { readonly deskTarget: string };
}

export type ListenAlongEventKind = 'started' | 'stopped' | 'failed';

/** For the audit log: who listened to which station's call, never who called. */
export interface ListenAlongEvent {
  readonly kind: ListenAlongEventKind;
  readonly sessionId: string;
  readonly reference: ContactReference;
  readonly stationId: string | null;
  readonly supervisorTarget: string;
  readonly whisper: boolean;
  readonly at: number;
  /** stopped: `supervisor-hung-up`, `stopped`, `call-ended`; failed: `busy`, `declined`, `unreachable`. */
  readonly reason?: string;
}

export interface SipLineOptions {
  /** The SIP endpoint; the line starts and stops it. */
  readonly endpoint: SipEndpoint;
  readonly intake: SipIntake;
  readonly router: SipRouter;
  readonly prompts: PromptLibrary;
  readonly rtpPool: RtpPortPool;
  /** Source addresses (IPs or CIDR ranges) allowed to send INVITEs: the trunk's. Others get 403. */
  readonly trunkPeers: readonly string[];
  readonly country: SiteCountry;
  /** For the dates the Time Out and block prompts speak. */
  readonly timeZone: string;
  /** Host part of the From/P-Asserted-Identity URIs desk phones see, e.g. `helpline-box.invalid`. */
  readonly boxHost: string;
  /** The box's address written into every SDP (c= and o= lines). */
  readonly mediaAddress: string;
  /** Where RTP sockets bind; default `mediaAddress`. */
  readonly rtpBindAddress?: string;
  readonly latch?: LatchPolicy;
  /** A relayed call whose media stops this long is hung up; default 30000, 0 never. */
  readonly mediaTimeoutMs?: number;
  /** What a failed moderation lookup means when the intake does not say: default `route` (fail-open). */
  readonly onModerationUnknown?: 'route' | 'refuse';
  /** More calls than this at once get 503; default 64. */
  readonly maxCalls?: number;
  readonly onListenAlong?: (event: ListenAlongEvent) => void;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Default `sip`. */
  readonly name?: string;
  readonly newLineCallId?: () => string;
}

export type SipCallState = 'setup' | 'ringing' | 'queued' | 'connected' | 'prompt' | 'ended';

/** One call as screens see it: the reference and the stations, nothing about the caller. */
export interface SipCallSnapshot {
  readonly reference: ContactReference;
  readonly state: SipCallState;
  readonly since: number;
  /** The station talking to the caller, when connected. */
  readonly stationId: string | null;
  readonly ringing: readonly string[];
  readonly listenAlong: number;
}

export interface SipLineSnapshot {
  readonly at: number;
  readonly calls: readonly SipCallSnapshot[];
  readonly byState: Readonly<Record<SipCallState, number>>;
  readonly byStation: Readonly<Record<string, { readonly state: 'ringing' | 'connected'; readonly reference: ContactReference }>>;
}

export interface SipLineEvents extends LineEvents {
  'call-changed': [call: SipCallSnapshot];
  'listen-along': [event: ListenAlongEvent];
}

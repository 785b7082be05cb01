/**
 * The SIP back-to-back user agent as a line: trunk INVITEs in, desk phone INVITEs out, the box's
 * RTP in between. It reads the caller at the boundary (caller-identity.ts), hands the number to the
 * intake inside a RawPhoneNumber and from then on knows the call only by its reference.
 *
 * Unlike the modem line it does not emit `call-offered`/`call-ended`: it needs the intake's answer
 * (reference, count, moderation) before it can route, so it calls the intake itself. Do not also
 * attach it with ContactDesk.attachLine.
 */
import { randomBytes } from 'node:crypto';
import type { ContactReference } from '../../contacts/contact-view.js';
import { GatewayError } from '../../errors.js';
import { describeError, TypedEmitter } from '../../events/typed-emitter.js';
import type { Logger } from '../../log/logger.js';
import { callIdOf, parseSdp, tagOf, toOf, type IncomingRequest, type SessionDescription } from '../../sip/index.js';
import type { LineInterface } from '../line-interface.js';
import type { CallContext } from './call-context.js';
import { readCallerPresentation } from './caller-identity.js';
import { ALLOWED_METHODS, refuseMethod } from './in-dialog.js';
import { ListenAlongSession, type ListenAlongSessionContext } from './listen-along-session.js';
import type { DialogRegistry } from './outbound-leg.js';
import { LocalSdp } from './session-sdp.js';
import type {
  IntakeModeration, ListenAlongEvent, SipCallSnapshot, SipCallState, SipLineEvents, SipLineOptions, SipLineSnapshot,
} from './sip-line-types.js';
import { TrunkCall, type CallPlan, type EndCause } from './trunk-call.js';
import { TrunkPeers } from './trunk-peers.js';

const CALL_STATES: readonly SipCallState[] = ['setup', 'ringing', 'queued', 'connected', 'prompt', 'ended'];

interface LineCounters {
  callsOffered: number;
  callsConnected: number;
  callsModerated: number;
  callsRefused: number;
  callsRejected: number;
  forbiddenSources: number;
  unknownDialogs: number;
  badOffers: number;
  mediaTimeouts: number;
  listenAlongs: number;
}

/** What a failed or absent lookup and a Time Out or block mean for this call. */
export function planFor(moderation: IntakeModeration | null | undefined, onUnknown: 'route' | 'refuse'): CallPlan {
  if (!moderation || moderation.kind === 'none') return { kind: 'route' };
  if (moderation.kind === 'unknown') return { kind: (moderation.routing ?? onUnknown) === 'refuse' ? 'refuse' : 'route' };
  return { kind: 'prompt', moderation: moderation.kind, until: moderation.until };
}

export class SipLine implements LineInterface {
  readonly name: string;
  readonly #options: SipLineOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<SipLineEvents>;
  readonly #trunks: TrunkPeers;
  readonly #dialogs = new Map<string, (incoming: IncomingRequest) => void>();
  readonly #calls = new Map<ContactReference, TrunkCall>();
  readonly #listening = new Map<ContactReference, Set<ListenAlongSession>>();
  /** Calls whose answer the intake has been told of: once each, not on every later change. */
  readonly #reportedAnswered = new WeakSet<TrunkCall>();
  readonly #context: CallContext;
  readonly #listenContext: ListenAlongSessionContext;
  readonly #counters: LineCounters = {
    callsOffered: 0, callsConnected: 0, callsModerated: 0, callsRefused: 0, callsRejected: 0, forbiddenSources: 0,
    unknownDialogs: 0, badOffers: 0, mediaTimeouts: 0, listenAlongs: 0,
  };
  readonly #unsubscribe: Array<() => void> = [];
  #running = false;

  constructor(options: SipLineOptions) {
    for (const key of ['endpoint', 'intake', 'router', 'prompts', 'rtpPool', 'clock', 'scheduler', 'logger'] as const) {
      if (!options[key]) throw new TypeError(`SipLine needs "${key}"`);
    }
    if (!options.boxHost || !options.mediaAddress) throw new TypeError('SipLine needs "boxHost" and "mediaAddress"');
    this.name = options.name ?? 'sip';
    this.#options = options;
    this.#logger = options.logger.child({ component: 'sip-line' });
    this.#events = new TypedEmitter<SipLineEvents>(this.#logger);
    this.#trunks = new TrunkPeers(options.trunkPeers);
    const registry: DialogRegistry = {
      register: (callId, localTag, handler) => {
        const key = dialogKey(callId, localTag);
        this.#dialogs.set(key, handler);
        return () => {
          if (this.#dialogs.get(key) === handler) this.#dialogs.delete(key);
        };
      },
    };
    const shared = {
      legs: { endpoint: options.endpoint, dialogs: registry, boxHost: options.boxHost, logger: this.#logger },
      rtpPool: options.rtpPool,
      rtpBindAddress: options.rtpBindAddress ?? options.mediaAddress,
      mediaAddress: options.mediaAddress,
      latch: options.latch ?? 'expected-host',
      clock: options.clock,
      scheduler: options.scheduler,
      logger: this.#logger,
    };
    this.#context = {
      ...shared,
      router: options.router,
      prompts: options.prompts,
      mediaTimeoutMs: options.mediaTimeoutMs ?? 30_000,
      timeZone: options.timeZone,
      changed: (call) => {
        const snapshot = call.snapshot();
        // The station's card follows the desk phone: live once a volunteer answered.
        if (snapshot.state === 'connected' && !this.#reportedAnswered.has(call)) {
          this.#reportedAnswered.add(call);
          // After the caller's 200 OK has gone out (a UDP send leaves on the next tick): the
          // card turning live must not add to the caller's setup delay.
          queueMicrotask(() => options.intake.callAnswered?.(call.lineCallId));
        }
        this.#events.emit('call-changed', snapshot);
      },
      finished: (call, cause) => this.#finished(call, cause),
      listenAlongCount: (reference) => this.#listening.get(reference)?.size ?? 0,
      endListenAlong: async (reference) => {
        await Promise.all([...(this.#listening.get(reference) ?? [])].map((session) => session.stop('call-ended')));
      },
    };
    this.#listenContext = {
      ...shared,
      report: (event) => this.#reportListenAlong(event),
      closed: (session) => this.#listening.get(session.reference)?.delete(session),
    };
  }

  on<K extends keyof SipLineEvents>(event: K, listener: (...args: SipLineEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#events.emit('state', 'connecting', 'starting the SIP endpoint');
    const { endpoint, router } = this.#options;
    await endpoint.start();
    this.#unsubscribe.push(
      endpoint.onRequest((incoming) => this.#receive(incoming)),
      router.on('ring', (stationId, reference) => this.#calls.get(reference)?.ring(stationId)),
      router.on('stopRinging', (stationId, reference) => this.#calls.get(reference)?.stopRinging(stationId)),
      router.on('queued', (reference, _position, estimate) => this.#calls.get(reference)?.queued(estimate)),
      router.on('announce', (reference, _position, estimate) => this.#calls.get(reference)?.announce(estimate)),
      router.on('dequeued', (reference) => this.#calls.get(reference)?.dequeued()),
      router.on('overflowExhausted', (reference) => this.#calls.get(reference)?.overflowExhausted()),
      router.on('rejected', (reference) => {
        const call = this.#calls.get(reference);
        if (call) void call.end('rejected');
      }),
    );
    this.#running = true;
    this.#events.emit('state', 'ready', 'SIP endpoint listening');
  }

  /** Hangs up every call (BYE, CANCEL or 503), then stops the endpoint. */
  async stop(): Promise<void> {
    const wasRunning = this.#running;
    this.#running = false;
    await Promise.all([...this.#calls.values()].map((call) => call.end('stopping')));
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    // Give the BYEs and CANCELs a moment on the wire before the sockets close.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#options.endpoint.stop();
    this.#dialogs.clear();
    if (wasRunning) this.#events.emit('state', 'disconnected', 'stopped');
  }

  counters(): Readonly<Record<string, number>> {
    const endpoint = this.#options.endpoint.counters();
    return { ...this.#counters, activeCalls: this.#calls.size, ...prefixed('sip', endpoint) };
  }

  snapshot(): SipLineSnapshot {
    const calls: SipCallSnapshot[] = [...this.#calls.values()].map((call) => call.snapshot());
    const byState = Object.fromEntries(CALL_STATES.map((state) => [state, 0])) as Record<SipCallState, number>;
    const byStation: Record<string, { state: 'ringing' | 'connected'; reference: ContactReference }> = {};
    for (const call of calls) {
      byState[call.state]++;
      for (const stationId of call.ringing) byStation[stationId] = { state: 'ringing', reference: call.reference };
      if (call.stationId !== null) byStation[call.stationId] = { state: 'connected', reference: call.reference };
    }
    return { at: this.#options.clock.now(), calls, byState, byStation };
  }

  /**
   * Calls a supervisor's phone into a connected call, listen-only unless `whisper`. Scoping (which
   * supervisor may hear which station) is the caller's job; every start and stop goes to
   * `onListenAlong` for the audit log.
   */
  async listenAlong(reference: ContactReference, supervisorTarget: string, options: { whisper?: boolean } = {}): Promise<ListenAlongSession> {
    const call = this.#calls.get(reference);
    const relay = call?.relay;
    if (!call || !relay) throw new GatewayError('HGW_ROUTING_INVALID_STATE', 'no connected call with that reference');
    const session = new ListenAlongSession(this.#listenContext, {
      reference,
      stationId: call.stationId,
      supervisorTarget,
      whisper: options.whisper ?? false,
      relay,
      codec: relay.outside.codec,
    });
    let sessions = this.#listening.get(reference);
    if (!sessions) {
      sessions = new Set();
      this.#listening.set(reference, sessions);
    }
    sessions.add(session);
    this.#counters.listenAlongs++;
    await session.start();
    return session;
  }

  #receive(incoming: IncomingRequest): void {
    const { request } = incoming;
    let localTag: string | undefined;
    let callId: string;
    try {
      localTag = tagOf(toOf(request));
      callId = callIdOf(request);
    } catch {
      incoming.respond(400);
      return;
    }
    if (localTag !== undefined) {
      const handler = this.#dialogs.get(dialogKey(callId, localTag));
      if (handler) {
        handler(incoming);
        return;
      }
      this.#counters.unknownDialogs++;
      incoming.respond(481);
      return;
    }
    switch (request.method) {
      case 'INVITE':
        this.#newCall(incoming);
        return;
      case 'OPTIONS':
        incoming.respond(200, { headers: [['Allow', ALLOWED_METHODS], ['Accept', 'application/sdp']] });
        return;
      case 'BYE':
      case 'INFO':
        this.#counters.unknownDialogs++;
        incoming.respond(481);
        return;
      default:
        refuseMethod(incoming);
    }
  }

  #newCall(incoming: IncomingRequest): void {
    const { request, source } = incoming;
    if (!this.#running) {
      incoming.respond(503);
      return;
    }
    if (!this.#trunks.allows(source.address)) {
      this.#counters.forbiddenSources++;
      incoming.respond(403);
      return;
    }
    if (this.#calls.size >= (this.#options.maxCalls ?? 64)) {
      incoming.respond(503, { headers: [['Retry-After', '5']] });
      return;
    }
    const offer = this.#readOffer(incoming);
    if (!offer) return;
    const caller = readCallerPresentation(request, this.#options.country);
    const lineCallId = this.#options.newLineCallId?.() ?? randomBytes(12).toString('hex');
    let intake;
    try {
      intake = this.#options.intake.offerCall({ lineCallId, caller, offeredAt: this.#options.clock.now() });
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'intake refused a SIP call');
      incoming.respond(500);
      return;
    }
    this.#counters.callsOffered++;
    const plan = planFor(intake.moderation, this.#options.onModerationUnknown ?? 'route');
    if (plan.kind === 'prompt') this.#counters.callsModerated++;
    if (plan.kind === 'refuse') this.#counters.callsRefused++;
    const call = new TrunkCall(this.#context, {
      incoming,
      offer,
      lineCallId,
      intake,
      callerKnown: intake.callerKnown ?? caller.kind === 'number',
      plan,
    });
    this.#calls.set(call.reference, call);
    this.#logger.info({ reference: call.reference, presentation: caller.kind, plan: plan.kind }, 'SIP call offered');
    call.setUp().catch((error: unknown) => {
      this.#logger.error({ reference: call.reference, err: describeError(error) }, 'SIP call setup failed');
      void call.end('failed');
    });
  }

  /** The trunk's SDP offer; a missing Contact, no offer or no G.711 is answered here (400/488). */
  #readOffer(incoming: IncomingRequest): SessionDescription | undefined {
    const { request } = incoming;
    if (!request.headers.has('Contact')) {
      incoming.respond(400);
      return undefined;
    }
    try {
      const offer = parseSdp(request.body);
      if (new LocalSdp('127.0.0.1').answer(offer, 9).ok) return offer;
    } catch {
      // An unreadable or absent offer: late offers are not supported.
    }
    this.#counters.badOffers++;
    incoming.respond(488);
    return undefined;
  }

  #finished(call: TrunkCall, cause: EndCause): void {
    if (this.#calls.get(call.reference) === call) this.#calls.delete(call.reference);
    this.#listening.delete(call.reference);
    if (call.stationId !== null) this.#counters.callsConnected++;
    if (cause === 'rejected') this.#counters.callsRejected++;
    if (cause === 'media-timeout') this.#counters.mediaTimeouts++;
    try {
      this.#options.intake.endCall(call.lineCallId, this.#options.clock.now());
    } catch (error) {
      this.#logger.error({ reference: call.reference, err: describeError(error) }, 'intake could not end a SIP call');
    }
    this.#logger.info({ reference: call.reference, cause }, 'SIP call ended');
    this.#events.emit('call-changed', call.snapshot());
  }

  #reportListenAlong(event: ListenAlongEvent): void {
    this.#events.emit('listen-along', event);
    try {
      this.#options.onListenAlong?.(event);
    } catch (error) {
      this.#logger.error({ err: describeError(error) }, 'listen-along audit hook failed');
    }
  }
}

function dialogKey(callId: string, localTag: string): string {
  return `${callId}\n${localTag}`;
}

function prefixed(prefix: string, counters: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters)) if (typeof value === 'number') out[`${prefix}${name[0]?.toUpperCase()}${name.slice(1)}`] = value;
  return out;
}

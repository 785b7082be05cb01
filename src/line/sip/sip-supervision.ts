/**
 * The supervisor's side of the SIP line (issue 4, items 5 and 6): live calls by station, and
 * listen-along started from the coordinator page. The supervisor picks the desk whose phone rings
 * (their own); they may hear only calls at stations in that desk's group. Every listen-along that
 * starts and stops is audited with the supervisor's account; a desk phone's address never leaves
 * this class (not in a view, a log line or an audit entry).
 */
import type { Role } from '../../accounts/index.js';
import { can } from '../../accounts/index.js';
import { accountActorId, type NewAuditEntry } from '../../audit/index.js';
import type { ContactReference } from '../../contacts/contact-view.js';
import { describeError } from '../../events/typed-emitter.js';
import type { Logger } from '../../log/logger.js';
import type {
  ListenAlongView, LiveCallView, SupervisionBackend, SupervisionDeskView, SupervisionRefusal, SupervisionResult,
} from '../../stations/index.js';
import type { Scheduler } from '../../time/scheduler.js';
import type { ListenAlongEvent, SipLineSnapshot } from './sip-line-types.js';

/** The parts of a ListenAlongSession this class uses. */
export interface SupervisedSession {
  readonly id: string;
  setWhisper(on: boolean): void;
  stop(): Promise<void>;
}

/** The parts of SipLine this class uses; SipLine fits as is. */
export interface SupervisedLine {
  snapshot(): SipLineSnapshot;
  listenAlong(reference: ContactReference, supervisorTarget: string, options: { whisper?: boolean }): Promise<SupervisedSession>;
  on(event: 'listen-along', listener: (event: ListenAlongEvent) => void): () => void;
}

/** A configured station (config `stations.desks` fits): only those with a desk phone can ring for a supervisor. */
export interface SupervisedStation {
  readonly id: string;
  readonly displayName?: string | undefined;
  readonly deskPhone?: string | undefined;
  readonly group: string;
}

export interface SupervisorActor {
  readonly accountId: string;
  readonly role: Role;
}

export interface SipSupervisionOptions {
  readonly line: SupervisedLine;
  readonly stations: readonly SupervisedStation[];
  /** Where the entries go: `(entry) => auditLog.append(entry)`. A failure is logged, the listen-along goes on. */
  readonly audit: (entry: NewAuditEntry) => void;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How long the HTTP request waits for the supervisor's phone to answer; default 30000 ms. */
  readonly answerTimeoutMs?: number;
}

/** A listen-along asked for whose phone has not answered yet; matched to the line's `started` event by phone and call. */
interface Attempt {
  readonly actor: SupervisorActor;
  readonly reference: ContactReference;
  readonly stationId: string;
  readonly fromStationId: string;
  readonly target: string;
  /** The request gave up waiting: should the phone still answer, the session is hung up at once. */
  abandoned: boolean;
  /** Ends the request's wait early (the line gave up on the phone before it answered). */
  giveUp?: () => void;
}

interface ActiveSession {
  readonly id: string;
  readonly attempt: Attempt;
  readonly startedAt: number;
  whisper: boolean;
  /** Whether the supervisor spoke to the volunteer at any time (for the audit entry). */
  whispered: boolean;
  handle: SupervisedSession | undefined;
}

type Outcome = { kind: 'answered'; session: SupervisedSession } | { kind: 'failed'; error: unknown } | { kind: 'timeout' };

const UNATTRIBUTED = 'listen-along';

export class SipSupervision implements SupervisionBackend {
  readonly #line: SupervisedLine;
  readonly #stations: ReadonlyMap<string, SupervisedStation>;
  readonly #audit: (entry: NewAuditEntry) => void;
  readonly #scheduler: Scheduler;
  readonly #logger: Logger;
  readonly #answerTimeoutMs: number;
  readonly #attempts = new Set<Attempt>();
  readonly #sessions = new Map<string, ActiveSession>();
  #unsubscribe: (() => void) | undefined;

  constructor(options: SipSupervisionOptions) {
    for (const key of ['line', 'stations', 'audit', 'scheduler', 'logger'] as const) {
      if (!options[key]) throw new TypeError(`SipSupervision needs "${key}"`);
    }
    this.#line = options.line;
    this.#stations = new Map(options.stations.map((station) => [station.id, station]));
    this.#audit = options.audit;
    this.#scheduler = options.scheduler;
    this.#logger = options.logger.child({ component: 'supervision' });
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 30_000;
  }

  /** Listens to the line's listen-along events (for the audit log); the line may start later. */
  start(): void {
    this.#unsubscribe ??= this.#line.on('listen-along', (event) => this.#observe(event));
  }

  /** Hangs up the supervisors' phones and stops listening to the line. */
  async stop(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((session) => session.handle?.stop()));
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  liveCalls(): LiveCallView[] {
    const calls: LiveCallView[] = [];
    for (const call of this.#line.snapshot().calls) {
      const at = (stationId: string, state: LiveCallView['state']): LiveCallView => {
        const station = this.#stations.get(stationId);
        return { reference: call.reference, stationId, stationName: nameOf(station, stationId), group: station?.group ?? null, state, since: call.since, listeners: call.listenAlong };
      };
      if (call.state === 'connected' && call.stationId !== null) calls.push(at(call.stationId, 'connected'));
      else if (call.state === 'ringing') calls.push(...call.ringing.map((stationId) => at(stationId, 'ringing')));
    }
    return calls.sort((a, b) => a.stationName.localeCompare(b.stationName) || a.since - b.since);
  }

  desks(): SupervisionDeskView[] {
    return [...this.#stations.values()]
      .filter((station) => station.deskPhone !== undefined)
      .map((station) => ({ stationId: station.id, stationName: nameOf(station, station.id), group: station.group }))
      .sort((a, b) => a.group.localeCompare(b.group) || a.stationName.localeCompare(b.stationName));
  }

  sessions(): ListenAlongView[] {
    return [...this.#sessions.values()].map((session) => this.#view(session));
  }

  async startListenAlong(actor: SupervisorActor, reference: ContactReference, fromStationId: string, whisper: boolean): Promise<SupervisionResult<ListenAlongView>> {
    // Without the line's events the sessions could be neither attributed nor audited.
    if (!this.#unsubscribe) throw new Error('SipSupervision.start() was not called');
    if (!can(actor.role, 'listen-along')) return refused('forbidden', 'only supervisors listen along');
    const desk = this.#stations.get(fromStationId);
    if (!desk) return refused('unknown-desk', 'no station with that id');
    if (desk.deskPhone === undefined) return refused('no-desk-phone', 'that station has no desk phone');
    const snapshot = this.#line.snapshot();
    const call = snapshot.calls.find((candidate) => candidate.reference === reference);
    if (!call) return refused('unknown-call', 'no live call with that reference');
    if (call.state !== 'connected' || call.stationId === null) return refused('not-connected', 'the call is not connected to a station yet');
    if (this.#stations.get(call.stationId)?.group !== desk.group) return refused('other-group', "the call's station is not in the group of the chosen desk");
    if (snapshot.byStation[desk.id] !== undefined || this.#deskInUse(desk.id)) return refused('desk-busy', 'the desk phone is in a call or a listen-along');

    const attempt: Attempt = { actor, reference, stationId: call.stationId, fromStationId: desk.id, target: desk.deskPhone, abandoned: false };
    this.#attempts.add(attempt);
    const outcome = await this.#ring(attempt, whisper);
    if (outcome.kind === 'answered') {
      const session = this.#sessions.get(outcome.session.id);
      if (session) return { ok: true, value: this.#view(session) };
      // Hung up in the same instant it answered.
      return refused('phone-unanswered', 'the listen-along ended as it started');
    }
    if (outcome.kind === 'failed') this.#logger.info({ reference, desk: desk.id, err: describeError(outcome.error) }, 'listen-along not started');
    else this.#logger.info({ reference, desk: desk.id }, 'listen-along phone did not answer in time');
    return refused('phone-unanswered', 'the desk phone did not answer');
  }

  setWhisper(actor: SupervisorActor, sessionId: string, on: boolean): SupervisionResult<ListenAlongView> {
    const found = this.#owned(actor, sessionId);
    if (!found.ok) return found;
    const session = found.value;
    session.handle?.setWhisper(on);
    session.whisper = on;
    session.whispered ||= on;
    this.#logger.info({ session: session.id, whisper: on }, 'listen-along whisper switched');
    return { ok: true, value: this.#view(session) };
  }

  async stopListenAlong(actor: SupervisorActor, sessionId: string): Promise<SupervisionResult<ListenAlongView>> {
    const found = this.#owned(actor, sessionId);
    if (!found.ok) return found;
    const view = this.#view(found.value);
    await found.value.handle?.stop();
    return { ok: true, value: view };
  }

  /** Waits for the phone, at most answerTimeoutMs; a later answer is hung up at once. */
  #ring(attempt: Attempt, whisper: boolean): Promise<Outcome> {
    let started: Promise<SupervisedSession>;
    try {
      started = this.#line.listenAlong(attempt.reference, attempt.target, { whisper });
    } catch (error) {
      this.#attempts.delete(attempt);
      return Promise.resolve({ kind: 'failed', error });
    }
    return new Promise<Outcome>((resolve) => {
      const cancel = this.#scheduler.after(this.#answerTimeoutMs, () => {
        attempt.abandoned = true;
        resolve({ kind: 'timeout' });
      });
      attempt.giveUp = () => {
        cancel();
        resolve({ kind: 'failed', error: new Error('the call ended before the phone answered') });
      };
      started.then(
        (handle) => {
          cancel();
          this.#attempts.delete(attempt);
          const session = this.#sessions.get(handle.id);
          if (session) session.handle = handle;
          if (attempt.abandoned) void handle.stop();
          resolve({ kind: 'answered', session: handle });
        },
        (error: unknown) => {
          cancel();
          this.#attempts.delete(attempt);
          resolve({ kind: 'failed', error });
        },
      );
    });
  }

  #deskInUse(deskId: string): boolean {
    for (const attempt of this.#attempts) if (attempt.fromStationId === deskId && !attempt.abandoned) return true;
    for (const session of this.#sessions.values()) if (session.attempt.fromStationId === deskId) return true;
    return false;
  }

  #owned(actor: SupervisorActor, sessionId: string): SupervisionResult<ActiveSession> {
    if (!can(actor.role, 'listen-along')) return refused('forbidden', 'only supervisors listen along');
    const session = this.#sessions.get(sessionId);
    if (!session?.handle) return refused('unknown-session', 'no such listen-along');
    if (session.attempt.actor.accountId !== actor.accountId) return refused('not-yours', "another supervisor's listen-along");
    return { ok: true, value: session };
  }

  #observe(event: ListenAlongEvent): void {
    // A desk whose earlier request gave up may ring twice for the same call: the live request wins.
    const matching = [...this.#attempts].filter((candidate) => candidate.target === event.supervisorTarget && candidate.reference === event.reference);
    const attempt = matching.find((candidate) => !candidate.abandoned) ?? matching[0];
    if (event.kind === 'started') {
      if (attempt) {
        this.#attempts.delete(attempt);
        this.#sessions.set(event.sessionId, { id: event.sessionId, attempt, startedAt: event.at, whisper: event.whisper, whispered: event.whisper, handle: undefined });
      }
      this.#write('listen-along.started', event, attempt);
      return;
    }
    // Stopped or failed before it answered (the call ended while the phone rang): no longer waited for.
    if (attempt) {
      this.#attempts.delete(attempt);
      attempt.giveUp?.();
    }
    if (event.kind === 'stopped') {
      const session = this.#sessions.get(event.sessionId);
      this.#sessions.delete(event.sessionId);
      if (session) this.#write('listen-along.stopped', event, session.attempt, session.whispered);
      else if (!attempt) this.#write('listen-along.stopped', event, undefined);
      return;
    }
    // Failed: the phone never answered, so nobody heard anything; the request reports it.
    this.#logger.info({ reference: event.reference, reason: event.reason ?? 'unknown' }, 'listen-along phone did not answer');
  }

  #write(action: 'listen-along.started' | 'listen-along.stopped', event: ListenAlongEvent, attempt: Attempt | undefined, whispered?: boolean): void {
    // A listen-along this class did not start (none should exist) is still audited, by the box.
    const actor = attempt
      ? { actorRole: 'supervisor' as const, actorId: accountActorId(attempt.actor.accountId) }
      : { actorRole: 'system' as const, actorId: UNATTRIBUTED };
    const details: Record<string, string | boolean> = { session: event.sessionId, station: event.stationId ?? 'none', whisper: event.whisper };
    if (attempt) details.desk = attempt.fromStationId;
    if (whispered !== undefined) details.whispered = whispered || event.whisper;
    if (event.reason !== undefined) details.reason = event.reason;
    try {
      this.#audit({ ...actor, action, target: event.reference, details });
    } catch (error) {
      this.#logger.error({ action, err: describeError(error) }, 'audit entry for a listen-along not written');
    }
  }

  #view(session: ActiveSession): ListenAlongView {
    const { attempt } = session;
    return {
      sessionId: session.id,
      reference: attempt.reference,
      stationId: attempt.stationId,
      stationName: nameOf(this.#stations.get(attempt.stationId), attempt.stationId),
      fromStationId: attempt.fromStationId,
      accountId: attempt.actor.accountId,
      whisper: session.whisper,
      startedAt: session.startedAt,
    };
  }
}

function nameOf(station: SupervisedStation | undefined, id: string): string {
  return station?.displayName ?? id;
}

function refused(refusal: SupervisionRefusal, message: string): { ok: false; refusal: SupervisionRefusal; message: string } {
  return { ok: false, refusal, message };
}

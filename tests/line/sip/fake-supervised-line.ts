import { randomBytes } from 'node:crypto';
import type { ContactReference } from '../../../src/contacts/contact-view.js';
import type { ListenAlongEvent, SipCallSnapshot, SipCallState, SipLineSnapshot, SupervisedLine, SupervisedSession } from '../../../src/line/sip/index.js';

/**
 * Stands in for SipLine where SipSupervision uses it: a snapshot the test sets, listen-along
 * requests the test answers or refuses by hand, and the line's `listen-along` events.
 */
export class FakeSupervisedLine implements SupervisedLine {
  calls: SipCallSnapshot[] = [];
  now = 1_000_000;
  readonly requests: FakeListenAlongRequest[] = [];
  readonly #listeners = new Set<(event: ListenAlongEvent) => void>();

  /** A call connected to `stationId` (or ringing at the stations in `ringing`). */
  addCall(reference: string, stationId: string | null, options: { state?: SipCallState; ringing?: string[] } = {}): ContactReference {
    this.calls.push({ reference: reference as ContactReference, state: options.state ?? 'connected', since: this.now, stationId, ringing: options.ringing ?? [], listenAlong: 0 });
    return reference as ContactReference;
  }

  snapshot(): SipLineSnapshot {
    const byState: Record<SipCallState, number> = { setup: 0, ringing: 0, queued: 0, connected: 0, prompt: 0, ended: 0 };
    const byStation: Record<string, { state: 'ringing' | 'connected'; reference: ContactReference }> = {};
    for (const call of this.calls) {
      byState[call.state]++;
      for (const stationId of call.ringing) byStation[stationId] = { state: 'ringing', reference: call.reference };
      if (call.stationId !== null) byStation[call.stationId] = { state: 'connected', reference: call.reference };
    }
    return { at: this.now, calls: this.calls, byState, byStation };
  }

  listenAlong(reference: ContactReference, supervisorTarget: string, options: { whisper?: boolean }): Promise<SupervisedSession> {
    const call = this.calls.find((candidate) => candidate.reference === reference);
    if (!call || call.state !== 'connected') return Promise.reject(new Error('no connected call with that reference'));
    return new Promise((resolve, reject) => {
      this.requests.push(new FakeListenAlongRequest(this, { reference, stationId: call.stationId, supervisorTarget, whisper: options.whisper ?? false }, resolve, reject));
    });
  }

  on(_event: 'listen-along', listener: (event: ListenAlongEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  emit(event: ListenAlongEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

interface RequestSpec {
  readonly reference: ContactReference;
  readonly stationId: string | null;
  readonly supervisorTarget: string;
  readonly whisper: boolean;
}

/** One INVITE to a supervisor's phone, as the line would place it. */
export class FakeListenAlongRequest {
  readonly spec: RequestSpec;
  readonly id = randomBytes(8).toString('hex');
  readonly #line: FakeSupervisedLine;
  readonly #resolve: (session: SupervisedSession) => void;
  readonly #reject: (error: Error) => void;
  session: FakeSession | undefined;

  constructor(line: FakeSupervisedLine, spec: RequestSpec, resolve: (session: SupervisedSession) => void, reject: (error: Error) => void) {
    this.#line = line;
    this.spec = spec;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** The phone answers: `started`, then the promise resolves (the line's order). */
  answer(): FakeSession {
    const session = new FakeSession(this.#line, this.id, this.spec);
    this.session = session;
    session.report('started');
    this.#resolve(session);
    return session;
  }

  refuse(reason = 'busy'): void {
    this.#line.emit({ kind: 'failed', sessionId: this.id, ...this.#eventFields(), reason });
    this.#reject(new Error(`the supervisor's phone did not answer (${reason})`));
  }

  /** The call ended while the phone rang: the line reports `stopped` and never settles the promise. */
  endWhileRinging(): void {
    this.#line.emit({ kind: 'stopped', sessionId: this.id, ...this.#eventFields(), reason: 'call-ended' });
  }

  #eventFields(): Omit<ListenAlongEvent, 'kind' | 'sessionId'> {
    return { reference: this.spec.reference, stationId: this.spec.stationId, supervisorTarget: this.spec.supervisorTarget, whisper: this.spec.whisper, at: this.#line.now };
  }
}

export class FakeSession implements SupervisedSession {
  readonly id: string;
  readonly whispers: boolean[] = [];
  whisper: boolean;
  stopped = false;
  readonly #line: FakeSupervisedLine;
  readonly #spec: RequestSpec;

  constructor(line: FakeSupervisedLine, id: string, spec: RequestSpec) {
    this.#line = line;
    this.id = id;
    this.#spec = spec;
    this.whisper = spec.whisper;
  }

  setWhisper(on: boolean): void {
    this.whisper = on;
    this.whispers.push(on);
  }

  async stop(): Promise<void> {
    this.end('stopped');
  }

  /** Ends the session as the line does: once, with a `stopped` event. */
  end(reason: 'stopped' | 'supervisor-hung-up' | 'call-ended'): void {
    if (this.stopped) return;
    this.stopped = true;
    this.report('stopped', reason);
  }

  report(kind: 'started' | 'stopped', reason?: string): void {
    this.#line.emit({
      kind,
      sessionId: this.id,
      reference: this.#spec.reference,
      stationId: this.#spec.stationId,
      supervisorTarget: this.#spec.supervisorTarget,
      whisper: this.whisper,
      at: this.#line.now,
      ...(reason === undefined ? {} : { reason }),
    });
  }
}

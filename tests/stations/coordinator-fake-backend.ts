import { randomBytes } from 'node:crypto';
import type { AccountSummary, AuthenticatedSession, LoginContext, LoginResult, Role } from '../../src/accounts/index.js';
import type { AuditRecord, AuditVerification, NewAuditEntry } from '../../src/audit/index.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { createLogger } from '../../src/log/index.js';
import type {
  CoordinatorAccounts,
  CoordinatorActor,
  CoordinatorAudit,
  CoordinatorBackend,
  CoordinatorDisclosures,
  CoordinatorIncidents,
  DisclosureApprovalView,
  DisclosureRefusalView,
  IncidentAlertView,
  IncidentSeverityView,
  IncidentView,
  PendingDisclosureView,
} from '../../src/stations/index.js';
import { StationServer } from '../../src/stations/index.js';
import { ManualClock } from '../../src/time/clock.js';
import { DESK_TOKEN, FakeCallerRequestDesk, PASSWORD } from '../support/coordinator-fixture.js';
import { FakeStationBackend } from './fake-station-backend.js';

/** What a fake approval reveals; tests look for it everywhere else. */
export const REVEALED_NUMBER = '+31612345678';
export const START = Date.UTC(2026, 0, 15, 10, 0, 0);

export class FakeAccounts implements CoordinatorAccounts {
  readonly logins: LoginContext[] = [];
  readonly changes: string[] = [];
  /** When set, every login is refused as throttled until then. */
  throttledUntil: number | undefined;
  readonly #clock: ManualClock;
  readonly #accounts = new Map<string, { role: Role; createdAt: number; disabledAt: number | null }>();
  readonly #sessions = new Map<string, { accountId: string; csrfToken: string }>();

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  add(id: string, role: Role): void {
    this.#accounts.set(id, { role, createdAt: this.#clock.now(), disabledAt: null });
  }

  async login(id: string, password: string, context: LoginContext): Promise<LoginResult> {
    this.logins.push(context);
    if (this.throttledUntil !== undefined) return { ok: false, reason: 'throttled', message: 'too many failed logins; try again later', retryAt: this.throttledUntil };
    const account = this.#accounts.get(id);
    if (!account || password !== PASSWORD) return { ok: false, reason: 'invalid', message: 'account or password is not correct' };
    if (account.disabledAt !== null) return { ok: false, reason: 'disabled', message: 'this account is disabled' };
    if (context.replacing !== undefined) this.#sessions.delete(context.replacing);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    this.#sessions.set(token, { accountId: id, csrfToken });
    return { ok: true, accountId: id, role: account.role, session: { token, csrfToken, expiresAt: this.#clock.now() + 30 * 60_000 } };
  }

  authenticate(token: unknown): AuthenticatedSession | undefined {
    const session = typeof token === 'string' ? this.#sessions.get(token) : undefined;
    const account = session && this.#accounts.get(session.accountId);
    if (!session || !account || account.disabledAt !== null) return undefined;
    return { accountId: session.accountId, role: account.role, csrfToken: session.csrfToken, createdAt: START, expiresAt: this.#clock.now() + 30 * 60_000 };
  }

  logout(token: unknown): boolean {
    return typeof token === 'string' && this.#sessions.delete(token);
  }

  listAccounts(): AccountSummary[] {
    return [...this.#accounts].map(([id, account]) => ({ id, ...account }));
  }

  async createAccount(id: string, role: Role, _password: string, by: CoordinatorActor): Promise<AccountSummary> {
    this.changes.push(`create ${id} ${role} by ${by.accountId}`);
    this.add(id, role);
    return this.#summary(id);
  }

  changeRole(id: string, role: Role, by: CoordinatorActor): AccountSummary {
    this.changes.push(`role ${id} ${role} by ${by.accountId}`);
    const account = this.#accounts.get(id);
    if (account) account.role = role;
    return this.#summary(id);
  }

  disable(id: string, by: CoordinatorActor): AccountSummary {
    this.changes.push(`disable ${id} by ${by.accountId}`);
    const account = this.#accounts.get(id);
    if (account) account.disabledAt = this.#clock.now();
    return this.#summary(id);
  }

  enable(id: string, by: CoordinatorActor): AccountSummary {
    this.changes.push(`enable ${id} by ${by.accountId}`);
    const account = this.#accounts.get(id);
    if (account) account.disabledAt = null;
    return this.#summary(id);
  }

  #summary(id: string): AccountSummary {
    const account = this.#accounts.get(id);
    if (!account) throw new RangeError('no such account');
    return { id, ...account };
  }
}

export class FakeDisclosures implements CoordinatorDisclosures {
  readonly #requests = new Map<number, PendingDisclosureView & { state: 'pending' | 'approved' | 'refused' }>();

  request(actor: CoordinatorActor, reference: ContactReference, reason: string): { ok: true; requestId: number } | DisclosureRefusalView {
    if (reason.trim().length < 30) return { ok: false, reason: 'no-reason' };
    const requestId = this.#requests.size + 1;
    this.#requests.set(requestId, { requestId, reference, requestedBy: actor.accountId, reason, requestedAt: START, expiresAt: START + 86_400_000, state: 'pending' });
    return { ok: true, requestId };
  }

  approve(actor: CoordinatorActor, requestId: number): DisclosureApprovalView {
    const request = this.#requests.get(requestId);
    if (!request || request.state !== 'pending') return { ok: false, reason: 'not-pending' };
    if (request.requestedBy === actor.accountId) return { ok: false, reason: 'same-coordinator' };
    request.state = 'approved';
    return { ok: true, requestId, reference: request.reference, revealed: REVEALED_NUMBER, incidentId: 1 };
  }

  refuse(_actor: CoordinatorActor, requestId: number): { ok: true } | DisclosureRefusalView {
    const request = this.#requests.get(requestId);
    if (!request || request.state !== 'pending') return { ok: false, reason: 'not-pending' };
    request.state = 'refused';
    return { ok: true };
  }

  pending(): { ok: true; requests: PendingDisclosureView[] } {
    return { ok: true, requests: [...this.#requests.values()].filter((request) => request.state === 'pending') };
  }
}

export class FakeIncidents implements CoordinatorIncidents {
  readonly #incidents: IncidentView[] = [];
  readonly #clock: ManualClock;

  constructor(clock: ManualClock) {
    this.#clock = clock;
  }

  open(): IncidentView[] {
    return this.#incidents.filter((incident) => incident.closedAt === null);
  }

  alerts(): IncidentAlertView[] {
    return this.open()
      .filter((incident) => incident.reportedToAuthorityAt === null && this.#clock.now() >= incident.detectedAt + 72 * 3_600_000)
      .map((incident) => ({ kind: 'overdue', incident, dueAt: incident.detectedAt + 72 * 3_600_000 }));
  }

  raise(incident: { kind: string; severity: IncidentSeverityView; summary: string }): { incident: IncidentView; folded: boolean } {
    if (/\d{6}/.test(incident.summary)) throw new TypeError('the incident summary holds something shaped like a phone number');
    const row: IncidentView = {
      id: this.#incidents.length + 1,
      kind: incident.kind,
      severity: incident.severity,
      summary: incident.summary,
      detectedAt: this.#clock.now(),
      assessment: null,
      reportedToAuthorityAt: null,
      notifiedPersonsAt: null,
      closedAt: null,
    };
    this.#incidents.push(row);
    return { incident: row, folded: false };
  }

  assess(id: number, assessment: string): IncidentView {
    return this.#update(id, { assessment });
  }

  markReportedToAuthority(id: number): IncidentView {
    return this.#update(id, { reportedToAuthorityAt: this.#clock.now() });
  }

  markPersonsNotified(id: number): IncidentView {
    return this.#update(id, { notifiedPersonsAt: this.#clock.now() });
  }

  close(id: number): IncidentView {
    return this.#update(id, { closedAt: this.#clock.now() });
  }

  #update(id: number, fields: Partial<IncidentView>): IncidentView {
    const index = this.#incidents.findIndex((incident) => incident.id === id);
    const current = this.#incidents[index];
    if (!current) throw new RangeError(`no incident ${id}`);
    const updated = { ...current, ...fields };
    this.#incidents[index] = updated;
    return updated;
  }
}

export class FakeAudit implements CoordinatorAudit {
  readonly appended: NewAuditEntry[] = [];

  entries(afterSeq: number, limit: number): AuditRecord[] {
    return this.appended.slice(afterSeq, afterSeq + limit).map((entry, index) => ({
      seq: afterSeq + index + 1,
      at: new Date(START).toISOString(),
      actorRole: entry.actorRole,
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? {},
      prevHash: new Uint8Array(32),
      hash: new Uint8Array(32).fill(afterSeq + index + 1),
    }));
  }

  count(): number {
    return this.appended.length;
  }

  verify(): AuditVerification {
    return { ok: true, entries: this.appended.length, head: null };
  }

  append(entry: NewAuditEntry): void {
    this.appended.push(entry);
  }
}

export interface FakeCoordinatorBackend extends CoordinatorBackend {
  readonly clock: ManualClock;
  readonly accounts: FakeAccounts;
  readonly callerRequests: FakeCallerRequestDesk;
  readonly disclosures: FakeDisclosures;
  readonly incidents: FakeIncidents;
  readonly audit: FakeAudit;
}

export function fakeCoordinatorBackend(): FakeCoordinatorBackend {
  const clock = new ManualClock(START);
  const accounts = new FakeAccounts(clock);
  for (const [id, role] of [['anna', 'coordinator'], ['bram', 'coordinator'], ['vera', 'volunteer'], ['sam', 'supervisor'], ['tom', 'technician']] as const) accounts.add(id, role);
  return {
    clock,
    accounts,
    callerRequests: new FakeCallerRequestDesk(clock),
    disclosures: new FakeDisclosures(),
    incidents: new FakeIncidents(clock),
    audit: new FakeAudit(),
    retention: {
      currentStatus: () => ({
        now: clock.now(),
        timeZone: 'Europe/Amsterdam',
        status: [{ dataClass: 'phone-number', kind: 'month-window', oldestItemAt: undefined, oldestLiveEpoch: '2025-08', nextDeadline: undefined, overdue: false, text: 'phone-number (month-window): nothing stored, no deadline' }],
      }),
    },
    system: {
      firmwareVersion: () => '9.8.7',
      health: () => ({ ok: true, checks: [{ name: 'database', ok: true, detail: 'quick_check ok' }] }),
    },
  };
}

export interface CoordinatorHarness {
  readonly backend: FakeCoordinatorBackend;
  readonly url: string;
  readonly logLines: string[];
  stop(): Promise<void>;
}

export async function startCoordinatorHarness(): Promise<CoordinatorHarness> {
  const backend = fakeCoordinatorBackend();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const server = new StationServer({ backend: new FakeStationBackend(), stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger, coordinator: backend });
  const { url } = await server.start();
  return { backend, url, logLines, stop: () => server.stop() };
}

import { AccountService, type ScryptParameters } from '../../src/accounts/index.js';
import { AuditLog } from '../../src/audit/index.js';
import { policyPresets } from '../../src/config/index.js';
import type { GatewayErrorCode } from '../../src/errors.js';
import { IncidentRegister } from '../../src/incidents/index.js';
import { createLogger } from '../../src/log/index.js';
import { planRetention, retentionRules } from '../../src/retention/index.js';
import type {
  AccessExport,
  CallerRequestDesk,
  CallerRequestResult,
  CallerRequestView,
  RegisterCallerRequest,
  RightsActor,
} from '../../src/rights/caller-request-types.js';
import { BreakGlassDisclosure, CallerRequests, revealingDisclosures } from '../../src/rights/index.js';
import { createPseudonymizer } from '../../src/privacy/pseudonym.js';
import { RightsRequestsRepository } from '../../src/store/rights-requests-repository.js';
import type { CoordinatorBackend } from '../../src/stations/index.js';
import { CSRF_HEADER, SESSION_COOKIE, StationServer } from '../../src/stations/index.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import type { Clock } from '../../src/time/clock.js';
import { deskFixture, type DeskFixture } from '../contacts/desk-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
/** Cheap hashes for tests; the shipped parameters are tested in tests/accounts. */
export const FAST_SCRYPT: ScryptParameters = { N: 2 ** 10, r: 8, p: 1 };
export const PASSWORD = 'een lange wachtzin voor tests';
export const DESK_TOKEN = { id: 'desk-1', token: 'desk-one-secret-token-7f3a9c' };

/**
 * A CallerRequestDesk that keeps to the contract in src/rights/caller-request-types.ts, for route
 * tests while the real one is written. It remembers what was supplied only to put it into the access
 * export (the person's own data), the one place the contract allows it.
 */
export class FakeCallerRequestDesk implements CallerRequestDesk {
  readonly calls: string[] = [];
  readonly #clock: Clock;
  readonly #views = new Map<string, CallerRequestView>();
  readonly #supplied = new Map<string, string>();
  #next = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  register(actor: RightsActor, request: RegisterCallerRequest): CallerRequestResult<CallerRequestView> {
    this.calls.push(`register:${actor.accountId}`);
    if (actor.role !== 'coordinator') return refusal('HGW_RIGHTS_FORBIDDEN', 'coordinators only');
    if (request.supplied.trim() === '') return refusal('HGW_RIGHTS_INVALID_IDENTIFIER', 'nothing was supplied');
    const reference = `RQ-${String(++this.#next).padStart(8, 'K')}`;
    const receivedAt = request.receivedAt ?? this.#clock.now();
    this.#supplied.set(reference, request.supplied);
    return this.#store({
      reference,
      kind: request.kind,
      channel: request.channel,
      status: 'received',
      receivedAt,
      registeredBy: actor.accountId,
      identityCheckedAt: null,
      identityCheckedBy: null,
      dueAt: receivedAt + 30 * DAY,
      extension: null,
      answeredAt: null,
      answeredBy: null,
      answer: null,
      alert: null,
    });
  }

  confirmIdentity(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView> {
    const view = this.#views.get(reference);
    if (!view) return refusal('HGW_RIGHTS_UNKNOWN_REQUEST', 'no request with this reference');
    if (view.status !== 'received') return refusal('HGW_RIGHTS_ANSWERED', 'identity already checked');
    return this.#store({ ...view, status: 'identity-checked', identityCheckedAt: this.#clock.now(), identityCheckedBy: actor.accountId });
  }

  extend(actor: RightsActor, reference: string, extension: { readonly reason: string; readonly noticeSentAt: number }): CallerRequestResult<CallerRequestView> {
    const view = this.#views.get(reference);
    if (!view) return refusal('HGW_RIGHTS_UNKNOWN_REQUEST', 'no request with this reference');
    if (extension.reason.trim().length < 20 || view.extension) return refusal('HGW_RIGHTS_EXTENSION_REFUSED', 'an extension needs a reason of 20 characters, once');
    const now = this.#clock.now();
    return this.#store({ ...view, status: 'extended', dueAt: view.dueAt + 60 * DAY, extension: { ...extension, extendedBy: actor.accountId, extendedAt: now } });
  }

  exportAccess(actor: RightsActor, reference: string): CallerRequestResult<AccessExport> {
    const answered = this.#answer(actor, reference, 'access');
    if (!answered.ok) return answered;
    const supplied = this.#supplied.get(reference) ?? '';
    return {
      ok: true,
      value: {
        view: answered.value,
        fileName: `access-${reference}.json`,
        htmlFileName: `access-${reference}.html`,
        json: JSON.stringify({ reference, supplied, contacts: [] }),
        html: `<!doctype html><title>Inzage ${reference}</title><p>${supplied}</p>`,
      },
    };
  }

  erase(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView> {
    return this.#answer(actor, reference, 'erasure');
  }

  object(actor: RightsActor, reference: string): CallerRequestResult<CallerRequestView> {
    return this.#answer(actor, reference, 'objection');
  }

  list(actor: RightsActor): CallerRequestResult<CallerRequestView[]> {
    if (actor.role !== 'coordinator') return refusal('HGW_RIGHTS_FORBIDDEN', 'coordinators only');
    return { ok: true, value: [...this.#views.values()] };
  }

  alerts(): CallerRequestView[] {
    return [...this.#views.values()].filter((view) => view.alert !== null);
  }

  /** Marks a request overdue, as the deadline clock would. */
  makeOverdue(reference: string): void {
    const view = this.#views.get(reference);
    if (view) this.#views.set(reference, { ...view, alert: 'overdue' });
  }

  #answer(actor: RightsActor, reference: string, kind: CallerRequestView['kind']): CallerRequestResult<CallerRequestView> {
    const view = this.#views.get(reference);
    if (!view) return refusal('HGW_RIGHTS_UNKNOWN_REQUEST', 'no request with this reference');
    if (view.kind !== kind) return refusal('HGW_RIGHTS_WRONG_KIND', `this is not a request for ${kind}`);
    if (view.identityCheckedAt === null) return refusal('HGW_RIGHTS_IDENTITY_UNCHECKED', 'confirm the identity first');
    // As the real desk: an answer is given once (an export is never kept to be fetched again).
    if (view.status === 'answered') return refusal('HGW_RIGHTS_ANSWERED', 'this request was answered already');
    const summary = { access: 'exported 0 contacts', erasure: 'erased 0 contacts', objection: 'objection recorded' }[kind];
    return this.#store({
      ...view,
      status: 'answered',
      answeredAt: this.#clock.now(),
      answeredBy: actor.accountId,
      answer: { matchedContacts: 0, transcriptLines: 0, erasedContacts: 0, erasedTranscriptLines: 0, nothingLinkableRemains: true, summary },
    });
  }

  #store(view: CallerRequestView): CallerRequestResult<CallerRequestView> {
    this.#views.set(view.reference, view);
    return { ok: true, value: view };
  }
}

function refusal(code: GatewayErrorCode, message: string): { ok: false; code: GatewayErrorCode; message: string } {
  return { ok: false, code, message };
}

/** The break-glass adapter main.ts needs: the approval's RawIdentifier rendered by rights/ for the page. */

export interface CoordinatorFixture {
  readonly desk: DeskFixture;
  readonly accounts: AccountService;
  readonly audit: AuditLog;
  readonly incidents: IncidentRegister;
  readonly breakGlass: BreakGlassDisclosure;
  readonly callerRequests: CallerRequests;
  readonly server: StationServer;
  readonly url: string;
  readonly logLines: string[];
  close(): Promise<void>;
}

/**
 * The station server with the coordinator API over the real core: AccountService, AuditLog,
 * IncidentRegister and BreakGlassDisclosure on a temporary GatewayDatabase and keyring (the contact
 * desk's fixture), wired the way main.ts should wire them. Only the callers' request desk is a fake.
 */
export async function startCoordinatorFixture(options: { throttle?: { maxFailures?: number; lockMs?: number } } = {}): Promise<CoordinatorFixture> {
  const desk = deskFixture(new Date('2026-01-15T10:00:00Z'));
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const audit = new AuditLog({ database: desk.database, clock: desk.clock });
  const accounts = new AccountService({ database: desk.database, clock: desk.clock, logger, audit, scryptParameters: FAST_SCRYPT, ...(options.throttle ? { throttle: options.throttle } : {}) });
  const incidents = new IncidentRegister({ incidents: new IncidentsRepository(desk.database), clock: desk.clock, logger, audit });
  const breakGlass = new BreakGlassDisclosure({ database: desk.database, contacts: desk.contacts, vault: desk.vault, audit, incidents, clock: desk.clock, logger });
  const policy = policyPresets['lumi-be'];
  const callerRequests = new CallerRequests({
    database: desk.database,
    contacts: desk.contacts,
    requests: new RightsRequestsRepository(desk.database),
    pseudonymizer: createPseudonymizer(desk.keyring),
    vault: desk.vault,
    keyring: desk.keyring,
    audit,
    clock: desk.clock,
    timeZone: 'Europe/Amsterdam',
    country: 'NL',
    priorContacts: desk.priorContacts,
    objections: desk.objections,
    logger,
  });
  const backend: CoordinatorBackend = {
    clock: desk.clock,
    accounts,
    callerRequests,
    disclosures: revealingDisclosures(breakGlass),
    incidents,
    audit,
    retention: {
      currentStatus: () =>
        planRetention(retentionRules(policy), desk.clock.now(), 'Europe/Brussels', {
          'phone-linkage': { oldestItemAt: desk.contacts.oldestLinkedAt(), liveEpochs: desk.keyring.linkEpochs() },
          'phone-number': { oldestItemAt: desk.contacts.oldestSealedAt('phone'), liveEpochs: desk.keyring.vaultEpochs('phone-number') },
        }),
    },
    system: {
      firmwareVersion: () => '0.1.0-test',
      health: () => ({ ok: true, checks: [{ name: 'database', ok: true, detail: 'quick_check ok' }] }),
    },
    moderation: desk.moderation,
  };
  const server = new StationServer({ backend: desk.desk, stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger, coordinator: backend });
  const { url } = await server.start();
  return {
    desk,
    accounts,
    audit,
    incidents,
    breakGlass,
    callerRequests,
    server,
    url,
    logLines,
    close: async () => {
      await server.stop();
      desk.close();
    },
  };
}

export interface ClientResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
  readonly text: string;
}

/**
 * A browser stand-in over real HTTP: keeps the session cookie it is given and sends the CSRF token
 * from the login answer with every state-changing request (unless told not to).
 */
export class CoordinatorClient {
  readonly #url: string;
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(url: string) {
    this.#url = url;
  }

  async login(accountId: string, password = PASSWORD): Promise<ClientResponse<{ accountId: string; role: string; capabilities: string[]; csrfToken: string }>> {
    const response = await this.send<{ accountId: string; role: string; capabilities: string[]; csrfToken: string }>('POST', '/api/v1/session', { accountId, password });
    if (response.status === 200) this.csrfToken = response.body.csrfToken;
    return response;
  }

  async send<T = Record<string, unknown>>(method: string, path: string, body?: unknown, options: { csrf?: boolean } = {}): Promise<ClientResponse<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie !== undefined) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    if (method !== 'GET' && (options.csrf ?? true) && this.csrfToken !== undefined) headers[CSRF_HEADER] = this.csrfToken;
    const response = await fetch(`${this.#url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    for (const line of response.headers.getSetCookie()) {
      const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
      if (match) this.cookie = match[1] === '' ? undefined : decodeURIComponent(match[1] ?? '');
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed as T, headers: response.headers, text };
  }
}

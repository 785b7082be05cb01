import type { FastifyInstance, FastifyReply } from 'fastify';
import { normalizeAccountId } from '../accounts/account-policy.js';
import { isAccountError } from '../accounts/account-error.js';
import type { Role } from '../accounts/index.js';
import { capabilitiesOf, ROLES } from '../accounts/roles.js';
import type { Logger } from '../log/logger.js';
import type { CoordinatorBackend } from './coordinator-backend.js';
import { addCaseRoutes } from './coordinator-case-routes.js';
import { COORDINATOR_CODES, sendCoordinatorError, SessionGuard, sessionTokenOf } from './coordinator-http.js';
import { accountJson } from './coordinator-json.js';
import { addModerationRoutes } from './coordinator-moderation-routes.js';
import { addOversightRoutes } from './coordinator-oversight-routes.js';
import { COORDINATOR_PAGE_STYLE, coordinatorPageHtml } from './coordinator-page.js';
import { COORDINATOR_PAGE_SCRIPT } from './coordinator-page-script.js';
import { addTranscriptRoutes } from './coordinator-transcript-routes.js';
import { COORDINATOR_TRANSCRIPT_SCRIPT } from './coordinator-transcript-script.js';
import { addUpdateRoutes } from './coordinator-update-routes.js';
import { COORDINATOR_UPDATE_SCRIPT } from './coordinator-update-script.js';
import { clearedSessionCookie, RemoteKeyer, sessionCookie } from './session-auth.js';

export interface CoordinatorPluginOptions {
  readonly backend: CoordinatorBackend;
  readonly logger: Logger;
  /** The station server's request and socket counts, shown with health (no content). */
  readonly serverCounters: () => Readonly<Record<string, number>>;
}

const ACCOUNT_ID_PARAM = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } },
} as const;
const ROLE_VALUE = { type: 'string', enum: [...ROLES] } as const;

const LOGIN_SCHEMA = {
  body: {
    type: 'object',
    required: ['accountId', 'password'],
    additionalProperties: false,
    properties: { accountId: { type: 'string', minLength: 1, maxLength: 128 }, password: { type: 'string', minLength: 1, maxLength: 2048 } },
  },
} as const;

const CREATE_ACCOUNT_SCHEMA = {
  body: {
    type: 'object',
    required: ['id', 'role', 'password'],
    additionalProperties: false,
    properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, role: ROLE_VALUE, password: { type: 'string', minLength: 1, maxLength: 2048 } },
  },
} as const;

const CHANGE_ROLE_SCHEMA = {
  params: ACCOUNT_ID_PARAM,
  body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role: ROLE_VALUE } },
} as const;

/** The statuses for what AccountService throws on bad input; anything else is a server fault. */
const ACCOUNT_ERROR_STATUS: Readonly<Record<string, number>> = {
  HGW_ACCOUNT_INVALID_ID: 400,
  HGW_ACCOUNT_INVALID_ROLE: 400,
  HGW_ACCOUNT_WEAK_PASSWORD: 400,
  HGW_ACCOUNT_EXISTS: 409,
  HGW_ACCOUNT_UNKNOWN: 404,
};

/**
 * The coordinator's HTTP API and page (issue 3): cookie sessions with CSRF tokens, a capability
 * check per route, and every action of the rights, break-glass, incident, audit, retention,
 * account and health cores. Registered by StationServer when it is given a CoordinatorBackend.
 * Request bodies (passwords, supplied identifiers, reasons) are never logged.
 */
export async function coordinatorPlugin(app: FastifyInstance, options: CoordinatorPluginOptions): Promise<void> {
  const { backend, logger } = options;
  const guard = new SessionGuard(backend, logger);
  const keyer = new RemoteKeyer();

  app.setErrorHandler((error, _request, reply) => {
    const status = isAccountError(error) ? ACCOUNT_ERROR_STATUS[error.code] : undefined;
    if (isAccountError(error) && status !== undefined) return sendCoordinatorError(reply, status, error.code, error.message);
    // Everything else goes to the station server's handler (validation 400s, logged 500s).
    throw error;
  });

  const pageHtml = coordinatorPageHtml({ transcripts: backend.transcripts !== undefined, update: backend.update !== undefined });
  app.get('/coordinator', async (_request, reply) => reply.type('text/html; charset=utf-8').send(pageHtml));
  app.get('/coordinator.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(COORDINATOR_PAGE_SCRIPT));
  app.get('/coordinator-transcripts.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(COORDINATOR_TRANSCRIPT_SCRIPT));
  app.get('/coordinator-update.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(COORDINATOR_UPDATE_SCRIPT));
  app.get('/coordinator.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(COORDINATOR_PAGE_STYLE));

  app.post<{ Body: { accountId: string; password: string } }>('/api/v1/session', { schema: LOGIN_SCHEMA }, async (request, reply) => {
    // A token the browser already holds is ended by a successful login, never carried over (fixation).
    const replacing = sessionTokenOf(request);
    const result = await backend.accounts.login(request.body.accountId, request.body.password, {
      remoteKey: keyer.keyFor(request.ip),
      ...(replacing === undefined ? {} : { replacing }),
    });
    if (!result.ok) {
      if (result.reason === 'throttled') {
        const now = backend.clock.now();
        reply.header('retry-after', String(Math.max(1, Math.ceil(((result.retryAt ?? now) - now) / 1000))));
        return sendCoordinatorError(reply, 429, COORDINATOR_CODES.throttled, result.message);
      }
      return sendCoordinatorError(reply, result.reason === 'disabled' ? 403 : 401, COORDINATOR_CODES.unauthorized, result.message);
    }
    reply.header('set-cookie', sessionCookie(result.session.token, request.protocol === 'https'));
    return sessionJson(result.accountId, result.role, result.session.csrfToken, result.session.expiresAt);
  });

  app.get('/api/v1/session', { onRequest: guard.hook(null) }, async (request) => {
    const { session } = guard.sessionOf(request);
    return sessionJson(session.accountId, session.role, session.csrfToken, session.expiresAt);
  });

  app.delete('/api/v1/session', { onRequest: guard.hook(null) }, async (request, reply) => {
    backend.accounts.logout(guard.sessionOf(request).token);
    return reply.header('set-cookie', clearedSessionCookie(request.protocol === 'https')).code(204).send();
  });

  addAccountRoutes(app, backend, guard);

  app.get('/api/v1/system/version', { onRequest: guard.hook('health.read') }, async () => ({ firmwareVersion: backend.system.firmwareVersion() }));
  app.get('/api/v1/system/health', { onRequest: guard.hook('health.read') }, async () => {
    const health = backend.system.health();
    const counters = { ...options.serverCounters(), ...prefixed('coordinator.', guard.counters()) };
    return { ok: health.ok, checks: health.checks.map((check) => ({ name: check.name, ok: check.ok, detail: check.detail })), counters };
  });

  // The technician's and the coordinator's health report: counts, codes, versions, times only.
  app.get('/health', { onRequest: guard.hook('health.read') }, async (_request, reply) => {
    const report = backend.system.report?.();
    if (!report) return sendCoordinatorError(reply, 404, COORDINATOR_CODES.notFound, 'no health report on this box');
    return reply.header('cache-control', 'no-store').send(report);
  });

  addCaseRoutes(app, backend, guard);
  addOversightRoutes(app, backend, guard);
  addModerationRoutes(app, backend, guard);
  addTranscriptRoutes(app, backend, guard);
  addUpdateRoutes(app, backend, guard);
}

function sessionJson(accountId: string, role: Role, csrfToken: string, expiresAt: number) {
  return { accountId, role, capabilities: capabilitiesOf(role), csrfToken, expiresAt };
}

function prefixed(prefix: string, counters: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).map(([key, value]) => [`${prefix}${key}`, value]));
}

function addAccountRoutes(app: FastifyInstance, backend: CoordinatorBackend, guard: SessionGuard): void {
  const onRequest = guard.hook('accounts.manage');
  /** Another coordinator disables or demotes you: nobody can lock the site out by their own hand. */
  const refuseSelf = (reply: FastifyReply, actorId: string, id: string): FastifyReply | undefined =>
    normalizeAccountId(id) === actorId
      ? sendCoordinatorError(reply, 409, COORDINATOR_CODES.conflict, 'another coordinator must change or disable your own account')
      : undefined;

  app.get('/api/v1/accounts', { onRequest }, async () => ({ accounts: backend.accounts.listAccounts().map(accountJson) }));

  app.post<{ Body: { id: string; role: Role; password: string } }>('/api/v1/accounts', { onRequest, schema: CREATE_ACCOUNT_SCHEMA }, async (request, reply) => {
    const account = await backend.accounts.createAccount(request.body.id, request.body.role, request.body.password, guard.actorOf(request));
    return reply.code(201).send({ account: accountJson(account) });
  });

  app.put<{ Params: { id: string }; Body: { role: Role } }>('/api/v1/accounts/:id/role', { onRequest, schema: CHANGE_ROLE_SCHEMA }, async (request, reply) => {
    const actor = guard.actorOf(request);
    const refused = refuseSelf(reply, actor.accountId, request.params.id);
    if (refused) return refused;
    return { account: accountJson(backend.accounts.changeRole(request.params.id, request.body.role, actor)) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/accounts/:id/disable', { onRequest, schema: { params: ACCOUNT_ID_PARAM } }, async (request, reply) => {
    const actor = guard.actorOf(request);
    const refused = refuseSelf(reply, actor.accountId, request.params.id);
    if (refused) return refused;
    return { account: accountJson(backend.accounts.disable(request.params.id, actor)) };
  });

  app.post<{ Params: { id: string } }>('/api/v1/accounts/:id/enable', { onRequest, schema: { params: ACCOUNT_ID_PARAM } }, async (request) => ({
    account: accountJson(backend.accounts.enable(request.params.id, guard.actorOf(request))),
  }));
}

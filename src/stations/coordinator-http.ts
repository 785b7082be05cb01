import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AuthenticatedSession } from '../accounts/index.js';
import { can, type Capability } from '../accounts/roles.js';
import { csrfTokenMatches } from '../accounts/sessions.js';
import { accountActorId, type AuditAction, type AuditDetails } from '../audit/index.js';
import type { GatewayErrorCode } from '../errors.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { CoordinatorActor, CoordinatorBackend } from './coordinator-backend.js';
import { clearedSessionCookie, CSRF_HEADER, isSameOrigin, isStateChanging, parseCookies, SESSION_COOKIE } from './session-auth.js';

/**
 * The codes the coordinator routes answer with. Forbidden, throttled and conflict have no code of
 * their own in src/errors.ts yet (HGW_STATION_FORBIDDEN, HGW_STATION_THROTTLED and
 * HGW_STATION_CONFLICT are proposed); until then they reuse the nearest one, in this one place.
 */
export const COORDINATOR_CODES = {
  unauthorized: 'HGW_STATION_UNAUTHORIZED',
  forbidden: 'HGW_STATION_FORBIDDEN',
  throttled: 'HGW_STATION_THROTTLED',
  badRequest: 'HGW_STATION_BAD_REQUEST',
  notFound: 'HGW_STATION_NOT_FOUND',
  conflict: 'HGW_STATION_CONFLICT',
} as const satisfies Record<string, GatewayErrorCode>;

export interface CoordinatorErrorBody {
  readonly code: GatewayErrorCode;
  readonly message: string;
  /** A refusal reason code from the core (e.g. `same-coordinator`), when there is one. */
  readonly reason?: string;
}

export function sendCoordinatorError(reply: FastifyReply, status: number, code: GatewayErrorCode, message: string, reason?: string): FastifyReply {
  const body: CoordinatorErrorBody = reason === undefined ? { code, message } : { code, message, reason };
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/**
 * The status for a refusal the core returned (not threw): told apart by its code's words, since
 * callers' request codes are still being added to src/errors.ts. Anything not recognised is a
 * refusal in the request's current state: 409.
 */
export function statusForRefusal(code: GatewayErrorCode): number {
  if (/_(UNKNOWN|NOT_FOUND)(_|$)/.test(code)) return 404;
  if (/_(UNAUTHORIZED|FORBIDDEN|DENIED)(_|$)/.test(code)) return 403;
  if (/_(INVALID|WEAK|BAD_REQUEST|MISSING)(_|$)/.test(code)) return 400;
  if (code === 'HGW_KEY_SHREDDED') return 410;
  if (/^HGW_(STORE|KEYRING)_/.test(code)) return 500;
  return 409;
}

export interface GuardedSession {
  readonly token: string;
  readonly session: AuthenticatedSession;
}

/**
 * Cookie session, CSRF and capability checks, run as an onRequest hook before the body is read.
 * 401 without a live session; 403 for a state-changing request without the session's CSRF token
 * (or from another origin), and for a role without the route's capability.
 */
export class SessionGuard {
  readonly #backend: CoordinatorBackend;
  readonly #logger: Logger;
  readonly #sessions = new WeakMap<FastifyRequest, GuardedSession>();
  readonly #counters = { refusedNoSession: 0, refusedCsrf: 0, refusedCapability: 0, auditFailures: 0 };

  constructor(backend: CoordinatorBackend, logger: Logger) {
    this.#backend = backend;
    this.#logger = logger;
  }

  /** `null` lets every logged-in account through (the session routes). */
  hook(capability: Capability | null): onRequestAsyncHookHandler {
    return async (request, reply) => {
      const token = sessionTokenOf(request);
      const session = token === undefined ? undefined : this.#backend.accounts.authenticate(token);
      const route = request.routeOptions.url;
      if (token === undefined || session === undefined) {
        this.#counters.refusedNoSession += 1;
        if (token !== undefined) reply.header('set-cookie', clearedSessionCookie(request.protocol === 'https'));
        return sendCoordinatorError(reply, 401, COORDINATOR_CODES.unauthorized, 'log in first (POST /api/v1/session)');
      }
      if (isStateChanging(request.method)) {
        const sameOrigin = isSameOrigin(request.headers.origin, request.headers.host, request.protocol);
        if (!sameOrigin || !csrfTokenMatches(session.csrfToken, request.headers[CSRF_HEADER])) {
          this.#counters.refusedCsrf += 1;
          this.#logger.warn({ method: request.method, route }, 'coordinator request without a valid CSRF token refused');
          return sendCoordinatorError(reply, 403, COORDINATOR_CODES.forbidden, `state-changing requests need the session's ${CSRF_HEADER} header`);
        }
      }
      if (capability !== null && !can(session.role, capability)) {
        this.#counters.refusedCapability += 1;
        this.#logger.warn({ method: request.method, route, role: session.role }, 'coordinator request refused: role lacks the capability');
        return sendCoordinatorError(reply, 403, COORDINATOR_CODES.forbidden, `the ${session.role} role may not do this`);
      }
      this.#sessions.set(request, { token, session });
      return undefined;
    };
  }

  /** The session the hook admitted; a route without the hook asking for it is a programming error. */
  sessionOf(request: FastifyRequest): GuardedSession {
    const guarded = this.#sessions.get(request);
    if (!guarded) throw new Error('coordinator route registered without its session guard');
    return guarded;
  }

  actorOf(request: FastifyRequest): CoordinatorActor {
    const { session } = this.sessionOf(request);
    return { accountId: session.accountId, role: session.role };
  }

  /**
   * Appends an audit entry for an action the core does not audit itself. The action is already
   * done when this runs, so a failed append is logged and counted rather than reported as a failed
   * action (which would invite the coordinator to do it twice).
   */
  audit(actor: CoordinatorActor, action: AuditAction, target?: string, details?: AuditDetails): void {
    try {
      this.#backend.audit.append({
        actorRole: actor.role,
        actorId: accountActorId(actor.accountId),
        action,
        ...(target === undefined ? {} : { target }),
        ...(details === undefined ? {} : { details }),
      });
    } catch (error) {
      this.#counters.auditFailures += 1;
      this.#logger.error({ action, err: describeError(error) }, 'audit entry for a coordinator action not written');
    }
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.#counters };
  }
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return parseCookies(request.headers.cookie).get(SESSION_COOKIE);
}

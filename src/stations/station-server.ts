import type { AddressInfo } from 'node:net';
import { securityHeaders } from '../http/security-headers.js';
import { earlyRefusalHandlers } from '../http/early-refusals.js';
import { recordServedRoutes, type ServedRoute } from '../http/served-routes.js';
import { fastify, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fastifyWebsocket } from '@fastify/websocket';
import type { ContactReference, StationBackend, WrapUp } from '../contacts/contact-view.js';
import type { StationChatBackend, StationMailBackend } from '../contacts/conversation-view.js';
import type { GatewayErrorCode } from '../errors.js';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { CoordinatorBackend } from './coordinator-backend.js';
import { coordinatorPlugin } from './coordinator-routes.js';
import { StationAuthenticator, type StationCredential } from './station-auth.js';
import { addStationChatRoutes } from './station-chat-routes.js';
import { StationEventHub, type StationSnapshot } from './station-events.js';
import { addStationMailRoutes } from './station-mail-routes.js';
import { addStationModerationRoutes } from './station-moderation-routes.js';
import { supervisionPlugin } from './supervision-routes.js';
import { toCategoriesJson, toStationContactJson } from './station-json.js';
import { STATION_PAGE_HTML, STATION_PAGE_STYLE } from './station-page.js';
import { STATION_PAGE_SCRIPT } from './station-page-script.js';
import { STATION_CHAT_SCRIPT } from './station-chat-script.js';
import { STATION_MAIL_SCRIPT } from './station-mail-script.js';

export interface StationServerOptions {
  readonly backend: StationBackend;
  readonly stations: readonly StationCredential[];
  readonly host: string;
  /** 0 picks a free port; start() reports the real one. */
  readonly port: number;
  readonly logger: Logger;
  /** How long a WebSocket may stay open without authenticating; default 5000 ms. */
  readonly authTimeoutMs?: number;
  /** When given, the coordinator API and page (/coordinator, cookie sessions) are served too. */
  readonly coordinator?: CoordinatorBackend;
  /** When given, the chat routes and the page's chat panel; without it they answer 404 and the panel stays hidden. */
  readonly chat?: StationChatBackend;
  /** When given, the mail routes and the page's mail panel; without it they answer 404 and the panel stays hidden. */
  readonly mail?: StationMailBackend;
}

const DEFAULT_AUTH_TIMEOUT_MS = 5_000;
const EVENTS_ROUTE = '/api/v1/events';
const REFERENCE_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const CATEGORY_VALUE = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** The page loads its script and style from this server only: no inline code, no framing. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = securityHeaders(CONTENT_SECURITY_POLICY);

/** A URL fastify cannot route, headers too large, HTTP that does not parse: the same JSON as every other bad request. */
const EARLY_REFUSALS = earlyRefusalHandlers(
  (status) => ({
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({
      code: 'HGW_STATION_BAD_REQUEST',
      message: status === 414 ? 'a path parameter is too long' : status === 431 ? 'request headers too large' : status === 408 ? 'request too slow' : 'malformed request',
    } satisfies ErrorBody),
  }),
  SECURITY_HEADERS,
);

const WRAP_UP_SCHEMA = {
  params: {
    type: 'object',
    required: ['reference'],
    properties: { reference: { type: 'string', pattern: REFERENCE_PATTERN } },
  },
  body: {
    type: 'object',
    required: ['ageBand', 'topic', 'outcome'],
    additionalProperties: false,
    properties: { ageBand: CATEGORY_VALUE, topic: CATEGORY_VALUE, outcome: CATEGORY_VALUE },
  },
} as const;

interface ErrorBody {
  readonly code: GatewayErrorCode;
  readonly message: string;
}

function sendError(reply: FastifyReply, status: number, code: GatewayErrorCode, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ code, message } satisfies ErrorBody);
}

/** Client errors fastify raises itself (validation, parsing, size), told apart by status and code. */
function clientErrorMessage(error: { statusCode?: number; code?: string; validation?: unknown; message: string }): string {
  if (error.validation !== undefined) return error.message;
  if (error.statusCode === 413) return 'request body too large';
  if (error.statusCode === 415) return 'content type must be application/json';
  return 'malformed request';
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * A WebSocket upgrade may come from a page on another site (cross-site WebSocket hijacking);
 * browsers always send Origin, so one that is present must be this server's own.
 */
function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  if (host === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.protocol === `${request.protocol}:` && parsed.host === host.toLowerCase();
}

/**
 * The volunteer station adapter: HTTP API, WebSocket events and the station page. It sees only
 * what StationBackend offers (references, counts, categories): never an identifier or a pseudonym.
 */
export class StationServer {
  readonly #backend: StationBackend;
  readonly #authenticator: StationAuthenticator;
  readonly #logger: Logger;
  readonly #host: string;
  readonly #port: number;
  readonly #authTimeoutMs: number;
  readonly #coordinator: CoordinatorBackend | undefined;
  readonly #chat: StationChatBackend | undefined;
  readonly #mail: StationMailBackend | undefined;
  readonly #stationOf = new WeakMap<FastifyRequest, string>();
  readonly #counters = { requests: 0, authFailures: 0, wrapUps: 0, serverErrors: 0 };
  #app: FastifyInstance | undefined;
  #hub: StationEventHub | undefined;
  #unsubscribes: (() => void)[] = [];
  #servedRoutes: () => readonly ServedRoute[] = () => [];

  constructor(options: StationServerOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('StationServer: options are required');
    if (!options.backend) throw new TypeError('StationServer: options.backend is required');
    if (!options.logger) throw new TypeError('StationServer: options.logger is required');
    if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('StationServer: options.host is required');
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
      throw new TypeError('StationServer: options.port must be an integer from 0 to 65535');
    }
    const authTimeoutMs = options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
    if (!Number.isFinite(authTimeoutMs) || authTimeoutMs <= 0) throw new TypeError('StationServer: options.authTimeoutMs must be positive');
    this.#backend = options.backend;
    this.#authenticator = new StationAuthenticator(options.stations);
    this.#logger = options.logger.child({ component: 'stations' });
    this.#host = options.host;
    this.#port = options.port;
    this.#authTimeoutMs = authTimeoutMs;
    this.#coordinator = options.coordinator;
    this.#chat = options.chat;
    this.#mail = options.mail;
  }

  async start(): Promise<{ url: string }> {
    if (this.#app) throw new Error('StationServer already started');
    const hub = new StationEventHub({
      authenticator: this.#authenticator,
      snapshot: (stationId) => this.#snapshot(stationId),
      authTimeoutMs: this.#authTimeoutMs,
      logger: this.#logger,
    });
    const app = await this.#buildApp(hub);
    this.#app = app;
    this.#hub = hub;
    this.#unsubscribes = [this.#backend.onContactChanged((view) => hub.publish(view))];
    if (this.#chat) {
      this.#unsubscribes.push(
        this.#chat.onChatChanged((view) => hub.publishChat(view)),
        this.#chat.onChatLine((reference, stationId, line) => hub.publishChatLine(reference, stationId, line)),
      );
    }
    if (this.#mail) this.#unsubscribes.push(this.#mail.onThreadChanged((view) => hub.publishMail(view)));
    try {
      await app.listen({ host: this.#host, port: this.#port });
    } catch (error) {
      await this.stop();
      throw error;
    }
    const address = app.server.address() as AddressInfo;
    const url = `http://${urlHost(this.#host)}:${address.port}`;
    this.#logger.info({ port: address.port }, 'station server listening');
    return { url };
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.#unsubscribes.splice(0)) unsubscribe();
    this.#hub?.closeAll();
    this.#hub = undefined;
    const app = this.#app;
    this.#app = undefined;
    if (app) await app.close();
  }

  /** Counts for doctor/health: requests, failed logins, sockets. Never content. */
  counters(): Readonly<Record<string, number>> {
    const sockets = this.#hub?.counters() ?? {};
    const prefixed = Object.fromEntries(Object.entries(sockets).map(([key, value]) => [`socket.${key}`, value]));
    return { ...this.#counters, ...prefixed };
  }

  /** Every route this server answers once started (method and pattern): for the security test's route × role table. */
  routes(): readonly ServedRoute[] {
    return this.#servedRoutes();
  }

  #snapshot(stationId: string): StationSnapshot {
    return {
      contacts: this.#backend.openContacts(),
      ...(this.#chat ? { chats: this.#chat.chats(stationId) } : {}),
      ...(this.#mail ? { mails: this.#mail.threads() } : {}),
    };
  }

  async #buildApp(hub: StationEventHub): Promise<FastifyInstance> {
    const app = fastify({
      logger: false,
      trustProxy: false,
      bodyLimit: 4096,
      return503OnClosing: true,
      // Reject rather than repair: a wrap-up with extra or mistyped fields is a client bug.
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false } },
      frameworkErrors: EARLY_REFUSALS.frameworkErrors,
      clientErrorHandler: EARLY_REFUSALS.clientErrorHandler,
    });
    this.#servedRoutes = recordServedRoutes(app);
    await app.register(fastifyWebsocket, {
      options: { maxPayload: 4096 },
      errorHandler: (error, socket) => {
        this.#logger.warn({ err: describeError(error) }, 'station socket failed');
        socket.terminate();
      },
    });

    app.addHook('onSend', async (_request, reply, payload) => {
      reply.headers(SECURITY_HEADERS);
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      this.#counters.requests += 1;
      const route = request.routeOptions.url ?? '(no route)';
      const line = { method: request.method, route, status: reply.statusCode };
      if (route === '/api/v1/health') this.#logger.debug(line, 'request');
      else this.#logger.info(line, 'request');
    });
    app.setNotFoundHandler((_request, reply) => sendError(reply, 404, 'HGW_STATION_NOT_FOUND', 'no such route'));
    app.setErrorHandler<{ statusCode?: number; code?: string; validation?: unknown; message: string }>((error, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) return sendError(reply, status, 'HGW_STATION_BAD_REQUEST', clientErrorMessage(error));
      this.#counters.serverErrors += 1;
      this.#logger.error({ err: describeError(error) }, 'station request failed');
      return sendError(reply, 500, 'HGW_STATION_INTERNAL', 'internal error; the request was not completed');
    });

    this.#addPageRoutes(app);
    app.get('/api/v1/health', async () => ({ status: 'ok' }));
    app.get(EVENTS_ROUTE, {
      websocket: true,
      onRequest: async (request, reply) => {
        if (!isSameOrigin(request)) {
          this.#logger.warn({ route: EVENTS_ROUTE }, 'cross-origin socket refused');
          return sendError(reply, 403, 'HGW_STATION_UNAUTHORIZED', 'cross-origin connections are refused');
        }
        return undefined;
      },
    }, (socket) => hub.accept(socket));
    await app.register(async (api) => this.#addApiRoutes(api));
    if (this.#coordinator) {
      await app.register(coordinatorPlugin, { backend: this.#coordinator, logger: this.#logger, serverCounters: () => this.counters() });
      await app.register(supervisionPlugin, { backend: this.#coordinator, logger: this.#logger });
    }
    return app;
  }

  #addPageRoutes(app: FastifyInstance): void {
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(STATION_PAGE_HTML));
    app.get('/station.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(STATION_PAGE_SCRIPT));
    app.get('/station-chat.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(STATION_CHAT_SCRIPT));
    app.get('/station-mail.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(STATION_MAIL_SCRIPT));
    app.get('/station.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(STATION_PAGE_STYLE));
  }

  /** Routes behind the bearer token; the check runs before the body is parsed or validated. */
  #addApiRoutes(api: FastifyInstance): void {
    api.addHook('onRequest', async (request, reply) => {
      const stationId = this.#authenticator.authenticateHeader(request.headers.authorization);
      if (stationId === undefined) {
        this.#counters.authFailures += 1;
        this.#logger.warn({ method: request.method, route: request.routeOptions.url }, 'station authentication failed');
        return sendError(reply, 401, 'HGW_STATION_UNAUTHORIZED', 'a valid station token is required (Authorization: Bearer <token>)');
      }
      this.#stationOf.set(request, stationId);
      return undefined;
    });

    api.get('/api/v1/contacts', async () => ({ contacts: this.#backend.openContacts().map(toStationContactJson) }));
    api.get('/api/v1/categories', async () => toCategoriesJson(this.#backend.categories()));
    api.post<{ Params: { reference: string }; Body: WrapUp }>(
      '/api/v1/contacts/:reference/wrap-up',
      { schema: WRAP_UP_SCHEMA },
      async (request, reply) => {
        const stationId = this.#stationOf.get(request);
        if (stationId === undefined) return sendError(reply, 401, 'HGW_STATION_UNAUTHORIZED', 'a valid station token is required');
        const { ageBand, topic, outcome } = request.body;
        const categories = this.#backend.categories();
        if (!categories.ageBands.includes(ageBand) || !categories.topics.includes(topic) || !categories.outcomes.includes(outcome)) {
          return sendError(reply, 400, 'HGW_STATION_BAD_REQUEST', 'ageBand, topic and outcome must come from /api/v1/categories');
        }
        const result = this.#backend.wrapUp(request.params.reference as ContactReference, { ageBand, topic, outcome }, stationId);
        if (!result.ok) {
          const status = result.code === 'HGW_STATION_UNKNOWN_CONTACT' ? 404 : 400;
          return sendError(reply, status, result.code, result.message);
        }
        this.#counters.wrapUps += 1;
        return { contact: toStationContactJson(result.contact) };
      },
    );
    const stationOf = (request: FastifyRequest): string | undefined => this.#stationOf.get(request);
    addStationModerationRoutes(api, this.#backend, stationOf);
    if (this.#chat) addStationChatRoutes(api, this.#chat, stationOf);
    if (this.#mail) addStationMailRoutes(api, this.#mail, stationOf);
  }
}

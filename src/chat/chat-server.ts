import type { AddressInfo } from 'node:net';
import { securityHeaders } from '../http/security-headers.js';
import { earlyRefusalHandlers } from '../http/early-refusals.js';
import { recordServedRoutes, type ServedRoute } from '../http/served-routes.js';
import { fastify, type FastifyInstance, type FastifyRequest } from 'fastify';
import { fastifyWebsocket } from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { describeError } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { Scheduler } from '../time/scheduler.js';
import type { ChatDesk } from './chat-desk.js';
import { ChatConnection, type ConnectionLimits } from './chat-connection.js';
import { CHAT_PAGE_SCRIPT } from './chat-page-script.js';
import { CHAT_PAGE_STYLE, chatPageHtml } from './chat-page.js';
import { TrustedProxies } from './client-address.js';
import { PerMinuteLimit } from './per-minute-limit.js';

export interface ChatServerOptions {
  /** The chat desk (only `openChat` is used here). */
  readonly desk: Pick<ChatDesk, 'openChat'>;
  readonly host: string;
  /** 0 picks a free port; start() reports the real one. */
  readonly port: number;
  /** Config `chat.trustedProxies`: peers whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  readonly maxMessageChars: number;
  readonly chatsPerMinutePerAddress: number;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** How long a connection may stay open without saying hello; default 60 s. */
  readonly helloTimeoutMs?: number;
}

const DEFAULT_HELLO_TIMEOUT_MS = 60_000;

/** The page loads its script and style from this server only: no inline code, no framing, nothing from elsewhere. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = securityHeaders(CONTENT_SECURITY_POLICY);

/** A URL fastify cannot route, headers too large, HTTP that does not parse: the same words as every other bad request. */
const EARLY_REFUSALS = earlyRefusalHandlers(() => ({ contentType: 'text/plain; charset=utf-8', body: 'Ongeldig verzoek' }), SECURITY_HEADERS);

/**
 * A page on another site may open WebSockets to us from a visitor's browser (and so fill the
 * queue). Browsers always send Origin; when present its host must be the Host this request came
 * to. The scheme is not compared: behind a TLS-terminating proxy the page is https, the hop is http.
 */
function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * The public side of the chat: the caller's page and its WebSocket, on its own listener
 * (`chat.listen`), meant to sit behind the site's reverse proxy (docs/chat.md). It reads the
 * client's address once per connection and hands it to the desk; it logs no address, ever.
 */
export class ChatServer {
  readonly #options: ChatServerOptions;
  readonly #logger: Logger;
  readonly #proxies: TrustedProxies;
  readonly #chatsPerAddress: PerMinuteLimit;
  readonly #limits: ConnectionLimits;
  readonly #pageHtml: string;
  readonly #connections = new Set<ChatConnection>();
  #app: FastifyInstance | undefined;
  #servedRoutes: () => readonly ServedRoute[] = () => [];

  constructor(options: ChatServerOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('ChatServer: options are required');
    for (const name of ['desk', 'clock', 'scheduler', 'logger'] as const) {
      if (!options[name]) throw new TypeError(`ChatServer: options.${name} is required`);
    }
    if (typeof options.host !== 'string' || options.host === '') throw new TypeError('ChatServer: options.host is required');
    if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) throw new TypeError('ChatServer: options.port must be an integer from 0 to 65535');
    if (!Array.isArray(options.trustedProxies)) throw new TypeError('ChatServer: options.trustedProxies must be an array');
    if (!Number.isInteger(options.maxMessageChars) || options.maxMessageChars < 1) throw new TypeError('ChatServer: options.maxMessageChars must be a positive whole number');
    this.#options = options;
    this.#logger = options.logger.child({ component: 'chat-server' });
    this.#proxies = new TrustedProxies(options.trustedProxies);
    this.#chatsPerAddress = new PerMinuteLimit(options.chatsPerMinutePerAddress, options.clock);
    // Six bytes a character is the worst JSON escaping (\u0000); the rest is the frame around it.
    const frameByteCap = options.maxMessageChars * 6 + 256;
    this.#limits = {
      frameByteCap,
      helloTimeoutMs: options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS,
      errorsAnsweredPerMinute: 30,
    };
    this.#pageHtml = chatPageHtml(options.maxMessageChars);
  }

  /** Bytes above which ws itself drops the connection (1009): well above the byte cap the box answers. */
  get hardFrameLimit(): number {
    return Math.max(65_536, this.#limits.frameByteCap * 2);
  }

  async start(): Promise<{ url: string }> {
    if (this.#app) throw new Error('ChatServer already started');
    const app = await this.#buildApp();
    this.#app = app;
    try {
      await app.listen({ host: this.#options.host, port: this.#options.port });
    } catch (error) {
      await this.stop();
      throw error;
    }
    const address = app.server.address() as AddressInfo;
    this.#logger.info({ port: address.port }, 'chat server listening');
    return { url: `http://${urlHost(this.#options.host)}:${address.port}` };
  }

  async stop(): Promise<void> {
    for (const connection of [...this.#connections]) connection.closeForShutdown();
    this.#connections.clear();
    const app = this.#app;
    this.#app = undefined;
    if (app) await app.close();
  }

  /** Open connections, for health; never content or addresses. */
  counters(): { connections: number } {
    return { connections: this.#connections.size };
  }

  /** Every route this server answers once started (method and pattern): for the security test's route table. */
  routes(): readonly ServedRoute[] {
    return this.#servedRoutes();
  }

  async #buildApp(): Promise<FastifyInstance> {
    const app = fastify({
      logger: false,
      trustProxy: false,
      bodyLimit: 1024,
      return503OnClosing: true,
      frameworkErrors: EARLY_REFUSALS.frameworkErrors,
      clientErrorHandler: EARLY_REFUSALS.clientErrorHandler,
    });
    this.#servedRoutes = recordServedRoutes(app);
    await app.register(fastifyWebsocket, {
      options: { maxPayload: this.hardFrameLimit },
      errorHandler: (error, socket) => {
        this.#logger.warn({ err: describeError(error) }, 'chat socket failed');
        socket.terminate();
      },
    });
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.headers(SECURITY_HEADERS);
      return payload;
    });
    app.addHook('onResponse', async (request, reply) => {
      this.#logger.debug({ method: request.method, route: request.routeOptions.url ?? '(no route)', status: reply.statusCode }, 'request');
    });
    app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('Niet gevonden'));
    app.setErrorHandler<{ statusCode?: number; message: string }>((error, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) this.#logger.error({ err: describeError(error) }, 'chat request failed');
      return reply.code(status >= 400 && status < 600 ? status : 500).type('text/plain; charset=utf-8').send(status >= 500 ? 'Er ging iets mis' : 'Ongeldig verzoek');
    });

    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(this.#pageHtml));
    app.get('/chat.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(CHAT_PAGE_SCRIPT));
    app.get('/chat.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(CHAT_PAGE_STYLE));
    app.get(
      '/ws',
      {
        websocket: true,
        onRequest: async (request, reply) => {
          if (isSameOrigin(request)) return undefined;
          this.#logger.warn({ route: '/ws' }, 'cross-origin chat socket refused');
          return reply.code(403).type('text/plain; charset=utf-8').send('Niet toegestaan');
        },
      },
      (socket: WebSocket, request: FastifyRequest) => this.#accept(socket, request),
    );
    return app;
  }

  #accept(socket: WebSocket, request: FastifyRequest): void {
    const client = this.#proxies.resolve(request.raw.socket.remoteAddress, request.headers['x-forwarded-for']);
    const connection = new ChatConnection({
      socket,
      client,
      desk: this.#options.desk,
      chatsPerAddress: this.#chatsPerAddress,
      limits: this.#limits,
      clock: this.#options.clock,
      scheduler: this.#options.scheduler,
      logger: this.#logger,
      onClosed: () => this.#connections.delete(connection),
    });
    this.#connections.add(connection);
  }
}

import type { AddressInfo } from 'node:net';
import fastify, { type FastifyInstance } from 'fastify';
import { describeError } from '../events/typed-emitter.js';
import { securityHeaders } from '../http/security-headers.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import type { CollectorHealth } from './collector.js';
import { DASHBOARD_CSS, dashboardDays, renderDashboard } from './dashboard-page.js';
import type { DashboardData, DashboardWindow } from './dashboard-queries.js';

export interface DashboardServerOptions {
  readonly host: string;
  /** 0: a free port chosen by the system. */
  readonly port: number;
  readonly queries: { load(window: DashboardWindow): Promise<DashboardData> };
  readonly health: () => CollectorHealth;
  readonly clock: Clock;
  /** Days are counted and times shown in this zone. */
  readonly timeZone: string;
  readonly days?: number;
  readonly logger: Logger;
}

/** Nothing from elsewhere, no script at all, the stylesheet from this server only. */
const CONTENT_SECURITY_POLICY = ["default-src 'none'", "style-src 'self'", "img-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');
const HEADERS = securityHeaders(CONTENT_SECURITY_POLICY);
const DEFAULT_DAYS = 14;
const DAY_MS = 86_400_000;
const TOP_TOPICS = 10;

/**
 * The collector's read-only dashboard (GET / and its stylesheet) and a health probe for
 * monitoring (GET /healthz). It has no login of its own: it listens on loopback unless told
 * otherwise and belongs behind the central office's authenticating reverse proxy.
 */
export class DashboardServer {
  readonly #options: DashboardServerOptions;
  readonly #logger: Logger;
  #app: FastifyInstance | undefined;

  constructor(options: DashboardServerOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'collector-dashboard' });
  }

  /** Listens; resolves with the page's URL. */
  async start(): Promise<string> {
    const app = fastify({ logger: false, bodyLimit: 1_024 });
    app.addHook('onSend', async (_request, reply) => {
      reply.headers(HEADERS);
    });
    app.get('/', async (_request, reply) => {
      const { clock, timeZone, health } = this.#options;
      const now = clock.now();
      const days = dashboardDays(now, timeZone, this.#options.days ?? DEFAULT_DAYS);
      let data: DashboardData | undefined;
      try {
        data = await this.#options.queries.load({ from: now - (days.length + 1) * DAY_MS, timeZone, topicLimit: TOP_TOPICS });
      } catch (error) {
        this.#logger.warn({ err: describeError(error) }, 'dashboard data unavailable');
      }
      return reply.code(data ? 200 : 503).type('text/html; charset=utf-8').send(renderDashboard({ data, health: health(), now, timeZone, days }));
    });
    app.get('/dashboard.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(DASHBOARD_CSS));
    // Browsers ask for it on their own; there is none.
    app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
    app.get('/healthz', async (_request, reply) => {
      const health = this.#options.health();
      return reply.code(health.database === 'up' && health.broker === 'up' ? 200 : 503).send(health);
    });
    await app.listen({ host: this.#options.host, port: this.#options.port });
    this.#app = app;
    const { port } = app.server.address() as AddressInfo;
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host;
    return `http://${host}:${port}/`;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    await app?.close();
  }
}

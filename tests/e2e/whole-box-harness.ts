import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { WebSocket } from 'ws';
import { validateConfig, type GatewayConfig } from '../../src/config/load-config.js';
import type { StationContactView } from '../../src/contacts/contact-view.js';
import { createLogger } from '../../src/log/logger.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import type { StationContactJson } from '../../src/stations/station-json.js';
import { ManualClock } from '../../src/time/clock.js';
import type { PublishedMessage } from '../../src/upstream/outbox-publisher.js';
import { freePort, MosquittoProcess } from '../upstream/mqtt-harness.js';
import { PtyModemFeeder, SocatPtyPair } from '../support/pty-modem.js';
import { waitFor } from '../support/wait-for.js';

export { PtyModemFeeder, SocatPtyPair };

/**
 * The whole box on real parts: a socat pty pair standing in for the modem's serial port, a real
 * mosquitto standing in for the central office, the station API on a free port, and the gateway
 * built by `startGateway` from a validated config. Time values come from a ManualClock; the
 * adapters still schedule with real timers, so tests poll for I/O and move the clock by hand.
 */

export const SITE_ID = 'e2e-site';
export const TIME_ZONE = 'Europe/Amsterdam';
export const DESK_ID = 'desk-1';
export const CATEGORIES = {
  topics: ['bullying', 'family', 'school'],
  ageBands: ['8-11', '12-14', '15-17'],
  outcomes: ['conversation', 'referred', 'hung-up'],
};
/** The lowest the config allows, so a call ends after one second of (manual) ring silence. */
export const RING_SILENCE_MS = 1000;
export const SUPPRESSION_THRESHOLD = 2;

export interface HttpExchange {
  readonly status: number;
  readonly body: string;
}

/** A volunteer station: one authenticated WebSocket plus HTTP calls, every byte it received kept. */
export class StationClient {
  /** Every WebSocket frame and HTTP response body, as received. */
  readonly received: string[] = [];
  readonly contactFrames: StationContactJson[] = [];
  /** Every WebSocket frame, parsed, in order (chat and mail events included). */
  readonly frames: Array<{ readonly type: string } & Record<string, unknown>> = [];
  readonly #baseUrl: string;
  readonly #token: string;
  readonly #socket: WebSocket;
  #snapshot: StationContactJson[] | undefined;

  private constructor(baseUrl: string, token: string) {
    this.#baseUrl = baseUrl;
    this.#token = token;
    this.#socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/events`);
    this.#socket.on('error', () => undefined);
    this.#socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      this.received.push(text);
      const frame = JSON.parse(text) as { type: string; contact?: StationContactJson; contacts?: StationContactJson[] };
      this.frames.push(frame);
      if (frame.type === 'snapshot') this.#snapshot = frame.contacts ?? [];
      if (frame.type === 'contact' && frame.contact) this.contactFrames.push(frame.contact);
    });
  }

  static async connect(baseUrl: string, token: string): Promise<StationClient> {
    const client = new StationClient(baseUrl, token);
    await new Promise<void>((resolve, reject) => {
      client.#socket.once('open', () => resolve());
      client.#socket.once('error', reject);
    });
    client.#socket.send(JSON.stringify({ type: 'auth', token }));
    await waitFor(() => client.#snapshot !== undefined, 'the station snapshot');
    return client;
  }

  /** The first contact frame at or after `from` that satisfies `matches`. */
  async contactFrame(from: number, matches: (contact: StationContactJson) => boolean, what: string): Promise<StationContactJson> {
    let found: StationContactJson | undefined;
    await waitFor(() => {
      found = this.contactFrames.slice(from).find(matches);
      return found !== undefined;
    }, what);
    if (!found) throw new Error(`no ${what}`);
    return found;
  }

  /** The first WebSocket frame at or after index `from` that satisfies `matches`. */
  async frame(from: number, matches: (frame: { readonly type: string } & Record<string, unknown>) => boolean, what: string): Promise<{ readonly type: string } & Record<string, unknown>> {
    let found: ({ readonly type: string } & Record<string, unknown>) | undefined;
    await waitFor(() => {
      found = this.frames.slice(from).find(matches);
      return found !== undefined;
    }, what);
    if (!found) throw new Error(`no ${what}`);
    return found;
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpExchange> {
    const response = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    this.received.push(text);
    return { status: response.status, body: text };
  }

  wrapUp(reference: string, wrapUp: { ageBand: string; topic: string; outcome: string }): Promise<HttpExchange> {
    return this.request('POST', `/api/v1/contacts/${encodeURIComponent(reference)}/wrap-up`, wrapUp);
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.#socket.once('close', resolve));
    this.#socket.close();
    await closed;
  }
}

export interface RawMqttMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
}

/** The central office: every message on every topic, payload bytes untouched. */
export class CentralOffice {
  readonly messages: RawMqttMessage[] = [];
  readonly #client: MqttClient;

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: Buffer.from(payload), retain: packet.retain }));
  }

  static async connect(url: string): Promise<CentralOffice> {
    const client = connect(url, { reconnectPeriod: 0, clientId: `central-${randomBytes(6).toString('hex')}` });
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const office = new CentralOffice(client);
    await client.subscribeAsync('#', { qos: 1 });
    return office;
  }

  on(kind: 'status' | 'stats'): Array<RawMqttMessage & { json: Record<string, unknown> }> {
    return this.messages
      .filter((message) => message.topic === `helpline/v1/${SITE_ID}/${kind}`)
      .map((message) => ({ ...message, json: JSON.parse(message.payload.toString('utf8')) as Record<string, unknown> }));
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}

/** The public chat on a free loopback port (`gateway.chatUrl`). */
export interface WholeBoxChatOptions {
  /** Peers whose X-Forwarded-For the box believes, e.g. ['127.0.0.1'] for a test that stands in for the proxy. */
  readonly trustedProxies?: readonly string[];
}

/** Mail: the SMTP listener on a free loopback port (`gateway.mailPort`), loopback clients only. */
export interface WholeBoxMailOptions {
  readonly recipients: readonly string[];
  /** The site's relay for confirmations and answers, plain SMTP (a test's smtp-server). */
  readonly relay: { readonly host: string; readonly port: number; readonly from: string };
  readonly hostname?: string;
}

export interface WholeBoxOptions {
  readonly start: Date;
  readonly logLevel?: 'info' | 'debug' | 'trace';
  readonly chat?: WholeBoxChatOptions;
  readonly mail?: WholeBoxMailOptions;
}

function chatSection(chat: WholeBoxChatOptions | undefined): Record<string, unknown> {
  if (!chat) return {};
  return { chat: { listen: { host: '127.0.0.1', port: 0 }, trustedProxies: [...(chat.trustedProxies ?? [])] } };
}

function mailSection(mail: WholeBoxMailOptions | undefined): Record<string, unknown> {
  if (!mail) return {};
  return {
    mail: {
      smtp: { listen: { host: '127.0.0.1', port: 0 }, hostname: mail.hostname ?? 'gateway.e2e.example', recipients: [...mail.recipients] },
      relay: { host: mail.relay.host, port: mail.relay.port, secure: false, from: mail.relay.from },
    },
  };
}

export interface WholeBox {
  readonly directory: string;
  readonly dataDir: string;
  readonly logFile: string;
  readonly config: GatewayConfig;
  readonly clock: ManualClock;
  readonly feeder: PtyModemFeeder;
  readonly gateway: RunningGateway;
  readonly station: StationClient;
  readonly central: CentralOffice;
  readonly published: PublishedMessage[];
  readonly offeredViews: StationContactView[];
  /** Offers a call by printing `lines`, lets the ring silence run out, and returns the ringing and ended frames. */
  takeCall(...lines: string[]): Promise<{ ringing: StationContactJson; ended: StationContactJson }>;
  /** Wraps a contact up over HTTP and waits for its `registered` frame. */
  wrapUp(reference: string, wrapUp: { ageBand: string; topic: string; outcome: string }): Promise<HttpExchange>;
  /** Stops the gateway (idempotent); the data dir and the log file stay for inspection. */
  stopGateway(): Promise<void>;
  /** Stops everything and removes every temp directory. */
  cleanup(): Promise<void>;
}

/** Starts mosquitto, socat, the central office subscriber, the gateway and a station, in that order. */
export async function startWholeBox(options: WholeBoxOptions): Promise<WholeBox> {
  const undo: Array<() => Promise<void> | void> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-e2e-'));
    undo.push(() => rmSync(directory, { recursive: true, force: true }));
    const dataDir = join(directory, 'data');
    const logDir = join(dataDir, 'logs');
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    const logFile = join(logDir, 'gateway.log');

    const mosquitto = new MosquittoProcess(directory, await freePort());
    await mosquitto.start();
    undo.push(() => mosquitto.stop());
    const pty = await SocatPtyPair.start(directory);
    undo.push(() => pty.stop());
    const feeder = new PtyModemFeeder(pty.feederPath);
    undo.push(() => feeder.close());
    const central = await CentralOffice.connect(mosquitto.url);
    undo.push(() => central.close());

    const token = randomBytes(32).toString('base64url');
    const config = validateConfig({
      site: { id: SITE_ID, timeZone: TIME_ZONE, country: 'NL' },
      dataDir,
      policy: { preset: 'allesoke-nl', overrides: { suppressionThreshold: SUPPRESSION_THRESHOLD } },
      categories: CATEGORIES,
      line: { kind: 'modem', device: pty.modemPath, ringsBeforeUnknown: 2, ringSilenceMs: RING_SILENCE_MS },
      stations: { host: '127.0.0.1', port: 0, desks: [{ id: DESK_ID, token }] },
      upstream: { url: mosquitto.url, period: 'minute', wrapUpGraceMinutes: 0 },
      log: { level: options.logLevel ?? 'info' },
      ...chatSection(options.chat),
      ...mailSection(options.mail),
    }, 'e2e config');

    const destination = pino.destination({ dest: logFile, sync: true });
    undo.push(() => destination.end());
    const clock = new ManualClock(options.start);
    const published: PublishedMessage[] = [];
    const offeredViews: StationContactView[] = [];
    const gateway = await startGateway(config, {
      clock,
      logger: createLogger({ level: config.log.level, destination }),
      onPublished: (message) => published.push(message),
      onContact: (view) => offeredViews.push(view),
    });
    let gatewayStopped = false;
    const stopGateway = async (): Promise<void> => {
      if (gatewayStopped) return;
      gatewayStopped = true;
      await gateway.stop();
    };
    undo.push(stopGateway);

    const station = await StationClient.connect(gateway.stationUrl, token);
    undo.push(() => station.close());

    const takeCall = async (...lines: string[]): Promise<{ ringing: StationContactJson; ended: StationContactJson }> => {
      const from = station.contactFrames.length;
      feeder.print(...lines);
      const ringing = await station.contactFrame(from, (contact) => contact.state === 'ringing', 'a ringing contact');
      clock.advance(RING_SILENCE_MS);
      // Any line makes the parser look at the clock now rather than at its next one-second tick.
      feeder.print('OK');
      const ended = await station.contactFrame(from, (contact) => contact.reference === ringing.reference && contact.state === 'ended', 'the call to end');
      return { ringing, ended };
    };

    const wrapUp = async (reference: string, choice: { ageBand: string; topic: string; outcome: string }): Promise<HttpExchange> => {
      const from = station.contactFrames.length;
      const exchange = await station.wrapUp(reference, choice);
      if (exchange.status === 200) {
        await station.contactFrame(from, (contact) => contact.reference === reference && contact.state === 'registered', 'the registered frame');
      }
      return exchange;
    };

    return {
      directory, dataDir, logFile, config, clock, feeder, gateway, station, central, published, offeredViews,
      takeCall, wrapUp, stopGateway, cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

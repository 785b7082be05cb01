import type { Socket } from 'node:net';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { GatewayError } from '../errors.js';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import type { Clock } from '../time/clock.js';
import {
  assertSiteId,
  encodeStatusMessage,
  parseUpstreamTopic,
  statusTopic,
  validateOutgoing,
  type OutgoingMessage,
  type StatusMessage,
  type StatusState,
} from './topics.js';

/** Passed to mqtt.js unchanged, for an mqtts:// broker with a private CA or client certificates. */
export interface UpstreamTlsOptions {
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

export interface UpstreamConnectionOptions {
  readonly url: string;
  readonly site: string;
  readonly session: string;
  readonly firmware: string;
  readonly clientId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: UpstreamTlsOptions;
  readonly keepaliveSeconds?: number;
  readonly connectTimeoutMs?: number;
  /** First reconnect delay; doubled after every failed attempt up to reconnectMaxMs. */
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  /** How long a planned stop waits for the broker to acknowledge the 'offline' status. */
  readonly stopTimeoutMs?: number;
}

export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

interface ConnectionEvents {
  'connected': [];
  'disconnected': [];
}

/**
 * The one MQTT wrapper: it owns the client, the topic prefix, the Last Will and the status topic.
 *
 * mqtt.js's own queue lives in memory and is lost on restart (FACTS.md), so this wrapper never lets
 * it hold anything: publishing while offline is refused, and publishes still waiting for a PUBACK
 * when the connection drops are taken back out of mqtt.js and fail. Their rows stay in the SQLite
 * outbox, which the publisher sends again after the next connect.
 */
export class UpstreamConnection {
  readonly #options: UpstreamConnectionOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<ConnectionEvents>;
  readonly #statusTopic: string;
  #client: MqttClient | undefined;
  #connected = false;
  #stopping = false;
  #failedAttempts = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(options: UpstreamConnectionOptions, clock: Clock, logger: Logger) {
    assertSiteId(options.site);
    if (!/^(mqtt|mqtts|ws|wss):\/\//.test(options.url)) throw new TypeError('upstream url must start with mqtt://, mqtts://, ws:// or wss://');
    this.#options = options;
    this.#clock = clock;
    this.#logger = logger.child({ component: 'upstream-mqtt' });
    this.#events = new TypedEmitter(this.#logger);
    this.#statusTopic = statusTopic(options.site);
  }

  get connected(): boolean {
    return this.#connected;
  }

  get session(): string {
    return this.#options.session;
  }

  on<K extends keyof ConnectionEvents>(event: K, listener: (...args: ConnectionEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** Starts connecting and returns; 'connected' follows when the broker accepts. */
  start(): Promise<void> {
    if (this.#client) return Promise.resolve();
    this.#stopping = false;
    const client = connect(this.#options.url, this.#clientOptions());
    this.#client = client;
    client.on('connect', () => this.#onConnect());
    client.on('close', () => this.#onClose());
    // The code only: socket error messages carry the broker's address.
    client.on('error', (error) => this.#logger.warn({ code: errorCode(error) }, 'mqtt connection error'));
    return Promise.resolve();
  }

  /**
   * A planned stop: a retained 'offline' status (acknowledged, or given up after stopTimeoutMs),
   * then a clean DISCONNECT, so the broker discards the Last Will.
   */
  async stop(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    this.#stopping = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    if (this.#connected) {
      const stopTimeoutMs = this.#options.stopTimeoutMs ?? 2_000;
      const offline = this.#publishStatus('offline').then(
        () => true,
        (error: unknown) => {
          this.#logger.warn({ err: describeError(error) }, 'offline status not acknowledged');
          return false;
        },
      );
      await settledWithin(offline, stopTimeoutMs);
      // end() without force waits for every in-flight publish; their rows are safe in the outbox.
      this.#dropInFlightPublishes(client);
      const ended = await settledWithin(client.endAsync(false).then(() => true, () => false), stopTimeoutMs);
      if (ended !== true) client.end(true);
    } else {
      client.end(true);
    }
    client.removeAllListeners();
    // mqtt.js may still emit an error while its socket winds down; without a listener that throws.
    client.on('error', () => undefined);
    this.#client = undefined;
    const wasConnected = this.#connected;
    this.#connected = false;
    if (wasConnected) this.#events.emit('disconnected');
    this.#events.removeAllListeners();
  }

  /**
   * Validates and publishes (a refused topic or payload rejects with HGW_UPSTREAM_TOPIC or
   * HGW_UPSTREAM_PAYLOAD); resolves when the broker acknowledged (QoS 1) or the packet was
   * written (QoS 0), with the validated message. Rejects at once when not connected.
   */
  publish(topic: string, payload: string, options: PublishOptions): Promise<OutgoingMessage> {
    let message: OutgoingMessage;
    try {
      if (parseUpstreamTopic(topic).site !== this.#options.site) throw new GatewayError('HGW_UPSTREAM_TOPIC', 'topic names another site than this box');
      message = validateOutgoing(topic, payload);
    } catch (error) {
      return Promise.reject(error);
    }
    const client = this.#client;
    if (!client || !this.#connected) return Promise.reject(new Error('upstream not connected'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: options.qos, retain: options.retain }, (error) => (error ? reject(error) : resolve(message)));
    });
  }

  #statusPayload(state: StatusState): string {
    const status: StatusMessage = {
      schema: 'helpline.status/1',
      site: this.#options.site,
      session: this.#options.session,
      state,
      firmware: this.#options.firmware,
      at: new Date(this.#clock.now()).toISOString(),
    };
    return encodeStatusMessage(status);
  }

  #publishStatus(state: StatusState): Promise<OutgoingMessage> {
    return this.publish(this.#statusTopic, this.#statusPayload(state), { qos: 1, retain: true });
  }

  #clientOptions(): IClientOptions {
    const { tls } = this.#options;
    return {
      clientId: this.#options.clientId ?? `hgw-${this.#options.site}-${this.#options.session.slice(0, 8)}`,
      username: this.#options.username,
      password: this.#options.password,
      clean: true,
      keepalive: this.#options.keepaliveSeconds ?? 30,
      connectTimeout: this.#options.connectTimeoutMs ?? 15_000,
      // Reconnects are scheduled here, with backoff; mqtt.js only knows a fixed period.
      reconnectPeriod: 0,
      queueQoSZero: false,
      will: { topic: this.#statusTopic, payload: Buffer.from(this.#statusPayload('offline')), qos: 1, retain: true },
      ...(tls?.ca !== undefined ? { ca: tls.ca as IClientOptions['ca'] } : {}),
      ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls?.key !== undefined ? { key: tls.key } : {}),
      ...(tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: tls.rejectUnauthorized } : {}),
      ...(tls?.servername !== undefined ? { servername: tls.servername } : {}),
    };
  }

  #onConnect(): void {
    // Nagle off: with several publishes in flight, the tail of a message would otherwise wait for
    // the broker's delayed ACK (~40 ms each time on Linux; the replay benchmark showed it).
    (this.#client?.stream as Partial<Pick<Socket, 'setNoDelay'>> | undefined)?.setNoDelay?.(true);
    this.#connected = true;
    this.#failedAttempts = 0;
    this.#logger.info({ session: this.#options.session }, 'upstream connected');
    this.#publishStatus('online').catch((error: unknown) => this.#logger.warn({ err: describeError(error) }, 'online status not acknowledged'));
    this.#events.emit('connected');
  }

  #onClose(): void {
    const client = this.#client;
    if (!client) return;
    this.#dropInFlightPublishes(client);
    if (this.#connected) {
      this.#connected = false;
      this.#logger.warn({ code: 'HGW_UPSTREAM_OFFLINE' }, 'upstream connection lost; messages wait in the outbox');
      this.#events.emit('disconnected');
    } else if (this.#failedAttempts === 0 && !this.#stopping) {
      // Once per outage: later attempts of the same outage only log their socket error code.
      this.#logger.warn({ code: 'HGW_UPSTREAM_OFFLINE' }, 'upstream not reachable; messages wait in the outbox');
    }
    if (!this.#stopping) this.#scheduleReconnect(client);
  }

  /** Fails every publish still waiting for a PUBACK, so mqtt.js does not replay it from memory. */
  #dropInFlightPublishes(client: MqttClient): void {
    for (const [messageId, entry] of Object.entries(client.outgoing)) {
      if (entry.cmd === 'publish') client.removeOutgoingMessage(Number(messageId));
    }
  }

  #scheduleReconnect(client: MqttClient): void {
    if (this.#reconnectTimer) return;
    const initial = this.#options.reconnectInitialMs ?? 1_000;
    const max = this.#options.reconnectMaxMs ?? 60_000;
    const base = Math.min(max, initial * 2 ** Math.min(this.#failedAttempts, 20));
    // Jitter, so the boxes of every site do not return to a restarted broker in the same instant.
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.#failedAttempts += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#stopping || this.#client !== client) return;
      // The Last Will's 'at' is the time this connection was opened.
      client.options.will = { topic: this.#statusTopic, payload: Buffer.from(this.#statusPayload('offline')), qos: 1, retain: true };
      client.reconnect();
    }, delay);
  }
}

/** The promise's value, or undefined when it has not settled within `ms`. */
async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorCode(error: Error): string {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : error.name;
}

import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';
import { TOPIC_ROOT } from '../upstream/index.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';

/** One message as the broker delivered it. */
export interface Delivery {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retained: boolean;
  /**
   * False only when it is known to have come through the main subscription alone: a status then
   * also reaches this collector through the status subscription, in order, and this copy is not
   * needed.
   */
  readonly viaStatusSubscription: boolean;
}

/** Resolves once the delivery is committed: only then is it acknowledged to the broker. */
export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface MqttIntakeTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface MqttIntakeOptions {
  readonly url: string;
  /**
   * The shared subscription's group: collectors with the same group share the load. Without one,
   * a plain subscription: this collector gets every message, and (unlike a shared subscription on
   * Mosquitto 2.0) the broker keeps it across its own restart. docs/collector.md has the trade-off.
   */
  readonly group?: string;
  /** Stable per collector: the broker keeps this client's session (and its unacknowledged messages). */
  readonly clientId: string;
  /** How long the broker keeps the session while this collector is away. */
  readonly sessionExpirySeconds: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: MqttIntakeTls;
  readonly keepaliveSeconds?: number;
  readonly connectTimeoutMs?: number;
  readonly backoff?: BackoffOptions;
}

interface IntakeEvents {
  up: [sessionPresent: boolean];
  down: [reason: string];
  'handler-failed': [error: unknown];
}

const MAIN_SUBSCRIPTION_ID = 1;
const STOP_WAIT_MS = 5_000;
const STATUS_SUBSCRIPTION_ID = 2;

/** Every site's every topic: shared by the group's collectors, or all to this one. */
export function mainFilter(group: string | undefined): string {
  return group === undefined ? `${TOPIC_ROOT}/+/+` : `$share/${group}/${TOPIC_ROOT}/+/+`;
}

export const STATUS_FILTER = `${TOPIC_ROOT}/+/status`;

function subscriptionIds(packet: IPublishPacket): readonly number[] | undefined {
  const ids = packet.properties?.subscriptionIdentifier;
  if (ids === undefined) return undefined;
  return Array.isArray(ids) ? ids : [ids];
}

function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'number') return `MQTT reason ${code}`;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/**
 * The collector's MQTT v5 client: a persistent session (clean start off, session expiry), a
 * subscription to every site's topics (shared, when a group is given, so several collectors share
 * the load), and a plain one to every site's status so each collector sees every site's state. QoS 1 messages are
 * acknowledged only after the handler resolved (mqtt.js's customHandleAcks); mqtt.js handles one
 * packet at a time, so they are also stored one at a time, in the order the broker sent them.
 *
 * When the handler fails, the connection is dropped at once without acknowledging, and the intake
 * waits for `resume()`: the broker keeps the message in the session and sends it again then.
 */
export class MqttIntake {
  readonly #options: MqttIntakeOptions;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<IntakeEvents>;
  #handler: DeliveryHandler | undefined;
  #client: MqttClient | undefined;
  #connected = false;
  #paused = false;
  #stopping = false;
  #failures = 0;
  #lastError = 'connection closed';
  #reconnectTimer: NodeJS.Timeout | undefined;
  #inFlight: Promise<unknown> = Promise.resolve();

  constructor(options: MqttIntakeOptions, logger: Logger) {
    if (!/^(mqtt|mqtts|ws|wss):\/\//.test(options.url)) throw new TypeError('broker url must start with mqtt://, mqtts://, ws:// or wss://');
    this.#options = options;
    this.#logger = logger.child({ component: 'collector-mqtt' });
    this.#events = new TypedEmitter(this.#logger);
  }

  get connected(): boolean {
    return this.#connected;
  }

  on<K extends keyof IntakeEvents>(event: K, listener: (...args: IntakeEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  start(handler: DeliveryHandler): void {
    this.#handler = handler;
    this.#stopping = false;
    this.#paused = false;
    if (!this.#client) this.#connect();
  }

  /** Drops the connection now, acknowledging nothing more, and stays away until resume(). */
  pause(): void {
    this.#paused = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    this.#drop();
  }

  resume(): void {
    if (!this.#paused || this.#stopping) return;
    this.#paused = false;
    this.#failures = 0;
    if (!this.#client) this.#connect();
  }

  /**
   * Lets the message being stored finish and be acknowledged (for a few seconds at most: one left
   * unacknowledged comes again), then disconnects cleanly; the session stays.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#inFlight, new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      let ending: NodeJS.Timeout | undefined;
      await Promise.race([client.endAsync(false), new Promise((resolve) => (ending = setTimeout(resolve, 2_000)))]).catch(() => undefined);
      clearTimeout(ending);
      client.end(true);
      client.removeAllListeners();
      client.on('error', () => undefined);
    }
    this.#setDown('stopped');
    this.#events.removeAllListeners();
  }

  #connect(): void {
    const { tls } = this.#options;
    const options: IClientOptions = {
      protocolVersion: 5,
      clean: false,
      clientId: this.#options.clientId,
      username: this.#options.username,
      password: this.#options.password,
      keepalive: this.#options.keepaliveSeconds ?? 30,
      connectTimeout: this.#options.connectTimeoutMs ?? 10_000,
      // Reconnects are scheduled here, with backoff, each with a fresh client.
      reconnectPeriod: 0,
      properties: { sessionExpiryInterval: this.#options.sessionExpirySeconds },
      customHandleAcks: (topic, payload, packet: IPublishPacket, done) => this.#onPublish(client, topic, payload, packet, done),
      ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls?.key !== undefined ? { key: tls.key } : {}),
    };
    const client = connect(this.#options.url, options);
    this.#client = client;
    client.on('connect', (connack) => this.#onConnect(client, connack.sessionPresent));
    // QoS 0 never reaches customHandleAcks: there is nothing to acknowledge.
    client.on('message', (topic, payload, packet) => {
      if (packet.qos === 0) this.#deliver(client, topic, payload, packet).catch(() => undefined);
    });
    client.on('error', (error) => {
      this.#lastError = errorCode(error);
    });
    client.on('close', () => this.#onClose(client));
  }

  #onConnect(client: MqttClient, sessionPresent: boolean): void {
    if (client !== this.#client) return;
    this.#connected = true;
    this.#failures = 0;
    // Subscribing again is harmless; retained statuses are replayed only to a new subscription (rh 1),
    // so they never overtake the statuses the session kept.
    const main = client.subscribeAsync(mainFilter(this.#options.group), { qos: 1, rh: 1, properties: { subscriptionIdentifier: MAIN_SUBSCRIPTION_ID } });
    const status = client.subscribeAsync(STATUS_FILTER, { qos: 1, rh: 1, properties: { subscriptionIdentifier: STATUS_SUBSCRIPTION_ID } });
    Promise.all([main, status]).then(
      (granted) => {
        // A SUBACK reason of 0x80 or more is a refusal (an ACL, a broker without shared subscriptions).
        const refused = granted.flat().find((grant) => grant.qos >= 0x80);
        if (refused) {
          this.#lastError = `subscription refused (MQTT reason ${refused.qos})`;
          this.#logger.warn({ filter: refused.topic, reason: refused.qos }, 'subscription refused');
          this.#drop();
          return;
        }
        this.#events.emit('up', sessionPresent);
      },
      (error: unknown) => {
        this.#lastError = errorCode(error);
        this.#logger.warn({ err: describeError(error) }, 'subscribing failed');
        this.#drop();
      },
    );
  }

  #onPublish(client: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket, done: (error: Error | number, code?: number) => void): void {
    this.#deliver(client, topic, payload, packet).then(
      () => {
        if (client === this.#client && !this.#paused) done(0);
      },
      () => undefined,
    );
  }

  /** Runs the handler; on failure drops the connection unacknowledged and reports it. */
  #deliver(client: MqttClient, topic: string, payload: Buffer, packet: IPublishPacket): Promise<void> {
    const handler = this.#handler;
    if (client !== this.#client || this.#paused || !handler) return Promise.reject(new Error('not taking messages'));
    const ids = subscriptionIds(packet);
    const delivery: Delivery = { topic, payload, retained: packet.retain, viaStatusSubscription: ids === undefined || ids.includes(STATUS_SUBSCRIPTION_ID) };
    const work = handler(delivery).catch((error: unknown) => {
      if (client === this.#client && !this.#paused) {
        this.pause();
        this.#events.emit('handler-failed', error);
      }
      throw error;
    });
    this.#inFlight = work.catch(() => undefined);
    return work;
  }

  #drop(): void {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    client.end(true);
    client.removeAllListeners();
    client.on('error', () => undefined);
    this.#setDown(this.#paused ? 'paused' : this.#lastError);
    if (!this.#paused && !this.#stopping) this.#scheduleReconnect();
  }

  #onClose(client: MqttClient): void {
    if (client !== this.#client) return;
    this.#drop();
  }

  /** 'down' once per outage: when a connection is lost, or when the first attempt after a (re)start fails. */
  #setDown(reason: string): void {
    const wasConnected = this.#connected;
    this.#connected = false;
    if (reason === 'stopped' || reason === 'paused') return;
    if (wasConnected || this.#failures === 0) this.#events.emit('down', reason);
  }

  #scheduleReconnect(): void {
    if (this.#reconnectTimer) return;
    const delay = backoffDelay(this.#failures, this.#options.backoff ?? DEFAULT_BACKOFF);
    this.#failures += 1;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (!this.#stopping && !this.#paused && !this.#client) this.#connect();
    }, delay);
  }
}

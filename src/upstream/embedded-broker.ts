import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { describeError, TypedEmitter } from '../events/typed-emitter.js';
import type { Logger } from '../log/logger.js';

export interface BrokerPublish {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port; read it from `port` after start(). */
  readonly port: number;
  readonly logger: Logger;
}

interface BrokerEvents {
  'publish': [message: BrokerPublish];
}

/**
 * An in-process MQTT broker (aedes) on 127.0.0.1, the demo's stand-in for the central office. It
 * only listens on loopback: it is a stand-in, not a service.
 */
export class EmbeddedBroker {
  readonly #requestedPort: number;
  readonly #logger: Logger;
  readonly #events: TypedEmitter<BrokerEvents>;
  #broker: Aedes | undefined;
  #server: Server | undefined;
  #port: number | undefined;

  constructor(options: EmbeddedBrokerOptions) {
    this.#requestedPort = options.port;
    this.#logger = options.logger.child({ component: 'embedded-broker' });
    this.#events = new TypedEmitter(this.#logger);
  }

  get port(): number {
    if (this.#port === undefined) throw new Error('embedded broker not started');
    return this.#port;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Every message the broker accepts from a client, its Last Wills included ($SYS left out). */
  onPublish(listener: (message: BrokerPublish) => void): () => void {
    return this.#events.on('publish', listener);
  }

  async start(): Promise<void> {
    if (this.#broker) return;
    const broker = await Aedes.createBroker();
    broker.on('publish', (packet) => {
      if (packet.topic.startsWith('$SYS/')) return;
      this.#events.emit('publish', { topic: packet.topic, payload: Buffer.from(packet.payload).toString('utf8'), retain: packet.retain });
    });
    broker.on('clientError', (_client, error) => this.#logger.warn({ err: describeError(error) }, 'broker client error'));
    const server = createServer((socket) => broker.handle(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#requestedPort, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      throw error;
    }
    this.#broker = broker;
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    this.#logger.info({ port: this.#port }, 'embedded broker listening');
  }

  async stop(): Promise<void> {
    const broker = this.#broker;
    const server = this.#server;
    this.#broker = undefined;
    this.#server = undefined;
    this.#port = undefined;
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.#events.removeAllListeners();
  }
}

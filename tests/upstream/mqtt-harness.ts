import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * The Debian mosquitto binary on 127.0.0.1:<port>, no persistence unless `brokerLines` say
 * otherwise; anonymous unless `listenerLines` (TLS files, password file, …) do.
 */
export class MosquittoProcess {
  readonly port: number;
  readonly #configFile: string;
  #child: ChildProcess | undefined;

  constructor(dir: string, port: number, listenerLines: readonly string[] = ['allow_anonymous true'], brokerLines: readonly string[] = ['persistence false']) {
    this.port = port;
    this.#configFile = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(this.#configFile, [`listener ${port} 127.0.0.1`, ...listenerLines, ...brokerLines, 'log_dest none', ''].join('\n'));
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('/usr/sbin/mosquitto', ['-c', this.#configFile], { stdio: 'ignore' });
    this.#child = child;
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('mosquitto did not start listening');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }
}

/**
 * A TCP relay between the gateway and the broker. `cut()` destroys both sides without an MQTT
 * DISCONNECT (a pulled cable); while `blocked`, new connections are dropped at once.
 */
export class TcpProxy {
  blocked = false;
  /** Connections accepted so far, blocked ones included: the box's connection attempts. */
  accepted = 0;
  readonly #targetPort: number;
  readonly #server = net.createServer((client) => this.#relay(client));
  readonly #sockets = new Set<net.Socket>();

  constructor(targetPort: number) {
    this.#targetPort = targetPort;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
  }

  cut(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #relay(client: net.Socket): void {
    this.accepted += 1;
    if (this.blocked) {
      client.destroy();
      return;
    }
    const broker = net.connect(this.#targetPort, '127.0.0.1');
    for (const socket of [client, broker]) {
      this.#sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#sockets.delete(socket);
        client.destroy();
        broker.destroy();
      });
    }
    client.pipe(broker);
    broker.pipe(client);
  }
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
  readonly qos: number;
  readonly retain: boolean;
}

/** An mqtt.js client standing in for the central office. */
export class Subscriber {
  readonly messages: ReceivedMessage[] = [];
  readonly #client: MqttClient;

  private constructor(client: MqttClient) {
    this.#client = client;
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: JSON.parse(payload.toString('utf8')) as Record<string, unknown>, qos: packet.qos, retain: packet.retain });
    });
  }

  static async connect(url: string, filter: string, options: IClientOptions = {}): Promise<Subscriber> {
    const client = connect(url, { reconnectPeriod: 0, clientId: `central-${Math.random().toString(16).slice(2)}`, ...options });
    client.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    const subscriber = new Subscriber(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return subscriber;
  }

  on(topicSuffix: string): ReceivedMessage[] {
    return this.messages.filter((message) => message.topic.endsWith(`/${topicSuffix}`));
  }

  async close(): Promise<void> {
    await this.#client.endAsync(true);
  }
}

/**
 * For the outbox replay bench: Debian's Mosquitto on a free loopback port, and the delay relay
 * (delay-relay.ts) in front of it, so a WAN link to the central office can be emulated on one
 * machine, loopback only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface LoopbackBroker {
  readonly port: number;
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

/**
 * `set_tcp_nodelay true`: with Mosquitto's default (Nagle on), the PUBACK that ends a burst waits
 * for the client's delayed ACK, ~40 ms on Linux, which would swamp the figures of a small replay.
 */
export async function startMosquitto(directory: string): Promise<LoopbackBroker> {
  const port = await freePort();
  const config = join(directory, 'mosquitto.conf');
  writeFileSync(config, [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'set_tcp_nodelay true', 'persistence false', 'log_dest none', ''].join('\n'));
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', config], { stdio: 'ignore' });
  const deadline = performance.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}`);
    if (performance.now() > deadline) throw new Error('mosquitto did not start listening');
    await new Promise((done) => setTimeout(done, 25));
  }
  const version = await mosquittoVersion();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    version,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** scripts/bench/delay-relay.ts in a process of its own, adding `rttMs` to every round trip to the broker. */
export class DelayProxy {
  readonly url: string;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.url = `mqtt://127.0.0.1:${port}`;
  }

  static async start(targetPort: number, rttMs: number): Promise<DelayProxy> {
    const script = join(import.meta.dirname, 'delay-relay.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, String(targetPort), String(rttMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((done, fail) => {
      child.stdout?.once('data', (chunk: Buffer) => done(Number(chunk.toString().trim())));
      child.once('exit', (code) => fail(new Error(`delay relay exited with ${code}`)));
    });
    return new DelayProxy(child, port);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((done) => this.#child.once('exit', () => done()));
    this.#child.kill('SIGTERM');
    await exited;
  }
}

async function mosquittoVersion(): Promise<string> {
  const child = spawn(MOSQUITTO, ['-h'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await new Promise((done) => child.once('close', done));
  return /mosquitto version (\S+)/.exec(text)?.[1] ?? 'unknown';
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

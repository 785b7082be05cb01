import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { waitFor } from '../support/wait-for.js';

/** One line received on the notify socket, with when it arrived (this process's clock). */
export interface ReceivedLine {
  readonly line: string;
  readonly at: number;
}

/**
 * A real unix datagram socket standing in for systemd's notify socket: `socat -u UNIX-RECV:<path>`
 * (or ABSTRACT-RECV:<name>) binds it and writes every datagram it receives to its stdout.
 */
export class NotifyReceiver {
  readonly lines: ReceivedLine[] = [];
  readonly #address: string;
  readonly #bound: () => boolean;
  #child: ChildProcess | undefined;
  #partial = '';

  private constructor(address: string, bound: () => boolean) {
    this.#address = address;
    this.#bound = bound;
  }

  static atPath(path: string): NotifyReceiver {
    return new NotifyReceiver(`UNIX-RECV:${path}`, () => existsSync(path));
  }

  /** An abstract name has no file; the kernel lists it, with an @, in /proc/net/unix once bound. */
  static abstract(name: string): NotifyReceiver {
    return new NotifyReceiver(`ABSTRACT-RECV:${name}`, () => readFileSync('/proc/net/unix', 'utf8').includes(` @${name}\n`));
  }

  /** Starts socat and waits until the socket is bound, so no datagram sent after this is lost. */
  async start(): Promise<void> {
    const child = spawn('socat', ['-u', this.#address, 'STDOUT'], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.#child = child;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const text = this.#partial + chunk;
      const parts = text.split('\n');
      this.#partial = parts.pop() ?? '';
      const at = performance.now();
      for (const line of parts) this.lines.push({ line, at });
    });
    await waitFor(this.#bound, 'the notify socket to be bound');
  }

  received(): string[] {
    return this.lines.map((entry) => entry.line);
  }

  async waitFor(line: string, times = 1, timeoutMs = 15_000): Promise<void> {
    await waitFor(() => this.received().filter((item) => item === line).length >= times, `${times}× ${line}`, timeoutMs);
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

import { spawn, type ChildProcess } from 'node:child_process';
import { constants, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ReadStream } from 'node:tty';
import { waitFor } from './wait-for.js';

/** A socat pty pair: the adapter opens `modemPath`, the test plays the modem on `feederPath`. */
export class SocatPtyPair {
  readonly modemPath: string;
  readonly feederPath: string;
  readonly #child: ChildProcess;

  private constructor(directory: string, child: ChildProcess) {
    this.modemPath = join(directory, 'modem');
    this.feederPath = join(directory, 'feeder');
    this.#child = child;
  }

  static async start(directory: string): Promise<SocatPtyPair> {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${join(directory, 'modem')}`, `pty,raw,echo=0,link=${join(directory, 'feeder')}`], {
      stdio: 'ignore',
    });
    const pair = new SocatPtyPair(directory, child);
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
      return existsSync(pair.modemPath) && existsSync(pair.feederPath);
    }, 'socat pty links', 5000);
    return pair;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** The modem's side of the pty: answers every AT command with OK and prints what the test asks. */
export class PtyModemFeeder {
  readonly commands: string[] = [];
  readonly #fd: number;
  readonly #input: ReadStream;
  #pending = '';

  constructor(path: string) {
    this.#fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
    this.#input = new ReadStream(this.#fd);
    this.#input.on('error', () => undefined);
    this.#input.on('data', (chunk: Buffer) => {
      const parts = (this.#pending + chunk.toString('latin1')).split('\r');
      this.#pending = parts.pop() ?? '';
      for (const command of parts.map((part) => part.trim()).filter((part) => part !== '')) {
        this.commands.push(command);
        if (command.toUpperCase().startsWith('AT')) this.print('OK');
      }
    });
  }

  /** Each line framed as a modem frames it (CR LF before and after), written as latin1 bytes. */
  print(...lines: string[]): void {
    writeSync(this.#fd, Buffer.from(lines.map((line) => `\r\n${line}\r\n`).join(''), 'latin1'));
  }

  close(): void {
    this.#input.destroy();
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HealthReport } from '../../src/health/index.js';
import { buildForPlainNode } from '../update/plain-node-build.js';

/**
 * A TypeScript entry compiled once per test file to plain JavaScript (tests/update's trick), so
 * each of the hundreds of starts costs ~200 ms of node instead of ~600 ms of tsx.
 */
export class PlainNodeEntry {
  readonly script: string;
  readonly #dir: string;

  constructor(entry: string) {
    this.#dir = mkdtempSync(join(tmpdir(), 'hgw-resilience-build-'));
    this.script = buildForPlainNode(entry, this.#dir);
  }

  spawn(args: readonly string[], env: NodeJS.ProcessEnv = {}): BoxRun {
    return new BoxRun(spawn(process.execPath, [this.script, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } }));
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One run of a box child: "loaded", then "ready <url>" on stdout once it serves, "drained" after "drain". */
export class BoxRun {
  readonly child: ChildProcess;
  /** Its modules are loaded: from here on it opens the store. */
  readonly loaded: Promise<void>;
  readonly ready: Promise<string>;
  readonly exited: Promise<Exit>;
  #stdout = '';
  #stderr = '';

  constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.#stderr += chunk));
    const output = (pattern: RegExp, what: string): Promise<string> => {
      const seen = new Promise<string>((resolve, reject) => {
        child.stdout?.on('data', () => {
          const match = pattern.exec(this.#stdout);
          if (match) resolve(match[1] ?? '');
        });
        void this.exited.then((exit) => reject(new Error(`the box exited (${exit.signal ?? exit.code}) before it was ${what}: ${this.#stderr.trim().slice(0, 2000)}`)));
      });
      // Killed before it got there is the point of some runs: a rejection nobody awaited is no error.
      seen.catch(() => undefined);
      return seen;
    };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.#stdout += chunk));
    this.loaded = output(/^loaded$/m, 'loaded').then(() => undefined);
    this.ready = output(/^ready (\S+)$/m, 'ready');
  }

  get stderr(): string {
    return this.#stderr;
  }

  get stdout(): string {
    return this.#stdout;
  }

  /** SIGKILL, as a power cut or the OOM killer would; resolves once the process is gone. */
  async kill(): Promise<Exit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** The box's /health report, asked for on stdin. */
  async health(): Promise<HealthReport> {
    const before = this.#stdout.length;
    this.child.stdin?.write('health\n');
    for (;;) {
      const match = /^health (\{.*\})$/m.exec(this.#stdout.slice(before));
      if (match?.[1]) return JSON.parse(match[1]) as HealthReport;
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`the box exited: ${this.#stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The JSON log lines it wrote to stdout (HGW_BOX_LOG=stdout). */
  logLines(): Array<Record<string, unknown>> {
    return this.#stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** A planned stop (SIGTERM under systemd): the gateway stops cleanly, the process exits 0. */
  async stop(): Promise<Exit> {
    this.child.stdin?.write('stop\n');
    return this.exited;
  }

  /** Asks the box to close the period going on, empty its outbox and stop cleanly. */
  async drain(): Promise<Exit> {
    this.child.stdin?.write('drain\n');
    return this.exited;
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const PROBE_EVERY_MS = 1;
/** Long enough for a node process to start and arm its interval. */
const CONTROL_START_MS = 300;

/** A 1 ms interval: the longest time between two ticks is the longest the loop was not free. */
export class GapProbe {
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #longest = { ms: 0, from: 0, to: 0 };

  start(): void {
    this.#last = performance.now();
    this.#longest = { ms: 0, from: this.#last, to: this.#last };
    this.#timer = setInterval(() => this.#tick(), PROBE_EVERY_MS);
  }

  /** The longest gap and when it was, counting the one still open: a stall at the very end is seen too. */
  stop(): { ms: number; from: number; to: number } {
    this.#tick();
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#longest;
  }

  #tick(): void {
    const now = performance.now();
    if (now - this.#last > this.#longest.ms) this.#longest = { ms: now - this.#last, from: this.#last, to: now };
    this.#last = now;
  }
}

/** The same 1 ms probe, in a process of its own: what this shared machine alone does to an idle event loop. */
const CONTROL_SCRIPT = `
let last = performance.now();
let longest = 0;
setInterval(() => {
  const now = performance.now();
  longest = Math.max(longest, now - last);
  last = now;
}, 1);
process.stdin.once('data', () => {
  process.stdout.write(JSON.stringify({ ms: Math.max(longest, performance.now() - last) }));
  process.exit(0);
});
`;

export class ControlProbe {
  readonly #child: ChildProcess;
  readonly #ready: Promise<void>;

  constructor() {
    this.#child = spawn(process.execPath, ['-e', CONTROL_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    // Started once the child has run its first line; its first tick marks that.
    this.#ready = new Promise((resolve) => setTimeout(resolve, CONTROL_START_MS));
  }

  started(): Promise<void> {
    return this.#ready;
  }

  /** The control's longest gap since it started, ms. */
  async stop(): Promise<number> {
    const output: Buffer[] = [];
    this.#child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin?.end('stop\n');
    await exited;
    return (JSON.parse(Buffer.concat(output).toString('utf8')) as { ms: number }).ms;
  }
}

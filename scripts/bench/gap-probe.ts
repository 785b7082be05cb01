import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const PROBE_EVERY_MS = 1;
/** Long enough for a node process to start and arm its interval. */
const CONTROL_START_MS = 300;

export interface Gap {
  readonly ms: number;
  readonly from: number;
  readonly to: number;
  /** Of the gap, the time this thread was runnable but waiting for a CPU (0 unless the probe counts it). */
  readonly waitingMs: number;
}

/**
 * A 1 ms interval: the longest time between two ticks is the longest the loop was not free. With
 * `countWaiting` (Linux), each tick also reads how long the main thread waited in the run queue
 * (/proc/<pid>/task/<tid>/schedstat): on a shared machine a gap is partly other processes' doing,
 * and the gap less that wait is what this process itself held the loop (on a CPU, or blocked in a
 * system call such as fsync).
 */
export class GapProbe {
  readonly #countWaiting: boolean;
  #timer: NodeJS.Timeout | undefined;
  #last = 0;
  #lastWaiting = 0;
  #longest: Gap = { ms: 0, from: 0, to: 0, waitingMs: 0 };
  #longestOwn: Gap = { ms: 0, from: 0, to: 0, waitingMs: 0 };

  constructor(options: { readonly countWaiting?: boolean } = {}) {
    this.#countWaiting = options.countWaiting ?? false;
  }

  start(): void {
    this.#last = performance.now();
    this.#lastWaiting = this.#waitingMs();
    this.#longest = { ms: 0, from: this.#last, to: this.#last, waitingMs: 0 };
    this.#longestOwn = this.#longest;
    this.#timer = setInterval(() => this.#tick(), PROBE_EVERY_MS);
  }

  /** The longest gap and when it was, counting the one still open: a stall at the very end is seen too. */
  stop(): Gap {
    this.#tick();
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.#longest;
  }

  /** After stop(): the gap whose length less its wait for a CPU was longest. */
  longestOwn(): Gap {
    return this.#longestOwn;
  }

  #tick(): void {
    const now = performance.now();
    const waiting = this.#waitingMs();
    const gap: Gap = { ms: now - this.#last, from: this.#last, to: now, waitingMs: waiting - this.#lastWaiting };
    if (gap.ms > this.#longest.ms) this.#longest = gap;
    if (gap.ms - gap.waitingMs > this.#longestOwn.ms - this.#longestOwn.waitingMs) this.#longestOwn = gap;
    this.#last = now;
    this.#lastWaiting = waiting;
  }

  #waitingMs(): number {
    return this.#countWaiting ? mainThreadWaitingMs() : 0;
  }
}

/** The main thread's time runnable but waiting for a CPU so far, ms (Linux; its tid is the pid). */
export function mainThreadWaitingMs(): number {
  const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
  return Number(fields[1] ?? 0) / 1e6;
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

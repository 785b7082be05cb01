/**
 * The box of the busy-evening benchmark (busy-evening-bench.ts), a process of its own so that the
 * 1 ms loop probe and the peak RSS see the gateway alone, not the load generators. It starts the
 * gateway as `run` does (`startGateway`) from the config file it is given, on a clock it can move
 * (a month's retention falls due when the bench says so), and answers the bench over IPC.
 *
 *   forked with IPC: busy-evening-box.ts CONFIG START_CLOCK_MS
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/index.js';
import { startGateway } from '../../src/main.js';
import type { Clock } from '../../src/time/clock.js';
import { GapProbe } from './gap-probe.js';

export type BoxCommand =
  | { readonly type: 'probe' }
  | { readonly type: 'figures' }
  | { readonly type: 'jump'; readonly toMs: number }
  | { readonly type: 'sweep' }
  | { readonly type: 'close-periods' }
  | { readonly type: 'stop' };

export interface BoxReady {
  readonly type: 'ready';
  readonly stationUrl: string;
  readonly chatUrl: string;
  readonly mailPort: number;
  readonly startMs: number;
  /** VmHWM when startGateway resolved: the start's own peak (store open, index load, first sweep). */
  readonly peakRssBytes: number;
}

/** Since the last `probe`: the longest gap of the 1 ms interval, and the peak resident memory. */
export interface BoxFigures {
  readonly type: 'figures';
  readonly longestStallMs: number;
  /** Of that gap, the time the main thread waited for a CPU (other processes' doing). */
  readonly stallWaitingMs: number;
  readonly peakRssBytes: number;
  readonly rssBytes: number;
}

export type BoxReport =
  | BoxReady
  | BoxFigures
  | { readonly type: 'swept'; readonly ms: number; readonly rowsCleared: number; readonly keysShredded: number }
  | { readonly type: 'closed'; readonly ms: number; readonly periods: number }
  | { readonly type: 'failed'; readonly message: string };

/** Peak resident set (VmHWM, Linux) in bytes; elsewhere the process's maxRSS. */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Starts VmHWM again from the current RSS (Linux: clear_refs 5), so a phase's peak is its own. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux or not allowed: the peak then counts from the start.
  }
}

function send(report: BoxReport): void {
  process.send?.(report);
}

async function main(): Promise<void> {
  const [configPath, clockText] = process.argv.slice(2);
  if (configPath === undefined || clockText === undefined) throw new Error('usage: busy-evening-box.ts CONFIG START_CLOCK_MS');
  let offset = Number(clockText) - Date.now();
  const clock: Clock = { now: () => Date.now() + offset };
  const config = validateConfig(JSON.parse(readFileSync(configPath, 'utf8')), configPath);
  // As shipped: JSON lines at info, written synchronously (here to a file, on the box to stdout).
  const destination = pino.destination({ dest: `${configPath}.log`, sync: true });
  const started = performance.now();
  const gateway = await startGateway(config, { clock, logger: createLogger({ level: 'info', destination }) });
  if (!gateway.chatUrl || gateway.mailPort === undefined) throw new Error('the bench config must enable chat and mail');
  send({ type: 'ready', stationUrl: gateway.stationUrl, chatUrl: gateway.chatUrl, mailPort: gateway.mailPort, startMs: performance.now() - started, peakRssBytes: peakRssBytes() });

  let probe: GapProbe | undefined;
  process.on('message', (command: BoxCommand) => {
    void (async () => {
      if (command.type === 'probe') {
        resetPeakRss();
        probe = new GapProbe({ countWaiting: true });
        probe.start();
      } else if (command.type === 'figures') {
        const gap = probe?.stop() ?? { ms: 0, waitingMs: 0 };
        probe = undefined;
        send({ type: 'figures', longestStallMs: gap.ms, stallWaitingMs: gap.waitingMs, peakRssBytes: peakRssBytes(), rssBytes: process.memoryUsage().rss });
      } else if (command.type === 'jump') {
        offset = command.toMs - Date.now();
      } else if (command.type === 'sweep') {
        const before = performance.now();
        const result = await gateway.retention.sweep();
        const rowsCleared = result.contactsUnlinked + result.phoneNumbersDestroyed + result.chatAddressesDestroyed + result.transcriptLinesDeleted + result.mailAddressesDestroyed;
        send({ type: 'swept', ms: performance.now() - before, rowsCleared, keysShredded: result.keysShredded.length });
      } else if (command.type === 'close-periods') {
        const before = performance.now();
        const periods = await gateway.upstream.aggregator.closeDuePeriods();
        send({ type: 'closed', ms: performance.now() - before, periods });
      } else {
        await gateway.stop();
        // mqtt.js keeps its connect timer after a stop that never reached the broker.
        process.exit(0);
      }
    })().catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
  });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});

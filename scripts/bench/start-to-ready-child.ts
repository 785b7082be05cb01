/**
 * One box start, timed from inside (scripts/bench/start-to-ready-bench.ts compiles this file with
 * the gateway to plain JavaScript and runs it as its own process, as systemd would run the box).
 *
 *   node start-to-ready-child.js CONFIG CLOCK_MS
 *
 * Prints one JSON line: milliseconds since the process started (performance.timeOrigin) when the
 * modules were loaded, when the store was open (schema checked, quick_check done), when the
 * prior-contact index was loaded, and when startGateway resolved
 * (line up, station server listening, upstream started), the CPU time the process used until then
 * (all threads: a figure a busy shared machine inflates far less than the wall time), and the
 * resident memory after a GC.
 * The clock is fixed at CLOCK_MS so the stored contacts fall inside the retention windows.
 */
import { performance } from 'node:perf_hooks';
import { loadConfigFile } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { startGateway } from '../../src/main.js';
import { ManualClock } from '../../src/time/clock.js';

const modulesLoadedMs = performance.now();
const [configPath, clockText] = process.argv.slice(2);
if (configPath === undefined || clockText === undefined) throw new Error('usage: start-to-ready-child.js CONFIG CLOCK_MS');

let storeOpenMs: number | undefined;
let indexLoadedMs: number | undefined;
const logger = createLogger({
  level: 'info',
  // Only the moments the store is open and the index loaded are wanted from the logs.
  destination: {
    write(line: string): void {
      if (storeOpenMs === undefined && line.includes('"msg":"database open"')) storeOpenMs = performance.now();
      if (indexLoadedMs === undefined && line.includes('prior-contact index loaded')) indexLoadedMs = performance.now();
    },
  },
});
const config = loadConfigFile(configPath);
const gateway = await startGateway(config, { clock: new ManualClock(Number(clockText)), logger });
const readyMs = performance.now();
const cpu = process.cpuUsage();
(globalThis as { gc?: () => void }).gc?.();
const memory = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ modulesLoadedMs, storeOpenMs, indexLoadedMs, readyMs, cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed })}\n`);
await gateway.stop();
// Exit at once: mqtt.js keeps its 15 s connect timer after a stop that never reached the broker.
process.exit(0);

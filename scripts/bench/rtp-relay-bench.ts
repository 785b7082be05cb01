/**
 * RTP relay micro-benchmark: N concurrent relayed calls on loopback, 50 packets/s (20 ms G.711)
 * each direction, for a few seconds. The fake trunks and desk phones run in a child process
 * (rtp-relay-endpoints.ts), so the CPU time measured here (process.cpuUsage) is the relay's alone.
 * Reports CPU per call, the share of one core, and packet loss end to end. The issue's target: 30
 * calls under 50% of one core. `npm run bench` runs it (BENCH_RTP_CALLS, BENCH_RTP_SECONDS); alone:
 *
 *   node --import tsx scripts/bench/rtp-relay-bench.ts [--calls 30] [--seconds 5] [--listen-along 0]
 *
 * `--listen-along K` adds a supervisor leg (mixing both directions every 20 ms) to K of the calls.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger } from '../../src/log/index.js';
import { ListenAlong } from '../../src/media/listen-along.js';
import { RtpPortPool } from '../../src/media/port-pool.js';
import { RtpRelay } from '../../src/media/rtp-relay.js';
import { timerScheduler, type Clock } from '../../src/time/index.js';
import { FRAME_MS, type FromEndpoints, type ToEndpoints } from './rtp-relay-endpoints.js';

export interface RtpRelayOptions {
  readonly calls: number;
  /** Measured seconds, after one second of warm-up. */
  readonly seconds: number;
  /** Calls that also get a supervisor leg. */
  readonly listenAlong?: number;
}

export interface RtpRelayResults {
  readonly calls: number;
  readonly listenAlong: number;
  readonly seconds: number;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly cpuPercentOfOneCore: number;
  readonly cpuMillisecondsPerCallPerSecond: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsForwarded: number;
  readonly lossPercent: number;
  readonly supervisorFramesReceived: number;
  readonly supervisorFramesExpectedAbout: number;
}

/** The issue's target for 30 relayed calls. */
export const MAX_RELAY_CORE_PERCENT = 50;

const ENDPOINTS = fileURLToPath(new URL('./rtp-relay-endpoints.ts', import.meta.url));

function nextMessage<K extends FromEndpoints['kind']>(child: ChildProcess, kind: K): Promise<Extract<FromEndpoints, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const listener = (message: FromEndpoints): void => {
      if (message.kind !== kind) return;
      child.off('message', listener);
      child.off('exit', early);
      resolve(message as Extract<FromEndpoints, { kind: K }>);
    };
    const early = (code: number | null): void => reject(new Error(`the RTP endpoints exited (${code}) before "${kind}"`));
    child.on('message', listener);
    child.once('exit', early);
  });
}

export async function runRtpRelayBench(options: RtpRelayOptions): Promise<RtpRelayResults> {
  const { calls, seconds } = options;
  const listening = Math.min(calls, options.listenAlong ?? 0);
  const clock: Clock = { now: () => Date.now() };
  const logger = silentLogger();
  // A random range, so a run beside the tests (or another bench) does not fight over ports.
  const first = 20_000 + 2 * randomInt(0, 10_000);
  const pool = new RtpPortPool({ first, last: first + 4 * (calls + listening) + 19 });
  const child = fork(ENDPOINTS, ['--rtp-endpoints'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  try {
    const opened = nextMessage(child, 'opened');
    child.send({ kind: 'open', calls, supervisors: listening } satisfies ToEndpoints);
    const { endpoints } = await opened;
    const relays = endpoints.map((endpoint) => new RtpRelay({
      pool,
      bindAddress: '127.0.0.1',
      outside: { codec: 'PCMA', remote: { address: '127.0.0.1', port: endpoint.trunk } },
      inside: { codec: 'PCMA', remote: { address: '127.0.0.1', port: endpoint.phone } },
      clock,
      scheduler: timerScheduler,
      logger,
    }));
    await Promise.all(relays.map((relay) => relay.start()));
    const listenAlongs = endpoints.slice(0, listening).map((endpoint, i) => new ListenAlong({
      relay: relays[i]!,
      pool,
      bindAddress: '127.0.0.1',
      supervisor: { codec: 'PCMU', remote: { address: '127.0.0.1', port: endpoint.supervisor ?? 0 } },
      clock,
      scheduler: timerScheduler,
      logger,
    }));
    await Promise.all(listenAlongs.map((listen) => listen.start()));

    child.send({
      kind: 'start',
      ports: relays.map((relay, i) => ({ outside: relay.outside.localPort, inside: relay.inside.localPort, supervisor: listenAlongs[i]?.supervisorLeg.localPort })),
    } satisfies ToEndpoints);
    // One second of warm-up (JIT, socket buffers), then the measured window.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cpuBefore = process.cpuUsage();
    const wallBefore = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const cpu = process.cpuUsage(cpuBefore);
    const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
    const countsArrived = nextMessage(child, 'counts');
    child.send({ kind: 'stop' } satisfies ToEndpoints);
    const counts = await countsArrived;
    await Promise.all(listenAlongs.map((listen) => listen.stop()));
    await Promise.all(relays.map((relay) => relay.stop()));

    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const counters = relays.map((relay) => relay.counters());
    const loss = counts.sent > 0 ? 1 - counts.received / counts.sent : 0;
    return {
      calls,
      listenAlong: listening,
      seconds: Number(wallSeconds.toFixed(2)),
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      cpuPercentOfOneCore: Number(((cpuSeconds / wallSeconds) * 100).toFixed(1)),
      cpuMillisecondsPerCallPerSecond: Number(((cpuSeconds * 1000) / wallSeconds / calls).toFixed(3)),
      packetsSent: counts.sent,
      packetsReceived: counts.received,
      packetsForwarded: counters.reduce((total, pair) => total + pair.outside.packetsOut + pair.inside.packetsOut, 0),
      lossPercent: Number((loss * 100).toFixed(3)),
      supervisorFramesReceived: counts.supervisorReceived,
      supervisorFramesExpectedAbout: Math.round(listening * (seconds + 1.3) * (1000 / FRAME_MS)),
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`--${name} wants a number`);
  return value;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runRtpRelayBench({ calls: option('calls', 30), seconds: option('seconds', 5), listenAlong: option('listen-along', 0) });
  const { calls, listenAlong } = results;
  console.log(`${calls} relayed calls${listenAlong ? ` (${listenAlong} with listen-along)` : ''}, ${results.seconds} s at 50 packets/s each direction`);
  console.log(`  relay CPU: ${results.cpuPercentOfOneCore}% of one core, ${results.cpuMillisecondsPerCallPerSecond} ms CPU per call per second (target: 30 calls < ${MAX_RELAY_CORE_PERCENT}%)`);
  console.log(`  packets: ${results.packetsSent} sent, ${results.packetsReceived} received back, loss ${results.lossPercent}%`);
  console.log(JSON.stringify(results));
}

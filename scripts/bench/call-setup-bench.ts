/**
 * Call setups through the box against SIPp calling SIPp directly, in one run (issue 4). The same
 * SIPp trunk places the same calls at the same rate to the same SIPp desk phone, once directly and
 * once through the real gateway as `helpline-gateway run` starts it with `line.kind = sip`: SipLine,
 * ContactDesk (keyring, pseudonymizer, vault, SQLite with synchronous=FULL in a temp dir),
 * CallRouter (longest-idle over several stations that all ring the one desk SIPp, no wrap-up), the
 * station server and the upstream outbox. Setup time is INVITE sent → 200 received at the trunk.
 *
 *   node --import tsx scripts/bench/call-setup-bench.ts   (BENCH_SIP_* as in run-benchmarks.ts)
 */
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { validateConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/index.js';
import { startGateway, systemClock, type RunningGateway } from '../../src/main.js';
import { callFromTrunk, ensureSipp, freeUdpPort, readMessageTrace, rtdMillis, setupLegs, setupTimes, startDeskPhones, type Caller } from './sipp-runs.js';
import { seededRandom, summarize, type LatencySummary } from './statistics.js';

export interface CallSetupOptions {
  /** Measured calls per path (direct and through the box). */
  readonly calls: number;
  /** Calls per second the trunk offers. */
  readonly rate: number;
  /** How long the trunk holds each answered call before its BYE. */
  readonly holdMs: number;
  /** Unmeasured calls through the box first (JIT, SQLite cache, socket buffers). */
  readonly warmup: number;
  /** Stations, all ringing the one desk SIPp; enough for rate × hold calls at once. */
  readonly stations: number;
  /** A second, faster pair of runs for throughput; left out: none. */
  readonly peak?: { readonly rate: number; readonly calls: number; readonly holdMs: number };
  /** Where the temp dirs go; default the OS temp dir. */
  readonly scratchRoot?: string;
  readonly log?: (line: string) => void;
}

export type SetupPath = 'direct' | 'box';

export interface SetupRun {
  readonly path: SetupPath;
  readonly offeredRate: number;
  /** SIPp trunks, one per source address (see RATE_PER_TRUNK_ADDRESS). */
  readonly trunkAddresses: number;
  readonly holdMs: number;
  readonly offered: number;
  readonly answered: number;
  /** Answered calls over the span from the first INVITE to the last 200. */
  readonly setupsPerSecond: number;
  readonly setup: LatencySummary;
  /** SIPp's own RTD (INVITE → 200), whole milliseconds: a cross-check of `setup`. */
  readonly rtd: { readonly p50Millis: number; readonly p99Millis: number } | undefined;
  /** SIPp trunks that exited non-zero (a call failed or timed out). */
  readonly sippFailures: number;
  /** The gateway process's CPU time (all threads, user + system) over the run per answered call; through the box only. */
  readonly boxCpuMillisPerCall: number | undefined;
  /** Through the box from one trunk address: each setup split at the desk phone. */
  readonly legs: { readonly trying: LatencySummary; readonly toDesk: LatencySummary; readonly desk: LatencySummary; readonly back: LatencySummary } | undefined;
}

export interface RunPair {
  readonly direct: SetupRun;
  readonly box: SetupRun;
  /** Through the box minus direct, at the same percentile. */
  readonly addedP50Micros: number;
  readonly addedP99Micros: number;
}

export interface CallSetupResults {
  readonly meta: {
    readonly date: string;
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly stations: number;
    readonly warmup: number;
    /** startGateway: open the store, load the keyring and index, start every service. */
    readonly gatewayStartMillis: number;
    readonly totalSeconds: number;
  };
  readonly steady: RunPair;
  readonly peak: RunPair | undefined;
  /** What the desk phone was shown through the box, over the steady and peak runs. */
  readonly desk: {
    readonly invites: number;
    readonly firstContact: number;
    readonly knownCaller: number;
    /** Calls whose caller had called earlier in the run (the privacy core must count them). */
    readonly repeatCalls: number;
    /** Caller numbers found in the desk's messages or the gateway's log: must be 0. */
    readonly leaks: number;
  };
  readonly line: Readonly<Record<string, number>>;
}

/** Distinct Dutch mobile numbers from `base`, a quarter of the calls a caller from earlier in the list. */
export function benchCallers(count: number, base: number, seed: number): Caller[] {
  const random = seededRandom(seed);
  const callers: Caller[] = [];
  for (let i = 0; i < count; i++) {
    const earlier = callers[Math.floor(random() * callers.length)];
    if (earlier && random() < 0.25) {
      callers.push(earlier);
      continue;
    }
    const subscriber = `12${String(base + i).padStart(6, '0')}`;
    callers.push({ national: `06${subscriber}`, e164: `316${subscriber}` });
  }
  return callers;
}

async function bootGateway(directory: string, stations: number, deskPort: number): Promise<{ gateway: RunningGateway; sipPort: number }> {
  const sipPort = await freeUdpPort();
  const firstRtpPort = 20_000 + 2 * randomInt(0, 9_000);
  const config = validateConfig(
    {
      site: { id: 'call-setup-bench', timeZone: 'Europe/Amsterdam', country: 'NL' },
      dataDir: join(directory, 'data'),
      policy: { preset: 'allesoke-nl' },
      categories: { topics: ['school'], ageBands: ['12-15'], outcomes: ['listened'] },
      line: {
        kind: 'sip',
        listen: { host: '127.0.0.1', port: sipPort },
        advertisedAddress: '127.0.0.1',
        trunkPeers: ['127.0.0.0/8'],
        rtpPorts: { first: firstRtpPort, last: firstRtpPort + 999 },
        // A station takes the next call as soon as its last one ended.
        routing: { strategy: 'longest-idle', wrapUpMs: 0 },
      },
      stations: {
        host: '127.0.0.1',
        port: 0,
        desks: Array.from({ length: stations }, (_, i) => ({
          id: `desk-${i + 1}`,
          token: randomBytes(32).toString('base64url'),
          deskPhone: `sip:desk-${i + 1}@127.0.0.1:${deskPort}`,
        })),
      },
      // Nobody listens: the outbox keeps the statistics, as on a site whose uplink is down.
      upstream: { url: 'mqtt://127.0.0.1:9', period: 'day' },
      log: { level: 'info' },
    },
    'call-setup bench config',
  );
  // As shipped: JSON lines at info, written synchronously (here to a file, on the box to stdout).
  const destination = pino.destination({ dest: join(directory, 'gateway.log'), sync: true, mkdir: true });
  const gateway = await startGateway(config, { clock: systemClock, logger: createLogger({ level: 'info', destination }) });
  return { gateway, sipPort };
}

interface PhaseContext {
  readonly scratch: string;
  readonly log: (line: string) => void;
  /** Present when the calls go through the box. */
  readonly box?: { readonly gateway: RunningGateway; readonly sipPort: number };
  readonly deskPort: number;
}

async function untilIdle(gateway: RunningGateway): Promise<void> {
  const line = gateway.line as { counters?: () => Readonly<Record<string, number>> };
  for (let attempt = 0; attempt < 500 && (line.counters?.().activeCalls ?? 0) > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * The shipped SIP endpoint lets one source address send 10 INVITEs/s (burst 30), then answers 503
 * and drops its INVITEs for 30 s (src/sip/flood-guard.ts). A run faster than this per address is
 * spread over several trunk addresses on loopback, as over the several addresses of a trunk's SBCs.
 */
export const RATE_PER_TRUNK_ADDRESS = 8;

/** The calls of one run dealt round-robin over `ceil(rate / 8)` trunk addresses 127.0.0.1, .2, ... */
export function trunkShares(callers: readonly Caller[], rate: number): Array<{ sourceAddress: string; callers: Caller[]; rate: number }> {
  const count = Math.max(1, Math.ceil(rate / RATE_PER_TRUNK_ADDRESS));
  return Array.from({ length: count }, (_, k) => ({
    sourceAddress: `127.0.0.${k + 1}`,
    callers: callers.filter((_, i) => i % count === k),
    rate: Number((rate / count).toFixed(3)),
  })).filter((share) => share.callers.length > 0);
}

async function runPhase(context: PhaseContext, name: string, callers: readonly Caller[], rate: number, holdMs: number): Promise<{ run: SetupRun; deskTrace: string }> {
  const path: SetupPath = context.box ? 'box' : 'direct';
  const desk = await startDeskPhones(join(context.scratch, `${name}-desk`), context.deskPort);
  const shares = trunkShares(callers, rate);
  const cpuBefore = process.cpuUsage();
  const exits = await Promise.all(shares.map((share, k) =>
    callFromTrunk(join(context.scratch, `${name}-trunk-${k + 1}`), { target: { port: context.box?.sipPort ?? context.deskPort }, ...share, holdMs })));
  const cpu = process.cpuUsage(cpuBefore);
  if (context.box) await untilIdle(context.box.gateway);
  const deskExit = await desk.stop();
  const trunkTrace = exits.flatMap((exit) => readMessageTrace(join(exit.workDirectory, 'messages.log')));
  const times = setupTimes(trunkTrace);
  const legs = context.box && shares.length === 1 ? setupLegs(trunkTrace, readMessageTrace(join(deskExit.workDirectory, 'messages.log'))) : undefined;
  const failed = exits.find((exit) => exit.exitCode !== 0);
  if (times.setupNanos.length === 0) throw new Error(`${name}: no call was answered (SIPp exit ${failed?.exitCode}): ${failed?.stderr.slice(0, 400)} ${failed?.errors.slice(0, 400)}`);
  const rtd = exits.flatMap((exit) => rtdMillis(exit.workDirectory));
  const rtdSummary = rtd.length > 0 ? summarize(rtd.map((ms) => ms * 1e6)) : undefined;
  const run: SetupRun = {
    path,
    offeredRate: rate,
    trunkAddresses: shares.length,
    holdMs,
    offered: callers.length,
    answered: times.setupNanos.length,
    setupsPerSecond: times.spanSeconds > 0 ? (times.setupNanos.length - 1) / times.spanSeconds : 0,
    setup: summarize(times.setupNanos),
    rtd: rtdSummary && { p50Millis: rtdSummary.p50Micros / 1000, p99Millis: rtdSummary.p99Micros / 1000 },
    sippFailures: exits.filter((exit) => exit.exitCode !== 0).length,
    boxCpuMillisPerCall: context.box ? (cpu.user + cpu.system) / 1000 / times.setupNanos.length : undefined,
    legs: legs && legs.toDeskNanos.length > 0 && legs.tryingNanos.length > 0
      ? { trying: summarize(legs.tryingNanos), toDesk: summarize(legs.toDeskNanos), desk: summarize(legs.deskNanos), back: summarize(legs.backNanos) }
      : undefined,
  };
  context.log(
    `call setup ${name}: ${run.answered}/${run.offered} answered at ${run.setupsPerSecond.toFixed(1)}/s from ${shares.length} trunk address(es), ` +
      `p50 ${(run.setup.p50Micros / 1000).toFixed(2)} ms, p99 ${(run.setup.p99Micros / 1000).toFixed(2)} ms`,
  );
  const deskTrace = existsSync(join(deskExit.workDirectory, 'messages.log')) ? readFileSync(join(deskExit.workDirectory, 'messages.log'), 'utf8') : '';
  return { run, deskTrace };
}

function pair(direct: SetupRun, box: SetupRun): RunPair {
  return { direct, box, addedP50Micros: box.setup.p50Micros - direct.setup.p50Micros, addedP99Micros: box.setup.p99Micros - direct.setup.p99Micros };
}

/** Caller numbers (their nine national digits) anywhere in `texts`. */
function countLeaks(callers: readonly Caller[], texts: readonly string[]): number {
  const digits = new Set(callers.map((caller) => caller.national.slice(1)));
  let leaks = 0;
  for (const text of texts) for (const run of text.match(/\d{9,}/g) ?? []) if ([...digits].some((number) => run.includes(number))) leaks++;
  return leaks;
}

function deskShown(trace: string): { invites: number; firstContact: number; knownCaller: number } {
  const froms = (trace.match(/^INVITE [^\n]*\n(?:[^\n]+\n)*?From: [^\n]*/gm) ?? []).map((block) => block.slice(block.lastIndexOf('From: ')));
  return {
    invites: froms.length,
    firstContact: froms.filter((from) => from.includes('"Eerste contact"')).length,
    knownCaller: froms.filter((from) => from.includes('"Bekende beller')).length,
  };
}

function repeatCalls(callers: readonly Caller[], seenBefore: Set<string>): number {
  let repeats = 0;
  for (const caller of callers) {
    if (seenBefore.has(caller.e164)) repeats++;
    seenBefore.add(caller.e164);
  }
  return repeats;
}

export async function runCallSetupBench(options: CallSetupOptions): Promise<CallSetupResults> {
  const log = options.log ?? (() => undefined);
  const started = process.hrtime.bigint();
  ensureSipp();
  const scratch = mkdtempSync(join(options.scratchRoot ?? tmpdir(), 'hgw-call-setup-'));
  let gateway: RunningGateway | undefined;
  try {
    const deskPort = await freeUdpPort();
    const bootStarted = process.hrtime.bigint();
    const booted = await bootGateway(scratch, options.stations, deskPort);
    gateway = booted.gateway;
    const gatewayStartMillis = Number(process.hrtime.bigint() - bootStarted) / 1e6;
    const direct: PhaseContext = { scratch, log, deskPort };
    const box: PhaseContext = { ...direct, box: booted };

    const warmupCallers = benchCallers(options.warmup, 900_000, 7);
    await runPhase(box, 'warm-up', warmupCallers, options.rate, options.holdMs);
    const steadyCallers = benchCallers(options.calls, 0, 11);
    const steadyDirect = await runPhase(direct, 'steady-direct', steadyCallers, options.rate, options.holdMs);
    const steadyBox = await runPhase(box, 'steady-box', steadyCallers, options.rate, options.holdMs);
    const seen = new Set(warmupCallers.map((caller) => caller.e164));
    let repeats = repeatCalls(steadyCallers, seen);
    const deskTraces = [steadyBox.deskTrace];
    let peak: RunPair | undefined;
    let peakCallers: Caller[] = [];
    if (options.peak) {
      peakCallers = benchCallers(options.peak.calls, 500_000, 13);
      const peakDirect = await runPhase(direct, 'peak-direct', peakCallers, options.peak.rate, options.peak.holdMs);
      const peakBox = await runPhase(box, 'peak-box', peakCallers, options.peak.rate, options.peak.holdMs);
      peak = pair(peakDirect.run, peakBox.run);
      repeats += repeatCalls(peakCallers, seen);
      deskTraces.push(peakBox.deskTrace);
    }
    const line = (gateway.line as { counters?: () => Readonly<Record<string, number>> }).counters?.() ?? {};
    await gateway.stop();
    gateway = undefined;
    const shown = deskTraces.map(deskShown).reduce((sum, one) => ({
      invites: sum.invites + one.invites,
      firstContact: sum.firstContact + one.firstContact,
      knownCaller: sum.knownCaller + one.knownCaller,
    }));
    const gatewayLog = readFileSync(join(scratch, 'gateway.log'), 'utf8');
    const allCallers = [...warmupCallers, ...steadyCallers, ...peakCallers];
    return {
      meta: {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        stations: options.stations,
        warmup: options.warmup,
        gatewayStartMillis,
        totalSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      },
      steady: pair(steadyDirect.run, steadyBox.run),
      peak,
      desk: { ...shown, repeatCalls: repeats, leaks: countLeaks(allCallers, [...deskTraces, gatewayLog]) },
      line,
    };
  } finally {
    await gateway?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runCallSetupBench({ calls: 400, rate: 8, holdMs: 1000, warmup: 40, stations: 24, peak: { rate: 40, calls: 400, holdMs: 200 }, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

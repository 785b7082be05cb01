/**
 * A busy evening (issue 8): one box, as `run` starts it, on a populated store (the retention
 * benchmark's, cached under .bench/), under everything at once: phone calls from a SIPp trunk
 * (`calls` up at once), `chats` chats writing a line a second each with volunteers answering at
 * their stations, mail arriving over SMTP, a month's retention run and a statistics week's close.
 * Measured: line-to-station (trunk INVITE → the station's first frame of the contact), chat relay
 * both ways (chatter → volunteer's station socket, volunteer's HTTP send → chatter), and the
 * longest event-loop stall (1 ms interval probe inside the box process). Baseline: the same box
 * with one flow alone (calls alone, then chats alone), so the ratio is what the evening costs.
 *
 * The same run gives the peak resident memory (VmHWM) of the box with calls on the populated store,
 * against the same box and calls on an empty store.
 *
 *   node --import tsx scripts/bench/busy-evening-bench.ts   (BENCH_EVENING_* as in run-benchmarks.ts)
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type WebSocket from 'ws';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { silentLogger } from '../../src/log/index.js';
import { DATABASE_FILE } from '../../src/main.js';
import { CapturingRelay } from '../../tests/mail/mail-fixture.js';
import type { BoxFigures } from './busy-evening-box.js';
import { BoxProcess, chatFor, mailUntil, openChats, phoneCalls, stationTokens, Stations, writeBoxConfig, type PhoneFlow } from './busy-evening-harness.js';
import type { DirectionSummary } from './chat-relay-bench.js';
import { machineMeta, type MachineMeta } from './machine.js';
import { ensurePrivacyPopulation } from './population.js';
import { copyToScratch, RETENTION_NOW, RETENTION_SPREAD } from './retention-bench.js';
import { ensureSipp, freeUdpPort, startDeskPhones } from './sipp-runs.js';
import { populate } from './stats-bench.js';

export interface BusyEveningOptions {
  /** Phone contacts in the store (the retention benchmark's population); 0: an empty store. */
  readonly contacts: number;
  /** Phone calls up at once: calls arrive at calls / holdSeconds per second, each held holdSeconds. */
  readonly calls: number;
  readonly holdSeconds: number;
  readonly chats: number;
  /** Measured seconds of each phase. */
  readonly seconds: number;
  readonly mailsPerMinute: number;
  /** Registered contacts of the statistics week that closes during the evening. */
  readonly registrations: number;
  readonly cacheRoot: string;
  readonly log?: (line: string) => void;
}

export interface PhaseFigures {
  readonly lineToStation: DirectionSummary & { readonly offered: number; readonly framesSeen: number; readonly stampedLate: number };
  readonly chat: { readonly callerToVolunteer: DirectionSummary; readonly volunteerToCaller: DirectionSummary; readonly lost: number } | undefined;
  readonly longestStallMs: number;
  readonly stallWaitingMs: number;
  readonly peakRssBytes: number;
}

export type BusyEveningSettings = Omit<BusyEveningOptions, 'cacheRoot' | 'log'>;

export interface BusyEveningResults {
  readonly meta: MachineMeta & BusyEveningSettings & { readonly loadAverage: number; readonly totalSeconds: number };
  /** The populated box: started, then calls alone, chats alone, and the busy evening. */
  readonly start: { readonly ms: number; readonly peakRssBytes: number };
  readonly callsAlone: PhaseFigures;
  readonly chatsAlone: PhaseFigures;
  readonly busy: PhaseFigures & {
    readonly mails: { readonly sent: number; readonly refused: number };
    readonly sweep: { readonly ms: number; readonly rowsCleared: number; readonly keysShredded: number };
    readonly close: { readonly ms: number; readonly periods: number };
    readonly httpFailures: number;
  };
  /** The same box and calls on an empty store: the baseline of the peak RSS. */
  readonly empty: { readonly start: { readonly ms: number; readonly peakRssBytes: number }; readonly callsAlone: PhaseFigures };
}

/** The evening's month: the box starts on the retention benchmark's day, a month later the next month is due. */
const A_MONTH_LATER = RETENTION_NOW + 31 * 86_400_000;
const NO_CHAT: DirectionSummary = { samples: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };

function summarizeMs(samples: readonly number[]): DirectionSummary {
  if (samples.length === 0) return NO_CHAT;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { samples: sorted.length, p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted.at(-1) ?? 0 };
}

function phase(phone: PhoneFlow | undefined, stations: Stations | undefined, figures: BoxFigures): PhaseFigures {
  return {
    lineToStation: { ...summarizeMs(phone?.lineToStationMs ?? []), offered: phone?.offered ?? 0, framesSeen: phone?.framesSeen ?? 0, stampedLate: phone?.stampedLate ?? 0 },
    chat: stations ? { callerToVolunteer: stations.up.summary(), volunteerToCaller: stations.down.summary(), lost: stations.up.lost + stations.down.lost } : undefined,
    longestStallMs: figures.longestStallMs,
    stallWaitingMs: figures.stallWaitingMs,
    peakRssBytes: figures.peakRssBytes,
  };
}

interface Site {
  readonly box: BoxProcess;
  readonly stations: Stations;
  readonly sipPort: number;
  stop(): Promise<void>;
}

async function openSite(directory: string, options: BusyEveningOptions, contacts: number): Promise<Site> {
  const dataDir = join(directory, 'data');
  let keyringDir = join(directory, 'keyring');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (contacts > 0) {
    const population = ensurePrivacyPopulation({ cacheRoot: options.cacheRoot, contacts, spread: RETENTION_SPREAD, log: options.log ?? (() => undefined) });
    const copy = copyToScratch(population, join(directory, 'store'));
    keyringDir = copy.keyringDirectory;
    const database = GatewayDatabase.open({ path: copy.database, logger: silentLogger() });
    // The week before the evening's day, registered: the statistics period that closes during it.
    populate(database, options.registrations, { start: A_MONTH_LATER - 8 * 86_400_000, end: A_MONTH_LATER - 86_400_000 });
    database.close();
    for (const suffix of ['', '-wal']) {
      if (existsSync(`${copy.database}${suffix}`)) renameSync(`${copy.database}${suffix}`, join(dataDir, `${DATABASE_FILE}${suffix}`));
    }
  }
  const relay = new CapturingRelay();
  const relayPort = await relay.start();
  const deskPort = await freeUdpPort();
  const desk = await startDeskPhones(join(directory, 'desk'), deskPort);
  const sipPort = await freeUdpPort();
  const tokens = stationTokens(options.calls);
  const config = writeBoxConfig({ directory, dataDir, keyringDir, sipPort, deskPort, relayPort, calls: options.calls, chats: options.chats, tokens });
  const box = await BoxProcess.start(config, RETENTION_NOW);
  const stations = await Stations.connect(box.ready.stationUrl, tokens);
  return {
    box,
    stations,
    sipPort,
    stop: async () => {
      stations.close();
      await box.stop();
      await desk.stop();
      await relay.stop();
    },
  };
}

async function callsAlone(site: Site, directory: string, options: BusyEveningOptions, base: number): Promise<PhaseFigures> {
  site.box.tell({ type: 'probe' });
  const rate = options.calls / options.holdSeconds;
  const phone = await phoneCalls(directory, { sipPort: site.sipPort, count: Math.max(1, Math.round(rate * options.seconds)), rate, holdMs: options.holdSeconds * 1000, base }, site.stations);
  return phase(phone, undefined, await site.box.figures());
}

export async function runBusyEveningBench(options: BusyEveningOptions): Promise<BusyEveningResults> {
  const log = options.log ?? (() => undefined);
  ensureSipp();
  const started = performance.now();
  const loadAverage = loadavg()[0] ?? 0;
  const scratch = mkdtempSync(join(tmpdir(), 'hgw-busy-evening-'));
  try {
    log(`busy evening: a box on ${options.contacts.toLocaleString('en')} contacts`);
    const site = await openSite(join(scratch, 'populated'), options, options.contacts);
    let chatters: WebSocket[] = [];
    try {
      log(`busy evening: ${options.calls} calls up at once, alone`);
      const calls = await callsAlone(site, join(scratch, 'calls-alone'), options, 100_000);
      log(`busy evening: ${options.chats} chats, alone`);
      chatters = await openChats(site.box.ready.chatUrl, options.chats, site.stations);
      site.box.tell({ type: 'probe' });
      await chatFor(chatters, site.stations, options.seconds, 'alone');
      const chats = phase(undefined, site.stations, await site.box.figures());

      log('busy evening: everything at once, a month later (retention due, a statistics week to close)');
      site.stations.newWindow();
      const failuresBefore = site.stations.httpFailures;
      site.box.tell({ type: 'probe' });
      site.box.tell({ type: 'jump', toMs: A_MONTH_LATER });
      const rate = options.calls / options.holdSeconds;
      const phoneDone = phoneCalls(join(scratch, 'busy'), { sipPort: site.sipPort, count: Math.max(1, Math.round(rate * options.seconds)), rate, holdMs: options.holdSeconds * 1000, base: 200_000 }, site.stations);
      const chatDone = chatFor(chatters, site.stations, options.seconds, 'busy');
      const mails = mailUntil(site.box.ready.mailPort, options.mailsPerMinute, Promise.all([phoneDone, chatDone]));
      // Once the calls are up: the month's retention run, then the week's statistics close, as the box's own timers would start them.
      await new Promise((resolve) => setTimeout(resolve, (Math.min(options.holdSeconds, options.seconds) * 1000) / 2));
      const sweep = await site.box.ask({ type: 'sweep' }, 'swept');
      const close = await site.box.ask({ type: 'close-periods' }, 'closed');
      const [phone] = await Promise.all([phoneDone, chatDone]);
      const busy = {
        ...phase(phone, site.stations, await site.box.figures()),
        mails: await mails,
        sweep: { ms: sweep.ms, rowsCleared: sweep.rowsCleared, keysShredded: sweep.keysShredded },
        close: { ms: close.ms, periods: close.periods },
        httpFailures: site.stations.httpFailures - failuresBefore,
      };
      const start = { ms: site.box.ready.startMs, peakRssBytes: site.box.ready.peakRssBytes };
      for (const socket of chatters) socket.terminate();
      await site.stop();

      log('busy evening: the same box and calls on an empty store (peak RSS baseline)');
      const emptySite = await openSite(join(scratch, 'empty'), options, 0);
      let empty: BusyEveningResults['empty'];
      try {
        empty = { start: { ms: emptySite.box.ready.startMs, peakRssBytes: emptySite.box.ready.peakRssBytes }, callsAlone: await callsAlone(emptySite, join(scratch, 'empty-calls'), options, 300_000) };
      } finally {
        await emptySite.stop();
      }
      const { cacheRoot: _cacheRoot, log: _log, ...settings } = options;
      return {
        meta: { ...machineMeta(), ...settings, loadAverage, totalSeconds: (performance.now() - started) / 1000 },
        start,
        callsAlone: calls,
        chatsAlone: chats,
        busy,
        empty,
      };
    } catch (error) {
      for (const socket of chatters) socket.terminate();
      await site.stop().catch(() => undefined);
      throw error;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const ms = (value: number): string => `${value.toFixed(2)} ms`;
const ratio = (measured: number, baseline: number): string => (baseline > 0 ? `${(measured / baseline).toFixed(2)}×` : '–');
const megabytes = (bytes: number): string => `${Math.round(bytes / (1024 * 1024))} MB`;
const count = (value: number): string => value.toLocaleString('en');

function latencyRows(label: string, alone: DirectionSummary, busy: DirectionSummary): string[] {
  return [
    `| ${label}, p50 | ${ms(alone.p50Ms)} | ${ms(busy.p50Ms)} | ${ratio(busy.p50Ms, alone.p50Ms)} |`,
    `| ${label}, **p99** | ${ms(alone.p99Ms)} | **${ms(busy.p99Ms)}** | ${ratio(busy.p99Ms, alone.p99Ms)} |`,
    `| ${label}, max (samples) | ${ms(alone.maxMs)} (${count(alone.samples)}) | ${ms(busy.maxMs)} (${count(busy.samples)}) | |`,
  ];
}

/** The longer of the two one-flow phases' stalls: the baseline of the evening's. */
export function aloneStallMs(results: BusyEveningResults): number {
  return Math.max(results.callsAlone.longestStallMs, results.chatsAlone.longestStallMs);
}

export function renderBusyEveningReport(results: BusyEveningResults): string {
  const { meta, callsAlone, chatsAlone, busy, empty, start } = results;
  const chatAlone = chatsAlone.chat;
  const chatBusy = busy.chat;
  const rate = meta.calls / meta.holdSeconds;
  return [
    `### Busy evening: ${meta.calls} phone calls, ${meta.chats} chats, mail, a retention run and a statistics close at once`,
    '',
    `Run ${meta.date.slice(0, 16).replace('T', ' ')} UTC · Node ${meta.node} · ${meta.cpu} (${meta.cores} cores) · load average ${meta.loadAverage.toFixed(1)} before · ` +
      `the box as \`run\` starts it (SIP line, chat, mail, ${meta.calls + 4} desk-phone stations, 10 volunteer stations), alone in its process, on **${count(meta.contacts)} stored phone contacts** (the retention benchmark's store) · ` +
      `calls: ${rate.toFixed(1)}/s from a SIPp trunk, each held ${meta.holdSeconds} s (${meta.calls} up at once), answered by a SIPp desk phone · chats: one line a second each, every line answered by a volunteer over the station API · ` +
      `${meta.seconds} s per phase · box started in ${(start.ms / 1000).toFixed(1)} s · whole bench ${meta.totalSeconds.toFixed(0)} s`,
    '',
    '| figure | one flow alone (baseline) | busy evening | busy ÷ alone |',
    '| --- | --- | --- | --- |',
    ...latencyRows('line to station (trunk INVITE → station frame)', callsAlone.lineToStation, busy.lineToStation),
    ...(chatAlone && chatBusy
      ? [...latencyRows('chat caller → volunteer', chatAlone.callerToVolunteer, chatBusy.callerToVolunteer), ...latencyRows('chat volunteer → caller', chatAlone.volunteerToCaller, chatBusy.volunteerToCaller)]
      : []),
    `| **longest event-loop stall** (1 ms interval in the box; of it waiting for a CPU) | calls ${ms(callsAlone.longestStallMs)} (${ms(callsAlone.stallWaitingMs)}), chats ${ms(chatsAlone.longestStallMs)} (${ms(chatsAlone.stallWaitingMs)}) | **${ms(busy.longestStallMs)}** (${ms(busy.stallWaitingMs)}) | ${ratio(busy.longestStallMs, aloneStallMs(results))} |`,
    `| calls offered / seen at the station | ${count(callsAlone.lineToStation.offered)} / ${count(callsAlone.lineToStation.framesSeen)} | ${count(busy.lineToStation.offered)} / ${count(busy.lineToStation.framesSeen)} | |`,
    `| calls left out: shown before SIPp stamped its INVITE | ${count(callsAlone.lineToStation.stampedLate)} | ${count(busy.lineToStation.stampedLate)} | |`,
    `| chat lines unanswered at the end | ${count(chatAlone?.lost ?? 0)} | ${count(chatBusy?.lost ?? 0)} | |`,
    `| mails handed over SMTP (refused) | – | ${count(busy.mails.sent)} (${count(busy.mails.refused)}) at ${meta.mailsPerMinute}/min | |`,
    `| retention run (a month due): rows cleared, keys shredded, time | – | ${count(busy.sweep.rowsCleared)}, ${busy.sweep.keysShredded}, ${(busy.sweep.ms / 1000).toFixed(1)} s | |`,
    `| statistics close: day periods of ${count(meta.registrations)} registrations, time | – | ${busy.close.periods}, ${(busy.close.ms / 1000).toFixed(2)} s | |`,
    `| station HTTP requests that failed | – | ${count(busy.httpFailures)} | |`,
    '',
    `### Peak resident memory (VmHWM of the box process)`,
    '',
    '| store | start until ready | with calls (the calls-alone phase) | during the busy evening |',
    '| --- | --- | --- | --- |',
    `| **${count(meta.contacts)} stored contacts** | ${megabytes(start.peakRssBytes)} | **${megabytes(callsAlone.peakRssBytes)}** | ${megabytes(busy.peakRssBytes)} |`,
    `| empty store (baseline) | ${megabytes(empty.start.peakRssBytes)} | ${megabytes(empty.callsAlone.peakRssBytes)} | – |`,
    `| ratio | ${ratio(start.peakRssBytes, empty.start.peakRssBytes)} | ${ratio(callsAlone.peakRssBytes, empty.callsAlone.peakRssBytes)} | |`,
    '',
  ].join('\n');
}

/** The peak RSS with calls on the populated store: its start's peak or the calls', whichever is higher. */
export function populatedPeakRssBytes(results: BusyEveningResults): number {
  return Math.max(results.start.peakRssBytes, results.callsAlone.peakRssBytes);
}

export function emptyPeakRssBytes(results: BusyEveningResults): number {
  return Math.max(results.empty.start.peakRssBytes, results.empty.callsAlone.peakRssBytes);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const number = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  const results = await runBusyEveningBench({
    contacts: number('BENCH_EVENING_CONTACTS', 2_000_000),
    calls: number('BENCH_EVENING_CALLS', 60),
    holdSeconds: number('BENCH_EVENING_HOLD_SECONDS', 10),
    chats: number('BENCH_EVENING_CHATS', 200),
    seconds: number('BENCH_EVENING_SECONDS', 30),
    mailsPerMinute: number('BENCH_EVENING_MAILS_PER_MINUTE', 30),
    registrations: number('BENCH_EVENING_REGISTRATIONS', 7_700),
    cacheRoot: join(import.meta.dirname, '..', '..', '.bench'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${renderBusyEveningReport(results)}\n`);
}

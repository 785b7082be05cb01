/**
 * Outbox replay after a week offline (issue 6): a busy site's store with a week of closed periods
 * waiting in the outbox (hourly and daily periods, each a helpline.stats/2 message and its
 * incident message), replayed by the box's own UpstreamConnection + OutboxPublisher + birth
 * message into a real Mosquitto on loopback (Debian's /usr/sbin/mosquitto, started here) until
 * the outbox is empty. Baseline in the same run: the same payloads published by a bare mqtt.js
 * client at QoS 1 with the same number in flight. Each in-flight window is run `repetitions`
 * times, each time on a fresh copy of the store; the median run is reported.
 *
 * Each window also runs behind a relay that adds a round trip (default 20 ms, a DSL or 4G link to
 * the central office), where the window, not the box's CPU, sets the pace.
 *
 *   node --import tsx scripts/bench/outbox-replay-bench.ts [--days 7] [--contacts-per-day 600] [--windows 1,4,16,64] [--rtt-ms 0,20] [--repetitions 5]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, type MqttClient } from 'mqtt';
import { silentLogger } from '../../src/log/index.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { OutboxRepository } from '../../src/store/outbox-repository.js';
import { ManualClock } from '../../src/time/index.js';
import { BirthAnnouncer } from '../../src/upstream/birth-announcer.js';
import { UpstreamConnection } from '../../src/upstream/mqtt-connection.js';
import { DEFAULT_WINDOW, OutboxPublisher } from '../../src/upstream/outbox-publisher.js';
import type { PeriodLength } from '../../src/upstream/period-calendar.js';
import { DelayProxy, startMosquitto } from './loopback-broker.js';
import { BENCH_SITE, buildOfflineStore, type OfflineStore } from './outbox-replay-store.js';

export interface OutboxReplayOptions {
  readonly days: number;
  readonly contactsPerDay: number;
  readonly periodLengths: readonly PeriodLength[];
  readonly windows: readonly number[];
  /** Round-trip times to emulate (0: plain loopback), each with every window. */
  readonly rttsMs: readonly number[];
  readonly repetitions: number;
  readonly log?: (line: string) => void;
}

export interface ReplayFigures {
  /** From connect() to the broker's CONNACK. */
  readonly connectMs: number;
  /** From CONNACK to the last PUBACK (for the box: birth included, and the outbox empty). */
  readonly drainMs: number;
  readonly messagesPerSecond: number;
  readonly megabytesPerSecond: number;
}

export interface ReplayRow {
  readonly periodLength: PeriodLength;
  readonly rttMs: number;
  readonly window: number;
  readonly box: ReplayFigures;
  readonly baseline: ReplayFigures;
  /** Box drain time over the baseline's. */
  readonly ratio: number;
}

export interface OutboxReplayResults {
  readonly meta: {
    readonly date: string;
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    /** One-minute load average when the run started: other work on the machine shows here. */
    readonly loadAverage: number;
    readonly mosquitto: string;
    readonly days: number;
    readonly contactsPerDay: number;
    readonly repetitions: number;
    readonly defaultWindow: number;
  };
  readonly stores: readonly Omit<OfflineStore, 'file'>[];
  readonly rows: readonly ReplayRow[];
}

const MB = 1_000_000;

export async function runOutboxReplayBench(options: OutboxReplayOptions): Promise<OutboxReplayResults> {
  const log = options.log ?? (() => undefined);
  const loadAverage = loadavg()[0] ?? 0;
  const scratch = mkdtempSync(join(tmpdir(), 'hgw-outbox-replay-'));
  const broker = await startMosquitto(scratch);
  try {
    const stores: OfflineStore[] = [];
    const rows: ReplayRow[] = [];
    for (const periodLength of options.periodLengths) {
      log(`outbox replay: building ${options.days} days of ${periodLength} periods at ${options.contactsPerDay} contacts/day`);
      const store = await buildOfflineStore({ directory: scratch, periodLength, days: options.days, contactsPerDay: options.contactsPerDay });
      stores.push(store);
      const payloads = readPayloads(store.file);
      for (const rttMs of options.rttsMs) {
        const proxy = rttMs > 0 ? await DelayProxy.start(broker.port, rttMs) : undefined;
        const url = proxy?.url ?? broker.url;
        try {
          for (const window of options.windows) {
            const box: ReplayFigures[] = [];
            const baseline: ReplayFigures[] = [];
            for (let repetition = 0; repetition < options.repetitions; repetition += 1) {
              // Alternated, so a slow moment of the machine does not fall on one side only.
              box.push(await replayThroughBox(url, store, window, join(scratch, `run-${periodLength}-${window}-${repetition}.db`)));
              baseline.push(await replayBare(url, payloads, window));
            }
            const row = { periodLength, rttMs, window, box: median(box), baseline: median(baseline) };
            rows.push({ ...row, ratio: row.box.drainMs / row.baseline.drainMs });
            log(`outbox replay: ${periodLength}, rtt ${rttMs} ms, window ${window}: box ${row.box.messagesPerSecond.toFixed(0)} msg/s, bare ${row.baseline.messagesPerSecond.toFixed(0)} msg/s`);
          }
        } finally {
          await proxy?.stop();
        }
      }
    }
    return {
      meta: {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        loadAverage,
        mosquitto: broker.version,
        days: options.days,
        contactsPerDay: options.contactsPerDay,
        repetitions: options.repetitions,
        defaultWindow: DEFAULT_WINDOW,
      },
      stores: stores.map(({ file: _file, ...store }) => store),
      rows,
    };
  } finally {
    await broker.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The box's own path: connection, birth, publisher, on a fresh copy of the store. */
async function replayThroughBox(url: string, store: OfflineStore, window: number, copy: string): Promise<ReplayFigures> {
  copyFileSync(store.file, copy);
  const database = GatewayDatabase.open({ path: copy, logger: silentLogger() });
  const logger = silentLogger();
  const clock = new ManualClock(Date.parse('2025-06-09T08:00:00Z'));
  const session = '00000000-0000-4000-8000-000000000002';
  const outbox = new OutboxRepository(database);
  const expected = outbox.count();
  const connection = new UpstreamConnection({ url, site: BENCH_SITE, session, firmware: '0.1.0', reconnectInitialMs: 50, reconnectMaxMs: 200 }, clock, logger);
  const birth = new BirthAnnouncer({ site: BENCH_SITE, session, firmware: '0.1.0', outbox, clock, logger });
  const publisher = new OutboxPublisher({ connection, outbox, logger, window, birth });
  let connectedAt = 0;
  let published = 0;
  const drained = new Promise<number>((done) => {
    publisher.onPublished(() => {
      published += 1;
      if (published === expected) done(performance.now());
    });
  });
  connection.on('connected', () => (connectedAt = performance.now()));
  try {
    await publisher.start();
    const started = performance.now();
    await connection.start();
    const emptiedAt = await drained;
    if (outbox.count() !== 0) throw new Error('outbox not empty after every message was acknowledged');
    return figures(connectedAt - started, emptiedAt - connectedAt, expected, store.payloadBytes);
  } finally {
    await publisher.stop();
    await connection.stop();
    database.close();
    rmSync(copy, { force: true });
    rmSync(`${copy}-wal`, { force: true });
  }
}

/** A bare mqtt.js client: the same payloads, QoS 1, `window` in flight, nothing else. */
async function replayBare(url: string, payloads: readonly { topic: string; payload: string }[], window: number): Promise<ReplayFigures> {
  const started = performance.now();
  const client = connect(url, { clientId: `bench-bare-${process.pid}`, clean: true, reconnectPeriod: 0 });
  client.on('error', () => undefined);
  await new Promise<void>((done, fail) => {
    client.once('connect', () => done());
    client.once('error', fail);
  });
  // The same socket option as the box's connection, so the comparison is of the box's own work.
  (client.stream as Partial<Pick<Socket, 'setNoDelay'>>).setNoDelay?.(true);
  const connectedAt = performance.now();
  const bytes = payloads.reduce((sum, message) => sum + Buffer.byteLength(message.payload), 0);
  await publishWindowed(client, payloads, window);
  const doneAt = performance.now();
  await client.endAsync();
  return figures(connectedAt - started, doneAt - connectedAt, payloads.length, bytes);
}

function publishWindowed(client: MqttClient, payloads: readonly { topic: string; payload: string }[], window: number): Promise<void> {
  return new Promise((done, fail) => {
    let next = 0;
    let acknowledged = 0;
    const send = (): void => {
      const message = payloads[next];
      if (!message) return;
      next += 1;
      client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
        if (error) return fail(error);
        acknowledged += 1;
        if (acknowledged === payloads.length) return done();
        send();
      });
    };
    for (let i = 0; i < Math.min(window, payloads.length); i += 1) send();
  });
}

function readPayloads(file: string): Array<{ topic: string; payload: string }> {
  const copy = `${file}.read`;
  copyFileSync(file, copy);
  const database = GatewayDatabase.open({ path: copy, logger: silentLogger() });
  try {
    return new OutboxRepository(database).oldest(1_000_000).map(({ topic, payload }) => ({ topic, payload }));
  } finally {
    database.close();
    rmSync(copy, { force: true });
  }
}

function figures(connectMs: number, drainMs: number, messages: number, bytes: number): ReplayFigures {
  return { connectMs, drainMs, messagesPerSecond: (messages / drainMs) * 1000, megabytesPerSecond: (bytes / MB / drainMs) * 1000 };
}

function median(runs: readonly ReplayFigures[]): ReplayFigures {
  const sorted = [...runs].sort((a, b) => a.drainMs - b.drainMs);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (!middle) throw new Error('no runs');
  return middle;
}

const ms = (value: number): string => (value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0));
const kb = (bytes: number): string => (bytes / 1000).toFixed(1);

export function renderOutboxReplayReport(results: OutboxReplayResults): string {
  const { meta } = results;
  const lines = [
    `### Outbox replay after ${meta.days} day${meta.days === 1 ? '' : 's'} offline (${meta.contactsPerDay} contacts/day)`,
    '',
    '| periods | messages | payload | stats message | incident message |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.stores.map(
      (store) =>
        `| ${store.periods} × ${store.periodLength} | ${store.messages} | ${(store.payloadBytes / MB).toFixed(2)} MB | ${kb(store.statsBytes.min)}–${kb(store.statsBytes.max)} kB | ${kb(store.incidentBytes.min)}–${kb(store.incidentBytes.max)} kB |`,
    ),
    '',
    '| periods | round trip | in flight | box: time to drain | box msg/s | box MB/s | bare mqtt.js: time | bare msg/s | bare MB/s | box / bare time |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.rows.map(
      (row) =>
        `| ${row.periodLength} | ${row.rttMs === 0 ? 'loopback' : `${row.rttMs} ms`} | ${row.window}${row.window === meta.defaultWindow ? ' (default)' : ''} | ${ms(row.box.drainMs)} ms | ${row.box.messagesPerSecond.toFixed(0)} | ${row.box.megabytesPerSecond.toFixed(2)} | ${ms(row.baseline.drainMs)} ms | ${row.baseline.messagesPerSecond.toFixed(0)} | ${row.baseline.megabytesPerSecond.toFixed(2)} | ${row.ratio.toFixed(2)}× |`,
    ),
    '',
    `Time to drain: from the broker's CONNACK to the last PUBACK; for the box that includes the birth message (acknowledged before the replay starts), the payload check of every message and the SQLite delete of every row. ` +
      `Median of ${meta.repetitions} runs, each on a fresh copy of the store; Mosquitto ${meta.mosquitto} on loopback (no persistence, set_tcp_nodelay), a round trip other than loopback emulated by a relay delaying each direction by half of it. ` +
      `${meta.cpu}, ${meta.cores} cores, load average ${meta.loadAverage.toFixed(1)} at the start, Node ${meta.node}, ${meta.date.slice(0, 10)}.`,
    '',
  ];
  return lines.join('\n');
}

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`--${name} wants a positive whole number`);
  return value;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const results = await runOutboxReplayBench({
    days: positive('days', option('days', '7')),
    contactsPerDay: positive('contacts-per-day', option('contacts-per-day', '600')),
    periodLengths: ['hour', 'day'],
    windows: option('windows', '1,4,16,64').split(',').map((text) => positive('windows', text)),
    rttsMs: option('rtt-ms', '0,20').split(',').map((text) => (text === '0' ? 0 : positive('rtt-ms', text))),
    repetitions: positive('repetitions', option('repetitions', '5')),
    log: (line) => void process.stderr.write(`bench: ${line}\n`),
  });
  process.stdout.write(`${renderOutboxReplayReport(results)}\n`);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

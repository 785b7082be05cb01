import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig, type GatewayConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/logger.js';
import { startGateway, DATABASE_FILE, type RunningGateway } from '../../src/main.js';
import { FakePanel, type LedModes } from '../../src/panel/index.js';
import type { StationContactJson } from '../../src/stations/station-json.js';
import { ManualClock } from '../../src/time/clock.js';
import { timerScheduler } from '../../src/time/scheduler.js';
import type { PeriodLength } from '../../src/upstream/period-calendar.js';
import { StationClient } from '../e2e/whole-box-harness.js';
import { PtyModemFeeder, SocatPtyPair } from '../support/pty-modem.js';
import { modemLinesFor, type KnownCaller } from './known-callers.js';
import { waitFor } from '../support/wait-for.js';

export const FAULT_SITE = 'fault-site';
export const CATEGORIES = { topics: ['bullying', 'family', 'school'], ageBands: ['8-11', '12-14', '15-17'], outcomes: ['conversation', 'referred', 'hung-up'] };
const WRAP_UP = { ageBand: '12-14', topic: 'family', outcome: 'conversation' };

export interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly code?: string;
  readonly [key: string]: unknown;
}

export interface FaultBoxOptions {
  readonly directory: string;
  /** Where the store lives (a small tmpfs, a loop-mounted ext4); default <directory>/data. */
  readonly dataDir?: string;
  readonly clock: ManualClock;
  readonly brokerUrl: string;
  readonly modem: SocatPtyPair;
  readonly period?: PeriodLength;
  readonly health?: { readonly diskWarnMb: number; readonly diskStopMb: number; readonly diskCheckSeconds?: number };
}

/** The config file's content for a fault box (also written to a file for a box in a child process). */
export interface FaultBoxConfig extends Pick<FaultBoxOptions, 'brokerUrl' | 'period' | 'health'> {
  readonly dataDir: string;
  readonly token: string;
  readonly modemPath: string;
}

export function faultBoxConfig(options: FaultBoxConfig): Record<string, unknown> {
  return {
    site: { id: FAULT_SITE, timeZone: 'Europe/Amsterdam', country: 'NL' },
    dataDir: options.dataDir,
    keyringDir: join(options.dataDir, 'keyring'),
    policy: { preset: 'allesoke-nl', overrides: { suppressionThreshold: 2 } },
    categories: CATEGORIES,
    line: { kind: 'modem', device: options.modemPath, ringsBeforeUnknown: 2, ringSilenceMs: 1000 },
    stations: { host: '127.0.0.1', port: 0, desks: [{ id: 'desk-1', token: options.token }] },
    upstream: { url: options.brokerUrl, period: options.period ?? 'minute', wrapUpGraceMinutes: 0 },
    health: options.health ?? { diskWarnMb: 1, diskStopMb: 1 },
    log: { level: 'info' },
  };
}

/** What the box holds, counted through its own database handle. */
export interface StoredCounts {
  readonly contacts: number;
  readonly registrations: number;
  readonly closedPeriods: number;
  readonly auditEntries: number;
}

/**
 * One box in this process, as main.ts wires it, on a pty modem and a real broker, with a fake
 * panel the test reads (GatewayRuntime.panel), its log lines kept, a ManualClock for time and a
 * station connected over the WebSocket. `restart()` stops it and starts it again on the same data.
 */
export class FaultBox {
  readonly config: GatewayConfig;
  readonly clock: ManualClock;
  readonly logs: LogLine[] = [];
  readonly #token: string;
  #feeder: PtyModemFeeder;
  #gateway: RunningGateway | undefined;
  #panel: FakePanel | undefined;
  #station: StationClient | undefined;

  private constructor(options: FaultBoxOptions) {
    this.clock = options.clock;
    this.#token = randomBytes(32).toString('base64url');
    const dataDir = options.dataDir ?? join(options.directory, 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.config = validateConfig(faultBoxConfig({ ...options, dataDir, token: this.#token, modemPath: options.modem.modemPath }), 'fault-box config');
    this.#feeder = new PtyModemFeeder(options.modem.feederPath);
  }

  static async start(options: FaultBoxOptions): Promise<FaultBox> {
    const box = new FaultBox(options);
    await box.#start();
    return box;
  }

  get gateway(): RunningGateway {
    if (!this.#gateway) throw new Error('the box is not running');
    return this.#gateway;
  }

  get station(): StationClient {
    if (!this.#station) throw new Error('no station connected');
    return this.#station;
  }

  get databasePath(): string {
    return join(this.config.dataDir, DATABASE_FILE);
  }

  leds(): LedModes {
    if (!this.#panel) throw new Error('the box is not running');
    return this.#panel.leds();
  }

  /** Log lines at warn or above that carry an HGW_* code, from `from` on. */
  codedLines(from = 0): LogLine[] {
    return this.logs.slice(from).filter((line) => line.level >= 40 && typeof line.code === 'string' && line.code.startsWith('HGW_'));
  }

  async #start(): Promise<void> {
    const panel = new FakePanel({ scheduler: timerScheduler });
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void this.logs.push(JSON.parse(line) as LogLine) } });
    this.#gateway = await startGateway(this.config, { clock: this.clock, logger, panel });
    this.#panel = panel;
    this.#station = await StationClient.connect(this.#gateway.stationUrl, this.#token);
    await waitFor(() => this.#gateway?.line !== undefined && this.leds().line === 'on', 'the line LED on (modem ready)', 15_000);
  }

  /** A new feeder on a replugged modem (SocatPtyPair started again on the same paths). */
  replug(modem: SocatPtyPair): void {
    this.#feeder.close();
    this.#feeder = new PtyModemFeeder(modem.feederPath);
  }

  unplug(): void {
    this.#feeder.close();
  }

  /** A call from `caller` (undefined: a withheld number): rings, ends after the ring silence; returns both frames. */
  async call(caller: KnownCaller | undefined, style = 0): Promise<{ ringing: StationContactJson; ended: StationContactJson }> {
    const station = this.station;
    const from = station.contactFrames.length;
    this.#feeder.print(...(caller ? modemLinesFor(caller, style) : ['RING', 'NMBR = P', 'RING']));
    const ringing = await station.contactFrame(from, (contact) => contact.state === 'ringing', 'a ringing contact');
    this.clock.advance(1_000);
    // Any line makes the parser look at the clock now rather than at its next one-second tick.
    this.#feeder.print('OK');
    const ended = await station.contactFrame(from, (contact) => contact.reference === ringing.reference && contact.state !== 'ringing', 'the call to end');
    return { ringing, ended };
  }

  /** Wraps a contact up over the station API; the status the box answered. */
  async wrapUp(reference: string): Promise<number> {
    return (await this.station.wrapUp(reference, WRAP_UP)).status;
  }

  /** A call that is recorded and wrapped up; its reference. */
  async registeredCall(caller: KnownCaller | undefined, style = 0): Promise<string> {
    const { ringing } = await this.call(caller, style);
    const status = await this.wrapUp(ringing.reference);
    if (status !== 200) throw new Error(`wrap-up answered ${status}`);
    return ringing.reference;
  }

  counts(): StoredCounts {
    const count = (table: string): number => Number(this.gateway.database.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)?.n ?? 0);
    return { contacts: count('contacts'), registrations: count('registrations'), closedPeriods: count('stats_periods'), auditEntries: count('audit_log') };
  }

  /** Each reference's stored row and whether its registration is stored (undefined: the contact is not stored). */
  readBack(references: readonly string[]): Array<{ readonly state: string; readonly registered: number } | undefined> {
    return references.map((reference) =>
      this.gateway.database.get<{ state: string; registered: number }>(
        'SELECT c.state, (SELECT COUNT(*) FROM registrations r WHERE r.contact_id = c.id) AS registered FROM contacts c WHERE c.reference = ?',
        [reference],
      ),
    );
  }

  /** Closes every due period now (what the period timer does within a minute of a clock step). */
  async closeDuePeriods(): Promise<number> {
    let closed = 0;
    for (let batch = await this.gateway.upstream.aggregator.closeDuePeriods(); batch > 0; batch = await this.gateway.upstream.aggregator.closeDuePeriods()) closed += batch;
    return closed;
  }

  async stop(): Promise<void> {
    await this.#station?.close();
    this.#station = undefined;
    await this.#gateway?.stop();
    this.#gateway = undefined;
    this.#panel = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.#start();
  }

  async close(): Promise<void> {
    await this.stop();
    this.#feeder.close();
  }
}

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeFor, scanDirectory, type Sighting } from '../support/identifier-scanner.js';
import { PtyModemFeeder, SocatPtyPair } from '../support/pty-modem.js';
import { freePort, MosquittoProcess } from '../upstream/mqtt-harness.js';
import { PlainNodeEntry } from './box-process.js';
import { knownCallers, modemLinesFor, type KnownCaller } from './known-callers.js';
import { bySize, resilienceSeed, seededRandom, writeArtifact } from './soak-size.js';
import { StationLedger } from './station-ledger.js';
import { auditStore, recordsLost } from './store-audit.js';
import { UpstreamLedger } from './upstream-ledger.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The crash suite (issue 8): the whole box in a child process under load, killed with SIGKILL at
 * a random moment, started again on the same data directory, again and again. Afterwards every
 * contact a station was shown is stored exactly once, every wrap-up the box acknowledged is
 * stored, every closed statistics period reached the broker (once after dedup on (site, seq), no
 * gap), the database passes integrity_check, and no rendering of any caller's number is on disk.
 *
 * Load: a socat pty stands in for the modem; the test prints a call from one of a few known
 * callers every 80 ms while the box is up. A station connected over the WebSocket wraps up every
 * ended contact at once. Time: the box's clock runs 60x (fixtures/box-child.ts), so its one-minute
 * statistics periods close every second and each run closes the ones the kill interrupted.
 */
const KILLS = bySize(12, 200);
const SPEED = 60;
/**
 * When a kill lands. Loading the modules takes 1-5 s on a busy machine and touches nothing, so
 * the clock starts once they are loaded: three runs in ten are killed within 2 s of that, while
 * the store opens and the box starts (stale lock, calls left ringing, missed periods closed,
 * retention's first sweep); the others 0-2.5 s after the box is up and taking calls.
 */
function killPlan(): { during: 'start' | 'load'; delayMs: number } {
  return random() < 0.3 ? { during: 'start', delayMs: random() * 2_000 } : { during: 'load', delayMs: random() * 2_500 };
}
const CALL_EVERY_MS = 80;
const SITE = 'crash-site';
const CATEGORIES = { topics: ['bullying', 'family', 'school'], ageBands: ['8-11', '12-14', '15-17'], outcomes: ['conversation', 'referred', 'hung-up'] };
/** Tuesday 10 March 2026, 09:00 in Amsterdam: the runs stay within the month (no retention due). */
const VIRTUAL_START = Date.parse('2026-03-10T08:00:00Z');

const seed = resilienceSeed();
const random = seededRandom(seed);
const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let entry: PlainNodeEntry;
const undo: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  entry = new PlainNodeEntry(fileURLToPath(new URL('./fixtures/box-child.ts', import.meta.url)));
  undo.push(() => entry.remove());
});

afterAll(async () => {
  for (const step of undo.splice(0).reverse()) await step();
});

/** Prints a call every CALL_EVERY_MS until stopped; a write the pty refuses is skipped. */
function startCalling(feeder: PtyModemFeeder, callers: readonly KnownCaller[]): { stop: () => void; calls: () => number } {
  let calls = 0;
  const timer = setInterval(() => {
    try {
      feeder.print(...(random() < 0.08 ? ['RING', 'NMBR = P', 'RING'] : modemLinesFor(pick(callers), Math.floor(random() * 4))));
      calls += 1;
    } catch {
      // The pty's buffer is full while the box starts: this call never rang.
    }
  }, CALL_EVERY_MS);
  return { stop: () => clearInterval(timer), calls: () => calls };
}

describe('the crash suite: SIGKILL at random moments under load', () => {
  it(`loses nothing over ${KILLS} kills`, { timeout: bySize(300_000, 3_600_000) }, async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-crash-'));
    undo.push(() => rmSync(directory, { recursive: true, force: true }));
    const dataDir = join(directory, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    const databasePath = join(dataDir, 'gateway.db');

    const mosquitto = new MosquittoProcess(directory, await freePort());
    await mosquitto.start();
    undo.push(() => mosquitto.stop());
    const upstream = new UpstreamLedger(SITE);
    await upstream.connect(mosquitto.url);
    undo.push(() => upstream.close());
    const pty = await SocatPtyPair.start(directory);
    undo.push(() => pty.stop());
    const feeder = new PtyModemFeeder(pty.feederPath);
    undo.push(() => feeder.close());

    const token = randomBytes(32).toString('base64url');
    const configPath = join(directory, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        site: { id: SITE, timeZone: 'Europe/Amsterdam', country: 'NL' },
        dataDir,
        policy: { preset: 'allesoke-nl', overrides: { suppressionThreshold: 2 } },
        categories: CATEGORIES,
        line: { kind: 'modem', device: pty.modemPath, ringsBeforeUnknown: 2, ringSilenceMs: 1000 },
        stations: { host: '127.0.0.1', port: 0, desks: [{ id: 'desk-1', token }] },
        upstream: { url: mosquitto.url, period: 'minute', wrapUpGraceMinutes: 0 },
        health: { diskWarnMb: 1, diskStopMb: 1 },
        log: { level: 'info' },
      }),
    );
    const callers = knownCallers(12, random);
    const station = new StationLedger(token, () => ({ ageBand: pick(CATEGORIES.ageBands), topic: pick(CATEGORIES.topics), outcome: pick(CATEGORIES.outcomes) }));
    const realStart = Date.now();
    const boxArgs = [configPath, String(VIRTUAL_START), String(realStart), String(SPEED)];

    const probes = callers.map(probeFor);
    const sightings: Sighting[] = [];
    let walsScanned = 0;
    let killedBeforeReady = 0;
    let staleLocksLeft = 0;
    let callsPrinted = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const run = entry.spawn(boxArgs);
      const plan = killPlan();
      await (plan.during === 'start' ? run.loaded : run.ready);
      const killAt = Date.now() + plan.delayMs;
      let attached: { close: () => void } | undefined;
      let calling: ReturnType<typeof startCalling> | undefined;
      void run.ready.then(
        async (url) => {
          attached = await station.attach(url);
          calling = startCalling(feeder, callers);
        },
        () => undefined,
      );
      // A run that fails to start on its own (not killed) fails the suite: it must recover by itself.
      const failed = run.exited.then((exit) => (exit.signal === 'SIGKILL' ? undefined : exit));
      const early = await Promise.race([sleep(Math.max(0, killAt - Date.now())).then(() => undefined), failed]);
      expect(early, `run ${kill} stopped by itself: ${run.stderr}`).toBeUndefined();
      if (calling === undefined) killedBeforeReady += 1;
      await run.kill();
      calling?.stop();
      callsPrinted += calling?.calls() ?? 0;
      attached?.close();
      if (existsSync(`${databasePath}.lock`)) staleLocksLeft += 1;
      // What a kill leaves (the -wal, the pid file, the lock) is scanned as it lies.
      const leftBehind = scanDirectory(dataDir, probes);
      sightings.push(...leftBehind.sightings);
      walsScanned += leftBehind.files.some((file) => file.endsWith('-wal')) ? 1 : 0;
    }

    // The last run: starts on what the last kill left, takes the wrap-ups still owed, closes the
    // period going on and empties its outbox, then stops cleanly.
    const last = entry.spawn(boxArgs);
    const url = await last.ready;
    const attached = await station.attach(url);
    await attached.snapshot;
    await sleep(1_000);
    expect(await last.drain(), last.stderr).toEqual({ code: 0, signal: null });
    attached.close();

    const { lastSeq } = auditStore(databasePath, station, upstream);
    await waitFor(() => upstream.tally().distinctSeqs >= lastSeq, 'every message at the central office', 15_000);
    const finalAudit = auditStore(databasePath, station, upstream);
    const scan = scanDirectory(dataDir, probes);
    sightings.push(...scan.sightings);
    const tally = upstream.tally();
    const counts = {
      date: new Date().toISOString(),
      seed,
      kills: KILLS,
      killedBeforeReady,
      staleLocksLeft,
      callsPrinted,
      ...station.counts(),
      contacts: finalAudit.contacts,
      registrations: finalAudit.registrations,
      closedPeriods: finalAudit.closedPeriods,
      lastSeq: finalAudit.lastSeq,
      messagesReceived: tally.received,
      messagesRepeated: tally.repeats,
      integrity: finalAudit.integrity,
      walsScanned,
      identifierSightings: sightings.length,
      recordsLost: recordsLost(finalAudit),
    };
    writeArtifact('resilience-crash', counts);
    process.stdout.write(`crash suite: ${JSON.stringify(counts)}\n`);

    expect(finalAudit.integrity).toBe('ok');
    expect(finalAudit.referencesLost).toEqual([]);
    expect(finalAudit.wrapUpsLost).toEqual([]);
    expect(finalAudit.periodsLost).toEqual([]);
    expect(finalAudit.incidentMessagesLost).toEqual([]);
    expect(finalAudit.periodGaps).toEqual([]);
    expect(finalAudit.seqsMissing).toEqual([]);
    expect(finalAudit.outboxWaiting).toBe(0);
    expect(tally.repeatsDiffering).toBe(0);
    expect(tally.missingSeqs).toEqual([]);
    expect(sightings).toEqual([]);
    expect(walsScanned).toBeGreaterThan(KILLS / 2);
    expect(counts.recordsLost).toBe(0);
    // The runs did something worth checking: contacts shown, wrapped up, periods closed with counts.
    expect(station.counts().shownUnrecorded).toBe(0);
    expect(station.shown.size).toBeGreaterThan(KILLS);
    expect(station.acknowledged.size).toBeGreaterThan(KILLS / 2);
    expect(finalAudit.closedPeriods).toBeGreaterThan(KILLS / 2);
    expect(staleLocksLeft).toBeGreaterThan(KILLS / 2);
  });
});

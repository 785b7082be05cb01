import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { probeFor, scanBytes, scanDirectory, textRenderings, type KnownNumber, type Sighting } from '../support/identifier-scanner.js';
import { CATEGORIES, startWholeBox, type WholeBox } from './whole-box-harness.js';
import { waitFor } from '../support/wait-for.js';

const DUTCH_MOBILE: KnownNumber = { name: 'Dutch mobile', e164: '+31647192853', countryCode: '31', areaCodeLength: 1 };
const DUTCH_LANDLINE: KnownNumber = { name: 'Dutch landline', e164: '+31302875914', countryCode: '31', areaCodeLength: 2 };
const BELGIAN_MOBILE: KnownNumber = { name: 'Belgian mobile', e164: '+32471839265', countryCode: '32', areaCodeLength: 3 };
/** "0471839265" on a Dutch site: read as a Dutch 0471 number, and it must not leak either. */
const BELGIAN_READ_AS_DUTCH: KnownNumber = { name: 'Belgian mobile read as Dutch', e164: '+31471839265', countryCode: '31', areaCodeLength: 3 };
const KNOWN_NUMBERS = [DUTCH_MOBILE, DUTCH_LANDLINE, BELGIAN_MOBILE, BELGIAN_READ_AS_DUTCH];
const PROBES = KNOWN_NUMBERS.map(probeFor);

/** Each entry is one call; within a number every call must count the ones before it. */
const CALLS_BY_NUMBER: ReadonlyArray<{ number: KnownNumber; calls: string[][] }> = [
  {
    number: DUTCH_MOBILE,
    calls: [
      ['RING', 'NMBR = 0647192853', 'RING'],
      ['RING', 'NMBR=+31647192853'],
      ['RING', 'NMBR = 0031647192853'],
      ['RING', 'DATE = 0610', 'TIME = 1000', 'NMBR = 06-47192853', 'NAME = Jan'],
      ['RING', 'NMBR = 06 47 19 28 53'],
      ['RING', 'NMBR = 06 4719 2853'],
      ['RING', 'NMBR = +31 (0)6 47192853'],
      ['RING', 'NMBR = +31 6 4719 2853'],
      ['RING', 'DDN_NMBR = 06.47.19.28.53'],
      ['D0647192853C', 'RING'],
      ['D0031647192853C', 'RING'],
      ['A0647192853#', 'RING'],
      ['RING', 'NMBR = D0647192853C'],
    ],
  },
  {
    number: DUTCH_LANDLINE,
    calls: [
      ['RING', 'NMBR = 0302875914'],
      ['RING', 'NMBR = 030-2875914'],
      ['RING', 'NMBR = 030 287 59 14'],
      ['RING', 'NMBR=+31302875914'],
      ['RING', 'NMBR = 0031 30 2875914'],
      ['RING', 'NMBR = (030) 2875914'],
      ['D0302875914C', 'RING'],
    ],
  },
  {
    number: BELGIAN_MOBILE,
    calls: [
      ['RING', 'NMBR = +32471839265'],
      ['RING', 'NMBR = 0032471839265'],
      ['RING', 'NMBR = +32 471 83 92 65'],
      ['RING', 'NMBR=0032-471-83-92-65'],
      ['D0032471839265C', 'RING'],
    ],
  },
  { number: BELGIAN_READ_AS_DUTCH, calls: [['RING', 'NMBR = 0471839265']] },
];

/** Lines with a number in them that start no call: unreadable, or fields the parser drops. */
const JUNK_OUTSIDE_CALLS = [
  'NMBR: 0647192853',
  'CALLER 0647192853',
  '0647192853',
  '+31 6 47192853',
  '\x01NMBR = 0647192853',
  'NMBR = 0302875914\x7f',
  `NMBR = ${Buffer.from('+32471839265', 'utf16le').toString('latin1')}`,
  `garbage ${'x'.repeat(120)} 0647192853 ${'y'.repeat(120)}`,
  'NAME = 0647192853',
  `MESG = ${Buffer.from('NMBR 0647192853', 'ascii').toString('hex')}`,
  'DATE = 06471928',
  '\xff\xfe0647192853',
];

/** Calls whose caller ID cannot be read as a number, every one carrying a known number somewhere. */
const UNREADABLE_CALLS = [
  ['RING', 'NMBR = 0647192853 0647192853'],
  ['RING', 'NMBR = 06\xe947192853'],
  ['RING', 'NMBR = 0647192853-0032471839265'],
  ['RING', 'NMBR = P', 'NMBR = 0647192853', 'RING'],
  ['RING', 'NMBR = O', 'DDN_NMBR = +32471839265', 'RING'],
  ['RING 0647192853', 'RING 0647192853'],
  ['RING', 'NMBR: +31647192853', 'CID=0302875914', '\x02D0032471839265C', 'RING'],
  ['RING', 'NAME = 0302875914', `MESG = ${Buffer.from('+32471839265', 'ascii').toString('hex')}`, 'RING'],
];

/** 10:00 in Amsterdam; the calls advance the clock about one second each and stay inside this minute. */
const MINUTE_START = Date.parse('2025-06-10T08:00:00Z');

function describeSightings(sightings: readonly Sighting[]): string[] {
  return sightings.map((s) => `${s.number} (${s.rendering}) in ${s.source} at byte ${s.offset}`);
}

describe('the identifier leak scan', () => {
  it('finds every rendering in every encoding it looks for, at any offset, and nothing in random bytes', () => {
    const filler = randomBytes(64 * 1024);
    expect(PROBES.flatMap((probe) => scanBytes('random', filler, [probe]))).toEqual([]);
    for (const probe of PROBES) {
      for (const needle of probe.needles) {
        for (const offset of [0, 1, 2, 4097]) {
          const haystack = Buffer.concat([filler.subarray(0, offset), needle.bytes, filler.subarray(offset, offset + 512)]);
          expect(scanBytes('planted', haystack, [probe]).length, `${probe.name}: ${needle.label} at ${offset}`).toBeGreaterThan(0);
        }
      }
    }
    // A base64 value the number sits in the middle of, and a rendering the list does not name.
    const wrapped = Buffer.from(Buffer.from(`{"n":"${DUTCH_MOBILE.e164}"}`).toString('base64'));
    expect(scanBytes('base64', wrapped, PROBES).map((s) => s.number)).toContain(DUTCH_MOBILE.name);
    const unlisted = Buffer.from('tel. 06 / 47 19 / 28 53', 'utf16le');
    expect(scanBytes('unlisted', unlisted, PROBES).map((s) => s.rendering)).toContain('last eight digits with separators');
    expect(textRenderings(DUTCH_LANDLINE)).toEqual(expect.arrayContaining(['0302875914', '302875914', '030-2875914', '+31 30 2875914']));
  });
});

describe('a phone number on the line leaves no trace in files, logs, MQTT or the station API', () => {
  let box: WholeBox | undefined;
  afterEach(async () => {
    await box?.cleanup();
    box = undefined;
  });

  it('keeps every rendering of four known numbers out of every byte the box wrote or sent', async () => {
    box = await startWholeBox({ start: new Date(MINUTE_START), logLevel: 'trace' });
    const { gateway, station, central, clock, feeder, dataDir, logFile } = box;
    const journal = gateway.database.get<{ journal_mode: string }>('PRAGMA journal_mode');
    expect(journal?.journal_mode).toBe('wal');

    feeder.print(...JUNK_OUTSIDE_CALLS);
    const references: string[] = [];
    for (const { number, calls } of CALLS_BY_NUMBER) {
      for (const [index, lines] of calls.entries()) {
        const { ringing } = await box.takeCall(...lines);
        expect(ringing, `${number.name}, call ${index}`).toMatchObject({ callerKnown: true, priorContacts: index });
        references.push(ringing.reference);
      }
    }
    for (const lines of UNREADABLE_CALLS) {
      const { ringing } = await box.takeCall(...lines);
      expect(ringing, lines.join(' | ')).toMatchObject({ callerKnown: false, priorContacts: 0 });
      references.push(ringing.reference);
    }
    expect(clock.now() - MINUTE_START).toBeLessThan(60_000);
    const counters = gateway.line.counters();
    expect(counters.garbledLines).toBeGreaterThanOrEqual(6);
    expect(counters.junkLines).toBeGreaterThanOrEqual(4);
    expect(counters.laterCallerIds).toBeGreaterThanOrEqual(2);

    expect((await station.request('GET', '/api/v1/categories')).status).toBe(200);
    const open = await station.request('GET', '/api/v1/contacts');
    expect((JSON.parse(open.body) as { contacts: unknown[] }).contacts).toHaveLength(references.length);
    for (const [index, reference] of references.entries()) {
      const choice = {
        ageBand: CATEGORIES.ageBands[index % 3] ?? '',
        topic: CATEGORIES.topics[index % 2] ?? '',
        outcome: CATEGORIES.outcomes[index % 3] ?? '',
      };
      expect((await box.wrapUp(reference, choice)).status).toBe(200);
    }
    expect(JSON.parse((await station.request('GET', '/api/v1/contacts')).body)).toEqual({ contacts: [] });

    clock.set(MINUTE_START + 60_000 + 1);
    expect(await gateway.upstream.aggregator.closeDuePeriods()).toBe(1);
    await waitFor(() => central.on('stats').length === 1 && gateway.upstream.outbox.count() === 0, 'the stats message delivered');
    // The registrations reached the table (as counts, or suppressed: a null is never a zero).
    const stats = central.on('stats')[0]?.json as { cells: Array<number | null> };
    expect(stats.cells.filter((count) => count !== 0).length).toBeGreaterThan(0);

    // While running: the WAL file holds the newest pages and must be part of the scan.
    const running = scanDirectory(dataDir, PROBES);
    expect(running.files).toContain('gateway.db');
    expect(running.files).toContain('gateway.db-wal');
    expect(running.files).toContain('gateway.db.pid');
    expect(running.files.some((file) => file.startsWith('keyring/'))).toBe(true);
    expect(describeSightings(running.sightings)).toEqual([]);

    // The control: a planted rendering is found in the same directory walk, so zero hits mean something.
    const planted = join(dataDir, 'keyring', 'control-probe.bin');
    writeFileSync(planted, Buffer.concat([randomBytes(100), Buffer.from('06 47 19 28 53', 'utf16le'), randomBytes(100)]));
    const control = scanDirectory(dataDir, PROBES);
    rmSync(planted);
    expect(control.sightings.map((s) => `${s.number} in ${s.source}`)).toContain('Dutch mobile in keyring/control-probe.bin');

    await box.stopGateway();
    await waitFor(() => central.on('status').some((message) => message.json.state === 'offline'), 'the offline status');

    const stopped = scanDirectory(dataDir, PROBES);
    expect(stopped.files).toContain('gateway.db');
    expect(stopped.files).toContain('logs/gateway.log');
    expect(describeSightings(stopped.sightings)).toEqual([]);
    expect(existsSync(join(dataDir, 'gateway.db.pid'))).toBe(false);

    // The log was written at trace level and saw every call and the junk: its silence is not emptiness.
    const log = readFileSync(logFile, 'utf8');
    expect(log.match(/"msg":"call offered"/g)?.length).toBe(references.length);
    expect(log).toContain('unreadable modem line ignored');
    expect(log).toContain('later caller ID in the same call ignored');

    const wire = [
      ...central.messages.map((message, index) => ({ source: `mqtt ${index} ${message.topic}`, bytes: Buffer.concat([Buffer.from(message.topic), message.payload]) })),
      ...station.received.map((text, index) => ({ source: `station ${index}`, bytes: Buffer.from(text, 'utf8') })),
    ];
    expect(central.messages.length).toBeGreaterThanOrEqual(3);
    expect(station.received.length).toBeGreaterThan(references.length * 3);
    expect(describeSightings(wire.flatMap(({ source, bytes }) => scanBytes(source, bytes, PROBES)))).toEqual([]);
  });
});

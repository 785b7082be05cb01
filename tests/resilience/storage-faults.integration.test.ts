import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { GatewayDatabase } from '../../src/store/open-database.js';
import { StationClient } from '../e2e/whole-box-harness.js';
import { PtyModemFeeder } from '../support/pty-modem.js';
import { PlainNodeEntry, type BoxRun } from './box-process.js';
import { faultBoxConfig } from './fault-box.js';
import { CALLERS, FAULT_START, FaultRig, records } from './fault-rig.js';
import { Ext4Volume, fillUp, freeUp, mountTmpfs } from './file-systems.js';
import { modemLinesFor } from './known-callers.js';
import { bySize, recordFault } from './soak-size.js';

/**
 * Fault suite, storage (issue 8): the data directory fills up, or goes read-only under the box.
 * The box must stop intake (calls still ring through, unrecorded), light the fault LED, say so in
 * one log line with an HGW_* code, and keep everything it had stored; once the storage is whole
 * again it takes contacts again.
 */
const REPEATS = bySize(1, 4);
let rig: FaultRig | undefined;
let entry: PlainNodeEntry;

beforeAll(() => {
  entry = new PlainNodeEntry(fileURLToPath(new URL('./fixtures/box-child.ts', import.meta.url)));
});

afterAll(() => entry.remove());

afterEach(async () => {
  await rig?.cleanup();
  rig = undefined;
});

describe('fault: the disk fills up (a 24 MB tmpfs)', () => {
  it('stops intake with the fault LED on and HGW_DISK_FULL / HGW_STORE_UNWRITABLE, loses nothing, and takes contacts again once space is freed', { timeout: bySize(60_000, 300_000) }, async () => {
    const r = (rig = await FaultRig.start());
    const mounted = mountTmpfs(join(r.directory, 'small'), 24);
    if ('refused' in mounted) {
      // Only root may mount; as anyone else this says so instead of passing without having tried.
      expect(process.getuid?.(), `mounting a tmpfs was refused (${mounted.refused}); run as root`).not.toBe(0);
      return;
    }
    r.later(() => mounted.unmount());
    const box = await r.box({ dataDir: join(mounted.path, 'data'), health: { diskWarnMb: 4, diskStopMb: 2, diskCheckSeconds: 5 } });
    const references = [await box.registeredCall(CALLERS[0]), await box.registeredCall(CALLERS[1], 1)];
    const recordsBefore = records(box.counts());

    for (let round = 1; round <= REPEATS; round++) {
      references.push(await box.registeredCall(CALLERS[round % CALLERS.length], round));
      const before = box.counts();
      const logFrom = box.logs.length;
      const ballast = fillUp(mounted.path);

      // A call while the disk is full: the write fails, intake stops, the call still rings through.
      const { ringing, ended } = await box.call(CALLERS[2], round);
      expect(ringing.recorded).toBe(false);
      expect(ended.state).toBe('registered');
      expect(box.gateway.faults.codes()).toEqual(['HGW_DISK_FULL', 'HGW_STORE_UNWRITABLE']);
      expect(box.leds().fault).toBe('on');
      expect(box.gateway.health()).toMatchObject({ intake: 'stopped', faults: ['HGW_DISK_FULL', 'HGW_STORE_UNWRITABLE'] });
      expect(box.codedLines(logFrom).map((line) => line.code)).toEqual(expect.arrayContaining(['HGW_DISK_FULL', 'HGW_STORE_UNWRITABLE']));
      // Nothing to wrap up for a call that was not recorded; a second call does not even try to write.
      expect(await box.wrapUp(ringing.reference)).toBe(404);
      expect((await box.call(undefined)).ringing.recorded).toBe(false);

      // Everything stored is still there and readable.
      const { contacts, registrations, closedPeriods } = box.counts();
      expect({ contacts, registrations, closedPeriods }).toEqual({ contacts: before.contacts, registrations: before.registrations, closedPeriods: before.closedPeriods });
      expect(box.readBack(references)).toEqual(references.map(() => ({ state: 'registered', registered: 1 })));
      expect(box.gateway.database.quickCheck()).toBe('ok');

      // Space is freed and the box restarted (it would resume by itself at the next probe, 30 s).
      freeUp(ballast);
      await box.restart();
      expect(box.gateway.faults.codes()).toEqual([]);
      expect(box.leds().fault).toBe('off');
      references.push(await box.registeredCall(CALLERS[3], round));
      expect(box.counts()).toMatchObject({ contacts: before.contacts + 1, registrations: before.registrations + 1 });
    }
    const after = box.counts();
    const lost = box.readBack(references).filter((row) => row?.state !== 'registered' || row.registered !== 1).length;
    expect(lost).toBe(0);
    await recordFault('disk-full', {
      injected: REPEATS,
      recordsBefore,
      recordsAfter: records(after),
      recordsLost: lost,
      endState: 'intake stopped (HGW_DISK_FULL, HGW_STORE_UNWRITABLE), calls ring through unrecorded, fault LED on; after space is freed intake resumes',
    });
  });
});

/** A box in a child process on `dataDir` (a process of its own, so a restart is a new process as under systemd). */
async function childBox(r: FaultRig, dataDir: string): Promise<{ start: () => Promise<{ run: BoxRun; station: StationClient }>; call: (station: StationClient, index: number) => Promise<{ reference: string; recorded: boolean }> }> {
  const token = randomBytes(32).toString('base64url');
  const configPath = join(r.directory, 'config.json');
  writeFileSync(configPath, JSON.stringify(faultBoxConfig({ dataDir, token, modemPath: r.modem.modemPath, brokerUrl: r.brokerUrl })));
  const feeder = new PtyModemFeeder(r.modem.feederPath);
  r.later(() => feeder.close());
  const realStart = Date.now();
  const start = async (): Promise<{ run: BoxRun; station: StationClient }> => {
    const run = entry.spawn([configPath, String(FAULT_START), String(realStart), '10'], { HGW_BOX_LOG: 'stdout' });
    r.later(() => void run.kill());
    const station = await StationClient.connect(await run.ready, token);
    r.later(() => station.close());
    return { run, station };
  };
  const call = async (station: StationClient, index: number): Promise<{ reference: string; recorded: boolean }> => {
    const from = station.contactFrames.length;
    feeder.print(...modemLinesFor(CALLERS[index % CALLERS.length] ?? CALLERS[0]!, index));
    const ringing = await station.contactFrame(from, (contact) => contact.state === 'ringing', 'a ringing contact');
    await station.contactFrame(from, (contact) => contact.reference === ringing.reference && contact.state !== 'ringing', 'the call to end');
    return { reference: ringing.reference, recorded: ringing.recorded };
  };
  return { start, call };
}

describe('fault: the file system goes read-only under the box (ext4 on a loop device, errors=remount-ro)', () => {
  it('stops intake with the fault LED on and one HGW_STORE_* line, loses nothing, and starts whole after the volume is checked', { timeout: bySize(90_000, 400_000) }, async () => {
    const r = (rig = await FaultRig.start());
    const references: string[] = [];
    let recordsBefore = 0;
    let recordsAfter = 0;
    for (let round = 1; round <= REPEATS; round++) {
      const volume = Ext4Volume.create(r.directory, 32);
      if ('refused' in volume) {
        expect(process.getuid?.(), `an ext4 loop mount was refused (${volume.refused}); run as root`).not.toBe(0);
        return;
      }
      r.later(() => volume.unmount());
      const box = await childBox(r, join(volume.path, 'data'));
      const first = await box.start();
      for (let index = 0; index < 3; index++) {
        const { reference } = await box.call(first.station, index);
        expect((await first.station.wrapUp(reference, { ageBand: '8-11', topic: 'school', outcome: 'referred' })).status).toBe(200);
        references.push(reference);
      }
      if (round === 1) recordsBefore = 2 * references.length;
      expect(await first.run.health()).toMatchObject({ faults: [], intake: 'open', panel: { leds: { fault: 'off' } } });

      // The kernel turns the file system read-only (what it does when the SD card reports errors).
      volume.fail();
      expect(volume.readOnly()).toBe(true);
      const during = await box.call(first.station, 4);
      expect(during.recorded).toBe(false);
      const health = await first.run.health();
      expect(health).toMatchObject({ intake: 'stopped', panel: { leds: { fault: 'on' } } });
      expect(health.faults).toContain('HGW_STORE_UNWRITABLE');
      const coded = first.run.logLines().filter((line) => Number(line.level) >= 40 && String(line.code ?? '').startsWith('HGW_STORE_'));
      expect(coded.length).toBeGreaterThan(0);
      // Reading still works: the station lists what it had (the contacts all wrapped up: none open).
      expect((await first.station.request('GET', '/api/v1/contacts')).status).toBe(200);

      // systemctl stop; the installer checks the volume; the service starts again on it.
      expect(await first.run.stop()).toEqual({ code: 0, signal: null });
      volume.repair();
      const second = await box.start();
      expect(await second.run.health()).toMatchObject({ faults: [], intake: 'open', panel: { leds: { fault: 'off' } } });
      const afterRepair = await box.call(second.station, 5);
      expect(afterRepair.recorded).toBe(true);
      expect(await second.run.stop()).toEqual({ code: 0, signal: null });

      const database = GatewayDatabase.open({ path: join(volume.path, 'data', 'gateway.db'), logger: silentLogger() });
      try {
        expect(database.integrityCheck()).toBe('ok');
        for (const reference of references.slice(-3)) {
          expect(database.get('SELECT c.state FROM contacts c JOIN registrations r ON r.contact_id = c.id WHERE c.reference = ?', [reference]), reference).toEqual({ state: 'registered' });
        }
        expect(database.get('SELECT COUNT(*) AS n FROM contacts WHERE reference = ?', [afterRepair.reference])).toEqual({ n: 1 });
        recordsAfter += Number(database.get<{ n: number }>('SELECT (SELECT COUNT(*) FROM contacts) + (SELECT COUNT(*) FROM registrations) AS n')?.n);
      } finally {
        database.close();
      }
      volume.unmount();
    }
    await recordFault('read-only-file-system', {
      injected: REPEATS,
      recordsBefore,
      recordsAfter,
      recordsLost: 0,
      endState: 'intake stopped (HGW_STORE_UNWRITABLE), calls ring through unrecorded, fault LED on; after stop, e2fsck and start: whole, intake open',
    });
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/errors.js';
import { createLogger } from '../../src/log/index.js';
import { InstanceGuard } from '../../src/store/instance-guard.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import {
  applyUpdate,
  bootCheck,
  checkSlot,
  DEFAULT_BUNDLE_LIMITS,
  NodeUpdateFiles,
  readState,
  rollbackTrial,
  UpdateTrialWatch,
  type TrialHealth,
} from '../../src/update/index.js';
import { boxFixture, HARDWARE, makeBundle, OFFICE_KEY, STANDBY_KEY, testKey, versionPayload, type Box } from './update-fixture.js';

const MAX_STARTS = 3;
const files = new NodeUpdateFiles();
let box: Box;
let scheduler: ManualScheduler;

beforeEach(() => {
  box = boxFixture();
  scheduler = new ManualScheduler(Date.UTC(2026, 10, 25, 12));
});
afterEach(() => box.cleanup());

const control = () => ({ files, paths: box.paths, clock: scheduler.clock, lockDatabase: () => InstanceGuard.acquire(box.paths.databasePath), maxStartAttempts: MAX_STARTS });

async function apply(bundle: Uint8Array) {
  return applyUpdate({ files, paths: box.paths, bundlePath: box.bundleFile('u.hgwb', bundle), installedVersion: '1.0.0', hardwareId: HARDWARE, limits: DEFAULT_BUNDLE_LIMITS, clock: scheduler.clock });
}

/**
 * One start of the service: boot-check (ExecStartPre), then the version in `current` runs its start
 * script (the stand-in for the gateway: exit 0 healthy, 1 not), and the trial watch the gateway
 * runs after its start decides within its deadline. Returns what the watch ended in.
 */
async function startService(migrate?: string): Promise<{ boot: Awaited<ReturnType<typeof bootCheck>>; watch: string; failure?: string }> {
  const boot = await bootCheck(control());
  const current = join(box.paths.root, 'current');
  const version = (JSON.parse(readFileSync(join(current, 'package.json'), 'utf8')) as { version: string }).version;
  if (migrate !== undefined) writeFileSync(box.paths.databasePath, migrate);
  const healthy = spawnSync(process.execPath, [join(current, 'dist', 'health.mjs')]).status === 0;
  const health = (): TrialHealth => ({ storeOpen: true, lineUp: healthy, upstreamConnectedOrQueued: true });
  let failure: string | undefined;
  const watch = new UpdateTrialWatch({
    files,
    paths: box.paths,
    runningVersion: version,
    health,
    clock: scheduler.clock,
    scheduler,
    logger: createLogger({ level: 'silent' }),
    checkEveryMs: 5_000,
    deadlineMs: 60_000,
    onFailed: (reason) => {
      failure = reason;
    },
  });
  await watch.start();
  for (let step = 0; step < 14 && watch.state === 'watching'; step += 1) {
    scheduler.advance(step === 0 ? 0 : 5_000);
    await watch.whenChecked();
  }
  watch.stop();
  return { boot, watch: watch.state, ...(failure === undefined ? {} : { failure }) };
}

describe('a good version', () => {
  it('is staged into the other slot, started on trial with a database backup, committed once healthy, and stays committed after a restart', async () => {
    const applied = await apply(makeBundle({ version: '1.1.0' }));
    expect(applied).toEqual({ version: '1.1.0', previousVersion: '1.0.0', slot: 'b', files: 4, bytes: expect.any(Number) });
    expect(box.currentTarget()).toBe('slots/b');
    const slot = await checkSlot(files, join(box.paths.root, 'slots', 'b'), [OFFICE_KEY.pinned]);
    expect(slot.complete).toBe(true);
    expect((await readState(files, box.paths))?.trial).toMatchObject({ version: '1.1.0', slot: 'b', attempts: 0, backup: null });

    const first = await startService('schema 8: migrated by 1.1.0');
    expect(first.boot).toMatchObject({ action: 'trial-start', version: '1.1.0' });
    expect(first.watch).toBe('committed');
    const state = await readState(files, box.paths);
    expect(state).toMatchObject({ committed: { version: '1.1.0', slot: 'b' }, trial: null, floor: '1.1.0', lastResult: { outcome: 'committed', version: '1.1.0' } });
    expect(existsSync(join(box.paths.stateDir, 'db-backup'))).toBe(false);

    const restart = await startService();
    expect(restart.boot).toMatchObject({ action: 'none', version: '1.1.0' });
    expect(restart.watch).toBe('not-on-trial');
    expect(box.currentTarget()).toBe('slots/b');
    expect(box.committedTarget()).toBe('slots/b');
    expect(readFileSync(box.paths.databasePath, 'utf8')).toBe('schema 8: migrated by 1.1.0');
  });

  it('raises the floor: an older bundle, validly signed, is refused afterwards', async () => {
    await apply(makeBundle({ version: '1.2.0' }));
    await startService();
    const error = await apply(makeBundle({ version: '1.1.5' })).catch((thrown: unknown) => thrown);
    expect(isGatewayError(error, 'HGW_UPDATE_NOT_NEWER')).toBe(true);
    expect(box.currentTarget()).toBe('slots/b');
  });

  it('refuses a second apply while one is on trial', async () => {
    await apply(makeBundle({ version: '1.1.0' }));
    const error = await apply(makeBundle({ version: '1.2.0' })).catch((thrown: unknown) => thrown);
    expect(isGatewayError(error, 'HGW_UPDATE_TRIAL_PENDING')).toBe(true);
  });
});

describe('a version that fails its health check', () => {
  it('is reverted by itself after the configured number of failed starts, with the database as the old version knew it', async () => {
    await apply(makeBundle({ version: '1.1.0', files: versionPayload('1.1.0', false) }));
    const before = { db: readFileSync(box.paths.databasePath, 'utf8'), wal: readFileSync(`${box.paths.databasePath}-wal`, 'utf8') };
    for (let start = 1; start <= MAX_STARTS; start += 1) {
      const run = await startService(`schema 8: migrated by 1.1.0, start ${start}`);
      expect(run.boot).toMatchObject({ action: 'trial-start', version: '1.1.0', message: `version 1.1.0 starts on trial (start ${start} of ${MAX_STARTS}); it is committed once its health check passes` });
      expect(run.watch).toBe('failed');
      expect(run.failure).toBe('trial version 1.1.0 not healthy within 60 s: line adapter not up');
    }
    writeFileSync(`${box.paths.databasePath}-wal`, 'wal written by the trial');
    const reverted = await startService();
    expect(reverted.boot).toMatchObject({ action: 'reverted', version: '1.0.0', message: 'version 1.1.0 did not pass its health check in 3 start(s): reverted to 1.0.0' });
    expect(reverted.watch).toBe('not-on-trial');
    expect(box.currentTarget()).toBe('slots/a');
    expect({ db: readFileSync(box.paths.databasePath, 'utf8'), wal: readFileSync(`${box.paths.databasePath}-wal`, 'utf8') }).toEqual(before);
    expect(await readState(files, box.paths)).toMatchObject({ committed: { version: '1.0.0', slot: 'a' }, trial: null, floor: '1.0.0', lastResult: { outcome: 'reverted', version: '1.1.0' } });
    expect(existsSync(join(box.paths.stateDir, 'db-backup'))).toBe(false);
  });

  it('can be rolled back by hand, database included', async () => {
    await apply(makeBundle({ version: '1.1.0', files: versionPayload('1.1.0', false) }));
    await startService('schema 8');
    expect(readFileSync(box.paths.databasePath, 'utf8')).toBe('schema 8');
    const state = await rollbackTrial(control());
    expect(state.lastResult).toMatchObject({ outcome: 'rolled-back', message: 'version 1.1.0 was rolled back by hand to 1.0.0' });
    expect(box.currentTarget()).toBe('slots/a');
    expect(readFileSync(box.paths.databasePath, 'utf8')).toBe('schema 7: the database the installed version knows');
    const nothing = await rollbackTrial(control()).catch((thrown: unknown) => thrown);
    expect(isGatewayError(nothing, 'HGW_UPDATE_NO_TRIAL')).toBe(true);
  });

  it('refuses to roll back or back up while the gateway holds the database', async () => {
    await apply(makeBundle({ version: '1.1.0' }));
    const running = InstanceGuard.acquire(box.paths.databasePath);
    try {
      const error = await bootCheck(control()).catch((thrown: unknown) => thrown);
      expect(isGatewayError(error, 'HGW_STORE_IN_USE')).toBe(true);
    } finally {
      running.release();
    }
    expect((await readState(files, box.paths))?.trial?.attempts).toBe(0);
  });
});

describe('key rotation', () => {
  it('pins the next keys a committed version carries, after which the old key is refused and the new one accepted', async () => {
    const next = testKey(9);
    await apply(makeBundle({ version: '1.1.0', key: OFFICE_KEY, nextKeys: [STANDBY_KEY, next] }));
    await startService();
    expect(box.pinnedKeyIds()).toEqual([OFFICE_KEY.id, STANDBY_KEY.id].sort());
    await startService();
    expect(box.pinnedKeyIds()).toEqual([STANDBY_KEY.id, next.id].sort());
    const refused = await apply(makeBundle({ version: '1.2.0', key: OFFICE_KEY })).catch((thrown: unknown) => thrown);
    expect(isGatewayError(refused, 'HGW_UPDATE_UNKNOWN_KEY')).toBe(true);
    expect((await apply(makeBundle({ version: '1.2.0', key: next }))).version).toBe('1.2.0');
  });

  it('does not pin the keys of a version that was reverted', async () => {
    await apply(makeBundle({ version: '1.1.0', files: versionPayload('1.1.0', false), nextKeys: [testKey(9)] }));
    for (let start = 0; start <= MAX_STARTS; start += 1) await startService();
    expect(box.currentTarget()).toBe('slots/a');
    expect(box.pinnedKeyIds()).toEqual([OFFICE_KEY.id, STANDBY_KEY.id].sort());
  });
});

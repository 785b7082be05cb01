import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InstanceGuard } from '../../src/store/instance-guard.js';
import { ManualClock } from '../../src/time/clock.js';
import { APPLY_STEPS, applyUpdate, bootCheck, checkSlot, DEFAULT_BUNDLE_LIMITS, NodeUpdateFiles, readState } from '../../src/update/index.js';
import { buildForPlainNode } from './plain-node-build.js';
import { boxFixture, HARDWARE, makeBundle, OFFICE_KEY, STANDBY_KEY, versionPayload, type Box } from './update-fixture.js';

/**
 * A crash (SIGKILL of the child doing the work) at every step of apply, of the first trial start
 * (database backup) and of the automatic revert. After each: `current` names the complete old or
 * the complete new version, the state file reads and only names a complete slot as the trial, and
 * the next boot-check (and apply) recovers.
 */
const buildDir = mkdtempSync(join(tmpdir(), 'hgw-crash-child-'));
let child: string;
beforeAll(() => {
  child = buildForPlainNode(fileURLToPath(new URL('./crash-child.ts', import.meta.url)), buildDir);
});
afterAll(() => rmSync(buildDir, { recursive: true, force: true }));
const files = new NodeUpdateFiles();
const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));
const keys = [OFFICE_KEY.pinned, STANDBY_KEY.pinned];
const boxes: Box[] = [];

afterEach(() => {
  for (const box of boxes.splice(0)) box.cleanup();
});

function newBox(): Box {
  const box = boxFixture();
  boxes.push(box);
  writeFileSync(join(box.dir, 'paths.json'), JSON.stringify(box.paths));
  return box;
}

function runChild(box: Box, args: readonly string[], crashAt: number): Promise<{ steps: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, [child, args[0] ?? '', join(box.dir, 'paths.json'), ...args.slice(1)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HGW_TEST_CRASH_AT: String(crashAt) },
    });
    let out = '';
    let errors = '';
    run.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    run.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    run.on('error', reject);
    run.on('exit', (code, signal) => {
      const steps = out.split('\n').filter((line) => line !== '' && line !== 'finished');
      if (signal === 'SIGKILL') resolve({ steps, killed: true });
      else if (code === 0) resolve({ steps, killed: false });
      else reject(new Error(`child failed (${code}): ${errors}`));
    });
  });
}

/** Runs `count` kill points, two at a time (the machine has two cores). */
async function everyStep(count: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await run(next++);
  };
  await Promise.all([worker(), worker()]);
}

const OLD_SLOT = (() => {
  const reference = boxFixture();
  try {
    return reference.snapshot('a');
  } finally {
    reference.cleanup();
  }
})();

/** The invariant: current is the whole old version or the whole new one; a trial on record is whole. */
async function expectWholeVersion(box: Box, label: string): Promise<void> {
  const target = box.currentTarget();
  if (target === 'slots/a') {
    expect(box.snapshot('a'), label).toEqual(OLD_SLOT);
  } else {
    expect(target, label).toBe('slots/b');
    const check = await checkSlot(files, join(box.paths.root, 'slots', 'b'), keys);
    expect(check.complete && check.manifest.version, label).toBe('1.1.0');
  }
  expect(box.snapshot('a'), `${label}: the committed slot`).toEqual(OLD_SLOT);
  expect(box.committedTarget(), `${label}: the committed link`).toBe('slots/a');
  const state = await readState(files, box.paths);
  if (state?.trial) expect((await checkSlot(files, join(box.paths.root, 'slots', state.trial.slot), keys)).complete, `${label}: trial slot`).toBe(true);
}

const boot = (box: Box) => bootCheck({ files, paths: box.paths, clock, lockDatabase: () => InstanceGuard.acquire(box.paths.databasePath), maxStartAttempts: 3 });
const applyIn = (box: Box, bundlePath: string) =>
  applyUpdate({ files, paths: box.paths, bundlePath, installedVersion: '1.0.0', hardwareId: HARDWARE, limits: DEFAULT_BUNDLE_LIMITS, clock });

describe('a crash at every step', () => {
  it('of apply leaves the complete old or the complete new version, and boot-check or a new apply recovers', async () => {
    const bundle = makeBundle({ version: '1.1.0' });
    const probe = newBox();
    const { steps } = await runChild(probe, ['apply', probe.bundleFile('u.hgwb', bundle)], -1);
    expect(APPLY_STEPS.filter((step) => !steps.includes(step))).toEqual([]);
    expect(steps.filter((step) => step === 'file-written')).toHaveLength(versionPayload('1.1.0').length);
    await everyStep(steps.length, async (index) => {
      const box = newBox();
      const bundlePath = box.bundleFile('u.hgwb', bundle);
      const run = await runChild(box, ['apply', bundlePath], index);
      const label = `killed at step ${index} (${steps[index]})`;
      expect(run.killed, label).toBe(true);
      await expectWholeVersion(box, label);

      await boot(box);
      await expectWholeVersion(box, `${label}, after boot-check`);
      if (!(await readState(files, box.paths))?.trial) {
        expect(box.currentTarget(), label).toBe('slots/a');
        await applyIn(box, bundlePath);
      }
      expect(box.currentTarget(), label).toBe('slots/b');
      expect((await readState(files, box.paths))?.trial?.version, label).toBe('1.1.0');
    });
  });

  it('of the first trial start (database backup) never loses the database, and the next start backs it up whole', async () => {
    const bundle = makeBundle({ version: '1.1.0' });
    const probe = newBox();
    await applyIn(probe, probe.bundleFile('u.hgwb', bundle));
    const { steps } = await runChild(probe, ['boot-check'], -1);
    expect(steps).toContain('database-backed-up');
    await everyStep(steps.length, async (index) => {
      const box = newBox();
      await applyIn(box, box.bundleFile('u.hgwb', bundle));
      const database = readFileSync(box.paths.databasePath, 'utf8');
      const label = `killed at step ${index} (${steps[index]})`;
      expect((await runChild(box, ['boot-check'], index)).killed, label).toBe(true);
      await expectWholeVersion(box, label);
      expect(readFileSync(box.paths.databasePath, 'utf8'), label).toBe(database);

      const result = await boot(box);
      expect(result.action, label).toBe('trial-start');
      const trial = (await readState(files, box.paths))?.trial;
      expect(trial?.backup?.files.map((file) => file.name), label).toEqual(['gateway.db', 'gateway.db-wal']);
      expect(readFileSync(join(box.paths.stateDir, 'db-backup', 'gateway.db'), 'utf8'), label).toBe(database);
    });
  });

  it('of the automatic revert always ends reverted, with the database the old version knew', async () => {
    const bundle = makeBundle({ version: '1.1.0', files: versionPayload('1.1.0', false) });
    const failedTrial = async (): Promise<{ box: Box; database: string }> => {
      const box = newBox();
      const database = readFileSync(box.paths.databasePath, 'utf8');
      await applyIn(box, box.bundleFile('u.hgwb', bundle));
      for (let start = 1; start <= 3; start += 1) {
        await boot(box);
        writeFileSync(box.paths.databasePath, `schema 8, start ${start}`);
        writeFileSync(`${box.paths.databasePath}-wal`, `trial wal ${start}`);
      }
      return { box, database };
    };
    const probe = await failedTrial();
    const { steps } = await runChild(probe.box, ['boot-check'], -1);
    expect(steps).toContain('database-restored');
    await everyStep(steps.length, async (index) => {
      const { box, database } = await failedTrial();
      const label = `killed at step ${index} (${steps[index]})`;
      expect((await runChild(box, ['boot-check'], index)).killed, label).toBe(true);
      await expectWholeVersion(box, label);

      const result = await boot(box);
      // Killed after the revert was recorded, there is nothing left for boot-check to finish.
      expect(['reverted', 'none'], label).toContain(result.action);
      expect(box.currentTarget(), label).toBe('slots/a');
      expect(readFileSync(box.paths.databasePath, 'utf8'), label).toBe(database);
      expect(readFileSync(`${box.paths.databasePath}-wal`, 'utf8'), label).toBe('wal of schema 7');
      expect(await readState(files, box.paths), label).toMatchObject({ committed: { version: '1.0.0', slot: 'a' }, trial: null, lastResult: { outcome: 'reverted' } });
    });
  });
});

/**
 * Child process for the crash tests: runs one update operation on the box described by argv and
 * reports every step on stdout as it is reached; with HGW_TEST_CRASH_AT=i it SIGKILLs itself at the
 * i-th step (counting from 0), so the parent can look at what a power cut there would leave.
 *
 *   crash-child.ts apply|boot-check <paths.json> [bundle]
 */
import { readFileSync, writeSync } from 'node:fs';
import { InstanceGuard } from '../../src/store/instance-guard.js';
import { ManualClock } from '../../src/time/clock.js';
import { applyUpdate } from '../../src/update/apply-update.js';
import { bootCheck } from '../../src/update/boot-check.js';
import { DEFAULT_BUNDLE_LIMITS } from '../../src/update/bundle-container.js';
import { NodeUpdateFiles } from '../../src/update/node-update-files.js';
import type { UpdatePaths } from '../../src/update/update-paths.js';

const [operation, pathsFile, bundlePath] = process.argv.slice(2);
if (!operation || !pathsFile) throw new Error('usage: crash-child apply|boot-check <paths.json> [bundle]');
const paths = JSON.parse(readFileSync(pathsFile, 'utf8')) as UpdatePaths;
const crashAt = Number(process.env.HGW_TEST_CRASH_AT ?? '-1');
let steps = 0;
const reached = (step: string): void => {
  writeSync(1, `${step}\n`);
  if (steps === crashAt) process.kill(process.pid, 'SIGKILL');
  steps += 1;
};
const files = new NodeUpdateFiles({ reached });
const clock = new ManualClock(Date.UTC(2026, 10, 25, 12));

if (operation === 'apply') {
  if (!bundlePath) throw new Error('apply needs a bundle');
  await applyUpdate({ files, paths, bundlePath, installedVersion: '1.0.0', hardwareId: 'rpi5', limits: DEFAULT_BUNDLE_LIMITS, clock, reached });
} else if (operation === 'boot-check') {
  await bootCheck({ files, paths, clock, lockDatabase: () => InstanceGuard.acquire(paths.databasePath), maxStartAttempts: 3, reached });
} else {
  throw new Error(`unknown operation ${operation}`);
}
writeSync(1, 'finished\n');

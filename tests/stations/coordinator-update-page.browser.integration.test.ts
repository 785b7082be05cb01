import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { StationServer } from '../../src/stations/index.js';
import { DEFAULT_BUNDLE_LIMITS, NodeUpdateFiles, UpdateIntake } from '../../src/update/index.js';
import { launchChromium } from '../support/chromium.js';
import { DESK_TOKEN, PASSWORD } from '../support/coordinator-fixture.js';
import { MaintenanceModeDouble } from '../support/maintenance-mode-double.js';
import { boxFixture, HARDWARE, makeBundle, type Box } from '../update/update-fixture.js';
import { fakeCoordinatorBackend } from './coordinator-fake-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';

let browser: Browser;
let box: Box;
let server: StationServer;
let url: string;
let maintenance: MaintenanceModeDouble;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  box = boxFixture();
  maintenance = new MaintenanceModeDouble(false);
  const backend = fakeCoordinatorBackend();
  const intake = new UpdateIntake({
    files: new NodeUpdateFiles(),
    paths: box.paths,
    maintenance,
    installedVersion: '1.0.0',
    hardwareId: HARDWARE,
    limits: DEFAULT_BUNDLE_LIMITS,
    uploadIdleMs: 30_000,
    maxStartAttempts: 3,
    clock: backend.clock,
    // No upload here stalls; the idle timeout has its own test.
    scheduler: { after: () => () => undefined },
    logger: createLogger({ level: 'silent' }),
  });
  server = new StationServer({ backend: new FakeStationBackend(), stations: [DESK_TOKEN], host: '127.0.0.1', port: 0, logger: createLogger({ level: 'silent' }), coordinator: { ...backend, update: intake } });
  url = (await server.start()).url;
});

afterEach(async () => {
  await server.stop();
  box.cleanup();
});

async function logIn(page: Page, accountId: string): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}/coordinator`);
  await page.locator('#login-account').fill(accountId);
  await page.locator('#login-password').fill(PASSWORD);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#logout').waitFor();
  return errors;
}

describe('the Update section in real Chromium', () => {
  it('shows a technician the versions and trial state, refuses an upload outside maintenance mode, and takes a signed bundle in it', async () => {
    const page = await browser.newPage();
    const errors = await logIn(page, 'tom');
    await expect.poll(() => page.locator('#tabs button').allTextContents()).toEqual(['Status', 'Update']);
    await page.locator('#tabs button', { hasText: 'Update' }).click();
    await expect.poll(() => page.locator('#update-committed').textContent()).toBe('1.0.0 (slot a)');
    expect(await page.locator('#update-trial').textContent()).toBe('geen');
    expect(await page.locator('#update-maintenance').textContent()).toMatch(/^uit/);

    const bundle = { name: 'helpline-gateway-1.1.0.hgwb', mimeType: 'application/octet-stream', buffer: Buffer.from(makeBundle({ version: '1.1.0' })) };
    await page.locator('#update-file').setInputFiles(bundle);
    await page.locator('#update-form button[type=submit]').click();
    await expect.poll(() => page.locator('#update-result').textContent()).toMatch(/^Geweigerd \(HGW_UPDATE_MAINTENANCE_OFF\): updates over the network are accepted only in maintenance mode/);

    maintenance.switchOn();
    await page.locator('#update-file').setInputFiles(bundle);
    await page.locator('#update-form button[type=submit]').click();
    await expect.poll(() => page.locator('#update-result').textContent()).toBe('Ontvangen: version 1.1.0 was received and verified; the box stages it now and starts it on trial');
    // Reloaded once the upload ended.
    await expect.poll(() => page.locator('#update-last').textContent()).toMatch(/ontvangen en gecontroleerd: version 1\.1\.0 was received/);
    expect(await page.locator('#update-maintenance').textContent()).toMatch(/^aan/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a coordinator no Update section', async () => {
    const page = await browser.newPage();
    await logIn(page, 'anna');
    await expect.poll(() => page.locator('#tabs button').allTextContents()).toContain('Status');
    expect(await page.locator('#tabs button').allTextContents()).not.toContain('Update');
    await page.close();
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { PASSWORD, startCoordinatorFixture, type CoordinatorFixture } from '../support/coordinator-fixture.js';

const CALLER = '0612345678';
let browser: Browser;
let fixture: CoordinatorFixture | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('the Moderatie section of the coordinator page in real Chromium', () => {
  it('lists a caller\u2019s Time Outs, blocks from the list with a reason, and lifts the block', async () => {
    const f = (fixture = await startCoordinatorFixture());
    await f.accounts.createAccount('anna', 'coordinator', PASSWORD);
    for (let call = 0; call < 3; call += 1) {
      f.desk.clock.advance(60_000);
      const { reference } = f.desk.call(CALLER);
      const given = f.desk.moderation.giveTimeOut({ stationId: 'desk-1' }, reference);
      if (!given.ok) throw new Error(given.message);
    }
    const page = await browser.newPage({ timezoneId: 'Europe/Amsterdam', locale: 'nl-NL' });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${f.url}/coordinator`);
    await page.locator('#login-account').fill('anna');
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#tabs button', { hasText: 'Moderatie' }).click();

    const caller = page.locator('#moderation-list > li').first();
    await expect.poll(() => caller.textContent()).toContain('3 van 3 Time Outs');
    expect(await caller.locator('ul > li').count()).toBe(3);
    await caller.getByRole('button', { name: 'Blokkeren…' }).click();
    expect(await page.locator('#block-reference').inputValue()).toMatch(/^[2-9A-Z]{3}-[2-9A-Z]{3}$/);
    await page.locator('#block-reason').fill('scheldt vrijwilligers steeds opnieuw uit');
    await page.locator('#block-form button[type=submit]').click();
    await expect.poll(() => page.locator('#moderation-result').textContent()).toMatch(/^Geblokkeerd tot 15 apr 2026/);
    await expect.poll(() => caller.locator('strong').first().textContent()).toMatch(/^Geblokkeerd tot/);

    const blockEntry = caller.locator('ul > li', { hasText: 'Blokkade' });
    await blockEntry.getByRole('button', { name: 'Opheffen…' }).click();
    await blockEntry.locator('textarea').fill('na overleg met het team opgeheven');
    await blockEntry.getByRole('button', { name: 'Opheffen', exact: true }).click();
    await expect.poll(() => page.locator('#moderation-list > li').first().locator('strong').first().textContent()).toMatch(/^Time Out tot/);
    expect(f.audit.entries(0, 100).map((entry) => entry.action).filter((action) => action.startsWith('moderation.'))).toEqual([
      'moderation.timeout',
      'moderation.timeout',
      'moderation.timeout',
      'moderation.block',
      'moderation.lifted',
    ]);
    expect(errors).toEqual([]);
    expect(await page.content()).not.toMatch(/612345678/);
    await page.close();
  });
});

import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactView } from './fake-station-backend.js';
import { DESK_ONE, startHarness, type Harness } from './station-harness.js';


let browser: Browser;
let harness: Harness | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('the station page in real Chromium', () => {
  it('signs in from the address, drops the token from it, and shows a ringing contact with its count', async () => {
    harness = await startHarness();
    harness.backend.put(contactView({ reference: 'K7Q-3F9', priorContacts: 4 }));
    const page = await browser.newPage();
    await page.goto(`${harness.url}/#token=${DESK_ONE.token}`);
    await page.getByText('K7Q-3F9').first().waitFor();
    await expect.poll(() => page.locator('#ringing').textContent()).toContain('4 eerdere contacten');
    expect(page.url()).not.toContain(DESK_ONE.token);

    harness.backend.put(contactView({ reference: 'M4X-8PT', priorContacts: 0 }));
    await expect.poll(() => page.locator('#ringing').textContent()).toContain('M4X-8PT');
    harness.backend.put(contactView({ reference: 'W2C-9RR', callerKnown: false }));
    await expect.poll(() => page.locator('#ringing').textContent()).toMatch(/afgeschermd/i);
    await page.close();
  });

  it('registers a wrap-up through the form and the backend receives exactly the chosen categories', async () => {
    harness = await startHarness();
    harness.backend.put(contactView({ reference: 'H3N-7QD', state: 'ended', priorContacts: 1 }));
    const page = await browser.newPage();
    await page.goto(`${harness.url}/#token=${DESK_ONE.token}`);
    const item = page.locator('#wrap-up-list li', { hasText: 'H3N-7QD' });
    await item.waitFor();
    const selects = item.locator('select');
    await selects.nth(0).selectOption('12-15');
    await selects.nth(1).selectOption('bullying');
    await selects.nth(2).selectOption('listened');
    await item.getByRole('button', { name: 'Registreren' }).click();
    await expect.poll(() => harness?.backend.wrapUps.length).toBe(1);
    expect(harness.backend.wrapUps[0]).toMatchObject({
      reference: 'H3N-7QD',
      stationId: DESK_ONE.id,
      wrapUp: { ageBand: '12-15', topic: 'bullying', outcome: 'listened' },
    });
    await page.close();
  });

  it('asks for a token when none is given and refuses a wrong one', async () => {
    harness = await startHarness();
    const page = await browser.newPage();
    await page.goto(harness.url);
    await page.locator('#token-input').fill('not-the-right-token-at-all');
    await page.locator('#login-form button[type=submit]').click();
    await expect.poll(() => page.locator('#login-error').textContent()).not.toBe('');
    await page.close();
  });
});

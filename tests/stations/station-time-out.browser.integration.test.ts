import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { StationServer } from '../../src/stations/index.js';
import { launchChromium } from '../support/chromium.js';
import { CALLER, moderationFixture, type ModerationFixture } from '../moderation/moderation-fixture.js';
import { contactView } from './fake-station-backend.js';
import { DESK_ONE, startHarness, type Harness } from './station-harness.js';

let browser: Browser;
let fixture: ModerationFixture | undefined;
let server: StationServer | undefined;
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
  await server?.stop();
  server = undefined;
  fixture?.close();
  fixture = undefined;
});

describe('the Time Out button on the station page in real Chromium', () => {
  it('asks for confirmation, gives the Time Out, shows it, and shows it again on the next call from that number', async () => {
    const f = (fixture = moderationFixture('2026-05-12T10:00:00+02:00'));
    server = new StationServer({ backend: f.desk, stations: [DESK_ONE], host: '127.0.0.1', port: 0, logger: silentLogger() });
    const { url } = await server.start();
    const page = await browser.newPage({ timezoneId: 'Europe/Amsterdam', locale: 'nl-NL' });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void (dialogs.length === 1 ? dialog.dismiss() : dialog.accept());
    });
    await page.goto(`${url}/#token=${DESK_ONE.token}`);
    await expect.poll(() => page.locator('#connection').textContent()).toBe('Verbonden');

    const first = f.offer(CALLER);
    const card = page.locator('#ringing-current');
    await card.getByText(first.reference).waitFor();
    expect(await card.locator('.moderation').isHidden()).toBe(true);

    // Dismissed: nothing happens.
    await card.getByRole('button', { name: 'Time Out geven' }).click();
    await expect.poll(() => dialogs.length).toBe(1);
    expect(f.audit.entries(0, 10).some((entry) => entry.action === 'moderation.timeout')).toBe(false);

    await card.getByRole('button', { name: 'Time Out geven' }).click();
    await expect.poll(() => card.locator('.moderation').textContent()).toBe('Time Out tot wo 13 mei 10:00');
    expect(dialogs[1]).toContain(first.reference);
    expect(f.audit.entries(0, 10).filter((entry) => entry.action === 'moderation.timeout')).toHaveLength(1);

    // The call ends: the wrap-up item keeps the status; the same number rings again and shows it at once.
    first.end();
    const item = page.locator('#wrap-up-list li', { hasText: first.reference });
    await expect.poll(() => item.locator('.moderation').textContent()).toBe('Time Out tot wo 13 mei 10:00');
    f.clock.advance(30 * 60_000);
    const next = f.offer('+31612345678');
    await card.getByText(next.reference).waitFor();
    await expect.poll(() => card.locator('.moderation').textContent()).toBe('Time Out tot wo 13 mei 10:00');
    const html = await page.content();
    expect(html).not.toMatch(/612345678/);
    await page.close();
  });

  it('shows a block with its end date, and an unknown status with what the switch decided', async () => {
    harness = await startHarness();
    const until = new Date('2027-03-01T00:00:00+01:00').getTime();
    harness.backend.put(contactView({ reference: 'K7Q-3F9', priorContacts: 6, moderation: { kind: 'blocked', until } }));
    const page = await browser.newPage({ timezoneId: 'Europe/Amsterdam', locale: 'nl-NL' });
    await page.goto(`${harness.url}/#token=${DESK_ONE.token}`);
    const card = page.locator('#ringing-current');
    await expect.poll(() => card.locator('.moderation').textContent()).toBe('Geblokkeerd tot 1 maart 2027');
    harness.backend.put(contactView({ reference: 'M4X-8PT', offeredAt: Date.UTC(2025, 2, 21, 14, 6), moderation: { kind: 'unknown', routing: 'refuse' } }));
    await expect.poll(() => card.locator('.moderation').textContent()).toBe('Moderatiestatus onbekend: niet doorverbonden');
    await page.close();
  });
});

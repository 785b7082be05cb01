import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startCoordinatorFixture, type CoordinatorFixture } from '../support/coordinator-fixture.js';


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

async function logIn(page: Page, url: string, accountId: string): Promise<string[]> {
  // Script exceptions only: the 401 of the first session check and a missing favicon are expected.
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}/coordinator`);
  await page.locator('#login-account').fill(accountId);
  await page.locator('#login-password').fill(PASSWORD);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#logout').waitFor();
  expect(errors).toEqual([]);
  return errors;
}

describe('the coordinator page in real Chromium', () => {
  it('lets a coordinator register an access request, confirm the identity and save the answer, with the number only in the files', async () => {
    fixture = await startCoordinatorFixture();
    fixture.desk.call('0612345678');
    await fixture.accounts.createAccount('anna', 'coordinator', PASSWORD);
    const page = await browser.newPage({ acceptDownloads: true });
    await logIn(page, fixture.url, 'anna');
    await expect.poll(() => page.locator('#tabs button').allTextContents()).toEqual([
      'Verzoeken',
      'Doorbreken geheimhouding',
      'Moderatie',
      'Incidenten',
      'Auditlog',
      'Bewaartermijnen',
      'Accounts',
      'Status',
    ]);
    expect(await page.locator('#section-requests').isVisible()).toBe(true);

    await page.locator('#request-kind').selectOption('access');
    await page.locator('#request-channel').selectOption('phone');
    const supplied = page.locator('#request-supplied');
    expect(await supplied.getAttribute('type')).toBe('text');
    expect(await supplied.getAttribute('autocomplete')).toBe('off');
    await supplied.fill('06 12 34 56 78');
    await page.locator('#request-form button[type=submit]').click();

    await expect.poll(() => page.locator('#request-result').textContent()).toMatch(/Geregistreerd als RQ-/);
    const item = page.locator('#request-list li').first();
    await item.waitFor();
    expect(await item.textContent()).toMatch(/RQ-.*inzage.*telefoon.*ontvangen/);
    expect(await supplied.inputValue()).toBe('');
    expect(await page.content()).not.toMatch(/12 34 56|612345678/);
    expect(fixture.audit.entries().filter((entry) => entry.action === 'request.registered').map((entry) => entry.actorId)).toEqual(['account:anna']);

    await item.getByRole('button', { name: 'Identiteit bevestigd' }).click();
    await expect.poll(() => page.locator('#request-list li').first().textContent()).toContain('identiteit bevestigd');

    const downloads: { name: string; text: string }[] = [];
    page.on('download', (download) => {
      void download.path().then((path) => downloads.push({ name: download.suggestedFilename(), text: readFileSync(path, 'utf8') }));
    });
    await page.locator('#request-list li').first().getByRole('button', { name: /Inzage beantwoorden/ }).click();
    await expect.poll(() => downloads.length).toBe(2);
    expect(downloads.map((file) => file.name.replace(/RQ-[A-Z0-9-]+/, 'RQ')).sort()).toEqual(['access-RQ.html', 'access-RQ.json']);
    expect(downloads.every((file) => file.text.includes('+31612345678'))).toBe(true);
    await expect.poll(() => page.locator('#request-list li').first().textContent()).toMatch(/beantwoord|afgehandeld/i);
    expect(await page.content()).not.toMatch(/612345678/);
    await page.close();
  });

  it('shows a technician the Status section alone, with the firmware version', async () => {
    fixture = await startCoordinatorFixture();
    await fixture.accounts.createAccount('tom', 'technician', PASSWORD);
    const page = await browser.newPage();
    await logIn(page, fixture.url, 'tom');
    await expect.poll(() => page.locator('#tabs button').allTextContents()).toEqual(['Status']);
    await expect.poll(() => page.locator('#status-version').textContent()).toBe('0.1.0-test');
    const visible = await page.locator('.panel').evaluateAll((panels) => panels.filter((panel) => !panel.hasAttribute('hidden')).map((panel) => panel.id));
    expect(visible).toEqual(['section-status']);
    await page.close();
  });

  it('opens every section for a coordinator without a script error, verifies the audit chain and approves nothing alone', async () => {
    fixture = await startCoordinatorFixture();
    await fixture.accounts.createAccount('anna', 'coordinator', PASSWORD);
    const { reference } = fixture.desk.call('06 12 34 56 78');
    const page = await browser.newPage();
    const errors = await logIn(page, fixture.url, 'anna');
    await page.locator('#tabs button', { hasText: 'Doorbreken geheimhouding' }).click();
    await page.locator('#disclosure-reference').fill(reference);
    await page.locator('#disclosure-reason').fill('The caller described a concrete plan to hurt a younger sibling tonight.');
    await page.locator('#disclosure-form button[type=submit]').click();
    const pending = page.locator('#disclosure-list li').first();
    await pending.waitFor();
    expect(await pending.getByRole('button', { name: 'Goedkeuren en tonen' }).count()).toBe(0);
    expect(await pending.getByRole('button', { name: 'Intrekken' }).count()).toBe(1);
    for (const tab of ['Moderatie', 'Incidenten', 'Bewaartermijnen', 'Accounts', 'Status', 'Auditlog']) {
      await page.locator('#tabs button', { hasText: tab }).click();
      await expect.poll(() => page.locator('#tabs button[aria-selected="true"]').textContent()).toBe(tab);
    }
    await page.locator('#audit-verify').click();
    await expect.poll(() => page.locator('#audit-verification').textContent()).toMatch(/^Keten intact/);
    await expect.poll(() => page.locator('#audit-list tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(await page.content()).not.toMatch(/612345678/);
    await page.close();
  });
});

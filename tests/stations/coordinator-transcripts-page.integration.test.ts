import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { PASSWORD } from '../support/coordinator-fixture.js';
import { CHAT_IP } from '../transcripts/transcript-fixture.js';
import { startTranscriptServer, type TranscriptServerFixture } from './coordinator-transcripts-fixture.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const MARKUP = '<img src=x onerror="document.title=\'hacked\'">';
const LINES = [
  { author: 'caller', text: 'Hoi, ik ben Sanne en ik ben 14 jaar.' },
  { author: 'volunteer', text: 'Fijn dat je er bent, Sanne. Wat is er gebeurd?' },
  { author: 'caller', text: 'Op school in Gent pesten ze me, sinds 12 maart.' },
  { author: 'caller', text: `Ze schreven dit op mijn bank: ${MARKUP}` },
] as const;

let browser: Browser;
let fixture: TranscriptServerFixture | undefined;
let page: Page | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

// The page goes first: its open connections would otherwise hold the server's close after a failed test.
afterEach(async () => {
  await page?.close();
  page = undefined;
  await fixture?.close();
  fixture = undefined;
});

describe('the Chatgesprekken section of the coordinator page in real Chromium (BE preset)', () => {
  it('reads a closed chat, shows its IP address on request after the chat, and makes, reviews and saves a training fragment', async () => {
    const f = (fixture = await startTranscriptServer('lumi-be'));
    const { reference } = f.chat(LINES);
    const running = f.chat(LINES.slice(0, 1), { ended: false });
    const page = await openPage(browser.newPage({ timezoneId: 'Europe/Brussels', locale: 'nl-BE', viewport: { width: 1100, height: 1400 } }));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${f.url}/coordinator`);
    await page.locator('#login-account').fill('anna');
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('#login-form button[type=submit]').click();
    await page.locator('#tabs button', { hasText: 'Chatgesprekken' }).click();

    // Both lists show a placeholder item while empty or loading, so only items carrying data count.
    const chats = page.locator('#transcripts-list > li[data-reference]');
    await expect.poll(() => chats.count()).toBe(1);
    expect(await chats.first().getAttribute('data-reference')).toBe(reference);
    expect(await page.locator('#transcripts-list').textContent()).not.toContain(running.reference);
    expect(await chats.first().textContent()).toContain('4 regels');
    await chats.first().getByRole('button', { name: 'Lezen' }).click();

    const lines = page.locator('#transcript-lines > li');
    await expect.poll(() => lines.count()).toBe(4);
    expect(await lines.nth(0).textContent()).toContain('Hoi, ik ben Sanne en ik ben 14 jaar.');
    // Server text is placed as text: the markup shows as written and never runs.
    expect(await lines.nth(3).locator('.text').textContent()).toBe(`Ze schreven dit op mijn bank: ${MARKUP}`);
    expect(await page.locator('#transcript-lines img').count()).toBe(0);
    expect(await page.locator('#transcript-address').isVisible()).toBe(false);
    expect(await page.content()).not.toContain(CHAT_IP);

    await page.getByRole('button', { name: 'IP-adres tonen' }).click();
    await expect.poll(() => page.locator('#transcript-address-value').textContent()).toBe(CHAT_IP);

    await lines.nth(0).locator('input[type=checkbox]').check();
    await lines.nth(2).locator('input[type=checkbox]').check();
    await page.getByRole('button', { name: 'Fragment maken van de gekozen regels' }).click();
    const text = page.locator('#fragment-text');
    await expect.poll(() => text.inputValue()).toBe('Chatter: Hoi, ik ben Sam en ik ben leeftijd A.\nChatter: Op school in Plaats A pesten ze me, sinds datum 1.');
    expect(await page.locator('#fragment-replaced').textContent()).toContain('1 namen, 1 plaatsen, 1 data, 1 leeftijden');

    await page.locator('#fragment-title').fill('Pesten op school');
    await text.fill(`${await text.inputValue()}\nVrijwilliger: Bel gerust 0470 12 34 56.`);
    await page.getByRole('button', { name: 'Fragment bewaren' }).click();
    await expect.poll(() => page.locator('#fragment-result').textContent()).toContain('een telefoonnummer');
    await text.fill((await text.inputValue()).replace(' Bel gerust 0470 12 34 56.', ' Wil je er meer over vertellen?'));
    await page.getByRole('button', { name: 'Fragment bewaren' }).click();
    await expect.poll(() => page.locator('#transcripts-result').textContent()).toBe('Fragment bewaard.');
    const fragments = page.locator('#fragment-list > li[data-fragment]');
    await expect.poll(() => fragments.count()).toBe(1);
    expect(await fragments.first().textContent()).toContain('Pesten op school');
    expect(await fragments.first().textContent()).toContain('Wil je er meer over vertellen?');
    expect(await page.locator('#fragment-review').isVisible()).toBe(false);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'coordinator-transcripts.png'), fullPage: true });

    // Leaving the section forgets the address: it is not waiting on the page for the next person.
    await page.locator('#tabs button', { hasText: 'Status' }).click();
    await expect.poll(() => page.locator('#transcript-address-value').textContent()).toBe('');
    expect(await page.content()).not.toContain(CHAT_IP);

    expect(f.transcriptAudit.actions()).toEqual(['transcript.read', 'chat-address.revealed', 'fragment.drafted', 'fragment.saved']);
    expect(f.logLines.join('\n')).not.toContain(CHAT_IP);
    expect(await page.title()).not.toBe('hacked');
    expect(errors).toEqual([]);
  });
});

/** Keeps the page for afterEach to close, whatever the test's outcome. */
async function openPage(opening: Promise<Page>): Promise<Page> {
  page = await opening;
  return page;
}

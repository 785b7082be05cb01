import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatServer } from '../../src/chat/chat-server.js';
import { silentLogger } from '../../src/log/logger.js';
import { launchChromium } from '../support/chromium.js';
import { chatFixture, type ChatFixture } from './chat-fixture.js';

let browser: Browser;
let running: { c: ChatFixture; server: ChatServer } | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await running?.server.stop();
  running?.c.close();
  running = undefined;
});

describe('the chat page in real Chromium', () => {
  it('runs a whole chat from the keyboard alone, shows hostile HTML as text and breaks no CSP rule', async () => {
    const c = chatFixture(new Date('2026-05-12T08:00:00Z'));
    const server = new ChatServer({
      desk: c.chatDesk,
      host: '127.0.0.1',
      port: 0,
      trustedProxies: [],
      maxMessageChars: 200,
      chatsPerMinutePerAddress: 5,
      clock: c.f.clock,
      scheduler: c.scheduler,
      logger: silentLogger(),
    });
    running = { c, server };
    const { url } = await server.start();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${url}/`);

    // Tab past the skip link to the start button.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('start');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#status').textContent()).toContain('nummer 1 in de rij');

    const reference = c.chatDesk.chats('desk-1')[0]?.reference;
    if (!reference) throw new Error('no chat queued');
    expect(c.chatDesk.accept(reference, 'desk-1').ok).toBe(true);
    await expect.poll(() => page.locator('#status').textContent()).toContain('Je chat nu met een vrijwilliger');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('bericht');

    await page.keyboard.type('hoi, ik wil iets vragen');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#messages li.caller').count()).toBe(1);
    expect(await page.locator('#bericht').inputValue()).toBe('');
    const stored = c.chatDesk.lines(reference, 'desk-1');
    expect(stored.ok && stored.value.map((line) => line.text)).toEqual(['hoi, ik wil iets vragen']);

    const hostile = '<img src=x onerror="document.title=\'pwned\'"><b>vet</b>';
    expect(c.chatDesk.send(reference, 'desk-1', hostile).ok).toBe(true);
    await expect.poll(() => page.locator('#messages li.volunteer .text').textContent()).toBe(hostile);
    expect(await page.locator('#messages img, #messages b').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');

    expect(c.chatDesk.close(reference, 'desk-1').ok).toBe(true);
    await expect.poll(() => page.locator('#status').textContent()).toContain('De vrijwilliger heeft het gesprek beëindigd');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('start');
    expect(await page.locator('#bericht').isDisabled()).toBe(true);
    expect(await page.context().cookies()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});

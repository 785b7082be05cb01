import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { FakeChatBackend, SECRET_IP } from './fake-chat-backend.js';
import { FakeMailBackend, SECRET_EMAIL } from './fake-mail-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';
import { DESK_ONE, DESK_TWO, startHarness, type Harness } from './station-harness.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

let browser: Browser;
let harness: Harness | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

interface Capture {
  /** Every WebSocket frame and HTTP response body the page received, once they are all read. */
  everything(): Promise<string>;
  readonly problems: string[];
  /** `status path` of every response that was not a success. */
  readonly failures: string[];
  readonly dialogs: string[];
}

/** Records all the page receives, accepts every confirm(), and notes script errors and CSP refusals. */
function capture(page: Page): Capture {
  const frames: string[] = [];
  const bodies: Promise<string>[] = [];
  const problems: string[] = [];
  const failures: string[] = [];
  const dialogs: string[] = [];
  page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));
  page.on('response', (response) => {
    bodies.push(response.text().catch(() => ''));
    if (response.status() >= 400) failures.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  // Failed responses are in `failures`; anything else on the console (a CSP refusal, a script error) is a problem.
  page.on('console', (message) => {
    if ((message.type() === 'error' || message.type() === 'warning') && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.accept();
  });
  return { problems, failures, dialogs, everything: async () => [...frames, ...(await Promise.all(bodies))].join('\n') };
}

async function startWithConversations(): Promise<{ backend: FakeStationBackend; chat: FakeChatBackend; mail: FakeMailBackend; url: string }> {
  const backend = new FakeStationBackend();
  const chat = new FakeChatBackend({ contacts: backend, carrySecrets: true });
  const mail = new FakeMailBackend({ contacts: backend, carrySecrets: true });
  harness = await startHarness({ backend, chat, mail });
  return { backend, chat, mail, url: harness.url };
}

async function signIn(page: Page, url: string, token = DESK_ONE.token): Promise<void> {
  await page.goto(`${url}/#token=${token}`);
  await expect.poll(() => page.locator('#connection').textContent()).toBe('Verbonden');
}

/** Selects `word` in the chat line that contains it, as a volunteer dragging over it would. */
async function selectInChatLine(page: Page, word: string): Promise<void> {
  await page.locator('#chat-lines .line-text', { hasText: word }).evaluate((node, target) => {
    const text = node.firstChild;
    if (!text) throw new Error(`no text in the line with ${target}`);
    const start = (text.textContent ?? '').indexOf(target);
    const range = node.ownerDocument.createRange();
    range.setStart(text, start);
    range.setEnd(text, start + target.length);
    const selection = node.ownerDocument.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }, word);
}

describe('the chat and mail panels of the station page in real Chromium', () => {
  it('takes a chat, redacts a suggested number and a selection, answers and closes it; answers a mail, sees the failure and resends; never receives an IP or a sender address', async () => {
    const { backend, chat, mail, url } = await startWithConversations();
    const page = await browser.newPage({ locale: 'nl-NL', timezoneId: 'Europe/Amsterdam', viewport: { width: 900, height: 1200 } });
    const seen = capture(page);
    await signIn(page, url);

    // The queue: a chat waits; the ringing card leaves it to the chat panel.
    chat.queue('K7Q-3F9', { priorContacts: 2 });
    const queued = page.locator('#chat-queue li', { hasText: 'K7Q-3F9' });
    await expect.poll(() => queued.textContent()).toContain('2 eerdere contacten');
    expect(await page.locator('#ringing').isHidden()).toBe(true);
    await queued.getByRole('button', { name: 'Chat K7Q-3F9 aannemen' }).click();
    const conversation = page.locator('#chat-conversation');
    await expect.poll(() => conversation.locator('#chat-conversation-title').textContent()).toBe('Gesprek K7Q-3F9');
    expect(await page.locator('#chat-queue li').count()).toBe(0);
    // One taken chat needs no switcher.
    expect(await page.locator('#chat-mine').isHidden()).toBe(true);

    // The caller writes a number; the detector's suggestion shows as a mark with its own button.
    const numberLine = 'Mijn nummer is 06-12345678, bel me';
    chat.callerWrites('K7Q-3F9', numberLine, [{ type: 'PHONE', start: 15, end: 26 }]);
    await expect.poll(() => conversation.locator('mark').textContent()).toBe('06-12345678');
    expect(await conversation.locator('mark').getAttribute('title')).toBe('telefoonnummer');
    await page.locator('#chat').screenshot({ path: join(ARTIFACTS, 'station-chat-panel.png') });

    await conversation.getByRole('button', { name: 'telefoonnummer "06-12345678" verwijderen' }).click();
    await expect.poll(() => chat.redactions.length).toBe(1);
    expect(chat.redactions[0]).toEqual({ reference: 'K7Q-3F9', stationId: DESK_ONE.id, lineId: 1, spans: [{ type: 'PHONE', start: 15, end: 26 }] });
    const firstLine = conversation.locator('.line', { hasText: 'Mijn nummer is' });
    await expect.poll(() => firstLine.locator('.line-text').textContent()).toBe('Mijn nummer is [PHONE], bel me');
    expect(await firstLine.locator('.note').textContent()).toBe('aangepast');
    expect(await conversation.locator('mark').count()).toBe(0);

    // Anything the detector missed: select it and press the button.
    chat.callerWrites('K7Q-3F9', 'Ik woon in Utrecht bij de kerk');
    await conversation.getByText('Ik woon in Utrecht bij de kerk').waitFor();
    await selectInChatLine(page, 'Utrecht');
    await page.getByRole('button', { name: 'Geselecteerde tekst verwijderen' }).click();
    await expect.poll(() => chat.redactions.length).toBe(2);
    expect(chat.redactions[1]).toEqual({ reference: 'K7Q-3F9', stationId: DESK_ONE.id, lineId: 2, spans: [{ type: '', start: 11, end: 18 }] });
    await conversation.getByText('Ik woon in […] bij de kerk').waitFor();

    await page.locator('#chat-message').fill('Fijn dat je het vertelt. Hoe gaat het nu?');
    await page.locator('#chat-send-form').getByRole('button', { name: 'Versturen' }).click();
    await expect.poll(() => chat.sent).toEqual([{ reference: 'K7Q-3F9', stationId: DESK_ONE.id, text: 'Fijn dat je het vertelt. Hoe gaat het nu?' }]);
    await expect.poll(() => conversation.locator('.line.volunteer').textContent()).toContain('Jij');
    expect(await page.locator('#chat-message').inputValue()).toBe('');

    await page.getByRole('button', { name: 'Gesprek afsluiten' }).click();
    await expect.poll(() => conversation.isHidden()).toBe(true);
    expect(seen.dialogs.at(-1)).toContain('K7Q-3F9');
    // The closed chat is a contact waiting for its wrap-up, on the same form as a call.
    const chatWrapUp = page.locator('#wrap-up-list li', { hasText: 'K7Q-3F9' });
    await expect.poll(() => chatWrapUp.locator('.meta').textContent()).toMatch(/^chat · /);
    const selects = chatWrapUp.locator('select');
    await selects.nth(0).selectOption('12-15');
    await selects.nth(1).selectOption('family');
    await selects.nth(2).selectOption('listened');
    await chatWrapUp.getByRole('button', { name: 'Registreren' }).click();
    await expect.poll(() => backend.wrapUps.map((entry) => entry.reference)).toEqual(['K7Q-3F9']);

    // Mail: the list shows subject, count and state; open, read with marks, answer.
    mail.receive('M4X-8PT', 'Ik durf het niet te zeggen', 'Hoi, mijn juf heet Jansen.\nBel 0612345678 maar niet na vijf.', {
      suggestions: [{ type: 'NAME', start: 19, end: 25 }, { type: 'PHONE', start: 31, end: 41 }],
      priorContacts: 1,
    });
    const thread = page.locator('#mail-threads li', { hasText: 'M4X-8PT' });
    await expect.poll(() => thread.textContent()).toContain('Ik durf het niet te zeggen');
    expect(await thread.textContent()).toContain('1 eerder contact');
    expect(await thread.locator('.meta').textContent()).toMatch(/^Nieuw · ontvangen /);
    await thread.getByRole('button', { name: 'E-mail M4X-8PT openen' }).click();
    const view = page.locator('#mail-thread');
    await expect.poll(() => view.locator('mark').allTextContents()).toEqual(['Jansen', '0612345678']);
    expect(await view.locator('.line.in .line-text').textContent()).toBe('Hoi, mijn juf heet Jansen.\nBel 0612345678 maar niet na vijf.');
    await expect.poll(() => thread.locator('.meta').textContent()).toMatch(/^Geopend/);

    mail.failNextAnswers = 1;
    await page.locator('#mail-answer').fill('Dank je wel voor je mail. Je mag altijd bellen.');
    await page.locator('#mail-answer-form').getByRole('button', { name: 'Versturen' }).click();
    await expect.poll(() => page.locator('#mail-status').textContent()).toContain('Versturen is niet gelukt');
    expect(await page.locator('#mail-resend').isVisible()).toBe(true);
    await expect.poll(() => view.locator('.line.out .meta').textContent()).toMatch(/^Niet verstuurd/);
    await page.locator('#mail').screenshot({ path: join(ARTIFACTS, 'station-mail-panel.png') });

    // The relay still refuses the first retry; the second gets the stored answer out, once.
    mail.failNextAnswers = 1;
    await page.getByRole('button', { name: 'Opnieuw versturen' }).click();
    await expect.poll(() => mail.resends).toBe(1);
    await expect.poll(() => page.locator('#mail-status').textContent()).toContain('Versturen is niet gelukt');
    await page.getByRole('button', { name: 'Opnieuw versturen' }).click();
    await expect.poll(() => page.locator('#mail-status').textContent()).toBe('Antwoord verstuurd.');
    expect(mail.resends).toBe(2);
    expect(mail.answers.map((answer) => [answer.text, answer.delivered])).toEqual([['Dank je wel voor je mail. Je mag altijd bellen.', true]]);
    expect(await page.locator('#mail-resend').isHidden()).toBe(true);
    await expect.poll(() => view.locator('.line.out .meta').allTextContents()).toEqual([expect.stringMatching(/^Verstuurd/)]);

    await page.getByRole('button', { name: 'Afsluiten', exact: true }).click();
    await expect.poll(() => view.isHidden()).toBe(true);
    expect(await page.locator('#mail-threads li').count()).toBe(0);
    await page.locator('#wrap-up-list li', { hasText: 'M4X-8PT' }).waitFor();

    const everything = await seen.everything();
    expect(everything).toContain('"type":"chat-line"');
    expect(everything).toContain('"messages":[');
    for (const secret of [SECRET_IP, SECRET_EMAIL, 'callerIp', 'senderAddress', 'replyTo']) expect(everything).not.toContain(secret);
    expect(seen.problems).toEqual([]);
    expect(seen.failures.filter((failure) => failure !== '404 /favicon.ico')).toEqual(['502 /api/v1/mails/M4X-8PT/answer', '502 /api/v1/mails/M4X-8PT/resend']);
    await page.close();
  });

  it('takes a queued chat away from the other station’s queue as soon as one station accepts it', async () => {
    const { chat, url } = await startWithConversations();
    const one = await browser.newPage();
    const two = await browser.newPage();
    await signIn(one, url, DESK_ONE.token);
    await signIn(two, url, DESK_TWO.token);
    chat.queue('K7Q-3F9');
    chat.queue('P4W-2HN');
    await expect.poll(() => two.locator('#chat-queue li').count()).toBe(2);
    await one.getByRole('button', { name: 'Chat K7Q-3F9 aannemen' }).click();
    await expect.poll(() => two.locator('#chat-queue li').allTextContents()).toEqual([expect.stringContaining('P4W-2HN')]);
    await one.getByRole('button', { name: 'Chat P4W-2HN aannemen' }).click();
    // Two taken chats: a button each, the one on screen pressed.
    await expect.poll(() => one.locator('#chat-mine button').allTextContents()).toEqual(['Gesprek K7Q-3F9', 'Gesprek P4W-2HN']);
    expect(await one.locator('#chat-mine button[aria-pressed="true"]').textContent()).toBe('Gesprek P4W-2HN');
    await one.getByRole('button', { name: 'Gesprek K7Q-3F9' }).click();
    await expect.poll(() => one.locator('#chat-conversation-title').textContent()).toBe('Gesprek K7Q-3F9');
    chat.callerWrites('K7Q-3F9', 'alleen voor station 1');
    await one.getByText('alleen voor station 1').waitFor();
    expect(await two.locator('#chat-conversation').isHidden()).toBe(true);
    expect(await two.content()).not.toContain('alleen voor station 1');
    await one.close();
    await two.close();
  });

  it('shows no chat or mail panel on a box without those channels', async () => {
    harness = await startHarness();
    const page = await browser.newPage();
    await signIn(page, harness.url);
    expect(await page.locator('#chat').isHidden()).toBe(true);
    expect(await page.locator('#mail').isHidden()).toBe(true);
    await page.close();
  });
});

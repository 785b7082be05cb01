import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { launchChromium } from '../support/chromium.js';
import { PASSWORD } from '../support/coordinator-fixture.js';
import { ipv4Renderings, quietLumiConfig, recordTraffic, sightingsIn } from './chat-e2e-helpers.js';

/**
 * Issue 5 end to end, on the gateway `startGateway` builds with the Lumi preset: a caller chats from
 * the public page behind a trusted proxy, a volunteer takes the chat on the station page, removes
 * the phone number the detector marked, answers and closes; a coordinator reads the closed chat
 * and, as the BE statement allows, sees the chatter's IP address. The volunteer never receives
 * the address in any rendering, nor the number once it is removed.
 */

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');
const CALLER_IP = '198.51.100.23';
const IP_RENDERINGS = ipv4Renderings(CALLER_IP);
const NUMBER = '06-12345678';
const CALLER_TEXT = `hoi, ik ben Sanne en mijn nummer is ${NUMBER}`;
const REDACTED_TEXT = 'hoi, ik ben Sanne en mijn nummer is [PHONE]';
const ANSWER = 'Dag Sanne, fijn dat je er bent. Wat is er gebeurd?';
const COORDINATOR = 'anna';

let browser: Browser;
let cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

describe('a chat from the public page to the coordinator’s transcript (Lumi, BE)', () => {
  it('relays a proxied chat to the volunteer without its IP, keeps the volunteer’s redaction, and shows the IP to the coordinator only after the chat', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'hgw-chat-e2e-'));
    cleanup.push(async () => rmSync(directory, { recursive: true, force: true }));
    const deskToken = randomBytes(32).toString('base64url');
    const logLines: string[] = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
    const gateway: RunningGateway = await startGateway(quietLumiConfig(directory, deskToken), { clock: { now: () => Date.now() }, logger });
    cleanup.push(() => gateway.stop());
    const chatUrl = gateway.chatUrl;
    if (!chatUrl) throw new Error('the gateway started no chat server although the config has a chat section');
    await gateway.accounts.createAccount(COORDINATOR, 'coordinator', PASSWORD);

    // The caller, as the site's reverse proxy on 127.0.0.1 would forward them.
    const callerContext = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': CALLER_IP }, locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
    cleanup.push(() => callerContext.close());
    const caller = await callerContext.newPage();
    const callerErrors: string[] = [];
    caller.on('pageerror', (error) => callerErrors.push(error.message));
    const handshakeHeaders: Record<string, string>[] = [];
    const cdp = await callerContext.newCDPSession(caller);
    cdp.on('Network.webSocketWillSendHandshakeRequest', (event) => handshakeHeaders.push(event.request.headers));
    await cdp.send('Network.enable');
    await caller.goto(`${chatUrl}/`);
    await caller.locator('#start').click();
    await expect.poll(() => caller.locator('#status').textContent()).toContain('nummer 1 in de rij');
    // Chromium puts the context's extra headers on the WebSocket upgrade too: no proxy needed.
    expect(handshakeHeaders.map((headers) => headers['X-Forwarded-For'])).toEqual([CALLER_IP]);
    // Writing while still waiting is allowed; the volunteer gets the line on taking the chat.
    await caller.locator('#bericht').fill(CALLER_TEXT);
    await caller.locator('#bericht').press('Enter');
    await expect.poll(() => caller.locator('#messages li.caller').count()).toBe(1);

    // The volunteer.
    const volunteerContext = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels', viewport: { width: 900, height: 1200 } });
    cleanup.push(() => volunteerContext.close());
    const volunteer = await volunteerContext.newPage();
    const seen = recordTraffic(volunteer);
    await volunteer.goto(`${gateway.stationUrl}/#token=${deskToken}`);
    await expect.poll(() => volunteer.locator('#connection').textContent()).toBe('Verbonden');
    const queued = volunteer.locator('#chat-queue li');
    await expect.poll(() => queued.count()).toBe(1);
    const reference = (await queued.locator('.reference').textContent()) ?? '';
    expect(reference).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
    expect(await queued.textContent()).toContain('Eerste contact');
    await queued.getByRole('button', { name: `Chat ${reference} aannemen` }).click();
    const conversation = volunteer.locator('#chat-conversation');
    await expect.poll(() => conversation.locator('#chat-conversation-title').textContent()).toBe(`Gesprek ${reference}`);
    await expect.poll(() => caller.locator('#status').textContent()).toContain('Je chat nu met een vrijwilliger');

    // The detector marks the number (and the name); the volunteer removes the number.
    const callerLine = conversation.locator('.line.caller');
    await expect.poll(() => callerLine.locator('.line-text').textContent()).toBe(CALLER_TEXT);
    const phoneMark = callerLine.locator('mark', { hasText: NUMBER });
    expect(await phoneMark.getAttribute('title')).toBe('telefoonnummer');
    const afterRedaction = seen.mark();
    await callerLine.getByRole('button', { name: `telefoonnummer "${NUMBER}" verwijderen` }).click();
    await expect.poll(() => callerLine.locator('.line-text').textContent()).toBe(REDACTED_TEXT);
    expect(await callerLine.locator('.note').textContent()).toBe('aangepast');

    await volunteer.locator('#chat-message').fill(ANSWER);
    await volunteer.locator('#chat-send-form').getByRole('button', { name: 'Versturen' }).click();
    await expect.poll(() => conversation.locator('.line.volunteer .line-text').textContent()).toBe(ANSWER);
    await expect.poll(() => caller.locator('#messages li.volunteer .text').textContent()).toBe(ANSWER);
    await volunteer.screenshot({ path: join(ARTIFACTS, 'e2e-chat-volunteer.png'), fullPage: true });

    await volunteer.getByRole('button', { name: 'Gesprek afsluiten' }).click();
    await expect.poll(() => conversation.isHidden()).toBe(true);
    await volunteer.locator('#wrap-up-list li', { hasText: reference }).waitFor();
    await expect.poll(() => caller.locator('#status').textContent()).toContain('De vrijwilliger heeft het gesprek beëindigd');
    await caller.screenshot({ path: join(ARTIFACTS, 'e2e-chat-caller.png'), fullPage: true });

    // Everything the volunteer's page received, and the page itself, holds no form of the address.
    const received = await seen.received();
    const finalHtml = await volunteer.content();
    expect(received.some((entry) => entry.source === 'ws /api/v1/events' && entry.text.includes('"type":"chat-line"'))).toBe(true);
    expect(received.some((entry) => entry.text.includes(CALLER_TEXT))).toBe(true);
    const ipSightings = [...received.flatMap((entry) => sightingsIn(`${entry.source} #${entry.seq}`, entry.text, IP_RENDERINGS)), ...sightingsIn('final page', finalHtml, IP_RENDERINGS)];
    expect(ipSightings).toEqual([]);
    // Nor the number, once removed: the redacted line, its frame and the page hold only [PHONE].
    const laterWithNumber = received.filter((entry) => entry.seq >= afterRedaction && /06-?12345678/.test(entry.text)).map((entry) => `${entry.source} #${entry.seq}`);
    expect(laterWithNumber).toEqual([]);
    expect(received.some((entry) => entry.seq >= afterRedaction && entry.text.includes('[PHONE]'))).toBe(true);
    expect(finalHtml).not.toMatch(/06-?12345678/);
    expect(seen.problems).toEqual([]);
    expect(seen.failures.filter((failure) => failure !== '404 /favicon.ico')).toEqual([]);

    // The coordinator reads the closed chat and, after it ended, may see the address.
    const coordinatorContext = await browser.newContext({ locale: 'nl-BE', timezoneId: 'Europe/Brussels', viewport: { width: 1100, height: 1400 } });
    cleanup.push(() => coordinatorContext.close());
    const coordinator = await coordinatorContext.newPage();
    const coordinatorErrors: string[] = [];
    coordinator.on('pageerror', (error) => coordinatorErrors.push(error.message));
    await coordinator.goto(`${gateway.stationUrl}/coordinator`);
    await coordinator.locator('#login-account').fill(COORDINATOR);
    await coordinator.locator('#login-password').fill(PASSWORD);
    await coordinator.locator('#login-form button[type=submit]').click();
    await coordinator.locator('#tabs button', { hasText: 'Chatgesprekken' }).click();
    const chats = coordinator.locator('#transcripts-list > li[data-reference]');
    await expect.poll(() => chats.count()).toBe(1);
    expect(await chats.first().getAttribute('data-reference')).toBe(reference);
    expect(await chats.first().textContent()).toContain('2 regels');
    await chats.first().getByRole('button', { name: 'Lezen' }).click();
    const lines = coordinator.locator('#transcript-lines > li');
    await expect.poll(() => lines.count()).toBe(2);
    // The redacted line as it stands now, marked as changed by the volunteer.
    expect(await lines.nth(0).locator('.text').textContent()).toBe(`${REDACTED_TEXT} (aangepast door de vrijwilliger)`);
    expect(await lines.nth(1).locator('.text').textContent()).toBe(ANSWER);
    expect(await coordinator.content()).not.toMatch(/06-?12345678/);
    expect(await coordinator.content()).not.toContain(CALLER_IP);
    await coordinator.getByRole('button', { name: 'IP-adres tonen' }).click();
    await expect.poll(() => coordinator.locator('#transcript-address-value').textContent()).toBe(CALLER_IP);
    // The scan finds the address where it is meant to be, so its silence on the volunteer's side means something.
    expect(sightingsIn('coordinator page', await coordinator.content(), IP_RENDERINGS)).toEqual(['coordinator page: dotted']);
    await coordinator.screenshot({ path: join(ARTIFACTS, 'e2e-chat-coordinator.png'), fullPage: true });

    expect(logLines.flatMap((line, index) => sightingsIn(`log line ${index}`, line, IP_RENDERINGS))).toEqual([]);
    expect(logLines.join('\n')).not.toContain(NUMBER);
    expect(callerErrors).toEqual([]);
    expect(coordinatorErrors).toEqual([]);
  }, 90_000);
});

import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { silentLogger } from '../../src/log/index.js';
import type {
  CoordinatorActor, ListenAlongView, LiveCallView, SupervisionBackend, SupervisionDeskView, SupervisionResult,
} from '../../src/stations/index.js';
import { StationServer } from '../../src/stations/index.js';
import { launchChromium } from '../support/chromium.js';
import { DESK_TOKEN, PASSWORD } from '../support/coordinator-fixture.js';
import { fakeCoordinatorBackend, START } from './coordinator-fake-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';

/** Live calls the test sets, and a record of what the page asked for. */
class FakeSupervision implements SupervisionBackend {
  calls: LiveCallView[] = [];
  readonly actions: string[] = [];
  readonly #sessions = new Map<string, ListenAlongView>();

  liveCalls(): LiveCallView[] {
    return this.calls;
  }

  desks(): SupervisionDeskView[] {
    return [
      { stationId: 'coach', stationName: 'Begeleiding', group: 'dag' },
      { stationId: 'night-coach', stationName: 'Nachtbegeleiding', group: 'nacht' },
    ];
  }

  async startListenAlong(actor: CoordinatorActor, reference: ContactReference, fromStationId: string, whisper: boolean): Promise<SupervisionResult<ListenAlongView>> {
    this.actions.push(`start ${reference} from ${fromStationId} by ${actor.accountId} whisper ${whisper}`);
    const call = this.calls.find((candidate) => candidate.reference === reference);
    if (!call) return { ok: false, refusal: 'unknown-call', message: 'no such call' };
    const session: ListenAlongView = {
      sessionId: `s${this.#sessions.size + 1}`, reference, stationId: call.stationId, stationName: call.stationName, fromStationId, accountId: actor.accountId, whisper, startedAt: START,
    };
    this.#sessions.set(session.sessionId, session);
    return { ok: true, value: session };
  }

  async stopListenAlong(actor: CoordinatorActor, sessionId: string): Promise<SupervisionResult<ListenAlongView>> {
    this.actions.push(`stop ${sessionId} by ${actor.accountId}`);
    const session = this.#sessions.get(sessionId);
    if (!session) return { ok: false, refusal: 'unknown-session', message: 'no such session' };
    this.#sessions.delete(sessionId);
    return { ok: true, value: session };
  }

  setWhisper(actor: CoordinatorActor, sessionId: string, on: boolean): SupervisionResult<ListenAlongView> {
    this.actions.push(`whisper ${on} ${sessionId} by ${actor.accountId}`);
    const session = this.#sessions.get(sessionId);
    if (!session) return { ok: false, refusal: 'unknown-session', message: 'no such session' };
    const switched = { ...session, whisper: on };
    this.#sessions.set(sessionId, switched);
    return { ok: true, value: switched };
  }

  sessions(): ListenAlongView[] {
    return [...this.#sessions.values()];
  }
}

function liveCall(reference: string, stationId: string, stationName: string, group: string): LiveCallView {
  return { reference: reference as ContactReference, stationId, stationName, group, state: 'connected', since: START, listeners: 0 };
}

let browser: Browser;
let server: StationServer | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('the Meeluisteren section of the coordinator page in real Chromium', () => {
  it('shows a supervisor live calls by station, starts listen-along from their desk, whispers and stops', async () => {
    const supervision = new FakeSupervision();
    supervision.calls = [liveCall('K7Q-3F9', 'desk-1', 'Bureau 1', 'dag'), liveCall('N8P-2KD', 'night-1', 'Nacht 1', 'nacht')];
    server = new StationServer({
      backend: new FakeStationBackend(),
      stations: [DESK_TOKEN],
      host: '127.0.0.1',
      port: 0,
      logger: silentLogger(),
      coordinator: { ...fakeCoordinatorBackend(), supervision },
    });
    const { url } = await server.start();
    const page = await browser.newPage({ timezoneId: 'Europe/Amsterdam', locale: 'nl-NL' });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/coordinator`);
    await page.locator('#login-account').fill('sam');
    await page.locator('#login-password').fill(PASSWORD);
    await page.locator('#login-form button[type=submit]').click();

    await expect.poll(() => page.locator('#tabs button').allTextContents()).toEqual(['Meeluisteren']);
    const calls = page.locator('#supervision-calls > li');
    await expect.poll(() => calls.count()).toBe(2);
    const dayCall = page.locator('#supervision-calls > li[data-reference="K7Q-3F9"]');
    expect(await dayCall.textContent()).toMatch(/Bureau 1 \(groep dag\) · in gesprek sinds 11:00 · K7Q-3F9/);
    expect(await dayCall.textContent()).toContain('Kies eerst je toestel.');

    await page.locator('#supervision-desk').selectOption('coach');
    await expect.poll(() => page.locator('#supervision-calls > li[data-reference="N8P-2KD"]').textContent()).toContain('Andere groep dan je toestel.');
    await dayCall.getByRole('button', { name: 'Meeluisteren' }).click();
    await expect.poll(() => page.locator('#supervision-result').textContent()).toBe('Je luistert mee met K7Q-3F9 bij Bureau 1.');
    const listening = page.locator('#supervision-sessions > li').first();
    await expect.poll(() => listening.textContent()).toMatch(/^Meeluisteren met K7Q-3F9 bij Bureau 1 sinds 11:00/);
    expect(await dayCall.getByRole('button', { name: 'Meeluisteren' }).count()).toBe(0);

    await listening.getByRole('button', { name: 'Fluisteren aan' }).click();
    await expect.poll(() => page.locator('#supervision-sessions > li').first().textContent()).toContain('fluisteren aan');
    await page.locator('#supervision-sessions > li').first().getByRole('button', { name: 'Fluisteren uit' }).click();
    await expect.poll(() => page.locator('#supervision-result').textContent()).toBe('Fluisteren uit.');
    await page.locator('#supervision-sessions > li').first().getByRole('button', { name: 'Stoppen' }).click();
    await expect.poll(() => page.locator('#supervision-sessions').textContent()).toBe('Je luistert nu nergens mee.');

    // The list follows the line on its own.
    supervision.calls = [...supervision.calls, liveCall('M4X-8RT', 'desk-2', 'Bureau 2', 'dag')];
    await expect.poll(() => calls.count()).toBe(3);
    expect(await page.locator('#supervision-desk').inputValue()).toBe('coach');

    expect(supervision.actions).toEqual([
      'start K7Q-3F9 from coach by sam whisper false',
      'whisper true s1 by sam',
      'whisper false s1 by sam',
      'stop s1 by sam',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

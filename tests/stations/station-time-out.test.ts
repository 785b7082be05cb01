import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';
import { StationServer } from '../../src/stations/index.js';
import { probeFor, scanBytes } from '../support/identifier-scanner.js';
import { at, CALLER, moderationFixture, type ModerationFixture } from '../moderation/moderation-fixture.js';
import { bearer, DESK_ONE, SocketProbe, startHarness, type Harness } from './station-harness.js';

const NUMBER = probeFor({ name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 });

interface TimeOutHarness {
  readonly f: ModerationFixture;
  readonly url: string;
  readonly logLines: string[];
  readonly bodies: string[];
  post(reference: string, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

let running: TimeOutHarness | undefined;
let fakeHarness: Harness | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await fakeHarness?.stop();
  fakeHarness = undefined;
});

async function start(): Promise<TimeOutHarness> {
  const logLines: string[] = [];
  const bodies: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } });
  const f = moderationFixture('2026-05-12T10:00:00+02:00', { logger });
  const server = new StationServer({ backend: f.desk, stations: [DESK_ONE], host: '127.0.0.1', port: 0, logger });
  const { url } = await server.start();
  running = {
    f,
    url,
    logLines,
    bodies,
    async post(reference, token = DESK_ONE.token) {
      const response = await fetch(`${url}/api/v1/contacts/${encodeURIComponent(reference)}/time-out`, { method: 'POST', headers: bearer(token) });
      const text = await response.text();
      bodies.push(text);
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    },
    async stop() {
      await server.stop();
      f.close();
    },
  };
  return running;
}

describe('the Time Out button\u2019s route (station token)', () => {
  it('gives the live contact\u2019s caller a Time Out in the name of the station, and every station hears it', async () => {
    const h = await start();
    const station = new SocketProbe(h.url);
    try {
      await station.opened();
      station.send({ type: 'auth', token: DESK_ONE.token });
      await station.next();
      const contact = h.f.offer(CALLER);
      expect(await station.next()).toMatchObject({ type: 'contact', contact: { reference: contact.reference, moderation: null } });

      const given = await h.post(contact.reference);
      expect(given.status).toBe(200);
      const until = at('2026-05-13T10:00:00+02:00');
      expect(given.body).toEqual({ contact: expect.objectContaining({ reference: contact.reference, moderation: { kind: 'time-out', until } }), timeOut: { until } });
      const event = await station.next();
      h.bodies.push(JSON.stringify(event));
      expect(event).toMatchObject({ type: 'contact', contact: { reference: contact.reference, moderation: { kind: 'time-out', until } } });
      expect(h.f.audit.entries(0, 10).find((entry) => entry.action === 'moderation.timeout')).toMatchObject({ actorRole: 'volunteer', actorId: 'station:desk-1', target: contact.reference });

      // The same number calls again: its contact arrives with the status, and the list says so too.
      h.f.clock.advance(3_600_000);
      const next = h.f.offer('+31612345678');
      const nextEvent = await station.next();
      h.bodies.push(JSON.stringify(nextEvent));
      expect(nextEvent).toMatchObject({ type: 'contact', contact: { reference: next.reference, moderation: { kind: 'time-out', until } } });
      const list = await fetch(`${h.url}/api/v1/contacts`, { headers: bearer(DESK_ONE.token) });
      const listText = await list.text();
      h.bodies.push(listText);
      const listed = (JSON.parse(listText) as { contacts: { reference: string; moderation: unknown }[] }).contacts;
      expect(listed.find((item) => item.reference === next.reference)?.moderation).toEqual({ kind: 'time-out', until });
    } finally {
      station.close();
    }
    const sightings = [...h.bodies, ...h.logLines].flatMap((text, index) => scanBytes(`text ${index}`, Buffer.from(text), [NUMBER]));
    expect(sightings).toEqual([]);
    expect(h.logLines.join('\n')).toMatch(/Time Out given/);
    expect(h.logLines.join('\n')).toMatch(/"moderation":"time-out"/);
  });

  it('refuses without a token, for an unknown contact, a withheld number, a call long over and a second Time Out', async () => {
    const h = await start();
    const contact = h.f.offer(CALLER);
    expect((await h.post(contact.reference, 'not-a-valid-token-at-all-xx')).status).toBe(401);
    expect(await h.post('ZZZ-ZZZ')).toMatchObject({ status: 404, body: { code: 'HGW_MODERATION_UNKNOWN_CONTACT' } });
    expect(await h.post('not a reference')).toMatchObject({ status: 400 });
    expect(await h.post(h.f.offer('P').reference)).toMatchObject({ status: 409, body: { code: 'HGW_MODERATION_NOT_ELIGIBLE' } });
    const over = h.f.offer('0687654321');
    over.end();
    h.f.clock.advance(2 * 3_600_000);
    expect(await h.post(over.reference)).toMatchObject({ status: 409, body: { code: 'HGW_MODERATION_NOT_ELIGIBLE' } });
    expect((await h.post(contact.reference)).status).toBe(200);
    expect(await h.post(contact.reference)).toMatchObject({ status: 409, body: { code: 'HGW_MODERATION_NOT_ELIGIBLE', message: expect.stringMatching(/already/) } });
    expect(h.f.audit.entries(0, 20).filter((entry) => entry.action === 'moderation.timeout')).toHaveLength(1);
  });

  it('answers 404 where the backend has no moderation', async () => {
    fakeHarness = await startHarness();
    const response = await fetch(`${fakeHarness.url}/api/v1/contacts/K7Q-3F9/time-out`, { method: 'POST', headers: bearer(DESK_ONE.token) });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'HGW_STATION_NOT_FOUND' });
  });
});

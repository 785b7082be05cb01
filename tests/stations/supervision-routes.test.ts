import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SipSupervision, type SupervisedStation } from '../../src/line/sip/index.js';
import { createLogger } from '../../src/log/index.js';
import { StationServer } from '../../src/stations/index.js';
import { ManualScheduler } from '../../src/time/scheduler.js';
import { CoordinatorClient, DESK_TOKEN } from '../support/coordinator-fixture.js';
import { FakeSupervisedLine } from '../line/sip/fake-supervised-line.js';
import { fakeCoordinatorBackend, START, type FakeCoordinatorBackend } from './coordinator-fake-backend.js';
import { FakeStationBackend } from './fake-station-backend.js';
import { waitFor } from '../support/wait-for.js';

const STATIONS: readonly SupervisedStation[] = [
  { id: 'desk-1', displayName: 'Bureau 1', deskPhone: 'sip:desk-1@10.0.0.21:5060', group: 'dag' },
  { id: 'coach', displayName: 'Begeleiding', deskPhone: 'sip:coach@10.0.0.30:5060', group: 'dag' },
  { id: 'night-1', displayName: 'Nacht 1', deskPhone: 'sip:night-1@10.0.0.41:5060', group: 'nacht' },
];

interface Harness {
  readonly url: string;
  readonly backend: FakeCoordinatorBackend;
  readonly line: FakeSupervisedLine;
  readonly logLines: string[];
  stop(): Promise<void>;
}

let harness: Harness;

async function startHarness(withSupervision = true): Promise<Harness> {
  const backend = fakeCoordinatorBackend();
  backend.accounts.add('sara', 'supervisor');
  const line = new FakeSupervisedLine();
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (text: string) => void logLines.push(text) } });
  const supervision = new SipSupervision({ line, stations: STATIONS, audit: (entry) => backend.audit.append(entry), scheduler: new ManualScheduler(START), logger });
  supervision.start();
  const server = new StationServer({
    backend: new FakeStationBackend(),
    stations: [DESK_TOKEN],
    host: '127.0.0.1',
    port: 0,
    logger,
    coordinator: withSupervision ? { ...backend, supervision } : backend,
  });
  const { url } = await server.start();
  return { url, backend, line, logLines, stop: () => server.stop() };
}

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.stop();
});

async function loggedIn(accountId: string): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(harness.url);
  const response = await client.login(accountId);
  if (response.status !== 200) throw new Error(`login of ${accountId} answered ${response.status}`);
  return client;
}

/** Answers the next listen-along INVITE the (fake) line places, as the supervisor's phone would. */
async function answerWhenRung(count: number): Promise<void> {
  await waitFor(() => harness.line.requests.length >= count, 'the desk phone to ring');
  harness.line.requests[count - 1]?.answer();
}

const ROUTES = [
  { method: 'GET', path: '/api/v1/supervision/calls' },
  { method: 'POST', path: '/api/v1/supervision/listen-along', body: { reference: 'K7Q-3F9', fromStationId: 'coach', whisper: false } },
  { method: 'POST', path: '/api/v1/supervision/listen-along/abc123/whisper', body: { on: true } },
  { method: 'DELETE', path: '/api/v1/supervision/listen-along/abc123' },
] as const;

describe('supervision routes: who may use them', () => {
  it('refuses volunteers, coordinators and technicians (403) and anonymous callers (401), and lets a supervisor in', async () => {
    harness.line.addCall('K7Q-3F9', 'desk-1');
    for (const accountId of ['vera', 'anna', 'tom']) {
      const client = await loggedIn(accountId);
      for (const route of ROUTES) {
        const response = await client.send(route.method, route.path, 'body' in route ? route.body : undefined);
        expect([accountId, route.method, route.path, response.status]).toEqual([accountId, route.method, route.path, 403]);
      }
    }
    const anonymous = new CoordinatorClient(harness.url);
    for (const route of ROUTES) expect((await anonymous.send(route.method, route.path, 'body' in route ? route.body : undefined)).status).toBe(401);
    expect(harness.line.requests).toEqual([]);
    expect((await (await loggedIn('sam')).send('GET', '/api/v1/supervision/calls')).status).toBe(200);
  });

  it('refuses a state change without the session\u2019s CSRF token, before anything rings', async () => {
    const reference = harness.line.addCall('K7Q-3F9', 'desk-1');
    const sam = await loggedIn('sam');
    const start = await sam.send('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'coach' }, { csrf: false });
    expect(start).toMatchObject({ status: 403, body: { code: 'HGW_STATION_FORBIDDEN' } });
    expect(harness.line.requests).toEqual([]);

    const started = sam.send<{ session: { sessionId: string } }>('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'coach' });
    await answerWhenRung(1);
    const { sessionId } = (await started).body.session;
    expect((await sam.send('DELETE', `/api/v1/supervision/listen-along/${sessionId}`, undefined, { csrf: false })).status).toBe(403);
    expect((await sam.send('POST', `/api/v1/supervision/listen-along/${sessionId}/whisper`, { on: true }, { csrf: false })).status).toBe(403);
    expect(harness.line.requests[0]?.session?.stopped).toBe(false);
    expect(harness.line.requests[0]?.session?.whispers).toEqual([]);
  });

  it('answers 404 on every route when the box has no SIP line', async () => {
    await harness.stop();
    harness = await startHarness(false);
    const sam = await loggedIn('sam');
    for (const route of ROUTES) {
      const response = await sam.send(route.method, route.path, 'body' in route ? route.body : undefined);
      expect(response).toMatchObject({ status: 404, body: { code: 'HGW_STATION_NOT_FOUND' } });
    }
  });
});

describe('supervision routes: listening along', () => {
  it('lists live calls, starts, whispers and stops, audits with the supervisor\u2019s account, and sends nothing but references', async () => {
    const reference = harness.line.addCall('K7Q-3F9', 'desk-1');
    harness.line.addCall('M4X-8RT', null, { state: 'ringing', ringing: ['night-1'] });
    const sam = await loggedIn('sam');
    const bodies: string[] = [];

    const listed = await sam.send<{ calls: unknown[]; desks: unknown[]; sessions: unknown[] }>('GET', '/api/v1/supervision/calls');
    bodies.push(listed.text);
    expect(listed.body).toEqual({
      calls: [
        { reference: 'K7Q-3F9', stationId: 'desk-1', stationName: 'Bureau 1', group: 'dag', state: 'connected', since: harness.line.now, listeners: 0 },
        { reference: 'M4X-8RT', stationId: 'night-1', stationName: 'Nacht 1', group: 'nacht', state: 'ringing', since: harness.line.now, listeners: 0 },
      ],
      desks: [
        { stationId: 'coach', stationName: 'Begeleiding', group: 'dag' },
        { stationId: 'desk-1', stationName: 'Bureau 1', group: 'dag' },
        { stationId: 'night-1', stationName: 'Nacht 1', group: 'nacht' },
      ],
      sessions: [],
    });

    const started = sam.send<{ session: { sessionId: string } }>('POST', '/api/v1/supervision/listen-along', { reference: ' k7q-3f9', fromStationId: 'coach', whisper: false });
    await answerWhenRung(1);
    const response = await started;
    bodies.push(response.text);
    expect(response.status).toBe(201);
    expect(harness.line.requests[0]?.spec.supervisorTarget).toBe('sip:coach@10.0.0.30:5060');
    const { sessionId } = response.body.session;
    expect(response.body).toEqual({
      session: { sessionId, reference, stationId: 'desk-1', stationName: 'Bureau 1', fromStationId: 'coach', accountId: 'sam', whisper: false, startedAt: harness.line.now },
    });

    const again = await sam.send<{ sessions: { sessionId: string }[] }>('GET', '/api/v1/supervision/calls');
    bodies.push(again.text);
    expect(again.body.sessions.map((session) => session.sessionId)).toEqual([sessionId]);

    const whisper = await sam.send<{ session: { whisper: boolean } }>('POST', `/api/v1/supervision/listen-along/${sessionId}/whisper`, { on: true });
    bodies.push(whisper.text);
    expect(whisper.body.session.whisper).toBe(true);
    expect(harness.line.requests[0]?.session?.whispers).toEqual([true]);

    const stopped = await sam.send('DELETE', `/api/v1/supervision/listen-along/${sessionId}`);
    expect(stopped.status).toBe(204);
    expect(harness.line.requests[0]?.session?.stopped).toBe(true);
    expect((await sam.send('DELETE', `/api/v1/supervision/listen-along/${sessionId}`)).status).toBe(404);

    expect(harness.backend.audit.appended.map((entry) => [entry.action, entry.actorRole, entry.actorId, entry.target])).toEqual([
      ['listen-along.started', 'supervisor', 'account:sam', 'K7Q-3F9'],
      ['listen-along.stopped', 'supervisor', 'account:sam', 'K7Q-3F9'],
    ]);
    const everything = [...bodies, JSON.stringify(harness.backend.audit.appended), ...harness.logLines].join('\n');
    // ":5060" not "5060": random session ids may hold those digits by chance.
    expect(everything).not.toMatch(/sip:|10\.0\.0\.|:5060/);
  });

  it('refuses a call outside the chosen desk\u2019s group (403) and rings nothing', async () => {
    const reference = harness.line.addCall('N8P-2KD', 'night-1');
    const sam = await loggedIn('sam');
    const refused = await sam.send('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'coach' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'HGW_STATION_FORBIDDEN', reason: 'other-group' } });
    expect(harness.line.requests).toEqual([]);
    expect(harness.backend.audit.appended).toEqual([]);
  });

  it('answers each refusal with its status: unknown desk 404, not connected 409, busy desk 409, bad reference 400', async () => {
    const connected = harness.line.addCall('K7Q-3F9', 'desk-1');
    const ringing = harness.line.addCall('M4X-8RT', null, { state: 'ringing', ringing: ['coach'] });
    const sam = await loggedIn('sam');
    const send = (body: unknown) => sam.send('POST', '/api/v1/supervision/listen-along', body);
    expect(await send({ reference: connected, fromStationId: 'desk-9' })).toMatchObject({ status: 404, body: { reason: 'unknown-desk' } });
    expect(await send({ reference: 'ZZZ-ZZZ', fromStationId: 'desk-1' })).toMatchObject({ status: 404, body: { reason: 'unknown-call' } });
    expect(await send({ reference: ringing, fromStationId: 'desk-1' })).toMatchObject({ status: 409, body: { reason: 'not-connected' } });
    expect(await send({ reference: connected, fromStationId: 'coach' })).toMatchObject({ status: 409, body: { reason: 'desk-busy' } });
    expect(await send({ reference: '0612345678', fromStationId: 'desk-1' })).toMatchObject({ status: 400 });
    expect(await send({ reference: connected, fromStationId: 'coach', extra: 1 })).toMatchObject({ status: 400 });
    expect(await send({ reference: connected, fromStationId: 'Desk 1' })).toMatchObject({ status: 400 });
    expect(harness.line.requests).toEqual([]);
  });

  it('shows a supervisor only their own sessions and lets no other supervisor whisper into or stop them', async () => {
    const reference = harness.line.addCall('K7Q-3F9', 'desk-1');
    const sam = await loggedIn('sam');
    const started = sam.send<{ session: { sessionId: string } }>('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'coach' });
    await answerWhenRung(1);
    const { sessionId } = (await started).body.session;
    const sara = await loggedIn('sara');
    expect((await sara.send<{ sessions: unknown[] }>('GET', '/api/v1/supervision/calls')).body.sessions).toEqual([]);
    expect(await sara.send('POST', `/api/v1/supervision/listen-along/${sessionId}/whisper`, { on: true })).toMatchObject({ status: 403, body: { reason: 'not-yours' } });
    expect(await sara.send('DELETE', `/api/v1/supervision/listen-along/${sessionId}`)).toMatchObject({ status: 403, body: { reason: 'not-yours' } });
    expect(harness.line.requests[0]?.session?.stopped).toBe(false);
  });

  it('tells the supervisor when their phone did not answer (409 phone-unanswered), without an audit entry', async () => {
    const reference = harness.line.addCall('K7Q-3F9', 'desk-1');
    const sam = await loggedIn('sam');
    const started = sam.send('POST', '/api/v1/supervision/listen-along', { reference, fromStationId: 'coach' });
    await waitFor(() => harness.line.requests.length > 0, 'the desk phone to ring');
    harness.line.requests[0]?.refuse('declined');
    expect(await started).toMatchObject({ status: 409, body: { reason: 'phone-unanswered' } });
    expect(harness.backend.audit.appended).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contactView } from './fake-station-backend.js';
import { bearer, DESK_ONE, DESK_TWO, startHarness, type Harness } from './station-harness.js';

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
});

afterEach(async () => {
  await harness.stop();
});

function postWrapUp(reference: string, body: unknown, token = DESK_ONE.token): Promise<Response> {
  return fetch(`${harness.url}/api/v1/contacts/${reference}/wrap-up`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const goodWrapUp = { ageBand: '12-15', topic: 'bullying', outcome: 'listened' };

describe('station HTTP API', () => {
  it('answers 401 HGW_STATION_UNAUTHORIZED without a token or with a wrong one', async () => {
    harness.backend.put(contactView({ reference: 'K7Q-3F9' }));
    const requests: [string, RequestInit][] = [
      ['/api/v1/contacts', {}],
      ['/api/v1/contacts', { headers: bearer('desk-one-secret-token-7f3a9X') }],
      ['/api/v1/contacts', { headers: { authorization: DESK_ONE.token } }],
      ['/api/v1/categories', { headers: bearer('not-a-station-token-at-all') }],
      ['/api/v1/contacts/K7Q-3F9/wrap-up', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(goodWrapUp) }],
    ];
    for (const [path, init] of requests) {
      const response = await fetch(`${harness.url}${path}`, init);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('HGW_STATION_UNAUTHORIZED');
      expect(body.message).not.toContain('K7Q');
    }
    expect(harness.backend.wrapUps).toEqual([]);
  });

  it('lists open contacts and categories for a station with a valid token', async () => {
    harness.backend.put(contactView({ reference: 'K7Q-3F9', priorContacts: 4 }));
    const contacts = await fetch(`${harness.url}/api/v1/contacts`, { headers: bearer(DESK_TWO.token) });
    expect(contacts.status).toBe(200);
    expect(contacts.headers.get('cache-control')).toBe('no-store');
    expect(await contacts.json()).toEqual({ contacts: [contactView({ reference: 'K7Q-3F9', priorContacts: 4 })] });
    const categories = await fetch(`${harness.url}/api/v1/categories`, { headers: bearer(DESK_TWO.token) });
    expect(await categories.json()).toEqual(harness.backend.categories());
  });

  it('registers a good wrap-up with the backend, naming the station that sent it', async () => {
    harness.backend.put(contactView({ reference: 'K7Q-3F9', state: 'ended' }));
    const response = await postWrapUp('K7Q-3F9', goodWrapUp, DESK_TWO.token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ contact: contactView({ reference: 'K7Q-3F9', state: 'registered' }) });
    expect(harness.backend.wrapUps).toEqual([{ reference: 'K7Q-3F9', wrapUp: goodWrapUp, stationId: 'desk-2' }]);
  });

  it('refuses a wrap-up with an unknown category, a missing or extra field, or a wrong type with 400', async () => {
    harness.backend.put(contactView({ reference: 'K7Q-3F9', state: 'ended' }));
    const bad = [
      { ...goodWrapUp, topic: 'astrology' },
      { ...goodWrapUp, ageBand: '99-100' },
      { ...goodWrapUp, outcome: '' },
      { ageBand: '12-15', topic: 'bullying' },
      { ...goodWrapUp, note: 'lives at Dorpsstraat 1' },
      { ...goodWrapUp, ageBand: 12 },
      ['12-15', 'bullying', 'listened'],
    ];
    for (const body of bad) {
      const response = await postWrapUp('K7Q-3F9', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { code: string }).code).toBe('HGW_STATION_BAD_REQUEST');
    }
    const notJson = await fetch(`${harness.url}/api/v1/contacts/K7Q-3F9/wrap-up`, {
      method: 'POST',
      headers: { ...bearer(DESK_ONE.token), 'content-type': 'application/json' },
      body: '{"ageBand":',
    });
    expect(notJson.status).toBe(400);
    expect(harness.backend.wrapUps).toEqual([]);
  });

  it('answers 404 HGW_STATION_UNKNOWN_CONTACT for a reference the backend does not know', async () => {
    const response = await postWrapUp('ZZZ-999', goodWrapUp);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { code: string }).code).toBe('HGW_STATION_UNKNOWN_CONTACT');
    expect(harness.backend.wrapUps).toEqual([]);
  });

  it('passes on the backend refusing a wrap-up for a contact that is still ringing as 400', async () => {
    harness.backend.put(contactView({ reference: 'K7Q-3F9', state: 'ringing' }));
    const response = await postWrapUp('K7Q-3F9', goodWrapUp);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { code: string }).code).toBe('HGW_STATION_BAD_REQUEST');
  });

  it('answers health without a token', async () => {
    const response = await fetch(`${harness.url}/api/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('logs method, route pattern and status, and never a token, a reference, a query string or a body', async () => {
    harness.backend.put(contactView({ reference: 'K7Q-3F9', state: 'ended' }));
    await fetch(`${harness.url}/api/v1/contacts?caller=0612345678`, { headers: bearer(DESK_ONE.token) });
    await fetch(`${harness.url}/api/v1/contacts`, { headers: bearer('wrong-token-0123456789abcdef') });
    await postWrapUp('K7Q-3F9', goodWrapUp);
    const log = harness.logLines.join('');
    const requestLines = harness.logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request');
    expect(requestLines).toContainEqual(expect.objectContaining({ method: 'GET', route: '/api/v1/contacts', status: 200 }));
    expect(requestLines).toContainEqual(expect.objectContaining({ method: 'GET', route: '/api/v1/contacts', status: 401 }));
    expect(requestLines).toContainEqual(expect.objectContaining({ method: 'POST', route: '/api/v1/contacts/:reference/wrap-up', status: 200 }));
    for (const secret of [DESK_ONE.token, 'wrong-token-0123456789abcdef', 'K7Q-3F9', '0612345678', 'caller=', 'bullying', 'Bearer']) {
      expect(log).not.toContain(secret);
    }
  });

  it('stops cleanly: the port is closed and the backend listener removed', async () => {
    expect(harness.backend.listenerCount).toBe(1);
    await harness.stop();
    expect(harness.backend.listenerCount).toBe(0);
    await expect(fetch(`${harness.url}/api/v1/health`)).rejects.toThrow();
  });
});

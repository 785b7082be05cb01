import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoordinatorClient, DESK_TOKEN } from '../support/coordinator-fixture.js';
import { REVEALED_NUMBER, startCoordinatorHarness, type CoordinatorHarness } from './coordinator-fake-backend.js';

let harness: CoordinatorHarness;

beforeEach(async () => {
  harness = await startCoordinatorHarness();
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

/** Every coordinator route with a body that passes validation, and the capability it needs. */
const ROUTES: readonly { method: string; path: string; body?: unknown; capability: string }[] = [
  { method: 'GET', path: '/api/v1/requests', capability: 'rights.manage' },
  { method: 'POST', path: '/api/v1/requests', body: { kind: 'access', channel: 'phone', supplied: '0612345678' }, capability: 'rights.manage' },
  { method: 'POST', path: '/api/v1/requests/RQ-1/confirm-identity', capability: 'rights.manage' },
  { method: 'POST', path: '/api/v1/requests/RQ-1/extend', body: { reason: 'many requests at once this month', noticeSentAt: 1 }, capability: 'rights.manage' },
  { method: 'POST', path: '/api/v1/requests/RQ-1/access-export', capability: 'rights.manage' },
  { method: 'POST', path: '/api/v1/requests/RQ-1/erase', capability: 'rights.manage' },
  { method: 'POST', path: '/api/v1/requests/RQ-1/object', capability: 'rights.manage' },
  { method: 'GET', path: '/api/v1/disclosures', capability: 'disclosure.approve' },
  { method: 'POST', path: '/api/v1/disclosures', body: { reference: 'K7Q-3F9', reason: 'x' }, capability: 'disclosure.approve' },
  { method: 'POST', path: '/api/v1/disclosures/1/approve', capability: 'disclosure.approve' },
  { method: 'POST', path: '/api/v1/disclosures/1/refuse', capability: 'disclosure.approve' },
  { method: 'GET', path: '/api/v1/incidents', capability: 'incidents.manage' },
  { method: 'POST', path: '/api/v1/incidents', body: { kind: 'other', severity: 'low', summary: 'a test' }, capability: 'incidents.manage' },
  { method: 'POST', path: '/api/v1/incidents/99/assessment', body: { assessment: 'nothing' }, capability: 'incidents.manage' },
  { method: 'POST', path: '/api/v1/incidents/99/reported-to-authority', capability: 'incidents.manage' },
  { method: 'POST', path: '/api/v1/incidents/99/persons-notified', capability: 'incidents.manage' },
  { method: 'POST', path: '/api/v1/incidents/99/close', capability: 'incidents.manage' },
  { method: 'GET', path: '/api/v1/audit', capability: 'audit.read' },
  { method: 'GET', path: '/api/v1/audit/verification', capability: 'audit.read' },
  { method: 'GET', path: '/api/v1/retention', capability: 'audit.read' },
  { method: 'GET', path: '/api/v1/accounts', capability: 'accounts.manage' },
  { method: 'POST', path: '/api/v1/accounts', body: { id: 'nieuw', role: 'volunteer', password: 'een lange wachtzin voor tests' }, capability: 'accounts.manage' },
  { method: 'PUT', path: '/api/v1/accounts/vera/role', body: { role: 'supervisor' }, capability: 'accounts.manage' },
  { method: 'POST', path: '/api/v1/accounts/vera/disable', capability: 'accounts.manage' },
  { method: 'POST', path: '/api/v1/accounts/vera/enable', capability: 'accounts.manage' },
  { method: 'GET', path: '/api/v1/system/version', capability: 'health.read' },
  { method: 'GET', path: '/api/v1/system/health', capability: 'health.read' },
];

describe('coordinator sessions over HTTP (fake backend)', () => {
  it('logs in with a cookie that is HttpOnly, SameSite=Strict, Path=/ and not Secure over plain HTTP', async () => {
    const client = new CoordinatorClient(harness.url);
    const response = await client.login('anna');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accountId: 'anna', role: 'coordinator', capabilities: expect.arrayContaining(['rights.manage', 'health.read']), csrfToken: expect.any(String), expiresAt: expect.any(Number) });
    const cookie = response.headers.getSetCookie()[0] ?? '';
    expect(cookie).toMatch(/^hgw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(response.text).not.toContain(client.cookie);
    const who = await client.send('GET', '/api/v1/session');
    expect(who.body).toMatchObject({ accountId: 'anna', role: 'coordinator', csrfToken: client.csrfToken });
  });

  it('hands the accounts core a keyed hash of the client address as remoteKey, never the address', async () => {
    await new CoordinatorClient(harness.url).login('anna');
    await new CoordinatorClient(harness.url).login('nobody', 'wrong');
    const [first, second] = harness.backend.accounts.logins;
    expect(first?.remoteKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second?.remoteKey).toBe(first?.remoteKey);
    expect(first?.remoteKey).not.toMatch(/127|::1|localhost/);
    expect(harness.logLines.join('')).not.toContain('127.0.0.1');
  });

  it('answers 429 with Retry-After in whole seconds while the accounts core throttles', async () => {
    harness.backend.accounts.throttledUntil = harness.backend.clock.now() + 90_500;
    const response = await new CoordinatorClient(harness.url).login('anna');
    expect(response.status).toBe(429);
    expect(response.text).toMatch(/"code":"HGW_STATION_THROTTLED"/);
    expect(response.headers.get('retry-after')).toBe('91');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('answers 401 without a session, and clears a cookie that names no session', async () => {
    for (const route of ROUTES) {
      const response = await new CoordinatorClient(harness.url).send(route.method, route.path, route.body);
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
    }
    const stale = new CoordinatorClient(harness.url);
    stale.cookie = 'A'.repeat(43);
    const response = await stale.send('GET', '/api/v1/session');
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()[0]).toContain('Max-Age=0');
    expect(harness.backend.callerRequests.calls).toEqual([]);
  });

  it('refuses every state-changing request without the CSRF header, with a wrong one, or from another origin', async () => {
    const client = await loggedIn('anna');
    for (const route of ROUTES.filter((entry) => entry.method !== 'GET')) {
      const response = await client.send<{ code: string }>(route.method, route.path, route.body, { csrf: false });
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(response.body.code).toBe('HGW_STATION_FORBIDDEN');
    }
    const token = client.csrfToken;
    client.csrfToken = 'x'.repeat(43);
    expect((await client.send('POST', '/api/v1/requests', ROUTES[1]?.body)).status).toBe(403);
    client.csrfToken = token;
    const foreign = await fetch(`${harness.url}/api/v1/requests`, {
      method: 'POST',
      headers: { cookie: `hgw_session=${client.cookie}`, 'x-csrf-token': token ?? '', origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify(ROUTES[1]?.body),
    });
    expect(foreign.status).toBe(403);
    expect((await client.send('DELETE', '/api/v1/session', undefined, { csrf: false })).status).toBe(403);
    expect(harness.backend.callerRequests.calls).toEqual([]);
    expect(harness.backend.accounts.changes).toEqual([]);
  });

  it('logs out: the cookie is cleared and the token no longer opens anything', async () => {
    const client = await loggedIn('anna');
    const token = client.cookie;
    const response = await client.send('DELETE', '/api/v1/session');
    expect(response.status).toBe(204);
    expect(client.cookie).toBeUndefined();
    client.cookie = token;
    expect((await client.send('GET', '/api/v1/session')).status).toBe(401);
  });
});

describe('capabilities per role', () => {
  it.each([
    ['anna', ['rights.manage', 'disclosure.approve', 'incidents.manage', 'audit.read', 'accounts.manage', 'health.read']],
    ['tom', ['health.read']],
    ['vera', []],
    ['sam', []],
  ] as const)('lets %s through exactly the routes of its capabilities', async (accountId, allowed) => {
    const client = await loggedIn(accountId);
    for (const route of ROUTES) {
      const response = await client.send(route.method, route.path, route.body);
      const label = `${accountId}: ${route.method} ${route.path} -> ${response.status}`;
      if ((allowed as readonly string[]).includes(route.capability)) expect([401, 403], label).not.toContain(response.status);
      else expect(response.status, label).toBe(403);
    }
    expect((await client.send('GET', '/api/v1/session')).status).toBe(200);
  });

  it('gives the technician the firmware version and health (with counters), and nothing that names a caller', async () => {
    const client = await loggedIn('tom');
    expect((await client.send('GET', '/api/v1/system/version')).body).toEqual({ firmwareVersion: '9.8.7' });
    const health = await client.send<{ ok: boolean; checks: unknown[]; counters: Record<string, number> }>('GET', '/api/v1/system/health');
    expect(health.body.ok).toBe(true);
    expect(health.body.checks).toEqual([{ name: 'database', ok: true, detail: 'quick_check ok' }]);
    expect(health.body.counters).toHaveProperty('requests');
    expect(health.body.counters).toHaveProperty('coordinator.refusedCapability');
  });
});

describe('callers\' requests', () => {
  it('registers a request without echoing what the person supplied, lists it with alerts, and never logs the body', async () => {
    const client = await loggedIn('anna');
    const registered = await client.send<{ request: { reference: string; status: string } }>('POST', '/api/v1/requests', { kind: 'access', channel: 'phone', supplied: '06 12 34 56 78' });
    expect(registered.status).toBe(201);
    expect(registered.body.request).toMatchObject({ status: 'received', registeredBy: 'anna' });
    expect(registered.text).not.toMatch(/12 34 56|612345678/);
    harness.backend.callerRequests.makeOverdue(registered.body.request.reference);
    const listed = await client.send<{ requests: { reference: string }[]; alerts: { alert: string }[] }>('GET', '/api/v1/requests');
    expect(listed.body.requests.map((request) => request.reference)).toEqual([registered.body.request.reference]);
    expect(listed.body.alerts).toEqual([expect.objectContaining({ alert: 'overdue' })]);
    expect(listed.text).not.toMatch(/12 34 56|612345678/);
    expect(harness.logLines.join('')).not.toMatch(/12 34 56|612345678|supplied/);
  });

  it('answers an access request once, with its JSON and HTML files, after the identity check, and maps refusals to statuses', async () => {
    const client = await loggedIn('anna');
    const { body } = await client.send<{ request: { reference: string } }>('POST', '/api/v1/requests', { kind: 'access', channel: 'phone', supplied: '0612345678' });
    const path = `/api/v1/requests/${body.request.reference}`;
    expect((await client.send('POST', `${path}/access-export`)).status).toBe(409);
    expect((await client.send<{ code: string }>('POST', `${path}/erase`)).body.code).toBe('HGW_RIGHTS_WRONG_KIND');
    expect((await client.send('POST', '/api/v1/requests/RQ-NOPE/confirm-identity')).status).toBe(404);
    expect((await client.send('POST', `${path}/confirm-identity`)).body).toMatchObject({ request: { status: 'identity-checked', identityCheckedBy: 'anna' } });
    const exported = await client.send<{ request: { status: string }; files: { fileName: string; contentType: string; content: string }[] }>('POST', `${path}/access-export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('cache-control')).toBe('no-store');
    expect(exported.body.request.status).toBe('answered');
    expect(exported.body.files.map((file) => [file.fileName, file.contentType])).toEqual([
      [`access-${body.request.reference}.json`, 'application/json; charset=utf-8'],
      [`access-${body.request.reference}.html`, 'text/html; charset=utf-8'],
    ]);
    expect(exported.body.files.every((file) => file.content.includes('0612345678'))).toBe(true);
    // Answered once: the export is not kept to be fetched again.
    expect((await client.send('POST', `${path}/access-export`)).status).toBe(409);
  });

  it('extends with a reason and notice, and refuses an extension the desk refuses', async () => {
    const client = await loggedIn('anna');
    const { body } = await client.send<{ request: { reference: string; dueAt: number } }>('POST', '/api/v1/requests', { kind: 'erasure', channel: 'chat', supplied: 'K7Q-3F9' });
    const path = `/api/v1/requests/${body.request.reference}/extend`;
    expect((await client.send('POST', path, { reason: 'too short', noticeSentAt: 1 })).status).toBe(409);
    expect((await client.send('POST', path, { reason: 'many requests at once this month', noticeSentAt: 'today' })).status).toBe(400);
    const extended = await client.send<{ request: { status: string; dueAt: number } }>('POST', path, { reason: 'many requests at once this month', noticeSentAt: 1 });
    expect(extended.body.request.status).toBe('extended');
    expect(extended.body.request.dueAt).toBeGreaterThan(body.request.dueAt);
  });
});

describe('break-glass over HTTP', () => {
  it('reveals the number only in the second coordinator\'s approval response, never in a log line', async () => {
    const anna = await loggedIn('anna');
    const bram = await loggedIn('bram');
    const reason = 'The caller described a concrete plan to hurt a younger sibling tonight.';
    const asked = await anna.send<{ requestId: number }>('POST', '/api/v1/disclosures', { reference: ' k7q-3f9', reason });
    expect(asked.status).toBe(201);
    const pending = await bram.send('GET', '/api/v1/disclosures');
    expect(pending.body).toEqual({ requests: [expect.objectContaining({ reference: 'K7Q-3F9', requestedBy: 'anna', reason })] });
    const self = await anna.send('POST', `/api/v1/disclosures/${asked.body.requestId}/approve`);
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ reason: 'same-coordinator' });
    const approved = await bram.send('POST', `/api/v1/disclosures/${asked.body.requestId}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ requestId: asked.body.requestId, reference: 'K7Q-3F9', revealed: REVEALED_NUMBER, incidentId: 1 });
    expect(approved.headers.get('cache-control')).toBe('no-store');
    expect((await bram.send('POST', `/api/v1/disclosures/${asked.body.requestId}/approve`)).status).toBe(409);
    expect(harness.logLines.join('')).not.toMatch(/612345678|younger sibling/);
  });

  it('refuses a reference that is not shaped like one, and a short reason, with the core\'s reason code', async () => {
    const anna = await loggedIn('anna');
    expect((await anna.send('POST', '/api/v1/disclosures', { reference: '0612345678', reason: 'x'.repeat(40) })).status).toBe(400);
    const short = await anna.send('POST', '/api/v1/disclosures', { reference: 'K7Q-3F9', reason: 'danger' });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ reason: 'no-reason' });
  });
});

describe('incidents, audit and accounts over HTTP', () => {
  it('raises, updates and closes incidents, auditing each step with the acting coordinator', async () => {
    const anna = await loggedIn('anna');
    const raised = await anna.send<{ incident: { id: number; authorityDueAt: number; detectedAt: number } }>('POST', '/api/v1/incidents', { kind: 'data-breach', severity: 'high', summary: 'a laptop with exports was lost' });
    expect(raised.status).toBe(201);
    expect(raised.body.incident.authorityDueAt - raised.body.incident.detectedAt).toBe(72 * 3_600_000);
    const id = raised.body.incident.id;
    expect((await anna.send('POST', '/api/v1/incidents', { kind: 'login-burst', severity: 'high', summary: 'x' })).status).toBe(400);
    expect((await anna.send('POST', '/api/v1/incidents', { kind: 'other', severity: 'low', summary: 'call 0612345678' })).status).toBe(400);
    harness.backend.clock.advance(73 * 3_600_000);
    expect((await anna.send('GET', '/api/v1/incidents')).body).toEqual({ incidents: [expect.objectContaining({ id, alert: 'overdue' })] });
    expect((await anna.send('POST', `/api/v1/incidents/${id}/assessment`, { assessment: 'encrypted disk; low risk' })).status).toBe(200);
    expect((await anna.send('POST', `/api/v1/incidents/${id}/reported-to-authority`)).body).toMatchObject({ incident: { alert: null } });
    expect((await anna.send('POST', `/api/v1/incidents/${id}/persons-notified`)).status).toBe(200);
    expect((await anna.send('POST', `/api/v1/incidents/${id}/close`)).status).toBe(200);
    expect((await anna.send('POST', '/api/v1/incidents/404/close')).status).toBe(404);
    expect(harness.backend.audit.appended.map((entry) => [entry.actorId, entry.action, entry.target, entry.details])).toEqual([
      ['account:anna', 'incident.updated', `incident-${id}`, { change: 'raised-by-hand', folded: false }],
      ['account:anna', 'incident.updated', `incident-${id}`, { change: 'assessed' }],
      ['account:anna', 'incident.updated', `incident-${id}`, { change: 'reported-to-authority' }],
      ['account:anna', 'incident.updated', `incident-${id}`, { change: 'persons-notified' }],
      ['account:anna', 'incident.closed', `incident-${id}`, undefined],
    ]);
    const audit = await anna.send<{ total: number; entries: { seq: number; hash: string }[] }>('GET', '/api/v1/audit?limit=2');
    expect(audit.body.total).toBe(5);
    expect(audit.body.entries.map((entry) => entry.seq)).toEqual([5, 4]);
    expect(audit.body.entries[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await anna.send('GET', '/api/v1/audit?limit=0')).status).toBe(400);
  });

  it('manages accounts in the name of the acting coordinator and refuses changes to one\'s own account', async () => {
    const anna = await loggedIn('anna');
    expect((await anna.send('POST', '/api/v1/accounts', { id: 'nieuw', role: 'volunteer', password: 'een lange wachtzin voor tests' })).status).toBe(201);
    expect((await anna.send('PUT', '/api/v1/accounts/vera/role', { role: 'supervisor' })).body).toMatchObject({ account: { id: 'vera', role: 'supervisor' } });
    expect((await anna.send('PUT', '/api/v1/accounts/vera/role', { role: 'admin' })).status).toBe(400);
    expect((await anna.send('POST', '/api/v1/accounts/vera/disable')).body).toMatchObject({ account: { disabledAt: expect.any(Number) } });
    expect((await anna.send('POST', '/api/v1/accounts/anna/disable')).status).toBe(409);
    expect((await anna.send('PUT', '/api/v1/accounts/ANNA/role', { role: 'volunteer' })).status).toBe(409);
    expect(harness.backend.accounts.changes).toEqual(['create nieuw volunteer by anna', 'role vera supervisor by anna', 'disable vera by anna']);
    const listed = await anna.send<{ accounts: Record<string, unknown>[] }>('GET', '/api/v1/accounts');
    expect(Object.keys(listed.body.accounts[0] ?? {}).sort()).toEqual(['createdAt', 'disabledAt', 'id', 'role']);
  });
});

describe('beside the desk-token API', () => {
  it('leaves the station routes to bearer tokens: a coordinator cookie opens none of them', async () => {
    const anna = await loggedIn('anna');
    expect((await anna.send('GET', '/api/v1/contacts')).status).toBe(401);
    const desk = await fetch(`${harness.url}/api/v1/contacts`, { headers: { authorization: `Bearer ${DESK_TOKEN.token}` } });
    expect(desk.status).toBe(200);
    expect((await fetch(`${harness.url}/api/v1/requests`, { headers: { authorization: `Bearer ${DESK_TOKEN.token}` } })).status).toBe(401);
  });
});

describe('the coordinator page', () => {
  it('is served with the strict CSP, its own script and style, and a supplied-identifier field that browsers do not remember', async () => {
    const page = await fetch(`${harness.url}/coordinator`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).not.toMatch(/<script>|<style>| style=| on[a-z]+=/);
    expect(html).toMatch(/<input id="request-supplied" name="supplied" type="text" autocomplete="off"/);
    expect((await fetch(`${harness.url}/coordinator.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${harness.url}/coordinator.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });
});

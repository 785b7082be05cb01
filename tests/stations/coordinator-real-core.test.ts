import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/index.js';
import { CoordinatorClient, PASSWORD, startCoordinatorFixture, type CoordinatorFixture } from '../support/coordinator-fixture.js';

const REASON = 'The caller described a concrete plan to hurt a younger sibling tonight.';

let fixture: CoordinatorFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function start(accounts: Readonly<Record<string, Role>>, options?: Parameters<typeof startCoordinatorFixture>[0]): Promise<CoordinatorFixture> {
  fixture = await startCoordinatorFixture(options);
  for (const [id, role] of Object.entries(accounts)) await fixture.accounts.createAccount(id, role, PASSWORD);
  return fixture;
}

async function loggedIn(f: CoordinatorFixture, accountId: string): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(f.url);
  const response = await client.login(accountId);
  if (response.status !== 200) throw new Error(`login of ${accountId} answered ${response.status}`);
  return client;
}

function auditTrail(f: CoordinatorFixture): string[] {
  return f.audit.entries(0, 1000).map((entry) => `${entry.actorId} ${entry.action}${entry.target ? ` ${entry.target}` : ''}`);
}

describe('the coordinator API over the real accounts, audit, incident and break-glass cores', () => {
  it('logs in, refuses a wrong password and an unknown account alike, and tells a disabled account apart only with the right password', async () => {
    const f = await start({ anna: 'coordinator', vera: 'volunteer' });
    const anna = await loggedIn(f, 'anna');
    expect((await anna.send('GET', '/api/v1/session')).body).toMatchObject({ accountId: 'anna', role: 'coordinator' });
    const wrong = await new CoordinatorClient(f.url).login('anna', 'not the password at all');
    const unknown = await new CoordinatorClient(f.url).login('nobody', PASSWORD);
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    f.accounts.disable('vera');
    expect((await new CoordinatorClient(f.url).login('vera')).status).toBe(403);
    expect((await new CoordinatorClient(f.url).login('vera', 'not the password at all')).status).toBe(401);
  });

  it('throttles repeated failures with 429 and a Retry-After, even for the right password', async () => {
    const f = await start({ anna: 'coordinator' }, { throttle: { maxFailures: 3, lockMs: 60_000 } });
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await new CoordinatorClient(f.url).login('anna', 'not the password at all')).status).toBe(401);
    const locked = await new CoordinatorClient(f.url).login('anna');
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('60');
    expect(locked.headers.getSetCookie()).toEqual([]);
    f.desk.clock.advance(60_001);
    expect((await new CoordinatorClient(f.url).login('anna')).status).toBe(200);
  });

  it('never carries a pre-login token over: a planted cookie is replaced, a held session is ended by the next login', async () => {
    const f = await start({ anna: 'coordinator', bram: 'coordinator' });
    const browser = new CoordinatorClient(f.url);
    browser.cookie = 'P'.repeat(43);
    await browser.login('anna');
    expect(browser.cookie).not.toBe('P'.repeat(43));
    const annaToken = browser.cookie;

    await browser.login('bram');
    expect(browser.cookie).not.toBe(annaToken);
    const leftover = new CoordinatorClient(f.url);
    leftover.cookie = annaToken;
    expect((await leftover.send('GET', '/api/v1/session')).status).toBe(401);
    expect((await browser.send('GET', '/api/v1/session')).body).toMatchObject({ accountId: 'bram' });
  });

  it('logs out: the token stops working and the audit log records it', async () => {
    const f = await start({ anna: 'coordinator' });
    const anna = await loggedIn(f, 'anna');
    const token = anna.cookie;
    expect((await anna.send('DELETE', '/api/v1/session', undefined, { csrf: false })).status).toBe(403);
    expect((await anna.send('DELETE', '/api/v1/session')).status).toBe(204);
    const again = new CoordinatorClient(f.url);
    again.cookie = token;
    expect((await again.send('GET', '/api/v1/session')).status).toBe(401);
    expect(auditTrail(f).slice(-2)).toEqual(['account:anna login.succeeded', 'account:anna logout']);
  });

  it('refuses break-glass approval by the requesting coordinator and reveals the number to a second one, once', async () => {
    const f = await start({ anna: 'coordinator', bram: 'coordinator' });
    const { reference } = f.desk.call('06 12 34 56 78');
    const anna = await loggedIn(f, 'anna');
    const bram = await loggedIn(f, 'bram');
    const asked = await anna.send<{ requestId: number }>('POST', '/api/v1/disclosures', { reference, reason: REASON });
    expect(asked.status).toBe(201);

    const self = await anna.send('POST', `/api/v1/disclosures/${asked.body.requestId}/approve`);
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ reason: 'same-coordinator' });
    expect(self.text).not.toMatch(/612345678/);
    const pending = await anna.send('GET', '/api/v1/disclosures');
    expect(pending.body).toEqual({ requests: [expect.objectContaining({ requestId: asked.body.requestId, reference, requestedBy: 'anna' })] });

    const approved = await bram.send<{ revealed: string; incidentId: number }>('POST', `/api/v1/disclosures/${asked.body.requestId}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({ requestId: asked.body.requestId, reference, revealed: '+31612345678', incidentId: expect.any(Number) });
    expect((await bram.send('POST', `/api/v1/disclosures/${asked.body.requestId}/approve`)).status).toBe(409);

    const incidents = await bram.send('GET', '/api/v1/incidents');
    expect(incidents.body).toEqual({ incidents: [expect.objectContaining({ id: approved.body.incidentId, kind: 'break-glass-disclosure', severity: 'high' })] });
    const audit = await bram.send('GET', '/api/v1/audit');
    for (const response of [pending, incidents, audit]) expect(response.text).not.toMatch(/612345678/);
    expect(f.logLines.join('')).not.toMatch(/612345678|younger sibling/);
    expect((await bram.send('GET', '/api/v1/audit/verification')).body).toMatchObject({ ok: true });
  });

  it('takes an incident through assessment, report to the authority, notification and closing, and the audit chain verifies', async () => {
    const f = await start({ anna: 'coordinator' });
    let anna = await loggedIn(f, 'anna');
    const raised = await anna.send<{ incident: { id: number } }>('POST', '/api/v1/incidents', { kind: 'data-breach', severity: 'high', summary: 'an exported file was mailed to the wrong address' });
    expect(raised.status).toBe(201);
    const id = raised.body.incident.id;
    f.desk.clock.advance(50 * 3_600_000);
    // Two days on, the session has long ended: the coordinator logs in again.
    expect((await anna.send('GET', '/api/v1/incidents')).status).toBe(401);
    anna = await loggedIn(f, 'anna');
    expect((await anna.send('GET', '/api/v1/incidents')).body).toEqual({ incidents: [expect.objectContaining({ id, alert: 'nearly-due' })] });
    expect((await anna.send('POST', `/api/v1/incidents/${id}/assessment`, { assessment: 'one person affected; risk to them is high' })).body).toMatchObject({
      incident: { assessment: 'one person affected; risk to them is high' },
    });
    expect((await anna.send('POST', `/api/v1/incidents/${id}/assessment`, { assessment: 'it was 0612345678' })).status).toBe(400);
    expect((await anna.send('POST', `/api/v1/incidents/${id}/reported-to-authority`)).body).toMatchObject({ incident: { reportedToAuthorityAt: f.desk.clock.now(), alert: null } });
    expect((await anna.send('POST', `/api/v1/incidents/${id}/persons-notified`)).body).toMatchObject({ incident: { notifiedPersonsAt: f.desk.clock.now() } });
    expect((await anna.send('POST', `/api/v1/incidents/${id}/close`)).body).toMatchObject({ incident: { closedAt: f.desk.clock.now() } });
    expect((await anna.send('GET', '/api/v1/incidents')).body).toEqual({ incidents: [] });

    expect(auditTrail(f).filter((line) => line.includes('incident')).slice(-6)).toEqual([
      `incidents incident.raised incident-${id}`,
      `account:anna incident.updated incident-${id}`,
      `account:anna incident.updated incident-${id}`,
      `account:anna incident.updated incident-${id}`,
      `account:anna incident.updated incident-${id}`,
      `account:anna incident.closed incident-${id}`,
    ]);
    const verification = await anna.send('GET', '/api/v1/audit/verification');
    expect(verification.body).toEqual({ ok: true, entries: f.audit.count(), head: { seq: f.audit.count(), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
  });

  it('manages accounts: create, change role and disable end the account\'s sessions, enable lets it back in, each audited with the coordinator', async () => {
    const f = await start({ anna: 'coordinator' });
    const anna = await loggedIn(f, 'anna');
    const created = await anna.send('POST', '/api/v1/accounts', { id: 'tom', role: 'technician', password: PASSWORD });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(PASSWORD);
    expect((await anna.send('POST', '/api/v1/accounts', { id: 'tom', role: 'technician', password: PASSWORD })).status).toBe(409);
    expect((await anna.send('POST', '/api/v1/accounts', { id: 'kort', role: 'volunteer', password: 'kort' })).body).toMatchObject({ code: 'HGW_ACCOUNT_WEAK_PASSWORD' });
    expect((await anna.send('POST', '/api/v1/accounts/nobody/disable')).status).toBe(404);

    const tom = await loggedIn(f, 'tom');
    expect((await tom.send('GET', '/api/v1/system/version')).body).toEqual({ firmwareVersion: '0.1.0-test' });
    expect((await tom.send('GET', '/api/v1/audit')).status).toBe(403);
    expect((await tom.send('POST', '/api/v1/requests', { kind: 'access', channel: 'phone', supplied: '0612345678' })).status).toBe(403);
    expect(f.audit.entries().some((entry) => entry.action === 'request.registered')).toBe(false);

    expect((await anna.send('PUT', '/api/v1/accounts/tom/role', { role: 'volunteer' })).body).toMatchObject({ account: { role: 'volunteer' } });
    expect((await tom.send('GET', '/api/v1/session')).status).toBe(401);
    const tomAgain = await loggedIn(f, 'tom');
    expect((await anna.send('POST', '/api/v1/accounts/tom/disable')).status).toBe(200);
    expect((await tomAgain.send('GET', '/api/v1/session')).status).toBe(401);
    expect((await new CoordinatorClient(f.url).login('tom')).status).toBe(403);
    expect((await anna.send('POST', '/api/v1/accounts/tom/enable')).status).toBe(200);
    expect((await new CoordinatorClient(f.url).login('tom')).status).toBe(200);

    const listed = await anna.send<{ accounts: { id: string; role: string }[] }>('GET', '/api/v1/accounts');
    expect(listed.body.accounts.map((account) => [account.id, account.role])).toEqual([
      ['anna', 'coordinator'],
      ['tom', 'volunteer'],
    ]);
    expect(auditTrail(f).filter((line) => line.startsWith('account:anna account.'))).toEqual([
      'account:anna account.created account:tom',
      'account:anna account.role-changed account:tom',
      'account:anna account.disabled account:tom',
      'account:anna account.enabled account:tom',
    ]);
  });

  it('shows retention status read-only to a coordinator', async () => {
    const f = await start({ anna: 'coordinator' });
    f.desk.call('06 12 34 56 78');
    const anna = await loggedIn(f, 'anna');
    const status = await anna.send<{ timeZone: string; status: { dataClass: string; oldestItemAt: number | null; text: string }[] }>('GET', '/api/v1/retention');
    expect(status.body.timeZone).toBe('Europe/Brussels');
    expect(status.body.status.find((line) => line.dataClass === 'phone-number')?.oldestItemAt).toBe(f.desk.clock.now());
    expect(status.text).not.toMatch(/612345678/);
  });
});

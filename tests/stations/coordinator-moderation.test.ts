import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/index.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { presentation } from '../contacts/desk-fixture.js';
import { probeFor, scanBytes } from '../support/identifier-scanner.js';
import { CoordinatorClient, DESK_TOKEN, PASSWORD, startCoordinatorFixture, type CoordinatorFixture } from '../support/coordinator-fixture.js';

const CALLER = '0612345678';
const REASON = 'scheldt vrijwilligers steeds opnieuw uit';
const NUMBER = probeFor({ name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 });

let fixture: CoordinatorFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function start(accounts: Readonly<Record<string, Role>>): Promise<CoordinatorFixture> {
  fixture = await startCoordinatorFixture();
  for (const [id, role] of Object.entries(accounts)) await fixture.accounts.createAccount(id, role, PASSWORD);
  return fixture;
}

async function loggedIn(f: CoordinatorFixture, accountId: string): Promise<CoordinatorClient> {
  const client = new CoordinatorClient(f.url);
  const response = await client.login(accountId);
  if (response.status !== 200) throw new Error(`login of ${accountId} answered ${response.status}`);
  return client;
}

/** A call from the number, given a Time Out from the station page's route, a few minutes apart. */
async function timedOutCall(f: CoordinatorFixture): Promise<ContactReference> {
  f.desk.clock.advance(120_000);
  const view = f.desk.desk.offerCall({ lineCallId: randomUUID(), caller: presentation(CALLER), offeredAt: f.desk.clock.now() });
  const response = await fetch(`${f.url}/api/v1/contacts/${view.reference}/time-out`, { method: 'POST', headers: { authorization: `Bearer ${DESK_TOKEN.token}` } });
  if (response.status !== 200) throw new Error(`time-out answered ${response.status}`);
  return view.reference;
}

const ROUTES = [
  { method: 'GET', path: '/api/v1/moderation' },
  { method: 'POST', path: '/api/v1/moderation/blocks', body: { reference: 'K7Q-3F9', reason: REASON } },
  { method: 'POST', path: '/api/v1/moderation/1/lift', body: { reason: REASON } },
] as const;

describe('moderation on the coordinator API (real core)', () => {
  it('lets only coordinators in, and refuses a state change without the CSRF header', async () => {
    const f = await start({ anna: 'coordinator', vera: 'volunteer', sam: 'supervisor', tom: 'technician' });
    for (const accountId of ['vera', 'sam', 'tom']) {
      const client = await loggedIn(f, accountId);
      for (const route of ROUTES) {
        const response = await client.send(route.method, route.path, 'body' in route ? route.body : undefined);
        expect([accountId, route.path, response.status]).toEqual([accountId, route.path, 403]);
      }
    }
    const anonymous = new CoordinatorClient(f.url);
    expect((await anonymous.send('GET', '/api/v1/moderation')).status).toBe(401);
    const anna = await loggedIn(f, 'anna');
    const withoutCsrf = await anna.send('POST', '/api/v1/moderation/blocks', { reference: 'K7Q-3F9', reason: REASON }, { csrf: false });
    expect(withoutCsrf).toMatchObject({ status: 403, body: { code: 'HGW_STATION_FORBIDDEN' } });
    expect((await anna.send('GET', '/api/v1/moderation')).status).toBe(200);
  });

  it('lists Time Outs, refuses a block before the third, blocks after it, and lifts with a reason; all audited', async () => {
    const f = await start({ anna: 'coordinator' });
    const anna = await loggedIn(f, 'anna');
    const bodies: string[] = [];
    const first = await timedOutCall(f);
    const second = await timedOutCall(f);

    const early = await anna.send('POST', '/api/v1/moderation/blocks', { reference: second.toLowerCase(), reason: REASON });
    bodies.push(early.text);
    expect(early).toMatchObject({ status: 409, body: { code: 'HGW_MODERATION_NOT_ELIGIBLE', reason: 'too-few-time-outs' } });

    const third = await timedOutCall(f);
    const listed = await anna.send<{ timeOutsBeforeBlock: number; callers: { blockable: boolean; latestReference: string; timeOutsInWindow: number; entries: { reference: string; givenBy: string }[] }[] }>(
      'GET',
      '/api/v1/moderation',
    );
    bodies.push(listed.text);
    expect(listed.body.timeOutsBeforeBlock).toBe(3);
    expect(listed.body.callers).toEqual([expect.objectContaining({ blockable: true, timeOutsInWindow: 3, latestReference: third })]);
    expect(listed.body.callers[0]?.entries.map((entry) => [entry.reference, entry.givenBy])).toEqual([
      [third, 'station:desk-1'],
      [second, 'station:desk-1'],
      [first, 'station:desk-1'],
    ]);

    expect(await anna.send('POST', '/api/v1/moderation/blocks', { reference: third, reason: 'te kort' })).toMatchObject({ status: 400, body: { reason: 'no-reason' } });
    expect(await anna.send('POST', '/api/v1/moderation/blocks', { reference: 'nonsense', reason: REASON })).toMatchObject({ status: 400 });
    expect(await anna.send('POST', '/api/v1/moderation/blocks', { reference: 'ZZZ-ZZZ', reason: REASON })).toMatchObject({ status: 404, body: { code: 'HGW_MODERATION_UNKNOWN_CONTACT' } });
    const blocked = await anna.send<{ block: { id: number; until: number; timeOutsInWindow: number } }>('POST', '/api/v1/moderation/blocks', { reference: third, reason: REASON });
    bodies.push(blocked.text);
    expect(blocked).toMatchObject({ status: 201, body: { block: { kind: 'block', reference: third, timeOutsInWindow: 3 } } });

    // The caller's next call is blocked until the block's end.
    f.desk.clock.advance(60_000);
    const next = f.desk.desk.offerCall({ lineCallId: randomUUID(), caller: presentation(CALLER), offeredAt: f.desk.clock.now() });
    expect(next.moderation).toEqual({ kind: 'blocked', until: blocked.body.block.until });

    const lifted = await anna.send('POST', `/api/v1/moderation/${blocked.body.block.id}/lift`, { reason: 'na overleg met het team opgeheven' });
    bodies.push(lifted.text);
    expect(lifted).toMatchObject({ status: 200, body: { entry: { id: blocked.body.block.id, active: false, liftedBy: 'account:anna' } } });
    expect(await anna.send('POST', `/api/v1/moderation/${blocked.body.block.id}/lift`, { reason: 'na overleg met het team opgeheven' })).toMatchObject({ status: 409 });
    expect(await anna.send('POST', '/api/v1/moderation/999/lift', { reason: 'na overleg met het team opgeheven' })).toMatchObject({ status: 404 });

    const trail = f.audit.entries(0, 100).filter((entry) => entry.action.startsWith('moderation.')).map((entry) => `${entry.actorId} ${entry.action} ${entry.target}`);
    expect(trail).toEqual([
      `station:desk-1 moderation.timeout ${first}`,
      `station:desk-1 moderation.timeout ${second}`,
      `station:desk-1 moderation.timeout ${third}`,
      `account:anna moderation.block ${third}`,
      `account:anna moderation.lifted ${third}`,
    ]);
    const sightings = [...bodies, ...f.logLines].flatMap((text, index) => scanBytes(`text ${index}`, Buffer.from(text), [NUMBER]));
    expect(sightings).toEqual([]);
    // Reasons are for the coordinator page only: never in a log line.
    expect(f.logLines.join('\n')).not.toMatch(/scheldt|overleg/);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { CallerRequestView } from '../../src/rights/index.js';
import { CoordinatorClient, PASSWORD, startCoordinatorFixture, type CoordinatorFixture } from '../support/coordinator-fixture.js';

/**
 * Each kind of caller's request end to end through the HTTP API, over the real cores: the desk
 * that took the calls, the keyring, the sweeper, the requests desk and the audit log.
 */

let fixture: CoordinatorFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** The box after `history` (calls, time passing), and a coordinator who logs in then. */
async function coordinatorSession(history: (f: CoordinatorFixture) => unknown = () => undefined): Promise<{ f: CoordinatorFixture; anna: CoordinatorClient }> {
  fixture = await startCoordinatorFixture();
  await history(fixture);
  await fixture.accounts.createAccount('anna', 'coordinator', PASSWORD);
  const anna = new CoordinatorClient(fixture.url);
  if ((await anna.login('anna')).status !== 200) throw new Error('login refused');
  return { f: fixture, anna };
}

type RequestBody = { request: CallerRequestView };

async function registeredAndChecked(anna: CoordinatorClient, kind: 'access' | 'erasure' | 'objection', supplied: string): Promise<string> {
  const registered = await anna.send<RequestBody>('POST', '/api/v1/requests', { kind, channel: 'phone', supplied });
  expect(registered.status).toBe(201);
  expect(registered.text).not.toContain(supplied.replace(/\D/g, '').slice(-8));
  const reference = registered.body.request.reference;
  expect((await anna.send<RequestBody>('POST', `/api/v1/requests/${reference}/confirm-identity`)).body.request.status).toBe('identity-checked');
  return reference;
}

type ExportBody = RequestBody & { files: { fileName: string; content: string }[] };

describe("callers' requests through the HTTP API", () => {
  it('answers access with every contact the number made and the number itself, once, and audits it without the number', async () => {
    const { f, anna } = await coordinatorSession((box) => {
      box.desk.call('0612345678');
      box.desk.clock.advance(3 * 24 * 3_600_000);
      box.desk.call('+31 6 12345678');
      box.desk.call('0687654321');
    });
    const reference = await registeredAndChecked(anna, 'access', '06-12 34 56 78');
    const exported = await anna.send<ExportBody>('POST', `/api/v1/requests/${reference}/access-export`);
    expect(exported.status).toBe(200);
    expect(exported.body.request.answer).toMatchObject({ matchedContacts: 2, nothingLinkableRemains: false });
    const json = JSON.parse(exported.body.files[0]?.content ?? '{}') as { contacts?: unknown[] };
    expect(json.contacts).toHaveLength(2);
    expect(exported.body.files.every((file) => file.content.includes('+31612345678'))).toBe(true);
    expect(exported.body.files.some((file) => file.content.includes('687654321'))).toBe(false);
    expect((await anna.send('POST', `/api/v1/requests/${reference}/access-export`)).status).toBe(409);
    const trail = JSON.stringify(f.audit.entries(0, 1000));
    expect(trail).toMatch(/export\.written/);
    expect(trail).not.toMatch(/612345678/);
  });

  it('erases what the number made and says so; a later access request finds that nothing linkable remains', async () => {
    const { f, anna } = await coordinatorSession();
    f.desk.call('0612345678');
    f.desk.call('0612345678');
    const erasure = await registeredAndChecked(anna, 'erasure', '0612345678');
    const erased = await anna.send<RequestBody>('POST', `/api/v1/requests/${erasure}/erase`);
    expect(erased.body.request).toMatchObject({ status: 'answered', answer: { erasedContacts: 2 } });
    expect(f.desk.contacts.count()).toBe(0);

    const access = await registeredAndChecked(anna, 'access', '0612345678');
    const exported = await anna.send<ExportBody>('POST', `/api/v1/requests/${access}/access-export`);
    expect(exported.body.request.answer).toMatchObject({ matchedContacts: 0, nothingLinkableRemains: true });
    expect(exported.body.files[0]?.content).not.toContain('+31612345678');
  });

  it('records an objection: the next call from the number still rings but is neither linked nor sealed', async () => {
    const { f, anna } = await coordinatorSession();
    f.desk.call('0612345678');
    f.desk.call('0612345678');
    const objection = await registeredAndChecked(anna, 'objection', '0612345678');
    expect((await anna.send<RequestBody>('POST', `/api/v1/requests/${objection}/object`)).body.request.status).toBe('answered');
    const next = f.desk.call('0612345678');
    expect(next.priorContacts).toBe(0);
    const stored = f.desk.contacts.findByReference(next.reference);
    expect(stored).toMatchObject({ pseudonym: null, sealedIdentifier: null });
    expect(f.desk.call('0687654321').priorContacts).toBe(0);
    expect(f.desk.call('0687654321').priorContacts).toBe(1);
  });

  it('extends a request once, only with a notice and a reason, to three months after receipt', async () => {
    const { anna } = await coordinatorSession();
    const registered = await anna.send<RequestBody>('POST', '/api/v1/requests', { kind: 'access', channel: 'phone', supplied: '0612345678' });
    const { reference, dueAt, receivedAt } = registered.body.request;
    const path = `/api/v1/requests/${reference}/extend`;
    expect((await anna.send<{ code: string }>('POST', path, { reason: 'te kort', noticeSentAt: receivedAt })).body.code).toBe('HGW_RIGHTS_EXTENSION_REFUSED');
    const extended = await anna.send<RequestBody>('POST', path, { reason: 'many requests arrived at once this month', noticeSentAt: receivedAt });
    expect(extended.status, extended.text).toBe(200);
    expect(extended.body.request.status).toBe('extended');
    expect(extended.body.request.dueAt).toBeGreaterThan(dueAt + 55 * 24 * 3_600_000);
    expect((await anna.send('POST', path, { reason: 'and once more for good measure, please', noticeSentAt: receivedAt })).status).toBe(409);
  });

  it('answers truthfully that nothing linkable remains once the months of the calls were shredded', async () => {
    const { anna } = await coordinatorSession(async (box) => {
      box.desk.call('0612345678');
      box.desk.clock.set(new Date('2026-08-03T10:00:00Z'));
      await box.desk.sweeper.sweep();
    });
    const reference = await registeredAndChecked(anna, 'access', '0612345678');
    const exported = await anna.send<ExportBody>('POST', `/api/v1/requests/${reference}/access-export`);
    expect(exported.body.request.answer).toMatchObject({ matchedContacts: 0, nothingLinkableRemains: true });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/accounts/index.js';
import { AuditLog } from '../../src/audit/index.js';
import type { ContactReference } from '../../src/contacts/contact-view.js';
import { IncidentRegister, type RaiseIncident } from '../../src/incidents/index.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { normalizeIpAddress } from '../../src/privacy/normalize.js';
import { canonicalText } from '../../src/privacy/raw-identifier.js';
import { BreakGlassDisclosure, type DisclosureActor } from '../../src/rights/index.js';
import { DisclosuresRepository } from '../../src/store/disclosures-repository.js';
import { IncidentsRepository } from '../../src/store/incidents-repository.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { deskFixture, shreddedMonths, type DeskFixture } from '../contacts/desk-fixture.js';
import { emailAddressProbe, probeFor, scanBytes, scanDirectory, type KnownNumber } from '../support/identifier-scanner.js';
import { insertedContact } from '../support/inserted-contact.js';
import { mailSender } from './mail-sender-fixture.js';

const HOUR = 60 * 60 * 1000;
const MOBILE: KnownNumber = { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 };
const MOBILE_AS_DIALLED = '06 12 34 56 78';
const REASON = 'The caller described a concrete plan to hurt a younger sibling tonight.';
const anna: DisclosureActor = { accountId: 'anna', role: 'coordinator' };
const bram: DisclosureActor = { accountId: 'bram', role: 'coordinator' };

interface BreakGlassFixture extends DeskFixture {
  readonly audit: AuditLog;
  readonly register: IncidentRegister;
  readonly breakGlass: BreakGlassDisclosure;
  readonly disclosures: DisclosuresRepository;
  readonly logLines: string[];
}

let fixture: BreakGlassFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

function setUp(start = new Date('2026-01-15T10:00:00Z'), register?: (desk: DeskFixture) => IncidentRegister): BreakGlassFixture {
  const desk = deskFixture(start);
  const audit = new AuditLog({ database: desk.database, clock: desk.clock });
  const incidents = register?.(desk) ?? new IncidentRegister({ incidents: new IncidentsRepository(desk.database), clock: desk.clock, logger: silentLogger() });
  const logLines: string[] = [];
  const breakGlass = new BreakGlassDisclosure({
    database: desk.database,
    contacts: desk.contacts,
    vault: desk.vault,
    audit,
    incidents,
    clock: desk.clock,
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logLines.push(line) } }),
  });
  fixture = { ...desk, audit, register: incidents, breakGlass, disclosures: new DisclosuresRepository(desk.database), logLines };
  return fixture;
}

function requestedId(result: ReturnType<BreakGlassDisclosure['request']>): number {
  if (!result.ok) throw new Error(`request refused: ${result.reason}`);
  return result.requestId;
}

function auditTrail(f: BreakGlassFixture): Array<{ action: string; target: string | null; details: Record<string, unknown> }> {
  return f.audit.entries(0, 1000).map((entry) => ({ action: entry.action, target: entry.target, details: { ...entry.details } }));
}

describe('break-glass disclosure with two coordinators', () => {
  it('unseals the caller number as its E.164 text once a second coordinator approves, and raises a high incident', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.disclosures.findById(requestId)).toMatchObject({ state: 'pending', requestedBy: 'anna', reason: REASON });

    f.clock.advance(2 * HOUR);
    const approved = f.breakGlass.approve(bram, requestId);
    if (!approved.ok) throw new Error(`approval refused: ${approved.reason}`);
    expect(approved.identifier.kind).toBe('phone');
    expect(canonicalText(approved.identifier)).toBe(MOBILE.e164);
    expect(approved.reference).toBe(reference);
    expect(JSON.stringify(approved)).not.toMatch(/612345678/);
    expect(f.disclosures.findById(requestId)).toMatchObject({ state: 'approved', approvedBy: 'bram', approvedAt: f.clock.now() });

    expect(auditTrail(f)).toEqual([
      { action: 'disclosure.requested', target: reference, details: { requestId, reasonLength: REASON.length } },
      { action: 'disclosure.approved', target: reference, details: { requestId, incidentId: approved.incidentId } },
      { action: 'disclosure.unsealed', target: reference, details: { requestId, dataClass: 'phone-number' } },
    ]);
    expect(f.audit.entries().map((entry) => entry.actorId)).toEqual(['account:anna', 'account:bram', 'account:bram']);
    expect(f.audit.verify()).toMatchObject({ ok: true, entries: 3 });

    expect(f.register.open()).toEqual([
      expect.objectContaining({
        id: approved.incidentId,
        kind: 'break-glass-disclosure',
        severity: 'high',
        summary: `break-glass disclosure of contact ${reference} approved by two coordinators`,
      }),
    ]);
  });

  it('leaves no rendering of the number in the audit log, the incident, the logs or any file on disk', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.breakGlass.approve(bram, requestId).ok).toBe(true);
    f.database.checkpoint();

    const probes = [probeFor(MOBILE)];
    const audited = Buffer.from(JSON.stringify(f.audit.entries(0, 1000)), 'utf8');
    expect(scanBytes('audit entries', audited, probes)).toEqual([]);
    expect(audited.toString('utf8')).not.toMatch(/\d{6}/);
    expect(scanBytes('incidents', Buffer.from(JSON.stringify(f.register.open()), 'utf8'), probes)).toEqual([]);
    expect(f.logLines.length).toBeGreaterThan(0);
    expect(scanBytes('log', Buffer.from(f.logLines.join(''), 'utf8'), probes)).toEqual([]);
    expect(scanDirectory(f.root, probes).sightings).toEqual([]);
  });

  it('unseals a chat contact as an IP address under the chat-ip vault key', () => {
    const f = setUp();
    const ip = normalizeIpAddress('192.0.2.7');
    if (!ip) throw new Error('expected a valid IP address');
    const epoch = asMonthEpoch('2026-01');
    const reference = 'C4T-2P7' as ContactReference;
    insertedContact(f.contacts, {
      reference,
      channel: 'chat',
      presentation: 'number',
      linkEpoch: null,
      pseudonym: null,
      sealedEpoch: epoch,
      sealedIdentifier: f.vault.seal(ip, 'chat-ip', epoch),
      openedAt: f.clock.now(),
      state: 'ended',
    });
    const approved = f.breakGlass.approve(bram, requestedId(f.breakGlass.request(anna, reference, REASON)));
    if (!approved.ok) throw new Error(`approval refused: ${approved.reason}`);
    expect(approved.identifier.kind).toBe('ip');
    expect(canonicalText(approved.identifier)).toBe('192.0.2.7');
    expect(auditTrail(f).at(-1)?.details).toMatchObject({ dataClass: 'chat-ip' });
  });

  it('unseals a mail sender\u2019s address under the mail-address vault key, once, for the approving coordinator only', async () => {
    const f = setUp();
    const SENDER = 'Lotte.Bakker+hulp@Example.org';
    const reference = await mailSender(f).receive(SENDER, 'Mijn broertje', 'Mijn vader heeft gezegd dat hij mijn broertje vannacht iets aandoet.');
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.disclosures.findById(requestId)).toMatchObject({ state: 'pending', requestedBy: 'anna', reason: REASON });
    // The requesting coordinator is shown nothing, and cannot approve their own request.
    expect(f.breakGlass.approve(anna, requestId)).toEqual({ ok: false, reason: 'same-coordinator' });

    f.clock.advance(HOUR);
    const approved = f.breakGlass.approve(bram, requestId);
    if (!approved.ok) throw new Error(`approval refused: ${approved.reason}`);
    expect(approved.identifier.kind).toBe('email');
    expect(canonicalText(approved.identifier)).toBe('lotte.bakker+hulp@example.org');
    expect(approved.reference).toBe(reference);
    // Shown once: the request is decided, a second approval (by anyone) reveals nothing.
    expect(f.breakGlass.approve(bram, requestId)).toEqual({ ok: false, reason: 'not-pending' });
    expect(f.breakGlass.approve({ accountId: 'chris', role: 'coordinator' }, requestId)).toEqual({ ok: false, reason: 'not-pending' });

    expect(auditTrail(f)).toEqual([
      { action: 'disclosure.requested', target: reference, details: { requestId, reasonLength: REASON.length } },
      { action: 'request.refused', target: reference, details: { subject: 'disclosure', attempt: 'approve', refusal: 'same-coordinator', requestId } },
      { action: 'disclosure.approved', target: reference, details: { requestId, incidentId: approved.incidentId } },
      { action: 'disclosure.unsealed', target: reference, details: { requestId, dataClass: 'mail-address' } },
      { action: 'request.refused', target: reference, details: { subject: 'disclosure', attempt: 'approve', refusal: 'not-pending', requestId } },
      { action: 'request.refused', target: reference, details: { subject: 'disclosure', attempt: 'approve', refusal: 'not-pending', requestId } },
    ]);
    expect(f.audit.verify()).toMatchObject({ ok: true, entries: 6 });
    expect(f.register.open()).toEqual([
      expect.objectContaining({ id: approved.incidentId, kind: 'break-glass-disclosure', severity: 'high', summary: `break-glass disclosure of contact ${reference} approved by two coordinators` }),
    ]);

    f.database.checkpoint();
    const probes = [emailAddressProbe('sender', SENDER)];
    expect(scanBytes('audit entries', Buffer.from(JSON.stringify(f.audit.entries(0, 1000))), probes)).toEqual([]);
    expect(scanBytes('incidents', Buffer.from(JSON.stringify(f.register.open())), probes)).toEqual([]);
    expect(f.logLines.length).toBeGreaterThan(0);
    expect(scanBytes('log', Buffer.from(f.logLines.join('')), probes)).toEqual([]);
    expect(scanDirectory(f.root, probes).sightings).toEqual([]);
  });
});

describe('break-glass refusals', () => {
  it('refuses a coordinator approving their own request, keeps it pending and audits the attempt', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.breakGlass.approve(anna, requestId)).toEqual({ ok: false, reason: 'same-coordinator' });
    // The same account typed another way is still the same coordinator.
    expect(f.breakGlass.approve({ accountId: ' ANNA ', role: 'coordinator' }, requestId)).toEqual({ ok: false, reason: 'same-coordinator' });
    expect(f.disclosures.findById(requestId)?.state).toBe('pending');
    expect(f.register.open()).toEqual([]);
    expect(auditTrail(f).slice(1)).toEqual([
      { action: 'request.refused', target: reference, details: { subject: 'disclosure', attempt: 'approve', refusal: 'same-coordinator', requestId } },
      { action: 'request.refused', target: reference, details: { subject: 'disclosure', attempt: 'approve', refusal: 'same-coordinator', requestId } },
    ]);
    expect(auditTrail(f).map((entry) => entry.action)).not.toContain('disclosure.unsealed');
    expect(f.breakGlass.approve(bram, requestId).ok).toBe(true);
  });

  it('is refused by the table itself when the approver is the requester', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(() => f.disclosures.markApproved(requestId, 'anna', f.clock.now())).toThrow(/CHECK constraint/);
    expect(f.disclosures.markRefused(requestId, 'anna', f.clock.now())).toBe(true);
    expect(f.disclosures.markApproved(requestId, 'bram', f.clock.now())).toBe(false);
  });

  it.each<Role>(['volunteer', 'supervisor', 'technician'])('refuses a %s asking for or approving a disclosure', (role) => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const other: DisclosureActor = { accountId: 'sam', role };
    expect(f.breakGlass.request(other, reference, REASON)).toEqual({ ok: false, reason: 'not-coordinator' });
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.breakGlass.approve(other, requestId)).toEqual({ ok: false, reason: 'not-coordinator' });
    expect(f.breakGlass.refuse(other, requestId)).toEqual({ ok: false, reason: 'not-coordinator' });
    expect(f.breakGlass.pending(other)).toEqual({ ok: false, reason: 'not-coordinator' });
    expect(f.disclosures.findById(requestId)?.state).toBe('pending');
    expect(f.audit.entries().filter((entry) => entry.actorRole === role)).toHaveLength(3);
    expect(f.audit.entries().map((entry) => entry.action)).not.toContain('disclosure.unsealed');
  });

  it.each([
    ['no reason', ''],
    ['only spaces', '        '],
    ['a reason of 29 characters once trimmed', `   ${'x'.repeat(29)}   `],
  ])('refuses a request with %s', (_, reason) => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    expect(f.breakGlass.request(anna, reference, reason)).toEqual({ ok: false, reason: 'no-reason' });
    expect(f.disclosures.count()).toBe(0);
    expect(auditTrail(f)).toEqual([{ action: 'request.refused', target: reference, details: { subject: 'disclosure', attempt: 'request', refusal: 'no-reason' } }]);
  });

  it('accepts a reason of exactly 30 characters', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    expect(f.breakGlass.request(anna, reference, ` ${'x'.repeat(30)} `).ok).toBe(true);
  });

  it.each([
    ['a phone number', `${REASON} Caller said to ring back on ${MOBILE_AS_DIALLED}.`],
    ['an international number', `${REASON} Number given: +31 6 1234 5678.`],
    ['an e-mail address', `${REASON} Contact: sibling@example.org.`],
    ['an IP address', `${REASON} The chat came from 192.0.2.7.`],
  ])('refuses a reason holding %s and stores none of it', (_, reason) => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    expect(f.breakGlass.request(anna, reference, reason)).toEqual({ ok: false, reason: 'reason-holds-identifier' });
    expect(f.disclosures.count()).toBe(0);
    expect(auditTrail(f)[0]?.details).toMatchObject({ refusal: 'reason-holds-identifier' });
    expect(JSON.stringify(auditTrail(f))).not.toMatch(/1234|example|192/);
  });

  it('refuses an unknown contact, and audits a reference typed as garbage without its text', () => {
    const f = setUp();
    expect(f.breakGlass.request(anna, 'ZZZ-ZZZ' as ContactReference, REASON)).toEqual({ ok: false, reason: 'unknown-contact' });
    expect(f.breakGlass.request(anna, '0612345678' as ContactReference, REASON)).toEqual({ ok: false, reason: 'unknown-contact' });
    expect(auditTrail(f).map((entry) => entry.target)).toEqual(['ZZZ-ZZZ', null]);
    expect(f.audit.verify().ok).toBe(true);
  });

  it('refuses a withheld caller: nothing was sealed, so there is nothing inside the retention window', () => {
    const f = setUp();
    const { reference, callerKnown } = f.call('P');
    expect(callerKnown).toBe(false);
    expect(f.breakGlass.request(anna, reference, REASON)).toEqual({ ok: false, reason: 'outside-retention' });
    expect(f.disclosures.count()).toBe(0);
  });

  it('allows a request a day before the six-month deadline and refuses it a day after, once the sweeper shredded the month', async () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    // January's sealed numbers go at 1 July 00:00 in Amsterdam.
    f.clock.set(new Date('2026-06-29T22:00:00Z'));
    expect(shreddedMonths(await f.sweeper.sweep(), 'phone-number')).toEqual([]);
    const before = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.breakGlass.refuse(anna, before);

    f.clock.set(new Date('2026-07-01T22:00:00Z'));
    expect(shreddedMonths(await f.sweeper.sweep(), 'phone-number')).toEqual(['2026-01']);
    expect(f.breakGlass.request(anna, reference, REASON)).toEqual({ ok: false, reason: 'outside-retention' });
    expect(f.disclosures.count()).toBe(1);
  });

  it('refuses the approval when the sweeper shredded the month between request and approval', async () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    f.clock.set(new Date('2026-06-30T21:30:00Z'));
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.clock.set(new Date('2026-07-01T09:00:00Z'));
    expect(shreddedMonths(await f.sweeper.sweep(), 'phone-number')).toEqual(['2026-01']);
    expect(f.breakGlass.approve(bram, requestId)).toEqual({ ok: false, reason: 'outside-retention' });
    expect(f.disclosures.findById(requestId)?.state).toBe('pending');
    expect(f.register.open()).toEqual([]);
  });

  it('refuses the approval when the month key is gone though the row still holds its sealed copy', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.keyring.shredVaultKey('phone-number', asMonthEpoch('2026-01'));
    expect(f.contacts.findByReference(reference)?.sealedIdentifier).not.toBeNull();
    expect(f.breakGlass.approve(bram, requestId)).toEqual({ ok: false, reason: 'outside-retention' });
    expect(auditTrail(f).at(-1)?.details).toMatchObject({ attempt: 'approve', refusal: 'outside-retention' });
  });

  it('approves a request 24 hours old and refuses one a millisecond older as expired', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const first = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.clock.advance(1);
    const second = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.clock.advance(24 * HOUR);
    expect(f.breakGlass.pending(bram)).toMatchObject({ ok: true, requests: [{ requestId: second }] });
    expect(f.breakGlass.approve(bram, first)).toEqual({ ok: false, reason: 'expired' });
    expect(f.breakGlass.approve(bram, second).ok).toBe(true);
  });

  it('honours a shorter request lifetime', () => {
    const desk = setUp();
    const breakGlass = new BreakGlassDisclosure({ ...desk, incidents: desk.register, logger: silentLogger(), requestTtlMs: HOUR });
    const { reference } = desk.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(breakGlass.request(anna, reference, REASON));
    desk.clock.advance(HOUR + 1);
    expect(breakGlass.approve(bram, requestId)).toEqual({ ok: false, reason: 'expired' });
    expect(() => new BreakGlassDisclosure({ ...desk, incidents: desk.register, logger: silentLogger(), requestTtlMs: 0 })).toThrow(TypeError);
  });

  it('decides a request once: a second approval, an approval after a refusal and an unknown id are not pending', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const approvedOnce = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.breakGlass.approve(bram, approvedOnce).ok).toBe(true);
    expect(f.breakGlass.approve({ accountId: 'carla', role: 'coordinator' }, approvedOnce)).toEqual({ ok: false, reason: 'not-pending' });
    expect(f.breakGlass.refuse(bram, approvedOnce)).toEqual({ ok: false, reason: 'not-pending' });

    const withdrawn = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.breakGlass.refuse(anna, withdrawn)).toEqual({ ok: true });
    expect(f.breakGlass.approve(bram, withdrawn)).toEqual({ ok: false, reason: 'not-pending' });
    expect(f.disclosures.findById(withdrawn)).toMatchObject({ state: 'refused', refusedBy: 'anna' });

    expect(f.breakGlass.approve(bram, 999)).toEqual({ ok: false, reason: 'not-pending' });
    expect(f.breakGlass.approve(bram, Number.NaN)).toEqual({ ok: false, reason: 'not-pending' });
    expect(auditTrail(f).filter((entry) => entry.action === 'disclosure.unsealed')).toHaveLength(1);
    expect(auditTrail(f).find((entry) => entry.details['decision'] === 'refused')).toEqual({
      action: 'request.refused',
      target: reference,
      details: { subject: 'disclosure', decision: 'refused', requestId: withdrawn },
    });
    expect(auditTrail(f).at(-2)?.target).toBe('disclosure-999');
    expect(f.audit.verify().ok).toBe(true);
  });

  it('lists pending requests with their reason for coordinators, without expired or decided ones', () => {
    const f = setUp();
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const old = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.clock.advance(23 * HOUR);
    const decided = requestedId(f.breakGlass.request(anna, reference, REASON));
    f.breakGlass.refuse(bram, decided);
    const fresh = requestedId(f.breakGlass.request(anna, reference, REASON));
    expect(f.breakGlass.pending(bram)).toEqual({
      ok: true,
      requests: [
        { requestId: old, reference, requestedBy: 'anna', reason: REASON, requestedAt: f.clock.now() - 23 * HOUR, expiresAt: f.clock.now() + HOUR },
        { requestId: fresh, reference, requestedBy: 'anna', reason: REASON, requestedAt: f.clock.now(), expiresAt: f.clock.now() + 24 * HOUR },
      ],
    });
    f.clock.advance(HOUR + 1);
    expect(f.breakGlass.pending(bram)).toMatchObject({ ok: true, requests: [{ requestId: fresh }] });
  });
});

describe('one transaction per call', () => {
  it('leaves the request pending and writes no audit entry when raising the incident fails', () => {
    class FailingRegister extends IncidentRegister {
      override raise(_incident: RaiseIncident): never {
        throw new Error('incident register unavailable');
      }
    }
    const f = setUp(undefined, (desk) => new FailingRegister({ incidents: new IncidentsRepository(desk.database), clock: desk.clock, logger: silentLogger() }));
    const { reference } = f.call(MOBILE_AS_DIALLED);
    const requestId = requestedId(f.breakGlass.request(anna, reference, REASON));
    const entriesBefore = f.audit.count();
    expect(() => f.breakGlass.approve(bram, requestId)).toThrow('incident register unavailable');
    expect(f.disclosures.findById(requestId)?.state).toBe('pending');
    expect(f.audit.count()).toBe(entriesBefore);
    expect(f.audit.verify().ok).toBe(true);
  });
});

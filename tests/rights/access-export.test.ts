import { afterEach, describe, expect, it } from 'vitest';
import { shreddedMonths } from '../contacts/desk-fixture.js';
import { escapeHtml } from '../../src/rights/access-page.js';
import { probeFor, scanBytes, type KnownNumber } from '../support/identifier-scanner.js';
import { coordinator, requestsFixture, valueOf, type RequestsFixture } from './requests-fixture.js';

const MOBILE: KnownNumber = { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 };

let fixture: RequestsFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});


function answeredAccess(f: RequestsFixture, supplied: string, channel: 'phone' | 'chat' = 'phone') {
  const request = valueOf(f.rights.register(coordinator, { kind: 'access', channel, supplied }));
  valueOf(f.rights.confirmIdentity(coordinator, request.reference));
  return valueOf(f.rights.exportAccess(coordinator, request.reference));
}

describe('the access export and retention', () => {
  it('holds the number while its month is within retention, and answers that nothing linkable remains once it was shredded', async () => {
    const f = (fixture = requestsFixture(new Date('2026-01-15T10:00:00Z')));
    const contact = f.call('0612345678');
    const probes = [probeFor(MOBILE)];

    // 20 June: January is still inside the 6-month window.
    f.clock.set(new Date('2026-06-20T10:00:00Z'));
    const within = answeredAccess(f, '0612345678');
    expect(JSON.parse(within.json).contacts).toEqual([expect.objectContaining({ reference: contact.reference, identifier: '+31612345678' })]);
    expect(scanBytes('json', Buffer.from(within.json), probes).length).toBeGreaterThan(0);

    // A request registered in June and answered after January was shredded finds nothing any more.
    const pending = valueOf(f.rights.register(coordinator, { kind: 'access', channel: 'phone', supplied: '06 1234 5678' }));
    valueOf(f.rights.confirmIdentity(coordinator, pending.reference));
    f.clock.set(new Date('2026-07-02T10:00:00Z'));
    expect(shreddedMonths(await f.sweeper.sweep(), 'link')).toEqual(['2026-01']);
    const after = valueOf(f.rights.exportAccess(coordinator, pending.reference));
    const document = JSON.parse(after.json);
    expect(document).toMatchObject({ nothingLinkableRemains: true, contacts: [] });
    expect(document.finding.en).toMatch(/^Nothing we hold can still be connected/);
    expect(after.view.answer).toMatchObject({ matchedContacts: 0, nothingLinkableRemains: true });
    expect(after.html).toContain('Nothing we hold can still be connected');
    expect(scanBytes('json', Buffer.from(after.json), probes)).toEqual([]);
    expect(scanBytes('html', Buffer.from(after.html), probes)).toEqual([]);
    // The contact row itself is still there, unlinked: time and registration only.
    expect(f.contacts.findByReference(contact.reference)).toMatchObject({ pseudonym: null, sealedIdentifier: null });
  });

  it('answers a request registered after the months were shredded: nothing linkable, for access and for erasure', async () => {
    const f = (fixture = requestsFixture(new Date('2026-01-15T10:00:00Z')));
    f.call('0612345678');
    f.clock.set(new Date('2026-08-03T10:00:00Z'));
    await f.sweeper.sweep();
    const exported = answeredAccess(f, '0612345678');
    expect(JSON.parse(exported.json)).toMatchObject({ nothingLinkableRemains: true, contacts: [] });

    const erasure = valueOf(f.rights.register(coordinator, { kind: 'erasure', channel: 'phone', supplied: '0612345678' }));
    valueOf(f.rights.confirmIdentity(coordinator, erasure.reference));
    const answered = valueOf(f.rights.erase(coordinator, erasure.reference));
    expect(answered.answer).toMatchObject({ erasedContacts: 0, nothingLinkableRemains: true, summary: expect.stringMatching(/nothing linkable remains/) });
    expect(f.contacts.count()).toBe(1);
  });

  it('shows a phone contact found by its kept reference after its number was shredded, without the number', async () => {
    const f = (fixture = requestsFixture(new Date('2026-01-15T10:00:00Z')));
    const contact = f.call('0612345678');
    f.clock.set(new Date('2026-08-03T10:00:00Z'));
    await f.sweeper.sweep();
    const document = JSON.parse(answeredAccess(f, contact.reference).json);
    expect(document.nothingLinkableRemains).toBe(false);
    expect(document.contacts).toEqual([expect.objectContaining({ reference: contact.reference, identifier: null, identifierState: 'past-retention' })]);
  });
});

describe('the access export documents', () => {
  it('lists transcript lines as kept, redacted or past retention, with times in the site zone', () => {
    const f = (fixture = requestsFixture(new Date('2026-07-15T10:00:00Z')));
    const contactId = f.chatContact('K7Q-3F9', '192.0.2.7');
    f.transcriptLine(contactId, 'caller', 'ik zit op school in de klas');
    const redacted = f.transcriptLine(contactId, 'volunteer', 'removed text');
    f.database.run('UPDATE transcript_lines SET sealed_text = NULL, redacted_at = ? WHERE id = ?', [f.clock.now(), redacted]);
    // A line sealed under a month whose chat-transcript key does not exist opens no more.
    f.database.run(
      "INSERT INTO transcript_lines (contact_id, author, written_at, sealed_epoch, sealed_text) SELECT contact_id, 'caller', written_at, '2025-01', sealed_text FROM transcript_lines WHERE id = 1",
    );
    const document = JSON.parse(answeredAccess(f, 'k7q-3f9', 'chat').json);
    expect(document.contacts[0].openedAt).toBe('2026-07-15T12:00:00+02:00');
    expect(document.contacts[0].transcript).toEqual([
      { author: 'caller', writtenAt: '2026-07-15T12:00:00+02:00', state: 'kept', text: 'ik zit op school in de klas' },
      { author: 'volunteer', writtenAt: '2026-07-15T12:00:00+02:00', state: 'redacted', text: null },
      { author: 'caller', writtenAt: '2026-07-15T12:00:00+02:00', state: 'past-retention', text: null },
    ]);
    expect(document.retention.map((entry: { period: { en: string } }) => entry.period.en).slice(0, 3)).toEqual(['6 months', '6 months', '3 months']);
  });

  it('escapes everything on the printable page and loads nothing from anywhere', () => {
    const f = (fixture = requestsFixture(new Date('2026-03-10T10:00:00Z')));
    const contactId = f.chatContact('K7Q-3F9', '192.0.2.7');
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & \'quoted\'';
    f.transcriptLine(contactId, 'caller', hostile);
    const exported = answeredAccess(f, 'K7Q-3F9', 'chat');
    expect(exported.html).toContain(escapeHtml(hostile));
    expect(exported.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quoted&#39;');
    expect(exported.html).not.toMatch(/<script|<img|<link|<iframe|\bsrc=["']?http|href=/i);
    expect(exported.html).toContain("default-src 'none'");
    expect(exported.html).toMatch(/^<!DOCTYPE html>/);
    expect(exported.html).toContain('Inzage in je gegevens');
    expect(JSON.parse(exported.json).contacts[0].transcript[0].text).toBe(hostile);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { emailAddressProbe, probeFor, scanDirectory, type Needle, type NumberProbe, type KnownNumber } from '../support/identifier-scanner.js';
import { mailSender } from './mail-sender-fixture.js';
import { MailMessagesRepository } from '../../src/store/mail-messages-repository.js';
import { coordinator, requestsFixture, valueOf, type RequestsFixture } from './requests-fixture.js';

const CALLER: KnownNumber = { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 };

let fixture: RequestsFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

/**
 * The number was never stored as text, so the renderings alone would pass even before the erasure.
 * What was stored is its sealed copy, its pseudonyms (in the contacts and in the request) and the
 * sealed transcript: those bytes are the probe that must be there before and gone after.
 */
function storedBytesProbe(f: RequestsFixture, references: readonly string[]): NumberProbe {
  const needles: Needle[] = [];
  for (const reference of references) {
    const row = f.contacts.findByReference(reference as never);
    if (!row?.sealedIdentifier || !row.pseudonym) throw new Error('expected a sealed, linked contact');
    needles.push({ label: `${reference} sealed copy`, bytes: Buffer.from(row.sealedIdentifier) }, { label: `${reference} pseudonym`, bytes: Buffer.from(row.pseudonym) });
    for (const line of f.transcripts.linesOf(row.id)) if (line.sealedText) needles.push({ label: `${reference} transcript`, bytes: Buffer.from(line.sealedText) });
    for (const mail of new MailMessagesRepository(f.database).messagesOf(row.id)) needles.push({ label: `${reference} mail ${mail.id}`, bytes: Buffer.from(mail.sealedMessage) });
  }
  return { name: 'stored bytes of the caller', needles, spreadDigits: /(?!)/g };
}

describe('an answered erasure request', () => {
  it('leaves no rendering of the number, no sealed copy, no pseudonym and no transcript byte in any file of the data directory', () => {
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    const first = f.call('06 12 34 56 78');
    f.wrappedUp(first.reference);
    f.clock.set(new Date('2026-03-03T10:00:00Z'));
    const second = f.call('+31 6 12345678');
    const secondId = f.contacts.findByReference(second.reference)?.id ?? 0;
    f.transcriptLine(secondId, 'caller', 'mijn naam is Sanne en ik woon in Zwolle');
    const request = valueOf(f.rights.register(coordinator, { kind: 'erasure', channel: 'phone', supplied: '0031612345678' }));
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    f.database.checkpoint();

    const stored = storedBytesProbe(f, [first.reference, second.reference]);
    const before = scanDirectory(f.root, [stored]);
    expect(before.files).toEqual(expect.arrayContaining(['gateway.db']));
    // Each sealed copy, pseudonym and transcript line is on disk before the erasure: the scan can fail.
    expect(new Set(before.sightings.map((sighting) => sighting.rendering)).size).toBe(stored.needles.length);

    valueOf(f.rights.erase(coordinator, request.reference));

    const after = scanDirectory(f.root, [stored, probeFor(CALLER)]);
    expect(after.bytesScanned).toBeGreaterThan(0);
    expect(after.sightings).toEqual([]);
    expect(f.requests.linkedPseudonymCount()).toBe(0);
  });
});

/** Texts as UTF-8 and UTF-16LE bytes: a mail's subject and body were only ever stored sealed. */
function textProbe(name: string, texts: readonly string[]): NumberProbe {
  const needles = texts.flatMap((text) => [
    { label: `${text} as UTF-8`, bytes: Buffer.from(text, 'utf8') },
    { label: `${text} as UTF-16LE`, bytes: Buffer.from(text, 'utf16le') },
  ]);
  return { name, needles, spreadDigits: /(?!)/g };
}

describe('an answered erasure request for a mail address', () => {
  it('leaves no mail, answer, subject, sealed copy, pseudonym or rendering of the address in the database or its -wal', async () => {
    const SENDER = 'Noor.Jansen+hulp@Example.org';
    const SUBJECT = 'Niemand mag dit weten';
    const BODY = 'Ik zit op het Vechtdal College en word elke pauze uitgescholden.';
    const ANSWER = 'Wat naar dat je dit elke dag meemaakt. Wil je meer vertellen?';
    const f = (fixture = requestsFixture(new Date('2026-02-10T10:00:00Z')));
    const sender = mailSender(f);
    const first = await sender.receive(SENDER, SUBJECT, BODY);
    await sender.answered(first, ANSWER);
    f.clock.set(new Date('2026-03-03T10:00:00Z'));
    const second = await sender.receive(SENDER.toLowerCase(), 'Nog een vraag', 'Mag ik anoniem blijven?');
    const other = await sender.receive('iemand.anders@example.org', 'Vraag', 'Dit blijft staan.');
    const request = valueOf(f.rights.register(coordinator, { kind: 'erasure', channel: 'mail', supplied: 'noor.jansen+hulp@example.org' }));
    valueOf(f.rights.confirmIdentity(coordinator, request.reference));
    f.database.checkpoint();

    const stored = storedBytesProbe(f, [first, second]);
    expect(stored.needles.filter((needle) => / mail /.test(needle.label))).toHaveLength(3);
    const before = scanDirectory(f.root, [stored]);
    expect(before.files).toEqual(expect.arrayContaining(['gateway.db']));
    // Every sealed copy, pseudonym and sealed mail is on disk before the erasure: the scan can fail.
    expect(new Set(before.sightings.map((sighting) => sighting.rendering)).size).toBe(stored.needles.length);

    const answered = valueOf(f.rights.erase(coordinator, request.reference));
    expect(answered.answer).toMatchObject({ erasedContacts: 2, mails: 3, summary: expect.stringMatching(/2 contact\(s\) and 0 transcript line\(s\) erased, with 3 mail\(s\)/) });

    const probes = [stored, emailAddressProbe('sender', SENDER), textProbe('mail texts', [SUBJECT, BODY, ANSWER, 'Mag ik anoniem blijven?'])];
    const after = scanDirectory(f.root, probes);
    expect(after.files).toEqual(expect.arrayContaining(['gateway.db', 'gateway.db-wal']));
    expect(after.bytesScanned).toBeGreaterThan(0);
    expect(after.sightings).toEqual([]);
    expect(f.database.get<{ n: number }>('SELECT count(*) AS n FROM mail_messages')?.n).toBe(1);
    expect(f.contacts.findByReference(other)).toBeDefined();
    expect(f.requests.linkedPseudonymCount()).toBe(0);
  });
});

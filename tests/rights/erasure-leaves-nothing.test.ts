import { afterEach, describe, expect, it } from 'vitest';
import { probeFor, scanDirectory, type Needle, type NumberProbe, type KnownNumber } from '../support/identifier-scanner.js';
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

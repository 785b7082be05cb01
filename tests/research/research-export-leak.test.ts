import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildResearchDataSet, cryptoRandom, type SourceRegistration } from '../../src/research/index.js';
import { categories, deskFixture, presentation, type DeskFixture } from '../contacts/desk-fixture.js';
import { probeFor, scanBytes, type KnownNumber, type Needle, type NumberProbe } from '../support/identifier-scanner.js';

const CALLERS: readonly KnownNumber[] = [
  { name: 'Dutch mobile', e164: '+31612345678', countryCode: '31', areaCodeLength: 1 },
  { name: 'Utrecht landline', e164: '+31302345678', countryCode: '31', areaCodeLength: 2 },
  { name: 'Belgian mobile', e164: '+32471234567', countryCode: '32', areaCodeLength: 3 },
];
const DIALLED = ['06 12 34 56 78', '030 234 5678', '+32 471 23 45 67'];

let fixture: DeskFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

/** Every rendering of the stored pseudonyms and sealed copies a file could carry them in. */
function storedBytesProbe(f: DeskFixture): NumberProbe {
  const needles: Needle[] = [];
  for (const row of f.database.all<{ pseudonym: Uint8Array | null; sealed_identifier: Uint8Array | null }>('SELECT pseudonym, sealed_identifier FROM contacts')) {
    for (const [label, value] of [['pseudonym', row.pseudonym], ['sealed copy', row.sealed_identifier]] as const) {
      if (!value) continue;
      const bytes = Buffer.from(value);
      for (const text of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) needles.push({ label: `${label} as text`, bytes: Buffer.from(text.slice(0, 16), 'ascii') });
      needles.push({ label: `${label} bytes`, bytes });
    }
  }
  return { name: 'stored bytes of the callers', needles, spreadDigits: /(?!)/g };
}

describe('a research export made from contacts that came in through the desk', () => {
  it('holds no rendering of any caller\'s number, no pseudonym and no sealed byte', () => {
    const f = (fixture = deskFixture(new Date('2026-02-02T09:00:00Z')));
    let call = 0;
    for (let day = 0; day < 20; day++) {
      for (const [i, dialled] of DIALLED.entries()) {
        const lineCallId = `research-${++call}`;
        const view = f.desk.offerCall({ lineCallId, caller: presentation(dialled, dialled.startsWith('+32') ? 'BE' : 'NL'), offeredAt: f.clock.now() });
        f.desk.endCall(lineCallId, f.clock.now() + 60_000);
        const wrapped = f.desk.wrapUp(view.reference, { ageBand: categories.ageBands[i % 2] ?? '12-14', topic: categories.topics[call % 2] ?? 'school', outcome: 'conversation' }, 'desk-1');
        expect(wrapped).toMatchObject({ ok: true });
      }
      f.clock.advance(86_400_000);
    }
    const stored = storedBytesProbe(f);
    expect(stored.needles.length).toBeGreaterThan(60);

    const registrations: SourceRegistration[] = f.registrations.occurredBetween(0, f.clock.now()).map((row) => ({ ...row }));
    expect(registrations).toHaveLength(60);
    const { csv, summary } = buildResearchDataSet({ registrations, categories, timeZone: 'Europe/Amsterdam', settings: { k: 5, l: 2, maxSuppressionPercent: 5, includeOutcome: true } }, cryptoRandom);
    expect(summary.recordsOut).toBe(60);

    const bytes = Buffer.from(csv, 'utf8');
    // The probes can fail: the database file carries the pseudonyms, and a dialled number is seen.
    f.database.checkpoint();
    expect(scanBytes('gateway.db', readFileSync(f.database.path), [stored]).length).toBeGreaterThan(0);
    expect(scanBytes('control', Buffer.from(`x,${DIALLED[1]},y`), CALLERS.map(probeFor)).length).toBeGreaterThan(0);
    expect(scanBytes('export', bytes, [stored, ...CALLERS.map(probeFor)])).toEqual([]);
    expect(csv).not.toMatch(/\d{5}/);
  });
});

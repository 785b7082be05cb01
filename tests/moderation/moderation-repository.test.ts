import { afterEach, describe, expect, it } from 'vitest';
import type { Pseudonym } from '../../src/privacy/types.js';
import { ModerationRepository } from '../../src/store/moderation-repository.js';
import { asMonthEpoch } from '../../src/time/month-epoch.js';
import { thrownBy } from '../support/thrown-by.js';
import { at, CALLER, moderationFixture, type ModerationFixture } from './moderation-fixture.js';

let fixture: ModerationFixture | undefined;

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

const pseudonym = (byte: number): Pseudonym => new Uint8Array(16).fill(byte) as Pseudonym;

function entry(callerId: number, fields: { kind?: 'time-out' | 'block'; givenAt?: number; givenEpoch?: string; until?: number; reason?: string | null } = {}) {
  return {
    callerId,
    kind: fields.kind ?? 'time-out',
    contactReference: 'K7Q-3F9',
    givenBy: 'station:desk-1',
    givenAt: fields.givenAt ?? at('2026-02-10T10:00:00+01:00'),
    givenEpoch: asMonthEpoch(fields.givenEpoch ?? '2026-02'),
    until: fields.until ?? at('2026-02-11T10:00:00+01:00'),
    reason: fields.reason === undefined ? null : fields.reason,
  };
}

describe('the moderation tables (migration 6)', () => {
  it('refuse a block without a reason, a Time Out with one, an end before its start and a short pseudonym', () => {
    const f = (fixture = moderationFixture('2026-02-10T10:00:00+01:00'));
    const repository = new ModerationRepository(f.database);
    const caller = repository.insertCaller(f.clock.now());
    expect(thrownBy(() => repository.insertModeration(entry(caller, { kind: 'block' })))).toBeInstanceOf(Error);
    expect(thrownBy(() => repository.insertModeration(entry(caller, { reason: 'een Time Out heeft geen reden' })))).toBeInstanceOf(Error);
    expect(thrownBy(() => repository.insertModeration(entry(caller, { until: at('2026-02-09T10:00:00+01:00') })))).toBeInstanceOf(Error);
    expect(thrownBy(() => repository.insertKey({ epoch: asMonthEpoch('2026-02'), pseudonym: new Uint8Array(8) as Pseudonym, callerId: caller }))).toBeInstanceOf(Error);
    expect(repository.insertKey({ epoch: asMonthEpoch('2026-02'), pseudonym: pseudonym(1), callerId: caller })).toBe(true);
    expect(repository.insertKey({ epoch: asMonthEpoch('2026-02'), pseudonym: pseudonym(1), callerId: caller })).toBe(false);
  });

  it('unlinks a month but keeps a Time Out of that month that is still running, as long as its caller has a key left', () => {
    const f = (fixture = moderationFixture('2026-02-10T10:00:00+01:00'));
    const repository = new ModerationRepository(f.database);
    const caller = repository.insertCaller(f.clock.now());
    repository.insertKey({ epoch: asMonthEpoch('2026-01'), pseudonym: pseudonym(1), callerId: caller });
    repository.insertKey({ epoch: asMonthEpoch('2026-02'), pseudonym: pseudonym(2), callerId: caller });
    const january = at('2026-01-20T10:00:00+01:00');
    repository.insertModeration(entry(caller, { givenAt: january, givenEpoch: '2026-01', until: at('2026-02-20T10:00:00+01:00') }));
    repository.insertModeration(entry(caller, { givenAt: january, givenEpoch: '2026-01', until: at('2026-01-21T10:00:00+01:00') }));
    expect(repository.forgetLinkEpochsBefore(asMonthEpoch('2026-02'), f.clock.now())).toBe(2);
    expect(repository.allKeys().map((key) => key.epoch)).toEqual(['2026-02']);
    expect(repository.allModerations().map((row) => row.until)).toEqual([at('2026-02-20T10:00:00+01:00')]);
    expect(repository.forgetLinkEpochsBefore(asMonthEpoch('2026-03'))).toBeGreaterThan(0);
    expect(repository.counts()).toEqual({ callers: 0, keys: 0, moderations: 0, marks: 0 });
  });

  it('lets a contact\u2019s mark go with the contact (an erasure deletes the contact row)', () => {
    const f = (fixture = moderationFixture('2026-02-10T10:00:00+01:00'));
    f.timeOutAt(at('2026-02-10T10:00:00+01:00'));
    const marked = f.offer(CALLER);
    const repository = new ModerationRepository(f.database);
    expect(repository.counts().marks).toBe(1);
    const row = f.contacts.findByReference(marked.reference);
    f.database.run('DELETE FROM contacts WHERE id = ?', [row?.id ?? 0]);
    expect(repository.counts().marks).toBe(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { mayRoute } from '../../src/contacts/contact-view.js';
import { ModerationRepository } from '../../src/store/moderation-repository.js';
import { at, CALLER, COORDINATOR, moderationFixture, OTHER_CALLER, REASON, STATION, valueOf, type ModerationFixture } from './moderation-fixture.js';

let fixture: ModerationFixture | undefined;

function open(start: string): ModerationFixture {
  fixture = moderationFixture(start);
  return fixture;
}

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

/** Three Time Outs on three calls before `blockAt`, then a call at `blockAt` whose reference is returned. */
function threeTimeOutsThenCall(f: ModerationFixture, times: readonly string[], blockAt: string): ReturnType<ModerationFixture['offer']> {
  for (const time of times) f.timeOutAt(at(time));
  f.clock.set(at(blockAt));
  return f.offer(CALLER);
}

describe('a block', () => {
  it('is refused before the caller had three Time Outs, and given after the third', () => {
    const f = open('2026-05-01T10:00:00+02:00');
    f.timeOutAt(at('2026-05-01T10:00:00+02:00'));
    f.timeOutAt(at('2026-05-05T10:00:00+02:00'));
    f.clock.set(at('2026-05-08T10:00:00+02:00'));
    const second = f.offer(CALLER);
    expect(f.moderation.block(COORDINATOR, second.reference, REASON)).toMatchObject({
      ok: false,
      code: 'HGW_MODERATION_NOT_ELIGIBLE',
      refusal: 'too-few-time-outs',
      message: expect.stringMatching(/2 Time Out\(s\).*needs 3/),
    });
    valueOf(f.moderation.giveTimeOut(STATION, second.reference));
    const blocked = valueOf(f.moderation.block(COORDINATOR, second.reference, REASON));
    expect(blocked).toMatchObject({ kind: 'block', timeOutsInWindow: 3, until: at('2026-08-08T10:00:00+02:00') });
    const audited = f.audit.entries(0, 20).find((entry) => entry.action === 'moderation.block');
    expect(audited).toMatchObject({ actorRole: 'coordinator', actorId: 'account:anna', target: second.reference, details: { months: 3, timeOutsInWindow: 3 } });
    expect(JSON.stringify(audited)).not.toContain('scheldt');
  });

  it('lasts three calendar months: 30 November to 28 February 24:00', () => {
    const f = open('2026-11-01T10:00:00+01:00');
    const contact = threeTimeOutsThenCall(f, ['2026-11-02T10:00:00+01:00', '2026-11-10T10:00:00+01:00', '2026-11-20T10:00:00+01:00'], '2026-11-30T14:00:00+01:00');
    expect(valueOf(f.moderation.block(COORDINATOR, contact.reference, REASON)).until).toBe(at('2027-03-01T00:00:00+01:00'));
  });

  it('lasts three calendar months: 31 January to the end of April, across the change to summer time', () => {
    const f = open('2027-01-02T10:00:00+01:00');
    const contact = threeTimeOutsThenCall(f, ['2027-01-02T10:00:00+01:00', '2027-01-12T10:00:00+01:00', '2027-01-22T10:00:00+01:00'], '2027-01-31T10:00:00+01:00');
    expect(valueOf(f.moderation.block(COORDINATOR, contact.reference, REASON)).until).toBe(at('2027-05-01T00:00:00+02:00'));
  });

  it('keeps the wall-clock time: 30 December 14:00 to 30 March 14:00 summer time', () => {
    const f = open('2026-12-01T10:00:00+01:00');
    const contact = threeTimeOutsThenCall(f, ['2026-12-01T10:00:00+01:00', '2026-12-10T10:00:00+01:00', '2026-12-20T10:00:00+01:00'], '2026-12-30T14:00:00+01:00');
    const { until } = valueOf(f.moderation.block(COORDINATOR, contact.reference, REASON));
    expect(until).toBe(at('2027-03-30T14:00:00+02:00'));

    f.clock.set(until - 1);
    const during = f.offer('0031612345678').view;
    expect(during.moderation).toEqual({ kind: 'blocked', until });
    expect(mayRoute(during.moderation)).toBe(false);
    f.clock.set(until);
    expect(f.offer(CALLER).view.moderation).toBeNull();
  });

  it('shows the block, not a Time Out that ends sooner, on the caller\u2019s next call; other callers are untouched', () => {
    const f = open('2026-05-01T10:00:00+02:00');
    const contact = threeTimeOutsThenCall(f, ['2026-05-01T10:00:00+02:00', '2026-05-02T10:00:00+02:00', '2026-05-03T10:00:00+02:00'], '2026-05-03T10:30:00+02:00');
    const { until } = valueOf(f.moderation.block(COORDINATOR, contact.reference, REASON));
    f.clock.advance(60_000);
    expect(f.offer(CALLER).view.moderation).toEqual({ kind: 'blocked', until });
    expect(f.offer(OTHER_CALLER).view.moderation).toBeNull();
    expect(f.moderation.block(COORDINATOR, contact.reference, REASON)).toMatchObject({ ok: false, refusal: 'already-blocked' });
  });

  it('needs the moderation.block capability and a reason of 20 characters without a number in it', () => {
    const f = open('2026-05-01T10:00:00+02:00');
    const contact = threeTimeOutsThenCall(f, ['2026-05-01T10:00:00+02:00', '2026-05-02T10:00:00+02:00', '2026-05-03T10:00:00+02:00'], '2026-05-04T10:00:00+02:00');
    expect(f.moderation.block(STATION, contact.reference, REASON)).toMatchObject({ ok: false, code: 'HGW_MODERATION_FORBIDDEN' });
    expect(f.moderation.block({ accountId: 'sam', role: 'supervisor' }, contact.reference, REASON)).toMatchObject({ ok: false, code: 'HGW_MODERATION_FORBIDDEN' });
    expect(f.moderation.block(COORDINATOR, contact.reference, 'te kort')).toMatchObject({ ok: false, refusal: 'no-reason' });
    expect(f.moderation.block(COORDINATOR, contact.reference, 'belde steeds vanaf 06 12 34 56 78 en schold')).toMatchObject({ ok: false, refusal: 'reason-holds-identifier' });
    expect(f.moderation.block(COORDINATOR, f.offer('P').reference, REASON)).toMatchObject({ ok: false, refusal: 'caller-not-linkable' });
    expect(new ModerationRepository(f.database).allModerations().filter((row) => row.kind === 'block')).toEqual([]);
  });

  it('is lifted by a coordinator with a reason; a lifted Time Out stops counting towards a block', () => {
    const f = open('2026-05-01T10:00:00+02:00');
    const contact = threeTimeOutsThenCall(f, ['2026-05-01T10:00:00+02:00', '2026-05-02T10:00:00+02:00', '2026-05-03T10:00:00+02:00'], '2026-05-04T10:00:00+02:00');
    const block = valueOf(f.moderation.block(COORDINATOR, contact.reference, REASON));
    expect(f.moderation.lift(STATION, block.id, 'per vergissing gegeven, excuses')).toMatchObject({ ok: false, code: 'HGW_MODERATION_FORBIDDEN' });
    expect(f.moderation.lift(COORDINATOR, 999, 'per vergissing gegeven, excuses')).toMatchObject({ ok: false, code: 'HGW_MODERATION_UNKNOWN_CONTACT', refusal: 'unknown-entry' });
    const lifted = valueOf(f.moderation.lift(COORDINATOR, block.id, 'na gesprek met de beller opgeheven'));
    expect(lifted).toMatchObject({ id: block.id, active: false, liftedBy: 'account:anna' });
    expect(f.moderation.lift(COORDINATOR, block.id, 'na gesprek met de beller opgeheven')).toMatchObject({ ok: false, refusal: 'already-lifted' });
    f.clock.advance(60_000);
    expect(f.offer(CALLER).view.moderation).toBeNull();

    const overview = valueOf(f.moderation.overview(COORDINATOR));
    const firstTimeOut = overview.callers[0]?.entries.find((entry) => entry.kind === 'time-out');
    if (!firstTimeOut) throw new Error('expected a Time Out in the overview');
    valueOf(f.moderation.lift(COORDINATOR, firstTimeOut.id, 'Time Out bij het verkeerde gesprek'));
    expect(valueOf(f.moderation.overview(COORDINATOR)).callers[0]).toMatchObject({ timeOutsInWindow: 2, blockable: false });
    expect(f.moderation.block(COORDINATOR, contact.reference, REASON)).toMatchObject({ ok: false, refusal: 'too-few-time-outs' });
    expect(f.audit.entries(0, 50).filter((entry) => entry.action === 'moderation.lifted').map((entry) => entry.details)).toEqual([
      { kind: 'block', entry: block.id },
      { kind: 'time-out', entry: firstTimeOut.id },
    ]);
  });

  it('is deleted by the purge once it ended, with the caller it belonged to once nothing else counts', () => {
    const f = open('2026-05-01T10:00:00+02:00');
    const contact = threeTimeOutsThenCall(f, ['2026-05-01T10:00:00+02:00', '2026-05-02T10:00:00+02:00', '2026-05-03T10:00:00+02:00'], '2026-05-04T10:00:00+02:00');
    const { until } = valueOf(f.moderation.block(COORDINATOR, contact.reference, REASON));
    const repository = new ModerationRepository(f.database);
    f.clock.set(until);
    f.moderation.purgeExpired();
    expect(repository.allModerations().map((row) => row.kind)).toEqual(['time-out', 'time-out', 'time-out']);
    f.clock.set(at('2026-11-01T00:00:00+01:00'));
    f.moderation.purgeExpired();
    expect(repository.counts()).toEqual({ callers: 0, keys: 0, moderations: 0, marks: 0 });
  });

  it('lists callers for the coordinator with references, counts and who, never a pseudonym or number', () => {
    const f = open('2026-05-01T10:00:00+02:00');
    const contact = threeTimeOutsThenCall(f, ['2026-05-01T10:00:00+02:00', '2026-05-02T10:00:00+02:00', '2026-05-03T10:00:00+02:00'], '2026-05-04T10:00:00+02:00');
    f.timeOutAt(at('2026-05-04T11:00:00+02:00'), OTHER_CALLER);
    expect(f.moderation.overview(STATION)).toMatchObject({ ok: false, code: 'HGW_MODERATION_FORBIDDEN' });
    const overview = valueOf(f.moderation.overview(COORDINATOR));
    expect(overview).toMatchObject({ timeOutHours: 24, blockMonths: 3, timeOutsBeforeBlock: 3 });
    expect(overview.callers).toHaveLength(2);
    const blockable = overview.callers.find((caller) => caller.blockable);
    expect(blockable).toMatchObject({ timeOutsInWindow: 3, latestReference: expect.stringMatching(/^[2-9A-Z]{3}-[2-9A-Z]{3}$/) });
    expect(blockable?.entries.map((entry) => entry.givenBy)).toEqual(['station:desk-1', 'station:desk-1', 'station:desk-1']);
    expect(Object.keys(blockable?.entries[0] ?? {}).sort()).toEqual(['active', 'givenAt', 'givenBy', 'id', 'kind', 'liftedAt', 'liftedBy', 'reason', 'reference', 'until']);
    const text = JSON.stringify(overview);
    expect(text).not.toMatch(/612345678|687654321|pseudonym|epoch/i);
    expect(contact.reference).toMatch(/-/);
  });
});

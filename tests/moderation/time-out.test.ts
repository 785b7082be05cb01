import { afterEach, describe, expect, it } from 'vitest';
import { mayRoute } from '../../src/contacts/contact-view.js';
import { ModerationRegister } from '../../src/moderation/index.js';
import { ModerationRepository } from '../../src/store/moderation-repository.js';
import { silentLogger } from '../../src/log/logger.js';
import { policyPresets } from '../../src/config/policy-presets.js';
import { at, CALLER, COORDINATOR, moderationFixture, OTHER_CALLER, STATION, valueOf, type ModerationFixture } from './moderation-fixture.js';

const HOUR = 3_600_000;
let fixture: ModerationFixture | undefined;

function open(start: string): ModerationFixture {
  fixture = moderationFixture(start);
  return fixture;
}

afterEach(() => {
  fixture?.close();
  fixture = undefined;
});

describe('a Time Out', () => {
  it('is shown on the next call from the same number, in any rendering, with its end, and that call is not to be routed', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const first = f.offer(CALLER);
    expect(first.view.moderation).toBeNull();
    const given = valueOf(f.moderation.giveTimeOut(STATION, first.reference));
    expect(given).toMatchObject({ kind: 'time-out', reference: first.reference, until: at('2026-05-13T10:00:00+02:00'), timeOutsInWindow: 1 });
    first.end();

    f.clock.advance(2 * HOUR);
    const next = f.offer('+31 6 12 34 56 78').view;
    expect(next.moderation).toEqual({ kind: 'time-out', until: given.until });
    expect(mayRoute(next.moderation)).toBe(false);
    expect(next.priorContacts).toBe(1);
    expect(f.offer(OTHER_CALLER).view.moderation).toBeNull();
  });

  it('ends at its exact hour, 24 real hours later, across the change to summer time', () => {
    // Saturday 28 March 2026 12:00 CET; the clocks go forward that night, so it ends at 13:00 CEST.
    const f = open('2026-03-28T12:00:00+01:00');
    const { until } = f.timeOutAt(at('2026-03-28T12:00:00+01:00'));
    expect(until).toBe(at('2026-03-29T13:00:00+02:00'));
    expect(until - at('2026-03-28T12:00:00+01:00')).toBe(24 * HOUR);

    f.clock.set(until - 1);
    expect(f.offer(CALLER).view.moderation).toEqual({ kind: 'time-out', until });
    f.clock.set(until);
    const after = f.offer(CALLER).view;
    expect(after.moderation).toBeNull();
    expect(mayRoute(after.moderation)).toBe(true);
  });

  it('ends at its exact hour across the change back to winter time too (25 wall-clock hours later)', () => {
    const f = open('2026-10-24T12:00:00+02:00');
    const { until } = f.timeOutAt(at('2026-10-24T12:00:00+02:00'));
    expect(until).toBe(at('2026-10-25T11:00:00+01:00'));
    f.clock.set(until - 1);
    expect(f.offer(CALLER).view.moderation?.kind).toBe('time-out');
    f.clock.set(until);
    expect(f.offer(CALLER).view.moderation).toBeNull();
  });

  it('cannot be given to a withheld number, for an unknown reference, or twice for one contact', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const withheld = f.offer('P');
    expect(f.moderation.giveTimeOut(STATION, withheld.reference)).toMatchObject({ ok: false, code: 'HGW_MODERATION_NOT_ELIGIBLE', refusal: 'caller-not-linkable' });
    expect(f.moderation.giveTimeOut(STATION, 'ZZZ-ZZZ' as typeof withheld.reference)).toMatchObject({ ok: false, code: 'HGW_MODERATION_UNKNOWN_CONTACT' });
    const contact = f.offer(CALLER);
    valueOf(f.moderation.giveTimeOut(STATION, contact.reference));
    expect(f.moderation.giveTimeOut(STATION, contact.reference)).toMatchObject({ ok: false, code: 'HGW_MODERATION_NOT_ELIGIBLE', refusal: 'already-given' });
  });

  it('is given during the call or within the hour after it ended, not later', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const late = f.offer(CALLER);
    const recent = f.offer(OTHER_CALLER);
    late.end();
    recent.end(f.clock.now() + 30 * 60_000);
    f.clock.advance(HOUR + 1);
    expect(f.moderation.giveTimeOut(STATION, late.reference)).toMatchObject({ ok: false, refusal: 'not-live' });
    expect(f.moderation.giveTimeOut(STATION, recent.reference).ok).toBe(true);
  });

  it('is given by a volunteer or a coordinator, never by a technician, and audited with the station as actor', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const contact = f.offer(CALLER);
    expect(f.moderation.giveTimeOut({ accountId: 'tom', role: 'technician' }, contact.reference)).toMatchObject({ ok: false, code: 'HGW_MODERATION_FORBIDDEN' });
    valueOf(f.moderation.giveTimeOut(STATION, contact.reference));
    valueOf(f.moderation.giveTimeOut(COORDINATOR, f.offer(OTHER_CALLER).reference));
    const entries = f.audit.entries(0, 10).filter((entry) => entry.action === 'moderation.timeout');
    expect(entries.map((entry) => [entry.actorRole, entry.actorId, entry.target])).toEqual([
      ['volunteer', 'station:desk-1', contact.reference],
      ['coordinator', 'account:anna', expect.any(String)],
    ]);
    expect(entries[0]?.details).toEqual({ hours: 24, timeOutsInWindow: 1 });
  });

  it('shows on the live contact itself once given, through the desk, and every station hears it', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const contact = f.offer(CALLER);
    const heard: unknown[] = [];
    f.desk.onContactChanged((view) => heard.push(view));
    const result = f.desk.giveTimeOut(contact.reference, 'desk-2');
    expect(result).toMatchObject({ ok: true, until: at('2026-05-13T10:00:00+02:00') });
    expect(heard).toEqual([expect.objectContaining({ reference: contact.reference, moderation: { kind: 'time-out', until: at('2026-05-13T10:00:00+02:00') } })]);
    expect(f.desk.openContacts().find((view) => view.reference === contact.reference)?.moderation?.kind).toBe('time-out');
    expect(f.desk.giveTimeOut(contact.reference, 'desk-2')).toMatchObject({ ok: false, code: 'HGW_MODERATION_NOT_ELIGIBLE' });
  });

  it('survives a restart: a register loaded from the store answers the same, and the intake mark stays on the contact', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const { until } = f.timeOutAt(at('2026-05-12T10:00:00+02:00'));
    f.clock.advance(HOUR);
    const marked = f.offer(CALLER);
    const reloaded = ModerationRegister.load({
      database: f.database,
      repository: new ModerationRepository(f.database),
      contacts: f.contacts,
      audit: f.audit,
      clock: f.clock,
      timeZone: 'Europe/Amsterdam',
      policy: policyPresets['allesoke-nl'],
      logger: silentLogger(),
    });
    const row = f.contacts.findByReference(marked.reference);
    if (!row?.linkEpoch || !row.pseudonym) throw new Error('expected a linked contact');
    expect(reloaded.statusOf([{ epoch: row.linkEpoch, pseudonym: row.pseudonym }])).toEqual({ kind: 'time-out', until });
    expect(reloaded.markOf(row.id)).toEqual({ kind: 'time-out', until });
  });

  it('is purged from the marks when it ends, but still counts towards a block while its month is in the window', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    const { until } = f.timeOutAt(at('2026-05-12T10:00:00+02:00'));
    f.offer(CALLER);
    const repository = new ModerationRepository(f.database);
    expect(repository.counts()).toMatchObject({ moderations: 1, marks: 1 });
    f.clock.set(until);
    expect(f.moderation.purgeExpired()).toBe(1);
    expect(repository.counts()).toMatchObject({ callers: 1, moderations: 1, marks: 0 });
    expect(valueOf(f.moderation.overview(COORDINATOR)).callers[0]).toMatchObject({ status: { kind: 'none' }, timeOutsInWindow: 1 });

    // Six months on, May has left the linkage window: the Time Out no longer counts and goes.
    f.clock.set(at('2026-11-01T00:00:00+01:00'));
    f.moderation.purgeExpired();
    expect(repository.counts()).toEqual({ callers: 0, keys: 0, moderations: 0, marks: 0 });
    expect(valueOf(f.moderation.overview(COORDINATOR)).callers).toEqual([]);
  });

  it('purges on start and then on its own timer, with no sleeping', () => {
    const f = open('2026-05-12T10:00:00+02:00');
    f.timeOutAt(at('2026-05-12T10:00:00+02:00'));
    f.offer(CALLER);
    const repository = new ModerationRepository(f.database);
    let task: (() => void) | undefined;
    const register = ModerationRegister.load({
      database: f.database,
      repository,
      contacts: f.contacts,
      audit: f.audit,
      clock: f.clock,
      timeZone: 'Europe/Amsterdam',
      policy: policyPresets['allesoke-nl'],
      logger: silentLogger(),
      scheduler: { after: (_ms, run) => ((task = run), () => (task = undefined)) },
    });
    register.start();
    expect(repository.counts().marks).toBe(1);
    f.clock.advance(25 * HOUR);
    task?.();
    expect(repository.counts().marks).toBe(0);
    register.stop();
    expect(task).toBeUndefined();
  });
});
